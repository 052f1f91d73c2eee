"""iSpring rules and persistence, usable without HTTP.

`IspringBackend` holds every operation; each runs in one `ctx.db.transaction()` and reads time
from the emulator clock only. Callers are `Principal`s: what an account user (or a token) may do,
and in which departments (§4.9).

Behaviours the fact sheet leaves open, each named so it is easy to find:
- `ROLE_RIGHTS`, `Right`: what each role may call (§4.9; a token has Owner rights, D17);
  learners and supervisors may call nothing (inferred).
- `TOKEN_LIFETIME`: 1800 s; expiry follows the emulator clock (D17).
- `encode_page_token` / `decode_page_token`: keyset pages on the entity ID (D19); result rows use
  the enrollment ID, module rows `<enrollmentId>:<moduleId>` (inferred).
- `effective_status`: a scheduled deactivation/termination takes effect on its date (inferred).
- `course_status`, `module_progress`: course results derived from module results unless
  `POST /statistics/course` set them; "automatic" returns to derived (inferred).
- `is_overdue`: a due date in the past without a successful completion (inferred).
- `due_date_for`: `default` applies the course's own due period; `due_period` counts hours from
  the access date; `lockAfterDueDate` only matters when there is a due date (inferred).
- Deleting a department that still has users or sub-departments is refused (400); withdrawing
  more points than a user has is refused (400); the Account Owner cannot be deleted, blocked or
  re-roled (403) (all inferred).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from sqlalchemy import delete, func, insert, or_
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from emulator.core.clock import as_utc
from emulator.core.ids import next_int, time_uuid, token
from emulator.core.models import Tenant
from emulator.core.vendor import Context
from emulator.ispring import schemas as s
from emulator.ispring.errors import (
    BadRequest,
    NotFound,
    PermissionDenied,
    PlainNotFound,
    Unauthorized,
)
from emulator.ispring.models import (
    IspringApiKey,
    IspringAssignmentAttempt,
    IspringContent,
    IspringCourseField,
    IspringDepartment,
    IspringEnrollment,
    IspringGroup,
    IspringGroupMember,
    IspringModule,
    IspringModuleResult,
    IspringProfileField,
    IspringQuizAnswer,
    IspringRole,
    IspringTask,
    IspringToken,
    IspringTraining,
    IspringTrainingDay,
    IspringTrainingSession,
    IspringUser,
    IspringWebhookEvent,
    IspringWebhookSubscriber,
    IspringWebhookSubscription,
)
from emulator.ispring.schemas import IspringFixture

M = TypeVar("M")

TOKEN_LIFETIME = 1800
DEFAULT_PAGE_SIZE = 1000
INHERIT: dict[str, Any] = {"subordinationType": "inherit"}
SUCCESS = frozenset({"complete", "passed", "accepted"})
FINISHED = SUCCESS | {"failed", "declined"}


# -- roles, rights and the caller ----------------------------------------------------------------

class Right(StrEnum):
    USERS_READ = "users.read"
    USERS_WRITE = "users.write"
    DEPARTMENTS_READ = "departments.read"
    DEPARTMENTS_WRITE = "departments.write"
    GROUPS_READ = "groups.read"
    GROUPS_WRITE = "groups.write"
    CONTENT_READ = "content.read"
    CONTENT_WRITE = "content.write"
    ENROLLMENTS_READ = "enrollments.read"
    ENROLLMENTS_WRITE = "enrollments.write"
    RESULTS_READ = "results.read"
    STATISTICS_WRITE = "statistics.write"
    GAMIFICATION_READ = "gamification.read"
    GAMIFICATION_WRITE = "gamification.write"
    WEBHOOKS = "webhooks"


ALL_RIGHTS = frozenset(Right)
ROLE_RIGHTS: dict[str, frozenset[Right]] = {
    "owner": ALL_RIGHTS,
    "administrator": ALL_RIGHTS,
    # §4.9: department administrators may not create departments (nor content, inferred);
    # webhooks are for the Owner and Account Administrators only (§5.10).
    "department_administrator": ALL_RIGHTS - {Right.DEPARTMENTS_WRITE, Right.CONTENT_WRITE,
                                              Right.WEBHOOKS},
    "publisher": frozenset({
        Right.USERS_READ, Right.DEPARTMENTS_READ, Right.GROUPS_READ, Right.CONTENT_READ,
        Right.CONTENT_WRITE,
        Right.ENROLLMENTS_READ, Right.ENROLLMENTS_WRITE, Right.RESULTS_READ,
        Right.GAMIFICATION_READ, Right.GAMIFICATION_WRITE,
    }),
    "learner": frozenset(),
    "supervisor": frozenset(),
}
UNSCOPED_ROLES = frozenset({"owner", "administrator"})
# D9: both generations of role names are accepted on input.
ROLE_ALIASES = {
    "learner": "learner", "learners": "learner",
    "administrator": "administrator", "account_administrators": "administrator",
    "department_administrator": "department_administrator",
    "department_administrators": "department_administrator",
    "publisher": "publisher", "course_authors": "publisher",
    "custom": "custom", "supervisor": "supervisor",
}


@dataclass(frozen=True)
class Principal:
    """Who is calling: the account, the role's rights, and the departments it may act in."""

    tenant_id: str
    role_type: str
    rights: frozenset[Right]
    # Departments (managed ones and everything below them); None = the whole account.
    scope: frozenset[str] | None
    user_id: str | None = None  # None for a token: account-wide rights (D17)

    def require(self, right: Right) -> None:
        if right not in self.rights:
            raise PermissionDenied()

    def covers(self, department_id: str) -> bool:
        return self.scope is None or department_id in self.scope

    @property
    def is_publisher(self) -> bool:
        return self.role_type == "publisher"


# -- tenants -------------------------------------------------------------------------------------

def account_host(url: str) -> str:
    """The account an `X-Auth-Account-Url` names: its host, lower case (scheme/path ignored)."""
    text = url.strip()
    try:
        parsed = urlsplit(text if "//" in text else f"//{text}")
        host = parsed.hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower()


def token_tenant(session: Session, access_token: str) -> str | None:
    """The account an access token belongs to, expired or not."""
    row = session.exec(select(IspringToken).where(IspringToken.token == access_token)).first()
    return None if row is None else row.tenant_id


def fresh_credentials(tenant_id: str) -> dict[str, Any]:
    return {"accountUrl": f"https://{tenant_id}",
            "apiKeys": [{"clientId": str(uuid.uuid4()), "clientSecret": token(32)}]}


def seed(session: Session, tenant_id: str, fixture: IspringFixture, now: datetime,
         credentials: dict[str, Any] | None) -> dict[str, Any]:
    """Write a pack's rows for one account: plain rows, one bulk INSERT per table.

    ORM objects are skipped on purpose: building ~100 SQLModel instances costs more than the
    inserts themselves, and a fresh account must be ready in a few milliseconds.
    """
    creds: dict[str, Any] = dict(credentials) if credentials else {
        "accountUrl": fixture.account_url,
        "apiKeys": [k.model_dump(by_alias=True) for k in fixture.api_keys],
    }
    creds["users"] = [{"login": u.login, "password": u.password,
                       "role": _fixture_role_type(fixture, u)} for u in fixture.users]
    rows: dict[type[SQLModel], list[dict[str, Any]]] = {}

    def add(model: type[SQLModel], **values: Any) -> None:
        rows.setdefault(model, []).append({"tenant_id": tenant_id, **values})

    for k in creds["apiKeys"]:
        add(IspringApiKey, client_id=k["clientId"], client_secret=k["clientSecret"])
    for d in fixture.departments:
        add(IspringDepartment, department_id=d.id, name=d.name, parent_id=d.parent_id,
            code=d.code, subordination=INHERIT, co_subordination=INHERIT)
    for role in fixture.roles:
        add(IspringRole, role_id=role.id, type=role.type, title=role.title,
            description=role.description, rights=list(role.rights))
    for i, cf in enumerate(fixture.course_fields):
        add(IspringCourseField, field_id=cf.id, custom_id=cf.custom_id, label=cf.label,
            position=i)
    for i, f in enumerate(fixture.profile_fields):
        add(IspringProfileField, field_id=f.id, name=f.name, label=f.label, type=f.type,
            is_unique=f.is_unique, is_required=f.is_required, order_priority=i,
            values=list(f.values))
    for u in fixture.users:
        fields = {k.upper(): v for k, v in u.fields.items()}
        fields["LOGIN"] = u.login
        if u.email:
            fields["EMAIL"] = u.email
        add(IspringUser, user_id=u.id, login=u.login, email=u.email, password=u.password,
            department_id=u.department_id, status=u.status, fields=fields,
            roles=[{"roleId": r.role_id,
                    "manageableDepartmentIds": list(r.manageable_department_ids)}
                   for r in u.roles],
            subordination=INHERIT, co_subordination=INHERIT, added_at=u.added_date,
            last_login_at=u.last_login_date, points=u.points)
    for g in fixture.groups:
        add(IspringGroup, group_id=g.id, name=g.name, is_smart=g.rules is not None,
            rules=g.rules)
        for member in g.user_ids:
            add(IspringGroupMember, group_id=g.id, user_id=member)
    for c in fixture.content:
        add(IspringContent, content_id=c.id, title=c.title, subtitle=c.subtitle,
            description=c.description, type=c.type, author_id=c.author_id,
            added_at=c.added_date, view_slug=c.view_slug, passing_score=c.passing_score,
            default_due_period=c.default_due_period, certificate=c.certificate,
            quiz_id=c.quiz_id, course_ids=list(c.course_ids), field_values=dict(c.field_values),
            instructor_id=c.instructor_id)
        for i, m in enumerate(c.modules):
            add(IspringModule, module_id=m.id, course_id=c.id, item_id=m.item_id,
                title=m.title, description=m.description, type=m.type,
                author_id=c.author_id, added_at=c.added_date, position=i + 1,
                training_type=m.training_type)
    for e in fixture.enrollments:
        add(IspringEnrollment, enrollment_id=e.id, course_id=e.course_id,
            learner_id=e.learner_id, access_at=e.access_date, due_date_type=e.due_date_type,
            due_date=e.due_date, lock_after_due_date=e.lock_after_due_date,
            type_group=e.type_group, created_at=e.access_date, status_override=e.course_status,
            override_at=e.completion_date, override_score=e.course_score,
            time_spent=e.time_spent, views=e.views, last_view_at=e.last_view_date,
            certificate_id=e.certificate_id, certificate_at=e.certificate_date)
        for r in e.module_results:
            add(IspringModuleResult, enrollment_id=e.id, module_id=r.module_id,
                status=r.status, score=r.score, completed_at=r.completion_date,
                time_spent=r.time_spent, views=r.views, last_view_at=r.last_view_date)
    for tr in fixture.trainings:
        add(IspringTraining, training_id=tr.id, title=tr.title, organizer_id=tr.organizer_id,
            type=tr.type)
        for ses in tr.sessions:
            add(IspringTrainingSession, session_id=ses.id, training_id=tr.id,
                title=ses.title, start_time=ses.start_time, duration=ses.duration,
                instructor=ses.instructor, participants=list(ses.participants))
            for day in ses.days:
                add(IspringTrainingDay, day_id=day.id, session_id=ses.id,
                    start_time=day.start_time, duration=day.duration, location=day.location,
                    url=day.url, attendance={})
    learner_of = {e.id: e.learner_id for e in fixture.enrollments}
    for q in fixture.quiz_answers:
        add(IspringQuizAnswer, answer_id=q.id, quiz_item_id=q.quiz_item_id,
            enrollment_id=q.enrollment_id, user_id=learner_of[q.enrollment_id],
            quiz_version=q.quiz_version, attempt_date=q.attempt_date,
            attempt_passed=q.is_attempt_passed, attempt_score=q.attempt_score,
            passing_score=q.passing_score, question_number=q.question_number,
            question_title=q.question_title, question_type=q.question_type,
            question_score=q.question_score, question_group=q.question_group,
            statement_title=q.statement_title, answer_text=q.answer_text,
            custom_answer_text=q.custom_answer_text, is_correct=q.is_answer_correct,
            answer_score=q.answer_score)
    for a in fixture.assignment_attempts:
        add(IspringAssignmentAttempt, attempt_id=a.id, assignment_id=a.assignment_id,
            enrollment_id=a.enrollment_id, user_id=learner_of[a.enrollment_id],
            comment=a.comment, attachments=[x.model_dump(by_alias=True) for x in a.attachments],
            submitted_at=a.submitted_date)
    for model, values in rows.items():
        _bulk_insert(session, model, values)
    return creds


