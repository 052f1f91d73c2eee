"""Departments: lists, one department, create/update/delete, subordination and moves."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import (
    ADMIN,
    AUTHOR,
    DEPT_ADMIN,
    HR,
    JSON,
    MARKETING,
    OWNER,
    ROOT,
    SALES,
    SALES_EAST,
    U_ALICE,
    U_BOB,
    U_CAROL,
    U_DEPT_ADMIN,
    UNKNOWN,
    XML_BODY,
    assert_error,
    assert_json_error,
    created_id,
    get_json,
    xml,
)

INHERIT = {"subordinationType": "inherit"}


def dept(dept_id: str, name: str, parent: str | None, code: str | None, **extra: Any,
         ) -> dict[str, Any]:
    out: dict[str, Any] = {"departmentId": dept_id, "name": name}
    if parent is not None:
        out["parentDepartmentId"] = parent
    if code is not None:
        out["code"] = code
    return {**out, "subordination": INHERIT, "coSubordination": INHERIT, **extra}


DEPARTMENTS = {
    ROOT: dept(ROOT, "Demo Company", None, "1"),
    MARKETING: dept(MARKETING, "Marketing", ROOT, "7"),
    SALES: dept(SALES, "Sales", ROOT, "5"),
    SALES_EAST: dept(SALES_EAST, "Sales East", SALES, "51"),
}
ORDER = [ROOT, MARKETING, SALES, SALES_EAST]



def test_get_departments_json(client: httpx.Client) -> None:
    assert get_json(client, "/department") == [DEPARTMENTS[d] for d in ORDER]


def test_get_departments_xml(client: httpx.Client) -> None:
    response = client.get("/ispring/department", headers=OWNER)
    assert response.status_code == 200
    assert xml(response) == {"response": {"department": [DEPARTMENTS[d] for d in ORDER]}}


def test_get_departments_by_code(client: httpx.Client) -> None:
    assert get_json(client, "/department?code=51") == [DEPARTMENTS[SALES_EAST]]
    assert get_json(client, "/department?code=nope") == []


@pytest.mark.parametrize(("headers", "expected"), [
    (DEPT_ADMIN, [SALES, SALES_EAST]), (AUTHOR, [MARKETING]), (ADMIN, ORDER)])
def test_scoped_roles_see_their_departments(client: httpx.Client, headers: dict[str, str],
                                            expected: list[str]) -> None:
    assert get_json(client, "/department", headers) == [DEPARTMENTS[d] for d in expected]


def test_list_departments_pages(client: httpx.Client) -> None:
    first = get_json(client, "/departments?pageSize=3&pageToken=")
    token = first["nextPageToken"]
    assert first == {"departments": [DEPARTMENTS[d] for d in ORDER[:3]], "nextPageToken": token}
    response = client.get(f"/ispring/departments?pageSize=3&pageToken={token}", headers=OWNER)
    assert xml(response) == {"response": {"departments": {"department": DEPARTMENTS[SALES_EAST]}}}


def test_get_department(client: httpx.Client) -> None:
    response = client.get(f"/ispring/department/{SALES_EAST}", headers=OWNER)
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><department>'
        f"<departmentId>{SALES_EAST}</departmentId><name>Sales East</name>"
        f"<parentDepartmentId>{SALES}</parentDepartmentId><code>51</code>"
        "<subordination><subordinationType>inherit</subordinationType></subordination>"
        "<coSubordination><subordinationType>inherit</subordinationType></coSubordination>"
        "</department></response>")
    assert get_json(client, f"/department/{ROOT}") == DEPARTMENTS[ROOT]


def test_get_department_errors(client: httpx.Client) -> None:
    assert_error(client.get(f"/ispring/department/{UNKNOWN}", headers=OWNER), 404,
                 "Unknown department")
    assert_json_error(client.get("/ispring/department/1", headers={**OWNER, **JSON}), 404,
                      "Unknown department")
    assert_error(client.get(f"/ispring/department/{MARKETING}", headers=DEPT_ADMIN), 403,
                 "Permission denied")


def test_add_department_doc_sample(client: httpx.Client) -> None:
    body = (f"<request><name>New Department</name><parentDepartmentId>{SALES}"
            "</parentDepartmentId><code>12345W</code></request>")
    new_id = created_id(client.post("/ispring/department", content=body,
                                    headers={**OWNER, **XML_BODY}))
    assert get_json(client, f"/department/{new_id}") == dept(new_id, "New Department", SALES,
                                                             "12345W")
    # The department administrator of Sales now sees it (a sub-department).
    assert new_id in [d["departmentId"] for d in get_json(client, "/department", DEPT_ADMIN)]


def test_add_department_json_with_subordination(client: httpx.Client) -> None:
    response = client.post("/ispring/department", json={
        "name": "Support", "parentDepartmentId": ROOT,
        "subordination": {"subordinationType": "manual", "supervisorId": U_DEPT_ADMIN},
        "coSubordination": {"subordinationType": "no_supervisor"}}, headers={**OWNER, **JSON})
    assert response.status_code == 201
    new_id = response.json()
    assert get_json(client, f"/department/{new_id}") == dept(
        new_id, "Support", ROOT, None,
        subordination={"subordinationType": "manual", "supervisorId": U_DEPT_ADMIN},
        coSubordination={"subordinationType": "no_supervisor"})


@pytest.mark.parametrize(("body", "message"), [
    ({"parentDepartmentId": ROOT}, "Wrong parameters: name is required"),
    ({"name": "  ", "parentDepartmentId": ROOT}, "Wrong parameters: name must not be empty"),
    ({"name": "X"}, "Wrong parameters: parentDepartmentId is required"),
    ({"name": "X", "parentDepartmentId": UNKNOWN}, f"Unknown department: {UNKNOWN}"),
    ({"name": "X" * 256, "parentDepartmentId": ROOT},
     "Wrong parameters: name is longer than 255 characters"),
    ({"name": {"a": "b"}, "parentDepartmentId": ROOT},
     "Wrong parameters: name must be a single value"),
])
def test_add_department_bad_requests(client: httpx.Client, body: dict[str, Any],
                                     message: str) -> None:
    assert_error(client.post("/ispring/department", json=body, headers=OWNER), 400, message)
    assert len(get_json(client, "/department")) == 4


def test_department_administrators_may_not_add_departments(client: httpx.Client) -> None:
    assert_error(client.post("/ispring/department", json={"name": "X",
                                                          "parentDepartmentId": SALES},
                             headers=DEPT_ADMIN), 403, "Permission denied")
    # ...nor may a custom role without the right.
    assert_error(client.post("/ispring/department", json={"name": "X",
                                                          "parentDepartmentId": MARKETING},
                             headers=HR), 403, "Permission denied")


def test_update_department(client: httpx.Client) -> None:
    response = client.post(f"/ispring/department/{SALES_EAST}", json={
        "name": "Sales Europe", "parentDepartmentId": MARKETING, "code": "77"}, headers=OWNER)
    assert response.status_code == 204
    assert response.content == b""
    assert get_json(client, f"/department/{SALES_EAST}") == dept(
        SALES_EAST, "Sales Europe", MARKETING, "77")


@pytest.mark.parametrize(("dept_id", "body", "message"), [
    (SALES, {"parentDepartmentId": SALES_EAST},
     "Wrong parameters: a department cannot be moved into itself or its sub-departments"),
    (SALES, {"parentDepartmentId": SALES},
     "Wrong parameters: a department cannot be moved into itself or its sub-departments"),
    (ROOT, {"parentDepartmentId": SALES}, "Wrong parameters: the root department cannot be moved"),
    (SALES, {"parentDepartmentId": UNKNOWN}, f"Unknown department: {UNKNOWN}"),
    (SALES, {"name": ""}, "Wrong parameters: name must not be empty"),
])
def test_update_department_bad_requests(client: httpx.Client, dept_id: str,
                                        body: dict[str, Any], message: str) -> None:
    assert_error(client.post(f"/ispring/department/{dept_id}", json=body, headers=OWNER), 400,
                 message)
    assert get_json(client, "/department") == [DEPARTMENTS[d] for d in ORDER]


def test_update_unknown_department(client: httpx.Client) -> None:
    assert_error(client.post(f"/ispring/department/{UNKNOWN}", json={"name": "X"},
                             headers=OWNER), 404, "Unknown department")


def test_remove_department(client: httpx.Client) -> None:
    new_id = created_id(client.post("/ispring/department", json={
        "name": "Temp", "parentDepartmentId": ROOT}, headers=OWNER))
    response = client.delete(f"/ispring/department/{new_id}", headers=OWNER)
    assert response.status_code == 204
    assert_error(client.get(f"/ispring/department/{new_id}", headers=OWNER), 404,
                 "Unknown department")


@pytest.mark.parametrize(("dept_id", "status", "message"), [
    (SALES, 400, "Wrong parameters: the department still has users or sub-departments"),
    (SALES_EAST, 400, "Wrong parameters: the department still has users or sub-departments"),
    (ROOT, 400, "Wrong parameters: the root department cannot be deleted"),
    (UNKNOWN, 404, "Unknown department"),
])
def test_remove_department_errors(client: httpx.Client, dept_id: str, status: int,
                                  message: str) -> None:
    assert_error(client.delete(f"/ispring/department/{dept_id}", headers=OWNER), status, message)
    assert len(get_json(client, "/department")) == 4


def test_change_department_subordination(client: httpx.Client) -> None:
    response = client.post(f"/ispring/department/{SALES}/subordination",
                           content=f"<request><subordination><subordinationType>manual"
                                   f"</subordinationType><supervisorId>{U_DEPT_ADMIN}"
                                   "</supervisorId></subordination></request>",
                           headers={**OWNER, **XML_BODY})
    assert response.status_code == 204
    assert get_json(client, f"/department/{SALES}") == {
        **DEPARTMENTS[SALES],
        "subordination": {"subordinationType": "manual", "supervisorId": U_DEPT_ADMIN}}
    assert_error(client.post(f"/ispring/department/{SALES}/subordination", json={
        "subordination": {"subordinationType": "boss"}}, headers=OWNER), 400,
        "Wrong parameters: subordination.subordinationType must be one of manual, inherit, "
        "no_supervisor")


def test_move_users_to_department(client: httpx.Client) -> None:
    response = client.post(f"/ispring/department/{MARKETING}/user/move",
                           json={"userIds": [U_ALICE, U_BOB]}, headers=OWNER)
    assert response.status_code == 204
    users = get_json(client, f"/user?departments[]={MARKETING}")
    assert sorted(u["userId"] for u in users) == sorted([
        "4c6a1a10-5cff-11e9-9e6a-0a580af40692", "5c6a1a10-5cff-11e9-9e6a-0a580af40692",
        U_ALICE, U_BOB, U_CAROL, "ac6a1a10-5cff-11e9-9e6a-0a580af40692"])


def test_move_users_errors(client: httpx.Client) -> None:
    assert_error(client.post(f"/ispring/department/{UNKNOWN}/user/move",
                             json={"userIds": [U_ALICE]}, headers=OWNER), 404,
                 "Unknown department")
    assert_error(client.post(f"/ispring/department/{MARKETING}/user/move",
                             json={"userIds": [U_ALICE, UNKNOWN]}, headers=OWNER), 400,
                 f"Unknown user: {UNKNOWN}")
    assert_error(client.post(f"/ispring/department/{SALES_EAST}/user/move",
                             json={"userIds": [U_CAROL]}, headers=DEPT_ADMIN), 403,
                 "Permission denied")
    assert [u["departmentId"] for u in get_json(client, f"/user?userIds[]={U_ALICE}")] == [SALES]


def test_move_departments(client: httpx.Client) -> None:
    # The OAS names the field `departmnetIds`; both spellings work.
    response = client.post(f"/ispring/department/{MARKETING}/department/move",
                           json={"departmnetIds": [SALES_EAST]}, headers=OWNER)
    assert response.status_code == 204
    assert get_json(client, f"/department/{SALES_EAST}")["parentDepartmentId"] == MARKETING
    response = client.post(f"/ispring/department/{SALES}/department/move",
                           content=f"<request><departmentIds><id>{SALES_EAST}</id>"
                                   "</departmentIds></request>", headers={**OWNER, **XML_BODY})
    assert response.status_code == 204
    assert get_json(client, f"/department/{SALES_EAST}")["parentDepartmentId"] == SALES


def test_move_departments_errors(client: httpx.Client) -> None:
    assert_error(client.post(f"/ispring/department/{UNKNOWN}/department/move",
                             json={"departmentIds": [SALES_EAST]}, headers=OWNER), 404,
                 "Unknown department")
    assert_error(client.post(f"/ispring/department/{SALES_EAST}/department/move",
                             json={"departmentIds": [SALES]}, headers=OWNER), 400,
                 "Wrong parameters: a department cannot be moved into itself or its "
                 "sub-departments")
    assert_error(client.post(f"/ispring/department/{SALES}/department/move",
                             json={"departmentIds": []}, headers=OWNER), 400,
                 "Wrong parameters: departmentIds is required")
    assert get_json(client, "/department") == [DEPARTMENTS[d] for d in ORDER]
