"""Thrive tables (`thrive_*`), every row keyed by tenant.

Date-times are aware UTC (SQLModel's UTCDateTime refuses naive ones). JSON columns are always
reassigned, never mutated in place, so SQLAlchemy sees every change. A column's default is set
here only: fixture-pack and request-body fields that default the same way read it through
`defaults`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from emulator.core.models import TenantScoped

ID = 24  # ObjectId-style ids: 24 hex digits


def defaults(table: type[SQLModel]) -> dict[str, Any]:
    """The table's plain column defaults by field name (factories and required fields left out)."""
    return {name: info.default for name, info in table.model_fields.items()
            if info.default_factory is None and info.default is not PydanticUndefined}


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _json_nullable() -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=True))


class ThriveCredential(TenantScoped, table=True):
    """The tenant's API secret (Basic auth) and OAuth clients (client credentials)."""

    __tablename__ = "thrive_credential"

    client_id: str = Field(primary_key=True, max_length=200)
    secret: str  # a salted hash (`core.secrets.hash_secret`), never the secret itself
    # None: the Basic-auth API secret (all scopes); else the OAuth client's allowed scopes.
    scopes: list[str] | None = Field(default=None, sa_column=Column(JSON))
    # An OAuth client may exist without the client-credentials grant (unauthorized_client).
    client_credentials: bool = True


class ThriveToken(TenantScoped, table=True):
    """An access token issued by `/oauth2/token/{tenantId}`; only its SHA-256 is kept."""

    __tablename__ = "thrive_token"

    token_hash: str = Field(primary_key=True, max_length=64, index=True)
    client_id: str = Field(max_length=200)
    scopes: list[str] = _json_list()
    issued_at: datetime
    expires_at: datetime


class ThriveUser(TenantScoped, table=True):
    __tablename__ = "thrive_user"

    id: str = Field(primary_key=True, max_length=ID)
    ref: str | None = Field(default=None, index=True)
    email: str | None = Field(default=None, index=True)
    first_name: str | None = None
    last_name: str | None = None
    login_method: str = "email"
    role: str = "learner"
    # v1 status: active, inactive, expired, new (the last two only from fixtures).
    status: str = "active"
    active: bool = True
    deleted: bool = False
    job_title: str | None = None
    manager_ref: str | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    domain: str | None = None
    time_zone: str = "Europe/London"
    language_code: str = "en-gb"
    sso: bool = False
    additional_fields: dict[str, Any] | None = _json_nullable()
    created_at: datetime
    updated_at: datetime
    # v1-only attributes that the API never writes (fixtures may set them).
    summary: str | None = None
    has_picture: bool = False
    agreed_terms: bool | None = None
    onboarded: bool | None = None
    first_login: datetime | None = None
    last_login: datetime | None = None
    compliance: float = 0
    level: float = 0
    relevancy: float = 0
    rank: dict[str, Any] | None = _json_nullable()
    users_following: list[str] = _json_list()
    tags_following: list[Any] = _json_list()
    ou_id: str | None = None


class ThriveTag(TenantScoped, table=True):
    __tablename__ = "thrive_tag"

    id: str = Field(primary_key=True, max_length=ID)
    name: str = Field(index=True)
    contents: list[str] = _json_list()
    campaigns: list[str] = _json_list()
    interests: list[str] = _json_list()
    created_at: datetime
    updated_at: datetime


class ThriveUserSkill(TenantScoped, table=True):
    """A user skilled in a tag (tag add / skill update), with the optional levels."""

    __tablename__ = "thrive_user_skill"

    user_id: str = Field(primary_key=True, max_length=ID)
    tag_id: str = Field(primary_key=True, max_length=ID)
    level: float | None = None
    target_level: float | None = None


class ThriveSkillLevel(TenantScoped, table=True):
    __tablename__ = "thrive_skill_level"

    value: int = Field(primary_key=True)
    name: str
    is_enabled: bool = True


class ThriveAudience(TenantScoped, table=True):
    """A structure (top level) or an audience (child of a structure)."""

    __tablename__ = "thrive_audience"

    id: str = Field(primary_key=True, max_length=ID)
    name: str
    reference: str = Field(index=True)
    category: str  # structure | audience
    type: str = "manual"  # manual | smart
    api_controlled: bool = True
    parent_id: str | None = Field(default=None, max_length=ID)
    created_at: datetime
    updated_at: datetime


