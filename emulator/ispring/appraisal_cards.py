"""iSpring appraisal sessions, second half: employee cards, reviewers, reviews, results, content.

The session itself and its lifecycle are in `appraisals` (decisions listed there). Here:
- Cards: an employee is in a session once (400 when added again, or when a replace or removal
  names an employee without a card); a card's reviewers are distinct users, and a
  `REVIEWER_ROLE_SELF_REVIEW` reviewer is the employee (400 otherwise). Cards may change until
  the session is completed (400 after); in a started session reviews follow the cards (new
  reviewers get a NOT_STARTED review, removed ones lose theirs).
- `reviewer/remove` takes the reviewers off every card of the session; a reviewer reviewing
  nobody there is a 400.
- Reviews are filled in by reviewers in iSpring's own UI, which the API cannot do: they come
  from the fixture pack or are opened by `start`. Results are the mean score of the SUBMITTED
  reviews, per competency and per indicator (`result` left out without any score), listed in
  the order of the session's competencies.
- The session's competencies (`…/content/competencies`) are the snapshot the session holds:
  taken from its competency profile in the library when it starts (none before), or given by
  the fixture pack for a seeded session.
- User attributes: the requested users' profile fields (non-empty, account order; `key` = the
  field ID, `title` = its label); a user no longer in the account but still named in the
  session is DELETED with empty names; any other unknown user is a 400.
- Department administrators see the cards, reviews, results and attributes of employees in
  their departments only, and may name only users of their departments (403).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Self

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BeforeValidator, Field, model_validator
from sqlmodel import Session

from emulator.ispring.appraisals import PREFIX, REVIEWER_ROLES, AppraisalBase, optional_date
from emulator.ispring.auth import (
    AppraisalsRead,
    AppraisalsWrite,
    Principal,
    authenticate,
    operations,
)
from emulator.ispring.base import effective_status
from emulator.ispring.errors import BadRequest, PermissionDenied
from emulator.ispring.fields import Id, RequiredIds, _choice, _items, _required
from emulator.ispring.models import (
    IspringAppraisalCard,
    IspringAppraisalReview,
    IspringAppraisalSession,
    IspringDepartment,
    IspringProfileField,
    IspringUser,
)
from emulator.ispring.profile_fields import AccountFields
from emulator.ispring.schemas import RequestModel, UserIds, _pre_items, ids, number
from emulator.ispring.wire import Body, Items, OptionalBody, Tree, empty, ok

SELF_REVIEW = "REVIEWER_ROLE_SELF_REVIEW"
USER_STATUSES = {1: "ACTIVE", 3: "DEACTIVATED", 5: "TERMINATED"}


class ReviewerIn(RequestModel):
    reviewer_id: Id = Field(alias="reviewerId")
    role: Annotated[str, BeforeValidator(_choice(*REVIEWER_ROLES))]


class CardIn(RequestModel):
    employee_id: Id = Field(alias="employeeId")
    reviewers: Annotated[list[ReviewerIn], BeforeValidator(_pre_items)]

    @model_validator(mode="after")
    def _reviewers_distinct(self) -> Self:
        seen = [r.reviewer_id for r in self.reviewers]
        if len(set(seen)) < len(seen):
            raise ValueError("lists a reviewer twice")
        if any(r.role == SELF_REVIEW and r.reviewer_id != self.employee_id
               for r in self.reviewers):
            raise ValueError("a self-review is by the employee")
        return self

    def stored(self) -> list[dict[str, str]]:
        return [{"reviewerId": r.reviewer_id, "role": r.role} for r in self.reviewers]


def _some_items(value: Any) -> list[Any]:
    items = _items(_required(value))
    if not items:
        raise ValueError("must not be empty")
    return items


class CardsIn(RequestModel):
    cards: Annotated[list[CardIn], BeforeValidator(_some_items)]

    @model_validator(mode="after")
    def _employees_distinct(self) -> Self:
        employees = [c.employee_id for c in self.cards]
        if len(set(employees)) < len(employees):
            raise ValueError("lists an employee twice")
        return self

    def people(self) -> list[str]:
        return [u for c in self.cards for u in (c.employee_id, *(r.reviewer_id
                                                                  for r in c.reviewers))]


class EmployeeIds(RequestModel):
    employee_ids: RequiredIds = Field(alias="employeeIds")


class ReviewerIds(RequestModel):
    reviewer_ids: RequiredIds = Field(alias="reviewerIds")


def card_tree(card: IspringAppraisalCard) -> Tree:
    return {"employeeId": card.employee_id,
            "reviewerIds": ids(r["reviewerId"] for r in card.reviewers)}


def review_tree(review: IspringAppraisalReview) -> Tree:
    return {"reviewId": review.review_id, "sessionId": review.session_id,
            "employeeId": review.employee_id, "reviewerId": review.reviewer_id,
            "status": review.status,
            "completionDate": optional_date(review.completed_at)}


def _means(reviews: Sequence[IspringAppraisalReview], kind: str, order: Sequence[str],
           key: str) -> Items:
    """Mean score per item over submitted reviews, in the session's order, then the rest."""
    scores: dict[str, list[float]] = {}
    for review in reviews:
        if review.status == "SUBMITTED":
            for item_id, score in review.scores.get(kind, {}).items():
                scores.setdefault(item_id, []).append(score)
    listed = list(order) + sorted(set(scores) - set(order))
    return Items(f"appraisalSessionEmployee{key.capitalize()}Results", [
        {f"{key}Id": item_id,
         "result": number(sum(scores[item_id]) / len(scores[item_id]))
         if item_id in scores else None} for item_id in listed])


