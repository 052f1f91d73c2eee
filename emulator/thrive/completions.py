"""Thrive learning completions: reads, and the write that completes enrolments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Response
from sqlmodel import col, select

from emulator.thrive.base import Body, at_least, at_most, each, equal, flag, new_id
from emulator.thrive.enrolments import COMPLETED_ACTIVITY, LIVE, EnrolmentsOps
from emulator.thrive.errors import Unprocessable
from emulator.thrive.models import (
    ThriveAssignment,
    ThriveCompletion,
    ThriveContent,
    ThriveEnrolment,
    ThriveUser,
)
from emulator.thrive.routing import V1, Auth, Query, api_router, endpoint, json_body, ok, operations
from emulator.thrive.schemas import Paging, RequestBody, Text, When, plus_days, stamp

# ---------------------------------------------------------------------------------------------
# Wire shapes
# ---------------------------------------------------------------------------------------------


class CompletionCreate(RequestBody):
    user_id: Text
    content_id: Text
    completed_at: When


def completion(row: ThriveCompletion) -> dict[str, Any]:
    return {
        "id": row.id, "userId": row.user_id, "contentId": row.content_id,
        "contentVersion": row.content_version, "skills": list(row.skills),
        "completionType": row.completion_type, "hadDueDate": row.had_due_date,
        "isRPL": row.is_rpl, "completedAt": stamp(row.completed_at),
        "activeUntil": stamp(row.active_until),
    }


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


class CompletionsOps(EnrolmentsOps):
    """Learning completions."""

    def list_completions(self, tenant: str, paging: Paging, *, content_id: str | None,
                         user_id: str | None, is_rpl: bool | None, start: datetime | None,
                         end: datetime | None) -> list[Body]:
        with self.unit(tenant) as u:
            return self._listed(u, ThriveCompletion, paging, each(completion), (
                equal(ThriveCompletion.content_id, content_id and content_id.lower()),
                equal(ThriveCompletion.user_id, user_id and user_id.lower()),
                flag(ThriveCompletion.is_rpl, is_rpl),
                at_least(ThriveCompletion.completed_at, start),
                at_most(ThriveCompletion.completed_at, end)), (col(ThriveCompletion.id),))[0]

    def get_completion(self, tenant: str, completion_id: str) -> Body:
        with self.unit(tenant) as u:
            return completion(self._found(u, ThriveCompletion, completion_id, "Completion"))

    def create_completion(self, tenant: str, body: CompletionCreate) -> Body:
        with self.unit(tenant) as u:
            user = self._get(u, ThriveUser, body.user_id)
            if user is None or user.deleted:
                raise Unprocessable(f"userId: user '{body.user_id}' not found")
            content = self._get(u, ThriveContent, body.content_id)
            if content is None:
                raise Unprocessable(f"contentId: content '{body.content_id}' not found")
            self._refresh(u)
            row = ThriveCompletion(tenant_id=tenant, id=new_id(u), user_id=user.id,
                                   content_id=content.id, skills=list(content.tags),
                                   completed_at=body.completed_at)
            counting = [(e, a) for e, a in u.session.exec(
                select(ThriveEnrolment, ThriveAssignment).join(
                    ThriveAssignment,
                    (col(ThriveAssignment.tenant_id) == col(ThriveEnrolment.tenant_id))
                    & (col(ThriveAssignment.id) == col(ThriveEnrolment.assignment_id)))
                .where(ThriveEnrolment.tenant_id == tenant, ThriveEnrolment.user_id == user.id,
                       col(ThriveEnrolment.status).in_(LIVE),
                       col(ThriveAssignment.is_deleted).is_(False))
                .order_by(col(ThriveEnrolment.id))).all()
                if content.id in (a.primary_content_id, *a.alternative_content_ids)]
            row.had_due_date = bool(counting)
            recurrences = [a.recurrence for _, a in counting if a.recurrence]
            if recurrences:
                row.active_until = plus_days(body.completed_at, min(recurrences))
            u.session.add(row)
            for enrolment, assignment in counting:
                self._transition(enrolment, "completed", "complete", u.now, row.id)
                enrolment.last_completed_at = body.completed_at
                self._catch_up(enrolment, assignment, u.now)
                u.session.add(enrolment)
            self._record_activities(u, COMPLETED_ACTIVITY, [user.id], content,
                                    body.completed_at, {"completionId": row.id})
            return {"statementId": str(uuid.uuid4())}


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


router = api_router()
Backend = Annotated[CompletionsOps, operations(CompletionsOps)]


@endpoint(router, "GET", f"{V1}/learning/completions")
def list_completions(principal: Auth, backend: Backend, q: Query) -> Response:
    """Returns learning completions (bare array).

    Doc: fact sheet C1 (`contentId`, `isRPL`, `userId`, inclusive completed-date range).
    """
    return ok(backend.list_completions(
        principal.tenant_id, q.paging("completions"), content_id=q.text("contentId"),
        user_id=q.text("userId"), is_rpl=q.boolean("isRPL"),
        start=q.instant("completedDateRangeStart"),
        end=q.instant("completedDateRangeEnd", upper=True)))


@endpoint(router, "GET", f"{V1}/learning/completions/{{completionId}}")
def get_completion(principal: Auth, backend: Backend,
                   completion_id: Annotated[str, Path(alias="completionId")]) -> Response:
    """Returns a learning completion.

    Doc: fact sheet C2.
    """
    return ok(backend.get_completion(principal.tenant_id, completion_id))


@endpoint(router, "POST", f"{V1}/learning/completions")
def create_completion(principal: Auth, backend: Backend,
                      body: Annotated[CompletionCreate,
                                      json_body(CompletionCreate)]) -> Response:
    """Creates a completion record.

    Doc: /apidocs/creates-a-completion-record. Answers 201 `{statementId}`; completes the
    user's counting enrolments and records a `completed` activity.
    """
    return ok(backend.create_completion(principal.tenant_id, body), 201)
