"""DMTD tables (`dmtd_*`), every row keyed by tenant (the organization).

Ids are integers from server-wide counters (decision D4), so `id` alone is unique across
tenants; `tenant_id` is still part of every primary key and every lookup filters on it, which
is what keeps one organization from seeing another's records.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field

from emulator.core.models import TenantScoped


class DmtdOrganization(TenantScoped, table=True):
    __tablename__ = "dmtd_organization"

    id: int = Field(primary_key=True)
    # The SHA-256 of the organization's Bearer token (`core.secrets.token_digest`).
    token_hash: str = Field(index=True, unique=True, max_length=64)
    kind: str = Field(max_length=20)
    name: str = ""


class DmtdUser(TenantScoped, table=True):
    """A user of an iFrame organization (clinician or assessor), created by `POST /1/user`."""

    __tablename__ = "dmtd_user"

    id: int = Field(primary_key=True)
    code: str | None = Field(default=None, index=True, max_length=191)
    first_name: str
    last_name: str
    email: str
    locale: str = Field(default="en", max_length=2)
    created_at: datetime
    updated_at: datetime
    # The temporary iFrame sign-in token's SHA-256 (D20): one per user, a new one replaces
    # the old.
    signin_token_hash: str | None = Field(default=None, index=True, max_length=64)
    signin_expires_at: datetime | None = None


class DmtdLearner(TenantScoped, table=True):
    __tablename__ = "dmtd_learner"

    id: int = Field(primary_key=True)
    code: str | None = Field(default=None, index=True, max_length=191)
    color: str | None = None
    date_of_birth: date
    first_name: str | None = None
    last_name: str | None = None
    gender: int | None = None
    is_active: bool = True
    # D6: `isActive` is echoed in the JSON type it was sent in (true/false or 1/0).
    is_active_numeric: bool = False
    # The user named by X-UserId/X-UserCode at creation (iFrame organizations only, D14).
    owner_id: int | None = None
    created_at: datetime
    updated_at: datetime


class DmtdAuthorization(TenantScoped, table=True):
    """A user other than the owner allowed to assess a learner (`POST /1/authorize`)."""

    __tablename__ = "dmtd_authorization"

    learner_id: int = Field(primary_key=True)
    user_id: int = Field(primary_key=True)
    role: str = Field(default="teacher", max_length=20)
    authorized_at: datetime


class DmtdAssessment(TenantScoped, table=True):
    __tablename__ = "dmtd_assessment"

    id: int = Field(primary_key=True)
    learner_id: int = Field(index=True)
    # The acting user who created it; reported as `assessor` by GET /1/assessment.
    assessor_id: int | None = None
    start_date: datetime
    color: str | None = None
    created_at: datetime
    updated_at: datetime


class DmtdScore(TenantScoped, table=True):
    """One scored protocol question of an assessment (seeded from fixtures only)."""

    __tablename__ = "dmtd_score"

    assessment_id: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    area: str = Field(max_length=20)
    group: str | None = Field(default=None, max_length=40)
    question_num: int
    score: float
    timestamp: datetime


class DmtdPurchase(TenantScoped, table=True):
    __tablename__ = "dmtd_purchase"

    id: int = Field(primary_key=True)
    learner_id: int | None = Field(default=None, index=True)
    system_domain: str = Field(max_length=10)
    product_type: str = Field(max_length=20)
    locale: str = Field(max_length=2)
    training_product: str | None = Field(default=None, max_length=20)
    created_at: datetime
    updated_at: datetime
