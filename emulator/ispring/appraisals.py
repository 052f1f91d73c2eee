"""iSpring appraisal sessions: the session, its lifecycle, review-form questions, permissions.

Employee cards, reviewers, reviews, results and the session's competencies are the second half
of the family (`appraisal_cards`), built on the `AppraisalBase` below.

Behaviours the OpenAPI document leaves open (also in docs/ispring.md, "Appraisal sessions"):
- Lifecycle: a session is created NOT_STARTED; `start` makes it IN_PROGRESS (startDate = now,
  one NOT_STARTED review per card reviewer, the session's competencies taken from its profile
  in the competency library as it is then) or answers 200 with the document's reason code
  (ALREADY_STARTED; NO_PROFILE without a profile or with one the library does not hold;
  EMPTY_PROFILE when the profile names no competency; NO_EMPLOYEES; NO_REVIEWERS — checked
  in that order; a card without reviewers counts as NO_REVIEWERS); `complete` needs
  IN_PROGRESS (400 otherwise) and sets endDate; `restart` reopens a COMPLETED session
  (SUCCESS, endDate cleared, reviews kept) and answers NOT_COMPLETED for any other state.
- Which writes each state allows: questions and the profile only before the start (400
  after); name, description, instructions, manager, cards and reviewers until completion
  (400 on a COMPLETED session); permissions and notification settings always.
- `profileId` is stored as given and looked up in the competency library at the start, so a
  profile named before the library holds it still works (no write operation creates profiles:
  they come from the fixture pack, their competencies, indicators and scales from the pack or
  the competency operations).
- Unknown path session → 404 "Session not found" (the document's text), except on
  `…/results`, which lists no 404: there it is a 400 with the same text. An unknown question →
  404 "Question not found". Unknown `sessionIds` of the list → 404 (the list's only 404).
  Users named in a body (manager, employees, reviewers, permitted users) → 403 outside a
  department administrator's departments, then 400 `Unknown user: <id>` (D14, D18).
- Scoping: a department administrator sees the sessions whose manager or some employee lies
  in its departments (403 on the others, which lists leave out).
- Dates and IDs the document marks required but a session may not have yet (`startDate`,
  `endDate`, `profileId`) are left out until they exist.
- XML, which the document does not give for every answer: `<response>` holds the object's
  fields; list items are named after their schema in lower camel case (`appraisalSession`,
  `appraisalQuestion`, …), ID lists use `<id>` and role lists `<role>` items.
- Notification settings: `dailyReviewersNotificationDay` is an integer from 0 to 365 (days
  between reminders) and `…TimeMilli` the time of day in milliseconds (0 to 86 399 999);
  a session has none until they are set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BeforeValidator, Field
from sqlmodel import Session, col, select

from emulator.core.ids import time_uuid
from emulator.ispring.auth import (
    AppraisalsRead,
    AppraisalsWrite,
    Principal,
    authenticate,
    operations,
)
from emulator.ispring.base import BackendBase
from emulator.ispring.competency_library import profile_content
from emulator.ispring.errors import BadRequest, NotFound, PermissionDenied
from emulator.ispring.fields import (
    Id,
    IdList,
    Name,
    OptId,
    OptName,
    OptText,
    RequiredIds,
    _choice,
    _flag,
    _integer,
    _optional,
    _text,
)
from emulator.ispring.models import (
    IspringAppraisalCard,
    IspringAppraisalQuestion,
    IspringAppraisalReview,
    IspringAppraisalSession,
    IspringCompetencyProfile,
    IspringUser,
)
from emulator.ispring.schemas import RequestModel, UserIds, ids, iso_offset
from emulator.ispring.wire import Body, Items, OptionalBody, Tree, empty, leaves, ok

REVIEWER_ROLES = ("REVIEWER_ROLE_SELF_REVIEW", "REVIEWER_ROLE_DIRECT_MANAGER",
                  "REVIEWER_ROLE_PEER", "REVIEWER_ROLE_DIRECT_REPORT", "REVIEWER_ROLE_CUSTOMER",
                  "REVIEWER_ROLE_EXPERT")
NOT_STARTED, IN_PROGRESS, COMPLETED = "NOT_STARTED", "IN_PROGRESS", "COMPLETED"
DAY_MILLIS = 86_400_000


def _roles(value: Any) -> list[str]:
    """A reviewer-role list in any wrapping (`[…]`, `<targetRoles><role>…`); at least one."""
    check = _choice(*REVIEWER_ROLES)
    out: list[str] = []
    for leaf in leaves(value):
        role = check(leaf)
        if role not in out:
            out.append(role)
    if not out:
        raise ValueError("must not be empty")
    return out


def _question_text(value: Any) -> str:
    text = _text(value).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


def _bounded(low: int, high: int) -> Any:
    def check(value: Any) -> int:
        number = _integer(value)
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high}")
        return number
    return check


Roles = Annotated[list[str], BeforeValidator(_roles)]
OptRoles = Annotated[list[str] | None, BeforeValidator(_optional(_roles))]
QuestionText = Annotated[str, BeforeValidator(_question_text)]
OptQuestionText = Annotated[str | None, BeforeValidator(_optional(_question_text))]
Flag = Annotated[bool, BeforeValidator(_flag)]
OptFlag = Annotated[bool | None, BeforeValidator(_optional(_flag))]


class ListSessions(RequestModel):
    session_ids: IdList = Field(default_factory=list, alias="sessionIds")


class CreateSession(RequestModel):
    name: Name
    description: OptText = None
    manager_id: Id = Field(alias="managerId")


class UpdateSession(RequestModel):
    name: OptName = None
    description: OptText = None
    instruction: OptText = None
    self_review_instruction: OptText = Field(default=None, alias="selfReviewInstruction")
    profile_id: OptId = Field(default=None, alias="profileId")
    manager_id: OptId = Field(default=None, alias="managerId")


class NewQuestion(RequestModel):
    text: QuestionText
    is_required: Flag = Field(alias="isRequired")
    target_roles: Roles = Field(alias="targetRoles")


class QuestionChange(RequestModel):
    text: OptQuestionText = None
    is_required: OptFlag = Field(default=None, alias="isRequired")
    target_roles: OptRoles = Field(default=None, alias="targetRoles")


class NoParameters(RequestModel):
    """The body of an operation that takes none: empty, or refused like any malformed body."""


class QuestionOrder(RequestModel):
    question_ids: RequiredIds = Field(alias="questionIds")


class NotificationSettings(RequestModel):
    day: Annotated[int, BeforeValidator(_bounded(0, 365))] = Field(
        alias="dailyReviewersNotificationDay")
    time_milli: Annotated[int, BeforeValidator(_bounded(0, DAY_MILLIS - 1))] = Field(
        alias="dailyReviewersNotificationTimeMilli")


def optional_date(value: datetime | None) -> str | None:
    """A date-time the entity may not have yet; None leaves the element out."""
    return None if value is None else iso_offset(value)


def session_tree(row: IspringAppraisalSession) -> Tree:
    """AppraisalSession: what the list shows of each session."""
    return {"sessionId": row.session_id, "name": row.name, "description": row.description,
            "managerId": row.manager_id, "profileId": row.profile_id, "status": row.status,
            "startDate": optional_date(row.started_at),
            "endDate": optional_date(row.completed_at)}


def question_tree(q: IspringAppraisalQuestion) -> Tree:
    return {"id": q.question_id, "text": q.text, "isRequired": q.is_required,
            "targetRoles": Items("role", list(q.target_roles))}


def detailed_card_tree(card: IspringAppraisalCard) -> Tree:
    """AppraisalSessionEmployeeDetailedCard: the employee and each reviewer with its role."""
    return {"employeeId": card.employee_id,
            "reviewers": Items("appraisalSessionReviewer", [
                {"reviewerId": r["reviewerId"], "role": r["role"]} for r in card.reviewers])}


def info_tree(row: IspringAppraisalSession, questions: Sequence[IspringAppraisalQuestion],
              cards: Sequence[IspringAppraisalCard]) -> Tree:
    """AppraisalSessionInfo: the session with its form, employees and permissions."""
    return {**session_tree(row), "instruction": row.instruction,
            "selfReviewInstruction": row.self_review_instruction,
            "questions": Items("appraisalQuestion", [question_tree(q) for q in questions]),
            "employees": Items("appraisalSessionEmployeeDetailedCard",
                               [detailed_card_tree(c) for c in cards]),
            "permittedUserIds": ids(row.permitted_user_ids),
            "sessionNotificationSettings": dict(row.notification) if row.notification else None}


class AppraisalBase(BackendBase):
    """Look-ups and rules both halves of the appraisal family share."""

    def _appraisal(self, session: Session, p: Principal, session_id: str,
                   missing: type[BadRequest] | type[NotFound] = NotFound,
                   ) -> IspringAppraisalSession:
        """The session in the path: 404 (or the given error) when unknown, 403 out of scope."""
        row = session.get(IspringAppraisalSession, (p.tenant_id, session_id.lower()))
        if row is None:
            raise missing("Session not found")
        if not self._appraisal_visible(session, p, row):
            raise PermissionDenied()
        return row

    def _appraisal_visible(self, session: Session, p: Principal,
                           row: IspringAppraisalSession) -> bool:
        if p.scope is None:
            return True
        people = [row.manager_id, *(c.employee_id for c in self._cards(session, row))]
        users = self._users_by_id(session, p.tenant_id, people)
        return any(p.covers(u.department_id) for u in users.values())

    @staticmethod
    def _cards(session: Session, row: IspringAppraisalSession) -> list[IspringAppraisalCard]:
        return list(session.exec(select(IspringAppraisalCard).where(
            IspringAppraisalCard.tenant_id == row.tenant_id,
            IspringAppraisalCard.session_id == row.session_id).order_by(
            col(IspringAppraisalCard.position), col(IspringAppraisalCard.employee_id))).all())

    @staticmethod
    def _reviews(session: Session, row: IspringAppraisalSession,
                 ) -> list[IspringAppraisalReview]:
        return list(session.exec(select(IspringAppraisalReview).where(
            IspringAppraisalReview.tenant_id == row.tenant_id,
            IspringAppraisalReview.session_id == row.session_id).order_by(
            col(IspringAppraisalReview.review_id))).all())

    @staticmethod
    def _refuse_when(row: IspringAppraisalSession, states: Iterable[str], message: str) -> None:
        if row.status in states:
            raise BadRequest(message)

    def _refuse_completed(self, row: IspringAppraisalSession) -> None:
        self._refuse_when(row, (COMPLETED,), "The appraisal session is completed")

    def _people_named(self, session: Session, p: Principal, user_ids: Sequence[str],
                      ) -> list[IspringUser]:
        """Users a body names: 403 outside the caller's departments, then 400 when unknown."""
        return self._users_named(session, p, list(dict.fromkeys(user_ids)))

    def _open_reviews(self, session: Session, row: IspringAppraisalSession,
                      cards: Iterable[IspringAppraisalCard], now: datetime) -> None:
        """A started session has one review per card reviewer: add those missing, drop others."""
        wanted = {(c.employee_id, r["reviewerId"]) for c in cards for r in c.reviewers}
        existing = {(r.employee_id, r.reviewer_id): r for r in self._reviews(session, row)}
        for key, review in existing.items():
            if key not in wanted:
                session.delete(review)
        for employee_id, reviewer_id in sorted(wanted - set(existing)):
            session.add(IspringAppraisalReview(
                tenant_id=row.tenant_id, review_id=time_uuid(now), session_id=row.session_id,
                employee_id=employee_id, reviewer_id=reviewer_id))

    def _sync_reviews(self, session: Session, row: IspringAppraisalSession,
                      now: datetime) -> None:
        """After a card write: reviews follow the cards once the session has started."""
        if row.status != NOT_STARTED:
            session.flush()
            self._open_reviews(session, row, self._cards(session, row), now)


