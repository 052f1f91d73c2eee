"""Thrive tables (`thrive_*`), every row keyed by tenant."""

from __future__ import annotations

from sqlalchemy import JSON, Column
from sqlmodel import Field

from emulator.core.models import TenantScoped


class ThriveCredential(TenantScoped, table=True):
    """The tenant's API secret (Basic auth) and OAuth clients (client credentials)."""

    __tablename__ = "thrive_credential"

    client_id: str = Field(primary_key=True, max_length=200)
    secret: str
    # None: the Basic-auth API secret (all scopes); else the OAuth client's allowed scopes.
    scopes: list[str] | None = Field(default=None, sa_column=Column(JSON))
