"""iSpring results: learners' course and module results, final statuses, certificates, active users.

Behaviours the fact sheet leaves open:
- Result rows page on the enrollment ID, module rows on `<enrollmentId>:<moduleId>` (D19;
  inferred).
- `course_status`, `module_progress`: course results derived from module results unless
  `POST /statistics/course` set them; "automatic" returns to derived (inferred).
- `is_overdue`: a due date in the past without a successful completion (inferred).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from emulator.core.clock import as_utc
from emulator.ispring.auth import (
    Principal,
    ResultsRead,
    Right,
    authenticate,
    operations,
)
from emulator.ispring.base import (
    FINISHED,
    SUCCESS,
    BackendBase,
    decode_page_token,
    effective_status,
    encode_page_token,
    page_size,
)
from emulator.ispring.errors import BadRequest, PermissionDenied, PlainNotFound
from emulator.ispring.fields import is_uuid
from emulator.ispring.models import (
    IspringContent,
    IspringEnrollment,
    IspringModule,
    IspringModuleResult,
    IspringUser,
)
from emulator.ispring.schemas import COMPLETION_STATUSES, Page, ids, iso_offset, number, page_tree
from emulator.ispring.wire import Items, PerFormat, Query, QueryArgs, Reply, Tree, encode, ok


@dataclass(frozen=True)
class ResultView:
    """One learner's result on one course (enrollment), or on one module of it."""

    user_id: str
    course_id: str
    course_title: str
    enrollment_id: str
    access_at: datetime
    due_date: date | None
    expiration_date: date | None
    completed_at: datetime | None
    time_spent: int
    status: str
    awarded_score: float | None
    passing_score: float | None
    progress: float
    is_overdue: bool
    views: int
    last_view_at: datetime | None
    module_id: str | None = None
    module_title: str | None = None
    course_item_id: str | None = None


@dataclass(frozen=True)
class ResultQuery:
    """The query of `/learners/results` and `/learners/modules/results` (§5.7)."""

    user_ids: list[str]
    course_ids: list[str]
    department_ids: list[str]
    enrollment_ids: list[str]
    completion_statuses: list[str]
    user_statuses: list[int]
    access: tuple[datetime | None, datetime | None]
    due: tuple[datetime | None, datetime | None]
    completion: tuple[datetime | None, datetime | None]
    page_size: int | None
    page_token: str | None
    module_ids: list[str]
    course_item_ids: list[str]


def _due_datetime(value: date | None) -> str | None:
    return None if value is None else iso_offset(datetime(value.year, value.month, value.day,
                                                          tzinfo=UTC))


def result_tree(result: ResultView) -> Tree:
    tree: Tree = {"userId": result.user_id, "courseId": result.course_id}
    if result.module_id is None:
        tree["courseTitle"] = result.course_title
    else:
        tree.update({"moduleId": result.module_id, "moduleTitle": result.module_title,
                     "courseItemId": result.course_item_id})
    tree.update({
        "enrollmentId": result.enrollment_id,
        "accessDate": iso_offset(result.access_at),
        "dueDate": _due_datetime(result.due_date),
        "expirationDate": _due_datetime(result.expiration_date),
        "completionDate": None if result.completed_at is None else iso_offset(result.completed_at),
        "timeSpent": result.time_spent,
        "completionStatus": result.status,
        "awardedScore": None if result.awarded_score is None else number(result.awarded_score),
        "passingScore": None if result.passing_score is None else number(result.passing_score),
        "progress": number(result.progress),
        "isOverdue": result.is_overdue,
        "viewsCount": result.views,
    })
    return tree


FINAL_STATUS_TEXT = {
    "not_started": "Not started", "in_progress": "In progress", "pending": "Pending",
    "complete": "Complete", "passed": "Passed", "accepted": "Accepted",
    "incomplete": "Incomplete", "failed": "Failed", "declined": "Declined",
}


