"""iSpring enrollments: enrolling learners in courses, due dates, changes, re-enrolment, removal.

Behaviours the fact sheet leaves open:
- `due_date_for`: `default` applies the course's own due period; `due_period` counts hours from
  the access date; `lockAfterDueDate` only matters when there is a due date (inferred).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, ClassVar, Self

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field, model_validator
from sqlalchemy import delete
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from emulator.core.clock import as_utc
from emulator.core.ids import time_uuid
from emulator.ispring.auth import (
    EnrollmentsRead,
    EnrollmentsWrite,
    Principal,
    Right,
    authenticate,
    operations,
)
from emulator.ispring.base import BackendBase
from emulator.ispring.errors import BadRequest, PermissionDenied
from emulator.ispring.fields import OptDueType, OptFlag, OptInt, OptWhen, RequiredIds, StrList
from emulator.ispring.models import (
    IspringContent,
    IspringEnrollment,
    IspringModuleResult,
    IspringTraining,
)
from emulator.ispring.schemas import Page, PageParams, RequestModel, day, page_tree
from emulator.ispring.webhooks import _Outbox, delivering
from emulator.ispring.wire import (
    Body,
    Entity,
    Items,
    OptionalBody,
    Query,
    QueryArgs,
    Reply,
    Tree,
    empty,
    encode,
    ok,
    without_path_id,
)


class EnrollmentDates(RequestModel):
    """accessDate / dueDateType / dueDate / duePeriod / lockAfterDueDate (§5.6)."""

    access_date: OptWhen = Field(default=None, alias="accessDate")
    due_date_type: OptDueType = Field(default=None, alias="dueDateType")
    due_date: OptWhen = Field(default=None, alias="dueDate")
    due_period: OptInt = Field(default=None, alias="duePeriod")
    lock_after_due_date: OptFlag = Field(default=None, alias="lockAfterDueDate")

    # Set by subclasses: the doc pages of edit/re-enroll call these required, create does not.
    type_required: ClassVar[bool] = False
    lock_required: ClassVar[bool] = False

    @model_validator(mode="after")
    def _due_rules(self) -> Self:
        if self.due_date_type is None and self.type_required:
            raise ValueError("dueDateType is required")
        if self.due_period is not None and self.due_period < 0:
            raise ValueError("duePeriod must not be negative")
        kind = self.effective_type
        if kind == "due_date" and self.due_date is None:
            raise ValueError("dueDate is required when dueDateType is due_date")
        if kind == "due_period" and not self.due_period:
            raise ValueError("duePeriod (hours, at least 1) is required when dueDateType is "
                             "due_period")
        if (self.lock_required and kind in ("due_date", "due_period")
                and self.lock_after_due_date is None):
            raise ValueError(f"lockAfterDueDate is required when dueDateType is {kind}")
        return self

    @property
    def effective_type(self) -> str:
        # D8: a missing dueDateType on create means the course's default settings.
        return self.due_date_type or "default"


class NewEnrollment(EnrollmentDates):
    course_ids: RequiredIds = Field(alias="courseIds")
    learner_ids: RequiredIds = Field(alias="learnerIds")


class UpdateEnrollment(EnrollmentDates):
    type_required: ClassVar[bool] = True
    lock_required: ClassVar[bool] = True


class Reenroll(EnrollmentDates):
    type_required: ClassVar[bool] = True


class DeleteEnrollments(RequestModel):
    enrollment_ids: RequiredIds = Field(alias="enrollmentIds")


class EnrollmentFilter(PageParams):
    course_ids: StrList = Field(default_factory=list, alias="courseIds")
    learner_ids: StrList = Field(default_factory=list, alias="learnerIds")
    enrollment_ids: StrList = Field(default_factory=list, alias="enrollmentIds")


def enrollment_tree(enrollment: IspringEnrollment) -> Tree:
    return {
        "enrollmentId": enrollment.enrollment_id,
        "courseId": enrollment.course_id,
        "learnerId": enrollment.learner_id,
        "accessDate": as_utc(enrollment.access_at).date().isoformat(),
        "dueDate": day(enrollment.due_date),
        "expirationDate": day(enrollment.due_date) if enrollment.lock_after_due_date else None,
        "shouldLockAfterDueDate": enrollment.lock_after_due_date,
        "certificate": None if enrollment.certificate_id is None or enrollment.certificate_at
        is None else {"issuedCertificateId": enrollment.certificate_id,
                      "issueDate": as_utc(enrollment.certificate_at).date().isoformat()},
        "enrollmentTypeGroup": enrollment.type_group,
    }


def due_date_for(kind: str, access: datetime, due_date: datetime | None,
                 due_period: int | None, course: IspringContent) -> date | None:
    if kind == "due_date":
        assert due_date is not None
        return as_utc(due_date).date()
    hours = due_period if kind == "due_period" else (
        course.default_due_period if kind == "default" else None)
    if hours is None:
        return None
    try:
        return (as_utc(access) + timedelta(hours=hours)).date()
    except OverflowError:
        raise BadRequest("Wrong parameters: the due date is out of range") from None


class EnrollmentsOps(BackendBase):
    """Enrollments: listing, enrolling, rescheduling, re-enrolling and removing."""

    def _filtered_enrollments(self, p: Principal, flt: EnrollmentFilter,
                              ) -> SelectOfScalar[IspringEnrollment]:
        return self._enrollment_query(p, course_ids=flt.course_ids, learner_ids=flt.learner_ids,
                                      enrollment_ids=flt.enrollment_ids)

    def list_enrollments(self, p: Principal, flt: EnrollmentFilter) -> list[IspringEnrollment]:
        p.require(Right.ENROLLMENTS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return list(session.exec(self._filtered_enrollments(p, flt).order_by(
                col(IspringEnrollment.enrollment_id))).all())

    def page_enrollments(self, p: Principal, flt: EnrollmentFilter,
                         ) -> Page[IspringEnrollment]:
        p.require(Right.ENROLLMENTS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._keyset(session, self._filtered_enrollments(p, flt),
                                IspringEnrollment.enrollment_id, lambda e: e.enrollment_id,
                                flt.page_size, flt.page_token)

    def get_enrollment(self, p: Principal, enrollment_id: str) -> IspringEnrollment:
        p.require(Right.ENROLLMENTS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._enrollment(session, p, enrollment_id)

    @staticmethod
    def _schedule(enrollment: IspringEnrollment, body: EnrollmentDates, course: IspringContent,
                  now: datetime) -> None:
        enrollment.access_at = body.access_date or now
        enrollment.due_date_type = body.effective_type
        enrollment.due_date = due_date_for(body.effective_type, enrollment.access_at,
                                           body.due_date, body.due_period, course)
        enrollment.lock_after_due_date = bool(body.lock_after_due_date
                                              and enrollment.due_date is not None)

    def _rescheduled(self, session: Session, p: Principal, enrollment_id: str,
                     body: EnrollmentDates, now: datetime) -> IspringEnrollment:
        """An enrollment named in the path, its dates set again from `body`."""
        row = self._enrollment(session, p, enrollment_id)
        course = session.get(IspringContent, (p.tenant_id, row.course_id))
        assert course is not None  # content is never deleted, so the course is still there
        self._schedule(row, body, course, now)
        return row

    def create_enrollments(self, p: Principal, body: NewEnrollment) -> list[str]:
        """D6: each course with each learner, course-major; enrolled pairs keep their ID."""
        p.require(Right.ENROLLMENTS_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            learners = self._users_named(session, p, body.learner_ids)
            courses = {c.content_id: c for c in session.exec(select(IspringContent).where(
                IspringContent.tenant_id == p.tenant_id,
                col(IspringContent.content_id).in_(body.course_ids))).all()}
            if p.is_publisher and any(c.author_id != p.user_id for c in courses.values()):
                raise PermissionDenied()
            missing = [c for c in body.course_ids if c not in courses]
            if missing and session.get(IspringTraining, (p.tenant_id, missing[0])) is not None:
                raise BadRequest("Wrong parameters: a training cannot be assigned with "
                                 "POST /enrollment (learners join its sessions)")
            if missing:
                raise BadRequest(f"Unknown content item: {missing[0]}")
            existing = {(e.course_id, e.learner_id): e.enrollment_id for e in session.exec(
                select(IspringEnrollment).where(
                    IspringEnrollment.tenant_id == p.tenant_id,
                    col(IspringEnrollment.course_id).in_(body.course_ids),
                    col(IspringEnrollment.learner_id).in_(body.learner_ids))).all()}
            out: list[str] = []
            outbox = _Outbox(session, p.tenant_id, now)
            for course_id in body.course_ids:
                enrolled: list[str] = []
                for learner in learners:
                    pair = (course_id, learner.user_id)
                    if pair not in existing:
                        enrolled.append(learner.user_id)
                        row = IspringEnrollment(
                            tenant_id=p.tenant_id, enrollment_id=time_uuid(now),
                            course_id=course_id, learner_id=learner.user_id, access_at=now,
                            due_date_type="unlimited", created_at=now)
                        self._schedule(row, body, courses[course_id], now)
                        session.add(row)
                        existing[pair] = row.enrollment_id
                    out.append(existing[pair])
                if enrolled:
                    outbox.emit("LEARNERS_ENROLLED_IN_COURSE",
                                {"courseId": course_id, "learnerIds": enrolled},
                                users=enrolled, course=course_id)
            return out

    def update_enrollment(self, p: Principal, enrollment_id: str,
                          body: UpdateEnrollment) -> None:
        p.require(Right.ENROLLMENTS_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            row = self._rescheduled(session, p, enrollment_id, body, now)
            session.add(row)

    def reenroll(self, p: Principal, enrollment_id: str, body: Reenroll) -> None:
        """The learner starts over: progress is reset, the enrollment ID stays (inferred)."""
        p.require(Right.ENROLLMENTS_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            row = self._rescheduled(session, p, enrollment_id, body, now)
            row.status_override = None
            row.override_at = None
            row.override_score = None
            row.time_spent = 0
            row.views = 0
            row.last_view_at = None
            row.certificate_id = None
            row.certificate_at = None
            session.execute(delete(IspringModuleResult).where(
                col(IspringModuleResult.tenant_id) == p.tenant_id,
                col(IspringModuleResult.enrollment_id) == row.enrollment_id))
            session.add(row)

    def delete_enrollments(self, p: Principal, body: DeleteEnrollments) -> None:
        p.require(Right.ENROLLMENTS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            rows = self._enrollments_named(session, p, body.enrollment_ids)
            session.execute(delete(IspringModuleResult).where(
                col(IspringModuleResult.tenant_id) == p.tenant_id,
                col(IspringModuleResult.enrollment_id).in_(body.enrollment_ids)))
            for row in rows:
                session.delete(row)


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[EnrollmentsOps, operations(EnrollmentsOps)]


def enrollment_filter(q: QueryArgs) -> EnrollmentFilter:
    return EnrollmentFilter.parse({
        "pageSize": q.integer("pageSize"), "pageToken": q.text("pageToken"),
        "courseIds": q.strings("courseIds"), "learnerIds": q.strings("learnerIds"),
        "enrollmentIds": q.strings("enrollmentIds")})


@router.get("/enrollment")
def get_enrollments(request: Request, caller: EnrollmentsRead, q: Query,
                    backend: Backend) -> Response:
    """Get enrollments (un-paged).

    Vendor doc: "Getting a List of Enrollments" (§5.6); learnerIds[], courseIds[],
    enrollmentIds[]; JSON bare array (D1).
    """
    rows = backend.list_enrollments(caller, enrollment_filter(q))
    return ok(request, Items("enrollment", [enrollment_tree(e) for e in rows]))


@router.get("/enrollments")
def list_enrollments(request: Request, caller: EnrollmentsRead, q: Query,
                     backend: Backend) -> Response:
    """List enrollments (paged).

    Vendor doc: §5.6, EnrollmentsPage.
    """
    return _enrollment_page(request, caller, backend, enrollment_filter(q))


@router.post("/enrollments")
def list_enrollments_by_post(request: Request, caller: EnrollmentsRead, body: OptionalBody,
                             backend: Backend) -> Response:
    """List enrollments with the filters in the body.

    Vendor doc: §5.6 ListEnrollmentsRequest (pageToken is the same string token, not the OAS's
    integer).
    """
    return _enrollment_page(request, caller, backend, EnrollmentFilter.parse(body))


def _enrollment_page(request: Request, caller: Principal, backend: EnrollmentsOps,
                     flt: EnrollmentFilter) -> Response:
    page = backend.page_enrollments(caller, flt)
    return ok(request, page_tree("enrollments", "enrollment",
                                   [enrollment_tree(e) for e in page.items], page.next_token))


@router.post("/enrollment/delete")
def unenroll(request: Request, caller: EnrollmentsWrite, body: Body,
             backend: Backend) -> Response:
    """Delete enrollments.

    Vendor doc: "Deleting an Enrollment" (§5.6); any root element; 204; unknown IDs → 400 and
    nothing deleted (D14).
    """
    backend.delete_enrollments(caller, DeleteEnrollments.parse(body))
    return empty(request, 204)


@router.post("/enrollment")
def enroll_learners_in_courses(request: Request, caller: EnrollmentsWrite, body: Body,
                               backend: Backend) -> Response:
    """Enroll learners in courses.

    Vendor doc: "Adding an Enrollment" (§5.6); 201 with the IDs, one enrollment per course and
    learner, existing pairs keep theirs (D6); dueDateType defaults to `default` (D8). Not
    emulated: enrollment into trainings (the emulator has no training content).
    """
    ids = backend.create_enrollments(caller, NewEnrollment.parse(body))
    return delivering(encode(request, Reply(Items("id", ids), status=201)), request, caller)


@router.get("/enrollment/{enrollment_id}")
def get_enrollment(request: Request, enrollment_id: str, caller: EnrollmentsRead,
                   backend: Backend) -> Response:
    """Get an enrollment.

    Vendor doc: "Getting Enrollment Info" (§5.6); unknown → 404 "Unknown Enrollment" (D11).
    Not emulated: certificates (no enrollment carries one).
    """
    row = backend.get_enrollment(caller, enrollment_id)
    return ok(request, Entity("enrollment", enrollment_tree(row)))


@router.post("/enrollment/{enrollment_id}")
def change_enrollment(request: Request, enrollment_id: str, caller: EnrollmentsWrite,
                      body: Body, backend: Backend) -> Response:
    """Edit an enrollment.

    Vendor doc: "Editing an Enrollment" (§5.6); 200 empty; department administrators only for
    learners of their departments and sub-departments (403 otherwise).
    """
    backend.update_enrollment(caller, enrollment_id, UpdateEnrollment.parse(
        without_path_id(body, "enrollmentId", enrollment_id)))
    return empty(request)


@router.post("/enrollment/{enrollment_id}/reenroll")
def reenroll(request: Request, enrollment_id: str, caller: EnrollmentsWrite, body: Body,
             backend: Backend) -> Response:
    """Re-enroll a learner (start the course over).

    Vendor doc: §5.6 Reenroll; progress reset, same enrollment ID (inferred).
    """
    backend.reenroll(caller, enrollment_id, Reenroll.parse(body))
    return empty(request)
