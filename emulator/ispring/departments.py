"""iSpring departments: the department tree, supervisors, and moving users and departments.

Behaviours the fact sheet leaves open:
- Deleting a department that still has users or sub-departments is refused (400; inferred).
"""

from __future__ import annotations

from typing import Annotated, Self

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field, model_validator
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from emulator.core.ids import time_uuid
from emulator.ispring.auth import (
    DepartmentsRead,
    DepartmentsWrite,
    Principal,
    Right,
    UsersWrite,
    authenticate,
    operations,
)
from emulator.ispring.base import INHERIT, BackendBase, _subtree
from emulator.ispring.errors import BadRequest, PermissionDenied
from emulator.ispring.fields import Id, Name, OptId, OptIdList, OptName, OptText
from emulator.ispring.models import IspringDepartment, IspringUser
from emulator.ispring.schemas import (
    Page,
    PageParams,
    RequestModel,
    SubordinationIn,
    Subordinations,
    UserIds,
    page_params,
    page_tree,
    subordination_tree,
)
from emulator.ispring.wire import (
    Body,
    Entity,
    Items,
    Query,
    Tree,
    created_as_asked,
    empty,
    ok,
    without_path_id,
)


class NewDepartment(RequestModel):
    name: Name
    parent_department_id: Id = Field(alias="parentDepartmentId")
    code: OptText = None
    subordination: SubordinationIn | None = None
    co_subordination: SubordinationIn | None = Field(default=None, alias="coSubordination")


class UpdateDepartment(RequestModel):
    name: OptName = None
    parent_department_id: OptId = Field(default=None, alias="parentDepartmentId")
    code: OptText = None
    subordination: SubordinationIn | None = None
    co_subordination: SubordinationIn | None = Field(default=None, alias="coSubordination")


class MoveDepartments(RequestModel):
    department_ids: OptIdList = Field(default=None, alias="departmentIds")
    # The OAS names the required field `departmnetIds`; clients generated from it send that.
    misspelled_ids: OptIdList = Field(default=None, alias="departmnetIds")

    @property
    def ids(self) -> list[str]:
        return list(dict.fromkeys([*(self.department_ids or []), *(self.misspelled_ids or [])]))

    @model_validator(mode="after")
    def _some(self) -> Self:
        if not self.ids:
            raise ValueError("departmentIds is required")
        return self


def department_tree(dept: IspringDepartment) -> Tree:
    return {
        "departmentId": dept.department_id,
        "name": dept.name,
        "parentDepartmentId": dept.parent_id,
        "code": dept.code,
        "subordination": subordination_tree(dept.subordination),
        "coSubordination": subordination_tree(dept.co_subordination),
    }


class DepartmentsOps(BackendBase):
    """The department tree: reading, creating, changing, moving and deleting departments."""

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

    def page_departments(self, p: Principal, params: PageParams) -> Page[IspringDepartment]:
        p.require(Right.DEPARTMENTS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._keyset(session, self._department_query(p),
                                IspringDepartment.department_id, lambda d: d.department_id,
                                params.page_size, params.page_token)

    def get_department(self, p: Principal, department_id: str) -> IspringDepartment:
        p.require(Right.DEPARTMENTS_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._department(session, p, department_id)

    def create_department(self, p: Principal, body: NewDepartment) -> str:
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
                          body: UpdateDepartment) -> None:
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
                                     body: Subordinations) -> None:
        p.require(Right.DEPARTMENTS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            self._set_subordinations(session, p.tenant_id,
                                     self._department(session, p, department_id), body)

    def move_users(self, p: Principal, department_id: str, body: UserIds) -> None:
        p.require(Right.USERS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            dept = self._department(session, p, department_id)
            users = self._users_named(session, p, body.user_ids)
            for user in users:
                user.department_id = dept.department_id
            session.add_all(users)

    def move_departments(self, p: Principal, parent_id: str, body: MoveDepartments) -> None:
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


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[DepartmentsOps, operations(DepartmentsOps)]


@router.get("/department")
def get_departments(request: Request, caller: DepartmentsRead, q: Query,
                    backend: Backend) -> Response:
    """Get the departments (un-paged).

    Vendor doc: "Getting a List of Departments" (§5.3); `code` filter; scoped roles see their
    departments and those below.
    """
    rows = backend.list_departments(caller, q.text("code"))
    return ok(request, Items("department", [department_tree(d) for d in rows]))


@router.get("/departments")
def list_departments(request: Request, caller: DepartmentsRead, q: Query,
                     backend: Backend) -> Response:
    """List departments (paged).

    Vendor doc: §5.3, DepartmentsPage.
    """
    page = backend.page_departments(caller, page_params(q))
    return ok(request, page_tree("departments", "department",
                                   [department_tree(d) for d in page.items], page.next_token))


@router.post("/department")
def add_department(request: Request, caller: DepartmentsWrite, body: Body,
                   backend: Backend) -> Response:
    """Add a department.

    Vendor doc: "Adding a Department" (§5.3); 201 with the new ID. Not emulated: the `X-Name`,
    `X-Parent-Department-Id`, `X-Code` headers (D23). `X-Return-Object: true` answers the new
    department as `GET /department/{id}` shows it.
    """
    new_id = backend.create_department(caller, NewDepartment.parse(body))
    return created_as_asked(request, new_id, lambda i: Entity(
        "department", department_tree(backend.get_department(caller, i))))


@router.get("/department/{department_id}")
def get_department(request: Request, department_id: str, caller: DepartmentsRead,
                   backend: Backend) -> Response:
    """Get a department.

    Vendor doc: "Getting Department Info" (§5.3); unknown → 404 "Unknown department" (D11).
    """
    dept = backend.get_department(caller, department_id)
    return ok(request, Entity("department", department_tree(dept)))


@router.post("/department/{department_id}")
def update_department(request: Request, department_id: str, caller: DepartmentsWrite,
                      body: Body, backend: Backend) -> Response:
    """Update a department.

    Vendor doc: §5.3; 204; moving under itself or a sub-department → 400.
    """
    backend.update_department(caller, department_id, UpdateDepartment.parse(
        without_path_id(body, "departmentId", department_id)))
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
    backend.set_department_subordination(caller, department_id, Subordinations.parse(body))
    return empty(request, 204)


@router.post("/department/{department_id}/user/move")
def move_users_to_department(request: Request, department_id: str, caller: UsersWrite,
                             body: Body, backend: Backend) -> Response:
    """Move users to a department.

    Vendor doc: §5.3; 204; unknown department → 404.
    """
    backend.move_users(caller, department_id, UserIds.parse(body))
    return empty(request, 204)


@router.post("/department/{department_id}/department/move")
def move_departments(request: Request, department_id: str, caller: DepartmentsWrite,
                     body: Body, backend: Backend) -> Response:
    """Move departments under another department.

    Vendor doc: §5.3; 204; unknown parent → 404; the OAS spelling `departmnetIds` is accepted.
    """
    backend.move_departments(caller, department_id, MoveDepartments.parse(body))
    return empty(request, 204)
