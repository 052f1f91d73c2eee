"""The database: engine set-up, one serialized unit of work per operation, table discovery."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Table, event
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

from emulator.core import control_cache
from emulator.core import unit as request_unit

TENANT_COLUMN = "tenant_id"
READ_ONLY = "lms_read_only"


class Database:
    """Owns the engine. `transaction()` is the only way code touches the data.

    SQLite allows one writer at a time; instead of letting threads race for the file lock and
    surface "database is locked", units of work are serialized inside the process, and each
    begins IMMEDIATE so that separate worker processes on one file queue on the busy timeout
    rather than fail on a lock upgrade. Other databases (PostgreSQL) get a plain pool.
    """

    def __init__(self, url: str, *, busy_timeout_ms: int = 10_000) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.is_memory = self.is_sqlite and (url in ("sqlite://", "sqlite:///:memory:"))
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {
                "check_same_thread": False,
                "timeout": busy_timeout_ms / 1000,
            }
            if self.is_memory:
                # One shared connection keeps the in-memory database alive across threads.
                kwargs["poolclass"] = StaticPool
            else:
                # A read holds one connection for the whole request (`core.unit`): as many as
                # there are worker threads stay pooled, and a burst beyond never waits.
                kwargs["pool_size"] = 40
                kwargs["max_overflow"] = -1
        self.engine: Engine = create_engine(url, **kwargs)
        control_cache.watch(self.engine)
        self._lock = threading.Lock() if self.is_sqlite else None
        if self.is_sqlite:
            self._configure_sqlite(busy_timeout_ms)

    def _configure_sqlite(self, busy_timeout_ms: int) -> None:
        is_memory = self.is_memory

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is DEFERRED).
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not is_memory:
                cursor.execute("PRAGMA journal_mode = WAL")
                # NORMAL in WAL mode loses nothing on a process crash (kill -9), only on power loss.
                cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn: Any) -> None:
            # Reads begin DEFERRED: in WAL mode they never wait for, or block, a writer.
            read_only = conn.get_execution_options().get(READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    def create_all(self) -> None:
        SQLModel.metadata.create_all(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed when the block ends, rolled back if it raises.

        Inside a vendor read it joins the request's unit of work (`emulator.core.unit`).
        """
        unit = request_unit.joinable(self)
        if unit is not None:
            with unit.join() as session:
                yield session
            return
        if self._lock is not None:
            self._lock.acquire()
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        finally:
            if self._lock is not None:
                self._lock.release()

    def exists(self, sql: str) -> bool:
        """Whether a read-only driver-level query returns a row (request-path pre-checks).

        No ORM session: on the request path the session's own set-up costs more than the query.
        """
        lock = self._lock if self.is_memory else None
        if lock is not None:
            lock.acquire()
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(**{READ_ONLY: True})
                found = conn.exec_driver_sql(sql).first() is not None
                conn.rollback()
                return found
        finally:
            if lock is not None:
                lock.release()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only; nothing it does is committed.

        Cheaper than `transaction()`: no write lock is taken, and with a database file the
        process-wide lock is skipped too (each thread reads on its own pooled connection).
        The shared in-memory connection still needs the lock. Joins the request's unit of work.
        """
        unit = request_unit.joinable(self)
        if unit is not None:
            with unit.join() as session:
                yield session
            return
        lock = self._lock if self.is_memory else None
        if lock is not None:
            lock.acquire()
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(**{READ_ONLY: True})
                with Session(bind=conn) as session:
                    yield session
                    session.rollback()
        finally:
            if lock is not None:
                lock.release()

    def dispose(self) -> None:
        # Closing the last connection checkpoints the WAL into the main file.
        self.engine.dispose()


def tenant_tables() -> list[Table]:
    """Every table keyed by tenant, in dependency order: what reset and snapshots act on."""
    return [t for t in SQLModel.metadata.sorted_tables if TENANT_COLUMN in t.columns]
