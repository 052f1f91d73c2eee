"""The database: engine set-up, one serialized unit of work per operation, table discovery."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Table, event
from sqlmodel import Session, SQLModel, create_engine

from emulator.core import control_cache, scratch
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
        engine_url = url
        if self.is_sqlite:
            kwargs["connect_args"] = {
                "check_same_thread": False,
                "timeout": busy_timeout_ms / 1000,
            }
            # Each request holds one connection for its whole unit of work (`core.unit`):
            # checking one out must never wait.
            kwargs["pool_size"] = 16
            kwargs["max_overflow"] = -1
            if self.is_memory:
                path = scratch.create()
                engine_url = f"sqlite:///{path}"
                weakref.finalize(self, scratch.remove, path)
        self.engine: Engine = create_engine(engine_url, **kwargs)
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
            cursor.execute("PRAGMA journal_mode = WAL")
            # NORMAL in WAL mode loses nothing on a process crash (kill -9), only on power loss;
            # an in-memory database has nothing to keep.
            cursor.execute(f"PRAGMA synchronous = {'OFF' if is_memory else 'NORMAL'}")
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

        Inside a vendor request it joins the request's unit of work (`emulator.core.unit`).
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
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{READ_ONLY: True})
            found = conn.exec_driver_sql(sql).first() is not None
            conn.rollback()
            return found

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only; nothing it does is committed.

        Cheaper than `transaction()`: no write lock is taken, and no process-wide lock either
        (each thread reads on its own pooled connection). Joins the request's unit of work.
        """
        unit = request_unit.joinable(self)
        if unit is not None:
            with unit.join() as session:
                yield session
            return
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{READ_ONLY: True})
            with Session(bind=conn) as session:
                yield session
                session.rollback()

    def dispose(self) -> None:
        # Closing the last connection checkpoints the WAL into the main file.
        self.engine.dispose()


def tenant_tables() -> list[Table]:
    """Every table keyed by tenant, in dependency order: what reset and snapshots act on."""
    return [t for t in SQLModel.metadata.sorted_tables if TENANT_COLUMN in t.columns]
