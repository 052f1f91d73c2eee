"""iSpring statistics writes: course and module statuses, module resets, assignment grades, tasks.

Behaviours the fact sheet leaves open:
- `POST /statistics/course` sets a course status over the derived one; "automatic" returns to
  the status derived from module results (inferred; see `results.course_status`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BeforeValidator, Field
from sqlalchemy import delete
from sqlmodel import Session, col, select

from emulator.core.ids import next_int, time_uuid
from emulator.ispring.auth import (
    Principal,
    Right,
    StatisticsWrite,
    authenticate,
    operations,
)
from emulator.ispring.base import FINISHED, SUCCESS, BackendBase
from emulator.ispring.errors import BadRequest, NotFound, PermissionDenied
from emulator.ispring.fields import (
    Id,
    IdList,
    OptScore,
    OptText,
    OptWhen,
    RequiredIds,
    Score,
    Text,
    When,
    _choice,
)
from emulator.ispring.models import (
    IspringAssignmentAttempt,
    IspringContent,
    IspringEnrollment,
    IspringModule,
    IspringModuleResult,
    IspringTask,
)
from emulator.ispring.results import ResultView, _ResultCalculator
from emulator.ispring.schemas import COMPLETION_STATUSES, COURSE_STATUSES, RequestModel, _pre_items
from emulator.ispring.webhooks import _nanoseconds, _Outbox, delivering
from emulator.ispring.wire import Body, OptionalBody, Query, Tree, empty, ok


class UpdateCourseStatus(RequestModel):
    course_id: Id = Field(alias="courseId")
    enrollment_ids: RequiredIds = Field(alias="enrollmentIds")
    status: Annotated[str, BeforeValidator(_choice(*COURSE_STATUSES))]
    date: OptWhen = None
    reason: OptText = None
    awarded_score: OptScore = Field(default=None, alias="awardedScore")


class ModuleStatusIn(RequestModel):
    content_item_id: Id = Field(alias="contentItemId")
    date: When
    reason: Text
    status: Annotated[str, BeforeValidator(_choice(*COMPLETION_STATUSES))]
    awarded_score: Score = Field(alias="awardedScore")


class UpdateModuleStatuses(RequestModel):
    course_id: Id = Field(alias="courseId")
    enrollment_ids: RequiredIds = Field(alias="enrollmentIds")
    module_statuses: Annotated[list[ModuleStatusIn], BeforeValidator(_pre_items)] = Field(
        alias="moduleStatuses", min_length=1)


class ResetModuleStatistics(RequestModel):
    course_id: Id = Field(alias="courseId")
    enrollment_ids: RequiredIds = Field(alias="enrollmentIds")
    content_item_ids: IdList = Field(default_factory=list, alias="contentItemIds")


class AttemptGrade(RequestModel):
    attempt_id: Id = Field(alias="attemptId")
    score: Score
    comment: OptText = None


class AttemptGrades(RequestModel):
    grades: Annotated[list[AttemptGrade], BeforeValidator(_pre_items)] = Field(
        alias="assignmentAttemptGrades", min_length=1)


class StatisticsOps(BackendBase):
    """Writing results: course and module statuses, grades; the tasks that report them."""

    def grade_attempts(self, p: Principal, body: AttemptGrades) -> None:
        """Grade attempts: the learner's assignment module is passed at the course's passing
        score (50 without one) and failed below it (inferred)."""
        p.require(Right.STATISTICS_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            ids = [g.attempt_id for g in body.grades]
            attempts = {a.attempt_id: a for a in session.exec(select(IspringAssignmentAttempt)
                        .where(IspringAssignmentAttempt.tenant_id == p.tenant_id,
                               col(IspringAssignmentAttempt.attempt_id).in_(ids))).all()}
            learners = self._users_by_id(session, p.tenant_id,
                                         {a.user_id for a in attempts.values()})
            if any(not p.covers(u.department_id) for u in learners.values()):
                raise PermissionDenied()
            for grade in body.grades:
                attempt = attempts.get(grade.attempt_id)
                if attempt is None:
                    raise BadRequest(f"Unknown attempt: {grade.attempt_id}")
                if attempt.graded_at is not None:
                    raise BadRequest(f"Wrong parameters: attempt {attempt.attempt_id} is "
                                     "already graded")
            rows = [e for e in (session.get(IspringEnrollment, (p.tenant_id, a.enrollment_id))
                                for a in attempts.values()) if e is not None]
            before = self._progress(session, p.tenant_id, now, rows)
            for grade in body.grades:
                attempt = attempts[grade.attempt_id]
                attempt.score = grade.score
                attempt.grade_comment = grade.comment
                attempt.graded_at = now
                session.add(attempt)
                enrollment = session.get(IspringEnrollment, (p.tenant_id, attempt.enrollment_id))
                if enrollment is not None:
                    self._record_grade(session, enrollment, attempt, now)
            self._announce_progress(session, p.tenant_id, now, rows, before)
            self._issue_certificates(session, p.tenant_id, rows, now)

    @staticmethod
    def _record_grade(session: Session, enrollment: IspringEnrollment,
                      attempt: IspringAssignmentAttempt, now: datetime) -> None:
        course = session.get(IspringContent, (enrollment.tenant_id, enrollment.course_id))
        passing = course.passing_score if course and course.passing_score is not None else 50
        status = "passed" if (attempt.score or 0) >= passing else "failed"
        if enrollment.course_id == attempt.assignment_id:  # the assignment enrolled on its own
            enrollment.status_override = status
            enrollment.override_at = now
            enrollment.override_score = attempt.score
            session.add(enrollment)
            return
        module = session.exec(select(IspringModule).where(
            IspringModule.tenant_id == enrollment.tenant_id,
            IspringModule.course_id == enrollment.course_id,
            IspringModule.item_id == attempt.assignment_id)).first()
        if module is None:
            return
        result = session.get(IspringModuleResult, (enrollment.tenant_id,
                                                   enrollment.enrollment_id, module.module_id))
        result = result or IspringModuleResult(tenant_id=enrollment.tenant_id,
                                               enrollment_id=enrollment.enrollment_id,
                                               module_id=module.module_id)
        result.status = status
        result.score = attempt.score
        result.completed_at = now
        result.last_view_at = now
        session.add(result)

    def _statistics_targets(self, session: Session, p: Principal, course_id: str,
                            enrollment_ids: Sequence[str]) -> list[IspringEnrollment]:
        rows = self._enrollments_named(session, p, enrollment_ids)
        if session.get(IspringContent, (p.tenant_id, course_id)) is None:
            raise BadRequest(f"Unknown content item: {course_id}")
        for row in rows:
            if row.course_id != course_id:
                raise BadRequest(f"Wrong parameters: enrollment {row.enrollment_id} is not an "
                                 f"enrollment in course {course_id}")
        return rows

    @staticmethod
    def _progress(session: Session, tenant_id: str, now: datetime,
                  rows: Sequence[IspringEnrollment]) -> dict[tuple[str, str], ResultView]:
        """Course results (module "") and module results of enrollments, as they are now."""
        calc = _ResultCalculator(session, tenant_id, now)
        out: dict[tuple[str, str], ResultView] = {}
        for row in rows:
            out[(row.enrollment_id, "")] = calc.course(row)
            for result in calc.modules(row):
                out[(row.enrollment_id, result.module_id or "")] = result
        return out

    def _announce_progress(self, session: Session, tenant_id: str, now: datetime,
                           rows: Sequence[IspringEnrollment],
                           before: dict[tuple[str, str], ResultView]) -> None:
        """Status-change and completion events for what a statistics write changed."""
        session.flush()
        outbox = _Outbox(session, tenant_id, now)
        for key, result in self._progress(session, tenant_id, now, rows).items():
            was = before.get(key)
            if was is not None and was.status == result.status:
                continue
            succeeded = result.status in SUCCESS and (was is None or was.status not in SUCCESS)
            done = _nanoseconds(result.completed_at or now)
            who = {"learnerId": result.user_id}
            # Course results (module "") and module results announce the same two events under
            # their own names, payload keys and subscription filter.
            if key[1] == "":
                changed, completed = "COURSE_STATUS_CHANGED", "COURSE_COMPLETED_SUCCESSFULLY"
                where: dict[str, str | None] = {"courseId": result.course_id}
                scope: dict[str, str | None] = {"course": result.course_id}
            else:
                changed = "COURSE_ITEM_STATUS_CHANGED"
                completed = "COURSE_ITEM_COMPLETED_SUCCESSFULLY"
                where = {"courseId": result.course_id, "courseItemId": result.course_item_id}
                scope = {"item": result.course_item_id}
            outbox.emit(changed, {
                **where, **who, "enrollmentId": result.enrollment_id,
                "completionStatus": result.status}, users=[result.user_id], **scope)
            if succeeded:
                outbox.emit(completed, {
                    **where, **who, "enrollmentIds": [result.enrollment_id],
                    "completionDate": done}, users=[result.user_id], **scope)

    @staticmethod
    def _issue_certificates(session: Session, tenant_id: str,
                            rows: Sequence[IspringEnrollment], now: datetime) -> None:
        """A course with a certificate issues one when it is first completed successfully."""
        calc = _ResultCalculator(session, tenant_id, now)
        for row in rows:
            course = calc.course_row(row.course_id)
            if (course is not None and course.certificate and row.certificate_id is None
                    and calc.course(row).status in SUCCESS):
                row.certificate_id = time_uuid(now)
                row.certificate_at = now
                session.add(row)

    def _new_task(self, session: Session, tenant_id: str, now: datetime) -> int:
        task_id = next_int(session, "ispring.task")
        session.add(IspringTask(tenant_id=tenant_id, task_id=task_id, created_at=now))
        return task_id

    def _write_statistics(self, p: Principal, course_id: str, enrollment_ids: Sequence[str],
                          apply: Callable[[Session, datetime, list[IspringEnrollment]], None],
                          *, certificates: bool = True) -> int:
        """D22: applied at once; the task is already complete.

        Every statistics write is judged against the progress it changes: events are announced
        from the difference, so `apply` must run between the two snapshots.
        """
        p.require(Right.STATISTICS_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            rows = self._statistics_targets(session, p, course_id, enrollment_ids)
            before = self._progress(session, p.tenant_id, now, rows)
            apply(session, now, rows)
            self._announce_progress(session, p.tenant_id, now, rows, before)
            if certificates:
                self._issue_certificates(session, p.tenant_id, rows, now)
            return self._new_task(session, p.tenant_id, now)

    def update_course_status(self, p: Principal, body: UpdateCourseStatus) -> int:
        def apply(session: Session, now: datetime, rows: list[IspringEnrollment]) -> None:
            for row in rows:
                if body.status == "automatic":
                    row.status_override = None
                    row.override_at = None
                    row.override_score = None
                else:
                    row.status_override = body.status
                    row.override_at = body.date or now
                    row.override_score = body.awarded_score
                    row.last_view_at = body.date or now
                session.add(row)
        return self._write_statistics(p, body.course_id, body.enrollment_ids, apply)

    def update_module_statuses(self, p: Principal, body: UpdateModuleStatuses) -> int:
        def apply(session: Session, _now: datetime, rows: list[IspringEnrollment]) -> None:
            modules = self._course_modules(session, p.tenant_id, body.course_id,
                                           [m.content_item_id for m in body.module_statuses])
            for row in rows:
                for status in body.module_statuses:
                    module_id = modules[status.content_item_id].module_id
                    result = session.get(IspringModuleResult,
                                         (p.tenant_id, row.enrollment_id, module_id))
                    if result is None:
                        result = IspringModuleResult(tenant_id=p.tenant_id,
                                                     enrollment_id=row.enrollment_id,
                                                     module_id=module_id)
                    result.status = status.status
                    result.score = status.awarded_score
                    result.completed_at = status.date if status.status in FINISHED else None
                    result.last_view_at = status.date
                    result.views = (result.views or 0) + 1
                    session.add(result)
        return self._write_statistics(p, body.course_id, body.enrollment_ids, apply)

    def reset_module_statistics(self, p: Principal, body: ResetModuleStatistics) -> int:
        def apply(session: Session, _now: datetime, rows: list[IspringEnrollment]) -> None:
            modules = self._course_modules(session, p.tenant_id, body.course_id,
                                           body.content_item_ids)
            stmt = delete(IspringModuleResult).where(
                col(IspringModuleResult.tenant_id) == p.tenant_id,
                col(IspringModuleResult.enrollment_id).in_([r.enrollment_id for r in rows]))
            if body.content_item_ids:
                stmt = stmt.where(col(IspringModuleResult.module_id).in_(
                    [modules[i].module_id for i in body.content_item_ids]))
            session.execute(stmt)
        # Resetting only takes progress away, so it never earns a certificate.
        return self._write_statistics(p, body.course_id, body.enrollment_ids, apply,
                                      certificates=False)

    @staticmethod
    def _course_modules(session: Session, tenant_id: str, course_id: str,
                        item_ids: Sequence[str]) -> dict[str, IspringModule]:
        """The course's modules by content item id; every one of `item_ids` must be among them."""
        modules = {m.item_id: m for m in session.exec(select(IspringModule).where(
            IspringModule.tenant_id == tenant_id, IspringModule.course_id == course_id)).all()}
        for item_id in item_ids:
            if item_id not in modules:
                raise BadRequest(f"Wrong parameters: {item_id} is not a module of course "
                                 f"{course_id}")
        return modules

    def task_status(self, p: Principal, task_id: str) -> str:
        p.require(Right.STATISTICS_WRITE)
        if not task_id.isdigit() or len(task_id) > 18:
            raise BadRequest("Wrong parameters: taskId must be an integer")
        with self._unit(p.tenant_id) as (session, _now):
            task = session.get(IspringTask, (p.tenant_id, int(task_id)))
            if task is None:
                raise NotFound("Unknown task")
            return task.status


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[StatisticsOps, operations(StatisticsOps)]


