"""Thrive enrolments: the engine that opens, moves and archives them on the emulator clock, and
their reads.

Enrolments are derived from assignments x audience members and never written by a client:
`audiences`, `assignments`, `completions` and `users` drive them through `EnrolmentsOps`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Response
from sqlmodel import col, select

from emulator.thrive.base import Body, ThriveBase, Unit, at_least, at_most, each, new_ids, one_of
from emulator.thrive.errors import NotFound, Unprocessable
from emulator.thrive.models import ThriveActivity, ThriveAssignment, ThriveContent, ThriveEnrolment
from emulator.thrive.routing import (
    V1,
    AssignmentId,
    Auth,
    Query,
    api_router,
    endpoint,
    ok,
    operations,
)
from emulator.thrive.schemas import ENROLMENT_STATUSES, Paging, plus_days, stamp

ASSIGNED_ACTIVITY = "assigned"
COMPLETED_ACTIVITY = "completed"
LIVE = ("open", "overdue")


# ---------------------------------------------------------------------------------------------
# Wire shapes
# ---------------------------------------------------------------------------------------------


def history_entry(kind: str, previous: str, following: str, at: datetime,
                  completion_id: str | None = None) -> dict[str, Any]:
    return {"type": kind, "completionId": completion_id, "previousStatus": previous,
            "nextStatus": following, "createdAt": stamp(at), "updatedAt": stamp(at)}


def enrolment(row: ThriveEnrolment, owner: ThriveAssignment) -> dict[str, Any]:
    return {
        "id": row.id, "userId": row.user_id, "assignmentId": row.assignment_id,
        "audienceId": owner.audience_id, "primaryContentId": owner.primary_content_id,
        "status": row.status, "availableDate": stamp(row.available_date),
        "dueDate": stamp(row.due_date), "lastCompletedAt": stamp(row.last_completed_at),
        "history": list(row.history), "updatedAt": stamp(row.updated_at),
    }


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


class EnrolmentsOps(ThriveBase):
    """The enrolment engine, shared by every resource that opens or closes enrolments, and
    the enrolment reads."""

    @staticmethod
    def _transition(row: ThriveEnrolment, kind: str, status: str, at: datetime,
                    completion_id: str | None = None) -> None:
        at = max(at, row.updated_at)
        row.history = [*row.history, history_entry(kind, row.status, status, at,
                                                        completion_id)]
        row.status = status
        row.updated_at = at

    def _catch_up(self, row: ThriveEnrolment, assignment: ThriveAssignment,
                  now: datetime) -> None:
        """Apply every clock-driven transition that has come due, each stamped when due."""
        if row.status == "scheduled" and row.available_date <= now:
            self._transition(row, "assigned", "open", row.available_date)
        if row.status == "complete" and assignment.recurrence and not assignment.is_deleted \
                and row.last_completed_at is not None:
            reopen = plus_days(row.last_completed_at, assignment.recurrence)
            if reopen <= now:
                self._transition(row, "recurred", "open", reopen)
                row.available_date = row.updated_at
                row.due_date = plus_days(row.available_date, assignment.completion_period)
        if row.status == "open" and row.due_date < now:
            self._transition(row, "overdue", "overdue", row.due_date)

    def _refresh(self, u: Unit) -> None:
        """Bring the tenant's enrolments up to date with the emulator clock."""
        stmt = select(ThriveEnrolment, ThriveAssignment).join(
            ThriveAssignment, (col(ThriveAssignment.tenant_id) == col(ThriveEnrolment.tenant_id))
            & (col(ThriveAssignment.id) == col(ThriveEnrolment.assignment_id))
        ).where(ThriveEnrolment.tenant_id == u.tenant, (
            ((col(ThriveEnrolment.status) == "open") & (col(ThriveEnrolment.due_date) < u.now))
            | ((col(ThriveEnrolment.status) == "scheduled")
               & (col(ThriveEnrolment.available_date) <= u.now))
            | ((col(ThriveEnrolment.status) == "complete")
               & col(ThriveAssignment.recurrence).is_not(None)
               & col(ThriveAssignment.is_deleted).is_(False))))
        for row, assignment in u.session.exec(stmt).all():
            self._catch_up(row, assignment, u.now)
            u.session.add(row)

    def _enrol(self, u: Unit, assignment: ThriveAssignment, user_ids: list[str]) -> None:
        """Open an enrolment per user: new, or an archived one reopened; live ones stay."""
        if not user_ids:
            return
        existing = {e.user_id: e for e in self._all(u, select(ThriveEnrolment).where(
            ThriveEnrolment.tenant_id == u.tenant, ThriveEnrolment.assignment_id == assignment.id,
            col(ThriveEnrolment.user_id).in_(user_ids)))}
        fresh = [i for i in user_ids if i not in existing]
        ids = iter(new_ids(u, len(fresh)) if fresh else [])
        opened: list[str] = []
        due = plus_days(u.now, assignment.completion_period)
        for user_id in user_ids:
            row = existing.get(user_id)
            if row is None:
                row = ThriveEnrolment(tenant_id=u.tenant, id=next(ids),
                                      assignment_id=assignment.id, user_id=user_id,
                                      status="unassigned", available_date=u.now, due_date=due,
                                      updated_at=u.now)
            elif row.status != "archived":
                continue
            self._transition(row, "assigned", "open", u.now)
            row.available_date, row.due_date = u.now, due
            u.session.add(row)
            opened.append(user_id)
        content = self._get(u, ThriveContent, assignment.primary_content_id)
        self._record_activities(u, ASSIGNED_ACTIVITY, opened, content, u.now,
                                {"assignmentId": assignment.id})

    def _archive(self, u: Unit, rows: Iterable[ThriveEnrolment]) -> None:
        for row in rows:
            if row.status != "archived":
                self._transition(row, "archived", "archived", u.now)
                u.session.add(row)

    def _live_assignments(self, u: Unit, audience_id: str) -> list[ThriveAssignment]:
        return self._all(u, select(ThriveAssignment).where(
            ThriveAssignment.tenant_id == u.tenant, ThriveAssignment.audience_id == audience_id,
            col(ThriveAssignment.is_deleted).is_(False)).order_by(col(ThriveAssignment.id)))

    def _retire(self, u: Unit, assignment: ThriveAssignment) -> None:
        """Soft delete: readable afterwards, every enrolment archived."""
        assignment.is_deleted, assignment.is_active = True, False
        assignment.deleted_at = assignment.updated_at = u.now
        u.session.add(assignment)
        self._archive(u, self._all(u, select(ThriveEnrolment).where(
            ThriveEnrolment.tenant_id == u.tenant,
            ThriveEnrolment.assignment_id == assignment.id)))

    def _record_activities(self, u: Unit, kind: str, user_ids: list[str],
                           content: ThriveContent | None, at: datetime,
                           data: dict[str, Any]) -> None:
        for user_id, activity_id in zip(user_ids, new_ids(u, len(user_ids)) if user_ids else [],
                                        strict=True):
            u.session.add(ThriveActivity(
                tenant_id=u.tenant, id=activity_id, user_id=user_id, type=kind,
                name=content.title if content else None, date=at,
                context_id=content.id if content else None, context_type="content",
                content_type=content.type if content else None, data=data, with_=None))

    def list_enrolments(self, tenant: str, assignment_id: str, paging: Paging, *,
                        status: list[str] | None, updated_from: datetime | None,
                        updated_to: datetime | None) -> list[Body]:
        with self.unit(tenant) as u:
            owner = self._found(u, ThriveAssignment, assignment_id, "Assignment")
            self._refresh(u)
            return self._listed(u, ThriveEnrolment, paging,
                                each(lambda r: enrolment(r, owner)), (
                ThriveEnrolment.assignment_id == owner.id,
                one_of(ThriveEnrolment.status, status),
                at_least(ThriveEnrolment.updated_at, updated_from),
                at_most(ThriveEnrolment.updated_at, updated_to)), (col(ThriveEnrolment.id),))[0]

    def get_enrolment(self, tenant: str, assignment_id: str, enrolment_id: str) -> Body:
        with self.unit(tenant) as u:
            owner = self._found(u, ThriveAssignment, assignment_id, "Assignment")
            self._refresh(u)
            row = self._get(u, ThriveEnrolment, enrolment_id)
            if row is None or row.assignment_id != owner.id:
                raise NotFound("Enrolment not found")
            return enrolment(row, owner)


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


