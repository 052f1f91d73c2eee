"""iSpring user accounts over time: create, update, status, schedules, work leave, password, delete.

Behaviours the fact sheet leaves open:
- A scheduled deactivation/termination takes effect on its date (`base.effective_status`).
- The Account Owner cannot be deleted, blocked or re-roled (403; `base._guard_owner`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Self

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BeforeValidator, Field, model_validator
from sqlalchemy import delete
from sqlmodel import Session, col, select

from emulator.core.ids import time_uuid, token
from emulator.core.secrets import hash_secret
from emulator.ispring.auth import (
    ROLE_ALIASES,
    Principal,
    Right,
    UsersWrite,
    authenticate,
    operations,
)
from emulator.ispring.base import INHERIT, BackendBase
from emulator.ispring.errors import BadRequest, PermissionDenied
from emulator.ispring.fields import (
    NAME_MAX,
    Day,
    Id,
    IdList,
    OptFlag,
    OptId,
    OptIdList,
    OptText,
    RequiredIds,
    Text,
    _choice,
    _date,
    _integer,
    _optional,
    _required,
    _scalar,
    _text,
)
from emulator.ispring.models import (
    IspringEnrollment,
    IspringGroup,
    IspringGroupMember,
    IspringModuleResult,
    IspringProfileField,
    IspringRole,
    IspringUser,
)
from emulator.ispring.profile_fields import AccountFields
from emulator.ispring.schemas import (
    USER_STATUSES,
    WORK_LEAVE_REASONS,
    RequestModel,
    Subordinations,
    UserIds,
    _pre_items,
    day,
)
from emulator.ispring.users import UsersOps, user_tree
from emulator.ispring.webhooks import _Outbox, delivering
from emulator.ispring.wire import Body, Entity, created_as_asked, empty, without_path_id


def _profile_values(value: Any) -> dict[str, str]:
    """Profile values keyed by field name: an object, or a list of {name, value} (§5.2)."""
    value = _required(value)
    pairs: list[tuple[Any, Any]]
    if isinstance(value, Mapping) and set(value) == {"field"}:
        value = value["field"]
    if isinstance(value, Mapping):
        if set(value) == {"name", "value"}:
            pairs = [(value["name"], value["value"])]
        else:
            pairs = list(value.items())
    elif isinstance(value, list):
        pairs = []
        for item in value:
            if not isinstance(item, Mapping) or "name" not in item:
                raise ValueError("must be an object or a list of {name, value}")
            pairs.append((item["name"], item.get("value")))
    else:
        raise ValueError("must be an object or a list of {name, value}")
    out: dict[str, str] = {}
    for key, raw in pairs:
        name = _scalar(key).strip()
        out[name] = "" if raw is None else _text(raw)
    return out


ProfileValues = Annotated[dict[str, str], BeforeValidator(_profile_values)]
OptProfileValues = Annotated[dict[str, str] | None, BeforeValidator(_optional(_profile_values))]


class UserRoleIn(RequestModel):
    role_id: Id = Field(alias="roleId")
    manageable_department_ids: IdList = Field(default_factory=list,
                                              alias="manageableDepartmentIds")
    role_type: OptText = Field(default=None, alias="roleType")


Roles = Annotated[list[UserRoleIn] | None, BeforeValidator(_optional(_pre_items))]


class UserRoleFields(RequestModel):
    role: OptText = None
    role_id: OptId = Field(default=None, alias="roleId")
    roles: Roles = None
    manageable_department_ids: OptIdList = Field(default=None, alias="manageableDepartmentIds")
    group_ids: OptIdList = Field(default=None, alias="groupIds")
    groups: OptIdList = None

    @property
    def all_group_ids(self) -> list[str] | None:
        if self.group_ids is None and self.groups is None:
            return None
        return list(dict.fromkeys([*(self.group_ids or []), *(self.groups or [])]))


class NewUser(UserRoleFields):
    department_id: Id = Field(alias="departmentId")
    fields: ProfileValues
    login: OptText = None
    email: OptText = None
    password: OptText = None
    send_login_email: OptFlag = Field(default=None, alias="sendLoginEmail")
    invitation_message: OptText = Field(default=None, alias="invitationMessage")
    send_login_sms: OptFlag = Field(default=None, alias="sendLoginSMS")
    invitation_sms_message: OptText = Field(default=None, alias="invitationSMSMessage")

    @model_validator(mode="after")
    def _invitations(self) -> Self:
        if self.send_login_email and not self.invitation_message:
            raise ValueError("invitationMessage is required when sendLoginEmail is true")
        if self.send_login_sms and not self.invitation_sms_message:
            raise ValueError("invitationSMSMessage is required when sendLoginSMS is true")
        if self.password is not None and not self.password:
            raise ValueError("password must not be empty")
        return self


class UpdateUser(UserRoleFields):
    department_id: OptId = Field(default=None, alias="departmentId")
    fields: OptProfileValues = None


class UserPassword(RequestModel):
    password: Text

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.password:
            raise ValueError("password must not be empty")
        return self


def _user_status(value: Any) -> int:
    status = _integer(value)
    if status not in USER_STATUSES:
        raise ValueError(f"must be 1, 3 or 5, {status} given")
    return status


class UserStatusIn(RequestModel):
    status: Annotated[int, BeforeValidator(_user_status)]


class GroupIds(RequestModel):
    group_ids: RequiredIds = Field(alias="groupIds")


class ScheduledDate(RequestModel):
    date: Day


class WorkLeaveIn(RequestModel):
    user_id: Id = Field(alias="userId")
    work_leave_reason: Annotated[str, BeforeValidator(_choice(*WORK_LEAVE_REASONS))] = Field(
        alias="workLeaveReason")
    start_date: Annotated[date | None, BeforeValidator(_optional(_date))] = Field(
        default=None, alias="startDate")
    end_date: Annotated[date | None, BeforeValidator(_optional(_date))] = Field(
        default=None, alias="endDate")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("endDate must not be before startDate")
        return self


class WorkLeaveStatuses(RequestModel):
    work_leave_statuses: Annotated[list[WorkLeaveIn], BeforeValidator(_pre_items)] = Field(
        alias="workLeaveStatuses", min_length=1)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _is_day(value: str) -> bool:
    """A date field holds a calendar day as YYYY-MM-DD (what date-range searches compare)."""
    try:
        return len(value) == 10 and bool(date.fromisoformat(value))
    except ValueError:
        return False


class UserLifecycleOps(BackendBase):
    """Changing user accounts: creation, profile updates, statuses, schedules, deletion."""

    def _profile_updates(self, session: Session, tenant_id: str, values: dict[str, str],
                         ) -> dict[str, str]:
        """Request keys (any case, D4) → values under the account's field IDs; unknown → 400."""
        known = AccountFields.load(session, tenant_id)
        out: dict[str, str] = {}
        for key, value in values.items():
            field = known.named(key)
            if len(value) > NAME_MAX:
                raise BadRequest(f"Wrong parameters: {key} is longer than {NAME_MAX} characters")
            if field.type == "email" and value and not _EMAIL.match(value):
                raise BadRequest(f"Wrong parameters: {key} is not a valid e-mail address")
            if field.type == "login" and not value.strip():
                raise BadRequest(f"Wrong parameters: {key} must not be empty")
            if field.type == "birthdate" and value and not _is_day(value):
                raise BadRequest(f"Wrong parameters: {key} is not a valid date (YYYY-MM-DD)")
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

    def _role_assignments(self, session: Session, p: Principal, body: UserRoleFields,
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

    def create_user(self, p: Principal, body: NewUser) -> str:
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
                email=fields.get("EMAIL") or None,
                password=hash_secret(body.password or token(9)),
                department_id=body.department_id, status=1, fields=fields, roles=roles,
                subordination=dict(INHERIT), co_subordination=dict(INHERIT), added_at=now)]
            rows += self._join_groups(session, p.tenant_id, user_id, body.all_group_ids or [])
            session.add_all(rows)
            _Outbox(session, p.tenant_id, now).emit("USER_REGISTERED", {
                "userId": user_id, "departmentId": body.department_id,
                "login": fields["LOGIN"], "email": fields.get("EMAIL") or None})
            return user_id

    def update_user(self, p: Principal, user_id: str, body: UpdateUser) -> None:
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

    def set_password(self, p: Principal, user_id: str, body: UserPassword) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            user = self._user(session, p, user_id)
            user.password = hash_secret(body.password)
            session.add(user)

    @staticmethod
    def _apply_status(user: IspringUser, status: int) -> None:
        user.status = status
        # An explicit status replaces whatever was scheduled.
        user.deactivate_on = None
        if status != 5:
            user.terminate_on = None

    def set_status(self, p: Principal, user_id: str, body: UserStatusIn) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            user = self._user(session, p, user_id)
            self._guard_owner(session, p.tenant_id, [user])
            self._apply_status(user, body.status)
            session.add(user)

    def set_statuses(self, p: Principal, body: UserIds, status: int) -> None:
        """`POST /users/activate|deactivate|terminate`."""
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            users = self._users_named(session, p, body.user_ids)
            self._guard_owner(session, p.tenant_id, users)
            for user in users:
                self._apply_status(user, status)
            session.add_all(users)

    def set_user_subordination(self, p: Principal, user_id: str, body: Subordinations) -> None:
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

    def remove_user_groups(self, p: Principal, user_id: str, body: GroupIds) -> None:
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

    def set_work_leave(self, p: Principal, body: WorkLeaveStatuses) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            users = self._users_named(session, p, [w.user_id for w in body.work_leave_statuses])
            for user, leave in zip(users, body.work_leave_statuses, strict=True):
                user.work_leave = {
                    "workLeaveReason": leave.work_leave_reason,
                    "startDate": (leave.start_date or now.date()).isoformat(),
                    "endDate": day(leave.end_date),
                }
                session.add(user)

    def clear_work_leave(self, p: Principal, body: UserIds) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            for user in self._users_named(session, p, body.user_ids):
                user.work_leave = None
                session.add(user)


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[UserLifecycleOps, operations(UserLifecycleOps)]


