"""Audiences and structures: CRUD, members and managers (200 and 207), API control."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.thrive.support import (
    ASSIGNMENTS,
    AUDIENCES,
    AUTH,
    MISSING_ID,
    NOW,
    USERS,
    V1,
    error,
    read,
)

CREATED = "2025-09-10T09:00:00.000Z"
COMPANY = {"id": AUDIENCES["company"], "name": "Demo Company", "reference": "demo-company",
           "apiControlled": True, "category": "structure", "type": "manual", "parent": None,
           "createdAt": CREATED, "updatedAt": CREATED}
PARENT = {"name": "Demo Company", "reference": "demo-company", "id": AUDIENCES["company"]}
ENGINEERING = {"id": AUDIENCES["eng"], "name": "Engineering", "reference": "engineering",
               "apiControlled": True, "category": "audience", "type": "manual",
               "parent": PARENT, "createdAt": "2025-09-10T09:00:01.000Z",
               "updatedAt": "2025-09-10T09:00:01.000Z"}
NOTHING = {"audienceManager": {"manageContent": False, "assignments": False},
           "peopleManager": {"canViewLearnPage": False, "insights": False, "manage": False},
           "administrator": {"canAddAudienceManagers": False}}
EVE_RIGHTS = {"audienceManager": {"manageContent": False, "assignments": True},
              "peopleManager": {"canViewLearnPage": True, "insights": True, "manage": False},
              "administrator": {"canAddAudienceManagers": False}}


def person(user: str, ref: str, email: str | None) -> dict[str, Any]:
    return {"userId": USERS[user], "reference": ref, "email": email}


BEN = person("ben", "EMP002", "ben.learner@demo.example")
CARA = person("cara", "EMP003", "cara.learner@demo.example")
DAN = person("dan", "EMP004", "dan.learner@demo.example")
FINN = person("finn", "EMP006", "finn.suspended@demo.example")
ADA = person("ada", "EMP001", "ada.admin@demo.example")
EVE = person("eve", "EMP005", "eve.manager@demo.example")


def members(client: httpx.Client, audience: str, query: str = "") -> dict[str, Any]:
    body: dict[str, Any] = read(client, f"{V1}/audiences/{audience}/members{query}")
    return body


def member_ids(client: httpx.Client, audience: str) -> list[str]:
    return [m["userId"] for m in members(client, audience)["results"]]


def managers(client: httpx.Client, audience: str) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = read(client, f"{V1}/audiences/{audience}/managers")
    return body


def success(*references: str) -> dict[str, Any]:
    return {"count": len(references), "entities": [{"reference": r} for r in references]}


def failure(*references: str) -> dict[str, Any]:
    return {"count": len(references),
            "entities": [{"reason": "User not found", "reference": r} for r in references]}


pytestmark = pytest.mark.usefixtures("frozen")


# --- read ------------------------------------------------------------------------------------


def test_get_audiences(client: httpx.Client) -> None:
    response = client.get(f"{V1}/audiences", headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["pagination"] == {"totalResults": 5, "totalPages": 1, "page": 1, "perPage": 100}
    assert body["results"][:2] == [COMPANY, ENGINEERING]
    assert [a["reference"] for a in body["results"]] == [
        "demo-company", "engineering", "sales", "hr-ui", "new-starters"]
    assert body["results"][4]["type"] == "smart"


_GET_AUDIENCES_FILTERS = [
    ("?apiControlled=true", ["demo-company", "engineering", "sales"]),
    ("?apiControlled=FALSE", ["hr-ui", "new-starters"]),
    ("?limit=2&page=2", ["sales", "hr-ui"]),
    ("?perPage=4&page=2", ["new-starters"]),
    (f"?updatedSince={NOW}", []),
]


def test_get_audiences_filters(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for query, references in _GET_AUDIENCES_FILTERS:
        with subtests.test(msg=repr((query, references))[:120]):
            body = client.get(f"{V1}/audiences{query}", headers=AUTH).json()
            assert [a["reference"] for a in body["results"]] == references


def test_get_audiences_rejects_a_bad_flag(client: httpx.Client) -> None:
    response = client.get(f"{V1}/audiences?apiControlled=maybe", headers=AUTH)
    assert response.json() == error(422, "apiControlled must be true or false")


@pytest.mark.parametrize("key", [AUDIENCES["eng"], "engineering"])
def test_get_audience_by_id_or_reference(client: httpx.Client, key: str) -> None:
    response = client.get(f"{V1}/audiences/{key}", headers=AUTH)
    assert (response.status_code, response.json()) == (200, ENGINEERING)


def test_get_unknown_audience_is_404(client: httpx.Client) -> None:
    for key in (MISSING_ID, "no-such-audience"):
        response = client.get(f"{V1}/audiences/{key}", headers=AUTH)
        assert (response.status_code, response.json()) == (404, error(404, "Audience not found"))


# --- create, update, delete ------------------------------------------------------------------


def test_add_structure_then_child_audience(client: httpx.Client) -> None:
    response = client.post(f"{V1}/audiences", headers=AUTH,
                           json={"name": "Operations", "reference": "ops"})
    assert response.status_code == 201
    ops = response.json()
    assert ops == {"id": ops["id"], "name": "Operations", "reference": "ops",
                   "apiControlled": True, "category": "structure", "type": "manual",
                   "parent": None, "createdAt": NOW, "updatedAt": NOW}
    child = client.post(f"{V1}/audiences", headers=AUTH,
                        json={"name": "Warehouse", "reference": "warehouse", "parentId": "ops"})
    assert child.status_code == 201
    body = child.json()
    assert body == {"id": body["id"], "name": "Warehouse", "reference": "warehouse",
                    "apiControlled": True, "category": "audience", "type": "manual",
                    "parent": {"name": "Operations", "reference": "ops", "id": ops["id"]},
                    "createdAt": NOW, "updatedAt": NOW}
    assert client.get(f"{V1}/audiences/warehouse", headers=AUTH).json() == body


_ADD_AUDIENCE_ERRORS = [
    ({}, 422, "name: Field required; reference: Field required"),
    ({"name": "x" * 101, "reference": "long"}, 422,
     "name: String should have at most 100 characters"),
    ({"name": "X", "reference": "  "}, 422, "reference: String should have at least 1 character"),
    ({"name": "X", "reference": "x", "category": "team"}, 422,
     "category: Input should be 'structure' or 'audience'"),
    ({"name": "X", "reference": "x", "category": "structure", "parentId": "demo-company"}, 422,
     "parentId: a structure cannot have a parent"),
    ({"name": "X", "reference": "x", "category": "audience"}, 422,
     "parentId: an audience needs a parent structure"),
    ({"name": "X", "reference": "x", "parentId": "engineering"}, 422,
     "parentId: 'engineering' is not an API-controlled structure"),
    ({"name": "X", "reference": "x", "parentId": "hr-ui"}, 422,
     "parentId: 'hr-ui' is not an API-controlled structure"),
    ({"name": "X", "reference": "x", "parentId": MISSING_ID}, 422,
     f"parentId: '{MISSING_ID}' is not an API-controlled structure"),
    ({"name": "Sales 2", "reference": "sales"}, 409,
     "An audience with reference 'sales' already exists"),
    (["x"], 400, "Request body must be a JSON object"),
]


def test_add_audience_errors(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for body, status, message in _ADD_AUDIENCE_ERRORS:
        with subtests.test(msg=repr((body, status, message))[:120]):
            response = client.post(f"{V1}/audiences", headers=AUTH, json=body)
            assert (response.status_code, response.json()) == (status, error(status, message))
            assert client.get(f"{V1}/audiences", headers=AUTH).json()["pagination"][
                "totalResults"] == 5


def test_update_audience(client: httpx.Client) -> None:
    response = client.patch(f"{V1}/audiences/engineering", headers=AUTH,
                            json={"name": "Engineering & Data", "reference": "eng-data"})
    assert response.status_code == 200
    assert response.json() == {**ENGINEERING, "name": "Engineering & Data",
                               "reference": "eng-data", "updatedAt": NOW,
                               "memberOperations": None}
    assert client.get(f"{V1}/audiences/engineering", headers=AUTH).status_code == 404


def test_moving_an_audience_keeps_its_members(client: httpx.Client) -> None:
    ops = client.post(f"{V1}/audiences", headers=AUTH,
                      json={"name": "Operations", "reference": "ops"}).json()
    response = client.patch(f"{V1}/audiences/sales", headers=AUTH, json={"parentId": ops["id"]})
    assert response.status_code == 200
    assert response.json()["parent"] == {"name": "Operations", "reference": "ops",
                                         "id": ops["id"]}
    assert member_ids(client, "sales") == [USERS["eve"], USERS["hana"]]


_UPDATE_AUDIENCE_ERRORS = [
    ("demo-company", {"parentId": "engineering"}, 422, "parentId: a structure cannot be moved"),
    ("sales", {"parentId": None}, 422, "parentId: an audience needs a parent structure"),
    ("sales", {"parentId": "engineering"}, 422,
     "parentId: 'engineering' is not an API-controlled structure"),
    ("sales", {"reference": "engineering"}, 409,
     "An audience with reference 'engineering' already exists"),
    ("sales", {"name": None}, 422, "name must not be null"),
    ("hr-ui", {"name": "HR"}, 403,
     "This audience is not API-controlled and cannot be changed through the API"),
    ("new-starters", {"name": "Starters"}, 403,
     "This audience is not API-controlled and cannot be changed through the API"),
    (MISSING_ID, {"name": "X"}, 404, "Audience not found"),
]


def test_update_audience_errors(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for key, body, status, message in _UPDATE_AUDIENCE_ERRORS:
        with subtests.test(msg=repr((key, body, status, message))[:120]):
            response = client.patch(f"{V1}/audiences/{key}", headers=AUTH, json=body)
            assert (response.status_code, response.json()) == (status, error(status, message))


def test_update_keeps_own_reference_and_allows_structure_null_parent(
        client: httpx.Client) -> None:
    response = client.patch(f"{V1}/audiences/demo-company", headers=AUTH,
                            json={"reference": "demo-company", "parentId": None})
    assert response.json() == {**COMPANY, "updatedAt": NOW, "memberOperations": None}


def test_delete_audience_drops_members_and_assignments(client: httpx.Client) -> None:
    response = client.delete(f"{V1}/audiences/engineering", headers=AUTH)
    assert (response.status_code, response.content) == (204, b"")
    assert client.get(f"{V1}/audiences/engineering", headers=AUTH).status_code == 404
    assignment = client.get(f"{V1}/assignments/{ASSIGNMENTS['safety']}", headers=AUTH).json()
    assert (assignment["isDeleted"], assignment["deletedAt"]) == (True, NOW)
    enrolments = client.get(f"{V1}/assignments/{ASSIGNMENTS['safety']}/enrolments",
                            headers=AUTH).json()
    assert {e["status"] for e in enrolments} == {"archived"}
    ben = client.get(f"{V1}/user/{USERS['ben']}", headers=AUTH).json()
    assert ben["audiences"] == []
    by_id = client.get(f"{V1}/assignments?audienceId={AUDIENCES['eng']}", headers=AUTH).json()
    assert [a["id"] for a in by_id] == [ASSIGNMENTS["safety"]]


_DELETE_AUDIENCE_ERRORS = [
    ("demo-company", 409, "Audience has child audiences; delete them first: engineering, sales"),
    ("hr-ui", 403, "This audience is not API-controlled and cannot be changed through the API"),
    ("no-such-audience", 404, "Audience not found"),
]


def test_delete_audience_errors(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for key, status, message in _DELETE_AUDIENCE_ERRORS:
        with subtests.test(msg=repr((key, status, message))[:120]):
            response = client.delete(f"{V1}/audiences/{key}", headers=AUTH)
            assert (response.status_code, response.json()) == (status, error(status, message))
            assert client.get(f"{V1}/audiences", headers=AUTH).json()["pagination"][
                "totalResults"] == 5


# --- members ---------------------------------------------------------------------------------


def test_get_members(client: httpx.Client) -> None:
    assert members(client, "engineering") == {
        "results": [BEN, CARA, DAN, FINN],
        "pagination": {"totalResults": 4, "totalPages": 1, "page": 1, "perPage": 100}}
    assert members(client, AUDIENCES["eng"], "?perPage=3&page=2") == {
        "results": [FINN],
        "pagination": {"totalResults": 4, "totalPages": 2, "page": 2, "perPage": 3}}
    # A structure lists its own members, not its children's.
    assert members(client, "demo-company")["results"] == [ADA, EVE]
    assert members(client, "new-starters")["results"] == [person("gus", "EMP007", None)]
    missing = client.get(f"{V1}/audiences/nowhere/members", headers=AUTH)
    assert (missing.status_code, missing.json()) == (404, error(404, "Audience not found"))


def test_add_members_all_resolved_is_200(client: httpx.Client) -> None:
    response = client.post(f"{V1}/audiences/sales/members", headers=AUTH, json=[
        "EMP002", "CARA.learner@demo.example", USERS["dan"], "EMP005"])
    assert response.status_code == 200
    assert response.json() == {"success": success(
        "EMP002", "CARA.learner@demo.example", USERS["dan"], "EMP005")}
    assert member_ids(client, "sales") == [USERS[u] for u in ("eve", "hana", "ben", "cara",
                                                              "dan")]


def test_add_members_with_failures_is_207(client: httpx.Client) -> None:
    response = client.post(f"{V1}/audiences/sales/members", headers=AUTH,
                           json=["EMP002", "nobody@demo.example", USERS["gone"], ""])
    assert response.status_code == 207
    assert response.json() == {"success": success("EMP002"),
                               "failure": failure("nobody@demo.example", USERS["gone"], "")}
    assert USERS["ben"] in member_ids(client, "sales")


def test_add_members_all_failed_is_still_207(client: httpx.Client) -> None:
    response = client.post(f"{V1}/audiences/sales/members", headers=AUTH, json=["ghost"])
    assert response.status_code == 207
    assert response.json() == {"success": success(), "failure": failure("ghost")}


def test_replace_members(client: httpx.Client) -> None:
    response = client.patch(f"{V1}/audiences/engineering/members", headers=AUTH,
                            json=["EMP004", "EMP001", "ghost"])
    assert response.status_code == 207
    assert response.json() == {"success": success("EMP004", "EMP001"),
                               "failure": failure("ghost")}
    assert member_ids(client, "engineering") == [USERS["dan"], USERS["ada"]]
    full = client.patch(f"{V1}/audiences/engineering/members", headers=AUTH, json=["EMP002"])
    assert (full.status_code, full.json()) == (200, {"success": success("EMP002")})
    assert member_ids(client, "engineering") == [USERS["ben"]]


_MEMBER_WRITE_ERRORS = [
    ("POST", "sales", [], 422, "List should have at least 1 item after validation, not 0"),
    ("PATCH", "sales", [], 422, "List should have at least 1 item after validation, not 0"),
    ("POST", "sales", ["EMP002"] * 101, 422,
     "List should have at most 100 items after validation, not 101"),
    ("POST", "sales", ["EMP002", 7], 422, "[1]: Input should be a valid string"),
    ("POST", "sales", {"members": ["EMP002"]}, 400, "Request body must be a JSON array"),
    ("POST", "new-starters", ["EMP002"], 403,
     "This audience is not API-controlled and cannot be changed through the API"),
    ("PATCH", "hr-ui", ["EMP002"], 403,
     "This audience is not API-controlled and cannot be changed through the API"),
    ("POST", "nowhere", ["EMP002"], 404, "Audience not found"),
]


def test_member_write_errors(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for method, key, body, status, message in _MEMBER_WRITE_ERRORS:
        with subtests.test(msg=repr((method, key, body, status, message))[:120]):
            response = client.request(method, f"{V1}/audiences/{key}/members", headers=AUTH,
                                      json=body)
            assert (response.status_code, response.json()) == (status, error(status, message))
            assert member_ids(client, "sales") == [USERS["eve"], USERS["hana"]]


@pytest.mark.parametrize("key", ["EMP003", "cara.learner%40demo.example", USERS["cara"]])
def test_remove_member_by_ref_email_or_id(client: httpx.Client, key: str) -> None:
    response = client.delete(f"{V1}/audiences/engineering/members/{key}", headers=AUTH)
    assert (response.status_code, response.content) == (204, b"")
    assert member_ids(client, "engineering") == [USERS["ben"], USERS["dan"], USERS["finn"]]


def test_remove_someone_not_on_the_list_is_404(client: httpx.Client) -> None:
    for key in ("EMP001", "ghost"):
        response = client.delete(f"{V1}/audiences/engineering/members/{key}", headers=AUTH)
        assert (response.status_code, response.json()) == (
            404, error(404, "User is not a member of this audience"))


# --- managers --------------------------------------------------------------------------------


def test_get_managers_is_a_bare_array(client: httpx.Client) -> None:
    assert managers(client, "engineering") == [{**EVE, "permissions": EVE_RIGHTS}]
    assert managers(client, "demo-company") == [{**ADA, "permissions": {
        "audienceManager": {"manageContent": True, "assignments": True},
        "peopleManager": {"canViewLearnPage": True, "insights": True, "manage": True},
        "administrator": {"canAddAudienceManagers": True}}}]
    assert managers(client, "sales") == []


def test_add_managers(client: httpx.Client) -> None:
    rights = {"audienceManager": {"manageContent": True},
              "administrator": {"canAddAudienceManagers": True}}
    response = client.post(f"{V1}/audiences/engineering/managers", headers=AUTH, json=[
        {"reference": "ben.learner@demo.example", "permissions": rights},
        {"reference": "EMP005"}, {"reference": "ghost", "permissions": rights}])
    assert response.status_code == 207
    assert response.json() == {"success": success("ben.learner@demo.example", "EMP005"),
                               "failure": failure("ghost")}
    # A child audience ignores `administrator`; Eve's rights were replaced by the defaults.
    assert managers(client, "engineering") == [
        {**EVE, "permissions": NOTHING},
        {**BEN, "permissions": {**NOTHING, "audienceManager": {"manageContent": True,
                                                               "assignments": False}}}]
    on_structure = client.post(f"{V1}/audiences/demo-company/managers", headers=AUTH,
                               json=[{"reference": "EMP002", "permissions": rights}])
    assert (on_structure.status_code, on_structure.json()) == (200,
                                                               {"success": success("EMP002")})
    assert managers(client, "demo-company")[1]["permissions"]["administrator"] == {
        "canAddAudienceManagers": True}


def test_replace_managers(client: httpx.Client) -> None:
    response = client.patch(f"{V1}/audiences/engineering/managers", headers=AUTH,
                            json=[{"reference": "EMP001"}])
    assert (response.status_code, response.json()) == (200, {"success": success("EMP001")})
    assert managers(client, "engineering") == [{**ADA, "permissions": NOTHING}]


_MANAGER_WRITE_ERRORS = [
    ("PATCH", "engineering", [], 422, "List should have at least 1 item after validation, not 0"),
    ("POST", "engineering", [{"permissions": {}}], 422, "[0].reference: Field required"),
    ("POST", "engineering", [{"reference": "EMP002", "permissions": {
        "peopleManager": {"insights": "yes"}}}], 422,
     "[0].permissions.peopleManager.insights: Input should be a valid boolean"),
    ("POST", "engineering", ["EMP002"], 422,
     "[0]: Input should be a valid dictionary or instance of ManagerInput"),
    ("POST", "engineering", {"reference": "EMP002"}, 400, "Request body must be a JSON array"),
    ("POST", "hr-ui", [{"reference": "EMP002"}], 403,
     "This audience is not API-controlled and cannot be changed through the API"),
]


def test_manager_write_errors(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for method, key, body, status, message in _MANAGER_WRITE_ERRORS:
        with subtests.test(msg=repr((method, key, body, status, message))[:120]):
            response = client.request(method, f"{V1}/audiences/{key}/managers", headers=AUTH,
                                      json=body)
            assert (response.status_code, response.json()) == (status, error(status, message))
            assert managers(client, "engineering") == [{**EVE, "permissions": EVE_RIGHTS}]


def test_remove_manager(client: httpx.Client) -> None:
    response = client.delete(f"{V1}/audiences/engineering/managers/EMP005", headers=AUTH)
    assert (response.status_code, response.content) == (204, b"")
    assert managers(client, "engineering") == []
    again = client.delete(f"{V1}/audiences/engineering/managers/EMP005", headers=AUTH)
    assert (again.status_code, again.json()) == (404, error(
        404, "User is not a manager of this audience"))
