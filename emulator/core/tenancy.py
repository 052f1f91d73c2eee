"""Tenants, snapshots and reset, done generically over every tenant-keyed table.

The core does not know vendor tables: it finds them through the `tenant_id` column
(`db.tenant_tables()`), so a vendor adding a table gets reset, snapshots and tenant deletion
for free.
"""

from __future__ import annotations

import pickle
from typing import Any

from sqlalchemy import JSON, Table, delete
from sqlmodel import Session, col

from emulator.core.clock import utcnow
from emulator.core.db import tenant_tables
from emulator.core.errors import EmulatorError
from emulator.core.fixtures import FixtureError, validate_pack
from emulator.core.models import ClockState, Counter, Snapshot, Tenant
from emulator.core.secrets import conceal, withheld
from emulator.core.vendor import Context

FIXTURES_SNAPSHOT = "__fixtures__"
# Bumped whenever the pickled layout of snapshots changes; a database with another format is
# re-seeded at start.
SNAPSHOT_FORMAT = 3
_TENANT_TABLE: Table = Tenant.__table__  # type: ignore[attr-defined]


class TenantNotFound(EmulatorError):
    status = 404
    default_message = "Unknown tenant"


class SnapshotNotFound(EmulatorError):
    status = 404
    default_message = "Unknown snapshot"


def create_tenant(ctx: Context, session: Session, vendor_name: str,
                  fixture: str | dict[str, Any] | None, *,
                  builtin: bool = False) -> tuple[Tenant, dict[str, Any]]:
    """The new tenant, and its credentials in plain: the only time they are handed out (the
    tenant record keeps them in stored form, `secrets.conceal`)."""
    assert ctx.fixtures is not None
    vendor = ctx.vendors[vendor_name]
    fixture_name, pack = ctx.fixtures.resolve(vendor_name, fixture)
    tenant_id = vendor.tenant_id_for(pack, fresh=not builtin)
    if session.get(Tenant, tenant_id) is not None:
        raise EmulatorError(f"Tenant {tenant_id!r} already exists", status=409)
    tenant = Tenant(id=tenant_id, vendor=vendor_name, fixture=fixture_name, builtin=builtin,
                    label=f"{vendor.title} {fixture_name}", created_at=utcnow())
    session.add(tenant)
    session.flush()
    credentials = None if builtin else vendor.fresh_credentials(tenant_id)
    issued = vendor.seed(session, tenant_id, pack, ctx.now(session), credentials)
    tenant.credentials = conceal(issued)
    session.add(tenant)
    return tenant, issued


def shown_credentials(ctx: Context, tenant: Tenant) -> dict[str, Any]:
    """A tenant's credentials as listed: the demo tenants' documented fixture values, and for
    per-test tenants everything but the secrets (handed out once, at creation)."""
    shown: dict[str, Any] = withheld(tenant.credentials)
    if tenant.builtin:
        # The documented values come from the pack, never the database; what the pack cannot
        # say (ids allocated at seeding) comes from the record.
        assert ctx.fixtures is not None
        _, pack = ctx.fixtures.resolve(tenant.vendor, tenant.fixture or None)
        shown.update(ctx.vendors[tenant.vendor].fixture_credentials(tenant.id, pack))
    return shown


def get_tenant(session: Session, tenant_id: str) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise TenantNotFound(f"Unknown tenant {tenant_id!r}")
    return tenant


def export_tenant(ctx: Context, session: Session, tenant_id: str) -> dict[str, Any]:
    """The tenant's state as a fixture pack, checked by the loader's own model first: a pack
    the loader would refuse is an emulator bug, reported here rather than at the next load."""
    tenant = get_tenant(session, tenant_id)
    vendor = ctx.vendors[tenant.vendor]
    try:
        pack = validate_pack(vendor, vendor.export(session, tenant_id), f"export of {tenant_id}")
    except FixtureError as exc:
        raise EmulatorError(str(exc), status=500) from None
    return pack.model_dump(mode="json", by_alias=True, exclude_unset=True)


