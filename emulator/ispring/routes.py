"""iSpring routes: thin handlers that parse, call the backend and return the vendor body.

Every handler is named after the vendor OpenAPI operationId in snake_case. The same routes answer
at the vendor root, under `/api/v2` and under `/index.php/api/v2` (§2), the token endpoint also
under `/index.php`, and a trailing slash is accepted (§6): `vendor_path` maps all of these onto
one set of routes before routing. Authentication is a router-level
dependency; each handler declares the right it needs, so a 403 comes before any body parsing
(D18).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.routing import APIRoute
from starlette.background import BackgroundTask
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.core.errors import install_error_handlers
from emulator.core.vendor import Context, set_request_tenant
from emulator.ispring import errors
from emulator.ispring import schemas as s
from emulator.ispring.auth import Backend, allow, authenticate
from emulator.ispring.backend import IspringBackend, Principal, Right
from emulator.ispring.errors import BadRequest
from emulator.ispring.wire import (
    Body,
    Entity,
    Items,
    PerFormat,
    Query,
    QueryArgs,
    Reply,
    Tree,
    encode,
)

if TYPE_CHECKING:
    from emulator.ispring import IspringVendor


UsersRead = Annotated[Principal, Depends(allow(Right.USERS_READ))]
UsersWrite = Annotated[Principal, Depends(allow(Right.USERS_WRITE))]
DepartmentsRead = Annotated[Principal, Depends(allow(Right.DEPARTMENTS_READ))]
DepartmentsWrite = Annotated[Principal, Depends(allow(Right.DEPARTMENTS_WRITE))]
GroupsRead = Annotated[Principal, Depends(allow(Right.GROUPS_READ))]
GroupsWrite = Annotated[Principal, Depends(allow(Right.GROUPS_WRITE))]
ContentRead = Annotated[Principal, Depends(allow(Right.CONTENT_READ))]
ContentWrite = Annotated[Principal, Depends(allow(Right.CONTENT_WRITE))]
EnrollmentsRead = Annotated[Principal, Depends(allow(Right.ENROLLMENTS_READ))]
EnrollmentsWrite = Annotated[Principal, Depends(allow(Right.ENROLLMENTS_WRITE))]
ResultsRead = Annotated[Principal, Depends(allow(Right.RESULTS_READ))]
StatisticsWrite = Annotated[Principal, Depends(allow(Right.STATISTICS_WRITE))]
PointsRead = Annotated[Principal, Depends(allow(Right.GAMIFICATION_READ))]
PointsWrite = Annotated[Principal, Depends(allow(Right.GAMIFICATION_WRITE))]
Webhooks = Annotated[Principal, Depends(allow(Right.WEBHOOKS))]

token_router = APIRouter()
router = APIRouter(dependencies=[Depends(authenticate)])


# -- reply helpers -------------------------------------------------------------------------------

def ok(request: Request, content: object) -> Response:
    return encode(request, Reply(content))


def created(request: Request, new_id: str) -> Response:
    """201 with the new ID as the root's text on one line (XML) or a JSON string (§4.2)."""
    return encode(request, Reply(new_id, status=201))


def empty(request: Request, status: int = 200) -> Response:
    return encode(request, Reply(empty=True, status=status))


def delivering(response: Response, backend: IspringBackend, caller: Principal) -> Response:
    """Webhook events the operation queued go out once the response has been sent."""
    response.background = BackgroundTask(backend.deliver_webhooks, caller.tenant_id)
    return response


def page_params(q: QueryArgs) -> s.PageParams:
    return s.PageParams.parse({"pageSize": q.integer("pageSize"), "pageToken": q.text("pageToken")})


def user_filter(q: QueryArgs) -> s.UserFilter:
    return s.UserFilter.parse({
        "pageSize": q.integer("pageSize"), "pageToken": q.text("pageToken"),
        "departments": q.strings("departments"), "groups": q.strings("groups"),
        "logins": q.strings("logins"), "emails": q.strings("emails"),
        "userIds": q.strings("userIds")})


def enrollment_filter(q: QueryArgs) -> s.EnrollmentFilter:
    return s.EnrollmentFilter.parse({
        "pageSize": q.integer("pageSize"), "pageToken": q.text("pageToken"),
        "courseIds": q.strings("courseIds"), "learnerIds": q.strings("learnerIds"),
        "enrollmentIds": q.strings("enrollmentIds")})


