"""Groups: lists, details with members, create/rename/delete and member updates."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import (
    AUTHOR,
    DEPT_ADMIN,
    G_ALL_SALES,
    G_MARKETING,
    G_MENTORS,
    G_NEW_HIRES,
    JSON,
    MARKETING,
    OWNER,
    SALES,
    SALES_EAST,
    U_ALICE,
    U_BOB,
    U_CAROL,
    U_DAVE,
    U_DEPT_ADMIN,
    U_LEARNER,
    UNKNOWN,
    XML_BODY,
    assert_error,
    created_id,
    xml,
)

GROUPS = [
    {"groupId": G_NEW_HIRES, "name": "New Hires", "isSmart": False},
    {"groupId": G_MARKETING, "name": "Marketing Team", "isSmart": False},
    {"groupId": G_MENTORS, "name": "Mentors", "isSmart": False},
    {"groupId": G_ALL_SALES, "name": "All of Sales", "isSmart": True},
]


def get_json(client: httpx.Client, path: str, headers: dict[str, str] = OWNER) -> Any:
    response = client.get(f"/ispring{path}", headers={**headers, **JSON})
    assert response.status_code == 200, response.text
    return response.json()


def detailed(group_id: str, name: str, members: list[str]) -> dict[str, Any]:
    return {"usersCount": len(members), "userIds": members, "groupId": group_id, "name": name,
            "isSmart": False}


def test_get_groups(client: httpx.Client) -> None:
    assert get_json(client, "/group") == GROUPS
    response = client.get("/ispring/group", headers=OWNER)
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response>'
        f"<group><groupId>{G_NEW_HIRES}</groupId><name>New Hires</name><isSmart>0</isSmart>"
        f"</group><group><groupId>{G_MARKETING}</groupId><name>Marketing Team</name>"
        f"<isSmart>0</isSmart></group><group><groupId>{G_MENTORS}</groupId><name>Mentors</name>"
        f"<isSmart>0</isSmart></group><group><groupId>{G_ALL_SALES}</groupId>"
        "<name>All of Sales</name><isSmart>1</isSmart></group></response>")


def test_list_groups_pages(client: httpx.Client) -> None:
    first = get_json(client, "/groups?pageSize=2")
    token = first["nextPageToken"]
    assert first == {"groups": GROUPS[:2], "nextPageToken": token}
    second = client.get(f"/ispring/groups?pageSize=2&pageToken={token}", headers=OWNER)
    assert xml(second) == {"response": {"groups": {"group": [
        {"groupId": G_MENTORS, "name": "Mentors", "isSmart": "0"},
        {"groupId": G_ALL_SALES, "name": "All of Sales", "isSmart": "1"}]}}}


def test_get_group(client: httpx.Client) -> None:
    response = client.get(f"/ispring/group/{G_NEW_HIRES}", headers=OWNER)
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><group><usersCount>2</usersCount>'
        f"<userIds><id>{U_ALICE}</id><id>{U_BOB}</id></userIds><groupId>{G_NEW_HIRES}</groupId>"
        "<name>New Hires</name><isSmart>0</isSmart></group></response>")
    assert get_json(client, f"/group/{G_NEW_HIRES}") == detailed(G_NEW_HIRES, "New Hires",
                                                                 [U_ALICE, U_BOB])
    assert xml(client.get(f"/ispring/group/{G_MENTORS}", headers=OWNER)) == {"response": {
        "group": {"usersCount": "0", "userIds": None, "groupId": G_MENTORS, "name": "Mentors",
                  "isSmart": "0"}}}


def test_get_group_by_scoped_roles(client: httpx.Client) -> None:
    # Department administrators see the members of their departments; authors only the count.
    assert get_json(client, f"/group/{G_MARKETING}", DEPT_ADMIN) == detailed(
        G_MARKETING, "Marketing Team", [])
    assert get_json(client, f"/group/{G_MARKETING}", AUTHOR) == {
        "usersCount": 2, "groupId": G_MARKETING, "name": "Marketing Team", "isSmart": False}


@pytest.mark.parametrize("group_id", [UNKNOWN, "nope"])
def test_get_unknown_group(client: httpx.Client, group_id: str) -> None:
    assert_error(client.get(f"/ispring/group/{group_id}", headers=OWNER), 404, "Unknown group")


def test_add_group_doc_sample(client: httpx.Client) -> None:
    body = (f"<request><name>New Hires 2</name><userIds><id>{U_CAROL}</id><id>{U_BOB}</id>"
            "</userIds></request>")
    new_id = created_id(client.post("/ispring/group", content=body,
                                    headers={**OWNER, **XML_BODY}))
    assert get_json(client, f"/group/{new_id}") == detailed(new_id, "New Hires 2",
                                                            sorted([U_CAROL, U_BOB]))


def test_add_group_json_without_members(client: httpx.Client) -> None:
    response = client.post("/ispring/group", json={"name": "Empty"}, headers={**OWNER, **JSON})
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    new_id = response.json()
    assert get_json(client, f"/group/{new_id}") == detailed(new_id, "Empty", [])


@pytest.mark.parametrize(("headers", "body", "status", "message"), [
    (OWNER, {}, 400, "Wrong parameters: name is required"),
    (OWNER, {"name": "X", "userIds": [UNKNOWN]}, 400, f"Unknown user: {UNKNOWN}"),
    (OWNER, {"name": "X", "userIds": "not-a-uuid"}, 400,
     "Wrong parameters: userIds is not a valid ID: not-a-uuid"),
    (DEPT_ADMIN, {"name": "X", "userIds": [U_ALICE, U_CAROL]}, 403, "Permission denied"),
    (AUTHOR, {"name": "X"}, 403, "Permission denied"),
])
def test_add_group_errors(client: httpx.Client, headers: dict[str, str], body: dict[str, Any],
                          status: int, message: str) -> None:
    assert_error(client.post("/ispring/group", json=body, headers=headers), status, message)
    assert get_json(client, "/group") == GROUPS


def test_update_group(client: httpx.Client) -> None:
    response = client.post(f"/ispring/group/{G_MENTORS}", json={"name": "Coaches"},
                           headers=OWNER)
    assert response.status_code == 200
    assert response.content == b""
    assert get_json(client, "/group")[2] == {"groupId": G_MENTORS, "name": "Coaches",
                                             "isSmart": False}
    assert_error(client.post(f"/ispring/group/{G_MENTORS}", json={}, headers=OWNER), 400,
                 "Wrong parameters: name is required")
    assert_error(client.post(f"/ispring/group/{UNKNOWN}", json={"name": "X"}, headers=OWNER),
                 404, "Unknown group")


def test_remove_group(client: httpx.Client) -> None:
    response = client.delete(f"/ispring/group/{G_NEW_HIRES}", headers=OWNER)
    assert response.status_code == 204
    assert get_json(client, "/group") == GROUPS[1:]
    assert get_json(client, f"/user/{U_ALICE}")["groups"] == [G_ALL_SALES]
    assert_error(client.delete(f"/ispring/group/{G_NEW_HIRES}", headers=OWNER), 404,
                 "Unknown group")


def test_update_group_members_replaces_them(client: httpx.Client) -> None:
    response = client.post(f"/ispring/group/{G_NEW_HIRES}/members",
                           json={"userIds": [U_CAROL, U_BOB]}, headers=OWNER)
    assert response.status_code == 200
    assert get_json(client, f"/group/{G_NEW_HIRES}") == detailed(G_NEW_HIRES, "New Hires",
                                                                 [U_BOB, U_CAROL])
    cleared = client.post(f"/ispring/group/{G_NEW_HIRES}/members", json={"userIds": []},
                          headers=OWNER)
    assert cleared.status_code == 200
    assert get_json(client, f"/group/{G_NEW_HIRES}")["usersCount"] == 0


def test_scoped_member_update_keeps_members_it_cannot_see(client: httpx.Client) -> None:
    assert client.post(f"/ispring/group/{G_MARKETING}/members", json={"userIds": [U_ALICE]},
                       headers=DEPT_ADMIN).status_code == 200
    assert get_json(client, f"/group/{G_MARKETING}") == detailed(
        G_MARKETING, "Marketing Team", sorted([U_ALICE, U_CAROL, U_DAVE]))


def test_update_group_members_errors(client: httpx.Client) -> None:
    assert_error(client.post(f"/ispring/group/{UNKNOWN}/members", json={"userIds": [U_BOB]},
                             headers=OWNER), 404, "Unknown group")
    assert_error(client.post(f"/ispring/group/{G_MENTORS}/members",
                             json={"userIds": [U_BOB, UNKNOWN]}, headers=OWNER), 400,
                 f"Unknown user: {UNKNOWN}")
    assert_error(client.post(f"/ispring/group/{G_MENTORS}/members",
                             json={"userIds": [U_CAROL]}, headers=DEPT_ADMIN), 403,
                 "Permission denied")
    assert get_json(client, f"/group/{G_MENTORS}")["usersCount"] == 0


# -- smart groups ---------------------------------------------------------------------------------

ALL_SALES_RULES = {"and": [{"or": [{"rule": {"attributeType": 1, "operator": 2,
                                             "value": SALES}}]}]}


def test_smart_group_members_follow_the_rules(client: httpx.Client) -> None:
    assert get_json(client, f"/group/{G_ALL_SALES}") == {
        "usersCount": 4, "userIds": [U_DEPT_ADMIN, U_LEARNER, U_ALICE, U_BOB],
        "groupId": G_ALL_SALES, "name": "All of Sales", "isSmart": True}
    # Moving Carol into Sales East makes her a member.
    client.post(f"/ispring/department/{SALES_EAST}/user/move", json={"userIds": [U_CAROL]},
                headers=OWNER)
    assert U_CAROL in get_json(client, f"/group/{G_ALL_SALES}")["userIds"]
    users = get_json(client, f"/user?groups[]={G_ALL_SALES}&groups[]={G_MARKETING}")
    assert [u["userId"] for u in users] == [U_DEPT_ADMIN, U_LEARNER, U_ALICE, U_BOB, U_CAROL,
                                            U_DAVE]


def test_get_smart_group_rules(client: httpx.Client) -> None:
    assert get_json(client, f"/group/smart/{G_ALL_SALES}/rules") == {
        "groupId": G_ALL_SALES, "rules": ALL_SALES_RULES}
    response = client.get(f"/ispring/group/smart/{G_ALL_SALES}/rules", headers=OWNER)
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response>'
        f"<groupId>{G_ALL_SALES}</groupId><rules><and><or><rule>"
        "<attributeType>1</attributeType><operator>2</operator>"
        f"<value>{SALES}</value></rule></or></and></rules></response>")
    for group_id in (G_MENTORS, UNKNOWN):
        assert_error(client.get(f"/ispring/group/smart/{group_id}/rules", headers=OWNER), 404,
                     "Unknown group")


def test_add_smart_group_in_xml(client: httpx.Client) -> None:
    # Members of Sales only (not Sales East) who are in New Hires, or anyone whose office is
    # Berlin: two `or` rules inside the first `and`, a second `and` narrowing to New Hires.
    body = (
        "<request><name>Sales hires</name><rules>"
        f"<and><or><rule><attributeType>1</attributeType><operator>1</operator><value>{SALES}"
        "</value></rule></or><or><rule><attributeType>3</attributeType>"
        "<attributeId>user_defined_field2</attributeId><operator>1</operator>"
        "<value>berlin</value></rule></or></and>"
        f"<and><or><rule><attributeType>2</attributeType><operator>1</operator>"
        f"<value>{G_NEW_HIRES}</value></rule></or></and>"
        "</rules></request>")
    new_id = created_id(client.post("/ispring/group/smart", content=body,
                                    headers={**OWNER, **XML_BODY}))
    assert get_json(client, f"/group/{new_id}") == {
        "usersCount": 2, "userIds": [U_ALICE, U_BOB], "groupId": new_id, "name": "Sales hires",
        "isSmart": True}
    rules = get_json(client, f"/group/smart/{new_id}/rules")["rules"]
    assert rules["and"][0]["or"][1] == {"rule": {
        "attributeType": 3, "attributeId": "user_defined_field2", "operator": 1,
        "value": "berlin"}}


def test_edit_smart_group(client: httpx.Client) -> None:
    rules = {"and": [{"or": [{"rule": {"attributeType": 1, "operator": 1,
                                       "value": SALES_EAST}}]}]}
    response = client.post(f"/ispring/group/smart/{G_ALL_SALES}", json={"rules": rules},
                           headers=OWNER)
    assert response.status_code == 200
    assert response.content == b""
    assert get_json(client, f"/group/{G_ALL_SALES}") == {
        "usersCount": 1, "userIds": [U_BOB], "groupId": G_ALL_SALES, "name": "All of Sales",
        "isSmart": True}
    assert_error(client.post(f"/ispring/group/smart/{G_MENTORS}", json={"rules": rules},
                             headers=OWNER), 404, "Unknown group")


@pytest.mark.parametrize(("rules", "message"), [
    (None, "Wrong parameters: rules is required"),
    ({"and": []}, "Wrong parameters: rules.and has a wrong value"),
    ({"and": [{"or": [{"rule": {"attributeType": 4, "operator": 1, "value": "x"}}]}]},
     "Wrong parameters: rules.and.0.or.0.rule.attributeType must be one of 1, 2, 3"),
    ({"and": [{"or": [{"rule": {"attributeType": 3, "operator": 1, "value": "x"}}]}]},
     "Wrong parameters: rules.and.0.or.0.rule attributeId is required for a profile field "
     "rule"),
    ({"and": [{"or": [{"rule": {"attributeType": 1, "operator": 2, "value": UNKNOWN}}]}]},
     f"Unknown department: {UNKNOWN}"),
    ({"and": [{"or": [{"rule": {"attributeType": 2, "operator": 1, "value": G_ALL_SALES}}]}]},
     f"Unknown group: {G_ALL_SALES}"),
    ({"and": [{"or": [{"rule": {"attributeType": 3, "attributeId": "SHOE_SIZE", "operator": 1,
                                "value": "42"}}]}]},
     "Wrong parameters: unknown profile field SHOE_SIZE"),
])
def test_add_smart_group_bad_requests(client: httpx.Client, rules: Any, message: str) -> None:
    body = {"name": "Smart"} if rules is None else {"name": "Smart", "rules": rules}
    assert_error(client.post("/ispring/group/smart", json=body, headers=OWNER), 400, message)
    assert get_json(client, "/group") == GROUPS


def test_smart_group_members_cannot_be_set(client: httpx.Client) -> None:
    assert_error(client.post(f"/ispring/group/{G_ALL_SALES}/members", json={
        "userIds": [U_CAROL]}, headers=OWNER), 400,
        "Wrong parameters: smart group members follow its rules")
    assert_error(client.post("/ispring/user", json={
        "departmentId": MARKETING, "fields": {"login": "new"}, "groupIds": [G_ALL_SALES]},
        headers=OWNER), 400, f"Wrong parameters: smart group {G_ALL_SALES} has rule-based "
                             "members")
