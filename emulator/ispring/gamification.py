"""iSpring gamification: learners' points, read, awarded and withdrawn.

Behaviours the fact sheet leaves open:
- Withdrawing more points than a user has is refused (400; inferred).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Self

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field, model_validator
from sqlmodel import col, select

from emulator.ispring.auth import (
    PointsRead,
    PointsWrite,
    Principal,
    Right,
    authenticate,
    operations,
)
from emulator.ispring.base import BackendBase
from emulator.ispring.errors import BadRequest
from emulator.ispring.fields import Amount, Id, Name
from emulator.ispring.models import IspringUser
from emulator.ispring.schemas import RequestModel, number
from emulator.ispring.wire import Body, Items, Query, empty, ok


class PointsChange(RequestModel):
    user_id: Id = Field(alias="userId")
    amount: Amount
    reason: Name

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if self.amount <= 0:
            raise ValueError("amount must be a positive number")
        return self


class GamificationOps(BackendBase):
    """Learners' points: reading, awarding and withdrawing."""

    def points(self, p: Principal, user_ids: Sequence[str]) -> list[tuple[str, float]]:
        p.require(Right.GAMIFICATION_READ)
        with self._unit(p.tenant_id) as (session, _now):
            stmt = self._scoped_users(select(IspringUser).where(
                IspringUser.tenant_id == p.tenant_id), p, IspringUser.user_id)
            if user_ids:
                stmt = stmt.where(col(IspringUser.user_id).in_([u.lower() for u in user_ids]))
            rows = session.exec(stmt.order_by(col(IspringUser.user_id))).all()
            return [(u.user_id, u.points) for u in rows]

    def change_points(self, p: Principal, body: PointsChange, sign: int) -> None:
        p.require(Right.GAMIFICATION_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            (user,) = self._users_named(session, p, [body.user_id])
            balance = user.points + sign * body.amount
            if balance < 0:
                raise BadRequest("Wrong parameters: the user does not have enough points")
            user.points = balance
            session.add(user)


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[GamificationOps, operations(GamificationOps)]


@router.get("/gamification/points")
def get_gamification_points(request: Request, caller: PointsRead, q: Query,
                            backend: Backend) -> Response:
    """Get users' gamification points.

    Vendor doc: §5.9; `userIds[]` or a bare `userIds=`; items `userPointsInfo`; without
    userIds, every user the caller may see (inferred).
    """
    rows = backend.points(caller, q.strings("userIds"))
    return ok(request, Items("userPointsInfo", [{"userId": u, "points": number(p)}
                                                for u, p in rows]))


@router.post("/gamification/points/award")
def award_gamification_points(request: Request, caller: PointsWrite, body: Body,
                              backend: Backend) -> Response:
    """Award gamification points to a user.

    Vendor doc: "Awarding Points" (§5.9); any root element; amount > 0.
    """
    backend.change_points(caller, PointsChange.parse(body), +1)
    return empty(request)


@router.post("/gamification/points/withdraw")
def withdraw_gamification_points(request: Request, caller: PointsWrite, body: Body,
                                 backend: Backend) -> Response:
    """Withdraw gamification points from a user.

    Vendor doc: "Deducting Points from Users" (§5.9); more than the balance → 400 (inferred).
    """
    backend.change_points(caller, PointsChange.parse(body), -1)
    return empty(request)
