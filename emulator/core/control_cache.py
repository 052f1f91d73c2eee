"""What rarely changes, read once per change: clock overrides and whether any fault is armed.

Every request used to query the clock (once per unit of work) and the fault table. Both change
only through the control plane (and a fault's countdown), so they are cached per process and
keyed by a *generation*: a row in `core_generation` that every statement changing `core_clock`,
`core_fault`, `core_tenant` (or a vendor's credential tables, see `watch_tables`) replaces with
a new random value in the same transaction (an engine hook, so no caller can forget it). A
request reads the generation inside its own transaction — one primary-key lookup — and reloads
the cache when it differs. Consequences:

- never stale after a control-plane call returns, in any worker process: the call committed
  the change and the new generation together, and a later request's snapshot sees both;
- a random value rather than a counter: a transaction that changed a watched table and then
  rolled back leaves a generation nobody else will ever read, so a cache filled inside it can
  never be mistaken for a committed state.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import BigInteger, Connection, Engine, event
from sqlmodel import Field, SQLModel

from emulator.core import unit as request_unit
from emulator.core.models import ClockState

# Extended by `watch_tables` with the vendor tables credentials are resolved from
# (`emulator.core.principals`): watching too much costs a cache reload, never a stale answer.
WATCHED = ["core_clock", "core_fault", "core_tenant"]
_DML = ("INSERT", "UPDATE", "DELETE", "REPLAC")
_READ = "SELECT value FROM core_generation WHERE id = 1"
MEMO = "control"
# Is any fault armed at all? (A fault whose countdown reached 0 is spent.)
ARMED = "SELECT 1 FROM core_fault WHERE remaining IS NULL OR remaining != 0 LIMIT 1"


class Generation(SQLModel, table=True):
    """One row: a random value replaced whenever the clock, faults or tenants change."""

    __tablename__ = "core_generation"

    id: int = Field(primary_key=True)
    # 62 random bits: BIGINT on PostgreSQL (SQLite's INTEGER is 64-bit already).
    value: int = Field(default=0, sa_type=BigInteger)


@dataclass(frozen=True)
class ControlState:
    generation: int
    clocks: dict[str, ClockState]
    faults_armed: bool


_cache: WeakKeyDictionary[Engine, ControlState] = WeakKeyDictionary()


def watch(engine: Engine) -> None:
    """Install the generation bump on `engine` (once)."""
    if not event.contains(engine, "before_cursor_execute", _bump):
        event.listen(engine, "before_cursor_execute", _bump)


def watch_tables(*names: str) -> None:
    """Also change the generation whenever one of these tables changes."""
    WATCHED.extend(name for name in names if name not in WATCHED)


def _bump(conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any,
          executemany: bool) -> None:
    if statement.lstrip()[:6].upper() not in _DML or not any(t in statement for t in WATCHED):
        return
    # A literal of our own making (no paramstyle differences between drivers).
    value = secrets.randbits(62)
    bump = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        bump.execute(f"INSERT INTO core_generation (id, value) VALUES (1, {value}) "
                     f"ON CONFLICT (id) DO UPDATE SET value = {value}")
    finally:
        bump.close()


def read(conn: Connection) -> ControlState:
    """The control state as `conn`'s transaction sees it (cached while the generation holds)."""
    unit = request_unit.current()
    memo = unit.memo if unit is not None and unit.conn is conn else None
    if memo is not None and MEMO in memo:
        state: ControlState = memo[MEMO]
        return state
    generation = conn.exec_driver_sql(_READ).scalar() or 0
    state_or_none = _cache.get(conn.engine)
    if state_or_none is None or state_or_none.generation != generation:
        clocks = {row.scope: ClockState(scope=row.scope, offset_seconds=row.offset_seconds,
                                        frozen_at=row.frozen_at)
                  for row in conn.execute(ClockState.__table__.select())}  # type: ignore[attr-defined]
        armed = conn.exec_driver_sql(ARMED).first() is not None
        state_or_none = ControlState(int(generation), clocks, armed)
        _cache[conn.engine] = state_or_none
    if memo is not None:
        memo[MEMO] = state_or_none
    return state_or_none
