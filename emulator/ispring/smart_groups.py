"""iSpring smart groups: rule-based groups, their rules, and who matches them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
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
from emulator.ispring.base import BackendBase, _subtree
from emulator.ispring.errors import BadRequest, NotFound
from emulator.ispring.fields import Name, OptName
from emulator.ispring.models import (
    IspringDepartment,
    IspringGroup,
    IspringGroupMember,
    IspringUser,
)
from emulator.ispring.profile_fields import AccountFields
from emulator.ispring.schemas import RequestModel, SmartRulesIn, ids
from emulator.ispring.wire import Body, Entity, Tree, created_as_asked, empty, ok


class NewSmartGroup(RequestModel):
    name: Name
    rules: SmartRulesIn


class UpdateSmartGroup(RequestModel):
    name: OptName = None
    rules: SmartRulesIn


def smart_rules_tree(group_id: str, rules: Mapping[str, Any]) -> Tree:
    """Node lists stay plain lists: XML repeats `<and>`/`<or>` as the OAS shows them."""
    return {"groupId": group_id, "rules": rules}


class _SmartGroups:
    """Members of smart groups, evaluated from their rules against the account as it is now.

    A rule matches users by department (operator 1: that department only; 2: with its
    sub-departments), by plain-group membership, or by a profile field equal to the value
    (case-insensitive; inferred). Every `and` item must hold through at least one of its rules.
    """

    def __init__(self, session: Session, tenant_id: str,
                 among: Sequence[IspringUser] | None = None) -> None:
        """`among`: evaluate for these users only (their own memberships), not the account."""
        self.session = session
        self.tenant_id = tenant_id
        self._groups: list[IspringGroup] | None = None
        self._users: list[IspringUser] | None = None if among is None else list(among)
        self._departments: dict[str, IspringDepartment] | None = None
        self._plain: dict[str, set[str]] | None = None
        self._fields: AccountFields | None = None

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
                self._departments = BackendBase._departments(self.session, self.tenant_id)
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
        if self._fields is None:
            self._fields = AccountFields.load(self.session, self.tenant_id)
        field = self._fields.find(str(rule.get("attributeId") or ""))
        if field is None:  # a field the account has dropped since the rule was written
            return set()
        return {u.user_id for u in self.users()
                if u.fields.get(field.field_id, "").strip().lower() == value.strip().lower()}


@dataclass(frozen=True)
class GroupView:
    group_id: str
    name: str
    is_smart: bool
    user_ids: list[str] | None  # None: the caller may see the count only (publishers)
    users_count: int


def group_tree(group: GroupView, *, detailed: bool) -> Tree:
    tree: Tree = {}
    if detailed:
        tree["usersCount"] = group.users_count
        tree["userIds"] = None if group.user_ids is None else ids(group.user_ids)
    tree.update({"groupId": group.group_id, "name": group.name, "isSmart": group.is_smart})
    return tree


class SmartGroupsOps(BackendBase):
    """Smart groups: creating and changing their rules."""

    def _check_rules(self, session: Session, tenant_id: str, rules: SmartRulesIn) -> None:
        """Rules must name existing departments, plain groups and profile fields (400)."""
        fields = AccountFields.load(session, tenant_id)
        for rule in rules.rules():
            if rule.attribute_type == 1 and session.get(
                    IspringDepartment, (tenant_id, rule.value.lower())) is None:
                raise BadRequest(f"Unknown department: {rule.value}")
            if rule.attribute_type == 2:
                group = session.get(IspringGroup, (tenant_id, rule.value.lower()))
                if group is None or group.is_smart:
                    raise BadRequest(f"Unknown group: {rule.value}")
            if rule.attribute_type == 3:
                fields.named(rule.attribute_id or "")

    def create_smart_group(self, p: Principal, body: NewSmartGroup) -> str:
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

    def update_smart_group(self, p: Principal, group_id: str, body: UpdateSmartGroup) -> None:
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


    def get_smart_group(self, p: Principal, group_id: str) -> GroupView:
        """A smart group as `GET /group/{id}` shows it (members by its rules, in scope)."""
        p.require(Right.GROUPS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            group = self._smart_group(session, p, group_id)
            smart = _SmartGroups(session, p.tenant_id)
            members = sorted(smart.members(group) & smart.visible_to(p))
            return GroupView(group.group_id, group.name, True,
                             None if p.is_publisher else members, len(members))


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[SmartGroupsOps, operations(SmartGroupsOps)]


@router.post("/group/smart")
def add_smart_group(request: Request, caller: GroupsWrite, body: Body,
                    backend: Backend) -> Response:
    """Add a smart group (members follow rules).

    Vendor doc: §5.4 NewSmartGroup; 201 with the new ID; rules on departments (only / with
    sub-departments), groups and profile fields; `X-Return-Object: true` answers the group as
    `GET /group/{id}` shows it.
    """
    new_id = backend.create_smart_group(caller, NewSmartGroup.parse(body))
    return created_as_asked(request, new_id, lambda i: Entity(
        "group", group_tree(backend.get_smart_group(caller, i), detailed=True)))


@router.post("/group/smart/{group_id}")
def edit_smart_group(request: Request, group_id: str, caller: GroupsWrite, body: Body,
                     backend: Backend) -> Response:
    """Change a smart group's name and rules.

    Vendor doc: §5.4 UpdateSmartGroup; 200 empty; a plain group → 404 (inferred).
    """
    backend.update_smart_group(caller, group_id, UpdateSmartGroup.parse(body))
    return empty(request)


@router.get("/group/smart/{group_id}/rules")
def get_smart_group_rules(request: Request, group_id: str, caller: GroupsRead,
                          backend: Backend) -> Response:
    """Get a smart group's rules.

    Vendor doc: §5.4; JSON bare `{groupId, rules}` (D1, not the OAS `smartGroupRules` wrapper).
    """
    ident, rules = backend.smart_group_rules(caller, group_id)
    return ok(request, smart_rules_tree(ident, rules))
