"""DMTD authentication: `Authorization: Bearer <organization token>`."""

from __future__ import annotations

from fastapi import Request
from sqlmodel import Session, select

from emulator.dmtd.models import DmtdOrganization


def bearer_token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def identify_tenant(session: Session, request: Request) -> str | None:
    token = bearer_token(request)
    if token is None:
        return None
    org = session.exec(select(DmtdOrganization).where(DmtdOrganization.token == token)).first()
    return org.tenant_id if org else None