def results_tree(row: IspringAppraisalSession, employee_id: str,
                 reviews: Sequence[IspringAppraisalReview]) -> Tree:
    competencies = row.content.get("competencies", [])
    return {"employeeId": employee_id, "sessionId": row.session_id,
            "competencyResults": _means(reviews, "competencies",
                                        [c["competencyId"] for c in competencies], "competency"),
            "indicatorResults": _means(reviews, "indicators",
                                       [i["indicatorId"] for c in competencies
                                        for i in c.get("indicators", [])], "indicator")}


def content_tree(content: dict[str, Any]) -> Tree:
    """AppraisalSessionContentCompetencies from the stored snapshot (wire-shaped already)."""
    return {
        "competencies": Items("appraisalSessionContentCompetency", [
            {**c, "indicators": Items("appraisalSessionContentIndicatorData",
                                      list(c.get("indicators", [])))}
            for c in content.get("competencies", [])]),
        "scales": Items("appraisalSessionContentScale", [
            {**s, "levels": Items("appraisalSessionContentScaleLevelData",
                                  list(s.get("levels", [])))}
            for s in content.get("scales", [])])}


def attributes_tree(session_id: str, user_id: str, user: IspringUser | None,
                    department: IspringDepartment | None, status: str,
                    fields: Sequence[IspringProfileField]) -> Tree:
    values = user.fields if user else {}
    first, last = values.get("FIRST_NAME", ""), values.get("LAST_NAME", "")
    name = f"{first} {last}".strip() or (user.login if user else "")
    initials = "".join(part[:1] for part in (first, last)).upper() or name[:1].upper()
    return {"sessionId": session_id, "userId": user_id, "displayingName": name,
            "initials": initials, "departmentId": user.department_id if user else "",
            "departmentName": department.name if department else "", "status": status,
            "attributes": Items("appraisalSessionUserAttribute", [
                {"key": f.field_id, "value": values[f.field_id], "title": f.label}
                for f in fields if values.get(f.field_id)])}


