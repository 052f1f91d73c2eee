"""iSpring users as the directory shows them: lists and pages, one profile, profile fields, roles.

D9: both generations of role names are accepted on input (`auth.ROLE_ALIASES`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BeforeValidator, Field
from sqlalchemy import func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from emulator.ispring.auth import (
    Principal,
    Right,
    UsersRead,
    authenticate,
    operations,
)
from emulator.ispring.base import BackendBase, effective_status, page_size
from emulator.ispring.errors import BadRequest
from emulator.ispring.fields import OptInt, StrList, Text, _date, _optional
from emulator.ispring.models import (
    IspringGroupMember,
    IspringProfileField,
    IspringRole,
    IspringUser,
)
from emulator.ispring.profile_fields import AccountFields
from emulator.ispring.schemas import (
    Page,
    PageParams,
    RequestModel,
    UserIds,
    _pre_items,
    ids,
    iso_offset,
    page_tree,
    subordination_tree,
)
from emulator.ispring.smart_groups import _SmartGroups
from emulator.ispring.wire import (
    Body,
    Entity,
    Items,
    OptionalBody,
    Query,
    QueryArgs,
    Tree,
    ok,
)


class UserFilter(PageParams):
    departments: StrList = Field(default_factory=list)
    groups: StrList = Field(default_factory=list)
    logins: StrList = Field(default_factory=list)
    emails: StrList = Field(default_factory=list)
    user_ids: StrList = Field(default_factory=list, alias="userIds")


class ProfileFieldFilter(RequestModel):
    name: Text
    values: StrList


class ProfileFieldRange(RequestModel):
    name: Text
    from_: Annotated[date | None, BeforeValidator(_optional(_date))] = Field(
        default=None, alias="from")
    to: Annotated[date | None, BeforeValidator(_optional(_date))] = None


class PagedUsersRequest(RequestModel):
    """`POST /user/list`: filters plus a 1-based page number (clients add page and pageSize)."""

    departments: StrList = Field(default_factory=list)
    groups: StrList = Field(default_factory=list)
    logins: StrList = Field(default_factory=list)
    emails: StrList = Field(default_factory=list)
    profile_fields: Annotated[list[ProfileFieldFilter], BeforeValidator(_pre_items)] = Field(
        default_factory=list, alias="profileFields")
    profile_fields_date_range: Annotated[list[ProfileFieldRange], BeforeValidator(_pre_items)] = (
        Field(default_factory=list, alias="profileFieldsDateRange"))
    page: OptInt = None
    page_size: OptInt = Field(default=None, alias="pageSize")


@dataclass(frozen=True)
class UserRoleView:
    role_id: str
    role_type: str
    manageable_department_ids: list[str]


@dataclass(frozen=True)
class UserView:
    user_id: str
    role: UserRoleView
    roles: list[UserRoleView]
    department_id: str
    status: int
    fields: list[tuple[str, str]]
    added_at: datetime
    last_login_at: datetime | None
    groups: list[str]
    subordination: dict[str, Any]
    co_subordination: dict[str, Any]
    work_leave: dict[str, Any] | None


def user_tree(user: UserView, *, v2: bool) -> Tree:
    # GET /user (v1) reports "employment ended" (5) as inactive (3); V2 keeps it apart (§5.2).
    status = user.status if v2 or user.status != 5 else 3
    return {
        "userId": user.user_id,
        "role": user.role.role_type,
        "roleId": user.role.role_id,
        "departmentId": user.department_id,
        "status": status,
        "fields": Items("field", [{"name": n, "value": v} for n, v in user.fields]),
        "addedDate": iso_offset(user.added_at),
        "lastLoginDate": None if user.last_login_at is None else iso_offset(user.last_login_at),
        "manageableDepartmentIds": ids(user.role.manageable_department_ids),
        "userRoles": Items("userRole", [
            {"roleId": r.role_id,
             "manageableDepartmentIds": ids(r.manageable_department_ids)
             if r.manageable_department_ids else None,
             "roleType": r.role_type}
            for r in user.roles]),
        "groups": ids(user.groups),
        "subordination": subordination_tree(user.subordination),
        "coSubordination": subordination_tree(user.co_subordination),
        "workLeaveStatus": user.work_leave,
    }


def user_item(v2: bool) -> str:
    """D5: V2 user endpoints name their XML items `userProfileV2`."""
    return "userProfileV2" if v2 else "userProfile"


def profile_field_tree(field: IspringProfileField) -> Tree:
    return {
        "userFieldInfoId": field.field_id,
        "name": field.name,
        "label": field.label,
        "type": field.type,
        "isUnique": int(field.is_unique),
        "isRequired": int(field.is_required),
        "orderPriority": field.order_priority,
        "values": Items("field", [{"name": v["name"], "value": v["value"]}
                                  for v in field.values]),
    }


def role_tree(role: IspringRole) -> Tree:
    return {"roleId": role.role_id, "type": role.type, "title": role.title,
            "description": role.description}


def _profile_matcher(body: PagedUsersRequest, fields: AccountFields,
                     ) -> Callable[[IspringUser], bool]:
    """`profileFields` (a value among `values`) and `profileFieldsDateRange` (a YYYY-MM-DD value
    within the bounds); each names a field as a write does, and an unknown one is a 400."""
    equal = [(fields.named(f.name).field_id, f.values) for f in body.profile_fields]
    ranges = [(fields.named(r.name).field_id, r.from_, r.to)
              for r in body.profile_fields_date_range]

    def matches(user: IspringUser) -> bool:
        if any(user.fields.get(field, "") not in values for field, values in equal):
            return False
        for field, low, high in ranges:
            try:
                when = date.fromisoformat(user.fields.get(field, "")[:10])
            except ValueError:
                return False
            if (low and when < low) or (high and when > high):
                return False
        return True
    return matches


class UsersOps(BackendBase):
    """Reading users: lists, pages, one profile, profile fields and roles."""

    def _user_views(self, session: Session, tenant_id: str, users: Sequence[IspringUser],
                    today: date) -> list[UserView]:
        if not users:
            return []
        roles = self._roles(session, tenant_id)
        fields = AccountFields.load(session, tenant_id)
        memberships: dict[str, list[str]] = {}
        for m in session.exec(select(IspringGroupMember).where(
                IspringGroupMember.tenant_id == tenant_id,
                col(IspringGroupMember.user_id).in_([u.user_id for u in users]))).all():
            memberships.setdefault(m.user_id, []).append(m.group_id)
        smart = _SmartGroups(session, tenant_id, among=users)
        for group in smart.groups():
            for member in smart.members(group):
                memberships.setdefault(member, []).append(group.group_id)

        def role_view(assignment: dict[str, Any]) -> UserRoleView:
            role = roles.get(assignment["roleId"])
            return UserRoleView(assignment["roleId"], role.type if role else "learner",
                                  list(assignment.get("manageableDepartmentIds", [])))

        views = []
        for u in users:
            views.append(UserView(
                user_id=u.user_id, role=role_view(self._primary_assignment(u.roles, roles)),
                roles=[role_view(a) for a in u.roles], department_id=u.department_id,
                status=effective_status(u, today), fields=fields.listed(u.fields),
                added_at=u.added_at,
                last_login_at=u.last_login_at, groups=sorted(memberships.get(u.user_id, [])),
                subordination=u.subordination, co_subordination=u.co_subordination,
                work_leave=u.work_leave))
        return views

    def _user_query(self, session: Session, p: Principal,
                    flt: UserFilter | PagedUsersRequest) -> SelectOfScalar[IspringUser]:
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
        if isinstance(flt, UserFilter) and flt.user_ids:
            stmt = stmt.where(col(IspringUser.user_id).in_([i.lower() for i in flt.user_ids]))
        return stmt

    def list_users(self, p: Principal, flt: UserFilter) -> list[UserView]:
        p.require(Right.USERS_READ)
        with self._unit(p.tenant_id) as (session, now):
            rows = session.exec(self._user_query(session, p, flt).order_by(
                col(IspringUser.user_id))).all()
            return self._user_views(session, p.tenant_id, rows, now.date())

    def page_users(self, p: Principal, flt: UserFilter) -> Page[UserView]:
        p.require(Right.USERS_READ)
        with self._unit(p.tenant_id) as (session, now):
            page = self._keyset(session, self._user_query(session, p, flt), IspringUser.user_id,
                                lambda u: u.user_id, flt.page_size, flt.page_token)
            return Page(self._user_views(session, p.tenant_id, page.items, now.date()),
                          page.next_token)

    def users_by_page_number(self, p: Principal, body: PagedUsersRequest,
                             ) -> tuple[int, int, list[UserView]]:
        """`POST /user/list`: (page number, total, users of that page); past the end is empty."""
        p.require(Right.USERS_READ)
        number = body.page if body.page is not None else 1
        if number < 1:
            raise BadRequest("Wrong parameters: page must be a positive integer")
        size = page_size(body.page_size)
        with self._unit(p.tenant_id) as (session, now):
            matches = _profile_matcher(body, AccountFields.load(session, p.tenant_id))
            rows = [u for u in session.exec(self._user_query(session, p, body).order_by(
                col(IspringUser.user_id))).all() if matches(u)]
            chunk = rows[(number - 1) * size: number * size]
            return number, len(rows), self._user_views(session, p.tenant_id, chunk, now.date())

    def get_user(self, p: Principal, user_id: str) -> UserView:
        p.require(Right.USERS_READ)
        with self._unit(p.tenant_id) as (session, now):
            user = self._user(session, p, user_id)
            return self._user_views(session, p.tenant_id, [user], now.date())[0]

    def find_existing(self, p: Principal, body: UserIds) -> list[str]:
        p.require(Right.USERS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            found = self._users_by_id(session, p.tenant_id, body.user_ids)
            return [i for i in body.user_ids if i in found and p.covers(found[i].department_id)]

    def profile_fields(self, p: Principal) -> list[IspringProfileField]:
        p.require(Right.USERS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return AccountFields.load(session, p.tenant_id).ordered

    def roles(self, p: Principal) -> list[IspringRole]:
        p.require(Right.USERS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return sorted(self._roles(session, p.tenant_id).values(), key=lambda r: r.role_id)


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[UsersOps, operations(UsersOps)]


def user_filter(q: QueryArgs) -> UserFilter:
    return UserFilter.parse({
        "pageSize": q.integer("pageSize"), "pageToken": q.text("pageToken"),
        "departments": q.strings("departments"), "groups": q.strings("groups"),
        "logins": q.strings("logins"), "emails": q.strings("emails"),
        "userIds": q.strings("userIds")})


def user_list(request: Request, users: list[UserView], *, v2: bool) -> Response:
    return ok(request, Items(user_item(v2), [user_tree(u, v2=v2) for u in users]))


def user_page(request: Request, page: Page[UserView], *, v2: bool) -> Response:
    return ok(request, page_tree("userProfiles", user_item(v2),
                                   [user_tree(u, v2=v2) for u in page.items], page.next_token))


@router.get("/user")
def get_users(request: Request, caller: UsersRead, q: Query, backend: Backend) -> Response:
    """Get the users of the account (un-paged).

    Vendor doc: "Getting a List of Users" (§5.2); filters departments[], groups[], logins[],
    emails[]; status 5 reported as 3. Not emulated: the advice to page above 1000 users.
    """
    return user_list(request, backend.list_users(caller, user_filter(q)), v2=False)


@router.get("/user/v2")
def get_users_v2(request: Request, caller: UsersRead, q: Query, backend: Backend) -> Response:
    """Get the users of the account, V2 (un-paged).

    Vendor doc: §5.2; items `userProfileV2` (D5), status 5 kept apart.
    """
    return user_list(request, backend.list_users(caller, user_filter(q)), v2=True)


@router.get("/users")
def list_users(request: Request, caller: UsersRead, q: Query, backend: Backend) -> Response:
    """List users (paged).

    Vendor doc: §5.2 and §4.7 (pageSize default 1000, nextPageToken). Not emulated: the
    workLeaveStatus filter.
    """
    return user_page(request, backend.page_users(caller, user_filter(q)), v2=False)


@router.get("/users/v2")
def list_users_v2(request: Request, caller: UsersRead, q: Query, backend: Backend) -> Response:
    """List users, V2 (paged, userIds[] filter).

    Vendor doc: §5.2, UsersPageV2; items `userProfileV2` (D5).
    """
    return user_page(request, backend.page_users(caller, user_filter(q)), v2=True)


@router.post("/users/v2")
def list_users_v2_by_post(request: Request, caller: UsersRead, body: OptionalBody, q: Query,
                          backend: Backend) -> Response:
    """List users, V2, with the filters in the body.

    Vendor doc: §5.2; pageSize/pageToken may come in the body or the query (inferred).
    """
    merged: Tree = {"pageSize": q.integer("pageSize"), "pageToken": q.text("pageToken"), **body}
    return user_page(request, backend.page_users(caller, UserFilter.parse(merged)), v2=True)


@router.post("/user/list")
def get_paged_users_list(request: Request, caller: UsersRead, body: OptionalBody,
                         backend: Backend) -> Response:
    """Get a page of users by page number.

    Vendor doc: §5.2 `POST /user/list`; `{pageNumber, totalUsersNumber, userProfiles}`; a page
    past the end is empty (inferred).
    """
    number, total, users = backend.users_by_page_number(caller, PagedUsersRequest.parse(body))
    return ok(request, {"pageNumber": number, "totalUsersNumber": total,
                        "userProfiles": Items("userProfile",
                                              [user_tree(u, v2=False) for u in users])})


@router.post("/users/find_existing")
def find_existing_users(request: Request, caller: UsersRead, body: Body,
                        backend: Backend) -> Response:
    """Find which of the given user IDs exist.

    Vendor doc: §5.2; XML `<response><id>…</id>…</response>`, JSON array. Not emulated: the
    `X-User-Ids` header form (D23).
    """
    return ok(request, Items("id", backend.find_existing(caller, UserIds.parse(body))))


@router.get("/user/profile/fields")
def get_user_profile_fields(request: Request, caller: UsersRead, backend: Backend) -> Response:
    """Get the user profile fields.

    Vendor doc: "Getting User Profile Fields" (§5.2), items `userFieldInfo`.
    """
    return ok(request, Items("userFieldInfo",
                             [profile_field_tree(f) for f in backend.profile_fields(caller)]))


@router.get("/role")
def get_roles(request: Request, caller: UsersRead, backend: Backend) -> Response:
    """Get the roles of the account.

    Vendor doc: §5.2 `GET /role`; items `role` `{roleId, type, title, description}`.
    """
    return ok(request, Items("role", [role_tree(r) for r in backend.roles(caller)]))


@router.get("/user/{user_id}")
def get_user_profile(request: Request, user_id: str, caller: UsersRead,
                     backend: Backend) -> Response:
    """Get a user's profile.

    Vendor doc: "Getting User Info" (§5.2); unknown ID → 404 "Unknown user" (D11).
    """
    user = backend.get_user(caller, user_id)
    return ok(request, Entity("userProfile", user_tree(user, v2=False)))


@router.get("/user/{user_id}/v2")
def get_user_profile_v2(request: Request, user_id: str, caller: UsersRead,
                        backend: Backend) -> Response:
    """Get a user's profile, V2.

    Vendor doc: §5.2; XML `<userProfileV2>` (D5), JSON bare (D1).
    """
    user = backend.get_user(caller, user_id)
    return ok(request, Entity("userProfileV2", user_tree(user, v2=True)))
