"""Schema creation and upgrades: a stored schema version, created once, migrated in place.

Replicas that start together all call `prepare()`; it runs under the database's schema lock
(`Database.schema_lock`), so exactly one of them creates or upgrades the schema and the others
find it ready. The version lives in `core_meta` under `schema_version`.

- A fresh database gets every table from the models and the current version.
- A database of an older version is upgraded in place: the pending `MIGRATIONS` run in order,
  in the same transaction (DDL is transactional on SQLite and PostgreSQL, so an upgrade that
  fails leaves the database as it was), then tables new to this release are created.
- A database written by a newer release is refused (`SchemaTooNew`, one line naming both
  versions): an older emulator would misread its tables.

Why an ordered list of functions rather than Alembic: the models already create the schema
(`SQLModel.metadata.create_all`), so only changes to existing tables need code, and those are
few and additive (a column, an index). A migration is a plain function of one connection that
runs on both dialects; this keeps the whole mechanism in this module, adds no dependency, no
environment script or revision directory, and needs none of Alembic's batch mode for SQLite.
Adding a change: bump `VERSION`, append `Migration(VERSION, "what", function)`.
Databases from before versioning (no `schema_version` row, tables present) are version 1: that
release's schema is this one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, inspect, text

from emulator.core.db import Database, DatabaseSetupError

VERSION = 3
KEY = "schema_version"
_META = "core_meta"
log = logging.getLogger("emulator")


@dataclass(frozen=True)
class Migration:
    version: int  # the schema version this step produces
    description: str
    apply: Callable[[Connection], None]


def _tenant_control_tokens(conn: Connection) -> None:
    """Version 2: tenants carry the SHA-256 of their control token (nullable: older tenants
    have none until they are created again)."""
    if "control_token_hash" not in {c["name"] for c in inspect(conn).get_columns("core_tenant")}:
        conn.execute(text("ALTER TABLE core_tenant ADD COLUMN control_token_hash VARCHAR(64)"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_core_tenant_control_token_hash "
                      "ON core_tenant (control_token_hash)"))


def _secrets_at_rest(conn: Connection) -> None:
    """Version 3 keeps tokens as digests and passwords as salted hashes (`core.secrets`).

    The tables whose token column changed are rebuilt by `create_all`; every snapshot goes,
    as its rows hold plain secrets. With no fixtures snapshot left, the next start re-seeds
    the whole database from the fixture packs (`app.build_context`), so no plain secret and no
    row of the older layout survives; per-test tenants do not carry over.
    """
    for table in ("ispring_token", "dmtd_organization", "dmtd_user"):
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
    if inspect(conn).has_table("core_snapshot"):
        conn.execute(text("DELETE FROM core_snapshot"))


# Ordered; each step upgrades from `version - 1` to `version`.
MIGRATIONS: list[Migration] = [
    Migration(2, "tenant control tokens", _tenant_control_tokens),
    Migration(3, "tokens, passwords and client secrets are kept hashed", _secrets_at_rest),
]


class SchemaTooNew(DatabaseSetupError):
    pass


def stored_version(conn: Connection) -> int | None:
    """The database's schema version; None when it holds no emulator tables yet."""
    if not inspect(conn).has_table(_META):
        return None
    row = conn.execute(text(f"SELECT value FROM {_META} WHERE key = :key"), {"key": KEY}).first()
    return 1 if row is None else int(row[0])


def _stamp(conn: Connection, version: int) -> None:
    conn.execute(text(f"DELETE FROM {_META} WHERE key = :key"), {"key": KEY})
    conn.execute(text(f"INSERT INTO {_META} (key, value) VALUES (:key, :value)"),
                 {"key": KEY, "value": str(version)})


def prepare(db: Database, *, version: int | None = None,
            migrations: Sequence[Migration] | None = None) -> int:
    """Create or upgrade the schema to `version` (default: this release's); returns the version
    the database had before (0 when it was empty)."""
    target = VERSION if version is None else version
    steps = MIGRATIONS if migrations is None else migrations
    with db.schema_lock() as conn:
        found = stored_version(conn)
        if found is not None and found > target:
            raise SchemaTooNew(f"database schema version {found} is newer than this release's "
                               f"version {target}; use a newer lms-emulator or a fresh database")
        if found is not None:
            for step in steps:
                if found < step.version <= target:
                    step.apply(conn)
        db.create_all(conn)
        if found != target:
            _stamp(conn, target)
    if found is None:
        log.info("created the database schema (version %d)", target)
    elif found != target:
        log.info("upgraded the database schema from version %d to %d", found, target)
    return found or 0
