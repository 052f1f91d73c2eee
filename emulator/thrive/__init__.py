"""Thrive Learning public REST API emulation (mounted at /thrive)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, ClassVar

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from emulator.core.errors import EmulatorError
from emulator.core.vendor import Context, Vendor
from emulator.thrive import app, auth, backend, errors, export, schemas


class ThriveVendor(Vendor):
    name: ClassVar[str] = "thrive"
    title: ClassVar[str] = "Thrive Learning"
    hosts: ClassVar[tuple[str, ...]] = (
        "public.api.learn.link", "public.api.mea.learn.tech",
        "public.api.learnstaging.link", "public.api.meastaging.learn.tech",
        "user.api.learn.link", "user.api.mea.learn.tech",
        "user.api.learnstaging.link", "user.api.meastaging.learn.tech",
    )
    fixture_model: ClassVar[type[BaseModel]] = schemas.ThriveFixture
    error_base: ClassVar[type[EmulatorError] | None] = errors.ThriveError

    def build_app(self, ctx: Context) -> FastAPI:
        return app.build_app(ctx)

    def render_error(self, request: Request, error: EmulatorError) -> Response:
        return errors.render(request, error)

    def tenant_id_for(self, fixture: BaseModel, *, fresh: bool) -> str:
        assert isinstance(fixture, schemas.ThriveFixture)
        # Cognito-style user-pool ids, like the vendor's `eu-west-2_AbcdEfghI`.
        return f"eu-west-2_Emu{secrets.token_hex(5)}" if fresh else fixture.tenant_id

    def fresh_credentials(self, tenant_id: str) -> dict[str, Any]:
        return backend.fresh_credentials(tenant_id)

    def fixture_credentials(self, tenant_id: str, fixture: BaseModel) -> dict[str, Any]:
        assert isinstance(fixture, schemas.ThriveFixture)
        return backend.fixture_credentials(tenant_id, fixture)

    def seed(self, session: Session, tenant_id: str, fixture: BaseModel, now: datetime,
             credentials: dict[str, Any] | None) -> dict[str, Any]:
        assert isinstance(fixture, schemas.ThriveFixture)
        return backend.seed(session, tenant_id, fixture, now, credentials)

    def export(self, session: Session, tenant_id: str) -> dict[str, Any]:
        return export.export(session, tenant_id)

    def identify_tenant(self, session: Session, request: Request) -> str | None:
        return auth.identify_tenant(session, request)
