"""Thrive CPD (continuing professional development): categories, entries, requirement and user
summaries, all fixture data."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Response
from sqlalchemy import func
from sqlmodel import col, select

from emulator.thrive import schemas
from emulator.thrive.base import Body, ThriveBase, Unit, at_least, at_most, each
from emulator.thrive.errors import Unprocessable
from emulator.thrive.models import ThriveCpdCategory, ThriveCpdEntry, ThriveCpdRequirement
from emulator.thrive.routing import V1, Auth, Query, api_router, endpoint, ok, operations
from emulator.thrive.schemas import Paging, is_object_id, stamp

# ---------------------------------------------------------------------------------------------
# Wire shapes
# ---------------------------------------------------------------------------------------------


def cpd_category(row: ThriveCpdCategory) -> dict[str, Any]:
    return {"categoryId": row.id, "name": row.name}


def cpd_entry(row: ThriveCpdEntry, category: ThriveCpdCategory | None) -> dict[str, Any]:
    return {
        "logEntryId": row.id, "userId": row.user_id, "activity": row.activity,
        "category": None if category is None else cpd_category(category),
        "entryDate": stamp(row.entry_date), "durationMinutes": row.duration_minutes,
        "description": row.description, "isVerified": row.is_verified,
    }


def cpd_requirement(row: ThriveCpdRequirement) -> dict[str, Any]:
    return {"audienceRequirementId": row.id, "audienceId": row.audience_id,
            "requiredMinutes": row.required_minutes, "createdAt": stamp(row.created_at),
            "updatedAt": stamp(row.updated_at)}


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


class CpdOps(ThriveBase):
    """CPD reads (fixture data)."""

    def list_cpd_categories(self, tenant: str, paging: Paging, *,
                            updated_since: datetime | None) -> Body:
        with self.unit(tenant) as u:
            return self._enveloped(u, ThriveCpdCategory, paging, each(cpd_category),
                                   (at_least(ThriveCpdCategory.updated_at, updated_since),),
                                   (col(ThriveCpdCategory.id),))

    def get_cpd_category(self, tenant: str, category_id: str) -> Body:
        with self.unit(tenant) as u:
            return cpd_category(self._found(u, ThriveCpdCategory, category_id,
                                                 "CPD category"))

    def _entry_views(self, u: Unit, rows: list[ThriveCpdEntry]) -> list[Body]:
        categories = {c.id: c for c in self._all(u, select(ThriveCpdCategory).where(
            ThriveCpdCategory.tenant_id == u.tenant,
            col(ThriveCpdCategory.id).in_({r.category_id for r in rows if r.category_id})))}
        return [cpd_entry(r, categories.get(r.category_id or "")) for r in rows]

    def query_cpd_entries(self, tenant: str, paging: Paging, *, start: datetime | None,
                          end: datetime | None) -> Body:
        with self.unit(tenant) as u:
            return self._enveloped(u, ThriveCpdEntry, paging, self._entry_views, (
                at_least(ThriveCpdEntry.entry_date, start),
                at_most(ThriveCpdEntry.entry_date, end)),
                (col(ThriveCpdEntry.entry_date), col(ThriveCpdEntry.id)))

    def get_cpd_entry(self, tenant: str, entry_id: str) -> Body:
        with self.unit(tenant) as u:
            return self._entry_views(u, [self._found(u, ThriveCpdEntry, entry_id,
                                                     "CPD entry")])[0]

    def list_cpd_requirements(self, tenant: str, paging: Paging, *,
                              updated_since: datetime | None) -> Body:
        # Never-updated requirements count from their creation.
        changed = func.coalesce(col(ThriveCpdRequirement.updated_at),
                                col(ThriveCpdRequirement.created_at))
        with self.unit(tenant) as u:
            return self._enveloped(u, ThriveCpdRequirement, paging, each(cpd_requirement),
                                   (at_least(changed, updated_since),),
                                   (col(ThriveCpdRequirement.id),))

    def get_cpd_requirement(self, tenant: str, requirement_id: str) -> Body:
        with self.unit(tenant) as u:
            return cpd_requirement(self._found(u, ThriveCpdRequirement, requirement_id,
                                                    "CPD requirement summary"))

    def cpd_user_summaries(self, tenant: str, paging: Paging, *, start: datetime,
                           end: datetime, user_ids: list[str] | None) -> Body:
        with self.unit(tenant) as u:
            stmt = select(ThriveCpdEntry.user_id, func.sum(ThriveCpdEntry.duration_minutes)) \
                .where(ThriveCpdEntry.tenant_id == tenant,
                       col(ThriveCpdEntry.entry_date) >= start,
                       col(ThriveCpdEntry.entry_date) <= end) \
                .group_by(col(ThriveCpdEntry.user_id))
            if user_ids is not None:
                stmt = stmt.where(col(ThriveCpdEntry.user_id).in_(user_ids))
            minutes = {uid: int(total or 0) for uid, total in u.session.exec(stmt).all()}
            order = user_ids if user_ids is not None else sorted(minutes)
            rows = [{"userId": uid, "durationMinutes": minutes.get(uid, 0)} for uid in order]
            page = rows[paging.offset:paging.offset + paging.per_page]
            return schemas.envelope(page, len(rows), paging)


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


router = api_router()
Backend = Annotated[CpdOps, operations(CpdOps)]


@endpoint(router, "GET", f"{V1}/cpdCategories")
def list_cpd_categories(principal: Auth, backend: Backend, q: Query) -> Response:
    """Returns CPD categories.

    Doc: fact sheet P1. Fixture data.
    """
    return ok(backend.list_cpd_categories(principal.tenant_id, q.paging("cpd"),
                                          updated_since=q.instant("updatedSince")))


@endpoint(router, "GET", f"{V1}/cpdCategories/{{categoryId}}")
def get_cpd_category(principal: Auth, backend: Backend,
                     category_id: Annotated[str, Path(alias="categoryId")]) -> Response:
    """Returns a CPD category.

    Doc: fact sheet P2.
    """
    return ok(backend.get_cpd_category(principal.tenant_id, category_id))


@endpoint(router, "GET", f"{V1}/cpdEntries")
def query_cpd_entries(principal: Auth, backend: Backend, q: Query) -> Response:
    """Query CPD entries.

    Doc: /apidocs/query-cpd-entries (dates with a time, or bare dates as in its examples).
    """
    return ok(backend.query_cpd_entries(principal.tenant_id, q.paging("cpd"),
                                        start=q.instant("entryDateFrom"),
                                        end=q.instant("entryDateTo", upper=True)))


@endpoint(router, "GET", f"{V1}/cpdEntries/{{logEntryId}}")
def get_cpd_entry(principal: Auth, backend: Backend,
                  entry_id: Annotated[str, Path(alias="logEntryId")]) -> Response:
    """Get a single CPD entry.

    Doc: /apidocs/get-a-single-cpd-entry.
    """
    return ok(backend.get_cpd_entry(principal.tenant_id, entry_id))


@endpoint(router, "GET", f"{V1}/cpdRequirementSummaries")
def list_cpd_requirement_summaries(principal: Auth, backend: Backend, q: Query) -> Response:
    """Returns CPD requirement summaries.

    Doc: fact sheet P5. Fixture data.
    """
    return ok(backend.list_cpd_requirements(principal.tenant_id, q.paging("cpd"),
                                            updated_since=q.instant("updatedSince")))


@endpoint(router, "GET", f"{V1}/cpdRequirementSummaries/{{audienceRequirementId}}")
def get_cpd_requirement_summary(principal: Auth, backend: Backend,
                                requirement_id: Annotated[str, Path(
                                    alias="audienceRequirementId")]) -> Response:
    """Returns a CPD requirement summary.

    Doc: fact sheet P6.
    """
    return ok(backend.get_cpd_requirement(principal.tenant_id, requirement_id))


@endpoint(router, "GET", f"{V1}/cpdUserLogSummaries")
def query_cpd_user_summaries(principal: Auth, backend: Backend, q: Query) -> Response:
    """Query CPD user summaries (minutes per user in a date range).

    Doc: /apidocs/query-cpd-user-summaries. `entryDateFrom` and `entryDateTo` are required.
    """
    start = q.instant("entryDateFrom")
    end = q.instant("entryDateTo", upper=True)
    if start is None or end is None:
        raise Unprocessable("entryDateFrom and entryDateTo are required")
    user_ids = q.csv("userIds")
    bad = [u for u in user_ids or [] if not is_object_id(u)]
    if bad:
        raise Unprocessable(f"userIds must be 24 hex digits: {', '.join(bad)}")
    return ok(backend.cpd_user_summaries(
        principal.tenant_id, q.paging("cpd"), start=start, end=end,
        user_ids=None if user_ids is None else list(dict.fromkeys(u.lower() for u in user_ids))))
