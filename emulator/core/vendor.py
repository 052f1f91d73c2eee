"""What a vendor package provides to the core, and what the core hands to every vendor."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from emulator.core.clock import Clock
from emulator.core.db import Database
from emulator.core.errors import EmulatorError
from emulator.core.fixtures import FixtureStore
from emulator.core.settings import Settings


@dataclass
class Context:
    """Everything `create_app` wires together; passed to each vendor and the control plane."""

    settings: Settings
    db: Database
    clock: Clock
    vendors: dict[str, Vendor] = field(default_factory=dict)
    fixtures: FixtureStore | None = None

    def now(self, session: Session, tenant: str | None = None) -> datetime:
        return self.clock.now(session, tenant)


class Vendor(ABC):
    """One emulated vendor. Subclasses live in `emulator/<vendor>/__init__.py`."""

    name: ClassVar[str]
    title: ClassVar[str]
    # fnmatch patterns (lower case) of the vendor's real hostnames, served at the root path.
    hosts: ClassVar[tuple[str, ...]]
    fixture_model: ClassVar[type[BaseModel]]
    default_fixture: ClassVar[str] = "demo"
    # The vendor's base error class; its subclasses give injected faults their vendor message.
    error_base: ClassVar[type[EmulatorError] | None] = None

    @abstractmethod
    def build_app(self, ctx: Context) -> FastAPI:
        """The vendor sub-app, with its routes and its error handlers installed."""

    @abstractmethod
    def render_error(self, request: Request, error: EmulatorError) -> Response:
        """The vendor's error body for `error`, in the format the request negotiates."""

    @abstractmethod
    def tenant_id_for(self, fixture: BaseModel, *, fresh: bool) -> str:
        """The core tenant id: the fixture's own for built-in tenants, a new one when fresh."""

    @abstractmethod
    def fresh_credentials(self, tenant_id: str) -> dict[str, Any]:
        """Newly generated credentials for a per-test tenant, shared with no other tenant."""

    @abstractmethod
    def fixture_credentials(self, tenant_id: str, fixture: BaseModel) -> dict[str, Any]:
        """The credentials a pack gives its built-in tenant (the documented demo values)."""

    @abstractmethod
    def seed(self, session: Session, tenant_id: str, fixture: BaseModel, now: datetime,
             credentials: dict[str, Any] | None) -> dict[str, Any]:
        """Write the fixture's rows for `tenant_id`; return the credentials clients use.

        `credentials` None means the fixture's own (the demo tenants); otherwise those given
        (plain from `fresh_credentials`, or in stored form when kept across a reset of that
        tenant). Rows keep secrets only in stored form (`core.secrets`).
        """

    def export(self, session: Session, tenant_id: str) -> dict[str, Any]:
        """The tenant's current state as a fixture pack (field names or aliases of
        `fixture_model`); the caller validates it with that model before handing it out."""
        raise EmulatorError(f"{self.title} tenants cannot be exported", status=501)

    def default_message(self, status: int) -> str | None:
        """The vendor's own message for an error status (from its typed errors), if any."""
        if self.error_base is None:
            return None
        pending: list[type[EmulatorError]] = [self.error_base]
        while pending:
            cls = pending.pop(0)
            if cls is not self.error_base and cls.status == status:
                return cls.default_message
            pending.extend(cls.__subclasses__())
        return None

    def identify_tenant(self, session: Session, request: Request) -> str | None:
        """The tenant a request's credentials name, without judging them (fault matching)."""
        return None


def set_request_tenant(request: Request, tenant_id: str) -> None:
    """Record the authenticated tenant on the request so the journal can file it."""
    request.state.tenant = tenant_id
