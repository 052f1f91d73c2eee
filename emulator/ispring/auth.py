"""iSpring authentication: `X-Auth-*` login headers, or an access token in `Authorization`.

D17: when `Authorization` is present it alone decides — `Bearer <token>` (scheme in any case) or
the raw token with no scheme, as every vendor doc sample sends it. Otherwise the three `X-Auth-*`
headers name the account (by the URL's host), the login (or e-mail) and the password. Anything
else is a 401. The principal then carries the caller's rights; `allow(right)` turns a missing
right into the 403 that D18 puts before any body parsing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from emulator.core.models import Tenant
from emulator.core.vendor import set_request_tenant
from emulator.ispring.backend import (
    IspringBackend,
    Principal,
    Right,
    account_host,
    token_tenant,
)
from emulator.ispring.errors import Unauthorized


def backend_of(request: Request) -> IspringBackend:
    backend = request.app.state.backend
    assert isinstance(backend, IspringBackend)
    return backend


Backend = Annotated[IspringBackend, Depends(backend_of)]


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization` value: `Bearer <t>` or a bare `<t>`."""
    parts = header.strip().split()
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    return None


def authenticate(request: Request) -> Principal:
    """The router-level dependency: who calls, for every data operation."""
    backend = backend_of(request)
    header = request.headers.get("authorization")
    if header is not None:
        access_token = bearer_token(header)
        if not access_token:
            raise Unauthorized()
        principal = backend.token_principal(access_token)
    else:
        url = request.headers.get("x-auth-account-url", "")
        login = request.headers.get("x-auth-email", "")
        password = request.headers.get("x-auth-password", "")
        if not (url.strip() and login.strip() and password):
            raise Unauthorized()
        principal = backend.login_principal(url, login, password)
    set_request_tenant(request, principal.tenant_id)
    return principal


Caller = Annotated[Principal, Depends(authenticate)]


def allow(right: Right) -> Callable[[Principal], Principal]:
    """A dependency: the caller, provided its role grants `right` (403 otherwise)."""

    def check(principal: Caller) -> Principal:
        principal.require(right)
        return principal

    check.__name__ = f"allow_{right.name.lower()}"
    return check


def identify_tenant(session: Session, request: Request) -> str | None:
    """The account a request names, without judging its credentials (fault matching)."""
    header = request.headers.get("authorization")
    if header is not None:
        access_token = bearer_token(header)
        return None if access_token is None else token_tenant(session, access_token)
    url = request.headers.get("x-auth-account-url")
    if not url:
        return None
    host = account_host(url)
    tenant = session.get(Tenant, host) if host else None
    return host if tenant is not None and tenant.vendor == "ispring" else None
