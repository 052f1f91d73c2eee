"""iSpring authentication: `X-Auth-*` login headers, or an access token in `Authorization`."""

from __future__ import annotations

from fastapi import Request
from sqlmodel import Session

from emulator.core.models import Tenant
from emulator.ispring.backend import account_host


def identify_tenant(session: Session, request: Request) -> str | None:
    url = request.headers.get("x-auth-account-url")
    if not url:
        return None
    host = account_host(url)
    return host if session.get(Tenant, host) is not None else None