def result_query(q: QueryArgs) -> s.ResultQuery:
    statuses = q.strings("completionStatuses")
    unknown = [st for st in statuses if st not in s.COMPLETION_STATUSES]
    if unknown:
        raise BadRequest(f"Wrong parameters: completionStatuses has an unknown status {unknown[0]}")
    user_statuses: list[int] = []
    for raw in q.strings("userStatuses"):
        if raw not in ("1", "3", "5"):
            raise BadRequest("Wrong parameters: userStatuses must be 1, 3 or 5")
        user_statuses.append(int(raw))
    return s.ResultQuery(
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


def user_list(request: Request, users: list[s.UserView], *, v2: bool) -> Response:
    return ok(request, Items(s.user_item(v2), [s.user_tree(u, v2=v2) for u in users]))


def user_page(request: Request, page: s.Page[s.UserView], *, v2: bool) -> Response:
    return ok(request, s.page_tree("userProfiles", s.user_item(v2),
                                   [s.user_tree(u, v2=v2) for u in page.items], page.next_token))


def host_of(caller: Principal) -> str:
    return caller.tenant_id  # the tenant id is the account's host name


# -- token ---------------------------------------------------------------------------------------

@token_router.post("/api/v3/token")
def access_request(request: Request, body: Body, backend: Backend) -> Response:
    """Get an access token (client credentials).

    Vendor doc: "Access Token" (§3.2). 200 `{access_token, expires_in: 1800, token_type}`;
    JSON unless Accept asks for XML only (D15). Not emulated: refresh tokens (the vendor has none).
    """
    tenant, access_token, lifetime = backend.issue_token(s.TokenRequest.parse(body))
    set_request_tenant(request, tenant)
    return ok(request, {"access_token": access_token, "expires_in": lifetime,
                        "token_type": "bearer"})


# -- users ---------------------------------------------------------------------------------------

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
def list_users_v2_by_post(request: Request, caller: UsersRead, body: Body, q: Query,
                          backend: Backend) -> Response:
    """List users, V2, with the filters in the body.

    Vendor doc: §5.2; pageSize/pageToken may come in the body or the query (inferred).
    """
    merged: Tree = {"pageSize": q.integer("pageSize"), "pageToken": q.text("pageToken"), **body}
    return user_page(request, backend.page_users(caller, s.UserFilter.parse(merged)), v2=True)


@router.post("/user/list")
def get_paged_users_list(request: Request, caller: UsersRead, body: Body,
                         backend: Backend) -> Response:
    """Get a page of users by page number.

    Vendor doc: §5.2 `POST /user/list`; `{pageNumber, totalUsersNumber, userProfiles}`; a page
    past the end is empty (inferred).
    """
    number, total, users = backend.users_by_page_number(caller, s.PagedUsersRequest.parse(body))
    return ok(request, {"pageNumber": number, "totalUsersNumber": total,
                        "userProfiles": Items("userProfile",
                                              [s.user_tree(u, v2=False) for u in users])})


@router.post("/users/find_existing")
def find_existing_users(request: Request, caller: UsersRead, body: Body,
                        backend: Backend) -> Response:
    """Find which of the given user IDs exist.

    Vendor doc: §5.2; XML `<response><id>…</id>…</response>`, JSON array. Not emulated: the
    `X-User-Ids` header form (D23).
    """
    return ok(request, Items("id", backend.find_existing(caller, s.UserIds.parse(body))))


@router.get("/user/profile/fields")
def get_user_profile_fields(request: Request, caller: UsersRead, backend: Backend) -> Response:
    """Get the user profile fields.

    Vendor doc: "Getting User Profile Fields" (§5.2), items `userFieldInfo`.
    """
    return ok(request, Items("userFieldInfo",
                             [s.profile_field_tree(f) for f in backend.profile_fields(caller)]))


@router.get("/role")
def get_roles(request: Request, caller: UsersRead, backend: Backend) -> Response:
    """Get the roles of the account.

    Vendor doc: §5.2 `GET /role`; items `role` `{roleId, type, title, description}`.
    """
    return ok(request, Items("role", [s.role_tree(r) for r in backend.roles(caller)]))


@router.post("/users/activate")
def activate_users(request: Request, caller: UsersWrite, body: Body,
                   backend: Backend) -> Response:
    """Activate users.

    Vendor doc: §5.2; unknown IDs → 400 (D14). Not emulated: the `X-User-Ids` header (D23).
    """
    backend.set_statuses(caller, s.UserIds.parse(body), 1)
    return empty(request)


@router.post("/users/deactivate")
def deactivate_users(request: Request, caller: UsersWrite, body: Body,
                     backend: Backend) -> Response:
    """Deactivate users.

    Vendor doc: §5.2; unknown IDs → 400 (D14). Not emulated: the `X-User-Ids` header (D23).
    """
    backend.set_statuses(caller, s.UserIds.parse(body), 3)
    return empty(request)


@router.post("/users/terminate")
def terminate_users(request: Request, caller: UsersWrite, body: Body,
                    backend: Backend) -> Response:
    """End the employment of users.

    Vendor doc: §5.2; status 5. Not emulated: the `X-User-Ids` header (D23).
    """
    backend.set_statuses(caller, s.UserIds.parse(body), 5)
    return empty(request)


@router.post("/users/work-leave-status")
def update_work_leave_statuses(request: Request, caller: UsersWrite, body: Body,
                               backend: Backend) -> Response:
    """Set users' work leave statuses.

    Vendor doc: §5.2; shown as `workLeaveStatus` on the user.
    """
    backend.set_work_leave(caller, s.WorkLeaveStatuses.parse(body))
    return empty(request)


@router.post("/users/work-leave-status/delete")
def remove_work_leave_statuses(request: Request, caller: UsersWrite, body: Body,
                               backend: Backend) -> Response:
    """Remove users' work leave statuses.

    Vendor doc: §5.2. Not emulated: the `X-User-Ids` header (D23).
    """
    backend.clear_work_leave(caller, s.UserIds.parse(body))
    return empty(request)


@router.post("/user")
def add_user(request: Request, caller: UsersWrite, body: Body, backend: Backend) -> Response:
    """Add a user.

    Vendor doc: "Adding a User" (§5.2); 201 with the new ID; duplicate login or e-mail → 400
    (D12). Not emulated: sending the invitation e-mail/SMS, the `X-*` header form (D23) and
    `X-Return-Object`.
    """
    new_id = backend.create_user(caller, s.NewUser.parse(body))
    return delivering(created(request, new_id), backend, caller)


@router.get("/user/{user_id}")
def get_user_profile(request: Request, user_id: str, caller: UsersRead,
                     backend: Backend) -> Response:
    """Get a user's profile.

    Vendor doc: "Getting User Info" (§5.2); unknown ID → 404 "Unknown user" (D11).
    """
    user = backend.get_user(caller, user_id)
    return ok(request, Entity("userProfile", s.user_tree(user, v2=False)))


@router.get("/user/{user_id}/v2")
def get_user_profile_v2(request: Request, user_id: str, caller: UsersRead,
                        backend: Backend) -> Response:
    """Get a user's profile, V2.

    Vendor doc: §5.2; XML `<userProfileV2>` (D5), JSON bare (D1).
    """
    user = backend.get_user(caller, user_id)
    return ok(request, Entity("userProfileV2", s.user_tree(user, v2=True)))


@router.post("/user/{user_id}")
def update_user_profile(request: Request, user_id: str, caller: UsersWrite, body: Body,
                        backend: Backend) -> Response:
    """Update a user's profile.

    Vendor doc: "Updating User Profile" (§5.2); partial `fields`; 200 empty (D3). Not emulated:
    the `X-*` header form (D23).
    """
    backend.update_user(caller, user_id, s.UpdateUser.parse(body))
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
    backend.set_password(caller, user_id, s.UserPassword.parse(body))
    return empty(request)


@router.post("/user/{user_id}/status")
def change_user_status(request: Request, user_id: str, caller: UsersWrite, body: Body,
                       backend: Backend) -> Response:
    """Activate, block or end the employment of a user (status 1, 3 or 5).

    Vendor doc: "Activating and Blocking a User" (§5.2). Not emulated: the `X-Status` header.
    """
    backend.set_status(caller, user_id, s.UserStatusIn.parse(body))
    return empty(request)


@router.post("/user/{user_id}/subordination")
def change_user_subordination(request: Request, user_id: str, caller: UsersWrite, body: Body,
                              backend: Backend) -> Response:
    """Change a user's subordination and co-subordination.

    Vendor doc: §5.2 (OAS ChangeUserSubordination); 204.
    """
    backend.set_user_subordination(caller, user_id, s.Subordinations.parse(body))
    return empty(request, 204)


@router.post("/user/{user_id}/scheduled_deactivation")
def schedule_user_deactivation(request: Request, user_id: str, caller: UsersWrite, body: Body,
                               backend: Backend) -> Response:
    """Schedule a user's deactivation.

    Vendor doc: §5.2; the user becomes inactive on that date by the emulator clock.
    """
    backend.schedule(caller, user_id, "deactivation", s.ScheduledDate.parse(body).date)
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
    backend.schedule(caller, user_id, "termination", s.ScheduledDate.parse(body).date)
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
    backend.remove_user_groups(caller, user_id, s.GroupIds.parse(body))
    return empty(request)


# -- departments ---------------------------------------------------------------------------------

@router.get("/department")
def get_departments(request: Request, caller: DepartmentsRead, q: Query,
                    backend: Backend) -> Response:
    """Get the departments (un-paged).

    Vendor doc: "Getting a List of Departments" (§5.3); `code` filter; scoped roles see their
    departments and those below.
    """
    rows = backend.list_departments(caller, q.text("code"))
    return ok(request, Items("department", [s.department_tree(d) for d in rows]))


@router.get("/departments")
def list_departments(request: Request, caller: DepartmentsRead, q: Query,
                     backend: Backend) -> Response:
    """List departments (paged).

    Vendor doc: §5.3, DepartmentsPage.
    """
    page = backend.page_departments(caller, page_params(q))
    return ok(request, s.page_tree("departments", "department",
                                   [s.department_tree(d) for d in page.items], page.next_token))


@router.post("/department")
def add_department(request: Request, caller: DepartmentsWrite, body: Body,
                   backend: Backend) -> Response:
    """Add a department.

    Vendor doc: "Adding a Department" (§5.3); 201 with the new ID. Not emulated: the `X-Name`,
    `X-Parent-Department-Id`, `X-Code` headers (D23) and `X-Return-Object`.
    """
    return created(request, backend.create_department(caller, s.NewDepartment.parse(body)))


@router.get("/department/{department_id}")
def get_department(request: Request, department_id: str, caller: DepartmentsRead,
                   backend: Backend) -> Response:
    """Get a department.

    Vendor doc: "Getting Department Info" (§5.3); unknown → 404 "Unknown department" (D11).
    """
    dept = backend.get_department(caller, department_id)
    return ok(request, Entity("department", s.department_tree(dept)))


@router.post("/department/{department_id}")
def update_department(request: Request, department_id: str, caller: DepartmentsWrite,
                      body: Body, backend: Backend) -> Response:
    """Update a department.

    Vendor doc: §5.3; 204; moving under itself or a sub-department → 400.
    """
    backend.update_department(caller, department_id, s.UpdateDepartment.parse(body))
    return empty(request, 204)


@router.delete("/department/{department_id}")
def remove_department(request: Request, department_id: str, caller: DepartmentsWrite,
                      backend: Backend) -> Response:
    """Delete a department.

    Vendor doc: §5.3; 204. A department with users or sub-departments, or the root → 400
    (inferred).
    """
    backend.delete_department(caller, department_id)
    return empty(request, 204)


@router.post("/department/{department_id}/subordination")
def change_department_subordination(request: Request, department_id: str,
                                    caller: DepartmentsWrite, body: Body,
                                    backend: Backend) -> Response:
    """Change a department's subordination and co-subordination.

    Vendor doc: §5.3; 204.
    """
    backend.set_department_subordination(caller, department_id, s.Subordinations.parse(body))
    return empty(request, 204)


@router.post("/department/{department_id}/user/move")
def move_users_to_department(request: Request, department_id: str, caller: UsersWrite,
                             body: Body, backend: Backend) -> Response:
    """Move users to a department.

    Vendor doc: §5.3; 204; unknown department → 404.
    """
    backend.move_users(caller, department_id, s.UserIds.parse(body))
    return empty(request, 204)


@router.post("/department/{department_id}/department/move")
def move_departments(request: Request, department_id: str, caller: DepartmentsWrite,
                     body: Body, backend: Backend) -> Response:
    """Move departments under another department.

    Vendor doc: §5.3; 204; unknown parent → 404; the OAS spelling `departmnetIds` is accepted.
    """
    backend.move_departments(caller, department_id, s.MoveDepartments.parse(body))
    return empty(request, 204)


# -- groups --------------------------------------------------------------------------------------

@router.get("/group")
def get_groups(request: Request, caller: GroupsRead, backend: Backend) -> Response:
    """Get the groups (un-paged).

    Vendor doc: "Getting a List of Groups" (§5.4).
    """
    groups = backend.list_groups(caller)
    return ok(request, Items("group", [s.group_tree(g, detailed=False) for g in groups]))


@router.get("/groups")
def list_groups(request: Request, caller: GroupsRead, q: Query, backend: Backend) -> Response:
    """List groups (paged).

    Vendor doc: §5.4, GroupsPage.
    """
    page = backend.page_groups(caller, page_params(q))
    return ok(request, s.page_tree("groups", "group",
                                   [s.group_tree(g, detailed=False) for g in page.items],
                                   page.next_token))


@router.post("/group")
def add_group(request: Request, caller: GroupsWrite, body: Body, backend: Backend) -> Response:
    """Add a group.

    Vendor doc: "Adding a Group" (§5.4); 201 with the new ID. Not emulated: `X-Return-Object`.
    """
    return created(request, backend.create_group(caller, s.NewGroup.parse(body)))


@router.post("/group/smart")
def add_smart_group(request: Request, caller: GroupsWrite, body: Body,
                    backend: Backend) -> Response:
    """Add a smart group (members follow rules).

    Vendor doc: §5.4 NewSmartGroup; 201 with the new ID; rules on departments (only / with
    sub-departments), groups and profile fields. Not emulated: `X-Return-Object`.
    """
    return created(request, backend.create_smart_group(caller, s.NewSmartGroup.parse(body)))


@router.post("/group/smart/{group_id}")
def edit_smart_group(request: Request, group_id: str, caller: GroupsWrite, body: Body,
                     backend: Backend) -> Response:
    """Change a smart group's name and rules.

    Vendor doc: §5.4 UpdateSmartGroup; 200 empty; a plain group → 404 (inferred).
    """
    backend.update_smart_group(caller, group_id, s.UpdateSmartGroup.parse(body))
    return empty(request)


@router.get("/group/smart/{group_id}/rules")
def get_smart_group_rules(request: Request, group_id: str, caller: GroupsRead,
                          backend: Backend) -> Response:
    """Get a smart group's rules.

    Vendor doc: §5.4; JSON bare `{groupId, rules}` (D1, not the OAS `smartGroupRules` wrapper).
    """
    ident, rules = backend.smart_group_rules(caller, group_id)
    return ok(request, s.smart_rules_tree(ident, rules))


@router.get("/group/{group_id}")
def get_group(request: Request, group_id: str, caller: GroupsRead, backend: Backend) -> Response:
    """Get a group with its members.

    Vendor doc: "Getting Group Info" (§5.4), DetailedGroup; authors get no member IDs.
    """
    group = backend.get_group(caller, group_id)
    return ok(request, Entity("group", s.group_tree(group, detailed=True)))


@router.post("/group/{group_id}")
def update_group(request: Request, group_id: str, caller: GroupsWrite, body: Body,
                 backend: Backend) -> Response:
    """Rename a group.

    Vendor doc: §5.4; 200 empty.
    """
    backend.update_group(caller, group_id, s.UpdateGroup.parse(body))
    return empty(request)


@router.delete("/group/{group_id}")
def remove_group(request: Request, group_id: str, caller: GroupsWrite,
                 backend: Backend) -> Response:
    """Delete a group.

    Vendor doc: §5.4; 204.
    """
    backend.delete_group(caller, group_id)
    return empty(request, 204)


@router.post("/group/{group_id}/members")
def update_group_members(request: Request, group_id: str, caller: GroupsWrite, body: Body,
                         backend: Backend) -> Response:
    """Replace a group's members.

    Vendor doc: §5.4 "Update group members" (replaces the membership, inferred).
    """
    backend.set_group_members(caller, group_id, s.GroupMembers.parse(body))
    return empty(request)


# -- content -------------------------------------------------------------------------------------

@router.get("/content")
def get_content(request: Request, caller: ContentRead, q: Query, backend: Backend) -> Response:
    """Get the content items (un-paged).

    Vendor doc: "Getting a List of Courses" (§5.5); `contentTypes` filter. Not emulated:
    title localization by `X-Target-Locale` (accepted, ignored).
    """
    items = backend.list_content(caller, q.strings("contentTypes"))
    host = host_of(caller)
    return ok(request, Items("contentItem", [s.content_tree(c, host) for c in items]))


@router.get("/contents")
def list_content(request: Request, caller: ContentRead, q: Query, backend: Backend) -> Response:
    """List content items (paged).

    Vendor doc: §5.5, ContentItemsInformationPage; `contentItemIds[]`, `contentTypes`.
    """
    flt = s.ContentFilter.parse({"pageSize": q.integer("pageSize"),
                                 "pageToken": q.text("pageToken"),
                                 "contentItemIds": q.strings("contentItemIds"),
                                 "contentTypes": q.strings("contentTypes")})
    return _content_page(request, caller, backend, flt)


@router.post("/contents")
def list_content_by_post(request: Request, caller: ContentRead, body: Body, q: Query,
                         backend: Backend) -> Response:
    """List content items with the filters in the body.

    Vendor doc: §5.5; pageSize/pageToken in the body or the query (inferred).
    """
    merged: Tree = {"pageSize": q.integer("pageSize"), "pageToken": q.text("pageToken"), **body}
    return _content_page(request, caller, backend, s.ContentFilter.parse(merged))


def _content_page(request: Request, caller: Principal, backend: IspringBackend,
                  flt: s.ContentFilter) -> Response:
    page = backend.page_content(caller, flt)
    host = host_of(caller)
    return ok(request, s.page_tree("contentItems", "contentItem",
                                   [s.content_tree(c, host) for c in page.items],
                                   page.next_token))


@router.get("/content/{content_id}")
def get_content_item(request: Request, content_id: str, caller: ContentRead,
                     backend: Backend) -> Response:
    """Get a content item.

    Vendor doc: "Getting Course Info" (§5.5); XML `<contentItem>`, JSON bare (D1); unknown →
    404 "Unknown content item" (D11).
    """
    item = backend.get_content(caller, content_id)
    return ok(request, Entity("contentItem", s.content_tree(item, host_of(caller))))


@router.get("/content/{content_id}/final_statuses")
def get_content_item_final_statuses(request: Request, content_id: str, caller: ResultsRead,
                                    backend: Backend) -> Response:
    """Get the learners' final statuses on a content item.

    Vendor doc: §5.5; root `<statuses>` (D2), human-readable status; unknown → 404 text/plain
    "Unknown content item".
    """
    results = backend.final_statuses(caller, content_id)
    return encode(request, Reply(Items("status", [s.final_status_tree(r) for r in results]),
                                 root="statuses"))


@router.get("/courses_tree")
def get_courses_tree(request: Request, caller: ContentRead, q: Query,
                     backend: Backend) -> Response:
    """Get the tree of courses and their materials.

    Vendor doc: §5.5 CourseTreeItem; items `<contentItem>`, `parentId` absent at the top
    (inferred); `contentItemIds` picks the roots. Not emulated: shared items (isShared is false).
    """
    items = backend.courses_tree(caller, q.strings("contentItemIds"))
    host = host_of(caller)
    return ok(request, Items("contentItem", [s.course_tree_item(c, parent, host)
                                             for c, parent in items]))


@router.get("/learning_track/courses")
def list_learning_tracks_courses(request: Request, caller: ContentRead, q: Query,
                                 backend: Backend) -> Response:
    """Get the courses of learning tracks.

    Vendor doc: §5.5; `learningTrackIds` (comma list, required); items `learningTracksCourse`.
    """
    pairs = backend.learning_track_courses(caller, q.strings("learningTrackIds"))
    return ok(request, Items("learningTracksCourse", [
        {"learningTrackId": track, "courseId": course} for track, course in pairs]))


@router.get("/course_fields")
def list_course_fields(request: Request, caller: ContentRead, backend: Backend) -> Response:
    """Get the account's custom course fields.

    Vendor doc: §5.5 CourseFields; values appear on content items as `courseFields`.
    """
    fields = backend.course_fields(caller)
    return ok(request, {"courseFields": Items("courseField",
                                              [s.course_field_tree(f) for f in fields])})


@router.post("/content/create/{content_type}")
def create_content(request: Request, content_type: str, caller: ContentWrite, body: Body,
                   backend: Backend) -> Response:
    """Create an empty content item.

    Vendor doc: §5.5 CreateCourseRequest `{folder_id, title}`; 201 with the new ID. Not
    emulated: library folders (any folder ID is accepted) and content upload.
    """
    new_id = backend.create_content(caller, content_type, s.CreateContent.parse(body))
    return created(request, new_id)


@router.get("/quizzes")
def list_quizzes(request: Request, caller: ContentRead, q: Query, backend: Backend) -> Response:
    """List the quizzes of the library (paged).

    Vendor doc: §5.11 QuizzesPage; filters quizIds, contentItemIds, parentCourseIds.
    """
    flt = s.QuizFilter.parse({"pageSize": q.integer("pageSize"), "pageToken": q.text("pageToken"),
                              "quizIds": q.strings("quizIds"),
                              "contentItemIds": q.strings("contentItemIds"),
                              "parentCourseIds": q.strings("parentCourseIds")})
    page = backend.page_quizzes(caller, flt)
    return ok(request, s.page_tree("results", "result",
                                   [s.quiz_tree(quiz, parents) for quiz, parents in page.items],
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
    return ok(request, s.page_tree("assignments", "assignment",
                                   [s.assignment_tree(a) for a in page.items], page.next_token))


@router.get("/assignment/{assignment_id}/attempts/ungraded")
def list_assignment_attempts(request: Request, assignment_id: str, caller: ResultsRead,
                             q: Query, backend: Backend) -> Response:
    """List an assignment's attempts waiting for a grade.

    Vendor doc: §5.11 AssignmentAttempt (XML items `<attempt>`); `userIds[]` narrows; unknown
    assignment → 404 "Unknown content item" (inferred).
    """
    attempts = backend.ungraded_attempts(caller, assignment_id, q.strings("userIds"))
    return ok(request, Items("attempt", [s.attempt_tree(a) for a in attempts]))


@router.post("/assignments/attempts/grade")
def grade_assignments(request: Request, caller: StatisticsWrite, body: Body,
                      backend: Backend) -> Response:
    """Grade assignment attempts.

    Vendor doc: §5.11 AssignmentAttemptGrades (score 0 to 100); the grade becomes the learner's
    result on the assignment; unknown or already graded attempts → 400, nothing graded.
    """
    backend.grade_attempts(caller, s.AttemptGrades.parse(body))
    return delivering(empty(request), backend, caller)


@router.get("/certificate/{issued_certificate_id}")
def get_issued_certificate(request: Request, issued_certificate_id: str, caller: ResultsRead,
                           backend: Backend) -> Response:
    """Get the document of an issued certificate.

    Vendor doc: §5.11 IssuedCertificate `{url}`; unknown → 404 text/plain "Issued certificate
    not found". Certificates are issued when a course with one is completed successfully.
    """
    return ok(request, {"url": backend.certificate_url(caller, issued_certificate_id)})


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
    flt = s.AnswerQuery(
        quiz_id=quiz_id, parent_course_ids=q.strings("parentCourseId"),
        user_ids=q.strings("userIds"), enrollment_ids=q.strings("enrollmentIds"),
        department_ids=[d.lower() for d in q.strings("departmentIds")],
        group_ids=[g.lower() for g in q.strings("groupIds")],
        attempt=q.date_range("attemptDate"), page_size=q.integer("pageSize"),
        page_token=q.text("pageToken"))
    page = backend.answer_breakdown(caller, flt)
    return ok(request, s.page_tree("results", "result", [s.answer_tree(a) for a in page.items],
                                   page.next_token))


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
        "ids": s.ids(users),
        "activityStartDate": None if start is None else start.date().isoformat(),
        "activityEndDate": None if end is None else end.date().isoformat()}))