router = api_router()
Backend = Annotated[EnrolmentsOps, operations(EnrolmentsOps)]


@endpoint(router, "GET", f"{V1}/assignments/{{assignmentId}}/enrolments")
def list_enrolments(principal: Auth, backend: Backend, assignment_id: AssignmentId,
                    q: Query) -> Response:
    """Returns a list of enrolments for an assignment (bare array).

    Doc: /apidocs/returns-a-list-of-enrolments-for-an-assignment. Statuses follow the
    emulator clock.
    """
    updated_from = q.instant("updatedAtFrom")
    updated_to = q.instant("updatedAtTo", upper=True)
    if updated_to is not None and updated_from is None:
        raise Unprocessable("updatedAtTo requires updatedAtFrom")
    return ok(backend.list_enrolments(principal.tenant_id, assignment_id,
                                      q.paging("enrolments"),
                                      status=q.csv("status", ENROLMENT_STATUSES),
                                      updated_from=updated_from, updated_to=updated_to))


@endpoint(router, "GET", f"{V1}/assignments/{{assignmentId}}/enrolments/{{enrolmentId}}")
def get_enrolment(principal: Auth, backend: Backend, assignment_id: AssignmentId,
                  enrolment_id: Annotated[str, Path(alias="enrolmentId")]) -> Response:
    """Returns the enrolment.

    Doc: /apidocs/returns-the-enrolment (`history` is the docs' "eventLog").
    """
    return ok(backend.get_enrolment(principal.tenant_id, assignment_id, enrolment_id))
