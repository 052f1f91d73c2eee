"""iSpring access tokens: client credentials in, a token out; the principal a token names.

The token endpoint, and the two ways a caller becomes a `Principal` (`auth.authenticate`
calls them).

Behaviours the fact sheet leaves open:
- `TOKEN_LIFETIME`: 1800 s; expiry follows the emulator clock (D17).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import ConfigDict
from sqlalchemy import delete, func
from sqlmodel import col, select

from emulator.core.clock import as_utc
from emulator.core.ids import token
from emulator.core.models import Tenant
from emulator.core.principals import PrincipalCache, Resolved
from emulator.core.secrets import token_digest, verify_secret
from emulator.core.vendor import Context, set_request_tenant
from emulator.ispring.auth import (
    ALL_RIGHTS,
    ROLE_RIGHTS,
    UNSCOPED_ROLES,
    Principal,
    account_host,
    custom_rights,
    operations,
)
from emulator.ispring.base import BackendBase, _subtree, effective_status
from emulator.ispring.errors import BadRequest, Unauthorized
from emulator.ispring.fields import Text
from emulator.ispring.models import (
    IspringApiKey,
    IspringDepartment,
    IspringRole,
    IspringToken,
    IspringUser,
)
from emulator.ispring.schemas import RequestModel
from emulator.ispring.wire import Body, ok


class TokenRequest(RequestModel):
    # RFC 6749 §3.2: the token endpoint MUST ignore unrecognized request parameters (the one
    # exception to iSpring's refusal of unknown parameters).
    model_config = ConfigDict(extra="ignore", populate_by_name=False, frozen=True)

    client_id: Text
    client_secret: Text
    grant_type: Text


TOKEN_LIFETIME = 1800


class TokensOps(BackendBase):
    """Issuing access tokens and turning a token or a login into a `Principal`."""

    def issue_token(self, body: TokenRequest) -> tuple[str, str, int]:
        """(tenant, access token, lifetime) for a client-credentials grant (§3.2)."""
        if body.grant_type != "client_credentials":
            raise BadRequest("Wrong parameters: grant_type must be client_credentials")
        with self.ctx.db.transaction() as session:
            keys = session.exec(select(IspringApiKey).where(
                IspringApiKey.client_id == body.client_id)).all()
            key = next((k for k in keys if verify_secret(k.client_secret, body.client_secret)),
                       None)
            if key is None:
                raise Unauthorized()
            now = self.ctx.now(session, key.tenant_id)
            session.execute(delete(IspringToken).where(
                col(IspringToken.tenant_id) == key.tenant_id,
                col(IspringToken.expires_at) <= now))
            access = token(32)
            session.add(IspringToken(tenant_id=key.tenant_id, token_hash=token_digest(access),
                                     client_id=key.client_id,
                                     expires_at=now + timedelta(seconds=TOKEN_LIFETIME)))
            return key.tenant_id, access, TOKEN_LIFETIME

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.principals: PrincipalCache[Principal] = PrincipalCache(ctx.db, tuple(
            model.__tablename__ for model in (IspringToken, IspringUser, IspringRole,
                                              IspringDepartment)))

    def token_principal(self, access_token: str) -> Resolved[Principal]:
        with self.ctx.db.transaction() as session:
            row = session.exec(select(IspringToken).where(
                IspringToken.token_hash == token_digest(access_token))).first()
            if row is None or as_utc(row.expires_at) <= self.ctx.now(session, row.tenant_id):
                raise Unauthorized()
            expires = as_utc(row.expires_at)
            return Resolved(Principal(tenant_id=row.tenant_id, role_type="owner",
                                      rights=ALL_RIGHTS, scope=None), row.tenant_id, expires)

    def login_principal(self, account_url: str, login: str, password: str
                        ) -> Resolved[Principal]:
        """D17: the account by its URL's host; the user by login, then by e-mail."""
        tenant_id = account_host(account_url)
        with self.ctx.db.transaction() as session:
            tenant = session.get(Tenant, tenant_id) if tenant_id else None
            if tenant is None or tenant.vendor != "ispring":
                raise Unauthorized()
            wanted = login.strip().lower()
            user = session.exec(select(IspringUser).where(
                IspringUser.tenant_id == tenant_id,
                func.lower(IspringUser.login) == wanted)).first() or session.exec(
                select(IspringUser).where(IspringUser.tenant_id == tenant_id,
                                          func.lower(IspringUser.email) == wanted)).first()
            if user is None or not verify_secret(user.password, password):
                raise Unauthorized()
            today = self.ctx.now(session, tenant_id).date()
            if effective_status(user, today) != 1:
                raise Unauthorized()
            roles = self._roles(session, tenant_id)
            primary = self._primary_assignment(user.roles, roles)
            role = roles.get(primary["roleId"])
            role_type = role.type if role else "learner"
            if role_type == "custom" and role is not None:
                rights = custom_rights(role.rights)
            else:
                rights = ROLE_RIGHTS.get(role_type, frozenset())
            scope: frozenset[str] | None = None
            if role_type not in UNSCOPED_ROLES:
                scope = frozenset(_subtree(self._departments(session, tenant_id),
                                           primary.get("manageableDepartmentIds", [])))
            # A user's status follows dates (deactivation, termination): judged anew each day.
            next_day = datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC)
            return Resolved(Principal(tenant_id=tenant_id, role_type=role_type, rights=rights,
                                      scope=scope, user_id=user.user_id), tenant_id, next_day)


# The token endpoint is the one route without a caller to authenticate.
router = APIRouter()
Backend = Annotated[TokensOps, operations(TokensOps)]


@router.post("/api/v3/token")
def access_request(request: Request, body: Body, backend: Backend) -> Response:
    """Get an access token (client credentials).

    Vendor doc: "Access Token" (§3.2). 200 `{access_token, expires_in: 1800, token_type}`;
    JSON unless Accept asks for XML only (D15). Not emulated: refresh tokens (the vendor has none).
    """
    tenant, access_token, lifetime = backend.issue_token(TokenRequest.parse(body))
    set_request_tenant(request, tenant)
    return ok(request, {"access_token": access_token, "expires_in": lifetime,
                        "token_type": "bearer"})