def final_status_tree(result: ResultView) -> Tree:
    """`GET /content/{id}/final_statuses` item: a human-readable status (inferred mapping)."""
    return {
        "userId": result.user_id,
        "status": FINAL_STATUS_TEXT[result.status],
        "progress": number(result.progress),
        "completionDate": None if result.completed_at is None else iso_offset(result.completed_at),
        "lastViewDate": None if result.last_view_at is None else iso_offset(result.last_view_at),
    }


def module_progress(status: str) -> float:
    return 100.0 if status in FINISHED else 0.0


def course_status(module_statuses: Sequence[str]) -> str:
    """The course status derived from its modules' statuses (the "automatic" status)."""
    if not module_statuses or all(st == "not_started" for st in module_statuses):
        return "not_started"
    if all(st in SUCCESS for st in module_statuses):
        return "passed" if "passed" in module_statuses else "complete"
    if all(st in FINISHED for st in module_statuses):
        return "failed"
    return "in_progress"


def is_overdue(due: date | None, status: str, today: date) -> bool:
    return due is not None and status not in SUCCESS and today > due


def _in_range(value: datetime | None, bounds: tuple[datetime | None, datetime | None]) -> bool:
    start, end = bounds
    if start is None and end is None:
        return True
    if value is None:
        return False
    value = as_utc(value)
    return (start is None or value >= start) and (end is None or value <= end)


class _ResultCalculator:
    """Results computed from enrollments and module results at the emulator's `now`."""

    def __init__(self, session: Session, tenant_id: str, now: datetime) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.today = as_utc(now).date()
        self._courses: dict[str, IspringContent | None] = {}
        self._modules: dict[str, list[IspringModule]] = {}
        self._learners: dict[str, IspringUser | None] = {}

    def course_row(self, course_id: str) -> IspringContent | None:
        if course_id not in self._courses:
            self._courses[course_id] = self.session.get(IspringContent,
                                                        (self.tenant_id, course_id))
        return self._courses[course_id]

    def learner(self, user_id: str) -> IspringUser | None:
        if user_id not in self._learners:
            self._learners[user_id] = self.session.get(IspringUser, (self.tenant_id, user_id))
        return self._learners[user_id]

    def module_rows(self, course_id: str) -> list[IspringModule]:
        if course_id not in self._modules:
            self._modules[course_id] = list(self.session.exec(select(IspringModule).where(
                IspringModule.tenant_id == self.tenant_id, IspringModule.course_id == course_id,
                IspringModule.type == "material").order_by(col(IspringModule.module_id))).all())
        return self._modules[course_id]

    def _module_results(self, enrollment: IspringEnrollment) -> dict[str, IspringModuleResult]:
        return {r.module_id: r for r in self.session.exec(select(IspringModuleResult).where(
            IspringModuleResult.tenant_id == self.tenant_id,
            IspringModuleResult.enrollment_id == enrollment.enrollment_id)).all()}

    def course(self, e: IspringEnrollment) -> ResultView:
        course = self.course_row(e.course_id)
        modules = self.module_rows(e.course_id)
        results = self._module_results(e)
        statuses = [results[m.module_id].status if m.module_id in results else "not_started"
                    for m in modules]
        if e.status_override is not None:
            status = e.status_override
            completed = e.override_at if status in FINISHED else None
            score = e.override_score
        else:
            status = course_status(statuses)
            done = [r.completed_at for r in results.values() if r.completed_at is not None]
            completed = max(done, key=as_utc) if status in FINISHED and done else None
            scores = [r.score for r in results.values() if r.score is not None]
            score = sum(scores) / len(scores) if scores else None
        if status in SUCCESS:
            progress = 100.0
        elif modules:
            progress = 100.0 * sum(1 for st in statuses if st in SUCCESS) / len(modules)
        else:
            progress = 100.0 if status in FINISHED else 0.0
        views = [v for v in [e.last_view_at, *(r.last_view_at for r in results.values())]
                 if v is not None]
        return ResultView(
            user_id=e.learner_id, course_id=e.course_id,
            course_title=course.title if course else "", enrollment_id=e.enrollment_id,
            access_at=e.access_at, due_date=e.due_date,
            expiration_date=e.due_date if e.lock_after_due_date else None, completed_at=completed,
            time_spent=e.time_spent + sum(r.time_spent for r in results.values()),
            status=status, awarded_score=score,
            passing_score=course.passing_score if course else None, progress=progress,
            is_overdue=is_overdue(e.due_date, status, self.today),
            views=e.views + sum(r.views for r in results.values()),
            last_view_at=max(views, key=as_utc) if views else None)

    def modules(self, e: IspringEnrollment) -> list[ResultView]:
        course = self.course_row(e.course_id)
        results = self._module_results(e)
        out = []
        for m in self.module_rows(e.course_id):
            r = results.get(m.module_id)
            status = r.status if r else "not_started"
            out.append(ResultView(
                user_id=e.learner_id, course_id=e.course_id,
                course_title=course.title if course else "", enrollment_id=e.enrollment_id,
                access_at=e.access_at, due_date=e.due_date,
                expiration_date=e.due_date if e.lock_after_due_date else None,
                completed_at=r.completed_at if r else None, time_spent=r.time_spent if r else 0,
                status=status, awarded_score=r.score if r else None,
                passing_score=course.passing_score if course else None,
                progress=module_progress(status),
                is_overdue=is_overdue(e.due_date, status, self.today),
                views=r.views if r else 0, last_view_at=r.last_view_at if r else None,
                module_id=m.module_id, module_title=m.title, course_item_id=m.item_id))
        return out

    def accepts(self, result: ResultView, flt: ResultQuery) -> bool:
        learner = self.learner(result.user_id)
        if learner is None or effective_status(learner, self.today) not in flt.user_statuses:
            return False
        if flt.completion_statuses and result.status not in flt.completion_statuses:
            return False
        if flt.module_ids and result.module_id not in flt.module_ids:
            return False
        if flt.course_item_ids and result.course_item_id not in flt.course_item_ids:
            return False
        due = None if result.due_date is None else datetime(
            result.due_date.year, result.due_date.month, result.due_date.day, tzinfo=UTC)
        return (_in_range(result.access_at, flt.access) and _in_range(due, flt.due)
                and _in_range(result.completed_at, flt.completion))