@router.get("/courses/modules")
def list_courses_modules(request: Request, caller: ContentRead, q: Query,
                         backend: Backend) -> Response:
    """List the modules of courses (paged).

    Vendor doc: §5.5 (deprecated by the vendor); `courseIds[]` optional (D10); the token field
    is `nextPageToken`. Not emulated: none (trainings are excluded, as documented).
    """
    page = backend.page_modules(caller, q.strings("courseIds"), page_params(q))
    host = host_of(caller)
    return ok(request, s.page_tree("modules", "module",
                                   [s.courses_module_tree(m, i, host) for m, i in page.items],
                                   page.next_token))


@router.get("/course/{course_id}/modules")
def list_course_modules(request: Request, course_id: str, caller: ContentRead,
                        backend: Backend) -> Response:
    """Get the modules of a course.

    Vendor doc: "Getting a List of Course Content and Trainings" (§5.5), CourseModule; unknown
    course → 404 ErrorResponse "Unknown content item".
    """
    modules = backend.course_modules(caller, course_id)
    host = host_of(caller)
    return ok(request, {"modules": Items("module", [s.course_module_tree(m, i, host)
                                                    for m, i in modules])})


# -- enrollments ---------------------------------------------------------------------------------

@router.get("/enrollment")
def get_enrollments(request: Request, caller: EnrollmentsRead, q: Query,
                    backend: Backend) -> Response:
    """Get enrollments (un-paged).

    Vendor doc: "Getting a List of Enrollments" (§5.6); learnerIds[], courseIds[],
    enrollmentIds[]; JSON bare array (D1).
    """
    rows = backend.list_enrollments(caller, enrollment_filter(q))
    return ok(request, Items("enrollment", [s.enrollment_tree(e) for e in rows]))