class AppraisalCardsOps(AppraisalBase):
    """Employee cards and reviewers, reviews, results, competencies and user attributes."""

    def _visible_employees(self, session: Session, p: Principal,
                           employee_ids: Sequence[str]) -> set[str]:
        users = self._users_by_id(session, p.tenant_id, employee_ids)
        return {e for e in employee_ids
                if p.scope is None or (e in users and p.covers(users[e].department_id))}

    def appraisal_cards(self, p: Principal, session_id: str) -> list[IspringAppraisalCard]:
        with self._unit(p.tenant_id) as (session, _now):
            cards = self._cards(session, self._appraisal(session, p, session_id))
            shown = self._visible_employees(session, p, [c.employee_id for c in cards])
            return [c for c in cards if c.employee_id in shown]

    def appraisal_reviews(self, p: Principal, session_id: str) -> list[IspringAppraisalReview]:
        with self._unit(p.tenant_id) as (session, _now):
            reviews = self._reviews(session, self._appraisal(session, p, session_id))
            shown = self._visible_employees(session, p, [r.employee_id for r in reviews])
            return [r for r in reviews if r.employee_id in shown]

    def appraisal_results(self, p: Principal, session_id: str) -> list[Tree]:
        with self._unit(p.tenant_id) as (session, _now):
            row = self._appraisal(session, p, session_id, missing=BadRequest)
            cards = self._cards(session, row)
            reviews = self._reviews(session, row)
            shown = self._visible_employees(session, p, [c.employee_id for c in cards])
            return [results_tree(row, c.employee_id,
                                 [r for r in reviews if r.employee_id == c.employee_id])
                    for c in cards if c.employee_id in shown]

    def appraisal_content(self, p: Principal, session_id: str) -> dict[str, Any]:
        with self._unit(p.tenant_id) as (session, _now):
            return dict(self._appraisal(session, p, session_id).content)

    def add_appraisal_cards(self, p: Principal, session_id: str, body: CardsIn) -> None:
        with self._unit(p.tenant_id) as (session, now):
            row = self._appraisal(session, p, session_id)
            self._people_named(session, p, body.people())
            self._refuse_completed(row)
            cards = self._cards(session, row)
            present = {c.employee_id for c in cards}
            for card in body.cards:
                if card.employee_id in present:
                    raise BadRequest(f"Employee {card.employee_id} is already in the appraisal "
                                     "session")
            position = max((c.position for c in cards), default=0)
            for offset, card in enumerate(body.cards, start=1):
                session.add(IspringAppraisalCard(
                    tenant_id=p.tenant_id, session_id=row.session_id,
                    employee_id=card.employee_id, reviewers=card.stored(),
                    position=position + offset))
            self._sync_reviews(session, row, now)

    def _known_in_scope(self, session: Session, p: Principal, user_ids: Sequence[str],
                        ) -> dict[str, IspringUser]:
        """The named users the account still has; 403 if any is outside the caller's scope.

        Unlike a write naming new people, these may name users since deleted (they can still
        be in a session), so an unknown ID is judged by the operation, not here.
        """
        users = self._users_by_id(session, p.tenant_id, user_ids)
        if any(not p.covers(u.department_id) for u in users.values()):
            raise PermissionDenied()
        return users

    def _cards_named(self, session: Session, p: Principal, row: IspringAppraisalSession,
                     employee_ids: Sequence[str]) -> list[IspringAppraisalCard]:
        """The cards of the named employees: 403 out of scope, 400 without a card."""
        by_employee = {c.employee_id: c for c in self._cards(session, row)}
        self._known_in_scope(session, p, employee_ids)
        self._refuse_completed(row)
        for employee_id in employee_ids:
            if employee_id not in by_employee:
                raise BadRequest(f"Employee {employee_id} is not in the appraisal session")
        return [by_employee[e] for e in employee_ids]

    def replace_appraisal_reviewers(self, p: Principal, session_id: str, body: CardsIn) -> None:
        with self._unit(p.tenant_id) as (session, now):
            row = self._appraisal(session, p, session_id)
            self._people_named(session, p, body.people())
            cards = self._cards_named(session, p, row, [c.employee_id for c in body.cards])
            for card, given in zip(cards, body.cards, strict=True):
                card.reviewers = given.stored()
                session.add(card)
            self._sync_reviews(session, row, now)

    def remove_appraisal_cards(self, p: Principal, session_id: str, body: EmployeeIds) -> None:
        with self._unit(p.tenant_id) as (session, now):
            row = self._appraisal(session, p, session_id)
            for card in self._cards_named(session, p, row, body.employee_ids):
                session.delete(card)
            self._sync_reviews(session, row, now)

    def remove_appraisal_reviewers(self, p: Principal, session_id: str,
                                   body: ReviewerIds) -> None:
        with self._unit(p.tenant_id) as (session, now):
            row = self._appraisal(session, p, session_id)
            self._known_in_scope(session, p, body.reviewer_ids)
            self._refuse_completed(row)
            cards = self._cards(session, row)
            reviewing = {r["reviewerId"] for c in cards for r in c.reviewers}
            for reviewer_id in body.reviewer_ids:
                if reviewer_id not in reviewing:
                    raise BadRequest(f"Reviewer {reviewer_id} is not in the appraisal session")
            for card in cards:
                kept = [r for r in card.reviewers if r["reviewerId"] not in body.reviewer_ids]
                if len(kept) < len(card.reviewers):
                    card.reviewers = kept
                    session.add(card)
            self._sync_reviews(session, row, now)

    def appraisal_user_attributes(self, p: Principal, session_id: str, body: UserIds,
                                  ) -> list[Tree]:
        with self._unit(p.tenant_id) as (session, now):
            row = self._appraisal(session, p, session_id)
            users = self._known_in_scope(session, p, body.user_ids)
            named = {row.manager_id, *row.permitted_user_ids}
            for card in self._cards(session, row):
                named.update([card.employee_id, *(r["reviewerId"] for r in card.reviewers)])
            for user_id in body.user_ids:
                if user_id not in users and user_id not in named:
                    raise BadRequest(f"Unknown user: {user_id}")
            departments = self._departments(session, p.tenant_id)
            fields = AccountFields.load(session, p.tenant_id).ordered
            out = []
            for user_id in body.user_ids:
                user = users.get(user_id)
                status = (USER_STATUSES.get(effective_status(user, now.date()), "ACTIVE")
                          if user else "DELETED")
                out.append(attributes_tree(row.session_id, user_id, user,
                                           departments.get(user.department_id) if user else None,
                                           status, fields))
            return out


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[AppraisalCardsOps, operations(AppraisalCardsOps)]


