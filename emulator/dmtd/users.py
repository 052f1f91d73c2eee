"""DMTD users of an iFrame organization: `POST /1/user`, and the temporary iFrame sign-in
token of a user (`POST /1/signin`).

`SIGNIN_TTL` (24 h) and `signin()`: a new sign-in token replaces the user's previous one (D20).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlmodel import select

from emulator.core.clock import as_utc, iso
from emulator.core.ids import token
from emulator.core.secrets import token_digest
from emulator.dmtd.auth import IframeOrg, Principal, iframe_principal
from emulator.dmtd.models import DmtdUser
from emulator.dmtd.params import RequiredUser, json_body
from emulator.dmtd.schemas import Code, Email, Locale, Ref, RequiredName, WireIn
from emulator.dmtd.store import Operations, ensure_code_free, find_user, new_id, operations

SIGNIN_TTL = timedelta(hours=24)


# ------------------------------------------------------------------------------------- wire

class UserIn(WireIn):
    """`POST /1/user` (§5.1)."""

    code: Code = None
    first_name: RequiredName = Field(alias="firstName")
    last_name: RequiredName = Field(alias="lastName")
    email: Email
    locale: Locale = "en"


def user_out(user: DmtdUser) -> dict[str, Any]:
    """The [C] v7 `POST /1/user` response."""
    return {"id": user.id, "code": user.code, "firstName": user.first_name,
            "lastName": user.last_name, "email": user.email, "locale": user.locale}


def signin_out(user: DmtdUser, signin_token: str) -> dict[str, Any]:
    """D20 (inferred): the temporary token and when it stops working."""
    assert user.signin_expires_at is not None
    return {"signinToken": signin_token, "expiresAt": iso(user.signin_expires_at)}


# ------------------------------------------------------------------------------- operations

class UsersOps(Operations):
    def create_user(self, org: Principal, data: UserIn) -> DmtdUser:
        with self.ctx.db.transaction() as session:
            ensure_code_free(session, DmtdUser, org.tenant_id, data.code, "user")
            now = self.ctx.now(session, org.tenant_id)
            user = DmtdUser(tenant_id=org.tenant_id, id=new_id(session, "user"), code=data.code,
                            first_name=data.first_name, last_name=data.last_name,
                            email=data.email, locale=data.locale, created_at=now,
                            updated_at=now)
            session.add(user)
            return user

    def signin(self, org: Principal, user_ref: Ref) -> tuple[DmtdUser, str]:
        """D20: a fresh 24-hour token (only its digest is kept); the previous one stops
        working."""
        signin_token = token(24)
        with self.ctx.db.transaction() as session:
            user = find_user(session, org, user_ref)
            user.signin_token_hash = token_digest(signin_token)
            user.signin_expires_at = self.ctx.now(session, org.tenant_id) + SIGNIN_TTL
            session.add(user)
            return user, signin_token

    def signed_in_user(self, tenant_id: str, signin_token: str) -> DmtdUser | None:
        """The user a sign-in token currently identifies (None once replaced or expired)."""
        with self.ctx.db.transaction() as session:
            user = session.exec(select(DmtdUser).where(
                DmtdUser.tenant_id == tenant_id,
                DmtdUser.signin_token_hash == token_digest(signin_token))).first()
            if user is None or user.signin_expires_at is None:
                return None
            expired = as_utc(user.signin_expires_at) <= self.ctx.now(session, tenant_id)
            return None if expired else user


# ----------------------------------------------------------------------------------- routes

router = APIRouter(dependencies=[Depends(iframe_principal)])
Ops = Annotated[UsersOps, Depends(operations(UsersOps))]


@router.post("/1/user")
def create_user(
    org: IframeOrg, ops: Ops, body: Annotated[UserIn, Depends(json_body(UserIn))],
) -> JSONResponse:
    """Create a user of an iFrame organization.

    DMTD "/1/user - POST" [C] v7 (fact sheet §5.1, D13, D24). Not emulated: user GET/PUT/
    DELETE (D26), the 2019 long user object, [R] timestamps.
    """
    return JSONResponse(user_out(ops.create_user(org, body)))


@router.post("/1/signin")
def signin(org: IframeOrg, ops: Ops, user: RequiredUser) -> JSONResponse:
    """Issue a temporary iFrame sign-in token for a user (valid 24 h).

    Inferred from client code (fact sheet §4.6, §5.16, D20). Not emulated: the frame
    screens that consume the token.
    """
    return JSONResponse(signin_out(*ops.signin(org, user)))
