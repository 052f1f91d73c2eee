"""DMTD authentication: `Authorization: Bearer <organization token>` (decisions D3, D8, D9).

The token names one organization (the tenant). `principal` is the router-level dependency of
every authenticated route; `iframe_principal` adds the iFrame-programme check of D9 for the
beta endpoints. Both run before any header, query or body validation (D10 steps 1 and 2).
Routes receive the organization as `Org` or `IframeOrg`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session, select

from emulator.core.principals import PrincipalCache, Resolved
from emulator.core.secrets import token_digest
from emulator.core.vendor import Context, set_request_tenant
from emulator.dmtd.errors import NotIframeCustomer, Unauthorized
from emulator.dmtd.models import DmtdOrganization

IFRAME = "iframe"
STANDARD = "standard"


@dataclass(frozen=True)
class Principal:
    """The organization the Bearer token belongs to."""

    tenant_id: str
    organization_id: int
    kind: str
    name: str

    @property
    def is_iframe(self) -> bool:
        return self.kind == IFRAME


def bearer_token(request: Request) -> str | None:
    """The token of `Bearer <token>` (scheme case-insensitive); None for anything else,
    including the legacy `Token token="..."` scheme."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def identify_tenant(session: Session, request: Request) -> str | None:
    token = bearer_token(request)
    if token is None:
        return None
    org = session.exec(select(DmtdOrganization).where(
        DmtdOrganization.token_hash == token_digest(token))).first()
    return org.tenant_id if org else None


class Credentials:
    """Organization tokens to principals, remembered while the organizations do not change
    (`emulator.core.principals`); one per sub-app, built by `app.build_app`."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.principals: PrincipalCache[Principal] = PrincipalCache(
            ctx.db, (DmtdOrganization.__tablename__,))

    async def authenticate(self, request: Request) -> Principal:
        token = bearer_token(request)
        if token is None:
            raise Unauthorized("Missing or malformed Authorization header: expected "
                               "'Bearer <token>'")
        org = await self.principals.resolve(("bearer", token), lambda: self._load(token))
        set_request_tenant(request, org.tenant_id)
        return org

    def _load(self, token: str) -> Resolved[Principal]:
        with self.ctx.db.transaction() as session:
            org = session.exec(select(DmtdOrganization).where(
                DmtdOrganization.token_hash == token_digest(token))).first()
        if org is None:
            raise Unauthorized("The Bearer token is not valid")
        return Resolved(Principal(tenant_id=org.tenant_id, organization_id=org.id,
                                  kind=org.kind, name=org.name), org.tenant_id)


def require_iframe(principal: Principal) -> Principal:
    if not principal.is_iframe:
        raise NotIframeCustomer("This API is in beta and applies only to 'iFrame' API "
                                "customers")
    return principal


async def principal(request: Request) -> Principal:
    """The router-level dependency; FastAPI runs it once per request."""
    credentials = request.app.state.credentials
    assert isinstance(credentials, Credentials)
    return await credentials.authenticate(request)


async def iframe_principal(org: Annotated[Principal, Depends(principal)]) -> Principal:
    return require_iframe(org)


Org = Annotated[Principal, Depends(principal)]
IframeOrg = Annotated[Principal, Depends(iframe_principal)]
