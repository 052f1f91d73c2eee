"""iSpring Learn REST API emulation (mounted at /ispring)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, ClassVar

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from emulator.core.errors import EmulatorError
from emulator.core.vendor import Context, Vendor
from emulator.ispring import app, auth, backend, errors, export, schemas


class IspringVendor(Vendor):
    name: ClassVar[str] = "ispring"
    title: ClassVar[str] = "iSpring Learn"
    hosts: ClassVar[tuple[str, ...]] = (
        "api-learn.ispringlearn.com", "api-learn.ispringlearn.ru", "api-learn.ispringlearn.eu",
        "api-learn.ispring.com", "api-learn.ispring.eu",
        "*.ispringlearn.com", "*.ispringlearn.ru", "*.ispringlearn.eu",
        "*.ispring.com", "*.ispring.eu",
    )
    fixture_model: ClassVar[type[BaseModel]] = schemas.IspringFixture
    error_base: ClassVar[type[EmulatorError] | None] = errors.IspringError

    def build_app(self, ctx: Context) -> FastAPI:
        return app.build_app(ctx)

    def render_error(self, request: Request, error: EmulatorError) -> Response:
        return errors.render(request, error)

    def tenant_id_for(self, fixture: BaseModel, *, fresh: bool) -> str:
        assert isinstance(fixture, schemas.IspringFixture)
        # The account is named by its host; a fresh tenant gets its own account domain.
        if fresh:
            return f"emu{secrets.token_hex(5)}.ispringlearn.com"
        return auth.account_host(fixture.account_url)

    def fresh_credentials(self, tenant_id: str) -> dict[str, Any]:
        return backend.fresh_credentials(tenant_id)

    def fixture_credentials(self, tenant_id: str, fixture: BaseModel) -> dict[str, Any]:
        assert isinstance(fixture, schemas.IspringFixture)
        return backend.fixture_credentials(tenant_id, fixture)

    def seed(self, session: Session, tenant_id: str, fixture: BaseModel, now: datetime,
             credentials: dict[str, Any] | None) -> dict[str, Any]:
        assert isinstance(fixture, schemas.IspringFixture)
        return backend.seed(session, tenant_id, fixture, now, credentials)

    def export(self, session: Session, tenant_id: str) -> dict[str, Any]:
        return export.export(session, tenant_id)

    def identify_tenant(self, session: Session, request: Request) -> str | None:
        return auth.identify_tenant(session, request)
