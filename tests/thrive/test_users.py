"""Users: v1 reads (search, by id, by ref) and v2 lifecycle writes (create to delete)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.thrive.support import (
    AUDIENCES,
    AUTH,
    MISSING_ID,
    NOW,
    USERS,
    V1,
    V2,
    advance,
    assert_query_errors,
    error,
    read,
)

BEN_POSITION = {
    "id": USERS["ben"], "manager": {"id": USERS["eve"], "name": "Eve Manager", "ref": "EMP005"},
    "ouId": None, "isActive": True, "startDate": "2021-08-19T18:00:00.000Z", "endDate": None,
    "createdAt": "2025-09-01T08:00:01.000Z", "updatedAt": "2026-02-03T10:15:00.000Z",
    "title": "Software Engineer"}
BEN_BASIC = {
    "id": USERS["ben"], "ref": "EMP002", "firstName": "Ben", "lastName": "Learner",
    "email": "ben.learner@demo.example", "role": "learner", "status": "active",
    "positions": [BEN_POSITION],
    "additionalFields": {"department": "Engineering", "location": "Manchester"},
    "languageCode": "en-gb"}
BEN = {
    **BEN_BASIC, "deleted": False, "compliance": 50, "level": 0,
    "firstLogin": "2025-09-02T09:00:00.000Z", "lastLogin": "2026-11-19T17:02:45.000Z",
    "tags": {"skills": ["python"]}, "usersFollowing": [], "tagsFollowing": [],
    "createdAt": "2025-09-01T08:00:01.000Z", "updatedAt": "2026-02-03T10:15:00.000Z",
    "hasPicture": False, "timeZone": "Europe/London", "summary": None, "relevancy": 0,
    "rank": {"currentCategory": 0, "currentLevel": 0}, "agreedTerms": True, "onboarded": True,
    "audiences": [{"id": AUDIENCES["eng"]}], "singleSignOn": False}
THOMAS = {"ref": "UID30084022", "email": "user@thrivelearning.com", "firstName": "Thomas",
          "lastName": "Jefferson", "jobTitle": "Director", "managerRef": "UID0034234555",
          "startDate": "2021-08-19T18:00:00.000Z"}


def lifecycle(user_id: str, **changes: Any) -> dict[str, Any]:
    """The v2 body of the documented example user created at NOW."""
    assert len(user_id) == 24
    return {"id": user_id, "loginMethod": "email", "ref": "UID30084022",
            "email": "user@thrivelearning.com", "firstName": "Thomas", "lastName": "Jefferson",
            "role": "learner", "jobTitle": "Director", "managerRef": "UID0034234555",
            "startDate": "2021-08-19T18:00:00.000Z", "endDate": None, "domain": None,
            "timeZone": "Europe/London", "languageCode": "en-gb", "active": True,
            "createdAt": NOW, "updatedAt": NOW, "sso": False, "additionalFields": None,
            **changes}


def create(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = client.post(f"{V2}/users", headers=AUTH, json={**THOMAS, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def search(client: httpx.Client, query: str = "") -> dict[str, Any]:
    body: dict[str, Any] = read(client, f"{V1}/users{query}")
    return body


pytestmark = pytest.mark.usefixtures("frozen")


# --- v1 reads --------------------------------------------------------------------------------


def test_search_users_is_an_envelope_of_users(client: httpx.Client) -> None:
    body = search(client)
    assert body["pagination"] == {"totalResults": 9, "totalPages": 1, "page": 1, "perPage": 100}
    assert [u["id"] for u in body["results"]] == list(USERS.values())
    assert body["results"][1] == BEN


def test_pagination_walk(client: httpx.Client) -> None:
    seen: list[str] = []
    page = 1
    while True:
        body = search(client, f"?page={page}&perPage=2")
        assert body["pagination"] == {"totalResults": 9, "totalPages": 5, "page": page,
                                      "perPage": 2}
        seen += [u["id"] for u in body["results"]]
        if len(body["results"]) < 2:
            break
        page += 1
    assert (page, seen) == (5, list(USERS.values()))
    assert search(client, "?page=6&perPage=2") == {
        "results": [], "pagination": {"totalResults": 9, "totalPages": 5, "page": 6,
                                      "perPage": 2}}
    assert search(client, "?perPage=1000")["pagination"]["perPage"] == 1000
    assert search(client, "?limit=3")["pagination"] == {"totalResults": 9, "totalPages": 3,
                                                        "page": 1, "perPage": 3}


_SEARCH_FILTERS = [
    ("?statuses=active", ["ada", "ben", "cara", "dan", "eve"]),
    ("?status=new", ["gus"]),
    ("?status=new&statuses=expired", ["gus", "hana"]),
    ("?statuses=inactive%2Cexpired", ["finn", "hana", "gone"]),
    ("?omitStatuses=active,inactive", ["gus", "hana"]),
    ("?statuses=new&omitStatuses=new", ["gus"]),
    ("?updatedSince=2026-03-01", ["ada", "finn", "hana"]),
    ("?updatedSince=2026-06-30+09:00:00", ["finn"]),
    ("?updatedSince=2026-06-30T10:00:00%2B01:00", ["finn"]),
]


def test_search_filters(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for query, users in _SEARCH_FILTERS:
        with subtests.test(msg=repr((query, users))[:120]):
            assert [u["id"] for u in search(client, query)["results"]] == [USERS[u] for u in users]


_SEARCH_REJECTS_BAD_PARAMETERS = [
    ("?perPage=1001", "perPage must be between 1 and 1000"),
    ("?statuses=active,retired", "statuses has unknown values: retired; allowed: active, "
                                 "inactive, expired, new"),
    ("?status=gone", "status has unknown values: gone; allowed: active, inactive, expired, new"),
    ("?updatedSince=2026-02-30", "updatedSince must be an ISO 8601 date-time or a date"),
    ("?page=1.5", "page must be an integer"),
]


def test_search_rejects_bad_parameters(client: httpx.Client, subtests: pytest.Subtests) -> None:
    assert_query_errors(client, subtests, f"{V1}/users", _SEARCH_REJECTS_BAD_PARAMETERS)


def test_get_user_by_id(client: httpx.Client) -> None:
    response = client.get(f"{V1}/user/{USERS['ben']}", headers=AUTH)
    assert (response.status_code, response.json()) == (200, BEN)


@pytest.mark.parametrize("user_id", [MISSING_ID, "EMP002", "not hex"])
def test_get_unknown_user_is_404(client: httpx.Client, user_id: str) -> None:
    response = client.get(f"{V1}/user/{user_id}", headers=AUTH)
    assert (response.status_code, response.json()) == (404, error(404, "User not found"))


def test_get_user_by_ref_is_a_basic_user(client: httpx.Client) -> None:
    response = client.get(f"{V1}/users/ref/EMP002", headers=AUTH)
    assert (response.status_code, response.json()) == (200, BEN_BASIC)
    missing = client.get(f"{V1}/users/ref/NOPE", headers=AUTH)
    assert (missing.status_code, missing.json()) == (404, error(404,
                                                                "User with ref 'NOPE' not found"))


def test_refs_in_paths_are_percent_decoded(client: httpx.Client) -> None:
    made = create(client, ref="HR 007@north+east", email="odd@demo.example")
    response = client.get(f"{V1}/users/ref/HR%20007%40north%2Beast", headers=AUTH)
    assert response.json()["id"] == made["id"]
    updated = client.patch(f"{V2}/users/ref/HR%20007%40north%2Beast", headers=AUTH,
                           json={"jobTitle": "Ranger"})
    assert updated.json()["jobTitle"] == "Ranger"


# --- v2 create -------------------------------------------------------------------------------


def test_create_user_documented_example(client: httpx.Client) -> None:
    response = client.post(f"{V2}/users", headers=AUTH, json=THOMAS)
    assert response.status_code == 201
    body = response.json()
    assert body == lifecycle(body["id"])
    v1 = client.get(f"{V1}/user/{body['id']}", headers=AUTH).json()
    assert v1 == {
        "id": body["id"], "ref": "UID30084022", "firstName": "Thomas", "lastName": "Jefferson",
        "email": "user@thrivelearning.com", "role": "learner", "status": "active",
        "positions": [{"id": body["id"], "manager": None, "ouId": None, "isActive": True,
                       "startDate": "2021-08-19T18:00:00.000Z", "endDate": None,
                       "createdAt": NOW, "updatedAt": NOW, "title": "Director"}],
        "additionalFields": None, "languageCode": "en-gb", "deleted": False, "compliance": 0,
        "level": 0, "firstLogin": None, "lastLogin": None, "tags": {"skills": []},
        "usersFollowing": [], "tagsFollowing": [], "createdAt": NOW, "updatedAt": NOW,
        "hasPicture": False, "timeZone": "Europe/London", "summary": None, "relevancy": 0,
        "rank": {"currentCategory": 0, "currentLevel": 0}, "agreedTerms": None,
        "onboarded": None, "audiences": [], "singleSignOn": False}


def test_create_user_with_every_field(client: httpx.Client) -> None:
    body = create(client, loginMethod="ref", email=None, role="learneradmin",
                  managerRef="EMP005", domain="demo.example",
                  startDate="2021-08-19 19:00:00+01:00", endDate="2030-01-01",
                  timeZone="Asia/Dubai", languageCode="ar", sso=True,
                  additionalFields={"department": "Sales", "onleave": False})
    assert body == lifecycle(body["id"], loginMethod="ref", email=None, role="learneradmin",
                             managerRef="EMP005", domain="demo.example",
                             startDate="2021-08-19T18:00:00.000Z",
                             endDate="2030-01-01T00:00:00.000Z", timeZone="Asia/Dubai",
                             languageCode="ar", sso=True,
                             additionalFields={"department": "Sales", "onleave": False})
    position = client.get(f"{V1}/user/{body['id']}", headers=AUTH).json()["positions"][0]
    assert position["manager"] == {"id": USERS["eve"], "name": "Eve Manager", "ref": "EMP005"}


_CREATE_USER_REJECTS_BAD_FIELDS = [
    ({"ref": None}, "ref: Input should be a valid string"),
    ({"firstName": ""}, "firstName: String should have at least 1 character"),
    ({"lastName": 5}, "lastName: Input should be a valid string"),
    ({"email": None}, "email is required when loginMethod is email"),
    ({"email": "not-an-email"}, "email: must be an email address"),
    ({"loginMethod": "sms"}, "loginMethod: Input should be 'email' or 'ref'"),
    ({"role": "owner"}, "role: Input should be 'administrator', 'learneradmin' or 'learner'"),
    ({"sso": "true"}, "sso: Input should be a valid boolean"),
    ({"startDate": "19/08/2021"}, "startDate: must be an ISO 8601 date-time"),
    ({"startDate": 1629396000}, "startDate: must be an ISO 8601 date-time string"),
    ({"additionalFields": ["a"]}, "additionalFields: Input should be a valid dictionary"),
    ({"timeZone": None}, "timeZone must not be null"),
]


def test_create_user_rejects_bad_fields(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for change, message in _CREATE_USER_REJECTS_BAD_FIELDS:
        with subtests.test(msg=repr((change, message))[:120]):
            response = client.post(f"{V2}/users", headers=AUTH, json={**THOMAS, **change})
            assert (response.status_code, response.json()) == (422, error(422, message))
            assert search(client)["pagination"]["totalResults"] == 9


def test_create_user_requires_ref_and_names(client: httpx.Client) -> None:
    response = client.post(f"{V2}/users", headers=AUTH, json={"email": "x@demo.example"})
    assert response.json() == error(422, "firstName: Field required; lastName: Field required; "
                                         "ref: Field required")


_CREATE_USER_DUPLICATES_ARE_409 = [
    ({"ref": "EMP002"}, "A user with ref 'EMP002' already exists"),
    ({"email": "BEN.Learner@demo.example"},
     "A user with email 'BEN.Learner@demo.example' already exists"),
]


def test_create_user_duplicates_are_409(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for change, message in _CREATE_USER_DUPLICATES_ARE_409:
        with subtests.test(msg=repr((change, message))[:120]):
            response = client.post(f"{V2}/users", headers=AUTH, json={**THOMAS, **change})
            assert (response.status_code, response.json()) == (409, error(409, message))


# --- v2 update, suspend, delete --------------------------------------------------------------


def test_update_changes_only_what_is_sent(client: httpx.Client) -> None:
    made = create(client)
    response = client.patch(f"{V2}/users/ref/UID30084022", headers=AUTH, json={
        "jobTitle": "President", "managerRef": None, "additionalFields": {"team": "Exec"},
        "ref": "IGNORED"})
    assert response.status_code == 200
    assert response.json() == lifecycle(made["id"], jobTitle="President", managerRef=None,
                                        additionalFields={"team": "Exec"})


_UPDATE_ERRORS = [
    ("EMP007", {"loginMethod": "email"}, 422, "email is required when loginMethod is email"),
    ("EMP002", {"firstName": None}, 422, "firstName must not be null"),
    ("EMP002", {"email": "cara.learner@demo.example"}, 409,
     "A user with email 'cara.learner@demo.example' already exists"),
    ("NOPE", {"jobTitle": "x"}, 404, "User with ref 'NOPE' not found"),
    ("EMP002", [], 400, "Request body must be a JSON object"),
]


def test_update_errors(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for ref, body, status, message in _UPDATE_ERRORS:
        with subtests.test(msg=repr((ref, body, status, message))[:120]):
            response = client.patch(f"{V2}/users/ref/{ref}", headers=AUTH, json=body)
            assert (response.status_code, response.json()) == (status, error(status, message))
            assert client.get(f"{V1}/user/{USERS['ben']}", headers=AUTH).json() == BEN


def test_update_does_not_unsuspend(client: httpx.Client) -> None:
    response = client.patch(f"{V2}/users/ref/EMP006", headers=AUTH, json={"jobTitle": "Temp"})
    assert (response.json()["active"], response.json()["jobTitle"]) == (False, "Temp")


def test_suspend_user(client: httpx.Client) -> None:
    response = client.patch(f"{V2}/users/ref/EMP002/suspend", headers=AUTH,
                            json={"endDate": "2026-11-30T17:00:00Z"})
    assert response.status_code == 200
    v1 = client.get(f"{V1}/user/{USERS['ben']}", headers=AUTH).json()
    assert response.json() == {
        "id": USERS["ben"], "loginMethod": "email", "ref": "EMP002",
        "email": "ben.learner@demo.example", "firstName": "Ben", "lastName": "Learner",
        "role": "learner", "jobTitle": "Software Engineer", "managerRef": "EMP005",
        "startDate": "2021-08-19T18:00:00.000Z", "endDate": "2026-11-30T17:00:00.000Z",
        "domain": None, "timeZone": "Europe/London", "languageCode": "en-gb", "active": False,
        "createdAt": "2025-09-01T08:00:01.000Z", "updatedAt": NOW, "sso": False,
        "additionalFields": {"department": "Engineering", "location": "Manchester"}}
    assert v1 == {**BEN, "status": "inactive", "updatedAt": NOW, "positions": [{
        **BEN_POSITION, "isActive": False, "endDate": "2026-11-30T17:00:00.000Z",
        "updatedAt": NOW}]}
    advance(client, 60)
    again = client.patch(f"{V2}/users/ref/EMP002/suspend", headers=AUTH, json={})
    assert again.json() == response.json()
    later = client.patch(f"{V2}/users/ref/EMP002/suspend", headers=AUTH,
                         json={"endDate": "2026-12-01T00:00:00Z"})
    assert later.json() == {**response.json(), "endDate": "2026-12-01T00:00:00.000Z",
                            "updatedAt": "2026-12-01T10:01:00.000Z"}


_SUSPEND_ERRORS = [
    ("NOPE", b"{}", 404, "User with ref 'NOPE' not found"),
    ("EMP002", b'{"endDate": "soon"}', 422, "endDate: must be an ISO 8601 date-time"),
    ("EMP002", b"", 400, "Request body is not valid JSON"),
]


def test_suspend_errors(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for ref, content, status, message in _SUSPEND_ERRORS:
        with subtests.test(msg=repr((ref, content, status, message))[:120]):
            response = client.patch(f"{V2}/users/ref/{ref}/suspend", content=content,
                                    headers={**AUTH, "Content-Type": "application/json"})
            assert (response.status_code, response.json()) == (status, error(status, message))


def test_delete_user_obfuscates_and_keeps_history(client: httpx.Client) -> None:
    response = client.delete(f"{V2}/users/ref/EMP002", headers=AUTH)
    assert (response.status_code, response.content) == (204, b"")
    v1 = client.get(f"{V1}/user/{USERS['ben']}", headers=AUTH).json()
    assert v1 == {**BEN, "ref": None, "firstName": "Deleted", "lastName": "User", "email": None,
                  "status": "inactive", "deleted": True, "updatedAt": NOW, "audiences": [],
                  "positions": [{**BEN_POSITION, "isActive": False, "updatedAt": NOW}]}
    assert search(client)["results"][1] == v1
    assert client.get(f"{V1}/users/ref/EMP002", headers=AUTH).status_code == 404
    again = client.delete(f"{V2}/users/ref/EMP002", headers=AUTH)
    assert (again.status_code, again.json()) == (404,
                                                 error(404, "User with ref 'EMP002' not found"))
    completions = client.get(f"{V1}/learning/completions?userId={USERS['ben']}", headers=AUTH)
    assert len(completions.json()) == 1
    members = client.get(f"{V1}/audiences/engineering/members", headers=AUTH).json()
    assert USERS["ben"] not in [m["userId"] for m in members["results"]]
    # The ref and the email are free again.
    reused = create(client, ref="EMP002", email="ben.learner@demo.example")
    assert reused["id"] != USERS["ben"]


def test_delete_removes_the_user_from_manager_lists(client: httpx.Client) -> None:
    assert client.delete(f"{V2}/users/ref/EMP005", headers=AUTH).status_code == 204
    assert client.get(f"{V1}/audiences/engineering/managers", headers=AUTH).json() == []


def test_delete_unknown_user_is_404(client: httpx.Client) -> None:
    response = client.delete(f"{V2}/users/ref/NOPE", headers=AUTH)
    assert (response.status_code, response.json()) == (404,
                                                       error(404, "User with ref 'NOPE' not found"))


def test_lifecycle_writes_are_v2_only(client: httpx.Client) -> None:
    response = client.post(f"{V1}/users", headers=AUTH, json=THOMAS)
    assert (response.status_code, response.json()) == (
        404, error(404, "No route for POST /rest/v1/users"))
    assert client.get(f"{V2}/users/ref/EMP002", headers=AUTH).status_code == 404
