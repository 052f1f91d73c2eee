"""The shared base of every iSpring operation: unit of work, keyset paging, caller scoping, lookups.

Each operation runs in one `ctx.db.transaction()` (`_unit`) and reads time from the emulator
clock only. Callers are `Principal`s (`auth`): what an account user (or a token) may do, and in
which departments (§4.9). Lookups used by several resources live here, once.

Behaviours the fact sheet leaves open:
- `encode_page_token` / `decode_page_token`: keyset pages on the entity ID (D19; inferred).
- `effective_status`: a scheduled deactivation/termination takes effect on its date (inferred).
- `_guard_owner`, `_is_owner`: the Account Owner cannot be deleted, blocked or re-roled (403;
  inferred).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from emulator.core.vendor import Context
from emulator.ispring.auth import Principal
from emulator.ispring.errors import BadRequest, NotFound, PermissionDenied
from emulator.ispring.models import (
    IspringContent,
    IspringDepartment,
    IspringEnrollment,
    IspringGroup,
    IspringRole,
    IspringUser,
)
from emulator.ispring.schemas import Page, SubordinationIn, Subordinations

M = TypeVar("M")


class HasSubordinations(Protocol):
    """A body carrying the two subordination settings (users' and departments' writes)."""

    @property
    def subordination(self) -> SubordinationIn | None: ...

    @property
    def co_subordination(self) -> SubordinationIn | None: ...
DEFAULT_PAGE_SIZE = 1000
INHERIT: dict[str, Any] = {"subordinationType": "inherit"}
SUCCESS = frozenset({"complete", "passed", "accepted"})
FINISHED = SUCCESS | {"failed", "declined"}


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


class BackendBase:
    """What every resource's operations share: the unit of work, scoping and lookups."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @contextmanager
    def _unit(self, tenant_id: str) -> Iterator[tuple[Session, datetime]]:
        with self.ctx.db.transaction() as session:
            yield session, self.ctx.now(session, tenant_id)

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
                size: int | None, page_token: str | None) -> Page[M]:
        limit = page_size(size)
        start = decode_page_token(page_token)
        if start is not None:
            stmt = stmt.where(col(key_col) >= start)
        rows = list(session.exec(stmt.order_by(col(key_col)).limit(limit + 1)).all())
        if len(rows) > limit:
            return Page(rows[:limit], encode_page_token(key(rows[limit])))
        return Page(rows, None)

    @staticmethod
    def _is_owner(user: IspringUser, roles: dict[str, IspringRole]) -> bool:
        return any(roles[a["roleId"]].type == "owner" for a in user.roles if a["roleId"] in roles)

    def _guard_owner(self, session: Session, tenant_id: str, users: Iterable[IspringUser]) -> None:
        """The Account Owner cannot be deleted, blocked or scheduled away (inferred)."""
        roles = self._roles(session, tenant_id)
        if any(self._is_owner(user, roles) for user in users):
            raise PermissionDenied()

    def _check_supervisors(self, session: Session, tenant_id: str,
                           body: HasSubordinations) -> None:
        for sub in (body.subordination, body.co_subordination):
            if sub is not None and sub.supervisor_id is not None and session.get(
                    IspringUser, (tenant_id, sub.supervisor_id)) is None:
                raise BadRequest(f"Unknown user: {sub.supervisor_id}")

    def _set_subordinations(self, session: Session, tenant_id: str,
                            target: IspringUser | IspringDepartment,
                            body: Subordinations) -> None:
        """Users and departments carry the same two settings; an omitted one is kept."""
        self._check_supervisors(session, tenant_id, body)
        if body.subordination is not None:
            target.subordination = body.subordination.as_stored()
        if body.co_subordination is not None:
            target.co_subordination = body.co_subordination.as_stored()
        session.add(target)

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
