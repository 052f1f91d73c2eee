"""Thrive audiences: structures and audiences, their members and managers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Response
from pydantic import Field, RootModel, StrictStr
from sqlalchemy import func
from sqlmodel import col, delete, select

from emulator.thrive.base import Body, Unit, at_least, flag, new_id
from emulator.thrive.enrolments import EnrolmentsOps
from emulator.thrive.errors import Conflict, Forbidden, NotFound, Unprocessable
from emulator.thrive.models import (
    ThriveAudience,
    ThriveEnrolment,
    ThriveManager,
    ThriveMember,
    ThriveUser,
)
from emulator.thrive.routing import (
    V1,
    AudienceId,
    Auth,
    Query,
    UserId,
    api_router,
    batch,
    empty,
    endpoint,
    json_body,
    ok,
    operations,
)
from emulator.thrive.schemas import Name, Paging, Permissions, RequestBody, Text, stamp

# ---------------------------------------------------------------------------------------------
# Wire shapes
# ---------------------------------------------------------------------------------------------


class AudienceCreate(RequestBody):
    name: Name
    reference: Name
    parent_id: Text | None = None
    category: Literal["structure", "audience"] | None = None


class AudienceUpdate(RequestBody):
    NOT_NULL = ("name", "reference")

    name: Name | None = None
    reference: Name | None = None
    parent_id: Text | None = None


class MemberList(RootModel[list[StrictStr]]):
    root: list[StrictStr] = Field(min_length=1, max_length=100)


class ManagerInput(RequestBody):
    reference: StrictStr
    permissions: Permissions = Field(default_factory=Permissions)


class ManagerList(RootModel[list[ManagerInput]]):
    root: list[ManagerInput] = Field(min_length=1, max_length=100)


def audience(row: ThriveAudience, parent: ThriveAudience | None) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "reference": row.reference,
        "apiControlled": row.api_controlled, "category": row.category, "type": row.type,
        "parent": None if parent is None else {"name": parent.name,
                                               "reference": parent.reference, "id": parent.id},
        "createdAt": stamp(row.created_at), "updatedAt": stamp(row.updated_at),
    }


def member(user: ThriveUser) -> dict[str, Any]:
    return {"userId": user.id, "reference": user.ref, "email": user.email}


def manager(user: ThriveUser, permissions: dict[str, Any]) -> dict[str, Any]:
    return {**member(user), "permissions": permissions}


def batch_result(succeeded: list[str], failed: list[tuple[str, str]]) -> dict[str, Any]:
    """Member/manager add and replace: `failure` only when an item failed (then a 207)."""
    body: dict[str, Any] = {"success": {"count": len(succeeded),
                                        "entities": [{"reference": r} for r in succeeded]}}
    if failed:
        body["failure"] = {"count": len(failed),
                           "entities": [{"reason": why, "reference": r} for r, why in failed]}
    return body


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


# A list change's users: (the key the client sent, the user it names).
Resolved = list[tuple[str, ThriveUser]]


class AudiencesOps(EnrolmentsOps):
    """Audiences, members and managers."""

    def _users_by_id(self, u: Unit, ids: Iterable[str]) -> dict[str, ThriveUser]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = self._all(u, select(ThriveUser).where(ThriveUser.tenant_id == u.tenant,
                                                     col(ThriveUser.id).in_(wanted)))
        return {r.id: r for r in rows}

    def _resolve_user(self, u: Unit, key: str) -> ThriveUser | None:
        """A live user by id, then `ref`, then email (case-insensitive)."""
        user = self._get(u, ThriveUser, key)
        if user is not None and not user.deleted:
            return user
        base = select(ThriveUser).where(ThriveUser.tenant_id == u.tenant,
                                        col(ThriveUser.deleted).is_(False))
        by_ref = u.session.exec(base.where(ThriveUser.ref == key).order_by(
            col(ThriveUser.id))).first()
        if by_ref is not None:
            return by_ref
        return u.session.exec(base.where(func.lower(ThriveUser.email) == key.lower()).order_by(
            col(ThriveUser.id))).first()

    def _audience(self, u: Unit, key: str) -> ThriveAudience:
        row = self._audience_by_key(u, key)
        if row is None:
            raise NotFound("Audience not found")
        return row

    def _writable_audience(self, u: Unit, key: str) -> ThriveAudience:
        row = self._audience(u, key)
        if not row.api_controlled:
            # UI-made and smart audiences cannot be managed through the API (fact sheet §1.7).
            raise Forbidden("This audience is not API-controlled and cannot be changed through "
                            "the API")
        return row

    def _audience_view(self, u: Unit, row: ThriveAudience) -> Body:
        return self._audience_views(u, [row])[0]

    def _parent_structure(self, u: Unit, key: str) -> ThriveAudience:
        parent = self._audience_by_key(u, key)
        if parent is None or parent.category != "structure" or not parent.api_controlled:
            raise Unprocessable(f"parentId: '{key}' is not an API-controlled structure")
        return parent

    def _unique_reference(self, u: Unit, reference: str, own_id: str | None = None) -> None:
        stmt = select(ThriveAudience).where(ThriveAudience.tenant_id == u.tenant,
                                            ThriveAudience.reference == reference)
        if own_id is not None:
            stmt = stmt.where(ThriveAudience.id != own_id)
        if u.session.exec(stmt).first() is not None:
            raise Conflict(f"An audience with reference '{reference}' already exists")

    def _audience_views(self, u: Unit, rows: list[ThriveAudience]) -> list[Body]:
        parents = {p.id: p for p in self._all(u, select(ThriveAudience).where(
            ThriveAudience.tenant_id == u.tenant,
            col(ThriveAudience.id).in_({r.parent_id for r in rows if r.parent_id})))}
        return [audience(r, parents.get(r.parent_id or "")) for r in rows]

    def get_audiences(self, tenant: str, paging: Paging, *, api_controlled: bool | None,
                      updated_since: datetime | None) -> Body:
        with self.unit(tenant) as u:
            return self._enveloped(u, ThriveAudience, paging, self._audience_views, (
                flag(ThriveAudience.api_controlled, api_controlled),
                at_least(ThriveAudience.updated_at, updated_since)), (col(ThriveAudience.id),))

    def get_audience(self, tenant: str, key: str) -> Body:
        with self.unit(tenant) as u:
            return self._audience_view(u, self._audience(u, key))

    def add_audience(self, tenant: str, body: AudienceCreate) -> Body:
        with self.unit(tenant) as u:
            category = body.category or ("audience" if body.parent_id else "structure")
            parent = None
            if category == "structure" and body.parent_id:
                raise Unprocessable("parentId: a structure cannot have a parent")
            if category == "audience":
                if not body.parent_id:
                    raise Unprocessable("parentId: an audience needs a parent structure")
                parent = self._parent_structure(u, body.parent_id)
            self._unique_reference(u, body.reference)
            row = ThriveAudience(tenant_id=tenant, id=new_id(u), name=body.name,
                                 reference=body.reference, category=category,
                                 parent_id=parent.id if parent else None,
                                 created_at=u.now, updated_at=u.now)
            u.session.add(row)
            return audience(row, parent)

    def update_audience(self, tenant: str, key: str, body: AudienceUpdate) -> Body:
        with self.unit(tenant) as u:
            row = self._writable_audience(u, key)
            sent = body.sent()
            if "parent_id" in sent:
                if row.category == "structure" and body.parent_id is not None:
                    raise Unprocessable("parentId: a structure cannot be moved")
                if row.category == "audience":
                    if body.parent_id is None:
                        raise Unprocessable("parentId: an audience needs a parent structure")
                    row.parent_id = self._parent_structure(u, body.parent_id).id
            if body.reference is not None:
                self._unique_reference(u, body.reference, row.id)
                row.reference = body.reference
            if body.name is not None:
                row.name = body.name
            row.updated_at = u.now
            # The move is applied at once, so there are never pending member operations.
            return {**self._audience_view(u, row), "memberOperations": None}

    def delete_audience(self, tenant: str, key: str) -> None:
        with self.unit(tenant) as u:
            row = self._writable_audience(u, key)
            children = self._all(u, select(ThriveAudience).where(
                ThriveAudience.tenant_id == tenant, ThriveAudience.parent_id == row.id)
                .order_by(col(ThriveAudience.id)))
            if children:
                # One call must not drop several audiences' members and assignments.
                raise Conflict("Audience has child audiences; delete them first: "
                               + ", ".join(c.reference for c in children))
            self._refresh(u)
            for assignment in self._live_assignments(u, row.id):
                self._retire(u, assignment)
            for model in (ThriveMember, ThriveManager):
                u.session.execute(delete(model).where(col(model.tenant_id) == tenant,
                                                      col(model.audience_id) == row.id))
            u.session.delete(row)

    def _member_views(self, u: Unit, rows: list[ThriveMember]) -> list[Body]:
        users = self._users_by_id(u, [m.user_id for m in rows])
        return [member(users[m.user_id]) for m in rows]

    def get_audience_members(self, tenant: str, key: str, paging: Paging) -> Body:
        with self.unit(tenant) as u:
            row = self._audience(u, key)
            return self._enveloped(u, ThriveMember, paging, self._member_views,
                                   (ThriveMember.audience_id == row.id,),
                                   (col(ThriveMember.added_at), col(ThriveMember.user_id)))

    def _resolve_all(self, u: Unit, keys: list[str]) -> tuple[Resolved, list[tuple[str, str]]]:
        found: Resolved = []
        failed: list[tuple[str, str]] = []
        for key in keys:
            user = self._resolve_user(u, key)
            if user is None:
                failed.append((key, "User not found"))
            else:
                found.append((key, user))
        return found, failed

    def _join(self, u: Unit, audience: ThriveAudience, user_ids: Iterable[str]) -> None:
        current = set(self._member_ids(u, audience.id))
        joining = [i for i in dict.fromkeys(user_ids) if i not in current]
        for user_id in joining:
            u.session.add(ThriveMember(tenant_id=u.tenant, audience_id=audience.id,
                                       user_id=user_id, added_at=u.now))
        for assignment in self._live_assignments(u, audience.id):
            self._enrol(u, assignment, joining)

    def _leave(self, u: Unit, audience: ThriveAudience, user_ids: list[str]) -> None:
        if not user_ids:
            return
        u.session.execute(delete(ThriveMember).where(
            col(ThriveMember.tenant_id) == u.tenant, col(ThriveMember.audience_id) == audience.id,
            col(ThriveMember.user_id).in_(user_ids)))
        assignment_ids = [a.id for a in self._live_assignments(u, audience.id)]
        if assignment_ids:
            self._archive(u, self._all(u, select(ThriveEnrolment).where(
                ThriveEnrolment.tenant_id == u.tenant,
                col(ThriveEnrolment.assignment_id).in_(assignment_ids),
                col(ThriveEnrolment.user_id).in_(user_ids))))

    def _change_list(self, tenant: str, key: str, keys: list[str],
                     apply: Callable[[Unit, ThriveAudience, Resolved], None]) -> tuple[int, Body]:
        """Every member and manager list add or replace: resolve the users named by email, ref
        or id, apply the change to those found; 200, or 207 naming the keys not found."""
        with self.unit(tenant) as u:
            row = self._writable_audience(u, key)
            found, failed = self._resolve_all(u, keys)
            apply(u, row, found)
            return (207 if failed else 200), batch_result([k for k, _ in found], failed)

    def _add_members(self, u: Unit, row: ThriveAudience, found: Resolved) -> None:
        self._refresh(u)
        self._join(u, row, [user.id for _, user in found])

    def _replace_members(self, u: Unit, row: ThriveAudience, found: Resolved) -> None:
        self._refresh(u)
        keep = {user.id for _, user in found}
        self._leave(u, row, [i for i in self._member_ids(u, row.id) if i not in keep])
        self._join(u, row, [user.id for _, user in found])

    def add_audience_members(self, tenant: str, key: str,
                             body: MemberList) -> tuple[int, Body]:
        return self._change_list(tenant, key, body.root, self._add_members)

    def replace_audience_members(self, tenant: str, key: str,
                                 body: MemberList) -> tuple[int, Body]:
        return self._change_list(tenant, key, body.root, self._replace_members)

    def remove_audience_member(self, tenant: str, key: str, user_key: str) -> None:
        with self.unit(tenant) as u:
            row = self._writable_audience(u, key)
            user = self._resolve_user(u, user_key)
            if user is None or user.id not in self._member_ids(u, row.id):
                raise NotFound("User is not a member of this audience")
            self._refresh(u)
            self._leave(u, row, [user.id])

    def _managers(self, u: Unit, audience_id: str) -> list[ThriveManager]:
        return self._all(u, select(ThriveManager).where(
            ThriveManager.tenant_id == u.tenant, ThriveManager.audience_id == audience_id)
            .order_by(col(ThriveManager.added_at), col(ThriveManager.user_id)))

    def get_audience_managers(self, tenant: str, key: str) -> list[Body]:
        with self.unit(tenant) as u:
            row = self._audience(u, key)
            managers = self._managers(u, row.id)
            users = self._users_by_id(u, [m.user_id for m in managers])
            return [manager(users[m.user_id], m.permissions) for m in managers]

    def _managers_changer(self, items: list[ManagerInput], *,
                          replace: bool) -> Callable[[Unit, ThriveAudience, Resolved], None]:
        rights = {item.reference: item.permissions for item in items}

        def apply(u: Unit, row: ThriveAudience, found: Resolved) -> None:
            current = {m.user_id: m for m in self._managers(u, row.id)}
            chosen: dict[str, dict[str, Any]] = {}
            for key, user in found:
                chosen[user.id] = rights[key].wire(structure=row.category == "structure")
            for user_id, held in current.items():
                if replace and user_id not in chosen:
                    u.session.delete(held)
            for user_id, permissions in chosen.items():
                held = current.get(user_id) or ThriveManager(
                    tenant_id=u.tenant, audience_id=row.id, user_id=user_id, added_at=u.now)
                held.permissions = permissions
                u.session.add(held)

        return apply

    def add_audience_managers(self, tenant: str, key: str,
                              body: ManagerList) -> tuple[int, Body]:
        return self._change_list(tenant, key, [item.reference for item in body.root],
                                 self._managers_changer(body.root, replace=False))

    def replace_audience_managers(self, tenant: str, key: str,
                                  body: ManagerList) -> tuple[int, Body]:
        return self._change_list(tenant, key, [item.reference for item in body.root],
                                 self._managers_changer(body.root, replace=True))

    def remove_audience_manager(self, tenant: str, key: str, user_key: str) -> None:
        with self.unit(tenant) as u:
            row = self._writable_audience(u, key)
            user = self._resolve_user(u, user_key)
            current = {m.user_id: m for m in self._managers(u, row.id)}
            if user is None or user.id not in current:
                raise NotFound("User is not a manager of this audience")
            u.session.delete(current[user.id])


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


router = api_router()
Backend = Annotated[AudiencesOps, operations(AudiencesOps)]


@endpoint(router, "GET", f"{V1}/audiences")
def get_audiences(principal: Auth, backend: Backend, q: Query) -> Response:
    """Gets audiences.

    Doc: /v1-api/apidocs/gets-audiences, /apidocs/gets-audiences (`apiControlled`, paging,
    `limit`); `updatedSince` as integrations send it.
    """
    return ok(backend.get_audiences(principal.tenant_id, q.paging("audiences"),
                                    api_controlled=q.boolean("apiControlled"),
                                    updated_since=q.instant("updatedSince")))


@endpoint(router, "POST", f"{V1}/audiences")
def add_audience(principal: Auth, backend: Backend,
                 body: Annotated[AudienceCreate, json_body(AudienceCreate)]
                 ) -> Response:
    """Adds a new audience (a structure, or an audience inside a structure).

    Doc: /apidocs/adds-a-new-audience. Answers 201. Not emulated: smart audiences (UI only).
    """
    return ok(backend.add_audience(principal.tenant_id, body), 201)


@endpoint(router, "GET", f"{V1}/audiences/{{audienceId}}")
def get_audience(principal: Auth, backend: Backend, audience_id: AudienceId) -> Response:
    """Gets an audience by id or reference.

    Doc: /apidocs/gets-audiences (Audience schema).
    """
    return ok(backend.get_audience(principal.tenant_id, audience_id))


@endpoint(router, "PATCH", f"{V1}/audiences/{{audienceId}}")
def update_audience(principal: Auth, backend: Backend, audience_id: AudienceId,
                    body: Annotated[AudienceUpdate, json_body(AudienceUpdate)]
                    ) -> Response:
    """Updates an audience (name, reference, parent structure).

    Doc: /apidocs/updates-an-audience, /apidocs/updates-an-audience-1. `memberOperations` is
    always null: a move is applied at once.
    """
    return ok(backend.update_audience(principal.tenant_id, audience_id, body))


@endpoint(router, "DELETE", f"{V1}/audiences/{{audienceId}}")
def delete_audience(principal: Auth, backend: Backend, audience_id: AudienceId) -> Response:
    """Deletes an audience with its members, managers and assignments.

    Doc: /apidocs/gets-audiences (A5). Answers 204; 409 while it has child audiences.
    """
    backend.delete_audience(principal.tenant_id, audience_id)
    return empty()


@endpoint(router, "GET", f"{V1}/audiences/{{audienceId}}/members")
def get_audience_members(principal: Auth, backend: Backend, audience_id: AudienceId,
                         q: Query) -> Response:
    """Gets an audience members list.

    Doc: /apidocs/gets-an-audience-members-list. A structure lists only its own members.
    """
    return ok(backend.get_audience_members(principal.tenant_id, audience_id,
                                           q.paging("members")))


@endpoint(router, "POST", f"{V1}/audiences/{{audienceId}}/members")
def add_audience_members(principal: Auth, backend: Backend, audience_id: AudienceId,
                         body: Annotated[MemberList, json_body(MemberList)]
                         ) -> Response:
    """Adds users to an audience's members list (200, or 207 when an item failed).

    Doc: /apidocs/adds-users-to-an-audiences-members-list.
    """
    return batch(backend.add_audience_members(principal.tenant_id, audience_id, body))


@endpoint(router, "PATCH", f"{V1}/audiences/{{audienceId}}/members")
def replace_audience_members(principal: Auth, backend: Backend, audience_id: AudienceId,
                             body: Annotated[MemberList, json_body(MemberList)]
                             ) -> Response:
    """Replaces an audience's members list with the given users (200, or 207).

    Doc: /apidocs/replaces-an-audiences-members-list-with-the-given-list-of-users-does-not-
    support-an-empty-array.
    """
    return batch(backend.replace_audience_members(principal.tenant_id, audience_id, body))


@endpoint(router, "DELETE", f"{V1}/audiences/{{audienceId}}/members/{{userRef}}")
def remove_audience_member(principal: Auth, backend: Backend, audience_id: AudienceId,
                           user_ref: Annotated[str, Path(alias="userRef")]) -> Response:
    """Removes a user (by email, ref or id) from an audience's members list.

    Doc: /apidocs/gets-an-audience-members-list (A9). Answers 204.
    """
    backend.remove_audience_member(principal.tenant_id, audience_id, user_ref)
    return empty()


@endpoint(router, "GET", f"{V1}/audiences/{{audienceId}}/managers")
def get_audience_managers(principal: Auth, backend: Backend,
                          audience_id: AudienceId) -> Response:
    """Gets an audience's managers (bare array, not paged).

    Doc: /apidocs/replaces-an-audiences-manger-list-with-the-given-list-of-managers-does-not-
    support-an-empty-array (Manager schema).
    """
    return ok(backend.get_audience_managers(principal.tenant_id, audience_id))


@endpoint(router, "POST", f"{V1}/audiences/{{audienceId}}/managers")
def add_audience_managers(principal: Auth, backend: Backend, audience_id: AudienceId,
                          body: Annotated[ManagerList, json_body(ManagerList)]
                          ) -> Response:
    """Adds managers to an audience (200, or 207 when an item failed).

    Doc: /apidocs/replaces-an-audiences-manger-list-with-the-given-list-of-managers-does-not-
    support-an-empty-array (A11).
    """
    return batch(backend.add_audience_managers(principal.tenant_id, audience_id, body))


@endpoint(router, "PATCH", f"{V1}/audiences/{{audienceId}}/managers")
def replace_audience_managers(principal: Auth, backend: Backend, audience_id: AudienceId,
                              body: Annotated[ManagerList,
                                              json_body(ManagerList)]) -> Response:
    """Replaces an audience's manager list with the given managers (200, or 207).

    Doc: /apidocs/replaces-an-audiences-manger-list-with-the-given-list-of-managers-does-not-
    support-an-empty-array.
    """
    return batch(backend.replace_audience_managers(principal.tenant_id, audience_id, body))


@endpoint(router, "DELETE", f"{V1}/audiences/{{audienceId}}/managers/{{userId}}")
def remove_audience_manager(principal: Auth, backend: Backend, audience_id: AudienceId,
                            user_id: UserId) -> Response:
    """Removes a manager (by email, ref or id) from an audience.

    Doc: fact sheet A13. Answers 204.
    """
    backend.remove_audience_manager(principal.tenant_id, audience_id, user_id)
    return empty()
