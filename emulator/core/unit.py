"""The request's unit of work: one connection and one transaction for all a vendor request does.

A vendor request used to make four or five separate units of work (fault check, authentication,
the clock, the operation, the journal), each with its own connection, transaction and thread hop.
Now the recorder opens one `RequestUnit` per vendor request and keeps it in a context variable;
`Database.transaction()` and `Database.read()` join it while it is active, so the fault check,
vendor authentication, the clock and the operation share it without any vendor code knowing.

Two kinds of unit:

- **read unit** (GET, HEAD, OPTIONS with no armed fault): a deferred SQLite transaction, so in WAL
  mode it neither waits for nor blocks a writer. Each joined block is a plain session on it; a
  block that raises just drops its session (it wrote nothing). Should a joined block try to
  write anyway (a statement other than a read reaches the connection), the statement is stopped
  before it runs (`NeedsWrite`) and the gate runs the request again as a write unit: its body is
  buffered and no response byte has left, so the client cannot tell.
- **write unit** (every other method, or any request while a fault is armed): the process's
  write turn is taken first (an asyncio lock, so waiting requests hold no thread), then
  `BEGIN IMMEDIATE` on SQLite (other worker processes queue on the busy timeout). Each joined
  block runs in a SAVEPOINT, so a block that raises undoes exactly its own work, as its own
  transaction did before. The journal entry is inserted into the same transaction and the
  whole request commits once.

On PostgreSQL a unit is one plain transaction; writes need no escalation there.

**Read-your-writes, across worker processes.** The response is held by the recorder until the
journal entry is committed: a write unit commits its operation and its entry together; a read
unit hands its entry to the process's journal writer (`emulator.core.journal_writer`), which
commits entries of concurrent requests in one transaction and only then releases their
responses. Either way the entry is in the shared database before the client sees a byte, so a
journal read that starts after the response — in any worker — begins a newer snapshot and
finds it. The unit is finished when the response's last body message is produced, before any
background task (webhook deliveries) runs; background work then uses units of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import anyio
from sqlalchemy import Connection, event
from sqlmodel import Session

if TYPE_CHECKING:
    from emulator.core.db import Database

# Methods whose request is served by a read unit unless it turns out to write.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READ_UNIT = "lms_read_unit"
_DML = ("INSERT", "UPDATE", "DELETE", "REPLAC")

_active: ContextVar[RequestUnit | None] = ContextVar("lms_request_unit", default=None)


class NeedsWrite(BaseException):
    """A read unit was about to write: the request runs again as a write unit.

    A BaseException so that no vendor or framework handler of `Exception` turns it into a
    response on the way up to the gate.
    """


class UnitManager:
    """Per database: the write turn of this process and the hook that guards read units."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._turns: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        if not event.contains(db.engine, "before_cursor_execute", _guard_read_unit):
            # First in line: a read unit must stop before any other hook writes on its behalf.
            event.listen(db.engine, "before_cursor_execute", _guard_read_unit, insert=True)

    def write_turn(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        turn = self._turns.get(loop)
        if turn is None:
            turn = self._turns[loop] = asyncio.Lock()
        return turn

    @contextmanager
    def activate(self) -> Iterator[RequestUnit]:
        unit = RequestUnit(self)
        token = _active.set(unit)
        try:
            yield unit
        finally:
            _active.reset(token)
            unit.discard()


def _guard_read_unit(conn: Connection, cursor: Any, statement: str, parameters: Any,
                     context: Any, executemany: bool) -> None:
    if conn.info.get(_READ_UNIT) and statement.lstrip()[:6].upper() in _DML:
        raise NeedsWrite()


class RequestUnit:
    """One vendor request's connection and transaction, opened on first use."""

    def __init__(self, manager: UnitManager) -> None:
        self.manager = manager
        self.db = manager.db
        self.conn: Connection | None = None
        self.write = False
        self.finished = False
        # What `emulator.core.control_cache` read for this transaction (one look per request).
        self.memo: dict[str, Any] = {}
        self._turn: asyncio.Lock | None = None

    # -- life cycle (the recorder and the gate, on the event loop) ---------------------------

    async def open(self, *, write: bool, prepare: Callable[[Connection], object]) -> None:
        """Start the transaction and run `prepare` in it (the control-state look-up).

        A read unit on SQLite starts inline: a deferred BEGIN and a primary-key read take no
        lock a writer holds. Anything that may wait on a lock or a network starts in a worker
        thread.
        """
        if write:
            self._turn = self.manager.write_turn()
            await self._turn.acquire()
        self.write = write
        self.finished = False
        if not write and self.db.is_sqlite:
            self._begin(prepare)
        else:
            await anyio.to_thread.run_sync(self._begin, prepare)

    async def reopen_for_write(self, *, prepare: Callable[[Connection], object]) -> None:
        """Drop the read transaction and start again as a write unit."""
        self.discard()
        await self.open(write=True, prepare=prepare)

    def _begin(self, prepare: Callable[[Connection], object]) -> None:
        self.memo.clear()
        conn = self.db.engine.connect()
        if not self.write:
            conn = conn.execution_options(lms_read_only=True)
            conn.info[_READ_UNIT] = self.db.is_sqlite
        self.conn = conn
        try:
            conn.begin()
            prepare(conn)
        except BaseException:
            self._close()
            raise

    async def finish(self, last: Callable[[Connection], None] | None = None) -> None:
        """End the unit: a write unit runs `last` (the journal insert) and commits; a read
        unit just ends its snapshot. Joins after this get a transaction of their own."""
        if self.finished:
            return
        self.finished = True
        if self.conn is None:
            self._release_turn()
            return
        if self.write:
            try:
                await anyio.to_thread.run_sync(self._commit, last)
            finally:
                self._release_turn()
        elif self.db.is_sqlite:
            self.discard()  # ending a read snapshot takes no lock: no thread needed
        else:
            await anyio.to_thread.run_sync(self.discard)

    def _commit(self, last: Callable[[Connection], None] | None) -> None:
        conn = self.conn
        assert conn is not None
        try:
            if last is not None:
                last(conn)
            conn.commit()
        finally:
            self._close()

    def discard(self) -> None:
        """Roll back whatever is still open (a read snapshot, or a write unit that failed)."""
        self.finished = True
        self._close()
        self._release_turn()

    def _close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.info.pop(_READ_UNIT, None)
            conn.close()  # rolls back an open transaction and returns the connection

    def _release_turn(self) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.release()

    # -- joining (vendor code, in worker threads) ---------------------------------------------

    @property
    def joinable(self) -> bool:
        return self.conn is not None and not self.finished

    @contextmanager
    def join(self) -> Iterator[Session]:
        """A session on the unit's transaction: a SAVEPOINT in a write unit, committed when the
        block ends and rolled back if it raises; a plain session in a read unit."""
        assert self.conn is not None
        session = Session(bind=self.conn, expire_on_commit=False,
                          join_transaction_mode="create_savepoint" if self.write
                          else "rollback_only")
        try:
            yield session
            session.commit()
        except BaseException:
            if self.write:
                session.rollback()
            raise
        finally:
            session.close()


def joinable(db: Database) -> RequestUnit | None:
    """The active request unit on `db`, if there is one to join."""
    unit = _active.get()
    if unit is None or unit.db is not db or not unit.joinable:
        return None
    return unit


def current() -> RequestUnit | None:
    return _active.get()
