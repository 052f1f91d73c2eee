"""Users: lists (legacy, V2, paged, by page number), profiles, writes, roles and scoping."""

from __future__ import annotations

from typing import Any

import httpx

from tests.ispring.support import (
    ALL_USERS,
    AUTHOR,
    DEPT_ADMIN,
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
    SALES,
    SALES_EAST,
    U_ALICE,
    U_AUTHOR,
    U_BOB,
    U_CAROL,
    U_DAVE,
    U_DEPT_ADMIN,
    U_HR,
    U_LEARNER,
    UNKNOWN,
    USERS,
    XML_BODY,
    as_xml,
    assert_error,
    get_json,
    user_ids,
    user_xml,
    xml,
)


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
        "<field><name>LAST_NAME</name><value>Inactive</value></field>"
        + "".join(f"<field><name>{name}</name><value/></field>" for name in (
            "JOB_TITLE", "PHONE", "COUNTRY", "USER_DEFINED_FIELD1", "USER_DEFINED_FIELD2",
            "EDUCATION_TITLE", "USER_FIELD_xPH1D", "UB9mT"))
        + "</fields>"
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


PROFILE_FIELDS = [
    ("LOGIN", "login", "Login", "login", 1, 1), ("EMAIL", "email", "E-mail", "email", 1, 0),
    ("FIRST_NAME", "first_name", "First name", "first_name", 0, 0),
    ("LAST_NAME", "last_name", "Last name", "last_name", 0, 0),
    ("JOB_TITLE", "job_title", "Job title", "job_title", 0, 0),
    ("PHONE", "phone", "Phone", "phone", 0, 0), ("COUNTRY", "country", "Country", "country", 0, 0),
    ("USER_DEFINED_FIELD1", "USER_DEFINED_FIELD1", "Employee ID", "string", 1, 0),
    ("USER_DEFINED_FIELD2", "USER_DEFINED_FIELD2", "Office", "string", 0, 0),
    ("EDUCATION_TITLE", "EDUCATION_TITLE", "Education", "string", 0, 0),
    ("USER_FIELD_xPH1D", "USER_FIELD_xPH1D", "Date of birth", "birthdate", 0, 0),
    ("UB9mT", "UB9mT", "Cost center", "string", 0, 0),
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
