"""Control-plane routes (JSON). Each operation is one short unit of work on the database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from sqlmodel import col, select
from starlette.routing import BaseRoute

from emulator import __version__
from emulator.core import faults, journal, tenancy
from emulator.core.clock import iso
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


def tenant_json(request: Request, tenant: Tenant) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/").removesuffix("/_emulator")
    return {
        "id": tenant.id,
        "vendor": tenant.vendor,
        "label": tenant.label,
        "fixture": tenant.fixture,
        "builtin": tenant.builtin,
        "createdAt": iso(tenant.created_at, millis=True),
        "baseUrl": f"{base}/{tenant.vendor}",
        "credentials": tenant.credentials,
    }


def _api_routes(routes: Sequence[BaseRoute], prefix: str = "",
                shown: bool = True) -> Iterator[tuple[str, APIRoute, bool]]:
    """(full path, route, in schema) for every APIRoute, including those of included routers.

    FastAPI >= 0.16x keeps `include_router` routers as one lazily expanded route that carries
    the original router and its include options; older versions copy APIRoutes into the app.
    """
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route, shown and route.include_in_schema
        elif hasattr(route, "original_router") and hasattr(route, "include_context"):
            context = route.include_context
            yield from _api_routes(route.original_router.routes,
                                   prefix + getattr(context, "prefix", ""),
                                   shown and bool(getattr(context, "include_in_schema", True)))


def coverage(ctx: Context, apps: dict[str, FastAPI]) -> dict[str, Any]:
    """Operations per vendor, read from the routes each vendor app registered."""
    out: dict[str, Any] = {}
    for name, app in apps.items():
        ops: dict[tuple[str, str], dict[str, Any]] = {}
        for path, route, shown in _api_routes(app.routes):
            if not shown:
                continue
            doc = (route.endpoint.__doc__ or "").strip().splitlines()
            for method in sorted((route.methods or set()) - {"HEAD"}):
                entry = ops.setdefault((route.name, method), {
                    "operation": route.name, "method": method, "paths": [],
                    "summary": doc[0] if doc else "",
                })
                if path not in entry["paths"]:
                    entry["paths"].append(path)
        out[name] = {"title": ctx.vendors[name].title, "basePath": f"/{name}",
                     "operations": sorted(ops.values(), key=lambda o: (o["paths"][0], o["method"]))}
    return out


def coverage_markdown(ctx: Context, apps: dict[str, FastAPI], only: str | None = None) -> str:
    """The README's coverage table, generated from the registered routes."""
    lines = []
    for name, info in coverage(ctx, apps).items():
        if only and name != only:
            continue
        lines += [f"#### {info['title']} (`/{name}`)", "",
                  "| Method | Path | Operation | Summary |", "|---|---|---|---|"]
        lines += [f"| {op['method']} | `{op['paths'][0]}` | `{op['operation']}` | {op['summary']} |"
                  for op in info["operations"]]
        lines.append("")
    return "\n".join(lines)