class AppraisalsOps(AppraisalBase):
    """Sessions, their lifecycle, form questions, permissions and notification settings."""

    def list_appraisal_sessions(self, p: Principal, body: ListSessions,
                                ) -> list[IspringAppraisalSession]:
        with self._unit(p.tenant_id) as (session, _now):
            stmt = select(IspringAppraisalSession).where(
                IspringAppraisalSession.tenant_id == p.tenant_id)
            if body.session_ids:
                stmt = stmt.where(col(IspringAppraisalSession.session_id).in_(body.session_ids))
            rows = list(session.exec(stmt.order_by(col(IspringAppraisalSession.session_id))))
            if len(rows) < len(body.session_ids):
                raise NotFound("Session not found")
            visible = [r for r in rows if self._appraisal_visible(session, p, r)]
            if body.session_ids and len(visible) < len(rows):
                raise PermissionDenied()
            return visible

    def appraisal_info(self, p: Principal, session_id: str,
                       ) -> tuple[IspringAppraisalSession, list[IspringAppraisalQuestion],
                                  list[IspringAppraisalCard]]:
        with self._unit(p.tenant_id) as (session, _now):
            row = self._appraisal(session, p, session_id)
            return row, self._questions(session, row), self._cards(session, row)

    def create_appraisal(self, p: Principal, body: CreateSession) -> str:
        with self._unit(p.tenant_id) as (session, now):
            self._people_named(session, p, [body.manager_id])
            row = IspringAppraisalSession(
                tenant_id=p.tenant_id, session_id=time_uuid(now), name=body.name,
                description=body.description or "", manager_id=body.manager_id, created_at=now)
            session.add(row)
            return row.session_id

    def update_appraisal(self, p: Principal, session_id: str, body: UpdateSession) -> None:
        with self._unit(p.tenant_id) as (session, _now):
            row = self._appraisal(session, p, session_id)
            if body.manager_id is not None:
                self._people_named(session, p, [body.manager_id])
            self._refuse_completed(row)
            if body.profile_id is not None and body.profile_id != row.profile_id:
                self._refuse_when(row, (IN_PROGRESS,),
                                  "The profile of a started appraisal session cannot be changed")
                row.profile_id = body.profile_id
            for attr in ("name", "description", "instruction", "self_review_instruction",
                         "manager_id"):
                value = getattr(body, attr)
                if value is not None:
                    setattr(row, attr, value)
            session.add(row)

    def start_appraisal(self, p: Principal, session_id: str) -> str:
        """StartAppraisalSessionStatusCode: SUCCESS, or why the session cannot start."""
        with self._unit(p.tenant_id) as (session, now):
            row = self._appraisal(session, p, session_id)
            cards = self._cards(session, row)
            if row.status != NOT_STARTED:
                return "ALREADY_STARTED"
            profile = None if row.profile_id is None else session.get(
                IspringCompetencyProfile, (p.tenant_id, row.profile_id))
            if profile is None:
                return "NO_PROFILE"
            content = profile_content(session, p.tenant_id, profile)
            if not content["competencies"]:
                return "EMPTY_PROFILE"
            if not cards:
                return "NO_EMPLOYEES"
            if any(not c.reviewers for c in cards):
                return "NO_REVIEWERS"
            row.status, row.started_at, row.content = IN_PROGRESS, now, content
            session.add(row)
            self._open_reviews(session, row, cards, now)
            return "SUCCESS"

    def restart_appraisal(self, p: Principal, session_id: str) -> str:
        """RestartAppraisalSessionStatusCode: only a completed session reopens."""
        with self._unit(p.tenant_id) as (session, _now):
            row = self._appraisal(session, p, session_id)
            if row.status != COMPLETED:
                return "NOT_COMPLETED"
            row.status, row.completed_at = IN_PROGRESS, None
            session.add(row)
            return "SUCCESS"

    def complete_appraisal(self, p: Principal, session_id: str) -> None:
        with self._unit(p.tenant_id) as (session, now):
            row = self._appraisal(session, p, session_id)
            self._refuse_when(row, (NOT_STARTED, COMPLETED),
                              "The appraisal session is not in progress")
            row.status, row.completed_at = COMPLETED, now
            session.add(row)

    def change_appraisal_permissions(self, p: Principal, session_id: str, body: UserIds,
                                     *, grant: bool) -> None:
        """Add or remove users allowed to see the session's results; repeats are harmless."""
        with self._unit(p.tenant_id) as (session, _now):
            row = self._appraisal(session, p, session_id)
            self._people_named(session, p, body.user_ids)
            current = list(row.permitted_user_ids)
            if grant:
                row.permitted_user_ids = current + [u for u in body.user_ids if u not in current]
            else:
                row.permitted_user_ids = [u for u in current if u not in body.user_ids]
            session.add(row)

    def change_appraisal_notifications(self, p: Principal, session_id: str,
                                       body: NotificationSettings) -> None:
        with self._unit(p.tenant_id) as (session, _now):
            row = self._appraisal(session, p, session_id)
            row.notification = {"dailyReviewersNotificationDay": body.day,
                                "dailyReviewersNotificationTimeMilli": body.time_milli}
            session.add(row)

    # -- the review form's questions

    @staticmethod
    def _questions(session: Session, row: IspringAppraisalSession,
                   ) -> list[IspringAppraisalQuestion]:
        return list(session.exec(select(IspringAppraisalQuestion).where(
            IspringAppraisalQuestion.tenant_id == row.tenant_id,
            IspringAppraisalQuestion.session_id == row.session_id).order_by(
            col(IspringAppraisalQuestion.position))).all())

    def _form(self, session: Session, p: Principal, session_id: str,
              ) -> tuple[IspringAppraisalSession, list[IspringAppraisalQuestion]]:
        """A session whose form may still change (before the start), with its questions."""
        row = self._appraisal(session, p, session_id)
        self._refuse_when(row, (IN_PROGRESS, COMPLETED),
                          "The questions of a started appraisal session cannot be changed")
        return row, self._questions(session, row)

    @staticmethod
    def _question(questions: Sequence[IspringAppraisalQuestion], question_id: str,
                  ) -> IspringAppraisalQuestion:
        found = next((q for q in questions if q.question_id == question_id.lower()), None)
        if found is None:
            raise NotFound("Question not found")
        return found

    def add_appraisal_question(self, p: Principal, session_id: str, body: NewQuestion) -> str:
        with self._unit(p.tenant_id) as (session, now):
            row, questions = self._form(session, p, session_id)
            question = IspringAppraisalQuestion(
                tenant_id=p.tenant_id, question_id=time_uuid(now), session_id=row.session_id,
                text=body.text, is_required=body.is_required, target_roles=body.target_roles,
                position=max((q.position for q in questions), default=0) + 1)
            session.add(question)
            return question.question_id

    def update_appraisal_question(self, p: Principal, session_id: str, question_id: str,
                                  body: QuestionChange) -> None:
        with self._unit(p.tenant_id) as (session, _now):
            _row, questions = self._form(session, p, session_id)
            question = self._question(questions, question_id)
            if body.text is not None:
                question.text = body.text
            if body.is_required is not None:
                question.is_required = body.is_required
            if body.target_roles is not None:
                question.target_roles = body.target_roles
            session.add(question)

    def order_appraisal_questions(self, p: Principal, session_id: str,
                                  body: QuestionOrder) -> None:
        """The new order names every question of the session exactly once (400 otherwise)."""
        with self._unit(p.tenant_id) as (session, _now):
            _row, questions = self._form(session, p, session_id)
            by_id = {q.question_id: q for q in questions}
            if sorted(body.question_ids) != sorted(by_id):
                raise BadRequest("Wrong parameters: questionIds must list every question of "
                                 "the session once")
            for position, question_id in enumerate(body.question_ids, start=1):
                by_id[question_id].position = position
                session.add(by_id[question_id])

    def remove_appraisal_question(self, p: Principal, session_id: str,
                                  question_id: str) -> None:
        with self._unit(p.tenant_id) as (session, _now):
            _row, questions = self._form(session, p, session_id)
            session.delete(self._question(questions, question_id))


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[AppraisalsOps, operations(AppraisalsOps)]
PREFIX = "/performance-management/appraisal/session"


