"""The request journal: every vendor request and its response, bounded, queryable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert
from sqlmodel import Session, col, select

from emulator.core.clock import iso
from emulator.core.models import JournalEntry


class JournalFilter:
    """Filters of `GET /_emulator/journal`; every given field must match."""

    def __init__(self, *, vendor: str | None = None, tenant: str | None = None,
                 method: str | None = None, path: str | None = None,
                 status: int | None = None, operation: str | None = None,
                 since: datetime | None = None, limit: int = 1000) -> None:
        self.vendor = vendor
        self.tenant = tenant
        self.method = method.upper() if method else None
        self.path = path
        self.status = status
        self.operation = operation
        self.since = since
        self.limit = limit


_TABLE = JournalEntry.__table__  # type: ignore[attr-defined]
# Built once: constructing a statement costs more than running it from the compiled cache.
_APPEND = insert(_TABLE)
_TRIM = delete(_TABLE).where(
    _TABLE.c.id <= select(func.max(_TABLE.c.id)).scalar_subquery() - bindparam("keep"))


def record_many(conn: Connection, entries: list[dict[str, Any]], keep: int) -> None:
    """Append entries (the columns of `JournalEntry`) and drop what falls beyond the newest
    `keep`. It runs for every request: Core statements, no ORM."""
    conn.execute(_APPEND, entries)
    conn.execute(_TRIM, {"keep": keep})


def query(session: Session, flt: JournalFilter) -> list[JournalEntry]:
    stmt = select(JournalEntry)
    if flt.vendor:
        stmt = stmt.where(JournalEntry.vendor == flt.vendor)
    if flt.tenant:
        stmt = stmt.where(JournalEntry.tenant == flt.tenant)
    if flt.method:
        stmt = stmt.where(JournalEntry.method == flt.method)
    if flt.path:
        # A path filter is a substring, or a prefix pattern ending in '*'; ASCII case is
        # ignored on every database (SQLite's LIKE does so, PostgreSQL's does not).
        pattern = flt.path[:-1] + "%" if flt.path.endswith("*") else f"%{flt.path}%"
        stmt = stmt.where(col(JournalEntry.path).ilike(pattern))
    if flt.status is not None:
        stmt = stmt.where(JournalEntry.status == flt.status)
    if flt.operation:
        stmt = stmt.where(JournalEntry.operation == flt.operation)
    if flt.since is not None:
        stmt = stmt.where(col(JournalEntry.at) >= flt.since)
    # The most recent `limit` entries, returned oldest first.
    rows = session.exec(stmt.order_by(col(JournalEntry.id).desc()).limit(flt.limit)).all()
    return list(reversed(rows))


def count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(JournalEntry)).one())


def clear(session: Session) -> int:
    result = session.execute(delete(JournalEntry))
    return int(getattr(result, "rowcount", 0) or 0)


def to_json(entry: JournalEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": iso(entry.at, millis=True),
        "vendor": entry.vendor,
        "tenant": entry.tenant,
        "operation": entry.operation,
        "method": entry.method,
        "path": entry.path,
        "query": entry.query,
        "status": entry.status,
        "durationMs": round(entry.duration_ms, 3),
        "request": {"headers": entry.request_headers, "body": entry.request_body},
        "response": {"headers": entry.response_headers, "body": entry.response_body},
        "fault": entry.fault,
    }