def _bulk_insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """One INSERT for many rows; columns a row leaves out get the model's defaults."""
    table = SQLModel.metadata.tables[str(model.__tablename__)]
    defaults: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            defaults[name] = info.default_factory
        elif not info.is_required():
            defaults[name] = info.default
    filled = [{**{k: (v() if k not in row and callable(v) else v)
                  for k, v in defaults.items() if k not in row}, **row} for row in rows]
    session.execute(insert(table), filled)


def custom_rights(granted: Iterable[str]) -> frozenset[Right]:
    """The rights a custom role was granted (unknown names ignored; never webhooks, §5.10)."""
    known = {r.value: r for r in Right if r is not Right.WEBHOOKS}
    return frozenset(known[name] for name in granted if name in known)


def _fixture_role_type(fixture: IspringFixture, user: s.UserFixture) -> str:
    types = {r.id: r.type for r in fixture.roles}
    return _primary([types.get(r.role_id, "learner") for r in user.roles])


def _primary(role_types: Sequence[str]) -> str:
    return next((t for t in role_types if t != "learner"), "learner")


# -- pure rules ----------------------------------------------------------------------------------

def encode_page_token(key: str) -> str:
    """D19: base64 of the first key of the next page (what the vendor's tokens decode to)."""
    return base64.b64encode(key.encode()).decode()


def decode_page_token(page_token: str | None) -> str | None:
    if not page_token:
        return None
    # A `+` sent unencoded in a query string arrives as a space; URL-safe spellings also work.
    text = page_token.strip().replace(" ", "+").replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("Wrong parameters: pageToken is invalid") from None
    if not key or not key.isprintable():
        raise BadRequest("Wrong parameters: pageToken is invalid")
    return key


def page_size(value: int | None) -> int:
    if value is None:
        return DEFAULT_PAGE_SIZE
    if value < 1:
        raise BadRequest("Wrong parameters: pageSize must be a positive integer")
    return value


def effective_status(user: IspringUser, today: date) -> int:
    if user.terminate_on is not None and today >= user.terminate_on:
        return 5
    if user.status == 1 and user.deactivate_on is not None and today >= user.deactivate_on:
        return 3
    return user.status


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


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


# -- webhooks ------------------------------------------------------------------------------------

WEBHOOK_RETRY = timedelta(days=1)
Sender = Callable[[str, bytes, dict[str, str]], str | None]


def http_sender(client: httpx.Client, allowed_hosts: list[str] | None = None) -> Sender:
    """POSTs deliveries with `client`: None when the receiver answered 2xx, else the problem.

    `allowed_hosts` (setting `EMULATOR_WEBHOOK_HOSTS`) limits where events may go; a delivery
    elsewhere is recorded as failed without any network traffic.
    """

    def send(url: str, body: bytes, headers: dict[str, str]) -> str | None:
        host = (urlsplit(url).hostname or "").lower()
        if allowed_hosts is not None and host not in allowed_hosts:
            return f"delivery to {host!r} blocked: not in EMULATOR_WEBHOOK_HOSTS"
        try:
            response = client.post(url, content=body, headers=headers)
        except (httpx.HTTPError, ValueError) as exc:
            return f"{type(exc).__name__}: {exc}"[:500]
        return None if response.is_success else f"HTTP {response.status_code}"

    return send


def _nanoseconds(value: datetime) -> int:
    """Webhook payloads carry completion dates as integer nanoseconds since the epoch."""
    moment = as_utc(value)
    return int(moment.replace(microsecond=0).timestamp()) * 10**9 + moment.microsecond * 1000


class _Outbox:
    """Queues the events of one unit of work for every subscriber that asked for them.

    Only enabled, confirmed subscribers receive events; a subscription's `userIds`, `courseIds`
    and `courseItemIds` parameters narrow what it receives (a `learnerIds` list is narrowed to
    the wanted users; inferred).
    """

    def __init__(self, session: Session, tenant_id: str, now: datetime) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.now = now
        self._subscriptions: list[IspringWebhookSubscription] | None = None

    def _active(self) -> list[IspringWebhookSubscription]:
        if self._subscriptions is None:
            ready = select(IspringWebhookSubscriber.name).where(
                IspringWebhookSubscriber.tenant_id == self.tenant_id,
                col(IspringWebhookSubscriber.enabled), col(IspringWebhookSubscriber.confirmed))
            self._subscriptions = list(self.session.exec(select(IspringWebhookSubscription).where(
                IspringWebhookSubscription.tenant_id == self.tenant_id,
                col(IspringWebhookSubscription.subscriber).in_(ready))).all())
        return self._subscriptions

    def emit(self, kind: str, payload: dict[str, Any], *, users: Sequence[str] = (),
             course: str | None = None, item: str | None = None) -> None:
        for sub in self._active():
            if sub.type != kind:
                continue
            wanted = {p["name"]: set(s.SubscriptionIn.filter_values(
                s.SubscriptionParam.model_validate(p)) or []) for p in sub.params}
            matched_users = [u for u in users if "userIds" not in wanted
                             or u in wanted["userIds"]]
            if (users and not matched_users) or (
                    "courseIds" in wanted and course not in wanted["courseIds"]) or (
                    "courseItemIds" in wanted and item not in wanted["courseItemIds"]):
                continue
            body = dict(payload)
            if "learnerIds" in body:
                body["learnerIds"] = matched_users
            self.send(sub.subscriber, kind, body)

    def send(self, subscriber: str, kind: str, payload: Any) -> None:
        self.session.add(IspringWebhookEvent(
            tenant_id=self.tenant_id, event_id=next_int(self.session, "ispring.webhook_event"),
            subscriber=subscriber, type=kind, payload=payload, created_at=self.now))


# -- the backend ---------------------------------------------------------------------------------