@router.post(f"{PREFIX}/list")
def list_appraisal_sessions(request: Request, caller: AppraisalsRead, body: OptionalBody,
                            backend: Backend) -> Response:
    """List appraisal sessions.

    Vendor doc: OAS ListAppraisalSessions `{sessionIds?}` → AppraisalSession[] (XML items
    `<appraisalSession>`), ordered by ID; an unknown `sessionIds` item → 404 "Session not found".
    """
    rows = backend.list_appraisal_sessions(caller, ListSessions.parse(body))
    return ok(request, Items("appraisalSession", [session_tree(r) for r in rows]))


@router.post(f"{PREFIX}/create")
def create_appraisal_session(request: Request, caller: AppraisalsWrite, body: Body,
                             backend: Backend) -> Response:
    """Create an appraisal session.

    Vendor doc: OAS CreateAppraisalSession `{name, description?, managerId}` → 200 with the new
    ID (`<response>id</response>`, JSON string); the session starts as NOT_STARTED.
    """
    return ok(request, backend.create_appraisal(caller, CreateSession.parse(body)))


@router.get(f"{PREFIX}/{{session_id}}/info")
def get_appraisal_session_info(request: Request, session_id: str, caller: AppraisalsRead,
                               backend: Backend) -> Response:
    """Get an appraisal session's full info.

    Vendor doc: OAS AppraisalSessionInfo (questions, employees with reviewers, permitted users,
    notification settings once set); XML fields directly in `<response>` (the OAS gives JSON
    only).
    """
    row, questions, cards = backend.appraisal_info(caller, session_id)
    return ok(request, info_tree(row, questions, cards))