@router.post("/users/activate")
def activate_users(request: Request, caller: UsersWrite, body: Body,
                   backend: Backend) -> Response:
    """Activate users.

    Vendor doc: §5.2; unknown IDs → 400 (D14). Not emulated: the `X-User-Ids` header (D23).
    """
    backend.set_statuses(caller, UserIds.parse(body), 1)
    return empty(request)


@router.post("/users/deactivate")
def deactivate_users(request: Request, caller: UsersWrite, body: Body,
                     backend: Backend) -> Response:
    """Deactivate users.

    Vendor doc: §5.2; unknown IDs → 400 (D14). Not emulated: the `X-User-Ids` header (D23).
    """
    backend.set_statuses(caller, UserIds.parse(body), 3)
    return empty(request)


@router.post("/users/terminate")
def terminate_users(request: Request, caller: UsersWrite, body: Body,
                    backend: Backend) -> Response:
    """End the employment of users.

    Vendor doc: §5.2; status 5. Not emulated: the `X-User-Ids` header (D23).
    """
    backend.set_statuses(caller, UserIds.parse(body), 5)
    return empty(request)


@router.post("/users/work-leave-status")
def update_work_leave_statuses(request: Request, caller: UsersWrite, body: Body,
                               backend: Backend) -> Response:
    """Set users' work leave statuses.

    Vendor doc: §5.2; shown as `workLeaveStatus` on the user.
    """
    backend.set_work_leave(caller, WorkLeaveStatuses.parse(body))
    return empty(request)


