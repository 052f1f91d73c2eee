"""Thrive authentication: HTTP Basic (tenant id + API secret) and OAuth bearer tokens.

One dependency, `authenticate`, guards every route but the token endpoint. Order of checks
(fact sheet §1.2): credentials (401), then scope (403); routes then check the path, body and
parameters. `required_scopes` is the scope table: GET under `/rest` needs any API scope, other
methods under `/rest` need `api/write` or `api/all`, `/webhooks` needs `api/webhooks` or
`api/all`. Basic auth carries every scope.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request
from sqlmodel import Session, select

from emulator.core.clock import as_utc
from emulator.core.principals import PrincipalCache, Resolved
from emulator.core.secrets import token_digest, verify_secret
from emulator.core.vendor import Context, set_request_tenant
from emulator.thrive.base import ThriveBase
from emulator.thrive.errors import Forbidden, Unauthorized
from emulator.thrive.models import ThriveCredential, ThriveToken
from emulator.thrive.schemas import SCOPES

READ_SCOPES = ("api/read", "api/write", "api/all")
WRITE_SCOPES = ("api/write", "api/all")
WEBHOOK_SCOPES = ("api/webhooks", "api/all")
TOKEN_PREFIX = "/oauth2/token/"
# The client id under which the tenant's Basic-auth API secret is stored.
BASIC = "__basic__"

Ops = TypeVar("Ops")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant whose data the request may reach, and with which scopes."""

    tenant_id: str
    scopes: frozenset[str]
    scheme: str  # "basic" | "bearer"
    client_id: str


class CredentialsOps(ThriveBase):
    """Credential look-ups behind `authenticate` (the token grant is in `tokens`). Each runs
    in a worker thread, only when `principals` keeps no valid answer."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.principals: PrincipalCache[Principal] = PrincipalCache(
            ctx.db, (ThriveCredential.__tablename__, ThriveToken.__tablename__))

    def basic_principal(self, tenant: str, secret: str) -> Resolved[Principal]:
        """Every scope when `secret` is the tenant's API secret, else 401."""
        with self.ctx.db.transaction() as session:
            row = session.get(ThriveCredential, {"tenant_id": tenant, "client_id": BASIC})
            if row is None or not verify_secret(row.secret, secret):
                raise Unauthorized("Invalid tenant ID or API secret")
            return Resolved(Principal(tenant, frozenset(SCOPES), "basic", BASIC), tenant)

    def bearer_principal(self, access_token: str) -> Resolved[Principal]:
        """The grant of a live token issued by this emulator, else 401."""
        with self.ctx.db.transaction() as session:
            row = session.exec(select(ThriveToken).where(
                ThriveToken.token_hash == token_digest(access_token))).first()
            if row is None or self.ctx.now(session, row.tenant_id) >= as_utc(row.expires_at):
                raise Unauthorized("The access token is invalid or has expired")
            expires = as_utc(row.expires_at)
            return Resolved(Principal(row.tenant_id, frozenset(row.scopes), "bearer",
                                      row.client_id), row.tenant_id, expires)


def basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except ValueError:
        # binascii.Error (bad base64), UnicodeDecodeError, and the plain ValueError that
        # b64decode raises for non-ASCII header bytes (latin-1 decoded by the server).
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _scheme(request: Request) -> str:
    return request.headers.get("authorization", "").partition(" ")[0].lower()


def bearer_token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return (value.strip() or None) if scheme.lower() == "bearer" else None


def vendor_path(request: Request) -> str:
    """The path below the mount (`/rest/v1/...`), whether reached at /thrive or by host."""
    path: str = request.scope["path"]
    return path[len(request.scope.get("root_path", "")):] or "/"


def required_scopes(method: str, path: str) -> tuple[str, ...]:
    if path == "/webhooks" or path.startswith("/webhooks/"):
        return WEBHOOK_SCOPES
    if path.startswith("/rest/"):
        return READ_SCOPES if method in ("GET", "HEAD") else WRITE_SCOPES
    return ()


def backend_of(request: Request, kind: type[Ops]) -> Ops:
    """The backend `app.build_app` attached to the Thrive sub-app, as one resource's ops."""
    backend = request.app.state.thrive_backend
    assert isinstance(backend, kind)
    return backend


async def authenticate(request: Request) -> Principal:
    """The router-level dependency: the `Principal`, or 401 (credentials) then 403 (scope)."""
    principal = await _identify(backend_of(request, CredentialsOps), request)
    set_request_tenant(request, principal.tenant_id)
    needed = required_scopes(request.method, vendor_path(request))
    if needed and not principal.scopes.intersection(needed):
        raise Forbidden(f"This operation requires one of the scopes: {', '.join(needed)}")
    return principal


async def _identify(backend: CredentialsOps, request: Request) -> Principal:
    basic = basic_credentials(request)
    if basic is None and _scheme(request) == "basic":
        raise Unauthorized("Malformed Basic credentials")
    if basic is not None:
        tenant, secret = basic
        return await backend.principals.resolve(
            ("basic", tenant, secret), lambda: backend.basic_principal(tenant, secret))
    access_token = bearer_token(request)
    if access_token is not None:
        return await backend.principals.resolve(
            ("bearer", access_token), lambda: backend.bearer_principal(access_token))
    raise Unauthorized("Missing credentials: use Basic auth or a Bearer access token")


def identify_tenant(session: Session, request: Request) -> str | None:
    # On the token endpoint the Basic user is an OAuth client; the tenant is in the path.
    path = vendor_path(request)
    if path.startswith(TOKEN_PREFIX):
        return path[len(TOKEN_PREFIX):].strip("/") or None
    basic = basic_credentials(request)
    if basic is not None:
        return basic[0]
    access_token = bearer_token(request)
    if access_token is None:
        return None
    row = session.exec(select(ThriveToken).where(
        ThriveToken.token_hash == token_digest(access_token))).first()
    return row.tenant_id if row else None