@router.get("/enrollments")
def list_enrollments(request: Request, caller: EnrollmentsRead, q: Query,
                     backend: Backend) -> Response:
    """List enrollments (paged).

    Vendor doc: §5.6, EnrollmentsPage.
    """
    return _enrollment_page(request, caller, backend, enrollment_filter(q))


@router.post("/enrollments")
def list_enrollments_by_post(request: Request, caller: EnrollmentsRead, body: Body,
                             backend: Backend) -> Response:
    """List enrollments with the filters in the body.

    Vendor doc: §5.6 ListEnrollmentsRequest (pageToken is the same string token, not the OAS's
    integer).
    """
    return _enrollment_page(request, caller, backend, s.EnrollmentFilter.parse(body))


def _enrollment_page(request: Request, caller: Principal, backend: IspringBackend,
                     flt: s.EnrollmentFilter) -> Response:
    page = backend.page_enrollments(caller, flt)
    return ok(request, s.page_tree("enrollments", "enrollment",
                                   [s.enrollment_tree(e) for e in page.items], page.next_token))


@router.post("/enrollment/delete")
def unenroll(request: Request, caller: EnrollmentsWrite, body: Body,
             backend: Backend) -> Response:
    """Delete enrollments.

    Vendor doc: "Deleting an Enrollment" (§5.6); any root element; 204; unknown IDs → 400 and
    nothing deleted (D14).
    """
    backend.delete_enrollments(caller, s.DeleteEnrollments.parse(body))
    return empty(request, 204)