class IspringBackend:
    """Every iSpring operation: vendor rules and persistence over `ctx.db`."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @contextmanager
    def _unit(self, tenant_id: str) -> Iterator[tuple[Session, datetime]]:
        with self.ctx.db.transaction() as session:
            yield session, self.ctx.now(session, tenant_id)

    # -- authentication --------------------------------------------------------------------------

    def issue_token(self, body: s.TokenRequest) -> tuple[str, str, int]:
        """(tenant, access token, lifetime) for a client-credentials grant (§3.2)."""
        if body.grant_type != "client_credentials":
            raise BadRequest("Wrong parameters: grant_type must be client_credentials")
        with self.ctx.db.transaction() as session:
            keys = session.exec(select(IspringApiKey).where(
                IspringApiKey.client_id == body.client_id)).all()
            key = next((k for k in keys if hmac.compare_digest(
                k.client_secret.encode(), body.client_secret.encode())), None)
            if key is None:
                raise Unauthorized()
            now = self.ctx.now(session, key.tenant_id)
            session.execute(delete(IspringToken).where(
                col(IspringToken.tenant_id) == key.tenant_id,
                col(IspringToken.expires_at) <= now))
            access = token(32)
            session.add(IspringToken(tenant_id=key.tenant_id, token=access,
                                     client_id=key.client_id,
                                     expires_at=now + timedelta(seconds=TOKEN_LIFETIME)))
            return key.tenant_id, access, TOKEN_LIFETIME

    def token_principal(self, access_token: str) -> Principal:
        with self.ctx.db.transaction() as session:
            row = session.exec(select(IspringToken).where(
                IspringToken.token == access_token)).first()
            if row is None or as_utc(row.expires_at) <= self.ctx.now(session, row.tenant_id):
                raise Unauthorized()
            return Principal(tenant_id=row.tenant_id, role_type="owner", rights=ALL_RIGHTS,
                             scope=None)

    def login_principal(self, account_url: str, login: str, password: str) -> Principal:
        """D17: the account by its URL's host; the user by login, then by e-mail."""
        tenant_id = account_host(account_url)
        with self.ctx.db.transaction() as session:
            tenant = session.get(Tenant, tenant_id) if tenant_id else None
            if tenant is None or tenant.vendor != "ispring":
                raise Unauthorized()
            wanted = login.strip().lower()
            user = session.exec(select(IspringUser).where(
                IspringUser.tenant_id == tenant_id,
                func.lower(IspringUser.login) == wanted)).first() or session.exec(
                select(IspringUser).where(IspringUser.tenant_id == tenant_id,
                                          func.lower(IspringUser.email) == wanted)).first()
            if user is None or not hmac.compare_digest(user.password.encode(),
                                                       password.encode()):
                raise Unauthorized()
            today = self.ctx.now(session, tenant_id).date()
            if effective_status(user, today) != 1:
                raise Unauthorized()
            roles = self._roles(session, tenant_id)
            primary = self._primary_assignment(user.roles, roles)
            role = roles.get(primary["roleId"])
            role_type = role.type if role else "learner"
            if role_type == "custom" and role is not None:
                rights = custom_rights(role.rights)
            else:
                rights = ROLE_RIGHTS.get(role_type, frozenset())
            scope: frozenset[str] | None = None
            if role_type not in UNSCOPED_ROLES:
                scope = frozenset(_subtree(self._departments(session, tenant_id),
                                           primary.get("manageableDepartmentIds", [])))
            return Principal(tenant_id=tenant_id, role_type=role_type, rights=rights,
                             scope=scope, user_id=user.user_id)

    # -- shared lookups --------------------------------------------------------------------------

    @staticmethod
    def _roles(session: Session, tenant_id: str) -> dict[str, IspringRole]:
        rows = session.exec(select(IspringRole).where(IspringRole.tenant_id == tenant_id)).all()
        return {r.role_id: r for r in rows}

    @staticmethod
    def _departments(session: Session, tenant_id: str) -> dict[str, IspringDepartment]:
        rows = session.exec(select(IspringDepartment).where(
            IspringDepartment.tenant_id == tenant_id)).all()
        return {d.department_id: d for d in rows}

    @staticmethod
    def _primary_assignment(assignments: list[dict[str, Any]],
                            roles: dict[str, IspringRole]) -> dict[str, Any]:
        """The role a user acts with: the one beside Learner if any, else Learner."""
        for assignment in assignments:
            role = roles.get(assignment["roleId"])
            if role is not None and role.type != "learner":
                return assignment
        if assignments:
            return assignments[0]
        learner = next((r for r in roles.values() if r.type == "learner"), None)
        return {"roleId": learner.role_id if learner else "", "manageableDepartmentIds": []}

    def _user(self, session: Session, p: Principal, user_id: str) -> IspringUser:
        """A user named in the path: 404 when unknown (D11), 403 outside the caller's scope."""
        user = session.get(IspringUser, (p.tenant_id, user_id.lower()))
        if user is None:
            raise NotFound("Unknown user")
        if not p.covers(user.department_id):
            raise PermissionDenied()
        return user

    def _users_named(self, session: Session, p: Principal, user_ids: Sequence[str],
                     ) -> list[IspringUser]:
        """Users referenced in a body: 403 if any is outside the scope, then 400 if unknown."""
        rows = self._users_by_id(session, p.tenant_id, user_ids)
        if any(not p.covers(u.department_id) for u in rows.values()):
            raise PermissionDenied()
        missing = [i for i in user_ids if i not in rows]
        if missing:
            raise BadRequest(f"Unknown user: {missing[0]}")
        return [rows[i] for i in user_ids]

    @staticmethod
    def _users_by_id(session: Session, tenant_id: str, user_ids: Iterable[str],
                     ) -> dict[str, IspringUser]:
        wanted = list(user_ids)
        if not wanted:
            return {}
        rows = session.exec(select(IspringUser).where(
            IspringUser.tenant_id == tenant_id, col(IspringUser.user_id).in_(wanted))).all()
        return {u.user_id: u for u in rows}

    def _department(self, session: Session, p: Principal, department_id: str,
                    ) -> IspringDepartment:
        dept = session.get(IspringDepartment, (p.tenant_id, department_id.lower()))
        if dept is None:
            raise NotFound("Unknown department")
        if not p.covers(dept.department_id):
            raise PermissionDenied()
        return dept

    @staticmethod
    def _check_department_named(session: Session, p: Principal, department_id: str) -> None:
        """A department referenced in a body: 403 outside the scope, then 400 if unknown."""
        if not p.covers(department_id):
            raise PermissionDenied()
        if session.get(IspringDepartment, (p.tenant_id, department_id)) is None:
            raise BadRequest(f"Unknown department: {department_id}")

    def _group(self, session: Session, p: Principal, group_id: str) -> IspringGroup:
        group = session.get(IspringGroup, (p.tenant_id, group_id.lower()))
        if group is None:
            raise NotFound("Unknown group")
        return group

    def _content(self, session: Session, p: Principal, content_id: str,
                 not_found: type[NotFound] = NotFound) -> IspringContent:
        item = session.get(IspringContent, (p.tenant_id, content_id.lower()))
        if item is None:
            raise not_found("Unknown content item")
        if p.is_publisher and item.author_id != p.user_id:
            raise PermissionDenied()
        return item

    def _enrollment(self, session: Session, p: Principal, enrollment_id: str,
                    ) -> IspringEnrollment:
        row = session.get(IspringEnrollment, (p.tenant_id, enrollment_id.lower()))
        if row is None:
            raise NotFound("Unknown Enrollment")
        learner = session.get(IspringUser, (p.tenant_id, row.learner_id))
        if learner is None or not p.covers(learner.department_id):
            raise PermissionDenied()
        return row

    @staticmethod
    def _scoped_users(stmt: SelectOfScalar[M], p: Principal, user_col: Any) -> SelectOfScalar[M]:
        """Narrow a query to rows whose user lies in the caller's departments."""
        if p.scope is None:
            return stmt
        in_scope = select(IspringUser.user_id).where(
            IspringUser.tenant_id == p.tenant_id,
            col(IspringUser.department_id).in_(p.scope))
        return stmt.where(col(user_col).in_(in_scope))

    @staticmethod
    def _keyset(session: Session, stmt: SelectOfScalar[M], key_col: Any, key: Callable[[M], str],
                size: int | None, page_token: str | None) -> s.Page[M]:
        limit = page_size(size)
        start = decode_page_token(page_token)
        if start is not None:
            stmt = stmt.where(col(key_col) >= start)
        rows = list(session.exec(stmt.order_by(col(key_col)).limit(limit + 1)).all())
        if len(rows) > limit:
            return s.Page(rows[:limit], encode_page_token(key(rows[limit])))
        return s.Page(rows, None)

    # -- users -----------------------------------------------------------------------------------

    def _user_views(self, session: Session, tenant_id: str, users: Sequence[IspringUser],
                    today: date) -> list[s.UserView]:
        if not users:
            return []
        roles = self._roles(session, tenant_id)
        order = {f.field_id: f.order_priority for f in session.exec(select(IspringProfileField)
                 .where(IspringProfileField.tenant_id == tenant_id)).all()}
        memberships: dict[str, list[str]] = {}
        for m in session.exec(select(IspringGroupMember).where(
                IspringGroupMember.tenant_id == tenant_id,
                col(IspringGroupMember.user_id).in_([u.user_id for u in users]))).all():
            memberships.setdefault(m.user_id, []).append(m.group_id)
        smart = _SmartGroups(session, tenant_id)
        for group in smart.groups():
            for member in smart.members(group):
                memberships.setdefault(member, []).append(group.group_id)

        def role_view(assignment: dict[str, Any]) -> s.UserRoleView:
            role = roles.get(assignment["roleId"])
            return s.UserRoleView(assignment["roleId"], role.type if role else "learner",
                                  list(assignment.get("manageableDepartmentIds", [])))

        views = []
        for u in users:
            fields = sorted(((k, v) for k, v in u.fields.items() if v != ""),
                            key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
            views.append(s.UserView(
                user_id=u.user_id, role=role_view(self._primary_assignment(u.roles, roles)),
                roles=[role_view(a) for a in u.roles], department_id=u.department_id,
                status=effective_status(u, today), fields=fields, added_at=u.added_at,
                last_login_at=u.last_login_at, groups=sorted(memberships.get(u.user_id, [])),
                subordination=u.subordination, co_subordination=u.co_subordination,
                work_leave=u.work_leave))
        return views

    def _user_query(self, session: Session, p: Principal,
                    flt: s.UserFilter | s.PagedUsersRequest) -> SelectOfScalar[IspringUser]:
        stmt = self._scoped_users(select(IspringUser).where(IspringUser.tenant_id == p.tenant_id),
                                  p, IspringUser.user_id)
        if flt.departments:
            stmt = stmt.where(col(IspringUser.department_id).in_(
                [d.lower() for d in flt.departments]))
        if flt.groups:
            wanted = [g.lower() for g in flt.groups]
            members = select(IspringGroupMember.user_id).where(
                IspringGroupMember.tenant_id == p.tenant_id,
                col(IspringGroupMember.group_id).in_(wanted))
            smart = _SmartGroups(session, p.tenant_id)
            smart_members = {m for g in smart.groups() if g.group_id in wanted
                             for m in smart.members(g)}
            stmt = stmt.where(or_(col(IspringUser.user_id).in_(members),
                                  col(IspringUser.user_id).in_(smart_members)))
        # Logins and e-mails compare case-insensitively, as they do for uniqueness (D12).
        if flt.logins:
            stmt = stmt.where(func.lower(IspringUser.login).in_([x.lower() for x in flt.logins]))
        if flt.emails:
            stmt = stmt.where(func.lower(IspringUser.email).in_([x.lower() for x in flt.emails]))
        if isinstance(flt, s.UserFilter) and flt.user_ids:
            stmt = stmt.where(col(IspringUser.user_id).in_([i.lower() for i in flt.user_ids]))
        return stmt

    def list_users(self, p: Principal, flt: s.UserFilter) -> list[s.UserView]:
        p.require(Right.USERS_READ)
        with self._unit(p.tenant_id) as (session, now):
            rows = session.exec(self._user_query(session, p, flt).order_by(
                col(IspringUser.user_id))).all()
            return self._user_views(session, p.tenant_id, rows, now.date())

    def page_users(self, p: Principal, flt: s.UserFilter) -> s.Page[s.UserView]:
        p.require(Right.USERS_READ)
        with self._unit(p.tenant_id) as (session, now):
            page = self._keyset(session, self._user_query(session, p, flt), IspringUser.user_id,
                                lambda u: u.user_id, flt.page_size, flt.page_token)
            return s.Page(self._user_views(session, p.tenant_id, page.items, now.date()),
                          page.next_token)

    def users_by_page_number(self, p: Principal, body: s.PagedUsersRequest,
                             ) -> tuple[int, int, list[s.UserView]]:
        """`POST /user/list`: (page number, total, users of that page); past the end is empty."""
        p.require(Right.USERS_READ)
        number = body.page if body.page is not None else 1
        if number < 1:
            raise BadRequest("Wrong parameters: page must be a positive integer")
        size = page_size(body.page_size)
        with self._unit(p.tenant_id) as (session, now):
            rows = list(session.exec(self._user_query(session, p, body).order_by(
                col(IspringUser.user_id))).all())
            rows = [u for u in rows if _matches_profile(u, body)]
            chunk = rows[(number - 1) * size: number * size]
            return number, len(rows), self._user_views(session, p.tenant_id, chunk, now.date())

    def get_user(self, p: Principal, user_id: str) -> s.UserView:
        p.require(Right.USERS_READ)
        with self._unit(p.tenant_id) as (session, now):
            user = self._user(session, p, user_id)
            return self._user_views(session, p.tenant_id, [user], now.date())[0]

    def _profile_updates(self, session: Session, tenant_id: str, values: dict[str, str],
                         ) -> dict[str, str]:
        """Request keys (lower-case, D4) → stored upper-case field ids; unknown keys → 400."""
        known = {f.field_id.upper(): f for f in session.exec(select(IspringProfileField).where(
            IspringProfileField.tenant_id == tenant_id)).all()}
        out: dict[str, str] = {}
        for key, value in values.items():
            name = key.strip().upper()
            if name == "COUNTRY_ID":
                name = "COUNTRY"
            field = known.get(name)
            if field is None:
                raise BadRequest(f"Wrong parameters: unknown profile field {key}")
            if len(value) > s.NAME_MAX:
                raise BadRequest(f"Wrong parameters: {key} is longer than {s.NAME_MAX} characters")
            if field.type == "email" and value and not _EMAIL.match(value):
                raise BadRequest(f"Wrong parameters: {key} is not a valid e-mail address")
            if field.type == "login" and not value.strip():
                raise BadRequest(f"Wrong parameters: {key} must not be empty")
            out[field.field_id] = value.strip() if field.type in ("login", "email") else value
        return out

    def _check_unique(self, session: Session, tenant_id: str, fields: dict[str, str],
                      except_user: str | None) -> None:
        """D12: a duplicate login (case-insensitive) or e-mail is a 400, never a 409."""
        unique = session.exec(select(IspringProfileField).where(
            IspringProfileField.tenant_id == tenant_id, col(IspringProfileField.is_unique))).all()
        others = [u for u in session.exec(select(IspringUser).where(
            IspringUser.tenant_id == tenant_id)).all() if u.user_id != except_user]
        for field in unique:
            value = fields.get(field.field_id, "").strip().lower()
            if value and any(u.fields.get(field.field_id, "").strip().lower() == value
                             for u in others):
                label = field.type if field.type in ("login", "email") else field.label
                raise BadRequest(f"User with the same {label} is already registered")

    def _role_assignments(self, session: Session, p: Principal, body: s.UserRoleFields,
                          current: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        """The user's roles from `roles`, or from `role`/`roleId`/`manageableDepartmentIds`.

        None when the body says nothing about roles (an update keeps them).
        """
        roles = self._roles(session, p.tenant_id)
        wanted: list[tuple[IspringRole, list[str]]] = []
        if body.roles is not None:
            for item in body.roles:
                role = roles.get(item.role_id)
                if role is None:
                    raise BadRequest(f"Unknown role: {item.role_id}")
                wanted.append((role, item.manageable_department_ids))
        elif body.role is not None or body.role_id is not None:
            wanted.append((self._named_role(roles, body.role, body.role_id),
                           body.manageable_department_ids or []))
        elif body.manageable_department_ids is not None and current is not None:
            primary = roles.get(self._primary_assignment(current, roles)["roleId"])
            if primary is None:
                return None
            wanted.append((primary, body.manageable_department_ids))
        else:
            return None
        others = [(r, m) for r, m in wanted if r.type != "learner"]
        if len(others) > 1:
            raise BadRequest("Wrong parameters: a user has the Learner role and at most one other")
        if any(r.type == "owner" for r, _ in others):
            raise BadRequest("Wrong parameters: the Account Owner role cannot be assigned")
        if others and p.scope is not None:
            raise PermissionDenied()  # scoped roles may only create and edit learners
        departments = self._departments(session, p.tenant_id)
        for _, managed in others:
            for dept in managed:
                if dept not in departments:
                    raise BadRequest(f"Unknown department: {dept}")
        result = self._learner_roles(roles)
        for role, managed in others:
            keeps = role.type in ("department_administrator", "publisher", "custom")
            result.append({"roleId": role.role_id,
                           "manageableDepartmentIds": list(managed) if keeps else []})
        return result

    @staticmethod
    def _learner_roles(roles: dict[str, IspringRole]) -> list[dict[str, Any]]:
        """Every user holds the Learner role; other roles come on top of it."""
        return [{"roleId": r.role_id, "manageableDepartmentIds": []}
                for r in roles.values() if r.type == "learner"][:1]

    @staticmethod
    def _named_role(roles: dict[str, IspringRole], name: str | None,
                    role_id: str | None) -> IspringRole:
        kind = None
        if name is not None:
            kind = ROLE_ALIASES.get(name.strip().lower())
            if kind is None:
                raise BadRequest(f"Wrong parameters: unknown role {name}")
        if role_id is not None:
            role = roles.get(role_id)
            if role is None:
                raise BadRequest(f"Unknown role: {role_id}")
            if kind is not None and role.type != kind:
                raise BadRequest("Wrong parameters: roleId does not match role")
            return role
        if kind == "custom":
            raise BadRequest("Wrong parameters: roleId is required for a custom role")
        found = next((r for r in roles.values() if r.type == kind), None)
        if found is None:
            raise BadRequest(f"Wrong parameters: unknown role {name}")
        return found

    def _join_groups(self, session: Session, tenant_id: str, user_id: str,
                     group_ids: list[str]) -> list[IspringGroupMember]:
        for gid in group_ids:
            group = session.get(IspringGroup, (tenant_id, gid))
            if group is None:
                raise BadRequest(f"Unknown group: {gid}")
            if group.is_smart:
                raise BadRequest(f"Wrong parameters: smart group {gid} has rule-based members")
        return [IspringGroupMember(tenant_id=tenant_id, group_id=g, user_id=user_id)
                for g in group_ids]

    def create_user(self, p: Principal, body: s.NewUser) -> str:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            self._check_department_named(session, p, body.department_id)
            values = dict(body.fields)
            for key, top in (("login", body.login), ("email", body.email)):
                if top is not None and not any(k.lower() == key for k in values):
                    values[key] = top
            fields = self._profile_updates(session, p.tenant_id, values)
            if not fields.get("LOGIN"):
                raise BadRequest("Wrong parameters: fields.login is required")
            required = session.exec(select(IspringProfileField).where(
                IspringProfileField.tenant_id == p.tenant_id,
                col(IspringProfileField.is_required))).all()
            for field in required:
                if not fields.get(field.field_id):
                    raise BadRequest(f"Wrong parameters: fields.{field.name} is required")
            roles = self._role_assignments(session, p, body, None)
            if roles is None:  # Learner unless the body says otherwise (inferred)
                roles = self._learner_roles(self._roles(session, p.tenant_id))
            self._check_unique(session, p.tenant_id, fields, None)
            user_id = time_uuid(now)
            rows: list[Any] = [IspringUser(
                tenant_id=p.tenant_id, user_id=user_id, login=fields["LOGIN"],
                email=fields.get("EMAIL") or None, password=body.password or token(9),
                department_id=body.department_id, status=1, fields=fields, roles=roles,
                subordination=dict(INHERIT), co_subordination=dict(INHERIT), added_at=now)]
            rows += self._join_groups(session, p.tenant_id, user_id, body.all_group_ids or [])
            session.add_all(rows)
            _Outbox(session, p.tenant_id, now).emit("USER_REGISTERED", {
                "userId": user_id, "departmentId": body.department_id,
                "login": fields["LOGIN"], "email": fields.get("EMAIL") or None})
            return user_id

    def update_user(self, p: Principal, user_id: str, body: s.UpdateUser) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            user = self._user(session, p, user_id)
            is_owner = self._is_owner(user, self._roles(session, p.tenant_id))
            if body.department_id is not None:
                self._check_department_named(session, p, body.department_id)
                user.department_id = body.department_id
            assignments = self._role_assignments(session, p, body, user.roles)
            if assignments is not None:
                if is_owner:
                    raise PermissionDenied()
                user.roles = assignments
            if body.fields is not None:
                fields = {**user.fields, **self._profile_updates(session, p.tenant_id,
                                                                 body.fields)}
                self._check_unique(session, p.tenant_id, fields, user.user_id)
                user.fields = fields
                user.login = fields["LOGIN"]
                user.email = fields.get("EMAIL") or None
            group_ids = body.all_group_ids
            if group_ids is not None:
                session.execute(delete(IspringGroupMember).where(
                    col(IspringGroupMember.tenant_id) == p.tenant_id,
                    col(IspringGroupMember.user_id) == user.user_id,
                    col(IspringGroupMember.group_id).in_(select(IspringGroup.group_id).where(
                        IspringGroup.tenant_id == p.tenant_id, ~col(IspringGroup.is_smart)))))
                session.add_all(self._join_groups(session, p.tenant_id, user.user_id, group_ids))
            session.add(user)

    @staticmethod
    def _is_owner(user: IspringUser, roles: dict[str, IspringRole]) -> bool:
        return any(roles[a["roleId"]].type == "owner" for a in user.roles if a["roleId"] in roles)

    def _guard_owner(self, session: Session, tenant_id: str, users: Iterable[IspringUser]) -> None:
        """The Account Owner cannot be deleted, blocked or scheduled away (inferred)."""
        roles = self._roles(session, tenant_id)
        if any(self._is_owner(user, roles) for user in users):
            raise PermissionDenied()

    def delete_user(self, p: Principal, user_id: str) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            user = self._user(session, p, user_id)
            self._guard_owner(session, p.tenant_id, [user])
            enrollments = select(IspringEnrollment.enrollment_id).where(
                IspringEnrollment.tenant_id == p.tenant_id,
                IspringEnrollment.learner_id == user.user_id)
            session.execute(delete(IspringModuleResult).where(
                col(IspringModuleResult.tenant_id) == p.tenant_id,
                col(IspringModuleResult.enrollment_id).in_(enrollments)))
            session.execute(delete(IspringEnrollment).where(
                col(IspringEnrollment.tenant_id) == p.tenant_id,
                col(IspringEnrollment.learner_id) == user.user_id))
            session.execute(delete(IspringGroupMember).where(
                col(IspringGroupMember.tenant_id) == p.tenant_id,
                col(IspringGroupMember.user_id) == user.user_id))
            session.delete(user)

    def set_password(self, p: Principal, user_id: str, body: s.UserPassword) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            user = self._user(session, p, user_id)
            user.password = body.password
            session.add(user)

    @staticmethod
    def _apply_status(user: IspringUser, status: int) -> None:
        user.status = status
        # An explicit status replaces whatever was scheduled.
        user.deactivate_on = None
        if status != 5:
            user.terminate_on = None

    def set_status(self, p: Principal, user_id: str, body: s.UserStatusIn) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            user = self._user(session, p, user_id)
            self._guard_owner(session, p.tenant_id, [user])
            self._apply_status(user, body.status)
            session.add(user)

    def set_statuses(self, p: Principal, body: s.UserIds, status: int) -> None:
        """`POST /users/activate|deactivate|terminate`."""
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            users = self._users_named(session, p, body.user_ids)
            self._guard_owner(session, p.tenant_id, users)
            for user in users:
                self._apply_status(user, status)
            session.add_all(users)

    def find_existing(self, p: Principal, body: s.UserIds) -> list[str]:
        p.require(Right.USERS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            found = self._users_by_id(session, p.tenant_id, body.user_ids)
            return [i for i in body.user_ids if i in found and p.covers(found[i].department_id)]

    def set_user_subordination(self, p: Principal, user_id: str, body: s.Subordinations) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            self._set_subordinations(session, p.tenant_id, self._user(session, p, user_id), body)

    def schedule(self, p: Principal, user_id: str, kind: str, when: date | None) -> None:
        """Scheduled deactivation/termination (`kind`), set or cancelled (`when` None)."""
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            user = self._user(session, p, user_id)
            if when is not None:
                self._guard_owner(session, p.tenant_id, [user])
            if kind == "deactivation":
                user.deactivate_on = when
            else:
                user.terminate_on = when
            session.add(user)

    def remove_user_groups(self, p: Principal, user_id: str, body: s.GroupIds) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            user = self._user(session, p, user_id)
            for gid in body.group_ids:
                if session.get(IspringGroup, (p.tenant_id, gid)) is None:
                    raise BadRequest(f"Unknown group: {gid}")
            session.execute(delete(IspringGroupMember).where(
                col(IspringGroupMember.tenant_id) == p.tenant_id,
                col(IspringGroupMember.user_id) == user.user_id,
                col(IspringGroupMember.group_id).in_(body.group_ids)))

    def set_work_leave(self, p: Principal, body: s.WorkLeaveStatuses) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            users = self._users_named(session, p, [w.user_id for w in body.work_leave_statuses])
            for user, leave in zip(users, body.work_leave_statuses, strict=True):
                user.work_leave = {
                    "workLeaveReason": leave.work_leave_reason,
                    "startDate": (leave.start_date or now.date()).isoformat(),
                    "endDate": s.day(leave.end_date),
                }
                session.add(user)

    def clear_work_leave(self, p: Principal, body: s.UserIds) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            for user in self._users_named(session, p, body.user_ids):
                user.work_leave = None
                session.add(user)

    def profile_fields(self, p: Principal) -> list[IspringProfileField]:
        p.require(Right.USERS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return list(session.exec(select(IspringProfileField).where(
                IspringProfileField.tenant_id == p.tenant_id).order_by(
                col(IspringProfileField.order_priority))).all())

    def roles(self, p: Principal) -> list[IspringRole]:
        p.require(Right.USERS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return sorted(self._roles(session, p.tenant_id).values(), key=lambda r: r.role_id)

    # -- departments -----------------------------------------------------------------------------

    def _check_supervisors(self, session: Session, tenant_id: str,
                           body: s.Subordinations | s.NewDepartment | s.UpdateDepartment) -> None:
        for sub in (body.subordination, body.co_subordination):
            if sub is not None and sub.supervisor_id is not None and session.get(
                    IspringUser, (tenant_id, sub.supervisor_id)) is None:
                raise BadRequest(f"Unknown user: {sub.supervisor_id}")

    def _set_subordinations(self, session: Session, tenant_id: str,
                            target: IspringUser | IspringDepartment,
                            body: s.Subordinations) -> None:
        """Users and departments carry the same two settings; an omitted one is kept."""
        self._check_supervisors(session, tenant_id, body)
        if body.subordination is not None:
            target.subordination = body.subordination.as_stored()
        if body.co_subordination is not None:
            target.co_subordination = body.co_subordination.as_stored()
        session.add(target)

    def _department_query(self, p: Principal) -> SelectOfScalar[IspringDepartment]:
        stmt = select(IspringDepartment).where(IspringDepartment.tenant_id == p.tenant_id)
        if p.scope is not None:
            stmt = stmt.where(col(IspringDepartment.department_id).in_(p.scope))
        return stmt

    def list_departments(self, p: Principal, code: str | None) -> list[IspringDepartment]:
        p.require(Right.DEPARTMENTS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            stmt = self._department_query(p)
            if code is not None:
                stmt = stmt.where(IspringDepartment.code == code)
            return list(session.exec(stmt.order_by(col(IspringDepartment.department_id))).all())

    def page_departments(self, p: Principal, params: s.PageParams) -> s.Page[IspringDepartment]:
        p.require(Right.DEPARTMENTS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._keyset(session, self._department_query(p),
                                IspringDepartment.department_id, lambda d: d.department_id,
                                params.page_size, params.page_token)

    def get_department(self, p: Principal, department_id: str) -> IspringDepartment:
        p.require(Right.DEPARTMENTS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._department(session, p, department_id)

    def create_department(self, p: Principal, body: s.NewDepartment) -> str:
        p.require(Right.DEPARTMENTS_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            self._check_department_named(session, p, body.parent_department_id)
            self._check_supervisors(session, p.tenant_id, body)
            department_id = time_uuid(now)
            session.add(IspringDepartment(
                tenant_id=p.tenant_id, department_id=department_id, name=body.name,
                parent_id=body.parent_department_id, code=body.code,
                subordination=body.subordination.as_stored() if body.subordination else INHERIT,
                co_subordination=(body.co_subordination.as_stored() if body.co_subordination
                                  else INHERIT)))
            return department_id

    @staticmethod
    def _reparent(departments: dict[str, IspringDepartment], dept: IspringDepartment,
                  parent_id: str) -> None:
        if dept.parent_id is None:
            raise BadRequest("Wrong parameters: the root department cannot be moved")
        if parent_id not in departments:
            raise BadRequest(f"Unknown department: {parent_id}")
        if parent_id in _subtree(departments, [dept.department_id]):
            raise BadRequest("Wrong parameters: a department cannot be moved into itself or "
                             "its sub-departments")
        dept.parent_id = parent_id

    def update_department(self, p: Principal, department_id: str,
                          body: s.UpdateDepartment) -> None:
        p.require(Right.DEPARTMENTS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            dept = self._department(session, p, department_id)
            departments = self._departments(session, p.tenant_id)
            dept = departments[dept.department_id]
            if body.parent_department_id is not None:
                if not p.covers(body.parent_department_id):
                    raise PermissionDenied()
                self._reparent(departments, dept, body.parent_department_id)
            self._check_supervisors(session, p.tenant_id, body)
            if body.name is not None:
                dept.name = body.name
            if body.code is not None:
                dept.code = body.code
            if body.subordination is not None:
                dept.subordination = body.subordination.as_stored()
            if body.co_subordination is not None:
                dept.co_subordination = body.co_subordination.as_stored()
            session.add(dept)

    def delete_department(self, p: Principal, department_id: str) -> None:
        p.require(Right.DEPARTMENTS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            dept = self._department(session, p, department_id)
            if dept.parent_id is None:
                raise BadRequest("Wrong parameters: the root department cannot be deleted")
            child = session.exec(select(IspringDepartment.department_id).where(
                IspringDepartment.tenant_id == p.tenant_id,
                IspringDepartment.parent_id == dept.department_id)).first()
            member = session.exec(select(IspringUser.user_id).where(
                IspringUser.tenant_id == p.tenant_id,
                IspringUser.department_id == dept.department_id)).first()
            if child is not None or member is not None:
                raise BadRequest("Wrong parameters: the department still has users or "
                                 "sub-departments")
            session.delete(dept)

    def set_department_subordination(self, p: Principal, department_id: str,
                                     body: s.Subordinations) -> None:
        p.require(Right.DEPARTMENTS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            self._set_subordinations(session, p.tenant_id,
                                     self._department(session, p, department_id), body)

    def move_users(self, p: Principal, department_id: str, body: s.UserIds) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            dept = self._department(session, p, department_id)
            users = self._users_named(session, p, body.user_ids)
            for user in users:
                user.department_id = dept.department_id
            session.add_all(users)

    def move_departments(self, p: Principal, parent_id: str, body: s.MoveDepartments) -> None:
        p.require(Right.DEPARTMENTS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            parent = self._department(session, p, parent_id)
            departments = self._departments(session, p.tenant_id)
            moving = [departments.get(i) for i in body.ids]
            if any(d is not None and not p.covers(d.department_id) for d in moving):
                raise PermissionDenied()
            for ident, dept in zip(body.ids, moving, strict=True):
                if dept is None:
                    raise BadRequest(f"Unknown department: {ident}")
                self._reparent(departments, dept, parent.department_id)
                session.add(dept)

    # -- groups ----------------------------------------------------------------------------------

    def _group_views(self, session: Session, p: Principal, groups: Sequence[IspringGroup],
                     ) -> list[s.GroupView]:
        members: dict[str, list[str]] = {}
        if groups:
            stmt = self._scoped_users(select(IspringGroupMember).where(
                IspringGroupMember.tenant_id == p.tenant_id,
                col(IspringGroupMember.group_id).in_([g.group_id for g in groups])),
                p, IspringGroupMember.user_id)
            for m in session.exec(stmt.order_by(col(IspringGroupMember.user_id))).all():
                members.setdefault(m.group_id, []).append(m.user_id)
            smart = _SmartGroups(session, p.tenant_id)
            visible = smart.visible_to(p)
            for g in groups:
                if g.is_smart:
                    members[g.group_id] = sorted(smart.members(g) & visible)
        return [s.GroupView(g.group_id, g.name, g.is_smart,
                            None if p.is_publisher else members.get(g.group_id, []),
                            len(members.get(g.group_id, []))) for g in groups]

    def list_groups(self, p: Principal) -> list[s.GroupView]:
        p.require(Right.GROUPS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            rows = session.exec(select(IspringGroup).where(
                IspringGroup.tenant_id == p.tenant_id).order_by(col(IspringGroup.group_id))).all()
            return self._group_views(session, p, rows)

    def page_groups(self, p: Principal, params: s.PageParams) -> s.Page[s.GroupView]:
        p.require(Right.GROUPS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            page = self._keyset(session, select(IspringGroup).where(
                IspringGroup.tenant_id == p.tenant_id), IspringGroup.group_id,
                lambda g: g.group_id, params.page_size, params.page_token)
            return s.Page(self._group_views(session, p, page.items), page.next_token)

    def get_group(self, p: Principal, group_id: str) -> s.GroupView:
        p.require(Right.GROUPS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._group_views(session, p, [self._group(session, p, group_id)])[0]

    def create_group(self, p: Principal, body: s.NewGroup) -> str:
        p.require(Right.GROUPS_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            self._users_named(session, p, body.user_ids)
            group_id = time_uuid(now)
            session.add(IspringGroup(tenant_id=p.tenant_id, group_id=group_id, name=body.name))
            session.add_all([IspringGroupMember(tenant_id=p.tenant_id, group_id=group_id,
                                                user_id=u) for u in body.user_ids])
            return group_id

    def update_group(self, p: Principal, group_id: str, body: s.UpdateGroup) -> None:
        p.require(Right.GROUPS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            group = self._group(session, p, group_id)
            group.name = body.name
            session.add(group)

    def delete_group(self, p: Principal, group_id: str) -> None:
        p.require(Right.GROUPS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            group = self._group(session, p, group_id)
            session.execute(delete(IspringGroupMember).where(
                col(IspringGroupMember.tenant_id) == p.tenant_id,
                col(IspringGroupMember.group_id) == group.group_id))
            session.delete(group)

    def set_group_members(self, p: Principal, group_id: str, body: s.GroupMembers) -> None:
        """Replace the members; members outside a scoped caller's departments stay (inferred)."""
        p.require(Right.GROUPS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            group = self._group(session, p, group_id)
            if group.is_smart:
                raise BadRequest("Wrong parameters: smart group members follow its rules")
            self._users_named(session, p, body.user_ids)
            current = session.exec(select(IspringGroupMember).where(
                IspringGroupMember.tenant_id == p.tenant_id,
                IspringGroupMember.group_id == group.group_id)).all()
            keep = set(body.user_ids)
            if p.scope is not None:
                owners = self._users_by_id(session, p.tenant_id, [m.user_id for m in current])
                keep |= {m.user_id for m in current if m.user_id in owners
                         and not p.covers(owners[m.user_id].department_id)}
            for member in current:
                if member.user_id not in keep:
                    session.delete(member)
            present = {m.user_id for m in current}
            session.add_all([IspringGroupMember(tenant_id=p.tenant_id, group_id=group.group_id,
                                                user_id=u) for u in body.user_ids
                             if u not in present])

    def _check_rules(self, session: Session, tenant_id: str, rules: s.SmartRulesIn) -> None:
        """Rules must name existing departments, plain groups and profile fields (400)."""
        for rule in rules.rules():
            if rule.attribute_type == 1 and session.get(
                    IspringDepartment, (tenant_id, rule.value.lower())) is None:
                raise BadRequest(f"Unknown department: {rule.value}")
            if rule.attribute_type == 2:
                group = session.get(IspringGroup, (tenant_id, rule.value.lower()))
                if group is None or group.is_smart:
                    raise BadRequest(f"Unknown group: {rule.value}")
            if rule.attribute_type == 3 and session.get(
                    IspringProfileField, (tenant_id, (rule.attribute_id or "").upper())) is None:
                raise BadRequest(f"Wrong parameters: unknown profile field {rule.attribute_id}")

    def create_smart_group(self, p: Principal, body: s.NewSmartGroup) -> str:
        p.require(Right.GROUPS_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            self._check_rules(session, p.tenant_id, body.rules)
            group_id = time_uuid(now)
            session.add(IspringGroup(tenant_id=p.tenant_id, group_id=group_id, name=body.name,
                                     is_smart=True, rules=body.rules.as_stored()))
            return group_id

    def _smart_group(self, session: Session, p: Principal, group_id: str) -> IspringGroup:
        group = self._group(session, p, group_id)
        if not group.is_smart:
            raise NotFound("Unknown group")  # a plain group is not a smart group (inferred)
        return group

    def update_smart_group(self, p: Principal, group_id: str, body: s.UpdateSmartGroup) -> None:
        p.require(Right.GROUPS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            group = self._smart_group(session, p, group_id)
            self._check_rules(session, p.tenant_id, body.rules)
            if body.name is not None:
                group.name = body.name
            group.rules = body.rules.as_stored()
            session.add(group)

    def smart_group_rules(self, p: Principal, group_id: str) -> tuple[str, dict[str, Any]]:
        p.require(Right.GROUPS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            group = self._smart_group(session, p, group_id)
            return group.group_id, dict(group.rules or {})

    # -- content ---------------------------------------------------------------------------------

    def _content_query(self, p: Principal, types: Sequence[str],
                       content_ids: Sequence[str] = ()) -> SelectOfScalar[IspringContent]:
        stmt = select(IspringContent).where(IspringContent.tenant_id == p.tenant_id)
        if p.is_publisher:
            stmt = stmt.where(IspringContent.author_id == p.user_id)
        if types:
            stmt = stmt.where(col(IspringContent.type).in_(types))
        if content_ids:
            stmt = stmt.where(col(IspringContent.content_id).in_([i.lower() for i in content_ids]))
        return stmt

    def list_content(self, p: Principal, types: Sequence[str]) -> list[IspringContent]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return list(session.exec(self._content_query(p, types).order_by(
                col(IspringContent.content_id))).all())

    def page_content(self, p: Principal, flt: s.ContentFilter) -> s.Page[IspringContent]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._keyset(session, self._content_query(p, flt.content_types,
                                                             flt.content_item_ids),
                                IspringContent.content_id, lambda c: c.content_id,
                                flt.page_size, flt.page_token)

    def get_content(self, p: Principal, content_id: str) -> IspringContent:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._content(session, p, content_id)

    def course_modules(self, p: Principal, course_id: str,
                       ) -> list[tuple[IspringModule, IspringContent | None]]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            course = self._content(session, p, course_id)
            if course.type != "Course":
                raise NotFound("Unknown content item")
            modules = session.exec(select(IspringModule).where(
                IspringModule.tenant_id == p.tenant_id,
                IspringModule.course_id == course.content_id).order_by(
                col(IspringModule.position))).all()
            return self._with_items(session, p.tenant_id, modules)

    def page_modules(self, p: Principal, course_ids: Sequence[str], params: s.PageParams,
                     ) -> s.Page[tuple[IspringModule, IspringContent | None]]:
        """`GET /courses/modules`: D10, courseIds optional (absent: modules of every course)."""
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            visible = select(IspringContent.content_id).where(
                IspringContent.tenant_id == p.tenant_id)
            if p.is_publisher:
                visible = visible.where(IspringContent.author_id == p.user_id)
            stmt = select(IspringModule).where(
                IspringModule.tenant_id == p.tenant_id, IspringModule.type == "material",
                col(IspringModule.course_id).in_(visible))
            if course_ids:
                stmt = stmt.where(col(IspringModule.course_id).in_([c.lower() for c in course_ids]))
            page = self._keyset(session, stmt, IspringModule.module_id, lambda m: m.module_id,
                                params.page_size, params.page_token)
            return s.Page(self._with_items(session, p.tenant_id, page.items), page.next_token)

    @staticmethod
    def _with_items(session: Session, tenant_id: str, modules: Sequence[IspringModule],
                    ) -> list[tuple[IspringModule, IspringContent | None]]:
        items = {c.content_id: c for c in session.exec(select(IspringContent).where(
            IspringContent.tenant_id == tenant_id,
            col(IspringContent.content_id).in_([m.item_id for m in modules]))).all()}
        return [(m, items.get(m.item_id)) for m in modules]

    def courses_tree(self, p: Principal, content_ids: Sequence[str],
                     ) -> list[tuple[IspringContent, str | None]]:
        """(item, parent ID): courses with their materials below them (§5.5, inferred).

        Without `contentItemIds` the roots are every item that is not a course module.
        """
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            items = {c.content_id: c for c in session.exec(self._content_query(p, ())).all()}
            children: dict[str, list[str]] = {}
            for m in session.exec(select(IspringModule).where(
                    IspringModule.tenant_id == p.tenant_id, IspringModule.type == "material")
                    .order_by(col(IspringModule.course_id), col(IspringModule.position))).all():
                children.setdefault(m.course_id, []).append(m.item_id)
            nested = {i for kids in children.values() for i in kids}
            roots = ([i.lower() for i in content_ids] if content_ids
                     else sorted(i for i in items if i not in nested))
            out: list[tuple[IspringContent, str | None]] = []
            for root in dict.fromkeys(roots):
                if root in items:
                    out.append((items[root], None))
                    out += [(items[kid], root) for kid in children.get(root, []) if kid in items]
            return out

    def learning_track_courses(self, p: Principal, track_ids: Sequence[str],
                               ) -> list[tuple[str, str]]:
        p.require(Right.CONTENT_READ)
        if not track_ids:
            raise BadRequest("Wrong parameters: learningTrackIds is required")
        with self._unit(p.tenant_id) as (session, _now):
            tracks = {t.content_id: t for t in session.exec(
                self._content_query(p, ["LearningTrack"], track_ids)).all()}
            return [(t, c) for t in dict.fromkeys(i.lower() for i in track_ids) if t in tracks
                    for c in tracks[t].course_ids]

    def course_fields(self, p: Principal) -> list[IspringCourseField]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return list(session.exec(select(IspringCourseField).where(
                IspringCourseField.tenant_id == p.tenant_id).order_by(
                col(IspringCourseField.position))).all())

    def create_content(self, p: Principal, content_type: str, body: s.CreateContent) -> str:
        """An empty content item in the library; folders are not modelled, so any folder ID
        is accepted (inferred)."""
        p.require(Right.CONTENT_WRITE)
        if content_type not in s.CONTENT_TYPES:
            raise BadRequest(f"Wrong parameters: unknown content type {content_type[:64]}")
        with self._unit(p.tenant_id) as (session, now):
            author = p.user_id or self._owner_id(session, p.tenant_id)
            content_id = time_uuid(now)
            session.add(IspringContent(tenant_id=p.tenant_id, content_id=content_id,
                                       title=body.title, type=content_type, author_id=author,
                                       added_at=now, view_slug=content_id))
            return content_id

    def _owner_id(self, session: Session, tenant_id: str) -> str:
        roles = self._roles(session, tenant_id)
        users = session.exec(select(IspringUser).where(IspringUser.tenant_id == tenant_id)
                             .order_by(col(IspringUser.user_id))).all()
        return next((u.user_id for u in users if self._is_owner(u, roles)), "")

    def page_quizzes(self, p: Principal, flt: s.QuizFilter,
                     ) -> s.Page[tuple[IspringContent, list[str]]]:
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
            return s.Page([(q, parents.get(q.content_id, [])) for q in page.items],
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

    def page_assignments(self, p: Principal, ungraded: bool, params: s.PageParams,
                         ) -> s.Page[IspringContent]:
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

    def grade_attempts(self, p: Principal, body: s.AttemptGrades) -> None:
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

    def answer_breakdown(self, p: Principal, flt: s.AnswerQuery) -> s.Page[IspringQuizAnswer]:
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

    def final_statuses(self, p: Principal, content_id: str) -> list[s.ResultView]:
        p.require(Right.RESULTS_READ)
        with self._unit(p.tenant_id) as (session, now):
            item = self._content(session, p, content_id, not_found=PlainNotFound)
            stmt = self._scoped_users(select(IspringEnrollment).where(
                IspringEnrollment.tenant_id == p.tenant_id,
                IspringEnrollment.course_id == item.content_id), p, IspringEnrollment.learner_id)
            rows = session.exec(stmt.order_by(col(IspringEnrollment.learner_id))).all()
            calc = _ResultCalculator(session, p.tenant_id, now)
            return [calc.course(e) for e in rows]

    # -- enrollments -----------------------------------------------------------------------------

    def _enrollment_query(self, p: Principal, *, course_ids: Sequence[str] = (),
                          learner_ids: Sequence[str] = (), enrollment_ids: Sequence[str] = (),
                          ) -> SelectOfScalar[IspringEnrollment]:
        stmt = self._scoped_users(select(IspringEnrollment).where(
            IspringEnrollment.tenant_id == p.tenant_id), p, IspringEnrollment.learner_id)
        for column, values in ((IspringEnrollment.course_id, course_ids),
                               (IspringEnrollment.learner_id, learner_ids),
                               (IspringEnrollment.enrollment_id, enrollment_ids)):
            if values:
                stmt = stmt.where(col(column).in_([v.lower() for v in values]))
        return stmt

    def _filtered_enrollments(self, p: Principal, flt: s.EnrollmentFilter,
                              ) -> SelectOfScalar[IspringEnrollment]:
        return self._enrollment_query(p, course_ids=flt.course_ids, learner_ids=flt.learner_ids,
                                      enrollment_ids=flt.enrollment_ids)

    def list_enrollments(self, p: Principal, flt: s.EnrollmentFilter) -> list[IspringEnrollment]:
        p.require(Right.ENROLLMENTS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return list(session.exec(self._filtered_enrollments(p, flt).order_by(
                col(IspringEnrollment.enrollment_id))).all())

    def page_enrollments(self, p: Principal, flt: s.EnrollmentFilter,
                         ) -> s.Page[IspringEnrollment]:
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
    def _schedule(enrollment: IspringEnrollment, body: s.EnrollmentDates, course: IspringContent,
                  now: datetime) -> None:
        enrollment.access_at = body.access_date or now
        enrollment.due_date_type = body.effective_type
        enrollment.due_date = due_date_for(body.effective_type, enrollment.access_at,
                                           body.due_date, body.due_period, course)
        enrollment.lock_after_due_date = bool(body.lock_after_due_date
                                              and enrollment.due_date is not None)

    def _rescheduled(self, session: Session, p: Principal, enrollment_id: str,
                     body: s.EnrollmentDates, now: datetime) -> IspringEnrollment:
        """An enrollment named in the path, its dates set again from `body`."""
        row = self._enrollment(session, p, enrollment_id)
        course = session.get(IspringContent, (p.tenant_id, row.course_id))
        assert course is not None  # content is never deleted, so the course is still there
        self._schedule(row, body, course, now)
        return row

    def create_enrollments(self, p: Principal, body: s.NewEnrollment) -> list[str]:
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
                          body: s.UpdateEnrollment) -> None:
        p.require(Right.ENROLLMENTS_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            row = self._rescheduled(session, p, enrollment_id, body, now)
            session.add(row)

    def reenroll(self, p: Principal, enrollment_id: str, body: s.Reenroll) -> None:
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

    def _enrollments_named(self, session: Session, p: Principal, enrollment_ids: Sequence[str],
                           ) -> list[IspringEnrollment]:
        """Enrollments referenced in a body: 403 outside the scope first, then 400 if unknown."""
        rows = {e.enrollment_id: e for e in session.exec(select(IspringEnrollment).where(
            IspringEnrollment.tenant_id == p.tenant_id,
            col(IspringEnrollment.enrollment_id).in_(enrollment_ids))).all()}
        learners = self._users_by_id(session, p.tenant_id, {e.learner_id for e in rows.values()})
        if any(not p.covers(u.department_id) for u in learners.values()):
            raise PermissionDenied()
        missing = [i for i in enrollment_ids if i not in rows]
        if missing:
            raise BadRequest(f"Unknown Enrollment: {missing[0]}")
        return [rows[i] for i in enrollment_ids]

    def delete_enrollments(self, p: Principal, body: s.DeleteEnrollments) -> None:
        p.require(Right.ENROLLMENTS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            rows = self._enrollments_named(session, p, body.enrollment_ids)
            session.execute(delete(IspringModuleResult).where(
                col(IspringModuleResult.tenant_id) == p.tenant_id,
                col(IspringModuleResult.enrollment_id).in_(body.enrollment_ids)))
            for row in rows:
                session.delete(row)

    # -- results and statistics ------------------------------------------------------------------

    def _result_candidates(self, p: Principal, flt: s.ResultQuery,
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
            if not s.is_uuid(ident):
                raise BadRequest(f"Unknown user: {ident[:64]}")
        self._users_named(session, p, [i.lower() for i in user_ids])

    @contextmanager
    def _result_scan(self, p: Principal, flt: s.ResultQuery, start: str | None,
                     ) -> Iterator[tuple[_ResultCalculator, Iterable[IspringEnrollment]]]:
        """The candidate enrollments for a results page, from `start` on, once `userIds[]` hold."""
        with self._unit(p.tenant_id) as (session, now):
            self._check_result_users(session, p, flt.user_ids)
            yield (_ResultCalculator(session, p.tenant_id, now),
                   session.exec(self._result_candidates(p, flt, start)))

    def page_results(self, p: Principal, flt: s.ResultQuery) -> s.Page[s.ResultView]:
        p.require(Right.RESULTS_READ)
        size = page_size(flt.page_size)
        start = decode_page_token(flt.page_token)
        with self._result_scan(p, flt, start) as (calc, candidates):
            found: list[s.ResultView] = []
            for row in candidates:
                result = calc.course(row)
                if calc.accepts(result, flt):
                    found.append(result)
                    if len(found) > size:
                        return s.Page(found[:size], encode_page_token(found[size].enrollment_id))
            return s.Page(found, None)

    def page_module_results(self, p: Principal, flt: s.ResultQuery) -> s.Page[s.ResultView]:
        p.require(Right.RESULTS_READ)
        size = page_size(flt.page_size)
        start = decode_page_token(flt.page_token)
        with self._result_scan(p, flt, start) as (calc, candidates):
            found: list[tuple[str, s.ResultView]] = []
            for row in candidates:
                for result in calc.modules(row):
                    key = f"{result.enrollment_id}:{result.module_id}"
                    if (start is not None and key < start) or not calc.accepts(result, flt):
                        continue
                    found.append((key, result))
                    if len(found) > size:
                        return s.Page([r for _, r in found[:size]],
                                      encode_page_token(found[size][0]))
            return s.Page([r for _, r in found], None)

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
                  rows: Sequence[IspringEnrollment]) -> dict[tuple[str, str], s.ResultView]:
        """Course results (module "") and module results of enrollments, as they are now."""
        calc = _ResultCalculator(session, tenant_id, now)
        out: dict[tuple[str, str], s.ResultView] = {}
        for row in rows:
            out[(row.enrollment_id, "")] = calc.course(row)
            for result in calc.modules(row):
                out[(row.enrollment_id, result.module_id or "")] = result
        return out

    def _announce_progress(self, session: Session, tenant_id: str, now: datetime,
                           rows: Sequence[IspringEnrollment],
                           before: dict[tuple[str, str], s.ResultView]) -> None:
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

    def update_course_status(self, p: Principal, body: s.UpdateCourseStatus) -> int:
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

    def update_module_statuses(self, p: Principal, body: s.UpdateModuleStatuses) -> int:
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

    def reset_module_statistics(self, p: Principal, body: s.ResetModuleStatistics) -> int:
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

    # -- gamification ----------------------------------------------------------------------------

    def points(self, p: Principal, user_ids: Sequence[str]) -> list[tuple[str, float]]:
        p.require(Right.GAMIFICATION_READ)
        with self._unit(p.tenant_id) as (session, _now):
            stmt = self._scoped_users(select(IspringUser).where(
                IspringUser.tenant_id == p.tenant_id), p, IspringUser.user_id)
            if user_ids:
                stmt = stmt.where(col(IspringUser.user_id).in_([u.lower() for u in user_ids]))
            rows = session.exec(stmt.order_by(col(IspringUser.user_id))).all()
            return [(u.user_id, u.points) for u in rows]

    def change_points(self, p: Principal, body: s.PointsChange, sign: int) -> None:
        p.require(Right.GAMIFICATION_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            (user,) = self._users_named(session, p, [body.user_id])
            balance = user.points + sign * body.amount
            if balance < 0:
                raise BadRequest("Wrong parameters: the user does not have enough points")
            user.points = balance
            session.add(user)

    # -- trainings -------------------------------------------------------------------------------

    @staticmethod
    def _day_ids(session: Session, tenant_id: str, session_ids: Sequence[str],
                 ) -> dict[str, list[str]]:
        days: dict[str, list[str]] = {i: [] for i in session_ids}
        for day in session.exec(select(IspringTrainingDay).where(
                IspringTrainingDay.tenant_id == tenant_id,
                col(IspringTrainingDay.session_id).in_(session_ids)).order_by(
                col(IspringTrainingDay.start_time), col(IspringTrainingDay.day_id))).all():
            days[day.session_id].append(day.day_id)
        return days

    @staticmethod
    def _sessions_of(session: Session, tenant_id: str, training_id: str,
                     ) -> list[IspringTrainingSession]:
        return list(session.exec(select(IspringTrainingSession).where(
            IspringTrainingSession.tenant_id == tenant_id,
            IspringTrainingSession.training_id == training_id).order_by(
            col(IspringTrainingSession.start_time), col(IspringTrainingSession.session_id))).all())

    def get_training(self, p: Principal, training_id: str) -> tuple[IspringTraining, list[str]]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            training = session.get(IspringTraining, (p.tenant_id, training_id.lower()))
            if training is None:
                raise NotFound("Unknown training")
            sessions = self._sessions_of(session, p.tenant_id, training.training_id)
            return training, [x.session_id for x in sessions]

    def training_sessions(self, p: Principal, training_id: str,
                          ) -> list[tuple[IspringTrainingSession, list[str]]]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            training = session.get(IspringTraining, (p.tenant_id, training_id.lower()))
            if training is None:
                raise NotFound("Session not found")  # the OAS's 404 text for this operation
            sessions = self._sessions_of(session, p.tenant_id, training.training_id)
            days = self._day_ids(session, p.tenant_id, [x.session_id for x in sessions])
            return [(x, days[x.session_id]) for x in sessions]

    def _training_session(self, session: Session, p: Principal, session_id: str,
                          not_found: NotFound) -> IspringTrainingSession:
        row = session.get(IspringTrainingSession, (p.tenant_id, session_id.lower()))
        if row is None:
            raise not_found
        return row

    def get_training_session(self, p: Principal, session_id: str,
                             ) -> tuple[IspringTrainingSession, list[str]]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._training_session(session, p, session_id,
                                         PlainNotFound("Training session not found"))
            return row, self._day_ids(session, p.tenant_id, [row.session_id])[row.session_id]

    def session_participants(self, p: Principal, session_id: str, params: s.PageParams,
                             ) -> s.Page[str]:
        """Participants the caller may see, keyed by user ID (D19 applied, inferred)."""
        p.require(Right.RESULTS_READ)
        size = page_size(params.page_size)
        start = decode_page_token(params.page_token)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._training_session(session, p, session_id, NotFound("Session not found"))
            users = self._users_by_id(session, p.tenant_id, row.participants)
            visible = sorted(u for u in row.participants
                             if u in users and p.covers(users[u].department_id)
                             and (start is None or u >= start))
            if len(visible) > size:
                return s.Page(visible[:size], encode_page_token(visible[size]))
            return s.Page(visible, None)

    def _day(self, session: Session, p: Principal, day_id: str, not_found: NotFound,
             ) -> IspringTrainingDay:
        day = session.get(IspringTrainingDay, (p.tenant_id, day_id.lower()))
        if day is None:
            raise not_found
        return day

    def get_training_day(self, p: Principal, day_id: str) -> tuple[IspringTrainingDay, str]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            day = self._day(session, p, day_id, PlainNotFound("Day not found"))
            owner = session.get(IspringTrainingSession, (p.tenant_id, day.session_id))
            return day, owner.training_id if owner else ""

    def update_training_day(self, p: Principal, day_id: str, body: s.UpdateDay) -> None:
        p.require(Right.STATISTICS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            day = self._day(session, p, day_id, NotFound("Day not found"))
            day.url = body.url
            session.add(day)

    def update_attendance(self, p: Principal, day_id: str, body: s.DayAttendance) -> None:
        """Attendance of the day's session participants; others are a 400 (inferred)."""
        p.require(Right.STATISTICS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            day = self._day(session, p, day_id, NotFound("Day not found"))
            owner = session.get(IspringTrainingSession, (p.tenant_id, day.session_id))
            registered = set(owner.participants if owner else [])
            users = self._users_by_id(session, p.tenant_id,
                                      [a.participant_id for a in body.participants_attendance])
            if any(not p.covers(u.department_id) for u in users.values()):
                raise PermissionDenied()
            attendance = dict(day.attendance)
            for item in body.participants_attendance:
                if item.participant_id not in registered:
                    raise BadRequest(f"Wrong parameters: {item.participant_id} is not a "
                                     f"participant of session {day.session_id}")
                attendance[item.participant_id] = {"isAttended": item.is_attended,
                                                   "duration": item.duration}
            day.attendance = attendance
            session.add(day)

    # -- webhooks --------------------------------------------------------------------------------

    @staticmethod
    def _subscriber(session: Session, p: Principal, name: str) -> IspringWebhookSubscriber:
        row = session.get(IspringWebhookSubscriber, (p.tenant_id, name))
        if row is None:
            raise NotFound("Subscriber not found")
        return row

    def register_subscriber(self, p: Principal, body: s.SubscriberRequest) -> None:
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, now):
            if session.get(IspringWebhookSubscriber, (p.tenant_id, body.subscriber_name)):
                raise BadRequest("Wrong parameters: a subscriber with this name already exists")
            session.add(IspringWebhookSubscriber(
                tenant_id=p.tenant_id, name=body.subscriber_name, callback_url=body.callback_url,
                secret=body.secret, created_at=now))

    def change_subscriber(self, p: Principal, body: s.SubscriberRequest) -> None:
        """A new callback URL must be confirmed again (§5.10)."""
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, body.subscriber_name)
            if row.callback_url != body.callback_url:
                row.confirmed = False
                row.code = None
            row.callback_url = body.callback_url
            row.secret = body.secret
            session.add(row)

    def set_subscriber_enabled(self, p: Principal, body: s.SubscriberName, enabled: bool) -> None:
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, body.subscriber_name)
            row.enabled = enabled
            session.add(row)

    def remove_subscriber(self, p: Principal, body: s.SubscriberName) -> None:
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, body.subscriber_name)
            for table in (IspringWebhookSubscription, IspringWebhookEvent):
                session.execute(delete(table).where(
                    col(table.tenant_id) == p.tenant_id,
                    col(table.subscriber) == row.name))
            session.delete(row)

    def send_confirmation_code(self, p: Principal, body: s.SubscriberName) -> None:
        """Queue the CONFIRMATION message with a new code (§5.10); only the latest code
        confirms. Its payload is the JSON text `{"code": "…"}`, as receivers parse it."""
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, now):
            row = self._subscriber(session, p, body.subscriber_name)
            row.code = token(12)
            session.add(row)
            _Outbox(session, p.tenant_id, now).send(row.name, "CONFIRMATION",
                                                    json.dumps({"code": row.code}))

    def confirm_subscriber(self, p: Principal, body: s.ConfirmRequest) -> None:
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, body.subscriber_name)
            if row.code is None or not hmac.compare_digest(row.code.encode(),
                                                           body.code.encode()):
                raise BadRequest("Wrong parameters: the confirmation code is wrong")
            row.confirmed = True
            row.code = None
            session.add(row)

    def subscribe(self, p: Principal, body: s.SubscribeRequest) -> None:
        """D21: one subscription per event type; subscribing again replaces its params."""
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, body.subscriber_name)
            kind = body.subscription.subscription_type
            sub = session.get(IspringWebhookSubscription, (p.tenant_id, row.name, kind))
            sub = sub or IspringWebhookSubscription(tenant_id=p.tenant_id, subscriber=row.name,
                                                    type=kind)
            sub.params = [{"name": x.name, "value": x.value} for x in body.subscription.params]
            session.add(sub)

    def unsubscribe(self, p: Principal, body: s.UnsubscribeRequest) -> None:
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, body.subscriber_name)
            sub = session.get(IspringWebhookSubscription,
                              (p.tenant_id, row.name, body.subscription_type))
            if sub is None:
                raise NotFound("Subscription not found")
            session.delete(sub)

    def subscriptions(self, p: Principal, name: str | None) -> list[IspringWebhookSubscription]:
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, _subscriber_name(name))
            return list(session.exec(select(IspringWebhookSubscription).where(
                IspringWebhookSubscription.tenant_id == p.tenant_id,
                IspringWebhookSubscription.subscriber == row.name).order_by(
                col(IspringWebhookSubscription.type))).all())

    def subscriber_info(self, p: Principal, name: str | None) -> dict[str, str]:
        """ACTIVE/INACTIVE; CONFIRMED/UNCONFIRMED; notifications ACTIVE, INACTIVE (disabled or
        unconfirmed) or SUSPENDED while deliveries keep failing (inferred)."""
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, now):
            self._expire_events(session, p.tenant_id, now)
            row = self._subscriber(session, p, _subscriber_name(name))
            failing = session.exec(select(IspringWebhookEvent.event_id).where(
                IspringWebhookEvent.tenant_id == p.tenant_id,
                IspringWebhookEvent.subscriber == row.name,
                IspringWebhookEvent.state == "pending",
                col(IspringWebhookEvent.attempts) > 0)).first()
            if not (row.enabled and row.confirmed):
                process = "INACTIVE"
            else:
                process = "SUSPENDED" if failing is not None else "ACTIVE"
            return {"subscriberStatus": "ACTIVE" if row.enabled else "INACTIVE",
                    "confirmationStatus": "CONFIRMED" if row.confirmed else "UNCONFIRMED",
                    "notificationProcessStatus": process}

    @staticmethod
    def _expire_events(session: Session, tenant_id: str, now: datetime,
                       ) -> list[IspringWebhookEvent]:
        """Drop events undeliverable for a day (their subscriber is then unconfirmed, §5.10);
        the events still pending, oldest first."""
        pending = session.exec(select(IspringWebhookEvent).where(
            IspringWebhookEvent.tenant_id == tenant_id,
            IspringWebhookEvent.state == "pending").order_by(
            col(IspringWebhookEvent.event_id))).all()
        kept = []
        for event in pending:
            subscriber = session.get(IspringWebhookSubscriber, (tenant_id, event.subscriber))
            if subscriber is not None and as_utc(event.created_at) + WEBHOOK_RETRY > now:
                kept.append(event)
                continue
            event.state = "dropped"
            session.add(event)
            if subscriber is not None and event.type != "CONFIRMATION":
                subscriber.confirmed = False
                session.add(subscriber)
        return kept

    def deliver_webhooks(self, tenant_id: str, send: Sender | None = None) -> None:
        """POST the account's pending events, consecutive ones of a type in one request.

        Runs after the response that queued them. A failed delivery is retried on the next
        run (the next call that queues events or manages webhooks) for one day of emulator
        time; then the events are dropped and the subscriber is unconfirmed (§5.10).
        """
        with self.ctx.db.transaction() as session:
            pending = self._expire_events(session, tenant_id, self.ctx.now(session, tenant_id))
            subscribers = {r.name: r for r in session.exec(select(IspringWebhookSubscriber)
                           .where(IspringWebhookSubscriber.tenant_id == tenant_id)).all()}
            batches: list[tuple[list[int], str, bytes, dict[str, str]]] = []
            for event in pending:
                subscriber = subscribers[event.subscriber]
                last = batches[-1] if batches else None
                if last is not None and last[1] == f"{subscriber.name}\n{event.type}":
                    last[0].append(event.event_id)
                else:
                    batches.append(([event.event_id], f"{subscriber.name}\n{event.type}", b"",
                                    {}))
            payloads = {e.event_id: e.payload for e in pending}
            ready = []
            for event_ids, key, _, _ in batches:
                name, kind = key.split("\n", 1)
                subscriber = subscribers[name]
                body = json.dumps({"type": kind, "payloads": [payloads[i] for i in event_ids]},
                                  ensure_ascii=False).encode()
                headers = {"Content-Type": "application/json"}
                if subscriber.secret:
                    headers["X-Hub-Signature"] = hashlib.sha256(
                        body + subscriber.secret.encode()).hexdigest()
                ready.append((event_ids, subscriber.callback_url, body, headers))
        if not ready:
            return
        if send is None:
            with httpx.Client(timeout=5.0, follow_redirects=False) as client:
                self.deliver_webhooks(
                    tenant_id, http_sender(client, self.ctx.settings.webhook_hosts))
            return
        outcomes = [(event_ids, send(url, body, headers))
                    for event_ids, url, body, headers in ready]
        with self.ctx.db.transaction() as session:
            for event_ids, error in outcomes:
                for event in session.exec(select(IspringWebhookEvent).where(
                        IspringWebhookEvent.tenant_id == tenant_id,
                        col(IspringWebhookEvent.event_id).in_(event_ids))).all():
                    event.attempts += 1
                    event.state = "delivered" if error is None else "pending"
                    event.last_error = error
                    session.add(event)


def _subscriber_name(name: str | None) -> str:
    if not name:
        raise BadRequest("Wrong parameters: subscriberName is required")
    return name


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

    def course(self, e: IspringEnrollment) -> s.ResultView:
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
        return s.ResultView(
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

    def modules(self, e: IspringEnrollment) -> list[s.ResultView]:
        course = self.course_row(e.course_id)
        results = self._module_results(e)
        out = []
        for m in self.module_rows(e.course_id):
            r = results.get(m.module_id)
            status = r.status if r else "not_started"
            out.append(s.ResultView(
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

    def accepts(self, result: s.ResultView, flt: s.ResultQuery) -> bool:
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


class _SmartGroups:
    """Members of smart groups, evaluated from their rules against the account as it is now.

    A rule matches users by department (operator 1: that department only; 2: with its
    sub-departments), by plain-group membership, or by a profile field equal to the value
    (case-insensitive; inferred). Every `and` item must hold through at least one of its rules.
    """

    def __init__(self, session: Session, tenant_id: str) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self._groups: list[IspringGroup] | None = None
        self._users: list[IspringUser] | None = None
        self._departments: dict[str, IspringDepartment] | None = None
        self._plain: dict[str, set[str]] | None = None

    def groups(self) -> list[IspringGroup]:
        if self._groups is None:
            self._groups = list(self.session.exec(select(IspringGroup).where(
                IspringGroup.tenant_id == self.tenant_id, col(IspringGroup.is_smart))).all())
        return self._groups

    def users(self) -> list[IspringUser]:
        if self._users is None:
            self._users = list(self.session.exec(select(IspringUser).where(
                IspringUser.tenant_id == self.tenant_id)).all())
        return self._users

    def visible_to(self, p: Principal) -> set[str]:
        return {u.user_id for u in self.users() if p.covers(u.department_id)}

    def members(self, group: IspringGroup) -> set[str]:
        found: set[str] | None = None
        for item in (group.rules or {}).get("and", []):
            union: set[str] = set()
            for node in item.get("or", []):
                union |= self._matching(node["rule"])
            found = union if found is None else found & union
        return found or set()

    def _matching(self, rule: dict[str, Any]) -> set[str]:
        kind, value = rule["attributeType"], str(rule["value"])
        if kind == 1:
            if self._departments is None:
                self._departments = IspringBackend._departments(self.session, self.tenant_id)
            wanted = _subtree(self._departments, [value.lower()])
            if rule["operator"] == 1:
                wanted &= {value.lower()}
            return {u.user_id for u in self.users() if u.department_id in wanted}
        if kind == 2:
            if self._plain is None:
                self._plain = {}
                for m in self.session.exec(select(IspringGroupMember).where(
                        IspringGroupMember.tenant_id == self.tenant_id)).all():
                    self._plain.setdefault(m.group_id, set()).add(m.user_id)
            return set(self._plain.get(value.lower(), set()))
        field = str(rule.get("attributeId") or "").upper()
        return {u.user_id for u in self.users()
                if u.fields.get(field, "").strip().lower() == value.strip().lower()}


def _subtree(departments: dict[str, IspringDepartment], roots: Iterable[str]) -> set[str]:
    """The given departments and every department below them."""
    children: dict[str, list[str]] = {}
    for d in departments.values():
        if d.parent_id is not None:
            children.setdefault(d.parent_id, []).append(d.department_id)
    found: set[str] = set()
    stack = [r for r in roots if r in departments]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found


def _matches_profile(user: IspringUser, body: s.PagedUsersRequest) -> bool:
    for flt in body.profile_fields:
        value = user.fields.get(flt.name.upper(), "")
        if value not in flt.values:
            return False
    for rng in body.profile_fields_date_range:
        raw = user.fields.get(rng.name.upper(), "")
        try:
            when = date.fromisoformat(raw[:10])
        except ValueError:
            return False
        if (rng.from_ and when < rng.from_) or (rng.to and when > rng.to):
            return False
    return True
