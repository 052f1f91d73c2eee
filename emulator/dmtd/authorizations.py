"""DMTD permissions to assess a learner: `POST`, `DELETE` and `GET /1/authorize` (iFrame beta).

A learner's owner may always assess it; other users need a grant (D14, `store.can_assess`).
`REGRANT_KEEPS_ROLE`: a repeated `POST /1/authorize` is a 202 that changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field, PlainValidator
from sqlmodel import col, select

from emulator.core import bodies
from emulator.core.clock import iso
from emulator.dmtd.auth import IframeOrg, Principal, iframe_principal
from emulator.dmtd.errors import BadRequest, OwnerCannotBeRemoved
from emulator.dmtd.models import DmtdAuthorization, DmtdLearner, DmtdUser
from emulator.dmtd.params import RequiredLearner, json_body, ref_from
from emulator.dmtd.schemas import (
    Code,
    Integer,
    Ref,
    WireIn,
    choice,
    full_name,
    parse_body,
    pick_ref,
)
from emulator.dmtd.store import (
    Operations,
    can_assess,
    find_grant,
    find_learner,
    find_user,
    operations,
)

ROLES = ("teacher", "observer")
REGRANT_KEEPS_ROLE = True


# ------------------------------------------------------------------------------------- wire

class UserChoice(WireIn):
    """The user of `/1/authorize`: `userId` or `userCode` ([R] adds `role`)."""

    user_id: Integer = Field(default=None, alias="userId")
    user_code: Code = Field(default=None, alias="userCode")
    role: Annotated[str, PlainValidator(choice(ROLES, default="teacher"))] = "teacher"


def chosen_user(body: UserChoice) -> Ref:
    """The body user of `/1/authorize`: `userId` wins over `userCode` (D12)."""
    ref = pick_ref("userId", body.user_id, "userCode", body.user_code)
    if ref is None:
        raise BadRequest("The body of the request was invalid: userId or userCode is required")
    return ref


async def deauthorize_target(
    request: Request,
    user_id: Annotated[str | None, Query(alias="userId")] = None,
    user_code: Annotated[str | None, Query(alias="userCode")] = None,
) -> Ref:
    """D16: the user in the query, else in a JSON body; the query wins when both are sent."""
    ref = ref_from("userId", user_id, "userCode", user_code, header=False)
    if ref is not None:
        return ref
    return chosen_user(await bodies.decode(parse_body, await request.body(), UserChoice))


def authorizations_out(learner: DmtdLearner, organization_name: str,
                       entries: list[tuple[DmtdAuthorization, DmtdUser]]) -> dict[str, Any]:
    """D17: the [R] `GET /1/authorize` keys, integer ids and [C] timestamps."""
    return {
        "success": True,
        "learnerId": learner.id,
        "learnerName": full_name(learner.first_name, learner.last_name),
        "groupName": f"Reseller Access - {organization_name}",
        "authorizations": [
            {"userId": user.id, "email": user.email,
             "name": full_name(user.first_name, user.last_name),
             "role": grant.role.capitalize(), "authorizedAt": iso(grant.authorized_at),
             "authorizedById": learner.owner_id}
            for grant, user in entries
        ],
        "count": len(entries),
    }


# ------------------------------------------------------------------------------- operations

@dataclass(frozen=True)
class Authorizations:
    learner: DmtdLearner
    organization_name: str
    entries: list[tuple[DmtdAuthorization, DmtdUser]]


class AuthorizationsOps(Operations):
    def authorize(self, org: Principal, learner_ref: Ref, user_ref: Ref, role: str) -> bool:
        """D15: True when permission was granted now, False when it was already held."""
        with self.ctx.db.transaction() as session:
            learner = find_learner(session, org, learner_ref)
            user = find_user(session, org, user_ref)
            if can_assess(session, learner, user):
                return False
            session.add(DmtdAuthorization(
                tenant_id=org.tenant_id, learner_id=learner.id, user_id=user.id, role=role,
                authorized_at=self.ctx.now(session, org.tenant_id)))
            return True

    def deauthorize(self, org: Principal, learner_ref: Ref, user_ref: Ref) -> bool:
        """D16: True when a permission was removed, False when there was none."""
        with self.ctx.db.transaction() as session:
            learner = find_learner(session, org, learner_ref)
            user = find_user(session, org, user_ref)
            if learner.owner_id == user.id:
                raise OwnerCannotBeRemoved(
                    f"User {user.id} owns learner {learner.id}; the owner's permission cannot "
                    "be removed")
            grant = find_grant(session, org.tenant_id, learner.id, user.id)
            if grant is None:
                return False
            session.delete(grant)
            return True

    def authorizations(self, org: Principal, learner_ref: Ref) -> Authorizations:
        """D17: the users granted access (the owner is not listed), oldest first."""
        with self.ctx.db.transaction() as session:
            learner = find_learner(session, org, learner_ref)
            rows = session.exec(
                select(DmtdAuthorization, DmtdUser)
                .where(DmtdAuthorization.tenant_id == org.tenant_id,
                       DmtdAuthorization.learner_id == learner.id,
                       DmtdUser.tenant_id == DmtdAuthorization.tenant_id,
                       DmtdUser.id == DmtdAuthorization.user_id)
                .order_by(col(DmtdAuthorization.authorized_at), col(DmtdAuthorization.user_id)))
            return Authorizations(learner, org.name, [(grant, user) for grant, user in rows])


# ----------------------------------------------------------------------------------- routes

router = APIRouter(dependencies=[Depends(iframe_principal)])
Ops = Annotated[AuthorizationsOps, Depends(operations(AuthorizationsOps))]


@router.post("/1/authorize")
def authorize_user(
    org: IframeOrg, ops: Ops, learner: RequiredLearner,
    body: Annotated[UserChoice, Depends(json_body(UserChoice))],
) -> JSONResponse:
    """Let another user assess a learner (200 granted, 202 already held).

    DMTD "/1/authorize - POST" [C] beta (fact sheet §5.4, D12, D15); the [R] `role` is
    accepted. Not emulated: the [R] success body and its `groupId`.
    """
    granted = ops.authorize(org, learner, chosen_user(body), body.role)
    return JSONResponse({}, 200 if granted else 202)


@router.delete("/1/authorize")
def deauthorize_user(
    org: IframeOrg, ops: Ops, learner: RequiredLearner,
    user: Annotated[Ref, Depends(deauthorize_target)],
) -> JSONResponse:
    """Remove a user's permission to assess a learner (200 removed, 202 had none).

    DMTD "/1/authorize - DELETE" [C] beta (fact sheet §5.5, D16): the user in the query
    or in a JSON body. Not emulated: nothing further is documented.
    """
    return JSONResponse({}, 200 if ops.deauthorize(org, learner, user) else 202)


@router.get("/1/authorize")
def list_authorizations(org: IframeOrg, ops: Ops, learner: RequiredLearner) -> JSONResponse:
    """List the users authorized to assess a learner.

    [R] "authorize-get" with integer ids and [C] timestamps (fact sheet §5.6, D17). Not
    emulated: the [R] string `learnerId` and Laravel timestamps.
    """
    view = ops.authorizations(org, learner)
    return JSONResponse(authorizations_out(view.learner, view.organization_name,
                                           view.entries))
