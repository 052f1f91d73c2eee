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
    GROUPS,
    JSON,
    OWNER,
    U_ALICE,
    U_BOB,
    U_CAROL,
    U_DAVE,
    UNKNOWN,
    XML_BODY,
    assert_error,
    created_id,
    get_json,
    xml,
)


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


@pytest.mark.parametrize(("body", "message"), [
    (b"", "Wrong parameters: the request body is required"),
    (b"{}", "Wrong parameters: userIds is required"),
    (b'{"userIds": null}', "Wrong parameters: userIds must not be null"),
    (b'{"userIds": []}', "Wrong parameters: userIds must not be empty"),
    (b'{"userIds": {}}', "Wrong parameters: userIds must be a list of IDs"),
    (b'{"userIds": [{}]}', "Wrong parameters: userIds must be a list of IDs"),
    (b"<request><userIds/></request>", "Wrong parameters: userIds is required"),
])
def test_malformed_member_update_changes_nothing(client: httpx.Client, body: bytes,
                                                 message: str) -> None:
    # The document marks userIds required: a broken update must never empty the group.
    ctype = "application/xml" if body.startswith(b"<") else "application/json"
    response = client.post(f"/ispring/group/{G_NEW_HIRES}/members", content=body,
                           headers={**OWNER, "Content-Type": ctype})
    assert_error(response, 400, message)
    assert get_json(client, f"/group/{G_NEW_HIRES}") == detailed(G_NEW_HIRES, "New Hires",
                                                                 [U_ALICE, U_BOB])


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