@router.post(f"{PREFIX}/{{session_id}}/update")
def update_appraisal_session(request: Request, session_id: str, caller: AppraisalsWrite,
                             body: Body, backend: Backend) -> Response:
    """Update an appraisal session.

    Vendor doc: OAS UpdateAppraisalSessionRequest (every field optional) → 200 empty; a completed
    session → 400; the profile only before the start (400).
    """
    backend.update_appraisal(caller, session_id, UpdateSession.parse(body))
    return empty(request)


@router.post(f"{PREFIX}/{{session_id}}/start")
def start_appraisal_session(request: Request, session_id: str, caller: AppraisalsWrite,
                            body: OptionalBody, backend: Backend) -> Response:
    """Start an appraisal session.

    Vendor doc: OAS StartAppraisalSessionStatusCode: 200 `SUCCESS` or the reason it cannot
    start (`ALREADY_STARTED`, `NO_PROFILE`, `NO_EMPLOYEES`, `NO_REVIEWERS`); EMPTY_PROFILE is not
    emulated (profiles are not looked up).
    """
    NoParameters.parse(body)
    return ok(request, backend.start_appraisal(caller, session_id))


@router.post(f"{PREFIX}/{{session_id}}/restart")
def restart_appraisal_session(request: Request, session_id: str, caller: AppraisalsWrite,
                              body: OptionalBody, backend: Backend) -> Response:
    """Restart (reopen) a completed appraisal session.

    Vendor doc: OAS RestartAppraisalSessionStatusCode: 200 `SUCCESS`, or `NOT_COMPLETED` for a
    session that is not completed.
    """
    NoParameters.parse(body)
    return ok(request, backend.restart_appraisal(caller, session_id))