@router.post("/assignments/attempts/grade")
def grade_assignments(request: Request, caller: StatisticsWrite, body: Body,
                      backend: Backend) -> Response:
    """Grade assignment attempts.

    Vendor doc: §5.11 AssignmentAttemptGrades (score 0 to 100); the grade becomes the learner's
    result on the assignment; unknown or already graded attempts → 400, nothing graded.
    """
    backend.grade_attempts(caller, AttemptGrades.parse(body))
    return delivering(empty(request), request, caller)


@router.post("/statistics/course")
def update_course_status(request: Request, caller: StatisticsWrite, body: OptionalBody,
                         q: Query, backend: Backend) -> Response:
    """Set the course status of enrollments.

    Vendor doc: §5.8 UpdateCourseStatus (body, or the OAS query form); applied at once (D22);
    `automatic` returns to the status derived from the modules.
    """
    from_query: Tree = {k: v for k, v in q.data.items()
                        if k in ("courseId", "enrollmentIds", "status", "date", "reason",
                                 "awardedScore")}
    task = backend.update_course_status(caller, UpdateCourseStatus.parse({**from_query,
                                                                             **body}))
    return delivering(ok(request, {"taskId": task}), request, caller)


@router.post("/statistics/module")
def update_module_statuses(request: Request, caller: StatisticsWrite, body: Body,
                           backend: Backend) -> Response:
    """Set module statuses of enrollments.

    Vendor doc: §5.8 UpdateModulesStatuses; applied at once (D22).
    """
    task = backend.update_module_statuses(caller, UpdateModuleStatuses.parse(body))
    return delivering(ok(request, {"taskId": task}), request, caller)


@router.delete("/statistics/module")
def reset_module_statistics(request: Request, caller: StatisticsWrite, q: Query,
                            backend: Backend) -> Response:
    """Reset module statistics of enrollments.

    Vendor doc: §5.8; query courseId, enrollmentIds, contentItemIds (all modules when absent).
    """
    body = ResetModuleStatistics.parse({
        "courseId": q.text("courseId"), "enrollmentIds": q.strings("enrollmentIds") or None,
        "contentItemIds": q.strings("contentItemIds")})
    task = backend.reset_module_statistics(caller, body)
    return delivering(ok(request, {"taskId": task}), request, caller)


@router.get("/task/{task_id}/status")
def get_task_status(request: Request, task_id: str, caller: StatisticsWrite,
                    backend: Backend) -> Response:
    """Get the status of an asynchronous statistics task.

    Vendor doc: §5.8; always `complete` (D22); unknown → 404 "Unknown task" (inferred).
    """
    return ok(request, {"status": backend.task_status(caller, task_id)})