def build_control_app(ctx: Context, vendor_apps: dict[str, FastAPI]) -> FastAPI:
    app = FastAPI(title="LMS emulator control plane", version=__version__, openapi_url=None,
                  docs_url=None, redoc_url=None)
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
    def reset(body: Annotated[ResetRequest | None, Body()] = None,
              tenant: str | None = None) -> dict[str, Any]:
        target = (body.tenant if body else None) or tenant
        with db.transaction() as session:
            if target:
                tenancy.reset_tenant(ctx, session, target)
            else:
                tenancy.reset_all(ctx, session)
        return {"reset": target or "all"}

    @router.get("/tenants")
    def list_tenants(request: Request, vendor: str | None = None) -> list[dict[str, Any]]:
        with db.transaction() as session:
            stmt = select(Tenant).order_by(col(Tenant.created_at), col(Tenant.id))
            if vendor:
                stmt = stmt.where(Tenant.vendor == vendor)
            return [tenant_json(request, t) for t in session.exec(stmt)]

    @router.post("/tenants", status_code=201)
    def create_tenant(request: Request, body: TenantCreate) -> dict[str, Any]:
        if body.vendor not in ctx.vendors:
            raise EmulatorError(f"Unknown vendor {body.vendor!r}; one of {sorted(ctx.vendors)}",
                                status=422)
        try:
            with db.transaction() as session:
                tenant = tenancy.create_tenant(ctx, session, body.vendor, body.fixture)
                return tenant_json(request, tenant)
        except FixtureError as exc:
            raise EmulatorError(str(exc), status=422) from None

    @router.get("/tenants/{tenant_id}")
    def get_tenant(request: Request, tenant_id: str) -> dict[str, Any]:
        with db.transaction() as session:
            return tenant_json(request, tenancy.get_tenant(session, tenant_id))

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
    def reset_tenant(tenant_id: str) -> dict[str, Any]:
        with db.transaction() as session:
            tenancy.reset_tenant(ctx, session, tenant_id)
        return {"reset": tenant_id}

    @router.get("/journal")
    def get_journal(
        vendor: str | None = None, tenant: str | None = None, method: str | None = None,
        path: str | None = None, status: int | None = None, operation: str | None = None,
        since: datetime | None = None, limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
    ) -> dict[str, Any]:
        flt = journal.JournalFilter(vendor=vendor, tenant=tenant, method=method, path=path,
                                    status=status, operation=operation, since=since, limit=limit)
        with db.transaction() as session:
            entries = journal.query(session, flt)
            total = journal.count(session)
        return {"entries": [journal.to_json(e) for e in entries], "total": total,
                "max": ctx.settings.journal_max}

    @router.post("/journal/match")
    def match_journal(want: JournalMatch) -> dict[str, Any]:
        """Count the entries matching vendor-level conditions; near misses when none does."""
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
    def get_clock(tenant: str | None = None) -> dict[str, Any]:
        with db.transaction() as session:
            if tenant:
                tenancy.get_tenant(session, tenant)
            return ctx.clock.describe(session, tenant)

    @router.post("/clock")
    def change_clock(body: ClockChange) -> dict[str, Any]:
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
    def get_coverage() -> dict[str, Any]:
        return coverage(ctx, vendor_apps)

    @router.get("/snapshots")
    def list_snapshots() -> list[dict[str, Any]]:
        with db.transaction() as session:
            rows = session.exec(select(Snapshot).order_by(col(Snapshot.created_at))).all()
            return [{"name": s.name, "tenant": s.tenant, "rows": s.rows,
                     "createdAt": iso(s.created_at, millis=True)}
                    for s in rows if not s.name.startswith("__")]

    @router.post("/snapshots/{name}", status_code=201)
    def take_snapshot(name: Annotated[str, Path(pattern=r"^[\w.-]{1,200}$")],
                      body: Annotated[SnapshotRequest | None, Body()] = None,
                      tenant: str | None = None) -> dict[str, Any]:
        _check_name(name)
        with db.transaction() as session:
            snap = tenancy.take_snapshot(session, name, (body.tenant if body else None) or tenant)
            return {"name": snap.name, "tenant": snap.tenant, "rows": snap.rows,
                    "createdAt": iso(snap.created_at, millis=True)}

    @router.post("/snapshots/{name}/restore")
    def restore_snapshot(name: str) -> dict[str, Any]:
        _check_name(name)
        with db.transaction() as session:
            snap = tenancy.restore_snapshot(session, name)
            return {"restored": snap.name, "tenant": snap.tenant, "rows": snap.rows}

    @router.delete("/snapshots/{name}", status_code=204)
    def delete_snapshot(name: str) -> Response:
        _check_name(name)
        with db.transaction() as session:
            snap = session.get(Snapshot, name)
            if snap is None:
                raise tenancy.SnapshotNotFound(f"Unknown snapshot {name!r}")
            session.delete(snap)
        return Response(status_code=204)

    @router.post("/faults", status_code=201)
    def add_fault(spec: faults.FaultSpec) -> dict[str, Any]:
        if spec.vendor is not None and spec.vendor not in ctx.vendors:
            raise EmulatorError(f"Unknown vendor {spec.vendor!r}", status=422)
        with db.transaction() as session:
            return faults.to_json(faults.add(session, spec))

    @router.get("/faults")
    def list_faults() -> list[dict[str, Any]]:
        with db.transaction() as session:
            return [faults.to_json(f) for f in session.exec(select(Fault).order_by(col(Fault.id)))]

    @router.delete("/faults")
    def clear_faults() -> dict[str, Any]:
        with db.transaction() as session:
            rows = session.exec(select(Fault)).all()
            for row in rows:
                session.delete(row)
            return {"deleted": len(rows)}

    @router.delete("/faults/{fault_id}", status_code=204)
    def delete_fault(fault_id: int) -> Response:
        with db.transaction() as session:
            fault = session.get(Fault, fault_id)
            if fault is None:
                raise EmulatorError(f"Unknown fault {fault_id}", status=404)
            session.delete(fault)
        return Response(status_code=204)

    app.include_router(router)
    return app


def _check_name(name: str) -> None:
    if name.startswith("__"):
        raise EmulatorError("Snapshot names starting with '__' are reserved", status=422)

