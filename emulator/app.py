"""The application factory: the one place that wires settings, database, vendors and control."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from emulator import __version__
from emulator.control import build_control_app
from emulator.control.access import ControlGuard
from emulator.core import schema, tenancy
from emulator.core.clock import Clock
from emulator.core.db import Database
from emulator.core.fixtures import FixtureStore
from emulator.core.middleware import HostRouter, Recorder, VendorGate
from emulator.core.models import Meta, Snapshot
from emulator.core.settings import VENDOR_NAMES, Settings
from emulator.core.vendor import Context, Vendor


def all_vendors(names: Sequence[str] | None = None) -> list[Vendor]:
    """The vendors to mount: `names` (see `Settings.vendors`), all of them by default."""
    return [_vendor(name) for name in names or VENDOR_NAMES]


def _vendor(name: str) -> Vendor:
    # Imported here, not at the top: an unmounted vendor's package is never even loaded.
    if name == "thrive":
        from emulator.thrive import ThriveVendor

        return ThriveVendor()
    if name == "ispring":
        from emulator.ispring import IspringVendor

        return IspringVendor()
    if name == "dmtd":
        from emulator.dmtd import DmtdVendor

        return DmtdVendor()
    raise ValueError(f"unknown vendor {name!r}")


def build_context(settings: Settings, vendors: list[Vendor] | None = None) -> Context:
    """Database and fixtures ready; the demo tenants loaded if the database is new or reset."""
    plugins = {v.name: v for v in (vendors if vendors is not None
                                   else all_vendors(settings.vendors))}
    fixtures = FixtureStore(settings.fixtures, plugins)
    db = Database(settings.url, busy_timeout_ms=settings.busy_timeout_ms)
    ctx = Context(settings=settings, db=db, clock=Clock(), vendors=plugins, fixtures=fixtures)
    try:
        schema.prepare(db)
    except BaseException:
        db.dispose()  # a refused database leaves no pooled connection behind
        raise
    with db.transaction() as session:
        fingerprint = _fingerprint(fixtures)
        loaded = session.get(Snapshot, tenancy.FIXTURES_SNAPSHOT) is not None
        stored = session.get(Meta, "fixtures")
        if settings.reset or not loaded or stored is None or stored.value != fingerprint:
            tenancy.load_builtin_tenants(ctx, session)
            session.merge(Meta(key="fixtures", value=fingerprint))
    return ctx


def _fingerprint(fixtures: FixtureStore) -> str:
    """Which fixtures the database was seeded from; a changed fixture set re-seeds."""
    digest = hashlib.sha256(f"snapshot-format-{tenancy.SNAPSHOT_FORMAT}".encode())
    for vendor, packs in sorted(fixtures.packs.items()):
        for name, pack in sorted(packs.items()):
            digest.update(json.dumps([vendor, name, pack.model_dump(mode="json")],
                                     sort_keys=True).encode())
    return digest.hexdigest()


def create_app(settings: Settings | None = None, *, vendors: list[Vendor] | None = None,
               ctx: Context | None = None) -> FastAPI:
    settings = settings or Settings()
    ctx = ctx or build_context(settings, vendors)

    app = FastAPI(title="LMS emulator", version=__version__, openapi_url=None, docs_url=None,
                  redoc_url=None)
    app.state.ctx = ctx
    vendor_apps: dict[str, FastAPI] = {}
    for vendor in ctx.vendors.values():
        sub = vendor.build_app(ctx)
        vendor_apps[vendor.name] = sub
        gate: ASGIApp = VendorGate(sub, vendor, ctx)
        app.mount(f"/{vendor.name}", gate)
    app.state.vendor_apps = vendor_apps
    control = build_control_app(ctx, vendor_apps)
    app.state.control_app = control
    app.mount("/_emulator", ControlGuard(control, ctx.db, ctx.settings.admin_token))

    async def not_a_vendor(request: Request, exc: Exception) -> JSONResponse:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 404
        mounts: list[Any] = [f"/{name}" for name in ctx.vendors] + ["/_emulator"]
        return JSONResponse({"error": {"status": status, "message": "Not a vendor path",
                                       "mounts": mounts}}, status_code=status)

    app.add_exception_handler(StarletteHTTPException, not_a_vendor)
    app.add_middleware(Recorder, ctx=ctx)
    app.add_middleware(HostRouter, host_map={v.name: v.hosts for v in ctx.vendors.values()})
    return app
