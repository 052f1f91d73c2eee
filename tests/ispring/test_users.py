"""Users: lists (legacy, V2, paged, by page number), profiles, writes, roles and scoping."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import (
    ADMIN,
    ALL_USERS,
    AUTHOR,
    DEPT_ADMIN,
    E_ALICE_CAR,
    E_ALICE_SECURITY,
    G_ALL_SALES,
    G_MARKETING,
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
    ROOT,
    SALES,
    SALES_EAST,
    U_ADMIN,
    U_ALICE,
    U_AUTHOR,
    U_BOB,
    U_CAROL,
    U_DAVE,
    U_DEPT_ADMIN,
    U_HR,
    U_LEARNER,
    U_OWNER,
    UNKNOWN,
    XML_BODY,
    as_xml,
    assert_error,
    assert_json_error,
    created_id,
    freeze,
    login,
    xml,
)

INHERIT = {"subordinationType": "inherit"}


def _fields(**values: str) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in values.items()]


def _user(user_id: str, role: str, role_id: str, dept: str, fields: list[dict[str, str]],
          added: str, last_login: str | None = None, managed: list[str] | None = None,
          groups: list[str] | None = None, status: int = 1) -> dict[str, Any]:
    roles: list[dict[str, Any]] = [{"roleId": ROLE_LEARNER, "roleType": "learner"}]
    if role != "learner":
        extra: dict[str, Any] = {"roleId": role_id}
        if managed:
            extra["manageableDepartmentIds"] = managed
        roles.append({**extra, "roleType": role})
    user: dict[str, Any] = {
        "userId": user_id, "role": role, "roleId": role_id, "departmentId": dept,
        "status": status, "fields": fields, "addedDate": f"{added}+00:00"}
    if last_login:
        user["lastLoginDate"] = f"{last_login}+00:00"
    user.update({"manageableDepartmentIds": managed or [], "userRoles": roles,
                 "groups": groups or [], "subordination": INHERIT, "coSubordination": INHERIT})
    return user


USERS: dict[str, dict[str, Any]] = {
    U_OWNER: _user(U_OWNER, "owner", ROLE_OWNER, ROOT, _fields(
        LOGIN="owner@demo.example", EMAIL="owner@demo.example", FIRST_NAME="Olivia",
        LAST_NAME="Owner", JOB_TITLE="CEO"), "2024-01-02T08:00:00", "2024-06-03T09:15:00"),
    U_ADMIN: _user(U_ADMIN, "administrator", ROLE_ADMIN, ROOT, _fields(
        LOGIN="admin@demo.example", EMAIL="admin@demo.example", FIRST_NAME="Adam",
        LAST_NAME="Admin", JOB_TITLE="LMS Administrator"), "2024-01-02T08:05:00",
        "2024-06-01T10:00:00"),
    U_DEPT_ADMIN: _user(U_DEPT_ADMIN, "department_administrator", ROLE_DEPT_ADMIN, SALES, _fields(
        LOGIN="deptadmin@demo.example", EMAIL="deptadmin@demo.example", FIRST_NAME="Diana",
        LAST_NAME="Manager", JOB_TITLE="Head of Sales"), "2024-01-03T08:00:00",
        "2024-05-20T12:00:00", managed=[SALES], groups=[G_ALL_SALES]),
    U_AUTHOR: _user(U_AUTHOR, "publisher", ROLE_PUBLISHER, MARKETING, _fields(
        LOGIN="author@demo.example", EMAIL="author@demo.example", FIRST_NAME="Paul",
        LAST_NAME="Publisher", JOB_TITLE="Course Author"), "2024-01-03T09:00:00",
        managed=[MARKETING]),
    U_HR: _user(U_HR, "custom", ROLE_CUSTOM, MARKETING, _fields(
        LOGIN="hr@demo.example", EMAIL="hr@demo.example", FIRST_NAME="Helen",
        LAST_NAME="Recruiter", JOB_TITLE="HR Specialist"), "2024-01-04T09:00:00",
        managed=[MARKETING]),
    U_LEARNER: _user(U_LEARNER, "learner", ROLE_LEARNER, SALES, _fields(
        LOGIN="learner@demo.example", EMAIL="learner@demo.example", FIRST_NAME="Leo",
        LAST_NAME="Learner"), "2024-01-05T09:00:00", "2024-06-02T07:30:00",
        groups=[G_ALL_SALES]),
    U_ALICE: _user(U_ALICE, "learner", ROLE_LEARNER, SALES, _fields(
        LOGIN="alice.sales", EMAIL="alice@demo.example", FIRST_NAME="Alice",
        LAST_NAME="Seller", JOB_TITLE="Account Executive", PHONE="+1 555 0100",
        USER_DEFINED_FIELD1="E-1001", USER_DEFINED_FIELD2="London"), "2024-01-10T09:00:00",
        "2024-06-05T08:00:00", groups=[G_NEW_HIRES, G_ALL_SALES]),
    U_BOB: _user(U_BOB, "learner", ROLE_LEARNER, SALES_EAST, _fields(
        LOGIN="bob.east", EMAIL="bob@demo.example", FIRST_NAME="Bob", LAST_NAME="Easton",
        JOB_TITLE="Sales Representative", USER_DEFINED_FIELD1="E-1002",
        USER_DEFINED_FIELD2="Berlin"), "2024-01-11T09:00:00",
        groups=[G_NEW_HIRES, G_ALL_SALES]),
    U_CAROL: _user(U_CAROL, "learner", ROLE_LEARNER, MARKETING, _fields(
        LOGIN="carol.marketing", EMAIL="carol@demo.example", FIRST_NAME="Carol",
        LAST_NAME="Marketer", USER_DEFINED_FIELD1="E-1003"), "2024-01-12T09:00:00",
        groups=[G_MARKETING]),
    U_DAVE: _user(U_DAVE, "learner", ROLE_LEARNER, MARKETING, _fields(
        LOGIN="dave.blocked", EMAIL="dave@demo.example", FIRST_NAME="Dave",
        LAST_NAME="Inactive"), "2024-01-12T10:00:00", groups=[G_MARKETING], status=3),
}


def _ids_xml(ids: list[str]) -> Any:
    if not ids:
        return None
    return {"id": ids[0] if len(ids) == 1 else ids}


def _items_xml(item: str, values: list[Any]) -> Any:
    """xmltodict's reading of a wrapper: None when empty, one dict, or a list."""
    if not values:
        return None
    return {item: values[0] if len(values) == 1 else values}


