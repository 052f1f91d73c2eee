"""Thrive assignments: content assigned to an audience, which enrols its members."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Response
from pydantic import Field, StrictBool, StrictInt, model_validator
from sqlmodel import col, select

from emulator.thrive import schemas
from emulator.thrive.base import Body, Unit, at_least, each, equal, new_id
from emulator.thrive.enrolments import LIVE, EnrolmentsOps
from emulator.thrive.errors import NotFound, Unprocessable
from emulator.thrive.models import ThriveAssignment, ThriveAudience, ThriveContent, ThriveEnrolment
from emulator.thrive.routing import (
    V1,
    AssignmentId,
    Auth,
    Query,
    api_router,
    empty,
    endpoint,
    json_body,
    ok,
    operations,
    optional_json_body,
)
from emulator.thrive.schemas import (
    ASSIGNMENT,
    MAX_RECURRENCE_DAYS,
    Paging,
    RequestBody,
    Text,
    plus_days,
    stamp,
)

# ---------------------------------------------------------------------------------------------
# Wire shapes
# ---------------------------------------------------------------------------------------------


ContentIds = Annotated[list[Text], Field(max_length=100)]


Period = Annotated[StrictInt, Field(ge=1, le=1095)]


Recurrence = Annotated[StrictInt, Field(ge=1, le=MAX_RECURRENCE_DAYS)]


class AssignmentUpdate(RequestBody):
    """`primaryContentId` is accepted as an alias of `contentId` (fact sheet §1.10)."""

    NOT_NULL = ("content_id", "primary_content_id", "alternative_content_ids",
                "hide_alternative_content", "completion_period")

    audience_id: Text | None = None
    content_id: Text | None = None
    primary_content_id: Text | None = None
    alternative_content_ids: ContentIds | None = None
    hide_alternative_content: StrictBool | None = None
    completion_period: Period | None = None
    recurrence: Recurrence | None = None

    @model_validator(mode="after")
    def _one_primary(self) -> AssignmentUpdate:
        if self.content_id and self.primary_content_id and \
                self.content_id != self.primary_content_id:
            raise ValueError("contentId and primaryContentId name different content")
        return self

    @property
    def primary(self) -> str | None:
        return self.content_id or self.primary_content_id


class AssignmentCreate(AssignmentUpdate):
    audience_id: Text
    alternative_content_ids: ContentIds = Field(default_factory=list)
    hide_alternative_content: StrictBool = ASSIGNMENT["hide_alternative_content"]
    completion_period: Period = ASSIGNMENT["completion_period"]

    @model_validator(mode="after")
    def _primary_required(self) -> AssignmentCreate:
        if self.primary is None:
            raise ValueError("contentId is required")
        return self


class AssignmentDelete(RequestBody):
    audience_id: Text | None = None


def assignment(row: ThriveAssignment) -> dict[str, Any]:
    return {
        "id": row.id, "audienceId": row.audience_id, "primaryContentId": row.primary_content_id,
        "alternativeContentIds": list(row.alternative_content_ids),
        "hideAlternativeContent": row.hide_alternative_content,
        "completionPeriod": row.completion_period, "recurrence": row.recurrence,
        "isActive": row.is_active, "isDeleted": row.is_deleted,
        "createdAt": stamp(row.created_at), "deletedAt": stamp(row.deleted_at),
        "updatedAt": stamp(row.updated_at),
    }


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


class AssignmentsOps(EnrolmentsOps):
    """Assignments: create, read, update and soft delete."""

    def _body_audience(self, u: Unit, key: str) -> ThriveAudience:
        row = self._audience_by_key(u, key)
        if row is None:
            raise Unprocessable(f"audienceId: audience '{key}' not found")
        return row

    def _contents(self, u: Unit, ids: Iterable[str]) -> dict[str, ThriveContent]:
        wanted = sorted({i.lower() for i in ids if schemas.is_object_id(i)})
        if not wanted:
            return {}
        rows = self._all(u, select(ThriveContent).where(ThriveContent.tenant_id == u.tenant,
                                                        col(ThriveContent.id).in_(wanted)))
        return {r.id: r for r in rows}

    def _check_contents(self, u: Unit, primary: str | None,
                        alternatives: list[str] | None) -> None:
        wanted = ([primary] if primary else []) + (alternatives or [])
        known = self._contents(u, wanted)
        if primary and primary.lower() not in known:
            raise Unprocessable(f"contentId: content '{primary}' not found")
        unknown = [c for c in alternatives or [] if c.lower() not in known]
        if unknown:
            raise Unprocessable(f"alternativeContentIds: content not found: {', '.join(unknown)}")

    def _check_unassigned(self, u: Unit, audience_id: str, content_id: str,
                          own_id: str | None = None) -> None:
        stmt = select(ThriveAssignment).where(
            ThriveAssignment.tenant_id == u.tenant, ThriveAssignment.audience_id == audience_id,
            ThriveAssignment.primary_content_id == content_id,
            col(ThriveAssignment.is_deleted).is_(False))
        if own_id is not None:
            stmt = stmt.where(ThriveAssignment.id != own_id)
        if u.session.exec(stmt).first() is not None:
            # Thrive documents no 409 for assignments (fact sheet §1.8).
            raise Unprocessable("This content is already assigned to this audience")

    def _own_assignment(self, u: Unit, assignment_id: str) -> ThriveAssignment:
        row = self._found(u, ThriveAssignment, assignment_id, "Assignment")
        if row.is_deleted:
            raise NotFound("Assignment not found")
        return row

    def _check_audience_field(self, u: Unit, row: ThriveAssignment, key: str | None) -> None:
        if key is None:
            return
        named = self._audience_by_key(u, key)
        if named is None or named.id != row.audience_id:
            raise Unprocessable(f"audienceId: '{key}' is not this assignment's audience")

    def list_assignments(self, tenant: str, paging: Paging, *, audience: str | None,
                         updated_since: datetime | None) -> list[Body]:
        with self.unit(tenant) as u:
            named = None if audience is None else self._audience_by_key(u, audience)
            # A deleted audience's assignments stay readable under its id.
            audience_id = None if audience is None else named.id if named else audience.lower()
            return self._listed(u, ThriveAssignment, paging, each(assignment), (
                equal(ThriveAssignment.audience_id, audience_id),
                at_least(ThriveAssignment.updated_at, updated_since)),
                (col(ThriveAssignment.id),))[0]

    def create_assignment(self, tenant: str, body: AssignmentCreate) -> Body:
        with self.unit(tenant) as u:
            audience = self._body_audience(u, body.audience_id)
            primary = (body.primary or "").lower()
            self._check_contents(u, body.primary, body.alternative_content_ids)
            self._check_unassigned(u, audience.id, primary)
            self._refresh(u)
            row = ThriveAssignment(
                tenant_id=tenant, id=new_id(u), audience_id=audience.id,
                primary_content_id=primary,
                alternative_content_ids=[c.lower() for c in body.alternative_content_ids],
                hide_alternative_content=body.hide_alternative_content,
                completion_period=body.completion_period, recurrence=body.recurrence,
                created_at=u.now, updated_at=u.now)
            u.session.add(row)
            self._enrol(u, row, sorted(self._member_ids(u, audience.id)))
            return assignment(row)

    def get_assignment(self, tenant: str, assignment_id: str) -> Body:
        with self.unit(tenant) as u:
            return assignment(self._found(u, ThriveAssignment, assignment_id, "Assignment"))

    def update_assignment(self, tenant: str, assignment_id: str,
                          body: AssignmentUpdate) -> Body:
        with self.unit(tenant) as u:
            row = self._own_assignment(u, assignment_id)
            self._check_audience_field(u, row, body.audience_id)
            self._check_contents(u, body.primary, body.alternative_content_ids)
            if body.primary is not None:
                self._check_unassigned(u, row.audience_id, body.primary.lower(), row.id)
                row.primary_content_id = body.primary.lower()
            if body.alternative_content_ids is not None:
                row.alternative_content_ids = [c.lower() for c in body.alternative_content_ids]
            if body.hide_alternative_content is not None:
                row.hide_alternative_content = body.hide_alternative_content
            if "recurrence" in body.model_fields_set:
                row.recurrence = body.recurrence
            self._refresh(u)
            if body.completion_period is not None and \
                    body.completion_period != row.completion_period:
                row.completion_period = body.completion_period
                self._reschedule(u, row)
            row.updated_at = u.now
            u.session.add(row)
            return assignment(row)

    def _reschedule(self, u: Unit, assignment: ThriveAssignment) -> None:
        """A new completion period moves the due date of open and overdue enrolments."""
        for row in self._all(u, select(ThriveEnrolment).where(
                ThriveEnrolment.tenant_id == u.tenant,
                ThriveEnrolment.assignment_id == assignment.id,
                col(ThriveEnrolment.status).in_(LIVE))):
            row.due_date = plus_days(row.available_date, assignment.completion_period)
            reopened = row.status == "overdue" and row.due_date >= u.now
            self._transition(row, "rescheduled", "open" if reopened else row.status, u.now)
            self._catch_up(row, assignment, u.now)
            u.session.add(row)

    def delete_assignment(self, tenant: str, assignment_id: str,
                          body: AssignmentDelete | None) -> None:
        with self.unit(tenant) as u:
            row = self._own_assignment(u, assignment_id)
            self._check_audience_field(u, row, body.audience_id if body else None)
            self._refresh(u)
            self._retire(u, row)


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


router = api_router()
Backend = Annotated[AssignmentsOps, operations(AssignmentsOps)]


@endpoint(router, "GET", f"{V1}/assignments")
def list_assignments(principal: Auth, backend: Backend, q: Query) -> Response:
    """Returns a list of assignments (bare array).

    Doc: /v1-api/apidocs/returns-a-list-of-assignments. `audienceId` is an optional query
    parameter (id or reference), as integrations send it.
    """
    return ok(backend.list_assignments(principal.tenant_id, q.paging("assignments"),
                                       audience=q.text("audienceId"),
                                       updated_since=q.instant("updatedSince")))


@endpoint(router, "POST", f"{V1}/assignments")
def create_assignment(principal: Auth, backend: Backend,
                      body: Annotated[AssignmentCreate,
                                      json_body(AssignmentCreate)]) -> Response:
    """Creates an assignment for a specific audience.

    Doc: /apidocs/creates-an-assignment. Answers 201; enrols the audience's members.
    """
    return ok(backend.create_assignment(principal.tenant_id, body), 201)


@endpoint(router, "GET", f"{V1}/assignments/{{assignmentId}}")
def get_assignment(principal: Auth, backend: Backend, assignment_id: AssignmentId) -> Response:
    """Returns an assignment (deleted ones included).

    Doc: /apidocs/returns-an-assignment.
    """
    return ok(backend.get_assignment(principal.tenant_id, assignment_id))


@endpoint(router, "PATCH", f"{V1}/assignments/{{assignmentId}}")
def update_assignment(principal: Auth, backend: Backend, assignment_id: AssignmentId,
                      body: Annotated[AssignmentUpdate,
                                      json_body(AssignmentUpdate)]) -> Response:
    """Updates an assignment; open and overdue enrolments follow at once.

    Doc: /apidocs/creates-an-assignment (fields); fact sheet S4.
    """
    return ok(backend.update_assignment(principal.tenant_id, assignment_id, body))


@endpoint(router, "DELETE", f"{V1}/assignments/{{assignmentId}}")
def delete_assignment(principal: Auth, backend: Backend, assignment_id: AssignmentId,
                      body: Annotated[AssignmentDelete | None,
                                      optional_json_body(AssignmentDelete)]
                      ) -> Response:
    """Deletes an assignment (soft delete; the body may carry `audienceId`).

    Doc: fact sheet S5. Answers 204; enrolments become archived.
    """
    backend.delete_assignment(principal.tenant_id, assignment_id, body)
    return empty()
