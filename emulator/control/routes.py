"""Control-plane routes (JSON). Each operation is one short unit of work on the database."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from emulator import __version__
from emulator.control.access import authorize_tenant, caller_tenant, new_tenant_token

# `coverage` and `coverage_markdown` are re-exported: tools and tests import them from here.
from emulator.control.coverage import coverage as coverage
from emulator.control.coverage import coverage_markdown as coverage_markdown
from emulator.control.coverage import exercised
from emulator.control.ui import install_ui
from emulator.core import faults, journal, tenancy
from emulator.core.clock import iso
from emulator.core.db import TENANT_COLUMN, tenant_tables
from emulator.core.errors import EmulatorError, install_error_handlers, validation_message
from emulator.core.fixtures import FixtureError
from emulator.core.matching import JournalMatch, match
from emulator.core.models import Fault, Snapshot, Tenant
from emulator.core.vendor import Context


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class TenantCreate(_Body):
    vendor: str
    fixture: str | dict[str, Any] | None = None


class ResetRequest(_Body):
    tenant: str | None = None


class SnapshotRequest(_Body):
    tenant: str | None = None


class ClockChange(_Body):
    tenant: str | None = None
    set: datetime | None = None
    # Seconds, or an ISO 8601 duration such as "P30D" or "PT1H".
    advance: timedelta | None = None
    freeze: bool | None = None
    # True: back to real time (global) or drop the tenant's override.
    real: bool = False


def render_control_error(request: Request, error: EmulatorError) -> Response:
    return JSONResponse({"error": {"status": error.status, "message": error.message}},
                        status_code=error.status, headers=error.headers)


def tenant_json(request: Request, ctx: Context, tenant: Tenant,
                credentials: dict[str, Any] | None = None) -> dict[str, Any]:
    """A tenant as the control plane shows it; `credentials` in plain only when just issued."""
    base = str(request.base_url).rstrip("/").removesuffix("/_emulator")
    return {
        "id": tenant.id,
        "vendor": tenant.vendor,
        "label": tenant.label,
        "fixture": tenant.fixture,
        "builtin": tenant.builtin,
        "createdAt": iso(tenant.created_at, millis=True),
        "baseUrl": f"{base}/{tenant.vendor}",
        "credentials": credentials if credentials is not None
        else tenancy.shown_credentials(ctx, tenant),
    }


def build_control_app(ctx: Context, vendor_apps: dict[str, FastAPI]) -> FastAPI:
    app = FastAPI(title="LMS emulator control plane", version=__version__,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None)
    install_error_handlers(app, render_control_error,
                           on_validation=lambda exc: EmulatorError(validation_message(exc)))
    router = APIRouter()
    db = ctx.db

    @router.get("/health")
    def health() -> dict[str, Any]:
        with db.transaction() as session:
            session.exec(select(Tenant.id).limit(1)).all()
        return {
            "status": "ok",
            "version": __version__,
            "database": "memory" if db.is_memory else db.engine.url.get_backend_name(),
            "vendors": [{"name": v.name, "title": v.title, "basePath": f"/{v.name}"}
                        for v in ctx.vendors.values()],
        }

    @router.post("/reset")
    def reset(request: Request, body: Annotated[ResetRequest | None, Body()] = None,
              tenant: str | None = None) -> dict[str, Any]:
        target = (body.tenant if body else None) or tenant
        authorize_tenant(request, target)
        with db.transaction() as session:
            if target:
                tenancy.reset_tenant(ctx, session, target)
            else:
                tenancy.reset_all(ctx, session)
        return {"reset": target or "all"}

    @router.get("/tenants")
    def list_tenants(request: Request, vendor: str | None = None,
                     rows: bool = False) -> list[dict[str, Any]]:
        """Every tenant; `rows=true` adds its row count per vendor table."""
        with db.transaction() as session:
            stmt = select(Tenant).order_by(col(Tenant.created_at), col(Tenant.id))
            if vendor:
                stmt = stmt.where(Tenant.vendor == vendor)
            tenants = [tenant_json(request, ctx, t) for t in session.exec(stmt)]
            if rows:
                counts = _row_counts(session)
                for tenant in tenants:
                    tenant["rows"] = counts.get(tenant["id"], {})
            return tenants

    @router.post("/tenants", status_code=201)
    def create_tenant(request: Request, body: TenantCreate) -> dict[str, Any]:
        if body.vendor not in ctx.vendors:
            raise EmulatorError(f"Unknown vendor {body.vendor!r}; one of {sorted(ctx.vendors)}",
                                status=422)
        try:
            with db.transaction() as session:
                tenant, issued = tenancy.create_tenant(ctx, session, body.vendor, body.fixture)
                token, tenant.control_token_hash = new_tenant_token()
                session.add(tenant)
                # The only time the token is shown: the database keeps its digest alone.
                return {**tenant_json(request, ctx, tenant, issued), "controlToken": token}
        except FixtureError as exc:
            raise EmulatorError(str(exc), status=422) from None

    @router.get("/tenants/{tenant_id}")
    def get_tenant(request: Request, tenant_id: str) -> dict[str, Any]:
        authorize_tenant(request, tenant_id)
        with db.transaction() as session:
            return tenant_json(request, ctx, tenancy.get_tenant(session, tenant_id))

    @router.get("/tenants/{tenant_id}/export")
    def export_tenant(tenant_id: str) -> dict[str, Any]:
        """The tenant's current state as a fixture pack (`POST /tenants {"fixture": pack}`)."""
        with db.transaction() as session:
            return tenancy.export_tenant(ctx, session, tenant_id)

    @router.delete("/tenants/{tenant_id}", status_code=204)
    def delete_tenant(tenant_id: str) -> Response:
        with db.transaction() as session:
            tenancy.delete_tenant(session, tenant_id)
        return Response(status_code=204)

    @router.post("/tenants/{tenant_id}/reset")
    def reset_tenant(request: Request, tenant_id: str) -> dict[str, Any]:
        authorize_tenant(request, tenant_id)
        with db.transaction() as session:
            tenancy.reset_tenant(ctx, session, tenant_id)
        return {"reset": tenant_id}

    @router.get("/journal")
    def get_journal(
        request: Request, vendor: str | None = None, tenant: str | None = None,
        method: str | None = None, path: str | None = None, status: int | None = None,
        operation: str | None = None,
        since: datetime | None = None, limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
    ) -> dict[str, Any]:
        authorize_tenant(request, tenant)
        flt = journal.JournalFilter(vendor=vendor, tenant=tenant, method=method, path=path,
                                    status=status, operation=operation, since=since, limit=limit)
        with db.transaction() as session:
            entries = journal.query(session, flt)
            total = journal.count(session)
        return {"entries": [journal.to_json(e) for e in entries], "total": total,
                "max": ctx.settings.journal_max}

    @router.post("/journal/match")
    def match_journal(request: Request, want: JournalMatch) -> dict[str, Any]:
        """Count the entries matching vendor-level conditions; near misses when none does."""
        authorize_tenant(request, want.tenant)
        scope = journal.JournalFilter(vendor=want.vendor, tenant=want.tenant,
                                      limit=ctx.settings.journal_max or 1)
        with db.transaction() as session:
            entries = journal.query(session, scope)
        return match(entries, want)

    @router.delete("/journal")
    def clear_journal() -> dict[str, Any]:
        with db.transaction() as session:
            return {"deleted": journal.clear(session)}

    @router.get("/clock")
    def get_clock(request: Request, tenant: str | None = None) -> dict[str, Any]:
        authorize_tenant(request, tenant)
        with db.transaction() as session:
            if tenant:
                tenancy.get_tenant(session, tenant)
            return ctx.clock.describe(session, tenant)

    @router.post("/clock")
    def change_clock(request: Request, body: ClockChange) -> dict[str, Any]:
        authorize_tenant(request, body.tenant)
        with db.transaction() as session:
            if body.tenant:
                tenancy.get_tenant(session, body.tenant)
            if body.real:
                ctx.clock.restore(session, body.tenant)
            else:
                ctx.clock.change(session, tenant=body.tenant, set_to=body.set,
                                 advance=body.advance, freeze=body.freeze)
            session.flush()
            return ctx.clock.describe(session, body.tenant)

    @router.get("/coverage")
    def get_coverage(vendor: str | None = None, tenant: str | None = None,
                     since: datetime | None = None) -> dict[str, Any]:
        """Per vendor operation: called or not, statuses seen, documented errors never seen."""
        with db.transaction() as session:
            if tenant:
                vendor = tenancy.get_tenant(session, tenant).vendor
            return exercised(ctx, vendor_apps, session, vendor=vendor, tenant=tenant,
                             since=since)

    @router.get("/snapshots")
    def list_snapshots(request: Request) -> list[dict[str, Any]]:
        own = caller_tenant(request)
        with db.transaction() as session:
            rows = session.exec(select(Snapshot).order_by(col(Snapshot.created_at))).all()
            return [{"name": s.name, "tenant": s.tenant, "rows": s.rows,
                     "createdAt": iso(s.created_at, millis=True)}
                    for s in rows if not s.name.startswith("__")
                    and (own is None or s.tenant == own)]

    @router.post("/snapshots/{name}", status_code=201)
    def take_snapshot(request: Request, name: Annotated[str, Path(pattern=r"^[\w.-]{1,200}$")],
                      body: Annotated[SnapshotRequest | None, Body()] = None,
                      tenant: str | None = None) -> dict[str, Any]:
        _check_name(name)
        target = (body.tenant if body else None) or tenant
        authorize_tenant(request, target)
        with db.transaction() as session:
            existing = session.get(Snapshot, name)
            if existing is not None:
                authorize_tenant(request, existing.tenant)  # no overwriting another's snapshot
            snap = tenancy.take_snapshot(session, name, target)
            return {"name": snap.name, "tenant": snap.tenant, "rows": snap.rows,
                    "createdAt": iso(snap.created_at, millis=True)}

    @router.post("/snapshots/{name}/restore")
    def restore_snapshot(request: Request, name: str) -> dict[str, Any]:
        _check_name(name)
        with db.transaction() as session:
            _snapshot(request, session, name)
            snap = tenancy.restore_snapshot(session, name)
            return {"restored": snap.name, "tenant": snap.tenant, "rows": snap.rows}

    @router.delete("/snapshots/{name}", status_code=204)
    def delete_snapshot(request: Request, name: str) -> Response:
        _check_name(name)
        with db.transaction() as session:
            session.delete(_snapshot(request, session, name))
        return Response(status_code=204)

    @router.post("/faults", status_code=201)
    def add_fault(request: Request, spec: faults.FaultSpec) -> dict[str, Any]:
        authorize_tenant(request, spec.tenant)
        if spec.vendor is not None and spec.vendor not in ctx.vendors:
            raise EmulatorError(f"Unknown vendor {spec.vendor!r}", status=422)
        with db.transaction() as session:
            return faults.to_json(faults.add(session, spec))

    @router.get("/faults")
    def list_faults(request: Request) -> list[dict[str, Any]]:
        own = caller_tenant(request)
        with db.transaction() as session:
            return [faults.to_json(f) for f in session.exec(select(Fault).order_by(col(Fault.id)))
                    if own is None or f.spec.get("tenant") == own]

    @router.delete("/faults")
    def clear_faults() -> dict[str, Any]:
        with db.transaction() as session:
            rows = session.exec(select(Fault)).all()
            for row in rows:
                session.delete(row)
            return {"deleted": len(rows)}

    @router.delete("/faults/{fault_id}", status_code=204)
    def delete_fault(request: Request, fault_id: int) -> Response:
        with db.transaction() as session:
            fault = session.get(Fault, fault_id)
            if fault is None:
                raise EmulatorError(f"Unknown fault {fault_id}", status=404)
            authorize_tenant(request, fault.spec.get("tenant"))
            session.delete(fault)
        return Response(status_code=204)

    app.include_router(router)
    install_ui(app)
    return app


def _snapshot(request: Request, session: Session, name: str) -> Snapshot:
    """A snapshot by name that the caller may act on."""
    snap = session.get(Snapshot, name)
    if snap is None:
        raise tenancy.SnapshotNotFound(f"Unknown snapshot {name!r}")
    authorize_tenant(request, snap.tenant)
    return snap


def _row_counts(session: Session) -> dict[str, dict[str, int]]:
    """{tenant: {table: rows}} over every tenant-keyed table, empty tables left out."""
    out: dict[str, dict[str, int]] = {}
    for table in tenant_tables():
        key = table.c[TENANT_COLUMN]
        stmt = sa_select(key, func.count()).group_by(key)
        for tenant, n in session.connection().execute(stmt):
            out.setdefault(tenant, {})[table.name] = int(n)
    return out


def _check_name(name: str) -> None:
    if name.startswith("__"):
        raise EmulatorError("Snapshot names starting with '__' are reserved", status=422)

