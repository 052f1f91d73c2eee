"""iSpring quizzes and assignments: quiz lists, ungraded attempts, the answer breakdown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field
from sqlmodel import Session, col, select

from emulator.ispring.auth import (
    ContentRead,
    Principal,
    ResultsRead,
    Right,
    authenticate,
    operations,
)
from emulator.ispring.base import BackendBase
from emulator.ispring.errors import BadRequest, NotFound
from emulator.ispring.fields import StrList
from emulator.ispring.models import (
    IspringAssignmentAttempt,
    IspringContent,
    IspringEnrollment,
    IspringGroupMember,
    IspringModule,
    IspringQuizAnswer,
    IspringUser,
)
from emulator.ispring.schemas import (
    Page,
    PageParams,
    ids,
    iso_offset,
    number,
    page_params,
    page_tree,
)
from emulator.ispring.smart_groups import _SmartGroups
from emulator.ispring.wire import Items, Query, Tree, ok


class QuizFilter(PageParams):
    quiz_ids: StrList = Field(default_factory=list, alias="quizIds")
    content_item_ids: StrList = Field(default_factory=list, alias="contentItemIds")
    parent_course_ids: StrList = Field(default_factory=list, alias="parentCourseIds")


@dataclass(frozen=True)
class AnswerQuery:
    """The query of `/report/answer-breakdown` (§5.11)."""

    quiz_id: str
    parent_course_ids: list[str]
    user_ids: list[str]
    enrollment_ids: list[str]
    department_ids: list[str]
    group_ids: list[str]
    attempt: tuple[datetime | None, datetime | None]
    page_size: int | None
    page_token: str | None


def quiz_tree(quiz: IspringContent, parent_courses: Sequence[str]) -> Tree:
    return {"quizId": quiz.quiz_id, "quizTitle": quiz.title, "contentItemId": quiz.content_id,
            "parentCourseIds": ids(parent_courses)}


def assignment_tree(item: IspringContent) -> Tree:
    values = [{"fieldId": f, "fieldValue": v} for f, v in sorted(item.field_values.items())]
    return {"assignmentId": item.content_id, "title": item.title,
            "instructorId": item.instructor_id,
            "courseFields": Items("courseField", values) if values else None}


def attempt_tree(attempt: IspringAssignmentAttempt) -> Tree:
    return {"attemptId": attempt.attempt_id, "enrollmentId": attempt.enrollment_id,
            "userId": attempt.user_id, "comment": attempt.comment,
            "attachments": Items("attachment", [
                {"fileName": a["fileName"], "fileSize": a["fileSize"], "url": a["url"]}
                for a in attempt.attachments])}


def answer_tree(answer: IspringQuizAnswer) -> Tree:
    return {
        "userId": answer.user_id, "enrollmentId": answer.enrollment_id,
        "quizVersion": answer.quiz_version, "attemptDate": iso_offset(answer.attempt_date),
        "isAttemptPassed": answer.attempt_passed, "attemptScore": number(answer.attempt_score),
        "passingScore": number(answer.passing_score), "questionNumber": answer.question_number,
        "questionTitle": answer.question_title, "questionType": answer.question_type,
        "questionScore": number(answer.question_score), "questionGroup": answer.question_group,
        "statementTitle": answer.statement_title, "answerText": answer.answer_text,
        "customAnswerText": answer.custom_answer_text, "isAnswerCorrect": answer.is_correct,
        "answerScore": number(answer.answer_score),
    }


class QuizzesOps(BackendBase):
    """Quizzes, assignments awaiting a grade and the answer breakdown."""

    def page_quizzes(self, p: Principal, flt: QuizFilter,
                     ) -> Page[tuple[IspringContent, list[str]]]:
        """`GET /quizzes`: the Quiz items of the library, with the courses using them."""
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            stmt = self._content_query(p, ["Quiz"], flt.content_item_ids).where(
                col(IspringContent.quiz_id).is_not(None))
            if flt.quiz_ids:
                stmt = stmt.where(col(IspringContent.quiz_id).in_(
                    [q.lower() for q in flt.quiz_ids]))
            modules = session.exec(select(IspringModule).where(
                IspringModule.tenant_id == p.tenant_id, IspringModule.type == "material")
                .order_by(col(IspringModule.course_id))).all()
            if flt.parent_course_ids:
                wanted = {c.lower() for c in flt.parent_course_ids}
                stmt = stmt.where(col(IspringContent.content_id).in_(
                    [m.item_id for m in modules if m.course_id in wanted]))
            page = self._keyset(session, stmt, IspringContent.quiz_id,
                                lambda c: c.quiz_id or "", flt.page_size, flt.page_token)
            parents: dict[str, list[str]] = {}
            for m in modules:
                parents.setdefault(m.item_id, []).append(m.course_id)
            return Page([(q, parents.get(q.content_id, [])) for q in page.items],
                          page.next_token)

    def _ungraded(self, session: Session, p: Principal, assignment_ids: Sequence[str],
                  user_ids: Sequence[str] = ()) -> list[IspringAssignmentAttempt]:
        stmt = self._scoped_users(select(IspringAssignmentAttempt).where(
            IspringAssignmentAttempt.tenant_id == p.tenant_id,
            col(IspringAssignmentAttempt.assignment_id).in_(assignment_ids),
            col(IspringAssignmentAttempt.graded_at).is_(None)), p,
            IspringAssignmentAttempt.user_id)
        if user_ids:
            stmt = stmt.where(col(IspringAssignmentAttempt.user_id).in_(
                [u.lower() for u in user_ids]))
        return list(session.exec(stmt.order_by(col(IspringAssignmentAttempt.submitted_at),
                                               col(IspringAssignmentAttempt.attempt_id))).all())

    def page_assignments(self, p: Principal, ungraded: bool, params: PageParams,
                         ) -> Page[IspringContent]:
        """Assignment items; `ungraded=1` keeps those with attempts waiting for a grade."""
        p.require(Right.RESULTS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            stmt = self._content_query(p, ["Assignment"])
            if ungraded:
                waiting = {a.assignment_id for a in self._ungraded(session, p, [
                    c.content_id for c in session.exec(stmt).all()])}
                stmt = stmt.where(col(IspringContent.content_id).in_(waiting))
            return self._keyset(session, stmt, IspringContent.content_id,
                                lambda c: c.content_id, params.page_size, params.page_token)

    def ungraded_attempts(self, p: Principal, assignment_id: str, user_ids: Sequence[str],
                          ) -> list[IspringAssignmentAttempt]:
        p.require(Right.RESULTS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            item = self._content(session, p, assignment_id)
            if item.type != "Assignment":
                raise NotFound("Unknown content item")
            return self._ungraded(session, p, [item.content_id], user_ids)

    def answer_breakdown(self, p: Principal, flt: AnswerQuery) -> Page[IspringQuizAnswer]:
        """Answers given in a quiz's attempts, one row per answer, keyed by answer ID.

        Answers come with the demo data only: no emulated operation takes a quiz.
        """
        p.require(Right.RESULTS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            quiz = session.exec(select(IspringContent).where(
                IspringContent.tenant_id == p.tenant_id,
                IspringContent.quiz_id == flt.quiz_id.lower())).first()
            if quiz is None:
                raise BadRequest(f"Unknown quiz: {flt.quiz_id[:64]}")
            enrollments = self._enrollment_query(p, course_ids=flt.parent_course_ids,
                                                 learner_ids=flt.user_ids,
                                                 enrollment_ids=flt.enrollment_ids)
            stmt = select(IspringQuizAnswer).where(
                IspringQuizAnswer.tenant_id == p.tenant_id,
                IspringQuizAnswer.quiz_item_id == quiz.content_id,
                col(IspringQuizAnswer.enrollment_id).in_(
                    enrollments.with_only_columns(col(IspringEnrollment.enrollment_id))))
            if flt.department_ids:
                stmt = stmt.where(col(IspringQuizAnswer.user_id).in_(
                    select(IspringUser.user_id).where(
                        IspringUser.tenant_id == p.tenant_id,
                        col(IspringUser.department_id).in_(flt.department_ids))))
            if flt.group_ids:
                wanted = set(flt.group_ids)
                smart = _SmartGroups(session, p.tenant_id)
                members = {m for g in smart.groups() if g.group_id in wanted
                           for m in smart.members(g)}
                members |= set(session.exec(select(IspringGroupMember.user_id).where(
                    IspringGroupMember.tenant_id == p.tenant_id,
                    col(IspringGroupMember.group_id).in_(wanted))).all())
                stmt = stmt.where(col(IspringQuizAnswer.user_id).in_(members))
            start, end = flt.attempt
            if start is not None:
                stmt = stmt.where(col(IspringQuizAnswer.attempt_date) >= start)
            if end is not None:
                stmt = stmt.where(col(IspringQuizAnswer.attempt_date) <= end)
            return self._keyset(session, stmt, IspringQuizAnswer.answer_id,
                                lambda a: a.answer_id, flt.page_size, flt.page_token)


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[QuizzesOps, operations(QuizzesOps)]


@router.get("/quizzes")
def list_quizzes(request: Request, caller: ContentRead, q: Query, backend: Backend) -> Response:
    """List the quizzes of the library (paged).

    Vendor doc: §5.11 QuizzesPage; filters quizIds, contentItemIds, parentCourseIds.
    """
    flt = QuizFilter.parse({"pageSize": q.integer("pageSize"), "pageToken": q.text("pageToken"),
                              "quizIds": q.strings("quizIds"),
                              "contentItemIds": q.strings("contentItemIds"),
                              "parentCourseIds": q.strings("parentCourseIds")})
    page = backend.page_quizzes(caller, flt)
    return ok(request, page_tree("results", "result",
                                   [quiz_tree(quiz, parents) for quiz, parents in page.items],
                                   page.next_token))


@router.get("/assignments")
def list_assignments(request: Request, caller: ResultsRead, q: Query,
                     backend: Backend) -> Response:
    """List assignments (paged).

    Vendor doc: §5.11 AssignmentsPage; `ungraded=1` keeps those with attempts to grade.
    """
    flag = q.integer("ungraded")
    if flag not in (None, 0, 1):
        raise BadRequest("Wrong parameters: ungraded must be 0 or 1")
    page = backend.page_assignments(caller, flag == 1, page_params(q))
    return ok(request, page_tree("assignments", "assignment",
                                   [assignment_tree(a) for a in page.items], page.next_token))


@router.get("/assignment/{assignment_id}/attempts/ungraded")
def list_assignment_attempts(request: Request, assignment_id: str, caller: ResultsRead,
                             q: Query, backend: Backend) -> Response:
    """List an assignment's attempts waiting for a grade.

    Vendor doc: §5.11 AssignmentAttempt (XML items `<attempt>`); `userIds[]` narrows; unknown
    assignment → 404 "Unknown content item" (inferred).
    """
    attempts = backend.ungraded_attempts(caller, assignment_id, q.strings("userIds"))
    return ok(request, Items("attempt", [attempt_tree(a) for a in attempts]))


@router.get("/report/answer-breakdown")
def list_answer_breakdown_results(request: Request, caller: ResultsRead, q: Query,
                                  backend: Backend) -> Response:
    """List the answers given in a quiz's attempts (paged).

    Vendor doc: §5.11 AnswerBreakdownResultsPage; `quizId` (from `GET /quizzes`) required;
    filters parentCourseId, userIds, enrollmentIds, departmentIds, groupIds, attemptDate. Not
    emulated: taking quizzes — answers exist in the demo data only.
    """
    quiz_id = q.text("quizId")
    if not quiz_id:
        raise BadRequest("Wrong parameters: quizId is required")
    flt = AnswerQuery(
        quiz_id=quiz_id, parent_course_ids=q.strings("parentCourseId"),
        user_ids=q.strings("userIds"), enrollment_ids=q.strings("enrollmentIds"),
        department_ids=[d.lower() for d in q.strings("departmentIds")],
        group_ids=[g.lower() for g in q.strings("groupIds")],
        attempt=q.date_range("attemptDate"), page_size=q.integer("pageSize"),
        page_token=q.text("pageToken"))
    page = backend.answer_breakdown(caller, flt)
    return ok(request, page_tree("results", "result", [answer_tree(a) for a in page.items],
                                   page.next_token))