def user_xml(user: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in user.items():
        if key == "fields":
            out[key] = _items_xml("field", value)
        elif key in ("manageableDepartmentIds", "groups"):
            out[key] = _ids_xml(value)
        elif key == "userRoles":
            out[key] = _items_xml("userRole", [
                {k: _ids_xml(v) if k == "manageableDepartmentIds" else v for k, v in r.items()}
                for r in value])
        else:
            out[key] = value if isinstance(value, dict) else as_xml(value)
    return out


def get_json(client: httpx.Client, path: str, headers: dict[str, str] = OWNER) -> Any:
    response = client.get(f"/ispring{path}", headers={**headers, **JSON})
    assert response.status_code == 200, response.text
    return response.json()


def user_ids(client: httpx.Client, query: str = "", headers: dict[str, str] = OWNER) -> list[str]:
    return [u["userId"] for u in get_json(client, f"/user{query}", headers)]


def new_user(client: httpx.Client, login_name: str, **extra: Any) -> str:
    body = {"departmentId": SALES, "fields": {"login": login_name}, **extra}
    return created_id(client.post("/ispring/user", json=body, headers=OWNER))


# -- lists ----------------------------------------------------------------------------------------

def test_get_users_json(client: httpx.Client) -> None:
    assert get_json(client, "/user") == [USERS[u] for u in ALL_USERS]


def test_get_users_xml(client: httpx.Client) -> None:
    response = client.get("/ispring/user", headers=OWNER)
    assert response.status_code == 200
    assert xml(response) == {"response": {"userProfile": [user_xml(USERS[u]) for u in ALL_USERS]}}


def test_get_users_xml_text_of_one_user(client: httpx.Client) -> None:
    response = client.get("/ispring/user?logins[]=dave.blocked", headers=OWNER)
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><userProfile>'
        f"<userId>{U_DAVE}</userId><role>learner</role><roleId>{ROLE_LEARNER}</roleId>"
        f"<departmentId>{MARKETING}</departmentId><status>3</status><fields>"
        "<field><name>LOGIN</name><value>dave.blocked</value></field>"
        "<field><name>EMAIL</name><value>dave@demo.example</value></field>"
        "<field><name>FIRST_NAME</name><value>Dave</value></field>"
        "<field><name>LAST_NAME</name><value>Inactive</value></field></fields>"
        "<addedDate>2024-01-12T10:00:00+00:00</addedDate><manageableDepartmentIds/>"
        f"<userRoles><userRole><roleId>{ROLE_LEARNER}</roleId><roleType>learner</roleType>"
        f"</userRole></userRoles><groups><id>{G_MARKETING}</id></groups>"
        "<subordination><subordinationType>inherit</subordinationType></subordination>"
        "<coSubordination><subordinationType>inherit</subordinationType></coSubordination>"
        "</userProfile></response>")