@router.post("/enrollment")
def enroll_learners_in_courses(request: Request, caller: EnrollmentsWrite, body: Body,
                               backend: Backend) -> Response:
    """Enroll learners in courses.

    Vendor doc: "Adding an Enrollment" (§5.6); 201 with the IDs, one enrollment per course and
    learner, existing pairs keep theirs (D6); dueDateType defaults to `default` (D8). Not
    emulated: enrollment into trainings (the emulator has no training content).
    """
    ids = backend.create_enrollments(caller, s.NewEnrollment.parse(body))
    return delivering(encode(request, Reply(Items("id", ids), status=201)), backend, caller)


@router.get("/enrollment/{enrollment_id}")
def get_enrollment(request: Request, enrollment_id: str, caller: EnrollmentsRead,
                   backend: Backend) -> Response:
    """Get an enrollment.

    Vendor doc: "Getting Enrollment Info" (§5.6); unknown → 404 "Unknown Enrollment" (D11).
    Not emulated: certificates (no enrollment carries one).
    """
    row = backend.get_enrollment(caller, enrollment_id)
    return ok(request, Entity("enrollment", s.enrollment_tree(row)))


@router.post("/enrollment/{enrollment_id}")
def change_enrollment(request: Request, enrollment_id: str, caller: EnrollmentsWrite,
                      body: Body, backend: Backend) -> Response:
    """Edit an enrollment.

    Vendor doc: "Editing an Enrollment" (§5.6); 200 empty; department administrators only for
    learners of their departments and sub-departments (403 otherwise).
    """
    backend.update_enrollment(caller, enrollment_id, s.UpdateEnrollment.parse(body))
    return empty(request)