class ResultsOps(BackendBase):
    """Reading results: course and module results, final statuses, certificates, activity."""

    def certificate_url(self, p: Principal, certificate_id: str) -> str:
        """The issued certificate's document; 404 text/plain when unknown (§4.10)."""
        p.require(Right.RESULTS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            row = session.exec(select(IspringEnrollment).where(
                IspringEnrollment.tenant_id == p.tenant_id,
                IspringEnrollment.certificate_id == certificate_id.lower())).first()
            if row is None or row.certificate_id is None:
                raise PlainNotFound("Issued certificate not found")
            learner = session.get(IspringUser, (p.tenant_id, row.learner_id))
            if learner is None or not p.covers(learner.department_id):
                raise PermissionDenied()
            return f"https://{p.tenant_id}/certificates/{row.certificate_id}.pdf"

    def active_users(self, p: Principal, start: datetime | None, end: datetime | None,
                     ) -> list[str]:
        """Users who signed in or worked on a course within the period (inferred)."""
        p.require(Right.RESULTS_READ)
        bounds = (start, end)
        with self._unit(p.tenant_id) as (session, _now):
            users = session.exec(self._scoped_users(select(IspringUser).where(
                IspringUser.tenant_id == p.tenant_id), p, IspringUser.user_id)).all()
            active = {u.user_id for u in users if u.last_login_at is not None
                      and _in_range(u.last_login_at, bounds)}
            enrollments = {e.enrollment_id: e for e in session.exec(select(IspringEnrollment)
                           .where(IspringEnrollment.tenant_id == p.tenant_id)).all()}
            active |= {e.learner_id for e in enrollments.values()
                       if e.last_view_at is not None and _in_range(e.last_view_at, bounds)}
            for r in session.exec(select(IspringModuleResult).where(
                    IspringModuleResult.tenant_id == p.tenant_id)).all():
                if r.last_view_at is not None and _in_range(r.last_view_at, bounds) \
                        and r.enrollment_id in enrollments:
                    active.add(enrollments[r.enrollment_id].learner_id)
            return sorted(active & {u.user_id for u in users})

    def final_statuses(self, p: Principal, content_id: str) -> list[ResultView]:
        p.require(Right.RESULTS_READ)
        with self._unit(p.tenant_id) as (session, now):
            item = self._content(session, p, content_id, not_found=PlainNotFound)
            stmt = self._scoped_users(select(IspringEnrollment).where(
                IspringEnrollment.tenant_id == p.tenant_id,
                IspringEnrollment.course_id == item.content_id), p, IspringEnrollment.learner_id)
            rows = session.exec(stmt.order_by(col(IspringEnrollment.learner_id))).all()
            calc = _ResultCalculator(session, p.tenant_id, now)
            return [calc.course(e) for e in rows]

    def _result_candidates(self, p: Principal, flt: ResultQuery,
                           start: str | None) -> SelectOfScalar[IspringEnrollment]:
        stmt = self._enrollment_query(p, course_ids=flt.course_ids, learner_ids=flt.user_ids,
                                      enrollment_ids=flt.enrollment_ids)
        learners = select(IspringUser.user_id).where(IspringUser.tenant_id == p.tenant_id)
        if flt.department_ids:
            learners = learners.where(col(IspringUser.department_id).in_(flt.department_ids))
        stmt = stmt.where(col(IspringEnrollment.learner_id).in_(learners))
        if start is not None:
            stmt = stmt.where(col(IspringEnrollment.enrollment_id) >= start.split(":", 1)[0])
        return stmt.order_by(col(IspringEnrollment.enrollment_id))

    def _check_result_users(self, session: Session, p: Principal, user_ids: list[str]) -> None:
        """D14: every `userIds[]` of the results endpoints must name a known user."""
        for ident in user_ids:
            if not is_uuid(ident):
                raise BadRequest(f"Unknown user: {ident[:64]}")
        self._users_named(session, p, [i.lower() for i in user_ids])

    @contextmanager
    def _result_scan(self, p: Principal, flt: ResultQuery, start: str | None,
                     ) -> Iterator[tuple[_ResultCalculator, Iterable[IspringEnrollment]]]:
        """The candidate enrollments for a results page, from `start` on, once `userIds[]` hold."""
        with self._unit(p.tenant_id) as (session, now):
            self._check_result_users(session, p, flt.user_ids)
            yield (_ResultCalculator(session, p.tenant_id, now),
                   session.exec(self._result_candidates(p, flt, start)))

    def page_results(self, p: Principal, flt: ResultQuery) -> Page[ResultView]:
        p.require(Right.RESULTS_READ)
        size = page_size(flt.page_size)
        start = decode_page_token(flt.page_token)
        with self._result_scan(p, flt, start) as (calc, candidates):
            found: list[ResultView] = []
            for row in candidates:
                result = calc.course(row)
                if calc.accepts(result, flt):
                    found.append(result)
                    if len(found) > size:
                        return Page(found[:size], encode_page_token(found[size].enrollment_id))
            return Page(found, None)

    def page_module_results(self, p: Principal, flt: ResultQuery) -> Page[ResultView]:
        p.require(Right.RESULTS_READ)
        size = page_size(flt.page_size)
        start = decode_page_token(flt.page_token)
        with self._result_scan(p, flt, start) as (calc, candidates):
            found: list[tuple[str, ResultView]] = []
            for row in candidates:
                for result in calc.modules(row):
                    key = f"{result.enrollment_id}:{result.module_id}"
                    if (start is not None and key < start) or not calc.accepts(result, flt):
                        continue
                    found.append((key, result))
                    if len(found) > size:
                        return Page([r for _, r in found[:size]],
                                      encode_page_token(found[size][0]))
            return Page([r for _, r in found], None)


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[ResultsOps, operations(ResultsOps)]


def result_query(q: QueryArgs) -> ResultQuery:
    statuses = q.strings("completionStatuses")
    unknown = [st for st in statuses if st not in COMPLETION_STATUSES]
    if unknown:
        raise BadRequest(f"Wrong parameters: completionStatuses has an unknown status {unknown[0]}")
    user_statuses: list[int] = []
    for raw in q.strings("userStatuses"):
        if raw not in ("1", "3", "5"):
            raise BadRequest("Wrong parameters: userStatuses must be 1, 3 or 5")
        user_statuses.append(int(raw))
    return ResultQuery(
        user_ids=q.strings("userIds"), course_ids=q.strings("courseIds"),
        department_ids=[d.lower() for d in q.strings("departmentIds")],
        enrollment_ids=q.strings("enrollmentIds"), completion_statuses=statuses,
        # §5.7: active learners only unless userStatuses says otherwise.
        user_statuses=user_statuses or [1],
        access=q.date_range("accessDate"), due=q.date_range("dueDate"),
        completion=q.date_range("completionDate"),
        page_size=q.integer("pageSize"), page_token=q.text("pageToken"),
        module_ids=[m.lower() for m in q.strings("moduleIds")],
        course_item_ids=[c.lower() for c in q.strings("courseItemIds")])


@router.get("/content/{content_id}/final_statuses")
def get_content_item_final_statuses(request: Request, content_id: str, caller: ResultsRead,
                                    backend: Backend) -> Response:
    """Get the learners' final statuses on a content item.

    Vendor doc: §5.5; root `<statuses>` (D2), human-readable status; unknown → 404 text/plain
    "Unknown content item".
    """
    results = backend.final_statuses(caller, content_id)
    return encode(request, Reply(Items("status", [final_status_tree(r) for r in results]),
                                 root="statuses"))


@router.get("/certificate/{issued_certificate_id}")
def get_issued_certificate(request: Request, issued_certificate_id: str, caller: ResultsRead,
                           backend: Backend) -> Response:
    """Get the document of an issued certificate.

    Vendor doc: §5.11 IssuedCertificate `{url}`; unknown → 404 text/plain "Issued certificate
    not found". Certificates are issued when a course with one is completed successfully.
    """
    return ok(request, {"url": backend.certificate_url(caller, issued_certificate_id)})


@router.get("/report/active-users-by-period")
def get_users_with_activity(request: Request, caller: ResultsRead, q: Query,
                            backend: Backend) -> Response:
    """Get the users active in a period.

    Vendor doc: §5.11; `activityDate[startDate|endDate]`; JSON array of IDs, XML
    ActiveUsersByPeriod. Activity = signing in or working on a course (inferred).
    """
    start, end = q.date_range("activityDate")
    users = backend.active_users(caller, start, end)
    return ok(request, PerFormat(json=users, xml={
        "ids": ids(users),
        "activityStartDate": None if start is None else start.date().isoformat(),
        "activityEndDate": None if end is None else end.date().isoformat()}))


@router.get("/learners/results")
def list_learner_results(request: Request, caller: ResultsRead, q: Query,
                         backend: Backend) -> Response:
    """List learners' course results (paged).

    Vendor doc: "Getting User Results" (§5.7); computed from enrollments and statistics; any
    unknown `userIds[]` → 400 (D14). Not emulated: `duration`.
    """
    page = backend.page_results(caller, result_query(q))
    return ok(request, page_tree("results", "result", [result_tree(r) for r in page.items],
                                   page.next_token))


@router.get("/learners/modules/results")
def list_learner_modules_results(request: Request, caller: ResultsRead, q: Query,
                                 backend: Backend) -> Response:
    """List learners' results on course modules (paged).

    Vendor doc: "Getting User Results on the Course Modules" (§5.7); one row per learner and
    module; any unknown `userIds[]` → 400 (D14).
    """
    page = backend.page_module_results(caller, result_query(q))
    return ok(request, page_tree("results", "result", [result_tree(r) for r in page.items],
                                   page.next_token))