@router.post("/users/work-leave-status/delete")
def remove_work_leave_statuses(request: Request, caller: UsersWrite, body: Body,
                               backend: Backend) -> Response:
    """Remove users' work leave statuses.

    Vendor doc: §5.2. Not emulated: the `X-User-Ids` header (D23).
    """
    backend.clear_work_leave(caller, UserIds.parse(body))
    return empty(request)


@router.post("/user")
def add_user(request: Request, caller: UsersWrite, body: Body, backend: Backend,
             readers: Annotated[UsersOps, operations(UsersOps)]) -> Response:
    """Add a user.

    Vendor doc: "Adding a User" (§5.2); 201 with the new ID; duplicate login or e-mail → 400
    (D12); `X-Return-Object: true` answers the user as `GET /user/{id}` shows it. Not emulated:
    sending the invitation e-mail/SMS and the `X-*` header form (D23).
    """
    new_id = backend.create_user(caller, NewUser.parse(body))
    answer = created_as_asked(request, new_id, lambda i: Entity(
        "userProfile", user_tree(readers.get_user(caller, i), v2=False)))
    return delivering(answer, request, caller)


@router.post("/user/{user_id}")
def update_user_profile(request: Request, user_id: str, caller: UsersWrite, body: Body,
                        backend: Backend) -> Response:
    """Update a user's profile.

    Vendor doc: "Updating User Profile" (§5.2); partial `fields`; 200 empty (D3). Not emulated:
    the `X-*` header form (D23).
    """
    backend.update_user(caller, user_id, UpdateUser.parse(without_path_id(body, "userId", user_id)))
    return empty(request)