@router.post(f"{PREFIX}/{{session_id}}/complete")
def complete_appraisal_session(request: Request, session_id: str, caller: AppraisalsWrite,
                               body: OptionalBody, backend: Backend) -> Response:
    """Complete an appraisal session.

    Vendor doc: OAS CompleteAppraisalSession → 200 empty; a session not in progress → 400.
    """
    NoParameters.parse(body)
    backend.complete_appraisal(caller, session_id)
    return empty(request)


@router.post(f"{PREFIX}/{{session_id}}/permissions/add")
def add_appraisal_session_permissions(request: Request, session_id: str,
                                      caller: AppraisalsWrite, body: Body,
                                      backend: Backend) -> Response:
    """Give users access to an appraisal session.

    Vendor doc: OAS `{userIds}` → 200 empty; unknown users → 400, users already permitted are
    kept once.
    """
    backend.change_appraisal_permissions(caller, session_id, UserIds.parse(body), grant=True)
    return empty(request)


@router.post(f"{PREFIX}/{{session_id}}/permissions/remove")
def remove_appraisal_session_permissions(request: Request, session_id: str,
                                         caller: AppraisalsWrite, body: Body,
                                         backend: Backend) -> Response:
    """Take users' access to an appraisal session away.

    Vendor doc: OAS `{userIds}` → 200 empty; unknown users → 400, users without access ignored.
    """
    backend.change_appraisal_permissions(caller, session_id, UserIds.parse(body), grant=False)
    return empty(request)


