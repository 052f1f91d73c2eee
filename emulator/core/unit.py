"""The request's unit of work: one connection and one read transaction for a vendor read.

A vendor request used to make four or five separate units of work (fault check, authentication,
the clock, the operation, the journal), each with its own pooled connection, its own
`BEGIN IMMEDIATE` and its own thread hop. Now the recorder opens one `RequestUnit` per vendor
request and keeps it in a context variable; `Database.transaction()` and `Database.read()` join
it while it is open, so the fault check, vendor authentication, the clock and the operation of
a read share one connection and one transaction without any vendor code knowing.

- A **read** (GET, HEAD, OPTIONS while no fault is armed) is served in one deferred SQLite
  transaction, started inline on the event loop: a deferred BEGIN and a primary-key read wait
  for no writer in WAL mode. Each joined block is a plain session on it. Should a joined block
  try to write after all, the statement is stopped before it runs (`NeedsWrite`) and the gate
  runs the request again outside the unit: its body is buffered and no response byte has left,
  so the client cannot tell, and the journal records it once.
- A **write** (any other method, or any request while a fault is armed, since firing one counts)
  keeps one transaction per block, as before: SQLite has one write lock per database, and
  holding it from authentication to the response would also hold it while the vendor decodes
  the body on the event loop — every other writer, in every worker, would wait for that
  (a 9 MB JSON body stalled the control plane for seconds). The unit still opens briefly at the
  start, inline, to read the control state (`emulator.core.control_cache`), so a write pays no
  thread hop and no query to learn that no fault is armed.
- On PostgreSQL the read transaction starts in a worker thread (it talks to a server).
- With `--memory` (one shared connection, one process-wide lock) there is no unit: concurrent
  requests cannot each hold a transaction on one connection. The control-state cache and the
  journal writer still apply.

**Read-your-writes, across worker processes.** The recorder holds the response until the
request's journal entry is committed by the process's journal writer
(`emulator.core.journal_writer`), which commits the entries of concurrent requests in one
transaction and only then releases their responses. A write's own blocks committed before its
response was produced. So everything a request did, and its journal entry, is in the shared
database before the client sees a byte; a journal read that starts after the response — in any
worker — begins a newer snapshot and finds it. The unit ends when the response's last body
message is produced, before background tasks (webhook deliveries) run; those run on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

import anyio
from sqlalchemy import Connection, Engine, event
from sqlmodel import Session


class Database(Protocol):
    """What a unit needs of `emulator.core.db.Database` (which imports this module)."""

    engine: Engine
    is_memory: bool
    is_sqlite: bool

# Methods served in a read unit (unless a fault is armed, or the operation turns out to write).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READ_UNIT = "lms_read_unit"
_DML = ("INSERT", "UPDATE", "DELETE", "REPLAC")

_active: ContextVar[RequestUnit | None] = ContextVar("lms_request_unit", default=None)


class NeedsWrite(BaseException):
    """A read unit was about to write: the request runs again outside the unit.

    A BaseException so that no vendor or framework handler of `Exception` turns it into a
    response on the way up to the gate.
    """


class UnitManager:
    """Per database: opens request units and guards them against writes."""

    def __init__(self, db: Database) -> None:
        self.db = db
        if not event.contains(db.engine, "before_cursor_execute", _guard_read_unit):
            # First in line: a read unit must stop before any other hook writes on its behalf.
            event.listen(db.engine, "before_cursor_execute", _guard_read_unit, insert=True)

    @contextmanager
    def activate(self) -> Iterator[RequestUnit]:
        unit = RequestUnit(self.db)
        token = _active.set(unit)
        try:
            yield unit
        finally:
            _active.reset(token)
            unit.end()


def _guard_read_unit(conn: Connection, cursor: Any, statement: str, parameters: Any,
                     context: Any, executemany: bool) -> None:
    if conn.info.get(_READ_UNIT) and statement.lstrip()[:6].upper() in _DML:
        raise NeedsWrite()


class RequestUnit:
    """One vendor request's connection and read transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.conn: Connection | None = None
        # What `emulator.core.control_cache` read in this transaction (one look per request).
        self.memo: dict[str, Any] = {}

    async def open(self, prepare: Callable[[Connection], object]) -> None:
        """Start the read transaction and run `prepare` in it (the control-state look-up)."""
        if self.db.is_memory:
            return
        if self.db.is_sqlite:
            self._begin(prepare)
        else:
            await anyio.to_thread.run_sync(self._begin, prepare)

    def _begin(self, prepare: Callable[[Connection], object]) -> None:
        self.memo.clear()
        conn = self.db.engine.connect().execution_options(lms_read_only=True)
        # Only SQLite needs the guard: elsewhere a read transaction may simply write.
        conn.info[_READ_UNIT] = self.db.is_sqlite
        self.conn = conn
        try:
            conn.begin()
            prepare(conn)
        except BaseException:
            self.end()
            raise

    async def close(self) -> None:
        """End the read transaction; later joins get transactions of their own."""
        if self.conn is not None and not self.db.is_sqlite:
            await anyio.to_thread.run_sync(self.end)
        self.end()  # ending a SQLite read snapshot takes no lock: no thread needed

    def end(self) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            conn.rollback()  # the snapshot, or a transaction a stopped statement left invalid
        finally:
            # The mark lives on the pooled connection: it must not outlive this unit.
            conn.info.pop(_READ_UNIT, None)
            conn.close()

    @contextmanager
    def join(self) -> Iterator[Session]:
        """A session on the unit's read transaction; nothing it does is committed."""
        assert self.conn is not None
        session = Session(bind=self.conn, expire_on_commit=False,
                          join_transaction_mode="rollback_only")
        try:
            yield session
            session.flush()  # pending ORM writes meet the guard here, inside the block
        finally:
            session.close()


def joinable(db: Database) -> RequestUnit | None:
    """The open request unit on `db`, if there is one to join."""
    unit = _active.get()
    if unit is None or unit.db is not db or unit.conn is None:
        return None
    return unit


def current() -> RequestUnit | None:
    return _active.get()