class ThriveMember(TenantScoped, table=True):
    __tablename__ = "thrive_audience_member"

    audience_id: str = Field(primary_key=True, max_length=ID)
    user_id: str = Field(primary_key=True, max_length=ID, index=True)
    added_at: datetime


class ThriveManager(TenantScoped, table=True):
    __tablename__ = "thrive_audience_manager"

    audience_id: str = Field(primary_key=True, max_length=ID)
    user_id: str = Field(primary_key=True, max_length=ID, index=True)
    permissions: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    added_at: datetime


class ThriveContent(TenantScoped, table=True):
    __tablename__ = "thrive_content"

    id: str = Field(primary_key=True, max_length=ID)
    title: str
    description: str | None = None
    tags: list[str] = _json_list()
    type: str
    author: str | None = None
    is_official: bool = False
    duration: dict[str, Any] | None = _json_nullable()
    content_history: list[dict[str, Any]] = _json_list()
    created_at: datetime
    updated_at: datetime


class ThriveAssignment(TenantScoped, table=True):
    __tablename__ = "thrive_assignment"

    id: str = Field(primary_key=True, max_length=ID)
    audience_id: str = Field(max_length=ID, index=True)
    primary_content_id: str = Field(max_length=ID)
    alternative_content_ids: list[str] = _json_list()
    hide_alternative_content: bool = False
    completion_period: int = 30
    recurrence: int | None = None
    is_active: bool = True
    is_deleted: bool = False
    created_at: datetime
    deleted_at: datetime | None = None
    updated_at: datetime


class ThriveEnrolment(TenantScoped, table=True):
    """Derived from assignments x audience members; never written by a client."""

    __tablename__ = "thrive_enrolment"

    id: str = Field(primary_key=True, max_length=ID)
    assignment_id: str = Field(max_length=ID, index=True)
    user_id: str = Field(max_length=ID, index=True)
    status: str
    available_date: datetime
    due_date: datetime
    last_completed_at: datetime | None = None
    history: list[dict[str, Any]] = _json_list()
    updated_at: datetime


class ThriveCompletion(TenantScoped, table=True):
    __tablename__ = "thrive_completion"

    id: str = Field(primary_key=True, max_length=ID)
    user_id: str = Field(max_length=ID, index=True)
    content_id: str = Field(max_length=ID)
    content_version: int = 1
    skills: list[str] = _json_list()
    completion_type: str = "api"
    had_due_date: bool = False
    is_rpl: bool = False
    completed_at: datetime
    active_until: datetime | None = None


class ThriveActivity(TenantScoped, table=True):
    __tablename__ = "thrive_activity"

    id: str = Field(primary_key=True, max_length=ID)
    user_id: str = Field(max_length=ID)
    type: str
    name: str | None = None
    date: datetime = Field(index=True)
    context_id: str | None = None
    context_type: str | None = None
    content_type: str | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    with_: dict[str, Any] | None = _json_nullable()


class ThriveCpdCategory(TenantScoped, table=True):
    __tablename__ = "thrive_cpd_category"

    id: str = Field(primary_key=True, max_length=ID)
    name: str
    updated_at: datetime


class ThriveCpdEntry(TenantScoped, table=True):
    __tablename__ = "thrive_cpd_entry"

    id: str = Field(primary_key=True, max_length=ID)
    user_id: str = Field(max_length=ID, index=True)
    activity: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    category_id: str | None = Field(default=None, max_length=ID)
    entry_date: datetime = Field(index=True)
    duration_minutes: int = 0
    description: str | None = None
    is_verified: bool = False


class ThriveCpdRequirement(TenantScoped, table=True):
    __tablename__ = "thrive_cpd_requirement"

    id: str = Field(primary_key=True, max_length=ID)
    audience_id: str = Field(max_length=ID)
    required_minutes: int
    created_at: datetime
    updated_at: datetime | None = None


class ThriveWebhookEvent(TenantScoped, table=True):
    """Envelope ids of processed HR-provisioning events (a repeated id is not re-applied)."""

    __tablename__ = "thrive_webhook_event"

    id: str = Field(primary_key=True, max_length=500)
    event_type: str
    received_at: datetime