@router.delete("/user/{user_id}")
def remove_user(request: Request, user_id: str, caller: UsersWrite,
                backend: Backend) -> Response:
    """Delete a user.

    Vendor doc: "Deleting a User" (§5.2); 204; the user's enrollments and memberships go too.
    """
    backend.delete_user(caller, user_id)
    return empty(request, 204)


@router.post("/user/{user_id}/password")
def update_user_password(request: Request, user_id: str, caller: UsersWrite, body: Body,
                         backend: Backend) -> Response:
    """Change a user's password.

    Vendor doc: "Changing User Password" (§5.2). Not emulated: the account's password
    complexity rules (only an empty password is refused) and the `X-Password` header.
    """
    backend.set_password(caller, user_id, UserPassword.parse(body))
    return empty(request)


@router.post("/user/{user_id}/status")
def change_user_status(request: Request, user_id: str, caller: UsersWrite, body: Body,
                       backend: Backend) -> Response:
    """Activate, block or end the employment of a user (status 1, 3 or 5).

    Vendor doc: "Activating and Blocking a User" (§5.2). Not emulated: the `X-Status` header.
    """
    backend.set_status(caller, user_id, UserStatusIn.parse(body))
    return empty(request)


@router.post("/user/{user_id}/subordination")
def change_user_subordination(request: Request, user_id: str, caller: UsersWrite, body: Body,
                              backend: Backend) -> Response:
    """Change a user's subordination and co-subordination.

    Vendor doc: §5.2 (OAS ChangeUserSubordination); 204.
    """
    backend.set_user_subordination(caller, user_id, Subordinations.parse(body))
    return empty(request, 204)


@router.post("/user/{user_id}/scheduled_deactivation")
def schedule_user_deactivation(request: Request, user_id: str, caller: UsersWrite, body: Body,
                               backend: Backend) -> Response:
    """Schedule a user's deactivation.

    Vendor doc: §5.2; the user becomes inactive on that date by the emulator clock.
    """
    backend.schedule(caller, user_id, "deactivation", ScheduledDate.parse(body).date)
    return empty(request)


@router.delete("/user/{user_id}/scheduled_deactivation")
def remove_scheduled_user_deactivation(request: Request, user_id: str, caller: UsersWrite,
                                       backend: Backend) -> Response:
    """Cancel a user's scheduled deactivation.

    Vendor doc: §5.2.
    """
    backend.schedule(caller, user_id, "deactivation", None)
    return empty(request)


@router.post("/user/{user_id}/scheduled_termination")
def schedule_user_termination(request: Request, user_id: str, caller: UsersWrite, body: Body,
                              backend: Backend) -> Response:
    """Schedule the end of a user's employment.

    Vendor doc: §5.2; status 5 from that date by the emulator clock.
    """
    backend.schedule(caller, user_id, "termination", ScheduledDate.parse(body).date)
    return empty(request)


@router.delete("/user/{user_id}/scheduled_termination")
def remove_scheduled_user_termination(request: Request, user_id: str, caller: UsersWrite,
                                      backend: Backend) -> Response:
    """Cancel a user's scheduled termination.

    Vendor doc: §5.2.
    """
    backend.schedule(caller, user_id, "termination", None)
    return empty(request)


@router.post("/user/{user_id}/groups/remove")
def remove_user_from_groups(request: Request, user_id: str, caller: UsersWrite, body: Body,
                            backend: Backend) -> Response:
    """Remove a user from groups.

    Vendor doc: §5.2. Not emulated: the `X-Group-Ids` header (D23).
    """
    backend.remove_user_groups(caller, user_id, GroupIds.parse(body))
    return empty(request)
