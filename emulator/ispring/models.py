"""iSpring tables (`ispring_*`), every row keyed by tenant (the account)."""

from __future__ import annotations

from sqlmodel import Field

from emulator.core.models import TenantScoped


class IspringApiKey(TenantScoped, table=True):
    __tablename__ = "ispring_api_key"

    client_id: str = Field(primary_key=True, max_length=200)
    client_secret: str
