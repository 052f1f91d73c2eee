"""The DMTD unit of work and the look-ups every resource shares: ids, records by id or code,
who may assess a learner.

Every operation is one unit of work (`ctx.db.transaction()`): validation that needs the
database, then lookups, then the permission check, then the write — in the order of D10 — so
a refused request writes nothing. Times come from the emulator clock.

Where the fact sheet infers, the decision is a named constant or function here:
- `FIRST_IDS`: user ids start at 1234, so that DMTD's own `POST /1/authorize` example
  (`X-LearnerId: 1`, `{"userId": 1234}`) works verbatim against a fresh server's demo iFrame
  organization;
- `can_assess()`: D14's ownership model (owner or authorized user).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Request
from sqlmodel import Session, select

from emulator.core.ids import next_int
from emulator.core.models import Counter, TenantScoped
from emulator.core.vendor import Context
from emulator.dmtd.auth import Principal
from emulator.dmtd.errors import DuplicateCode, NotFound
from emulator.dmtd.models import DmtdAuthorization, DmtdLearner, DmtdUser
from emulator.dmtd.schemas import Ref

FIRST_IDS = {"dmtd.user": 1234}
_MAX_ID = 2**63 - 1  # SQLite's integer range; larger ids are simply unknown

T = TypeVar("T", bound=TenantScoped)


class Operations:
    """The base every resource's operations mixin builds on: the emulator it works in."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx


def new_id(session: Session, kind: str) -> int:
    """D4: one server-wide counter per resource kind, so tenants never share an id."""
    name = f"dmtd.{kind}"
    return next_int(session, name, start=FIRST_IDS.get(name, 1))


def new_ids(session: Session, kind: str, count: int) -> list[int]:
    """`count` consecutive ids of one kind in one counter update (keeps seeding fast)."""
    if count == 0:
        return []
    first = new_id(session, kind)
    if count > 1:
        counter = session.get(Counter, f"dmtd.{kind}")
        assert counter is not None
        counter.value += count - 1
        session.add(counter)
    return list(range(first, first + count))


def find(session: Session, table: type[T], tenant_id: str, ref: Ref) -> T | None:
    column = "id" if ref.id is not None else "code"
    value = ref.id if ref.id is not None else ref.code
    if ref.id is not None and not 0 < ref.id <= _MAX_ID:
        return None
    stmt = select(table).where(table.tenant_id == tenant_id,
                               getattr(table, column) == value)
    return session.exec(stmt).first()


def find_learner(session: Session, org: Principal, ref: Ref) -> DmtdLearner:
    learner = find(session, DmtdLearner, org.tenant_id, ref)
    if learner is None:
        raise NotFound(f"No learner with {ref.describe()} could be located")
    return learner


def find_user(session: Session, org: Principal, ref: Ref) -> DmtdUser:
    user = find(session, DmtdUser, org.tenant_id, ref)
    if user is None:
        raise NotFound(f"No user with {ref.describe()} could be located")
    return user


def find_grant(session: Session, tenant_id: str, learner_id: int,
               user_id: int) -> DmtdAuthorization | None:
    return session.exec(select(DmtdAuthorization).where(
        DmtdAuthorization.tenant_id == tenant_id, DmtdAuthorization.learner_id == learner_id,
        DmtdAuthorization.user_id == user_id)).first()


def can_assess(session: Session, learner: DmtdLearner, user: DmtdUser) -> bool:
    """D14: the learner's owner, or a user granted access with `POST /1/authorize`."""
    return learner.owner_id == user.id or find_grant(
        session, learner.tenant_id, learner.id, user.id) is not None


def ensure_code_free(session: Session, table: type[DmtdUser] | type[DmtdLearner],
                     tenant_id: str, code: str | None, what: str) -> None:
    """D13: codes are unique per organization and kind, compared case-sensitively."""
    if code is not None and find(session, table, tenant_id, Ref("code", code=code)):
        raise DuplicateCode(f"The body of the request was invalid: code {code!r} is already "
                            f"used by another {what}")


OpsT = TypeVar("OpsT", bound=Operations)


def operations(kind: type[OpsT]) -> Callable[[Request], Awaitable[OpsT]]:
    """A route dependency: the sub-app's backend, seen as one resource's operations."""

    async def dependency(request: Request) -> OpsT:
        backend = request.app.state.backend
        assert isinstance(backend, kind)
        return backend

    return dependency
