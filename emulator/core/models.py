"""The emulator's own tables: tenants, clock, counters, journal, faults, snapshots, metadata."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary
from sqlmodel import Field, SQLModel


class Tenant(SQLModel, table=True):
    """One isolated data set of one vendor: a Thrive tenant, an iSpring account, a DMTD org."""

    __tablename__ = "core_tenant"

    id: str = Field(primary_key=True, max_length=120)
    vendor: str = Field(index=True, max_length=20)
    label: str = ""
    fixture: str = ""
    # Credentials as handed to clients, their secrets in stored form (`secrets.conceal`): the
    # plain values exist only in the answer of the `POST /_emulator/tenants` that issued them.
    credentials: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    # True for tenants loaded from the fixture directory at start (the demo tenants).
    builtin: bool = False
    created_at: datetime
    # SHA-256 of the tenant's control-plane token (the token itself is never stored).
    control_token_hash: str | None = Field(default=None, index=True, max_length=64)


class TenantScoped(SQLModel):
    """Base of every vendor table: rows belong to exactly one tenant."""

    tenant_id: str = Field(foreign_key="core_tenant.id", primary_key=True, max_length=120)


class ClockState(SQLModel, table=True):
    """The emulator clock. scope "" is the global clock; a tenant id overrides it per tenant."""

    __tablename__ = "core_clock"

    scope: str = Field(primary_key=True, max_length=120)
    offset_seconds: float = 0.0
    frozen_at: datetime | None = None


class Counter(SQLModel, table=True):
    """Server-wide integer sequences (vendors whose ids are integers)."""

    __tablename__ = "core_counter"

    name: str = Field(primary_key=True, max_length=80)
    value: int = 0


class JournalEntry(SQLModel, table=True):
    __tablename__ = "core_journal"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    vendor: str = Field(index=True, max_length=20)
    tenant: str | None = Field(default=None, index=True, max_length=120)
    operation: str | None = Field(default=None, max_length=120)
    method: str = Field(max_length=16)
    path: str
    query: str = ""
    status: int
    duration_ms: float
    request_headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    request_body: str = ""
    response_headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    response_body: str = ""
    fault: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class Fault(SQLModel, table=True):
    __tablename__ = "core_fault"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    remaining: int | None = None
    fired: int = 0
    seen: int = 0


class Snapshot(SQLModel, table=True):
    __tablename__ = "core_snapshot"

    name: str = Field(primary_key=True, max_length=200)
    tenant: str | None = None
    created_at: datetime
    rows: int = 0
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Meta(SQLModel, table=True):
    __tablename__ = "core_meta"

    key: str = Field(primary_key=True, max_length=80)
    value: str = ""