@router.post("/enrollment/{enrollment_id}/reenroll")
def reenroll(request: Request, enrollment_id: str, caller: EnrollmentsWrite, body: Body,
             backend: Backend) -> Response:
    """Re-enroll a learner (start the course over).

    Vendor doc: §5.6 Reenroll; progress reset, same enrollment ID (inferred).
    """
    backend.reenroll(caller, enrollment_id, s.Reenroll.parse(body))
    return empty(request)


# -- results and statistics ----------------------------------------------------------------------

@router.get("/learners/results")
def list_learner_results(request: Request, caller: ResultsRead, q: Query,
                         backend: Backend) -> Response:
    """List learners' course results (paged).

    Vendor doc: "Getting User Results" (§5.7); computed from enrollments and statistics; any
    unknown `userIds[]` → 400 (D14). Not emulated: `duration`.
    """
    page = backend.page_results(caller, result_query(q))
    return ok(request, s.page_tree("results", "result", [s.result_tree(r) for r in page.items],
                                   page.next_token))


@router.get("/learners/modules/results")
def list_learner_modules_results(request: Request, caller: ResultsRead, q: Query,
                                 backend: Backend) -> Response:
    """List learners' results on course modules (paged).

    Vendor doc: "Getting User Results on the Course Modules" (§5.7); one row per learner and
    module; any unknown `userIds[]` → 400 (D14).
    """
    page = backend.page_module_results(caller, result_query(q))
    return ok(request, s.page_tree("results", "result", [s.result_tree(r) for r in page.items],
                                   page.next_token))


@router.post("/statistics/course")
def update_course_status(request: Request, caller: StatisticsWrite, body: Body, q: Query,
                         backend: Backend) -> Response:
    """Set the course status of enrollments.

    Vendor doc: §5.8 UpdateCourseStatus (body, or the OAS query form); applied at once (D22);
    `automatic` returns to the status derived from the modules.
    """
    from_query: Tree = {k: v for k, v in q.data.items()
                        if k in ("courseId", "enrollmentIds", "status", "date", "reason",
                                 "awardedScore")}
    task = backend.update_course_status(caller, s.UpdateCourseStatus.parse({**from_query,
                                                                             **body}))
    return delivering(ok(request, {"taskId": task}), backend, caller)


@router.post("/statistics/module")
def update_module_statuses(request: Request, caller: StatisticsWrite, body: Body,
                           backend: Backend) -> Response:
    """Set module statuses of enrollments.

    Vendor doc: §5.8 UpdateModulesStatuses; applied at once (D22).
    """
    task = backend.update_module_statuses(caller, s.UpdateModuleStatuses.parse(body))
    return delivering(ok(request, {"taskId": task}), backend, caller)


@router.delete("/statistics/module")
def reset_module_statistics(request: Request, caller: StatisticsWrite, q: Query,
                            backend: Backend) -> Response:
    """Reset module statistics of enrollments.

    Vendor doc: §5.8; query courseId, enrollmentIds, contentItemIds (all modules when absent).
    """
    body = s.ResetModuleStatistics.parse({
        "courseId": q.text("courseId"), "enrollmentIds": q.strings("enrollmentIds") or None,
        "contentItemIds": q.strings("contentItemIds")})
    task = backend.reset_module_statistics(caller, body)
    return delivering(ok(request, {"taskId": task}), backend, caller)