@router.post(f"{PREFIX}/{{session_id}}/notification/change")
def change_appraisal_session_notification_settings(request: Request, session_id: str,
                                                   caller: AppraisalsWrite, body: Body,
                                                   backend: Backend) -> Response:
    """Change when reviewers get their reminders.

    Vendor doc: OAS `{dailyReviewersNotificationDay, dailyReviewersNotificationTimeMilli}` → 200
    empty; day 0 to 365, time 0 to 86 399 999 ms (inferred bounds).
    """
    backend.change_appraisal_notifications(caller, session_id, NotificationSettings.parse(body))
    return empty(request)


@router.post(f"{PREFIX}/{{session_id}}/question/add")
def add_appraisal_question(request: Request, session_id: str, caller: AppraisalsWrite,
                           body: Body, backend: Backend) -> Response:
    """Add a question to a session's review form.

    Vendor doc: OAS `{text, isRequired, targetRoles}` → 200 with the new question ID; only
    before the start (400 after).
    """
    return ok(request, backend.add_appraisal_question(caller, session_id,
                                                      NewQuestion.parse(body)))


@router.post(f"{PREFIX}/{{session_id}}/question/change-order")
def change_appraisal_question_orders(request: Request, session_id: str,
                                     caller: AppraisalsWrite, body: Body,
                                     backend: Backend) -> Response:
    """Reorder a session's questions.

    Vendor doc: OAS `{questionIds}` (every question once) → 200 empty.
    """
    backend.order_appraisal_questions(caller, session_id, QuestionOrder.parse(body))
    return empty(request)


@router.post(f"{PREFIX}/{{session_id}}/question/{{question_id}}/update")
def update_appraisal_question(request: Request, session_id: str, question_id: str,
                              caller: AppraisalsWrite, body: Body,
                              backend: Backend) -> Response:
    """Change a question of a session's review form.

    Vendor doc: OAS `{text?, isRequired?, targetRoles?}` → 200 empty; unknown question → 404
    "Question not found".
    """
    backend.update_appraisal_question(caller, session_id, question_id,
                                      QuestionChange.parse(body))
    return empty(request)


@router.post(f"{PREFIX}/{{session_id}}/question/{{question_id}}/remove")
def remove_appraisal_question(request: Request, session_id: str, question_id: str,
                              caller: AppraisalsWrite, body: OptionalBody,
                              backend: Backend) -> Response:
    """Remove a question from a session's review form.

    Vendor doc: OAS RemoveAppraisalQuestion (no body) → 200 empty; only before the start.
    """
    NoParameters.parse(body)
    backend.remove_appraisal_question(caller, session_id, question_id)
    return empty(request)