@router.get(f"{PREFIX}/{{session_id}}/employee-card/list")
def list_appraisal_session_employee_cards(request: Request, session_id: str,
                                          caller: AppraisalsRead,
                                          backend: Backend) -> Response:
    """List a session's employee cards.

    Vendor doc: OAS AppraisalSessionEmployeeCard[] `{employeeId, reviewerIds}` (XML items
    `<appraisalSessionEmployeeCard>`), in the order the employees were added.
    """
    cards = backend.appraisal_cards(caller, session_id)
    return ok(request, Items("appraisalSessionEmployeeCard", [card_tree(c) for c in cards]))


@router.get(f"{PREFIX}/{{session_id}}/review/list")
def list_appraisal_session_reviews(request: Request, session_id: str, caller: AppraisalsRead,
                                   backend: Backend) -> Response:
    """List a session's reviews.

    Vendor doc: OAS AppraisalSessionReview[] (XML items `<appraisalSessionReview>`), ordered by
    review ID; `completionDate` only once submitted.
    """
    reviews = backend.appraisal_reviews(caller, session_id)
    return ok(request, Items("appraisalSessionReview", [review_tree(r) for r in reviews]))


@router.get(f"{PREFIX}/{{session_id}}/results")
def get_appraisal_session_results(request: Request, session_id: str, caller: AppraisalsRead,
                                  backend: Backend) -> Response:
    """Get a session's results per employee.

    Vendor doc: OAS AppraisalSessionEmployeeResults[] (mean of submitted reviews); the OAS lists
    no 404 here, so an unknown session is a 400 "Session not found".
    """
    results = backend.appraisal_results(caller, session_id)
    return ok(request, Items("appraisalSessionEmployeeResults", results))


@router.get(f"{PREFIX}/{{session_id}}/content/competencies")
def get_appraisal_session_content_competencies(request: Request, session_id: str,
                                               caller: AppraisalsRead,
                                               backend: Backend) -> Response:
    """Get the competencies and scales a session reviews.

    Vendor doc: OAS AppraisalSessionContentCompetencies `{competencies, scales}`; XML fields
    directly in `<response>`.
    """
    return ok(request, content_tree(backend.appraisal_content(caller, session_id)))


@router.post(f"{PREFIX}/{{session_id}}/user/attributes/list")
def list_appraisal_session_user_attributes(request: Request, session_id: str,
                                           caller: AppraisalsRead, body: OptionalBody,
                                           backend: Backend) -> Response:
    """List session participants' names, departments, statuses and profile attributes.

    Vendor doc: OAS `{userIds}` → AppraisalSessionUserAttributes[] (XML items
    `<appraisalSessionUserAttributes>`), in the order asked.
    """
    rows = backend.appraisal_user_attributes(caller, session_id, UserIds.parse(body))
    return ok(request, Items("appraisalSessionUserAttributes", rows))


@router.post(f"{PREFIX}/{{session_id}}/employee-card/add")
def add_appraisal_session_employee_cards(request: Request, session_id: str,
                                         caller: AppraisalsWrite, body: Body,
                                         backend: Backend) -> Response:
    """Add employees, with their reviewers, to a session.

    Vendor doc: OAS `{cards: [{employeeId, reviewers: [{reviewerId, role}]}]}` → 200 empty.
    """
    backend.add_appraisal_cards(caller, session_id, CardsIn.parse(body))
    return empty(request)


@router.post(f"{PREFIX}/{{session_id}}/employee-card/reviewer/replace")
def replace_appraisal_session_employee_reviewers(request: Request, session_id: str,
                                                 caller: AppraisalsWrite, body: Body,
                                                 backend: Backend) -> Response:
    """Replace the reviewers of employees already in a session.

    Vendor doc: OAS `{cards: [{employeeId, reviewers}]}` → 200 empty.
    """
    backend.replace_appraisal_reviewers(caller, session_id, CardsIn.parse(body))
    return empty(request)


@router.post(f"{PREFIX}/{{session_id}}/employee-card/remove")
def remove_appraisal_session_employee_cards(request: Request, session_id: str,
                                            caller: AppraisalsWrite, body: Body,
                                            backend: Backend) -> Response:
    """Remove employees (and their reviews) from a session.

    Vendor doc: OAS `{employeeIds}` → 200 empty.
    """
    backend.remove_appraisal_cards(caller, session_id, EmployeeIds.parse(body))
    return empty(request)


@router.post(f"{PREFIX}/{{session_id}}/employee-card/reviewer/remove")
def remove_appraisal_session_reviewers(request: Request, session_id: str,
                                       caller: AppraisalsWrite, body: Body,
                                       backend: Backend) -> Response:
    """Remove reviewers from every card of a session.

    Vendor doc: OAS `{reviewerIds}` → 200 empty.
    """
    backend.remove_appraisal_reviewers(caller, session_id, ReviewerIds.parse(body))
    return empty(request)