@router.get("/task/{task_id}/status")
def get_task_status(request: Request, task_id: str, caller: StatisticsWrite,
                    backend: Backend) -> Response:
    """Get the status of an asynchronous statistics task.

    Vendor doc: §5.8; always `complete` (D22); unknown → 404 "Unknown task" (inferred).
    """
    return ok(request, {"status": backend.task_status(caller, task_id)})


# -- gamification --------------------------------------------------------------------------------

@router.get("/gamification/points")
def get_gamification_points(request: Request, caller: PointsRead, q: Query,
                            backend: Backend) -> Response:
    """Get users' gamification points.

    Vendor doc: §5.9; `userIds[]` or a bare `userIds=`; items `userPointsInfo`; without
    userIds, every user the caller may see (inferred).
    """
    rows = backend.points(caller, q.strings("userIds"))
    return ok(request, Items("userPointsInfo", [{"userId": u, "points": s.number(p)}
                                                for u, p in rows]))


@router.post("/gamification/points/award")
def award_gamification_points(request: Request, caller: PointsWrite, body: Body,
                              backend: Backend) -> Response:
    """Award gamification points to a user.

    Vendor doc: "Awarding Points" (§5.9); any root element; amount > 0.
    """
    backend.change_points(caller, s.PointsChange.parse(body), +1)
    return empty(request)


@router.post("/gamification/points/withdraw")
def withdraw_gamification_points(request: Request, caller: PointsWrite, body: Body,
                                 backend: Backend) -> Response:
    """Withdraw gamification points from a user.

    Vendor doc: "Deducting Points from Users" (§5.9); more than the balance → 400 (inferred).
    """
    backend.change_points(caller, s.PointsChange.parse(body), -1)
    return empty(request)


# -- trainings -----------------------------------------------------------------------------------

@router.get("/training/{training_id}")
def get_training_by_id(request: Request, training_id: str, caller: ContentRead,
                       backend: Backend) -> Response:
    """Get a training.

    Vendor doc: §5.11 Training `{title, organizer, sessions, type}`; XML `<training>`, JSON bare
    (D1); unknown → 404 "Unknown training" (D11).
    """
    training, sessions = backend.get_training(caller, training_id)
    return ok(request, Entity("training", s.training_tree(training, sessions)))


@router.get("/training/{training_id}/sessions")
def list_sessions_by_training_id(request: Request, training_id: str, caller: ContentRead,
                                 backend: Backend) -> Response:
    """Get a training's sessions.

    Vendor doc: §5.11 TrainingSession[]; XML items `<trainingSession>`; unknown training → 404
    "Session not found" (the OAS's text).
    """
    sessions = backend.training_sessions(caller, training_id)
    return ok(request, Items("trainingSession", [s.training_session_tree(x, days)
                                                 for x, days in sessions]))


@router.get("/training/session/{training_session_id}")
def get_training_session(request: Request, training_session_id: str, caller: ContentRead,
                         backend: Backend) -> Response:
    """Get a training session.

    Vendor doc: §5.11; unknown → 404 text/plain "Training session not found" (§4.10).
    """
    row, days = backend.get_training_session(caller, training_session_id)
    return ok(request, Entity("trainingSession", s.training_session_tree(row, days)))


@router.get("/training/session/participants/{session_id}")
def list_session_participants(request: Request, session_id: str, caller: ResultsRead,
                              q: Query, backend: Backend) -> Response:
    """List a session's participants (paged user IDs).

    Vendor doc: §5.11 ParticipantsPage `{participants, nextPageToken}` (inferred over the bare
    array the operation declares, since it pages); unknown → 404 "Session not found".
    """
    page = backend.session_participants(caller, session_id, page_params(q))
    return ok(request, {"participants": s.ids(page.items), "nextPageToken": page.next_token})


@router.get("/training/day/{day_id}")
def get_day(request: Request, day_id: str, caller: ContentRead, backend: Backend) -> Response:
    """Get a session day.

    Vendor doc: §5.11 Day (XML element `<Day>`, as the OAS names it); unknown → 404 text/plain
    "Day not found".
    """
    day, training_id = backend.get_training_day(caller, day_id)
    return ok(request, Entity("Day", s.training_day_tree(day, training_id)))


@router.post("/training/day/{day_id}")
def update_day(request: Request, day_id: str, caller: StatisticsWrite, body: Body,
               backend: Backend) -> Response:
    """Change a session day's URL.

    Vendor doc: §5.11 UpdateDay `{url}`; 200 empty; unknown → 404 "Day not found".
    """
    backend.update_training_day(caller, day_id, s.UpdateDay.parse(body))
    return empty(request)


@router.post("/training/day/{day_id}/participants/attendance/update")
def update_day_participants_attendance(request: Request, day_id: str, caller: StatisticsWrite,
                                       body: Body, backend: Backend) -> Response:
    """Record participants' attendance of a session day.

    Vendor doc: §5.11 `{participantsAttendance: [{participantId, isAttended, duration?}]}`;
    unknown day → 404 "Day not found"; a non-participant → 400 (inferred).
    """
    backend.update_attendance(caller, day_id, s.DayAttendance.parse(body))
    return empty(request)


# -- webhooks ------------------------------------------------------------------------------------

@router.post("/webhook/register")
def register_subscriber(request: Request, caller: Webhooks, body: Body,
                        backend: Backend) -> Response:
    """Register a webhook subscriber.

    Vendor doc: "Registering a Subscriber" (§5.10); Owner and Account Administrators only; a
    name already used → 400 (inferred). The subscriber must then be confirmed.
    """
    backend.register_subscriber(caller, s.SubscriberRequest.parse(body))
    return delivering(empty(request), backend, caller)


@router.post("/webhook/settings/change")
def change_subscriber_settings(request: Request, caller: Webhooks, body: Body,
                               backend: Backend) -> Response:
    """Change a subscriber's callback URL and secret.

    Vendor doc: §5.10; a changed URL needs a new confirmation; unknown → 404.
    """
    backend.change_subscriber(caller, s.SubscriberRequest.parse(body))
    return delivering(empty(request), backend, caller)


