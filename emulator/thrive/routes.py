"""Thrive routes: thin handlers that parse, call the backend and return the vendor body.

Vendor docs followed: https://docs.thrivelearning.com (the `/apidocs/...` and `/v1-api/apidocs/...`
pages listed in the fact sheet, §8). Every path is served with and without a trailing slash;
anything else is a 404 in Thrive's shape after the credential and scope checks (Thrive documents
no 405). The token endpoint is the only route without the authentication dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Path, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from emulator.core import bodies
from emulator.core.errors import install_error_handlers
from emulator.core.vendor import Context
from emulator.thrive import errors, schemas
from emulator.thrive.auth import Principal, authenticate, backend_of, token_grant, vendor_path
from emulator.thrive.backend import ThriveBackend, TokenGrant
from emulator.thrive.errors import NO_STORE, NotFound, Unprocessable
from emulator.thrive.schemas import (
    CONTENT_TYPES,
    ENROLMENT_STATUSES,
    USER_STATUSES,
    QueryArgs,
    is_object_id,
)

if TYPE_CHECKING:
    from emulator.thrive import ThriveVendor

F = TypeVar("F", bound=Callable[..., Any])

V1 = "/rest/v1"
V2 = "/rest/v2"
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def json_body(model: type[Any]) -> Any:
    """A dependency reading the body as `model` (400 not JSON / wrong type, 422 invalid).

    Parsed in a worker thread: a 10 MiB body of small items takes a second to decode and
    validate, which on the event loop would stall every other client for as long."""

    async def read(request: Request) -> Any:
        return await bodies.decode(schemas.parse_body, model, await request.body())

    return Depends(read)


def optional_json_body(model: type[Any]) -> Any:
    """Like `json_body`, but an empty body is None (DELETE may or may not carry one)."""

    async def read(request: Request) -> Any:
        raw = await request.body()
        if not raw.strip():
            return None
        return await bodies.decode(schemas.parse_body, model, raw)

    return Depends(read)


async def query_args(request: Request) -> QueryArgs:
    return QueryArgs(request.query_params)


Auth = Annotated[Principal, Depends(authenticate)]
Backend = Annotated[ThriveBackend, Depends(backend_of)]
Query = Annotated[QueryArgs, Depends(query_args)]
UserId = Annotated[str, Path(alias="userId")]
AudienceId = Annotated[str, Path(alias="audienceId")]
AssignmentId = Annotated[str, Path(alias="assignmentId")]

api = APIRouter(dependencies=[Depends(authenticate)])
oauth = APIRouter()


def endpoint(router: APIRouter, method: str, path: str) -> Callable[[F], F]:
    """Register a handler at `path` and, hidden from the coverage list, at `path/`."""

    def register(handler: F) -> F:
        router.add_api_route(path, handler, methods=[method], response_model=None)
        router.add_api_route(f"{path}/", handler, methods=[method], response_model=None,
                             include_in_schema=False)
        return handler

    return register


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def empty(status: int = 204) -> Response:
    return Response(status_code=status)


# ---------------------------------------------------------------------------------------------
# OAuth 2.0 client credentials
# ---------------------------------------------------------------------------------------------


@endpoint(oauth, "POST", "/oauth2/token/{tenantId}")
def create_access_token(backend: Backend, grant: Annotated[TokenGrant, Depends(token_grant)],
                        tenant_id: Annotated[str, Path(alias="tenantId")]) -> Response:
    """Issue an access token (OAuth 2.0 client credentials).

    Doc: /apidocs/oauth-api-authentication (token hosts, scopes, 1 h lifetime). The request
    format is Cognito's (form body, client by Basic header or form fields). Not emulated: other
    grant types, refresh tokens.
    """
    return ok(backend.issue_token(tenant_id, grant), headers=NO_STORE)


# ---------------------------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------------------------


def _user_status_filter(q: QueryArgs) -> tuple[list[str] | None, list[str] | None]:
    # `status` (single) and `statuses` (csv) are one include set; omit is ignored beside it.
    statuses = q.csv("statuses", USER_STATUSES)
    single = q.csv("status", USER_STATUSES)
    include = None if statuses is None and single is None else \
        list(dict.fromkeys((statuses or []) + (single or [])))
    omit = q.csv("omitStatuses", USER_STATUSES)
    return include, (None if include is not None else omit)


@endpoint(api, "GET", f"{V1}/users")
def search_users(principal: Auth, backend: Backend, q: Query) -> Response:
    """Search users and return basic user information.

    Doc: /v1-api/apidocs/search-users-and-return-basic-user-information. Also applies the
    filters integrations send (`updatedSince`, `statuses`, `omitStatuses`, `status`).
    """
    statuses, omit = _user_status_filter(q)
    return ok(backend.search_users(principal.tenant_id, q.paging("users"), statuses=statuses,
                                   omit_statuses=omit, updated_since=q.instant("updatedSince")))


@endpoint(api, "GET", f"{V1}/user/{{userId}}")
def get_user(principal: Auth, backend: Backend, user_id: UserId) -> Response:
    """Search user by ID and return basic user information.

    Doc: /apidocs/search-user-by-id-and-return-basic-user-information. Deleted users are still
    returned (obfuscated, `deleted: true`).
    """
    return ok(backend.get_user(principal.tenant_id, user_id))


@endpoint(api, "GET", f"{V1}/users/ref/{{ref}}")
def get_user_by_ref(principal: Auth, backend: Backend, ref: str) -> Response:
    """Get a user by their reference (BasicUser).

    Doc: /v1-api/apidocs/search-users-and-return-basic-user-information (BasicUser schema).
    """
    return ok(backend.get_user_by_ref(principal.tenant_id, ref))


@endpoint(api, "POST", f"{V2}/users")
def create_user(principal: Auth, backend: Backend,
                body: Annotated[schemas.UserCreate, json_body(schemas.UserCreate)]) -> Response:
    """Create a user.

    Doc: /apidocs/create-a-user (v2). Answers 201 (the vendor's exact 2xx is undocumented).
    """
    return ok(backend.create_user(principal.tenant_id, body), 201)


@endpoint(api, "PATCH", f"{V2}/users/ref/{{ref}}")
def update_user(principal: Auth, backend: Backend, ref: str,
                body: Annotated[schemas.UserUpdate, json_body(schemas.UserUpdate)]) -> Response:
    """Update a user; only the fields sent change.

    Doc: /v1-api/apidocs/provision-and-manage-user-accounts (v2 lifecycle). Does not unsuspend.
    """
    return ok(backend.update_user(principal.tenant_id, ref, body))


@endpoint(api, "DELETE", f"{V2}/users/ref/{{ref}}")
def delete_user(principal: Auth, backend: Backend, ref: str) -> Response:
    """Delete a user: obfuscate the record and keep training history.

    Doc: /v1-api/apidocs/provision-and-manage-user-accounts (v2 lifecycle). Answers 204.
    """
    backend.delete_user(principal.tenant_id, ref)
    return empty()


@endpoint(api, "PATCH", f"{V2}/users/ref/{{ref}}/suspend")
def suspend_user(principal: Auth, backend: Backend, ref: str,
                 body: Annotated[schemas.UserSuspend, json_body(schemas.UserSuspend)]
                 ) -> Response:
    """Suspend a user, optionally with the date they left.

    Doc: /v1-api/apidocs/provision-and-manage-user-accounts (v2 lifecycle).
    """
    return ok(backend.suspend_user(principal.tenant_id, ref, body))


@endpoint(api, "POST", f"{V1}/users/{{userId}}/tags")
def add_user_tags(principal: Auth, backend: Backend, user_id: UserId,
                  body: Annotated[schemas.TagsAdd, json_body(schemas.TagsAdd)]) -> Response:
    """Add existing tag(s) to an existing learner.

    Doc: /apidocs/add-existing-tags-to-an-existing-learner.
    """
    return ok(backend.add_user_tags(principal.tenant_id, user_id, body))


@endpoint(api, "PATCH", f"{V1}/users/{{userId}}/tags")
def remove_user_tags(principal: Auth, backend: Backend, user_id: UserId,
                     body: Annotated[schemas.TagsRemove, json_body(schemas.TagsRemove)]
                     ) -> Response:
    """Remove existing tag(s) from an existing learner.

    Doc: /apidocs/remove-existing-tags-from-an-existing-learner.
    """
    return ok(backend.remove_user_tags(principal.tenant_id, user_id, body))


@endpoint(api, "PATCH", f"{V1}/users/{{userId}}/skills")
def update_user_skills(principal: Auth, backend: Backend, user_id: UserId,
                       body: Annotated[schemas.SkillsUpdate, json_body(schemas.SkillsUpdate)]
                       ) -> Response:
    """Update level and/or targetLevel for skill(s) of an existing learner.

    Doc: /apidocs/update-level-andor-targetlevel-for-skillss-for-an-existing-learner. The
    levels are stored; no documented read returns them.
    """
    return ok(backend.update_user_skills(principal.tenant_id, user_id, body))


# ---------------------------------------------------------------------------------------------
# Audiences, members, managers
# ---------------------------------------------------------------------------------------------


@endpoint(api, "GET", f"{V1}/audiences")
def get_audiences(principal: Auth, backend: Backend, q: Query) -> Response:
    """Gets audiences.

    Doc: /v1-api/apidocs/gets-audiences, /apidocs/gets-audiences (`apiControlled`, paging,
    `limit`); `updatedSince` as integrations send it.
    """
    return ok(backend.get_audiences(principal.tenant_id, q.paging("audiences"),
                                    api_controlled=q.boolean("apiControlled"),
                                    updated_since=q.instant("updatedSince")))


@endpoint(api, "POST", f"{V1}/audiences")
def add_audience(principal: Auth, backend: Backend,
                 body: Annotated[schemas.AudienceCreate, json_body(schemas.AudienceCreate)]
                 ) -> Response:
    """Adds a new audience (a structure, or an audience inside a structure).

    Doc: /apidocs/adds-a-new-audience. Answers 201. Not emulated: smart audiences (UI only).
    """
    return ok(backend.add_audience(principal.tenant_id, body), 201)


@endpoint(api, "GET", f"{V1}/audiences/{{audienceId}}")
def get_audience(principal: Auth, backend: Backend, audience_id: AudienceId) -> Response:
    """Gets an audience by id or reference.

    Doc: /apidocs/gets-audiences (Audience schema).
    """
    return ok(backend.get_audience(principal.tenant_id, audience_id))


@endpoint(api, "PATCH", f"{V1}/audiences/{{audienceId}}")
def update_audience(principal: Auth, backend: Backend, audience_id: AudienceId,
                    body: Annotated[schemas.AudienceUpdate, json_body(schemas.AudienceUpdate)]
                    ) -> Response:
    """Updates an audience (name, reference, parent structure).

    Doc: /apidocs/updates-an-audience, /apidocs/updates-an-audience-1. `memberOperations` is
    always null: a move is applied at once.
    """
    return ok(backend.update_audience(principal.tenant_id, audience_id, body))


@endpoint(api, "DELETE", f"{V1}/audiences/{{audienceId}}")
def delete_audience(principal: Auth, backend: Backend, audience_id: AudienceId) -> Response:
    """Deletes an audience with its members, managers and assignments.

    Doc: /apidocs/gets-audiences (A5). Answers 204; 409 while it has child audiences.
    """
    backend.delete_audience(principal.tenant_id, audience_id)
    return empty()


@endpoint(api, "GET", f"{V1}/audiences/{{audienceId}}/members")
def get_audience_members(principal: Auth, backend: Backend, audience_id: AudienceId,
                         q: Query) -> Response:
    """Gets an audience members list.

    Doc: /apidocs/gets-an-audience-members-list. A structure lists only its own members.
    """
    return ok(backend.get_audience_members(principal.tenant_id, audience_id,
                                           q.paging("members")))


@endpoint(api, "POST", f"{V1}/audiences/{{audienceId}}/members")
def add_audience_members(principal: Auth, backend: Backend, audience_id: AudienceId,
                         body: Annotated[schemas.MemberList, json_body(schemas.MemberList)]
                         ) -> Response:
    """Adds users to an audience's members list (200, or 207 when an item failed).

    Doc: /apidocs/adds-users-to-an-audiences-members-list.
    """
    status, result = backend.add_audience_members(principal.tenant_id, audience_id, body)
    return ok(result, status)


@endpoint(api, "PATCH", f"{V1}/audiences/{{audienceId}}/members")
def replace_audience_members(principal: Auth, backend: Backend, audience_id: AudienceId,
                             body: Annotated[schemas.MemberList, json_body(schemas.MemberList)]
                             ) -> Response:
    """Replaces an audience's members list with the given users (200, or 207).

    Doc: /apidocs/replaces-an-audiences-members-list-with-the-given-list-of-users-does-not-
    support-an-empty-array.
    """
    status, result = backend.replace_audience_members(principal.tenant_id, audience_id, body)
    return ok(result, status)


@endpoint(api, "DELETE", f"{V1}/audiences/{{audienceId}}/members/{{userRef}}")
def remove_audience_member(principal: Auth, backend: Backend, audience_id: AudienceId,
                           user_ref: Annotated[str, Path(alias="userRef")]) -> Response:
    """Removes a user (by email, ref or id) from an audience's members list.

    Doc: /apidocs/gets-an-audience-members-list (A9). Answers 204.
    """
    backend.remove_audience_member(principal.tenant_id, audience_id, user_ref)
    return empty()


@endpoint(api, "GET", f"{V1}/audiences/{{audienceId}}/managers")
def get_audience_managers(principal: Auth, backend: Backend,
                          audience_id: AudienceId) -> Response:
    """Gets an audience's managers (bare array, not paged).

    Doc: /apidocs/replaces-an-audiences-manger-list-with-the-given-list-of-managers-does-not-
    support-an-empty-array (Manager schema).
    """
    return ok(backend.get_audience_managers(principal.tenant_id, audience_id))


@endpoint(api, "POST", f"{V1}/audiences/{{audienceId}}/managers")
def add_audience_managers(principal: Auth, backend: Backend, audience_id: AudienceId,
                          body: Annotated[schemas.ManagerList, json_body(schemas.ManagerList)]
                          ) -> Response:
    """Adds managers to an audience (200, or 207 when an item failed).

    Doc: /apidocs/replaces-an-audiences-manger-list-with-the-given-list-of-managers-does-not-
    support-an-empty-array (A11).
    """
    status, result = backend.add_audience_managers(principal.tenant_id, audience_id, body)
    return ok(result, status)


@endpoint(api, "PATCH", f"{V1}/audiences/{{audienceId}}/managers")
def replace_audience_managers(principal: Auth, backend: Backend, audience_id: AudienceId,
                              body: Annotated[schemas.ManagerList,
                                              json_body(schemas.ManagerList)]) -> Response:
    """Replaces an audience's manager list with the given managers (200, or 207).

    Doc: /apidocs/replaces-an-audiences-manger-list-with-the-given-list-of-managers-does-not-
    support-an-empty-array.
    """
    status, result = backend.replace_audience_managers(principal.tenant_id, audience_id, body)
    return ok(result, status)


@endpoint(api, "DELETE", f"{V1}/audiences/{{audienceId}}/managers/{{userId}}")
def remove_audience_manager(principal: Auth, backend: Backend, audience_id: AudienceId,
                            user_id: UserId) -> Response:
    """Removes a manager (by email, ref or id) from an audience.

    Doc: fact sheet A13. Answers 204.
    """
    backend.remove_audience_manager(principal.tenant_id, audience_id, user_id)
    return empty()


# ---------------------------------------------------------------------------------------------
# Assignments and enrolments
# ---------------------------------------------------------------------------------------------


@endpoint(api, "GET", f"{V1}/assignments")
def list_assignments(principal: Auth, backend: Backend, q: Query) -> Response:
    """Returns a list of assignments (bare array).

    Doc: /v1-api/apidocs/returns-a-list-of-assignments. `audienceId` is an optional query
    parameter (id or reference), as integrations send it.
    """
    return ok(backend.list_assignments(principal.tenant_id, q.paging("assignments"),
                                       audience=q.text("audienceId"),
                                       updated_since=q.instant("updatedSince")))


@endpoint(api, "POST", f"{V1}/assignments")
def create_assignment(principal: Auth, backend: Backend,
                      body: Annotated[schemas.AssignmentCreate,
                                      json_body(schemas.AssignmentCreate)]) -> Response:
    """Creates an assignment for a specific audience.

    Doc: /apidocs/creates-an-assignment. Answers 201; enrols the audience's members.
    """
    return ok(backend.create_assignment(principal.tenant_id, body), 201)


@endpoint(api, "GET", f"{V1}/assignments/{{assignmentId}}")
def get_assignment(principal: Auth, backend: Backend, assignment_id: AssignmentId) -> Response:
    """Returns an assignment (deleted ones included).

    Doc: /apidocs/returns-an-assignment.
    """
    return ok(backend.get_assignment(principal.tenant_id, assignment_id))


@endpoint(api, "PATCH", f"{V1}/assignments/{{assignmentId}}")
def update_assignment(principal: Auth, backend: Backend, assignment_id: AssignmentId,
                      body: Annotated[schemas.AssignmentUpdate,
                                      json_body(schemas.AssignmentUpdate)]) -> Response:
    """Updates an assignment; open and overdue enrolments follow at once.

    Doc: /apidocs/creates-an-assignment (fields); fact sheet S4.
    """
    return ok(backend.update_assignment(principal.tenant_id, assignment_id, body))


@endpoint(api, "DELETE", f"{V1}/assignments/{{assignmentId}}")
def delete_assignment(principal: Auth, backend: Backend, assignment_id: AssignmentId,
                      body: Annotated[schemas.AssignmentDelete | None,
                                      optional_json_body(schemas.AssignmentDelete)]
                      ) -> Response:
    """Deletes an assignment (soft delete; the body may carry `audienceId`).

    Doc: fact sheet S5. Answers 204; enrolments become archived.
    """
    backend.delete_assignment(principal.tenant_id, assignment_id, body)
    return empty()


@endpoint(api, "GET", f"{V1}/assignments/{{assignmentId}}/enrolments")
def list_enrolments(principal: Auth, backend: Backend, assignment_id: AssignmentId,
                    q: Query) -> Response:
    """Returns a list of enrolments for an assignment (bare array).

    Doc: /apidocs/returns-a-list-of-enrolments-for-an-assignment. Statuses follow the
    emulator clock.
    """
    updated_from = q.instant("updatedAtFrom")
    updated_to = q.instant("updatedAtTo", upper=True)
    if updated_to is not None and updated_from is None:
        raise Unprocessable("updatedAtTo requires updatedAtFrom")
    return ok(backend.list_enrolments(principal.tenant_id, assignment_id,
                                      q.paging("enrolments"),
                                      status=q.csv("status", ENROLMENT_STATUSES),
                                      updated_from=updated_from, updated_to=updated_to))


@endpoint(api, "GET", f"{V1}/assignments/{{assignmentId}}/enrolments/{{enrolmentId}}")
def get_enrolment(principal: Auth, backend: Backend, assignment_id: AssignmentId,
                  enrolment_id: Annotated[str, Path(alias="enrolmentId")]) -> Response:
    """Returns the enrolment.

    Doc: /apidocs/returns-the-enrolment (`history` is the docs' "eventLog").
    """
    return ok(backend.get_enrolment(principal.tenant_id, assignment_id, enrolment_id))


# ---------------------------------------------------------------------------------------------
# Learning completions
# ---------------------------------------------------------------------------------------------


@endpoint(api, "GET", f"{V1}/learning/completions")
def list_completions(principal: Auth, backend: Backend, q: Query) -> Response:
    """Returns learning completions (bare array).

    Doc: fact sheet C1 (`contentId`, `isRPL`, `userId`, inclusive completed-date range).
    """
    return ok(backend.list_completions(
        principal.tenant_id, q.paging("completions"), content_id=q.text("contentId"),
        user_id=q.text("userId"), is_rpl=q.boolean("isRPL"),
        start=q.instant("completedDateRangeStart"),
        end=q.instant("completedDateRangeEnd", upper=True)))


@endpoint(api, "GET", f"{V1}/learning/completions/{{completionId}}")
def get_completion(principal: Auth, backend: Backend,
                   completion_id: Annotated[str, Path(alias="completionId")]) -> Response:
    """Returns a learning completion.

    Doc: fact sheet C2.
    """
    return ok(backend.get_completion(principal.tenant_id, completion_id))


@endpoint(api, "POST", f"{V1}/learning/completions")
def create_completion(principal: Auth, backend: Backend,
                      body: Annotated[schemas.CompletionCreate,
                                      json_body(schemas.CompletionCreate)]) -> Response:
    """Creates a completion record.

    Doc: /apidocs/creates-a-completion-record. Answers 201 `{statementId}`; completes the
    user's counting enrolments and records a `completed` activity.
    """
    return ok(backend.create_completion(principal.tenant_id, body), 201)


# ---------------------------------------------------------------------------------------------
# Content and activities
# ---------------------------------------------------------------------------------------------


@endpoint(api, "GET", f"{V1}/contents")
def query_contents(principal: Auth, backend: Backend, q: Query) -> Response:
    """Query content records.

    Doc: fact sheet T1 (`types`/`omitTypes`, `updatedSince`). Content is fixture data.
    """
    types, omit = q.include_omit("types", "omitTypes", CONTENT_TYPES)
    return ok(backend.query_contents(principal.tenant_id, q.paging("contents"), types=types,
                                     omit_types=omit, updated_since=q.instant("updatedSince")))


@endpoint(api, "GET", f"{V1}/contents/{{contentId}}")
def get_content(principal: Auth, backend: Backend,
                content_id: Annotated[str, Path(alias="contentId")]) -> Response:
    """Returns a content record.

    Doc: fact sheet T2.
    """
    return ok(backend.get_content(principal.tenant_id, content_id))


@endpoint(api, "GET", f"{V1}/activities")
def query_activities(principal: Auth, backend: Backend, q: Query) -> Response:
    """Query activity records.

    Doc: /apidocs/query-activity-records. Activities come from fixtures, completions and
    enrolments opened by the emulator.
    """
    actions, omit = q.include_omit("actions", "omitActions")
    return ok(backend.query_activities(
        principal.tenant_id, q.paging("activities"), actions=actions, omit_actions=omit,
        content_ids=q.csv("contentIds"), content_type=q.text("contentType"),
        start=q.instant("timestampFrom"), end=q.instant("timestampTo", upper=True)))


@endpoint(api, "GET", f"{V1}/activity/{{activityId}}")
def get_activity(principal: Auth, backend: Backend,
                 activity_id: Annotated[str, Path(alias="activityId")]) -> Response:
    """Returns an activity record.

    Doc: fact sheet V2 (singular `activity`).
    """
    return ok(backend.get_activity(principal.tenant_id, activity_id))


# ---------------------------------------------------------------------------------------------
# CPD
# ---------------------------------------------------------------------------------------------


@endpoint(api, "GET", f"{V1}/cpdCategories")
def list_cpd_categories(principal: Auth, backend: Backend, q: Query) -> Response:
    """Returns CPD categories.

    Doc: fact sheet P1. Fixture data.
    """
    return ok(backend.list_cpd_categories(principal.tenant_id, q.paging("cpd"),
                                          updated_since=q.instant("updatedSince")))


@endpoint(api, "GET", f"{V1}/cpdCategories/{{categoryId}}")
def get_cpd_category(principal: Auth, backend: Backend,
                     category_id: Annotated[str, Path(alias="categoryId")]) -> Response:
    """Returns a CPD category.

    Doc: fact sheet P2.
    """
    return ok(backend.get_cpd_category(principal.tenant_id, category_id))


@endpoint(api, "GET", f"{V1}/cpdEntries")
def query_cpd_entries(principal: Auth, backend: Backend, q: Query) -> Response:
    """Query CPD entries.

    Doc: /apidocs/query-cpd-entries (dates with a time, or bare dates as in its examples).
    """
    return ok(backend.query_cpd_entries(principal.tenant_id, q.paging("cpd"),
                                        start=q.instant("entryDateFrom"),
                                        end=q.instant("entryDateTo", upper=True)))


@endpoint(api, "GET", f"{V1}/cpdEntries/{{logEntryId}}")
def get_cpd_entry(principal: Auth, backend: Backend,
                  entry_id: Annotated[str, Path(alias="logEntryId")]) -> Response:
    """Get a single CPD entry.

    Doc: /apidocs/get-a-single-cpd-entry.
    """
    return ok(backend.get_cpd_entry(principal.tenant_id, entry_id))


@endpoint(api, "GET", f"{V1}/cpdRequirementSummaries")
def list_cpd_requirement_summaries(principal: Auth, backend: Backend, q: Query) -> Response:
    """Returns CPD requirement summaries.

    Doc: fact sheet P5. Fixture data.
    """
    return ok(backend.list_cpd_requirements(principal.tenant_id, q.paging("cpd"),
                                            updated_since=q.instant("updatedSince")))


@endpoint(api, "GET", f"{V1}/cpdRequirementSummaries/{{audienceRequirementId}}")
def get_cpd_requirement_summary(principal: Auth, backend: Backend,
                                requirement_id: Annotated[str, Path(
                                    alias="audienceRequirementId")]) -> Response:
    """Returns a CPD requirement summary.

    Doc: fact sheet P6.
    """
    return ok(backend.get_cpd_requirement(principal.tenant_id, requirement_id))


@endpoint(api, "GET", f"{V1}/cpdUserLogSummaries")
def query_cpd_user_summaries(principal: Auth, backend: Backend, q: Query) -> Response:
    """Query CPD user summaries (minutes per user in a date range).

    Doc: /apidocs/query-cpd-user-summaries. `entryDateFrom` and `entryDateTo` are required.
    """
    start = q.instant("entryDateFrom")
    end = q.instant("entryDateTo", upper=True)
    if start is None or end is None:
        raise Unprocessable("entryDateFrom and entryDateTo are required")
    user_ids = q.csv("userIds")
    bad = [u for u in user_ids or [] if not is_object_id(u)]
    if bad:
        raise Unprocessable(f"userIds must be 24 hex digits: {', '.join(bad)}")
    return ok(backend.cpd_user_summaries(
        principal.tenant_id, q.paging("cpd"), start=start, end=end,
        user_ids=None if user_ids is None else list(dict.fromkeys(u.lower() for u in user_ids))))


# ---------------------------------------------------------------------------------------------
# Tags and skills
# ---------------------------------------------------------------------------------------------


@endpoint(api, "GET", f"{V1}/tags")
def list_tags(principal: Auth, backend: Backend, q: Query) -> Response:
    """Returns tags (envelope; paged as integrations page it).

    Doc: fact sheet G1. The documented endpoint takes no paging parameters; they are applied.
    """
    return ok(backend.list_tags(principal.tenant_id, q.paging("tags"),
                                updated_since=q.instant("updatedSince")))


@endpoint(api, "GET", f"{V1}/tags/{{tagId}}")
def get_tag(principal: Auth, backend: Backend,
            tag_id: Annotated[str, Path(alias="tagId")]) -> Response:
    """Returns a tag with its content, campaigns, interested and skilled users.

    Doc: fact sheet G2.
    """
    return ok(backend.get_tag(principal.tenant_id, tag_id))


@endpoint(api, "GET", f"{V1}/skills/levels")
def list_skill_levels(principal: Auth, backend: Backend) -> Response:
    """Returns the skill levels (bare array, not paged).

    Doc: fact sheet G3. Fixture data.
    """
    return ok(backend.list_skill_levels(principal.tenant_id))


# ---------------------------------------------------------------------------------------------
# HR provisioning webhook
# ---------------------------------------------------------------------------------------------


@endpoint(api, "POST", "/webhooks")
def provision_user(principal: Auth, backend: Backend,
                   body: Annotated[schemas.WebhookEvent, json_body(schemas.WebhookEvent)]
                   ) -> Response:
    """Provision and manage user accounts (HR events: joined, updated, suspended, deleted).

    Doc: /v1-api/apidocs/provision-and-manage-user-accounts. Processed synchronously; answers
    202 with an empty body. Not emulated: outbound event webhooks (Thrive → customer).
    """
    backend.provision(principal.tenant_id, body)
    return empty(202)


@api.api_route("/{path:path}", methods=ALL_METHODS, include_in_schema=False)
def unknown_route(request: Request) -> Response:
    """Any other path or method: 404 in Thrive's shape, after the router's auth dependency."""
    raise NotFound(f"No route for {request.method} {vendor_path(request)}")


def build_app(ctx: Context, vendor: ThriveVendor) -> FastAPI:
    app = FastAPI(title="Thrive Learning (emulated)", openapi_url=None, docs_url=None,
                  redoc_url=None)
    app.state.thrive_backend = ThriveBackend(ctx)
    install_error_handlers(app, errors.render, on_validation=errors.from_validation,
                           on_http=errors.from_http)
    for router in (oauth, api):
        _register(app, router)
    return app


def _register(app: FastAPI, router: APIRouter) -> None:
    """Put the router's routes (router-level auth dependency included) on the app itself.

    `include_router` would nest them in one wrapper route that the control plane's coverage
    listing, which reads the app's top-level `APIRoute`s, does not look into.
    """
    for route in router.routes:
        assert isinstance(route, APIRoute)
        app.router.add_api_route(route.path, route.endpoint, methods=sorted(route.methods or ()),
                                 dependencies=route.dependencies, name=route.name,
                                 include_in_schema=route.include_in_schema,
                                 response_model=None)
