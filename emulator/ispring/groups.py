"""iSpring groups: plain groups, their members, and the group views every group list shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field
from sqlalchemy import delete
from sqlmodel import Session, col, select

from emulator.core.ids import time_uuid
from emulator.ispring.auth import (
    GroupsRead,
    GroupsWrite,
    Principal,
    Right,
    authenticate,
    operations,
)
from emulator.ispring.base import BackendBase
from emulator.ispring.errors import BadRequest
from emulator.ispring.fields import IdList, Name, RequiredIds
from emulator.ispring.models import IspringGroup, IspringGroupMember
from emulator.ispring.schemas import Page, PageParams, RequestModel, page_params, page_tree
from emulator.ispring.smart_groups import GroupView, _SmartGroups, group_tree
from emulator.ispring.wire import (
    Body,
    Entity,
    Items,
    Query,
    created_as_asked,
    empty,
    ok,
    without_path_id,
)


class NewGroup(RequestModel):
    name: Name
    user_ids: IdList = Field(default_factory=list, alias="userIds")


class UpdateGroup(RequestModel):
    name: Name


class GroupMembers(RequestModel):
    # The document marks `userIds` required: a missing, empty or malformed list is a 400, so a
    # broken request can never empty a group (removing members is done by listing the rest).
    user_ids: RequiredIds = Field(alias="userIds")


class GroupsOps(BackendBase):
    """Plain groups: reading them (smart ones too), creating, changing and members."""

    def _group_views(self, session: Session, p: Principal, groups: Sequence[IspringGroup],
                     ) -> list[GroupView]:
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
        return [GroupView(g.group_id, g.name, g.is_smart,
                            None if p.is_publisher else members.get(g.group_id, []),
                            len(members.get(g.group_id, []))) for g in groups]

    def list_groups(self, p: Principal) -> list[GroupView]:
        p.require(Right.GROUPS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            rows = session.exec(select(IspringGroup).where(
                IspringGroup.tenant_id == p.tenant_id).order_by(col(IspringGroup.group_id))).all()
            return self._group_views(session, p, rows)

    def page_groups(self, p: Principal, params: PageParams) -> Page[GroupView]:
        p.require(Right.GROUPS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            page = self._keyset(session, select(IspringGroup).where(
                IspringGroup.tenant_id == p.tenant_id), IspringGroup.group_id,
                lambda g: g.group_id, params.page_size, params.page_token)
            return Page(self._group_views(session, p, page.items), page.next_token)

    def get_group(self, p: Principal, group_id: str) -> GroupView:
        p.require(Right.GROUPS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._group_views(session, p, [self._group(session, p, group_id)])[0]

    def create_group(self, p: Principal, body: NewGroup) -> str:
        p.require(Right.GROUPS_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            self._users_named(session, p, body.user_ids)
            group_id = time_uuid(now)
            session.add(IspringGroup(tenant_id=p.tenant_id, group_id=group_id, name=body.name))
            session.add_all([IspringGroupMember(tenant_id=p.tenant_id, group_id=group_id,
                                                user_id=u) for u in body.user_ids])
            return group_id

    def update_group(self, p: Principal, group_id: str, body: UpdateGroup) -> None:
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

    def set_group_members(self, p: Principal, group_id: str, body: GroupMembers) -> None:
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


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[GroupsOps, operations(GroupsOps)]


@router.get("/group")
def get_groups(request: Request, caller: GroupsRead, backend: Backend) -> Response:
    """Get the groups (un-paged).

    Vendor doc: "Getting a List of Groups" (§5.4).
    """
    groups = backend.list_groups(caller)
    return ok(request, Items("group", [group_tree(g, detailed=False) for g in groups]))


@router.get("/groups")
def list_groups(request: Request, caller: GroupsRead, q: Query, backend: Backend) -> Response:
    """List groups (paged).

    Vendor doc: §5.4, GroupsPage.
    """
    page = backend.page_groups(caller, page_params(q))
    return ok(request, page_tree("groups", "group",
                                   [group_tree(g, detailed=False) for g in page.items],
                                   page.next_token))


@router.post("/group")
def add_group(request: Request, caller: GroupsWrite, body: Body, backend: Backend) -> Response:
    """Add a group.

    Vendor doc: "Adding a Group" (§5.4); 201 with the new ID, or with the group as
    `GET /group/{id}` shows it for `X-Return-Object: true`.
    """
    new_id = backend.create_group(caller, NewGroup.parse(body))
    return created_as_asked(request, new_id, lambda i: Entity(
        "group", group_tree(backend.get_group(caller, i), detailed=True)))


@router.get("/group/{group_id}")
def get_group(request: Request, group_id: str, caller: GroupsRead, backend: Backend) -> Response:
    """Get a group with its members.

    Vendor doc: "Getting Group Info" (§5.4), DetailedGroup; authors get no member IDs.
    """
    group = backend.get_group(caller, group_id)
    return ok(request, Entity("group", group_tree(group, detailed=True)))


@router.post("/group/{group_id}")
def update_group(request: Request, group_id: str, caller: GroupsWrite, body: Body,
                 backend: Backend) -> Response:
    """Rename a group.

    Vendor doc: §5.4; 200 empty.
    """
    backend.update_group(caller, group_id,
                         UpdateGroup.parse(without_path_id(body, "groupId", group_id)))
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
    backend.set_group_members(caller, group_id, GroupMembers.parse(body))
    return empty(request)
