"""The shared base of every Thrive resource's operations: unit of work, ids, look-ups, lists.

Each public method of an operations class is one vendor operation and one unit of work: it
opens `ctx.db.transaction()` through `unit()`, reads the tenant's clock once, and either returns
the wire body or raises a typed error (the transaction then rolls back, so a failed request
writes nothing). The resource modules mix their operations into `backend.ThriveBackend`; they
import this base rather than the backend, which imports them.

Decision where the fact sheet is silent (also in docs/thrive.md):
- `new_ids`: ids are the creation second then a server-wide counter, so id order is creation
  order even within one second.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from emulator.core.clock import as_utc
from emulator.core.models import Counter, TenantScoped
from emulator.core.vendor import Context
from emulator.thrive import schemas
from emulator.thrive.errors import NotFound
from emulator.thrive.models import ThriveAudience, ThriveMember, ThriveUser
from emulator.thrive.schemas import Paging

ID_COUNTER = "thrive.object"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

T = TypeVar("T", bound=SQLModel)
R = TypeVar("R", bound=TenantScoped)
Body = dict[str, Any]


@dataclass
class Unit:
    """One operation's session, tenant and emulator time (UTC)."""

    session: Session
    tenant: str
    now: datetime


def new_ids(u: Unit, count: int = 1) -> list[str]:
    """ObjectId-style ids: creation second (8 hex), server-wide counter (10 hex), noise (6 hex)."""
    counter = u.session.get(Counter, ID_COUNTER) or Counter(name=ID_COUNTER, value=0)
    first = counter.value + 1
    counter.value += count
    u.session.add(counter)
    seconds = int((u.now - EPOCH).total_seconds()) & 0xFFFFFFFF
    return [f"{seconds:08x}{(first + i) & 0xFFFFFFFFFF:010x}{secrets.token_hex(3)}"
            for i in range(count)]


def new_id(u: Unit) -> str:
    return new_ids(u)[0]


# ---------------------------------------------------------------------------------------------
# List filters: each is a condition, or None when the client did not ask for that filter
# ---------------------------------------------------------------------------------------------


def at_least(column: Any, value: Any) -> Any:
    return None if value is None else column >= value


def at_most(column: Any, value: Any) -> Any:
    return None if value is None else column <= value


def equal(column: Any, value: Any) -> Any:
    return None if value is None else column == value


def flag(column: Any, value: bool | None) -> Any:
    return None if value is None else col(column).is_(value)


def one_of(column: Any, values: Sequence[Any] | None,
           omit: Sequence[Any] | None = None) -> Any:
    """An include filter, else its omit twin (the omit one is ignored beside an include)."""
    if values is not None:
        return col(column).in_(values)
    return col(column).not_in(omit) if omit else None


View = Callable[[Unit, list[R]], list[Body]]


def each(view: Callable[[R], Body]) -> View[R]:
    """A list view from a one-row view."""
    return lambda _u, rows: [view(row) for row in rows]


class ThriveBase:
    """Unit of work and the look-ups several resources share."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @contextmanager
    def unit(self, tenant: str) -> Iterator[Unit]:
        with self.ctx.db.transaction() as session:
            yield Unit(session, tenant, as_utc(self.ctx.now(session, tenant)))

    @staticmethod
    def _get(u: Unit, model: type[T], key: str) -> T | None:
        if not schemas.is_object_id(key):
            return None
        return u.session.get(model, {"tenant_id": u.tenant, "id": key.lower()})

    def _found(self, u: Unit, model: type[T], key: str, what: str) -> T:
        row = self._get(u, model, key)
        if row is None:
            raise NotFound(f"{what} not found")
        return row

    @staticmethod
    def _all(u: Unit, stmt: SelectOfScalar[T]) -> list[T]:
        return list(u.session.exec(stmt).all())

    @staticmethod
    def _page(u: Unit, stmt: SelectOfScalar[T], paging: Paging,
              *order: Any) -> tuple[list[T], int]:
        total = u.session.exec(select(func.count()).select_from(stmt.subquery())).one()
        if paging.offset >= total:
            return [], total
        rows = u.session.exec(stmt.order_by(*order).offset(paging.offset)
                              .limit(paging.per_page)).all()
        return list(rows), total

    def _listed(self, u: Unit, model: type[R], paging: Paging, view: View[R],
                where: Iterable[Any], order: Sequence[Any]) -> tuple[list[Body], int]:
        """Every list: the tenant's rows matching each given filter, one page, as views."""
        stmt = select(model).where(col(model.tenant_id) == u.tenant,
                                   *(w for w in where if w is not None))
        rows, total = self._page(u, stmt, paging, *order)
        return view(u, rows), total

    def _enveloped(self, u: Unit, model: type[R], paging: Paging, view: View[R],
                   where: Iterable[Any], order: Sequence[Any]) -> Body:
        """`_listed` in Thrive's `{results, pagination}` envelope."""
        return schemas.envelope(*self._listed(u, model, paging, view, where, order), paging)

    def _live_user(self, u: Unit, user_id: str) -> ThriveUser:
        user = self._get(u, ThriveUser, user_id)
        if user is None or user.deleted:
            raise NotFound("User not found")
        return user

    def _user_by_ref(self, u: Unit, ref: str) -> ThriveUser:
        user = u.session.exec(select(ThriveUser).where(
            ThriveUser.tenant_id == u.tenant, ThriveUser.ref == ref,
            col(ThriveUser.deleted).is_(False))).first()
        if user is None:
            raise NotFound(f"User with ref '{ref}' not found")
        return user

    def _audience_by_key(self, u: Unit, key: str) -> ThriveAudience | None:
        """An audience by id or by reference (every `{audienceId}` accepts both)."""
        row = self._get(u, ThriveAudience, key)
        if row is not None:
            return row
        return u.session.exec(select(ThriveAudience).where(
            ThriveAudience.tenant_id == u.tenant, ThriveAudience.reference == key)).first()

    def _member_ids(self, u: Unit, audience_id: str) -> list[str]:
        return list(u.session.exec(select(ThriveMember.user_id).where(
            ThriveMember.tenant_id == u.tenant, ThriveMember.audience_id == audience_id)).all())
