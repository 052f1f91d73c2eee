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
from urllib.parse import parse_qsl

from fastapi import Request
from sqlmodel import Session, select

from emulator.core.codec import content_type
from emulator.core.vendor import set_request_tenant
from emulator.thrive.backend import BASIC, ThriveBackend, TokenGrant, token_hash
from emulator.thrive.errors import Forbidden, InvalidClient, InvalidRequest, Unauthorized
from emulator.thrive.models import ThriveToken

READ_SCOPES = ("api/read", "api/write", "api/all")
WRITE_SCOPES = ("api/write", "api/all")
WEBHOOK_SCOPES = ("api/webhooks", "api/all")
FORM = "application/x-www-form-urlencoded"
TOKEN_PREFIX = "/oauth2/token/"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant whose data the request may reach, and with which scopes."""

    tenant_id: str
    scopes: frozenset[str]
    scheme: str  # "basic" | "bearer"
    client_id: str


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


def backend_of(request: Request) -> ThriveBackend:
    """The backend `routes.build_app` attached to the Thrive sub-app."""
    backend = request.app.state.thrive_backend
    assert isinstance(backend, ThriveBackend)
    return backend


def authenticate(request: Request) -> Principal:
    """The router-level dependency: the `Principal`, or 401 (credentials) then 403 (scope)."""
    principal = _identify(backend_of(request), request)
    set_request_tenant(request, principal.tenant_id)
    needed = required_scopes(request.method, vendor_path(request))
    if needed and not principal.scopes.intersection(needed):
        raise Forbidden(f"This operation requires one of the scopes: {', '.join(needed)}")
    return principal


def _identify(backend: ThriveBackend, request: Request) -> Principal:
    basic = basic_credentials(request)
    if basic is None and _scheme(request) == "basic":
        raise Unauthorized("Malformed Basic credentials")
    if basic is not None:
        tenant, secret = basic
        scopes = backend.basic_scopes(tenant, secret)
        if scopes is None:
            raise Unauthorized("Invalid tenant ID or API secret")
        return Principal(tenant, frozenset(scopes), "basic", BASIC)
    access_token = bearer_token(request)
    if access_token is not None:
        grant = backend.bearer_grant(access_token)
        if grant is None:
            raise Unauthorized("The access token is invalid or has expired")
        tenant, scopes, client_id = grant
        return Principal(tenant, frozenset(scopes), "bearer", client_id)
    raise Unauthorized("Missing credentials: use Basic auth or a Bearer access token")


async def token_grant(request: Request) -> TokenGrant:
    """The token request: form fields, client authenticated by Basic header or form fields."""
    set_request_tenant(request, str(request.path_params.get("tenantId", "")))
    if content_type(request.headers.get("content-type")) != FORM:
        raise InvalidRequest("The body must be application/x-www-form-urlencoded")
    try:
        fields = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        raise InvalidRequest("The body is not form-encoded") from None
    client_id, client_secret = fields.get("client_id"), fields.get("client_secret")
    if request.headers.get("authorization"):
        basic = basic_credentials(request)
        if basic is None:
            raise InvalidClient()
        client_id, client_secret = basic
    return TokenGrant(grant_type=fields.get("grant_type") or None,
                      scope=fields.get("scope") or None,
                      client_id=client_id or None, client_secret=client_secret)


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
        ThriveToken.token_hash == token_hash(access_token))).first()
    return row.tenant_id if row else None
