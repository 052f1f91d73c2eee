"""DMTD tables (`dmtd_*`), every row keyed by tenant (the organization)."""

from __future__ import annotations

from sqlmodel import Field

from emulator.core.models import TenantScoped


class DmtdOrganization(TenantScoped, table=True):
    __tablename__ = "dmtd_organization"

    id: int = Field(primary_key=True)
    token: str = Field(index=True, unique=True)
    kind: str = Field(max_length=20)