FILTERS = [
    (f"?departments[]={SALES}", [U_DEPT_ADMIN, U_LEARNER, U_ALICE]),
    (f"?departments[]={SALES}&departments[]={SALES_EAST}",
     [U_DEPT_ADMIN, U_LEARNER, U_ALICE, U_BOB]),
    (f"?groups[]={G_NEW_HIRES}", [U_ALICE, U_BOB]),
    (f"?groups[]={G_MENTORS}", []),
    ("?logins[]=alice.sales&logins[]=bob.east", [U_ALICE, U_BOB]),
    ("?emails[]=carol@demo.example", [U_CAROL]),
    (f"?departments[]={MARKETING}&groups[]={G_MARKETING}", [U_CAROL, U_DAVE]),
    ("?departments[]=not-an-id", []),
]


def test_get_users_filters(client: httpx.Client) -> None:
    for query, expected in FILTERS:
        assert user_ids(client, query) == expected, query


def test_department_administrator_sees_their_departments_and_below(client: httpx.Client) -> None:
    assert user_ids(client, headers=DEPT_ADMIN) == [U_DEPT_ADMIN, U_LEARNER, U_ALICE, U_BOB]
    assert user_ids(client, f"?departments[]={MARKETING}", headers=DEPT_ADMIN) == []
    # The publisher manages Marketing.
    assert user_ids(client, headers=AUTHOR) == [U_AUTHOR, U_HR, U_CAROL, U_DAVE]


def test_get_users_v2_keeps_terminated_apart(client: httpx.Client) -> None:
    assert client.post(f"/ispring/user/{U_CAROL}/status", json={"status": 5},
                       headers=OWNER).status_code == 200
    legacy = get_json(client, "/user?logins[]=carol.marketing")
    assert legacy == [{**USERS[U_CAROL], "status": 3}]
    assert get_json(client, "/user/v2?logins[]=carol.marketing") == [
        {**USERS[U_CAROL], "status": 5}]
    response = client.get("/ispring/user/v2?logins[]=carol.marketing", headers=OWNER)
    assert xml(response) == {"response": {"userProfileV2": user_xml(
        {**USERS[U_CAROL], "status": 5})}}


def test_list_users_pages(client: httpx.Client) -> None:
    seen: list[dict[str, Any]] = []
    token = ""
    for _ in range(4):
        page = get_json(client, f"/users?pageSize=3&pageToken={token}")
        seen += page["userProfiles"]
        if "nextPageToken" not in page:
            break
        assert set(page) == {"userProfiles", "nextPageToken"}
        token = page["nextPageToken"]
    assert seen == [USERS[u] for u in ALL_USERS]


