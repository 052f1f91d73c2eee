"""DMTD learners (the children assessed): `POST /1/learner` and `GET /1/learner`.

`ensure_learner_header_rule()` is D19's iFrame/standard rule for X-UserId/X-UserCode: iFrame
organizations name the user who owns a new learner; other customers omit the header.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import Field, PlainValidator
from sqlmodel import col, select

from emulator.core.clock import iso
from emulator.dmtd.auth import Org, Principal, principal
from emulator.dmtd.errors import BadRequest
from emulator.dmtd.models import DmtdAuthorization, DmtdLearner
from emulator.dmtd.params import UserHeader, json_body
from emulator.dmtd.schemas import Code, OptionalText, Ref, WireIn, parse_date
from emulator.dmtd.store import Operations, ensure_code_free, find_user, new_id, operations

GENDERS = (1, 2)


# ------------------------------------------------------------------------------------- wire

def _gender(value: Any) -> int | None:
    if value is None or (type(value) is int and value in GENDERS):
        return value
    raise ValueError("must be 1 (male) or 2 (female)")


def _is_active(value: Any) -> bool | int:
    """D6: true, false, 1 or 0, kept in the JSON type it came in."""
    if value is None:
        return True
    if isinstance(value, bool) or (type(value) is int and value in (0, 1)):
        return value
    raise ValueError("must be true, false, 1 or 0")


def _date_of_birth(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError("must be a date string (YYYY-MM-DD)")
    return parse_date(value)


class LearnerIn(WireIn):
    """`POST /1/learner` (§5.2)."""

    code: Code = None
    color: OptionalText = None
    date_of_birth: Annotated[date, PlainValidator(_date_of_birth)] = Field(alias="dateOfBirth")
    first_name: OptionalText = Field(default=None, alias="firstName")
    last_name: OptionalText = Field(default=None, alias="lastName")
    gender: Annotated[int | None, PlainValidator(_gender)] = None
    is_active: Annotated[bool | int, PlainValidator(_is_active)] = Field(default=True,
                                                                         alias="isActive")


def learner_out(learner: DmtdLearner, organization_id: int) -> dict[str, Any]:
    """The [C] `POST /1/learner` response, also each element of `GET /1/learner` (D18)."""
    is_active: bool | int = int(learner.is_active) if learner.is_active_numeric \
        else learner.is_active
    return {
        "gender": learner.gender, "color": learner.color, "firstName": learner.first_name,
        "id": learner.id, "code": learner.code,
        "dateOfBirth": f"{learner.date_of_birth.isoformat()}T00:00:00Z",
        "isActive": is_active, "organizationId": organization_id,
        "updatedAt": iso(learner.updated_at), "createdAt": iso(learner.created_at),
        "lastName": learner.last_name,
    }


# ------------------------------------------------------------------------------- operations

def ensure_learner_header_rule(org: Principal, owner: Ref | None, *, required: bool) -> None:
    """D18/D19: iFrame organizations name the user (required when creating a learner); all
    other customers must omit the header."""
    if org.is_iframe and owner is None and required:
        raise BadRequest("X-UserId or X-UserCode is required for iFrame customers")
    if not org.is_iframe and owner is not None:
        raise BadRequest("X-UserId and X-UserCode must be omitted by customers outside the "
                         "iFrame programme")


class LearnersOps(Operations):
    def create_learner(self, org: Principal, owner_ref: Ref | None,
                       data: LearnerIn) -> DmtdLearner:
        ensure_learner_header_rule(org, owner_ref, required=True)
        with self.ctx.db.transaction() as session:
            ensure_code_free(session, DmtdLearner, org.tenant_id, data.code, "learner")
            owner = find_user(session, org, owner_ref) if owner_ref is not None else None
            now = self.ctx.now(session, org.tenant_id)
            learner = DmtdLearner(
                tenant_id=org.tenant_id, id=new_id(session, "learner"), code=data.code,
                color=data.color, date_of_birth=data.date_of_birth,
                first_name=data.first_name, last_name=data.last_name, gender=data.gender,
                is_active=bool(data.is_active),
                is_active_numeric=not isinstance(data.is_active, bool),
                owner_id=owner.id if owner else None, created_at=now, updated_at=now)
            session.add(learner)
            return learner

    def list_learners(self, org: Principal, user_ref: Ref | None) -> list[DmtdLearner]:
        """D18: all the organization's learners, or those the named user may assess."""
        ensure_learner_header_rule(org, user_ref, required=False)
        with self.ctx.db.transaction() as session:
            stmt = select(DmtdLearner).where(DmtdLearner.tenant_id == org.tenant_id)
            if user_ref is not None:
                user = find_user(session, org, user_ref)
                granted = select(DmtdAuthorization.learner_id).where(
                    DmtdAuthorization.tenant_id == org.tenant_id,
                    DmtdAuthorization.user_id == user.id)
                stmt = stmt.where((col(DmtdLearner.owner_id) == user.id)
                                  | col(DmtdLearner.id).in_(granted))
            return list(session.exec(stmt.order_by(col(DmtdLearner.id))))


# ----------------------------------------------------------------------------------- routes

router = APIRouter(dependencies=[Depends(principal)])
Ops = Annotated[LearnersOps, Depends(operations(LearnersOps))]


@router.post("/1/learner")
def create_learner(
    org: Org, ops: Ops, owner: UserHeader,
    body: Annotated[LearnerIn, Depends(json_body(LearnerIn))],
) -> JSONResponse:
    """Create a learner (iFrame: owned by the user of X-UserId/X-UserCode).

    DMTD "/1/learner - POST" [C] (fact sheet §5.2, D5, D6, D13, D19). Not emulated: the
    [R] array response, learner PUT/PATCH/DELETE (D26).
    """
    return JSONResponse(learner_out(ops.create_learner(org, owner, body),
                                    org.organization_id))


@router.get("/1/learner")
def list_learners(org: Org, ops: Ops, user: UserHeader) -> JSONResponse:
    """List the organization's learners, or those a user may assess.

    [R] "/1/ Learner - GET" in the [C] learner shape (fact sheet §5.3, D18). Not
    emulated: the [R] element keys `parent`, `userId`, `reportsGenerated`, `v2id`.
    """
    return JSONResponse([learner_out(learner, org.organization_id)
                         for learner in ops.list_learners(org, user)])