@router.post("/webhook/enable")
def enable_subscriber(request: Request, caller: Webhooks, body: Body,
                      backend: Backend) -> Response:
    """Enable a subscriber.

    Vendor doc: §5.10; unknown → 404 "Subscriber not found".
    """
    backend.set_subscriber_enabled(caller, s.SubscriberName.parse(body), True)
    return delivering(empty(request), backend, caller)


@router.post("/webhook/disable")
def disable_subscriber(request: Request, caller: Webhooks, body: Body,
                       backend: Backend) -> Response:
    """Disable a subscriber (no events while disabled).

    Vendor doc: §5.10 (OAS operationId `DisabableSubscriber`); unknown → 404.
    """
    backend.set_subscriber_enabled(caller, s.SubscriberName.parse(body), False)
    return delivering(empty(request), backend, caller)


@router.post("/webhook/remove")
def remove_subscriber(request: Request, caller: Webhooks, body: Body,
                      backend: Backend) -> Response:
    """Remove a subscriber with its subscriptions and undelivered events.

    Vendor doc: §5.10; unknown → 404.
    """
    backend.remove_subscriber(caller, s.SubscriberName.parse(body))
    return empty(request)


@router.post("/webhook/code/send")
def send_confirmation_code(request: Request, caller: Webhooks, body: Body,
                           backend: Backend) -> Response:
    """Send a confirmation code to the subscriber's callback URL.

    Vendor doc: "Sending a Verification Code" (§5.10); POSTs
    `{"type": "CONFIRMATION", "payloads": ["{\"code\":\"…\"}"]}` after the response.
    """
    backend.send_confirmation_code(caller, s.SubscriberName.parse(body))
    return delivering(empty(request), backend, caller)


@router.post("/webhook/confirm")
def confirm(request: Request, caller: Webhooks, body: Body, backend: Backend) -> Response:
    """Confirm a subscriber with the code it received.

    Vendor doc: §5.10; only the latest code confirms; a wrong code → 400 (inferred).
    """
    backend.confirm_subscriber(caller, s.ConfirmRequest.parse(body))
    return delivering(empty(request), backend, caller)


@router.post("/webhook/subscribe")
def subscribe(request: Request, caller: Webhooks, body: Body, backend: Backend) -> Response:
    """Subscribe to an event type.

    Vendor doc: "Adding a Subscription" (§5.10); params are JSON arrays in strings; one
    subscription per type, subscribing again replaces its params (D21). Not emulated: training
    events are accepted but never sent (the emulator has no trainings).
    """
    backend.subscribe(caller, s.SubscribeRequest.parse(body))
    return delivering(empty(request), backend, caller)


@router.post("/webhook/unsubscribe")
def unsubscribe(request: Request, caller: Webhooks, body: Body, backend: Backend) -> Response:
    """Remove a subscription.

    Vendor doc: §5.10; unknown subscriber → 404 "Subscriber not found", unknown type → 404
    "Subscription not found".
    """
    backend.unsubscribe(caller, s.UnsubscribeRequest.parse(body))
    return delivering(empty(request), backend, caller)


@router.get("/webhook/subscription/list")
def list_subscriptions(request: Request, caller: Webhooks, q: Query,
                       backend: Backend) -> Response:
    """List a subscriber's subscriptions.

    Vendor doc: §5.10 `[{subscriptionType, params}]`; XML items `<subscription>` with
    `<params><param>` (inferred).
    """
    rows = backend.subscriptions(caller, q.text("subscriberName"))
    return ok(request, Items("subscription", [s.subscription_tree(r) for r in rows]))


@router.get("/webhook/subscriber/info")
def get_subscriber_info(request: Request, caller: Webhooks, q: Query,
                        backend: Backend) -> Response:
    """Get a subscriber's status.

    Vendor doc: §5.10 `{subscriberStatus, confirmationStatus, notificationProcessStatus}`.
    """
    return delivering(ok(request, backend.subscriber_info(caller, q.text("subscriberName"))),
                      backend, caller)


# -- the sub-app ---------------------------------------------------------------------------------

def vendor_path(path: str) -> str:
    """The operation path of a request path: prefixes and a trailing slash dropped.

    The same operations answer at the root, under `/api/v2` and under `/index.php/api/v2`, and
    the token also under `/index.php` (§2); `/enrollment/` is `/enrollment` (§6: clients append
    slashes, and a redirect would lose POSTs). Normalising here registers every route once.
    """
    if path.startswith("/index.php/api/"):
        path = path[len("/index.php"):]
    if path == "/api/v2" or path.startswith("/api/v2/"):
        path = path[len("/api/v2"):] or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path


class VendorPaths:
    """ASGI layer applying `vendor_path` before routing (the journal keeps the path as sent)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # Below a mount the path still starts with the mount's root_path (/ispring).
            root = scope.get("root_path", "")
            full: str = scope.get("path", "")
            inner = full[len(root):] if root and full.startswith(root) else full
            path = root + vendor_path(inner)
            if path != full:
                scope = dict(scope)
                scope["path"] = path
                scope["raw_path"] = path.encode()
        await self.app(scope, receive, send)


def build_app(ctx: Context, vendor: IspringVendor) -> FastAPI:
    app = FastAPI(title="iSpring Learn (emulated)", openapi_url=None, docs_url=None,
                  redoc_url=None, redirect_slashes=False)
    app.state.backend = IspringBackend(ctx)
    install_error_handlers(app, errors.render, on_validation=errors.from_validation,
                           on_http=errors.from_http)
    for source in (token_router, router):
        _add_routes(app, source)
    app.add_middleware(VendorPaths)
    return app


def _add_routes(app: FastAPI, source: APIRouter) -> None:
    """Copy a router's routes (with its auth dependency) onto the app.

    This FastAPI's `include_router` nests a router in one wrapper route, which the control
    plane's coverage (reading the app's top-level `APIRoute`s) would not see.
    """
    for route in source.routes:
        assert isinstance(route, APIRoute)
        app.router.add_api_route(route.path, route.endpoint,
                                 methods=sorted(route.methods or ()),
                                 dependencies=route.dependencies, name=route.name,
                                 response_model=None)