def test_list_users_xml(client: httpx.Client) -> None:
    response = client.get(f"/ispring/users?groups[]={G_NEW_HIRES}", headers=OWNER)
    assert xml(response) == {"response": {"userProfiles": {"userProfile": [
        user_xml(USERS[U_ALICE]), user_xml(USERS[U_BOB])]}}}


def test_list_users_v2(client: httpx.Client) -> None:
    page = get_json(client, f"/users/v2?userIds[]={U_BOB}&userIds[]={U_DAVE}&pageSize=1")
    assert page == {"userProfiles": [USERS[U_BOB]], "nextPageToken": page["nextPageToken"]}
    response = client.get(f"/ispring/users/v2?userIds={U_BOB}", headers=OWNER)
    assert xml(response) == {"response": {"userProfiles": {"userProfileV2": user_xml(
        USERS[U_BOB])}}}


def test_list_users_v2_by_post(client: httpx.Client) -> None:
    body = (f"<request><departments>{MARKETING}</departments><groups><id>{G_MARKETING}</id>"
            "</groups><emails>dave@demo.example</emails></request>")
    response = client.post("/ispring/users/v2", content=body,
                           headers={**OWNER, **XML_BODY, **JSON})
    assert response.status_code == 200
    assert response.json() == {"userProfiles": [USERS[U_DAVE]]}
    bad = client.post("/ispring/users/v2", json={"department": [MARKETING]}, headers=OWNER)
    assert_error(bad, 400, "Wrong parameters: unknown parameter department")


def test_paged_users_list_by_page_number(client: httpx.Client) -> None:
    response = client.post("/ispring/user/list", json={"page": 2, "pageSize": 4},
                           headers={**OWNER, **JSON})
    assert response.status_code == 200
    assert response.json() == {"pageNumber": 2, "totalUsersNumber": 10,
                               "userProfiles": [USERS[u] for u in ALL_USERS[4:8]]}
    past = client.post("/ispring/user/list", json={"page": 9, "pageSize": 4}, headers=OWNER)
    assert xml(past) == {"response": {"pageNumber": "9", "totalUsersNumber": "10",
                                      "userProfiles": None}}


def test_paged_users_list_filters(client: httpx.Client) -> None:
    body = {"departments": [SALES, SALES_EAST],
            "profileFields": [{"name": "USER_DEFINED_FIELD2", "values": ["Berlin", "Paris"]}]}
    response = client.post("/ispring/user/list", json=body, headers={**OWNER, **JSON})
    assert response.json() == {"pageNumber": 1, "totalUsersNumber": 1,
                               "userProfiles": [USERS[U_BOB]]}
    bad = client.post("/ispring/user/list", json={"page": 0}, headers=OWNER)
    assert_error(bad, 400, "Wrong parameters: page must be a positive integer")


def test_find_existing_users(client: httpx.Client) -> None:
    response = client.post("/ispring/users/find_existing", json={
        "userIds": [U_BOB, UNKNOWN, U_CAROL]}, headers=OWNER)
    assert response.status_code == 200
    assert xml(response) == {"response": {"id": [U_BOB, U_CAROL]}}
    scoped = client.post("/ispring/users/find_existing", json={"userIds": [U_BOB, U_CAROL]},
                         headers={**DEPT_ADMIN, **JSON})
    assert scoped.json() == [U_BOB]
    assert_error(client.post("/ispring/users/find_existing", json={"userIds": ["x"]},
                             headers=OWNER), 400, "Wrong parameters: userIds is not a valid ID: x")


# -- one user -------------------------------------------------------------------------------------

def test_get_user_profile_xml_and_json(client: httpx.Client) -> None:
    response = client.get(f"/ispring/user/{U_DEPT_ADMIN}", headers=OWNER)
    assert xml(response) == {"response": {"userProfile": user_xml(USERS[U_DEPT_ADMIN])}}
    assert get_json(client, f"/user/{U_DEPT_ADMIN}") == USERS[U_DEPT_ADMIN]