class _Raw:
    """Driver-level SQL for bulk copies of whole tables.

    Reset, restore and snapshots move every tenant row at once; going through the DBAPI
    directly (values stored exactly as the database holds them, executemany for inserts) keeps
    them well under the time a test can notice. The paramstyle comes from the dialect, so the
    same code serves SQLite and PostgreSQL; PostgreSQL's driver decodes JSON columns, so they
    are read as their text (which goes back in as it came out), like SQLite returns them.
    """

    def __init__(self, session: Session) -> None:
        self.conn = session.connection()
        dialect = self.conn.dialect
        self.quote = dialect.identifier_preparer.quote
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.json_as_text = dialect.name == "postgresql"

    def _where(self, column: str, keys: list[str] | None) -> tuple[str, tuple[str, ...]]:
        if keys is None:
            return "", ()
        return f" WHERE {self.quote(column)} IN ({', '.join([self.mark] * len(keys))})", \
            tuple(keys)

    def delete(self, table: Table, column: str, keys: list[str] | None) -> None:
        where, params = self._where(column, keys)
        self.conn.exec_driver_sql(f"DELETE FROM {self.quote(table.name)}{where}", params)

    def select(self, table: Table, column: str,
               keys: list[str] | None) -> tuple[list[str], list[tuple[Any, ...]]]:
        columns = [c.name for c in table.columns]
        where, params = self._where(column, keys)
        values = [f"CAST({self.quote(c.name)} AS TEXT)"
                  if self.json_as_text and isinstance(c.type, JSON) else self.quote(c.name)
                  for c in table.columns]
        sql = f"SELECT {', '.join(values)} FROM {self.quote(table.name)}{where}"
        return columns, [tuple(row) for row in self.conn.exec_driver_sql(sql, params)]

    def insert(self, table: Table, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        if rows:
            sql = (f"INSERT INTO {self.quote(table.name)} ({', '.join(map(self.quote, columns))}) "
                   f"VALUES ({', '.join([self.mark] * len(columns))})")
            self.conn.exec_driver_sql(sql, rows)


def _key(table: Table) -> str:
    return "id" if table is _TENANT_TABLE else "tenant_id"


def _delete_rows(session: Session, tenant_ids: list[str] | None) -> None:
    raw = _Raw(session)
    for table in reversed(tenant_tables()):
        raw.delete(table, "tenant_id", tenant_ids)


def delete_tenant(session: Session, tenant_id: str) -> None:
    get_tenant(session, tenant_id)
    _delete_rows(session, [tenant_id])
    session.execute(delete(ClockState).where(col(ClockState.scope) == tenant_id))
    session.execute(delete(Tenant).where(col(Tenant.id) == tenant_id))


def reset_tenant(ctx: Context, session: Session, tenant_id: str) -> None:
    """Back to its fixture: built-in tenants from the start-up snapshot, others re-seeded."""
    tenant = get_tenant(session, tenant_id)
    if tenant.builtin and session.get(Snapshot, FIXTURES_SNAPSHOT) is not None:
        restore_snapshot(session, FIXTURES_SNAPSHOT, only_tenant=tenant_id)
        return
    assert ctx.fixtures is not None
    _, pack = ctx.fixtures.resolve(tenant.vendor, tenant.fixture or None)
    _delete_rows(session, [tenant_id])
    vendor = ctx.vendors[tenant.vendor]
    # The kept credentials are in stored form; seeding takes them as they are.
    vendor.seed(session, tenant_id, pack, ctx.now(session, tenant_id),
                None if tenant.builtin else dict(tenant.credentials))


Dump = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


def _dump(session: Session, tenant_ids: list[str] | None) -> Dump:
    raw = _Raw(session)
    return {table.name: raw.select(table, _key(table), tenant_ids)
            for table in [_TENANT_TABLE, *tenant_tables()]}


def take_snapshot(session: Session, name: str, tenant_id: str | None = None) -> Snapshot:
    if tenant_id is not None:
        get_tenant(session, tenant_id)
    data = _dump(session, None if tenant_id is None else [tenant_id])
    snapshot = session.get(Snapshot, name) or Snapshot(name=name, created_at=utcnow(), data=b"")
    snapshot.tenant = tenant_id
    snapshot.created_at = utcnow()
    snapshot.rows = sum(len(rows) for _, rows in data.values())
    snapshot.data = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    session.add(snapshot)
    return snapshot


def restore_snapshot(session: Session, name: str, *, only_tenant: str | None = None) -> Snapshot:
    """Put the snapshot's rows back; tenants created since a whole-server snapshot go away."""
    snapshot = session.get(Snapshot, name)
    if snapshot is None:
        raise SnapshotNotFound(f"Unknown snapshot {name!r}")
    # Pickle is safe here: the bytes were written by take_snapshot into our own database.
    data: Dump = pickle.loads(snapshot.data)
    scope: list[str] | None
    if only_tenant is not None:
        scope = [only_tenant]
    elif snapshot.tenant is not None:
        scope = [snapshot.tenant]
    else:
        scope = None
    raw = _Raw(session)
    for table in reversed([_TENANT_TABLE, *tenant_tables()]):
        raw.delete(table, _key(table), scope)
    for table in [_TENANT_TABLE, *tenant_tables()]:
        if table.name not in data:  # a table added since the snapshot was taken
            continue
        columns, rows = data[table.name]
        if scope is not None:
            at = columns.index(_key(table))
            rows = [r for r in rows if r[at] in scope]
        raw.insert(table, columns, rows)
    session.expire_all()  # rows changed under the ORM's feet
    return snapshot


def reset_all(ctx: Context, session: Session) -> None:
    """Everything back to the fixtures loaded at start; per-test tenants are removed."""
    if session.get(Snapshot, FIXTURES_SNAPSHOT) is None:
        load_builtin_tenants(ctx, session)
        return
    restore_snapshot(session, FIXTURES_SNAPSHOT)
    session.execute(delete(ClockState))


def load_builtin_tenants(ctx: Context, session: Session) -> None:
    """Create the demo tenants from every fixture pack and remember them for reset."""
    assert ctx.fixtures is not None
    _delete_rows(session, None)
    session.execute(delete(_TENANT_TABLE))
    # No row is left, so integer sequences start over: the demo ids are the same on every
    # fresh seed (the docs quote them).
    session.execute(delete(Counter))
    for vendor_name, packs in ctx.fixtures.packs.items():
        for pack_name in packs:
            create_tenant(ctx, session, vendor_name, pack_name, builtin=True)
    session.flush()
    take_snapshot(session, FIXTURES_SNAPSHOT)
