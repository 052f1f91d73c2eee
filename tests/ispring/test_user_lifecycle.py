"""iSpring user accounts over time: add, update, remove, password, statuses, schedules, leave."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import (
    ADMIN,
    ALL_USERS,
    DEPT_ADMIN,
    E_ALICE_CAR,
    E_ALICE_SECURITY,
    G_ALL_SALES,
    G_MENTORS,
    G_NEW_HIRES,
    JSON,
    MARKETING,
    OWNER,
    ROLE_ADMIN,
    ROLE_CUSTOM,
    ROLE_DEPT_ADMIN,
    ROLE_LEARNER,
    ROLE_OWNER,
    ROLE_PUBLISHER,
    ROLE_SUPERVISOR,
    SALES,
    SALES_EAST,
    U_ADMIN,
    U_ALICE,
    U_BOB,
    U_CAROL,
    U_DAVE,
    U_DEPT_ADMIN,
    U_OWNER,
    UNKNOWN,
    USERS,
    XML_BODY,
    _fields,
    _user,
    assert_error,
    assert_json_error,
    created_id,
    freeze,
    get_json,
    login,
    user_ids,
)


def new_user(client: httpx.Client, login_name: str, **extra: Any) -> str:
    body = {"departmentId": SALES, "fields": {"login": login_name}, **extra}
    return created_id(client.post("/ispring/user", json=body, headers=OWNER))


def test_add_user_doc_form(client: httpx.Client) -> None:
    freeze(client)
    body = (f"<request><departmentId>{SALES}</departmentId><password>Secret1</password>"
            "<fields><login>jdoe</login><email>jdoe@example.com</email>"
            "<first_name>John</first_name><last_name>Doe</last_name></fields>"
            "<role>learner</role><sendLoginEmail>true</sendLoginEmail>"
            "<invitationMessage>Welcome!</invitationMessage></request>")
    user_id = created_id(client.post("/ispring/user", content=body,
                                     headers={**OWNER, **XML_BODY}))
    assert get_json(client, f"/user/{user_id}") == _user(
        user_id, "learner", ROLE_LEARNER, SALES, _fields(
            LOGIN="jdoe", EMAIL="jdoe@example.com", FIRST_NAME="John", LAST_NAME="Doe"),
        "2025-01-10T12:00:00", groups=[G_ALL_SALES])
    # The password was stored: a learner signs in (then has no API rights).
    assert_error(client.get("/ispring/group", headers=login("jdoe", "Secret1")), 403,
                 "Permission denied")
    assert_error(client.get("/ispring/group", headers=login("jdoe", "secret1")), 401,
                 "Authorization failed")


def test_add_user_json_with_field_list_roles_and_groups(client: httpx.Client) -> None:
    freeze(client)
    response = client.post("/ispring/user", json={
        "departmentId": MARKETING, "login": "kim", "email": "kim@demo.example",
        "fields": [{"name": "JOB_TITLE", "value": "Editor"}, {"name": "COUNTRY_ID", "value": "63"},
                   {"name": "user_defined_field1", "value": "E-2000"}],
        "roles": [{"roleId": ROLE_PUBLISHER, "manageableDepartmentIds": [MARKETING]}],
        "groupIds": [G_MENTORS], "groups": [G_NEW_HIRES]}, headers={**OWNER, **JSON})
    assert response.status_code == 201
    user_id = response.json()
    assert get_json(client, f"/user/{user_id}") == _user(
        user_id, "publisher", ROLE_PUBLISHER, MARKETING, _fields(
            LOGIN="kim", EMAIL="kim@demo.example", JOB_TITLE="Editor", COUNTRY="63",
            USER_DEFINED_FIELD1="E-2000"), "2025-01-10T12:00:00", managed=[MARKETING],
        groups=[G_NEW_HIRES, G_MENTORS])
    assert get_json(client, f"/group/{G_MENTORS}")["userIds"] == [user_id]


@pytest.mark.parametrize(("role", "role_type", "role_id"), [
    ("account_administrators", "administrator", ROLE_ADMIN),
    ("course_authors", "publisher", ROLE_PUBLISHER),
    ("department_administrators", "department_administrator", ROLE_DEPT_ADMIN),
    ("supervisor", "supervisor", ROLE_SUPERVISOR),
    ("Learners", "learner", ROLE_LEARNER),
])
def test_add_user_role_vocabularies(client: httpx.Client, role: str, role_type: str,
                                    role_id: str) -> None:
    user_id = new_user(client, "vocab", role=role, manageableDepartmentIds=[SALES])
    user = get_json(client, f"/user/{user_id}")
    assert (user["role"], user["roleId"]) == (role_type, role_id)


def test_add_user_with_a_custom_role(client: httpx.Client) -> None:
    user_id = new_user(client, "custom.one", role="custom", roleId=ROLE_CUSTOM,
                       manageableDepartmentIds=[SALES_EAST], password="pw-123")
    user = get_json(client, f"/user/{user_id}")
    assert user["userRoles"] == [
        {"roleId": ROLE_LEARNER, "roleType": "learner"},
        {"roleId": ROLE_CUSTOM, "manageableDepartmentIds": [SALES_EAST], "roleType": "custom"}]
    # Its rights: read users of Sales East only.
    assert user_ids(client, headers=login("custom.one", "pw-123")) == [U_BOB]


@pytest.mark.parametrize(("body", "message"), [
    ({"departmentId": SALES, "fields": {"login": "ALICE.sales"}},
     "User with the same login is already registered"),
    ({"departmentId": SALES, "fields": {"login": "new", "email": "Bob@demo.example"}},
     "User with the same email is already registered"),
    ({"departmentId": SALES, "fields": {"login": "new", "user_defined_field1": "E-1001"}},
     "User with the same Employee ID is already registered"),
    ({"fields": {"login": "new"}}, "Wrong parameters: departmentId is required"),
    ({"departmentId": SALES}, "Wrong parameters: fields is required"),
    ({"departmentId": SALES, "fields": {"email": "x@y.z"}},
     "Wrong parameters: fields.login is required"),
    ({"departmentId": UNKNOWN, "fields": {"login": "new"}}, f"Unknown department: {UNKNOWN}"),
    ({"departmentId": SALES, "fields": {"login": "new", "nickname": "x"}},
     "Wrong parameters: unknown profile field nickname"),
    ({"departmentId": SALES, "fields": {"login": "new", "email": "not-an-email"}},
     "Wrong parameters: email is not a valid e-mail address"),
    ({"departmentId": SALES, "fields": {"login": "new"}, "role": "boss"},
     "Wrong parameters: unknown role boss"),
    ({"departmentId": SALES, "fields": {"login": "new"}, "role": "custom"},
     "Wrong parameters: roleId is required for a custom role"),
    ({"departmentId": SALES, "fields": {"login": "new"}, "role": "owner"},
     "Wrong parameters: unknown role owner"),
    ({"departmentId": SALES, "fields": {"login": "new"}, "roleId": UNKNOWN},
     f"Unknown role: {UNKNOWN}"),
    ({"departmentId": SALES, "fields": {"login": "new"}, "groupIds": [UNKNOWN]},
     f"Unknown group: {UNKNOWN}"),
    ({"departmentId": SALES, "fields": {"login": "new"}, "sendLoginEmail": True},
     "Wrong parameters: invitationMessage is required when sendLoginEmail is true"),
    ({"departmentId": SALES, "fields": {"login": "x" * 300}},
     "Wrong parameters: login is longer than 255 characters"),
    ({"departmentId": SALES, "fields": {"login": "new"},
      "roles": [{"roleId": ROLE_ADMIN}, {"roleId": ROLE_PUBLISHER}]},
     "Wrong parameters: a user has the Learner role and at most one other"),
    ({"departmentId": SALES, "fields": {"login": "new"}, "roles": [{"roleId": ROLE_OWNER}]},
     "Wrong parameters: the Account Owner role cannot be assigned"),
])
def test_add_user_bad_requests(client: httpx.Client, body: dict[str, Any], message: str) -> None:
    assert_json_error(client.post("/ispring/user", json=body, headers={**OWNER, **JSON}), 400,
                      message)
    assert user_ids(client) == ALL_USERS


def test_department_administrator_adds_learners_to_their_departments_only(
        client: httpx.Client) -> None:
    ok = client.post("/ispring/user", json={"departmentId": SALES_EAST,
                                            "fields": {"login": "east.new"}}, headers=DEPT_ADMIN)
    assert ok.status_code == 201
    for body in ({"departmentId": MARKETING, "fields": {"login": "m.new"}},
                 {"departmentId": SALES, "fields": {"login": "a.new"}, "role": "administrator"}):
        assert_error(client.post("/ispring/user", json=body, headers=DEPT_ADMIN), 403,
                     "Permission denied")


def test_update_user_profile_partially(client: httpx.Client) -> None:
    body = "<request><fields><job_title>Team Lead</job_title></fields></request>"
    response = client.post(f"/ispring/user/{U_BOB}", content=body,
                           headers={**OWNER, **XML_BODY})
    assert response.status_code == 200
    assert response.content == b""
    fields = [f if f["name"] != "JOB_TITLE" else {"name": "JOB_TITLE", "value": "Team Lead"}
              for f in USERS[U_BOB]["fields"]]
    assert get_json(client, f"/user/{U_BOB}") == {**USERS[U_BOB], "fields": fields}


def test_update_user_department_role_and_groups(client: httpx.Client) -> None:
    response = client.post(f"/ispring/user/{U_CAROL}", json={
        "departmentId": SALES, "role": "department_administrator",
        "manageableDepartmentIds": [SALES_EAST], "groupIds": [G_MENTORS],
        "fields": {"login": "carol.sales"}}, headers=OWNER)
    assert response.status_code == 200
    assert get_json(client, f"/user/{U_CAROL}") == _user(
        U_CAROL, "department_administrator", ROLE_DEPT_ADMIN, SALES, _fields(
            LOGIN="carol.sales", EMAIL="carol@demo.example", FIRST_NAME="Carol",
            LAST_NAME="Marketer", USER_DEFINED_FIELD1="E-1003", USER_FIELD_xPH1D="1990-11-02"),
        "2024-01-12T09:00:00",
        managed=[SALES_EAST], groups=[G_MENTORS, G_ALL_SALES])
    # Only the managed departments change when they come alone.
    client.post(f"/ispring/user/{U_CAROL}", json={"manageableDepartmentIds": [MARKETING]},
                headers=OWNER)
    assert get_json(client, f"/user/{U_CAROL}")["manageableDepartmentIds"] == [MARKETING]


def test_update_user_errors(client: httpx.Client) -> None:
    assert_error(client.post(f"/ispring/user/{U_BOB}", json={"fields": {"login": "alice.sales"}},
                             headers=OWNER), 400, "User with the same login is already registered")
    assert_error(client.post(f"/ispring/user/{UNKNOWN}", json={}, headers=OWNER), 404,
                 "Unknown user")
    assert_error(client.post(f"/ispring/user/{U_CAROL}", json={"fields": {"job_title": "x"}},
                             headers=DEPT_ADMIN), 403, "Permission denied")
    assert_error(client.post(f"/ispring/user/{U_BOB}", json={"departmentId": MARKETING},
                             headers=DEPT_ADMIN), 403, "Permission denied")
    assert_error(client.post(f"/ispring/user/{U_OWNER}", json={"role": "learner"},
                             headers=ADMIN), 403, "Permission denied")
    assert_error(client.post(f"/ispring/user/{U_BOB}", json={"fields": "x"}, headers=OWNER),
                 400, "Wrong parameters: fields must be an object or a list of {name, value}")
    assert get_json(client, "/user") == [USERS[u] for u in ALL_USERS]


def test_remove_user(client: httpx.Client) -> None:
    response = client.delete(f"/ispring/user/{U_ALICE}", headers=OWNER)
    assert response.status_code == 204
    assert response.content == b""
    assert user_ids(client) == [u for u in ALL_USERS if u != U_ALICE]
    enrollments = get_json(client, f"/enrollment?learnerIds[]={U_ALICE}")
    assert enrollments == []
    assert get_json(client, f"/group/{G_NEW_HIRES}")["userIds"] == [U_BOB]
    assert_error(client.get(f"/ispring/enrollment/{E_ALICE_CAR}", headers=OWNER), 404,
                 "Unknown Enrollment")
    assert_error(client.get(f"/ispring/enrollment/{E_ALICE_SECURITY}", headers=OWNER), 404,
                 "Unknown Enrollment")


def test_remove_user_errors(client: httpx.Client) -> None:
    assert_error(client.delete(f"/ispring/user/{U_OWNER}", headers=ADMIN), 403,
                 "Permission denied")
    assert_error(client.delete(f"/ispring/user/{UNKNOWN}", headers=OWNER), 404, "Unknown user")
    assert_error(client.delete(f"/ispring/user/{U_CAROL}", headers=DEPT_ADMIN), 403,
                 "Permission denied")
    assert user_ids(client) == ALL_USERS


def test_update_user_password(client: httpx.Client) -> None:
    response = client.post(f"/ispring/user/{U_ADMIN}/password",
                           content="<request><password>N3w-pass</password></request>",
                           headers={**OWNER, **XML_BODY})
    assert response.status_code == 200
    assert_error(client.get("/ispring/group", headers=ADMIN), 401, "Authorization failed")
    assert client.get("/ispring/group", headers=login("admin@demo.example",
                                                      "N3w-pass")).status_code == 200
    assert_error(client.post(f"/ispring/user/{U_ADMIN}/password", json={"password": ""},
                             headers=OWNER), 400, "Wrong parameters: password must not be empty")


@pytest.mark.parametrize(("path", "status"), [
    ("/users/deactivate", 3), ("/users/terminate", 5), ("/users/activate", 1)])
def test_bulk_status_changes(client: httpx.Client, path: str, status: int) -> None:
    response = client.post(f"/ispring{path}", json={"userIds": [U_BOB, U_DAVE]}, headers=OWNER)
    assert response.status_code == 200
    assert response.content == b""
    users = get_json(client, "/user/v2?logins[]=bob.east&logins[]=dave.blocked")
    assert [u["status"] for u in users] == [status, status]


def test_bulk_status_errors_change_nothing(client: httpx.Client) -> None:
    assert_error(client.post("/ispring/users/deactivate", json={"userIds": [U_BOB, UNKNOWN]},
                             headers=OWNER), 400, f"Unknown user: {UNKNOWN}")
    assert_error(client.post("/ispring/users/deactivate", json={"userIds": [U_BOB, U_CAROL]},
                             headers=DEPT_ADMIN), 403, "Permission denied")
    assert_error(client.post("/ispring/users/deactivate", json={"userIds": [U_OWNER]},
                             headers=OWNER), 403, "Permission denied")
    assert_error(client.post("/ispring/users/activate", json={"userIds": []}, headers=OWNER),
                 400, "Wrong parameters: userIds must not be empty")
    assert get_json(client, "/user") == [USERS[u] for u in ALL_USERS]


def test_change_user_status(client: httpx.Client) -> None:
    assert client.post(f"/ispring/user/{U_ADMIN}/status", json={"status": "3"},
                       headers=OWNER).status_code == 200
    assert_error(client.get("/ispring/group", headers=ADMIN), 401, "Authorization failed")
    assert client.post(f"/ispring/user/{U_ADMIN}/status",
                       content="<request><status>1</status></request>",
                       headers={**OWNER, **XML_BODY}).status_code == 200
    assert client.get("/ispring/group", headers=ADMIN).status_code == 200
    assert_error(client.post(f"/ispring/user/{U_ADMIN}/status", json={"status": 7},
                             headers=OWNER), 400,
                 "Wrong parameters: status must be 1, 3 or 5, 7 given")
    assert_error(client.post(f"/ispring/user/{U_OWNER}/status", json={"status": 3},
                             headers=ADMIN), 403, "Permission denied")


def test_scheduled_deactivation_follows_the_clock(client: httpx.Client) -> None:
    freeze(client)
    response = client.post(f"/ispring/user/{U_BOB}/scheduled_deactivation",
                           json={"date": "2025-01-12"}, headers=OWNER)
    assert response.status_code == 200
    assert get_json(client, f"/user/{U_BOB}")["status"] == 1
    client.post("/_emulator/clock", json={"advance": "P2D"})
    assert get_json(client, f"/user/{U_BOB}")["status"] == 3
    assert client.delete(f"/ispring/user/{U_BOB}/scheduled_deactivation",
                         headers=OWNER).status_code == 200
    assert get_json(client, f"/user/{U_BOB}")["status"] == 1


def test_scheduled_termination(client: httpx.Client) -> None:
    freeze(client)
    client.post(f"/ispring/user/{U_BOB}/scheduled_termination", json={"date": "2025-01-10"},
                headers=OWNER)
    assert get_json(client, f"/user/{U_BOB}/v2")["status"] == 5
    assert client.delete(f"/ispring/user/{U_BOB}/scheduled_termination",
                         headers=OWNER).status_code == 200
    assert get_json(client, f"/user/{U_BOB}/v2")["status"] == 1
    assert_error(client.post(f"/ispring/user/{U_BOB}/scheduled_termination",
                             json={"date": "soon"}, headers=OWNER), 400,
                 "Wrong parameters: date is not a valid date")


def test_change_user_subordination(client: httpx.Client) -> None:
    response = client.post(f"/ispring/user/{U_BOB}/subordination", json={
        "subordination": {"subordinationType": "manual", "supervisorId": U_DEPT_ADMIN},
        "coSubordination": {"subordinationType": "no_supervisor"}}, headers=OWNER)
    assert response.status_code == 204
    assert get_json(client, f"/user/{U_BOB}") == {
        **USERS[U_BOB],
        "subordination": {"subordinationType": "manual", "supervisorId": U_DEPT_ADMIN},
        "coSubordination": {"subordinationType": "no_supervisor"}}
    assert_error(client.post(f"/ispring/user/{U_BOB}/subordination", json={
        "subordination": {"subordinationType": "manual"}}, headers=OWNER), 400,
        "Wrong parameters: subordination supervisorId is required with subordinationType manual")
    assert_error(client.post(f"/ispring/user/{U_BOB}/subordination", json={
        "subordination": {"subordinationType": "manual", "supervisorId": UNKNOWN}},
        headers=OWNER), 400, f"Unknown user: {UNKNOWN}")


def test_remove_user_from_groups(client: httpx.Client) -> None:
    response = client.post(f"/ispring/user/{U_ALICE}/groups/remove",
                           json={"groupIds": [G_NEW_HIRES, G_MENTORS]}, headers=OWNER)
    assert response.status_code == 200
    # Smart groups follow their rules, not this call.
    assert get_json(client, f"/user/{U_ALICE}")["groups"] == [G_ALL_SALES]
    assert_error(client.post(f"/ispring/user/{U_ALICE}/groups/remove",
                             json={"groupIds": [UNKNOWN]}, headers=OWNER), 400,
                 f"Unknown group: {UNKNOWN}")


def test_work_leave_statuses(client: httpx.Client) -> None:
    response = client.post("/ispring/users/work-leave-status", json={"workLeaveStatuses": [
        {"userId": U_BOB, "workLeaveReason": "OnVacation", "startDate": "2025-02-01",
         "endDate": "2025-02-14"}]}, headers=OWNER)
    assert response.status_code == 200
    assert get_json(client, f"/user/{U_BOB}") == {**USERS[U_BOB], "workLeaveStatus": {
        "workLeaveReason": "OnVacation", "startDate": "2025-02-01", "endDate": "2025-02-14"}}
    xml_body = (f"<request><workLeaveStatuses><userId>{U_BOB}</userId>"
                "<workLeaveReason>Holiday</workLeaveReason></workLeaveStatuses></request>")
    assert_error(client.post("/ispring/users/work-leave-status", content=xml_body,
                             headers={**OWNER, **XML_BODY}), 400,
                 "Wrong parameters: workLeaveStatuses.0.workLeaveReason must be one of "
                 "OutOfTheOffice, OnVacation, PersonalLeave, BusinessTrip, SickLeave, "
                 "ParentalLeave, EducationalLeave")
    cleared = client.post("/ispring/users/work-leave-status/delete", json={"userIds": [U_BOB]},
                          headers=OWNER)
    assert cleared.status_code == 200
    assert get_json(client, f"/user/{U_BOB}") == USERS[U_BOB]