def test_get_user_profile_v2(client: httpx.Client) -> None:
    response = client.get(f"/ispring/user/{U_ALICE}/v2", headers=OWNER)
    assert xml(response) == {"response": {"userProfileV2": user_xml(USERS[U_ALICE])}}
    assert get_json(client, f"/user/{U_ALICE}/v2") == USERS[U_ALICE]


def test_get_unknown_user(client: httpx.Client) -> None:
    for path in (f"/user/{UNKNOWN}", "/user/not-an-id", f"/user/{UNKNOWN}/v2"):
        assert_error(client.get(f"/ispring{path}", headers=OWNER), 404, "Unknown user")


def test_get_user_outside_scope(client: httpx.Client) -> None:
    assert_error(client.get(f"/ispring/user/{U_CAROL}", headers=DEPT_ADMIN), 403,
                 "Permission denied")
    assert get_json(client, f"/user/{U_BOB}", DEPT_ADMIN) == USERS[U_BOB]


# -- create ---------------------------------------------------------------------------------------

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


# -- update ---------------------------------------------------------------------------------------

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
            LAST_NAME="Marketer", USER_DEFINED_FIELD1="E-1003"), "2024-01-12T09:00:00",
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


# -- password, status, schedules ------------------------------------------------------------------

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


# -- profile fields and roles ---------------------------------------------------------------------

PROFILE_FIELDS = [
    ("LOGIN", "login", "Login", "login", 1, 1), ("EMAIL", "email", "E-mail", "email", 1, 0),
    ("FIRST_NAME", "first_name", "First name", "first_name", 0, 0),
    ("LAST_NAME", "last_name", "Last name", "last_name", 0, 0),
    ("JOB_TITLE", "job_title", "Job title", "job_title", 0, 0),
    ("PHONE", "phone", "Phone", "phone", 0, 0), ("COUNTRY", "country", "Country", "country", 0, 0),
    ("USER_DEFINED_FIELD1", "USER_DEFINED_FIELD1", "Employee ID", "string", 1, 0),
    ("USER_DEFINED_FIELD2", "USER_DEFINED_FIELD2", "Office", "string", 0, 0),
]
OFFICES = [{"name": "london", "value": "London"}, {"name": "berlin", "value": "Berlin"}]


def test_get_user_profile_fields(client: httpx.Client) -> None:
    expected = [{"userFieldInfoId": f, "name": n, "label": label, "type": t, "isUnique": u,
                 "isRequired": r, "orderPriority": i,
                 "values": OFFICES if f == "USER_DEFINED_FIELD2" else []}
                for i, (f, n, label, t, u, r) in enumerate(PROFILE_FIELDS)]
    assert get_json(client, "/user/profile/fields", AUTHOR) == expected
    response = client.get("/ispring/user/profile/fields", headers=OWNER)
    assert xml(response) == {"response": {"userFieldInfo": [
        {**{k: as_xml(v) for k, v in e.items() if k != "values"},
         "values": {"field": e["values"]} if e["values"] else None} for e in expected]}}


ROLES = [
    (ROLE_OWNER, "owner", "Account Owner", "Full access to the account"),
    (ROLE_ADMIN, "administrator", "Account Administrator", "Manages the whole account"),
    (ROLE_DEPT_ADMIN, "department_administrator", "Department Administrator",
     "Manages users of their departments"),
    (ROLE_PUBLISHER, "publisher", "Publisher", "Creates and publishes content"),
    (ROLE_LEARNER, "learner", "Learner", "Takes courses"),
    (ROLE_SUPERVISOR, "supervisor", "Supervisor", "Follows the progress of subordinates"),
    (ROLE_CUSTOM, "custom", "Enrollment Manager", "Enrolls users of their departments"),
]


def test_get_roles(client: httpx.Client) -> None:
    expected = [{"roleId": i, "type": t, "title": title, "description": d}
                for i, t, title, d in ROLES]
    assert get_json(client, "/role") == expected
    assert xml(client.get("/ispring/role", headers=OWNER)) == {"response": {"role": expected}}
