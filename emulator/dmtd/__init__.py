"""DMTD (VB-MAPP) REST API emulation (mounted at /dmtd)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, ClassVar

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from emulator.core.errors import EmulatorError
from emulator.core.vendor import Context, Vendor
from emulator.dmtd import app, auth, backend, errors, export, schemas


class DmtdVendor(Vendor):
    name: ClassVar[str] = "dmtd"
    title: ClassVar[str] = "DMTD (VB-MAPP)"
    hosts: ClassVar[tuple[str, ...]] = (
        "api-sandbox.datamtd.com", "data-sandbox.datamtd.com", "api.datamtd.com",
        "api-sandbox.vbmappapp.com", "api.vbmappapp.com",
    )
    fixture_model: ClassVar[type[BaseModel]] = schemas.DmtdFixture
    error_base: ClassVar[type[EmulatorError] | None] = errors.DmtdError
    default_fixture: ClassVar[str] = "iframe"

    def build_app(self, ctx: Context) -> FastAPI:
        return app.build_app(ctx)

    def render_error(self, request: Request, error: EmulatorError) -> Response:
        return errors.render(request, error)

    def tenant_id_for(self, fixture: BaseModel, *, fresh: bool) -> str:
        assert isinstance(fixture, schemas.DmtdFixture)
        return f"dmtd-{secrets.token_hex(5)}" if fresh else fixture.tenant

    def fresh_credentials(self, tenant_id: str) -> dict[str, Any]:
        return backend.fresh_credentials(tenant_id)

    def fixture_credentials(self, tenant_id: str, fixture: BaseModel) -> dict[str, Any]:
        assert isinstance(fixture, schemas.DmtdFixture)
        return backend.fixture_credentials(tenant_id, fixture)

    def seed(self, session: Session, tenant_id: str, fixture: BaseModel, now: datetime,
             credentials: dict[str, Any] | None) -> dict[str, Any]:
        assert isinstance(fixture, schemas.DmtdFixture)
        return backend.seed(session, tenant_id, fixture, now, credentials)

    def export(self, session: Session, tenant_id: str) -> dict[str, Any]:
        return export.export(session, tenant_id)

    def identify_tenant(self, session: Session, request: Request) -> str | None:
        return auth.identify_tenant(session, request)
