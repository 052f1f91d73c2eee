"""The database: engine set-up on SQLite or PostgreSQL, one serialized unit of work per operation,
table discovery.

Both dialects must behave identically for every vendor operation, so the PostgreSQL side is
bent towards SQLite's semantics here, in one place, rather than in vendor code:

- writes are serialized database-wide, as SQLite's single writer does: every write transaction
  first takes one transaction-level advisory lock (released by its COMMIT/ROLLBACK, so a killed
  replica never leaves it held). All replicas then see one order of writes, which is what makes
  fault counters, id counters and read-modify-write vendor operations exact across processes.
  One lock for everything is deliberately simple: the emulator's writes are short, and
  per-tenant locks would not cover the control plane's server-wide operations;
- sessions run in UTC, so naive timestamps (what SQLite hands back) mean the same instant;
- text columns are created `COLLATE "C"` (byte order, ASCII-only case folding: SQLite's BINARY
  collation and `lower()`), and without a length limit (SQLite enforces none, so a long value
  is stored, never a 500);
- PostgreSQL text cannot hold NUL: a NUL character in a value is stored as U+FFFD (the
  replacement character) instead of failing the request with a 500. This is the one visible
  difference from SQLite, which keeps the NUL.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Enum, String, Table, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import NoSuchModuleError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateColumn
from sqlalchemy.sql.compiler import DDLCompiler
from sqlmodel import Session, SQLModel, create_engine

from emulator.core import control_cache
from emulator.core import unit as request_unit

TENANT_COLUMN = "tenant_id"
READ_ONLY = "lms_read_only"
# Advisory lock keys (PostgreSQL): one for writes, one for schema creation and upgrades.
WRITE_LOCK = zlib.crc32(b"lms-emulator:write")
SCHEMA_LOCK = zlib.crc32(b"lms-emulator:schema")
POSTGRES_DRIVER = "postgresql+psycopg"
POOL_SIZE = 16


class DatabaseSetupError(Exception):
    """The database cannot be used as configured; the message is one line for the user."""


def normalize_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3, the driver the postgres extra installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return f"{POSTGRES_DRIVER}://{url[len(prefix):]}"
    return url


@compiles(CreateColumn, "postgresql")
def _sqlite_like_text(element: CreateColumn, compiler: DDLCompiler, **kw: Any) -> str | None:
    """Text columns: no length limit and byte-order collation, as on SQLite (module docstring)."""
    column = element.element
    created: str | None = compiler.visit_create_column(element, **kw)  # type: ignore[no-untyped-call]
    impl = column.type.dialect_impl(compiler.dialect)
    if created is None or not isinstance(impl, String) or isinstance(impl, Enum):
        return created
    name = compiler.preparer.format_column(column)
    spec = f"{name} {compiler.dialect.type_compiler_instance.process(column.type)}"
    if not created.startswith(spec):
        return created
    return f'{name} TEXT COLLATE "C"{created[len(spec):]}'


class Database:
    """Owns the engine. `transaction()` is the only way code touches the data.

    SQLite allows one writer at a time; instead of letting threads race for the file lock and
    surface "database is locked", units of work are serialized inside the process, and each
    begins IMMEDIATE so that separate worker processes on one file queue on the busy timeout
    rather than fail on a lock upgrade. PostgreSQL gets the same shape: the process-wide lock,
    then the database-wide advisory lock (module docstring).
    """

    def __init__(self, url: str, *, busy_timeout_ms: int = 10_000) -> None:
        self.url = normalize_url(url)
        backend = make_url(self.url).get_backend_name()
        self.is_sqlite = backend == "sqlite"
        self.is_postgres = backend == "postgresql"
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
        elif self.is_postgres:
            kwargs["connect_args"] = {"options": "-c timezone=UTC"}
            # A replica outlives database restarts and failovers: test a pooled connection
            # before handing it out.
            kwargs["pool_pre_ping"] = True
            # A fixed set of connections: overflow connections would be opened and closed
            # under load (a server process each); requests beyond it wait for one instead.
            # Budget POOL_SIZE per emulator process in the server's max_connections.
            kwargs["pool_size"] = POOL_SIZE
            kwargs["max_overflow"] = 0
        try:
            self.engine: Engine = create_engine(self.url, **kwargs)
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            hint = " (pip install 'lms-emulator[postgres]')" if self.is_postgres else ""
            raise DatabaseSetupError(f"no database driver for {backend}: {exc}{hint}") from None
        control_cache.watch(self.engine)
        self._lock = threading.Lock()
        self._unwaiting: Connection | None = None
        if self.is_sqlite:
            self._configure_sqlite(busy_timeout_ms)
        elif self.is_postgres:
            self._configure_postgres()

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
        def _on_begin(conn: Connection) -> None:
            # Reads begin DEFERRED: in WAL mode they never wait for, or block, a writer.
            conn.exec_driver_sql("BEGIN" if self._read_only(conn) else "BEGIN IMMEDIATE")

    def _configure_postgres(self) -> None:
        from psycopg.types.string import StrDumperUnknown

        class NulSafeStr(StrDumperUnknown):
            def dump(self, obj: str) -> Any:
                return super().dump(obj.replace("\x00", "\ufffd"))

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.adapters.register_dumper(str, NulSafeStr)

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # READ COMMITTED gives every statement a fresh view, so taking the lock first
            # is enough for the whole unit of work to see every earlier committed write.
            if not self._read_only(conn):
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    @staticmethod
    def _read_only(conn: Connection) -> bool:
        return bool(conn.get_execution_options().get(READ_ONLY, False))

    @contextmanager
    def schema_lock(self) -> Iterator[Connection]:
        """One connection in a transaction that no other process can hold at the same time:
        replicas starting together create or upgrade the schema one after the other."""
        with self._lock, self.engine.begin() as conn:
            if self.is_postgres:  # SQLite: the BEGIN IMMEDIATE of `begin` is the lock
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
            yield conn

    @contextmanager
    def core_transaction(self) -> Iterator[Connection]:
        """A write transaction on a plain connection, committed when the block ends: for the
        per-request bookkeeping (the journal), where an ORM session's own set-up would cost
        more than the statements."""
        with self._lock, self.engine.begin() as conn:
            yield conn

    @contextmanager
    def core_transaction_now(self) -> Iterator[Connection | None]:
        """`core_transaction` if it can begin without waiting, else None: no other thread of
        this process is writing and (SQLite) no other process holds the write lock. Only on
        SQLite, where a short write costs less than handing it to another thread; the caller
        runs on the event loop and must never block it. It has a connection of its own, whose
        busy timeout is zero, so that BEGIN IMMEDIATE fails rather than waits."""
        if not self.is_sqlite or not self._lock.acquire(blocking=False):
            yield None
            return
        try:
            conn = self._unwaiting_connection()
            try:
                transaction = conn.begin()
            except OperationalError:
                yield None
                return
            with transaction:
                yield conn
        finally:
            self._lock.release()

    def _unwaiting_connection(self) -> Connection:
        if self._unwaiting is None:
            conn = self.engine.connect()
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA busy_timeout = 0")
            self._unwaiting = conn
        return self._unwaiting

    def create_all(self, conn: Connection) -> None:
        SQLModel.metadata.create_all(conn)

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
        with self._lock, Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        # The shared in-memory connection needs the process lock; a file or a server does not
        # (each thread reads on its own pooled connection).
        lock = self._lock if self.is_memory else None
        if lock is not None:
            lock.acquire()
        try:
            with self.engine.connect() as conn:
                yield conn.execution_options(**{READ_ONLY: True})
        finally:
            if lock is not None:
                lock.release()

    def exists(self, sql: str) -> bool:
        """Whether a read-only driver-level query returns a row (request-path pre-checks).

        No ORM session: on the request path the session's own set-up costs more than the query.
        """
        with self._reading() as conn:
            found = conn.exec_driver_sql(sql).first() is not None
            conn.rollback()
            return found

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only; nothing it does is committed.

        Cheaper than `transaction()`: no write lock is taken. Joins the request's unit of work.
        """
        unit = request_unit.joinable(self)
        if unit is not None:
            with unit.join() as session:
                yield session
            return
        with self._reading() as conn, Session(bind=conn) as session:
            yield session
            session.rollback()

    def dispose(self) -> None:
        # Closing the last connection checkpoints the WAL into the main file.
        with self._lock:
            if self._unwaiting is not None:
                self._unwaiting.close()
                self._unwaiting = None
        self.engine.dispose()


def tenant_tables() -> list[Table]:
    """Every table keyed by tenant, in dependency order: what reset and snapshots act on."""
    return [t for t in SQLModel.metadata.sorted_tables if TENANT_COLUMN in t.columns]
