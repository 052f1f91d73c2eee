"""Thrive users: v1 reads, the v2 lifecycle (create, update, suspend, delete)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Response
from pydantic import StrictBool, StrictStr
from sqlalchemy import func
from sqlmodel import col, delete, select

from emulator.thrive.base import Body, Unit, at_least, new_id, one_of
from emulator.thrive.enrolments import EnrolmentsOps
from emulator.thrive.errors import Conflict, Unprocessable
from emulator.thrive.models import (
    ThriveEnrolment,
    ThriveManager,
    ThriveMember,
    ThriveTag,
    ThriveUser,
    ThriveUserSkill,
)
from emulator.thrive.routing import (
    V1,
    V2,
    Auth,
    Query,
    UserId,
    api_router,
    empty,
    endpoint,
    json_body,
    ok,
    operations,
)
from emulator.thrive.schemas import (
    USER_STATUSES,
    Email,
    Paging,
    QueryArgs,
    RequestBody,
    Text,
    When,
    number,
    stamp,
)

# ---------------------------------------------------------------------------------------------
# Wire shapes
# ---------------------------------------------------------------------------------------------


class UserUpdate(RequestBody):
    """v2 user fields; on update only the fields sent change."""

    NOT_NULL = ("first_name", "last_name", "login_method", "role", "time_zone",
                "language_code", "sso")

    email: Email | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    login_method: Literal["email", "ref"] | None = None
    role: Literal["administrator", "learneradmin", "learner"] | None = None
    job_title: StrictStr | None = None
    manager_ref: StrictStr | None = None
    domain: StrictStr | None = None
    start_date: When | None = None
    end_date: When | None = None
    time_zone: Text | None = None
    language_code: Text | None = None
    sso: StrictBool | None = None
    additional_fields: dict[str, Any] | None = None


class UserCreate(UserUpdate):
    ref: Text
    first_name: Text
    last_name: Text


class UserSuspend(RequestBody):
    end_date: When | None = None


def full_name(user: ThriveUser) -> str:
    return " ".join(p for p in (user.first_name, user.last_name) if p)


def position(user: ThriveUser, manager: ThriveUser | None) -> dict[str, Any]:
    return {
        "id": user.id,
        "manager": None if manager is None else {"id": manager.id, "name": full_name(manager),
                                                 "ref": manager.ref},
        "ouId": user.ou_id,
        "isActive": user.active,
        "startDate": stamp(user.start_date),
        "endDate": stamp(user.end_date),
        "createdAt": stamp(user.created_at),
        "updatedAt": stamp(user.updated_at),
        "title": user.job_title,
    }


def basic_user(user: ThriveUser, manager: ThriveUser | None) -> dict[str, Any]:
    """BasicUser (`GET /users/ref/{ref}`)."""
    return {
        "id": user.id, "ref": user.ref, "firstName": user.first_name,
        "lastName": user.last_name, "email": user.email, "role": user.role,
        "status": user.status, "positions": [position(user, manager)],
        "additionalFields": user.additional_fields, "languageCode": user.language_code,
    }


def user_v1(user: ThriveUser, manager: ThriveUser | None, audiences: list[str],
            skills: list[str]) -> dict[str, Any]:
    """User (`GET /users`, `GET /user/{id}`)."""
    return {
        **basic_user(user, manager),
        "deleted": user.deleted,
        "compliance": number(user.compliance),
        "level": number(user.level),
        "firstLogin": stamp(user.first_login),
        "lastLogin": stamp(user.last_login),
        "tags": {"skills": skills},
        "usersFollowing": list(user.users_following),
        "tagsFollowing": list(user.tags_following),
        "createdAt": stamp(user.created_at),
        "updatedAt": stamp(user.updated_at),
        "hasPicture": user.has_picture,
        "timeZone": user.time_zone,
        "summary": user.summary,
        "relevancy": number(user.relevancy),
        "rank": user.rank or {"currentCategory": 0, "currentLevel": 0},
        "agreedTerms": user.agreed_terms,
        "onboarded": user.onboarded,
        "audiences": [{"id": audience_id} for audience_id in audiences],
        "singleSignOn": user.sso,
    }


def user_lifecycle(user: ThriveUser) -> dict[str, Any]:
    """UserLifecycleResource (v2 create, update, suspend)."""
    return {
        "id": user.id, "loginMethod": user.login_method, "ref": user.ref,
        "email": user.email, "firstName": user.first_name, "lastName": user.last_name,
        "role": user.role, "jobTitle": user.job_title, "managerRef": user.manager_ref,
        "startDate": stamp(user.start_date), "endDate": stamp(user.end_date),
        "domain": user.domain, "timeZone": user.time_zone, "languageCode": user.language_code,
        "active": user.active, "createdAt": stamp(user.created_at),
        "updatedAt": stamp(user.updated_at), "sso": user.sso,
        "additionalFields": user.additional_fields,
    }


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


class UsersOps(EnrolmentsOps):
    """Users: v1 reads and the v2 lifecycle."""

    def _v1_views(self, u: Unit, users: list[ThriveUser]) -> list[Body]:
        ids = [x.id for x in users]
        audiences: dict[str, list[str]] = defaultdict(list)
        skills: dict[str, list[str]] = defaultdict(list)
        if ids:
            for m in self._all(u, select(ThriveMember).where(
                    ThriveMember.tenant_id == u.tenant, col(ThriveMember.user_id).in_(ids))
                    .order_by(col(ThriveMember.audience_id))):
                audiences[m.user_id].append(m.audience_id)
            pairs = u.session.exec(
                select(ThriveUserSkill.user_id, ThriveTag.name)
                .join(ThriveTag, (col(ThriveTag.tenant_id) == col(ThriveUserSkill.tenant_id))
                      & (col(ThriveTag.id) == col(ThriveUserSkill.tag_id)))
                .where(ThriveUserSkill.tenant_id == u.tenant,
                       col(ThriveUserSkill.user_id).in_(ids))
                .order_by(col(ThriveTag.name))).all()
            for user_id, name in pairs:
                skills[user_id].append(name)
        managers = self._managers_by_ref(u, [x.manager_ref for x in users])
        return [user_v1(x, managers.get(x.manager_ref or ""), audiences[x.id], skills[x.id])
                for x in users]

    def _managers_by_ref(self, u: Unit, refs: Iterable[str | None]) -> dict[str, ThriveUser]:
        wanted = sorted({r for r in refs if r})
        if not wanted:
            return {}
        rows = self._all(u, select(ThriveUser).where(
            ThriveUser.tenant_id == u.tenant, col(ThriveUser.ref).in_(wanted),
            col(ThriveUser.deleted).is_(False)))
        return {r.ref: r for r in rows if r.ref}

    def search_users(self, tenant: str, paging: Paging, *, statuses: list[str] | None,
                     omit_statuses: list[str] | None, updated_since: datetime | None) -> Body:
        with self.unit(tenant) as u:
            return self._enveloped(u, ThriveUser, paging, self._v1_views, (
                one_of(ThriveUser.status, statuses, omit_statuses),
                at_least(ThriveUser.updated_at, updated_since)), (col(ThriveUser.id),))

    def get_user(self, tenant: str, user_id: str) -> Body:
        with self.unit(tenant) as u:
            user = self._found(u, ThriveUser, user_id, "User")
            return self._v1_views(u, [user])[0]

    def get_user_by_ref(self, tenant: str, ref: str) -> Body:
        with self.unit(tenant) as u:
            user = self._user_by_ref(u, ref)
            manager = self._managers_by_ref(u, [user.manager_ref]).get(user.manager_ref or "")
            return basic_user(user, manager)

    def _check_user(self, u: Unit, user: ThriveUser) -> None:
        """The rules every create and update result obeys: 422 first, then 409."""
        if user.login_method == "email" and not user.email:
            raise Unprocessable("email is required when loginMethod is email")
        others = select(ThriveUser).where(ThriveUser.tenant_id == u.tenant,
                                          ThriveUser.id != user.id)
        if user.ref is not None and u.session.exec(
                others.where(ThriveUser.ref == user.ref)).first() is not None:
            raise Conflict(f"A user with ref '{user.ref}' already exists")
        if user.email and u.session.exec(others.where(
                col(ThriveUser.deleted).is_(False),
                func.lower(ThriveUser.email) == user.email.lower())).first() is not None:
            raise Conflict(f"A user with email '{user.email}' already exists")

    def _new_user(self, u: Unit, body: UserCreate) -> ThriveUser:
        user = ThriveUser(tenant_id=u.tenant, id=new_id(u), ref=body.ref,
                          created_at=u.now, updated_at=u.now)
        self._apply(user, body.sent())
        self._check_user(u, user)
        u.session.add(user)
        return user

    @staticmethod
    def _apply(user: ThriveUser, fields: dict[str, Any]) -> None:
        for name, value in fields.items():
            setattr(user, name, value)

    def _update_user(self, u: Unit, user: ThriveUser, fields: dict[str, Any]) -> None:
        fields.pop("ref", None)
        self._apply(user, fields)
        user.updated_at = u.now
        self._check_user(u, user)

    @staticmethod
    def _suspend(u: Unit, user: ThriveUser, end_date: datetime | None) -> None:
        """Suspending a suspended user changes nothing but a newly given end date."""
        changed = end_date is not None and end_date != user.end_date
        if user.active or user.status != "inactive":
            user.active, user.status, changed = False, "inactive", True
        if end_date is not None:
            user.end_date = end_date
        if changed:
            user.updated_at = u.now

    def _delete_user(self, u: Unit, user: ThriveUser) -> None:
        """Obfuscate, keep training history, leave every member and manager list."""
        user.first_name, user.last_name = "Deleted", "User"
        user.email = user.ref = None
        user.deleted, user.active, user.status = True, False, "inactive"
        user.updated_at = u.now
        self._refresh(u)
        self._archive(u, self._all(u, select(ThriveEnrolment).where(
            ThriveEnrolment.tenant_id == u.tenant, ThriveEnrolment.user_id == user.id,
            ThriveEnrolment.status != "archived")))
        for model in (ThriveMember, ThriveManager):
            u.session.execute(delete(model).where(col(model.tenant_id) == u.tenant,
                                                  col(model.user_id) == user.id))

    def create_user(self, tenant: str, body: UserCreate) -> Body:
        with self.unit(tenant) as u:
            return user_lifecycle(self._new_user(u, body))

    def update_user(self, tenant: str, ref: str, body: UserUpdate) -> Body:
        with self.unit(tenant) as u:
            user = self._user_by_ref(u, ref)
            self._update_user(u, user, body.sent())
            return user_lifecycle(user)

    def suspend_user(self, tenant: str, ref: str, body: UserSuspend) -> Body:
        with self.unit(tenant) as u:
            user = self._user_by_ref(u, ref)
            self._suspend(u, user, body.end_date)
            return user_lifecycle(user)

    def delete_user(self, tenant: str, ref: str) -> None:
        with self.unit(tenant) as u:
            self._delete_user(u, self._user_by_ref(u, ref))


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


router = api_router()
Backend = Annotated[UsersOps, operations(UsersOps)]


def _user_status_filter(q: QueryArgs) -> tuple[list[str] | None, list[str] | None]:
    # `status` (single) and `statuses` (csv) are one include set; omit is ignored beside it.
    statuses = q.csv("statuses", USER_STATUSES)
    single = q.csv("status", USER_STATUSES)
    include = None if statuses is None and single is None else \
        list(dict.fromkeys((statuses or []) + (single or [])))
    omit = q.csv("omitStatuses", USER_STATUSES)
    return include, (None if include is not None else omit)


@endpoint(router, "GET", f"{V1}/users")
def search_users(principal: Auth, backend: Backend, q: Query) -> Response:
    """Search users and return basic user information.

    Doc: /v1-api/apidocs/search-users-and-return-basic-user-information. Also applies the
    filters integrations send (`updatedSince`, `statuses`, `omitStatuses`, `status`).
    """
    statuses, omit = _user_status_filter(q)
    return ok(backend.search_users(principal.tenant_id, q.paging("users"), statuses=statuses,
                                   omit_statuses=omit, updated_since=q.instant("updatedSince")))


@endpoint(router, "GET", f"{V1}/user/{{userId}}")
def get_user(principal: Auth, backend: Backend, user_id: UserId) -> Response:
    """Search user by ID and return basic user information.

    Doc: /apidocs/search-user-by-id-and-return-basic-user-information. Deleted users are still
    returned (obfuscated, `deleted: true`).
    """
    return ok(backend.get_user(principal.tenant_id, user_id))


@endpoint(router, "GET", f"{V1}/users/ref/{{ref}}")
def get_user_by_ref(principal: Auth, backend: Backend, ref: str) -> Response:
    """Get a user by their reference (BasicUser).

    Doc: /v1-api/apidocs/search-users-and-return-basic-user-information (BasicUser schema).
    """
    return ok(backend.get_user_by_ref(principal.tenant_id, ref))


@endpoint(router, "POST", f"{V2}/users")
def create_user(principal: Auth, backend: Backend,
                body: Annotated[UserCreate, json_body(UserCreate)]) -> Response:
    """Create a user.

    Doc: /apidocs/create-a-user (v2). Answers 201 (the vendor's exact 2xx is undocumented).
    """
    return ok(backend.create_user(principal.tenant_id, body), 201)


@endpoint(router, "PATCH", f"{V2}/users/ref/{{ref}}")
def update_user(principal: Auth, backend: Backend, ref: str,
                body: Annotated[UserUpdate, json_body(UserUpdate)]) -> Response:
    """Update a user; only the fields sent change.

    Doc: /v1-api/apidocs/provision-and-manage-user-accounts (v2 lifecycle). Does not unsuspend.
    """
    return ok(backend.update_user(principal.tenant_id, ref, body))


@endpoint(router, "DELETE", f"{V2}/users/ref/{{ref}}")
def delete_user(principal: Auth, backend: Backend, ref: str) -> Response:
    """Delete a user: obfuscate the record and keep training history.

    Doc: /v1-api/apidocs/provision-and-manage-user-accounts (v2 lifecycle). Answers 204.
    """
    backend.delete_user(principal.tenant_id, ref)
    return empty()


@endpoint(router, "PATCH", f"{V2}/users/ref/{{ref}}/suspend")
def suspend_user(principal: Auth, backend: Backend, ref: str,
                 body: Annotated[UserSuspend, json_body(UserSuspend)]
                 ) -> Response:
    """Suspend a user, optionally with the date they left.

    Doc: /v1-api/apidocs/provision-and-manage-user-accounts (v2 lifecycle).
    """
    return ok(backend.suspend_user(principal.tenant_id, ref, body))
