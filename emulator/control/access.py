"""Who may call the control plane: the admin token, tenant control tokens, and the guard.

Without `EMULATOR_ADMIN_TOKEN` (`--admin-token`) the control plane is open, as on a laptop.
With it, `ControlGuard` (wrapping the whole control app, so a route added later is covered
without anyone remembering to protect it) requires `Authorization: Bearer <token>` on every
call except `PUBLIC` ones (the readiness probe, and static pages that carry no data):

- the admin token (compared in constant time) may do everything;
- a tenant control token (returned once by `POST /tenants`, stored only as its SHA-256) may
  call only the `TENANT_ROUTES`, and each of those checks with `authorize_tenant` that the
  tenant it acts on is the caller's own: reset, snapshots, faults, clock, journal, and reading
  its own tenant record. Anything else is a 403; no or an unknown token is a 401.

Vendor APIs never pass through here: their own credentials are their only gate.
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any

import anyio
from sqlmodel import select
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.control.ui import PAGES
from emulator.core.db import Database
from emulator.core.errors import EmulatorError
from emulator.core.models import Tenant
from emulator.core.secrets import token_digest

# (method, path below /_emulator): the readiness probe and the dashboard's page shells, which
# carry no data (every figure they show comes from API calls that need the token).
PUBLIC: frozenset[tuple[str, str]] = frozenset(
    {("GET", "/health")} | {("GET", f"/ui{path}") for path, _page, _title in PAGES})
# The dashboard's own scripts and styles.
PUBLIC_PREFIX = "/ui/static/"
# Routes a tenant control token may call (each then checks the tenant it acts on).
TENANT_ROUTES: tuple[tuple[str, str], ...] = (
    ("POST", "/reset"),
    ("GET", "/tenants/{tenant_id}"),
    ("POST", "/tenants/{tenant_id}/reset"),
    ("GET", "/snapshots"),
    ("POST", "/snapshots/{name}"),
    ("POST", "/snapshots/{name}/restore"),
    ("DELETE", "/snapshots/{name}"),
    ("GET", "/faults"),
    ("POST", "/faults"),
    ("DELETE", "/faults/{fault_id}"),
    ("GET", "/clock"),
    ("POST", "/clock"),
    ("GET", "/journal"),
    ("POST", "/journal/match"),
)
TOKEN_PREFIX = "lmsct_"
_CALLER = "control_tenant"


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")


_TENANT_PATTERNS = [(method, _pattern(path)) for method, path in TENANT_ROUTES]


def new_tenant_token() -> tuple[str, str]:
    """(the token handed to the client once, the digest stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_digest(token)


def caller_tenant(request: Request) -> str | None:
    """The tenant whose control token authenticated this call; None for the admin (or open)."""
    tenant: str | None = request.scope.get("state", {}).get(_CALLER)
    return tenant


def authorize_tenant(request: Request, target: str | None) -> None:
    """A tenant token acts on its own tenant only (a server-wide action has target None)."""
    own = caller_tenant(request)
    if own is not None and target != own:
        raise EmulatorError("This control token may act on its own tenant only", status=403)


def _error(status: int, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=status,
                        headers=headers)


class ControlGuard:
    """Pure ASGI: authenticates every control-plane call before the control app sees it."""

    def __init__(self, app: ASGIApp, db: Database, admin_token: str | None) -> None:
        self.app = app
        self.db = db
        self.admin = admin_token.encode() if admin_token else None

    def _tenant_of(self, token: str) -> str | None:
        with self.db.read() as session:
            found = session.exec(select(Tenant.id).where(
                Tenant.control_token_hash == token_digest(token))).first()
            return str(found) if found is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.admin is None:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        path = path or "/"
        method: str = scope["method"]
        if ((method, path) in PUBLIC or (method == "HEAD" and ("GET", path) in PUBLIC)
                or (method in ("GET", "HEAD") and path.startswith(PUBLIC_PREFIX))):
            await self.app(scope, receive, send)
            return
        auth = Request(scope).headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            await _error(401, "A control-plane token is required "
                              "(Authorization: Bearer <token>)")(scope, receive, send)
            return
        if hmac.compare_digest(token.encode(), self.admin):
            await self.app(scope, receive, send)
            return
        tenant = await anyio.to_thread.run_sync(self._tenant_of, token)
        if tenant is None:
            await _error(401, "Unknown control-plane token")(scope, receive, send)
            return
        if not any(m == method and p.match(path) for m, p in _TENANT_PATTERNS):
            await _error(403, "A tenant control token may not call this")(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        state[_CALLER] = tenant
        await self.app(scope, receive, send)
