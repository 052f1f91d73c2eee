"""Tenants, snapshots and reset, done generically over every tenant-keyed table.

The core does not know vendor tables: it finds them through the `tenant_id` column
(`db.tenant_tables()`), so a vendor adding a table gets reset, snapshots and tenant deletion
for free.
"""

from __future__ import annotations

import pickle
from typing import Any

from sqlalchemy import Table, delete, insert, select
from sqlmodel import Session, col

from emulator.core.clock import utcnow
from emulator.core.db import tenant_tables
from emulator.core.errors import EmulatorError
from emulator.core.models import ClockState, Snapshot, Tenant
from emulator.core.vendor import Context

FIXTURES_SNAPSHOT = "__fixtures__"
_TENANT_TABLE: Table = Tenant.__table__  # type: ignore[attr-defined]


class TenantNotFound(EmulatorError):
    status = 404
    default_message = "Unknown tenant"


class SnapshotNotFound(EmulatorError):
    status = 404
    default_message = "Unknown snapshot"


def create_tenant(ctx: Context, session: Session, vendor_name: str,
                  fixture: str | dict[str, Any] | None, *, builtin: bool = False) -> Tenant:
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
    tenant.credentials = vendor.seed(session, tenant_id, pack, ctx.now(session), credentials)
    session.add(tenant)
    return tenant


def get_tenant(session: Session, tenant_id: str) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise TenantNotFound(f"Unknown tenant {tenant_id!r}")
    return tenant


def _delete_rows(session: Session, tenant_ids: list[str] | None) -> None:
    for table in reversed(tenant_tables()):
        stmt = delete(table)
        if tenant_ids is not None:
            stmt = stmt.where(table.c.tenant_id.in_(tenant_ids))
        session.execute(stmt)


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
    vendor.seed(session, tenant_id, pack, ctx.now(session, tenant_id),
                None if tenant.builtin else dict(tenant.credentials))


def _dump(session: Session, tenant_ids: list[str] | None) -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = {}
    for table in [_TENANT_TABLE, *tenant_tables()]:
        key = table.c.id if table is _TENANT_TABLE else table.c.tenant_id
        stmt = select(table)
        if tenant_ids is not None:
            stmt = stmt.where(key.in_(tenant_ids))
        data[table.name] = [dict(row) for row in session.execute(stmt).mappings()]
    return data


def take_snapshot(session: Session, name: str, tenant_id: str | None = None) -> Snapshot:
    if tenant_id is not None:
        get_tenant(session, tenant_id)
    data = _dump(session, None if tenant_id is None else [tenant_id])
    snapshot = session.get(Snapshot, name) or Snapshot(name=name, created_at=utcnow(), data=b"")
    snapshot.tenant = tenant_id
    snapshot.created_at = utcnow()
    snapshot.rows = sum(len(rows) for rows in data.values())
    snapshot.data = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    session.add(snapshot)
    return snapshot


def restore_snapshot(session: Session, name: str, *, only_tenant: str | None = None) -> Snapshot:
    """Put the snapshot's rows back; tenants created since a whole-server snapshot go away."""
    snapshot = session.get(Snapshot, name)
    if snapshot is None:
        raise SnapshotNotFound(f"Unknown snapshot {name!r}")
    # Pickle is safe here: the bytes were written by take_snapshot into our own database.
    data: dict[str, list[dict[str, Any]]] = pickle.loads(snapshot.data)
    scope: list[str] | None
    if only_tenant is not None:
        scope = [only_tenant]
    elif snapshot.tenant is not None:
        scope = [snapshot.tenant]
    else:
        scope = None
    _delete_rows(session, scope)
    if scope is None:
        session.execute(delete(_TENANT_TABLE))
        tenant_rows = data.get(_TENANT_TABLE.name, [])
    else:
        tenant_rows = [r for r in data.get(_TENANT_TABLE.name, []) if r["id"] in scope]
        session.execute(delete(_TENANT_TABLE).where(_TENANT_TABLE.c.id.in_(scope)))
    if tenant_rows:
        session.execute(insert(_TENANT_TABLE), tenant_rows)
    for table in tenant_tables():
        rows = data.get(table.name, [])
        if scope is not None:
            rows = [r for r in rows if r["tenant_id"] in scope]
        if rows:
            session.execute(insert(table), rows)
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
    for vendor_name, packs in ctx.fixtures.packs.items():
        for pack_name in packs:
            create_tenant(ctx, session, vendor_name, pack_name, builtin=True)
    session.flush()
    take_snapshot(session, FIXTURES_SNAPSHOT)
