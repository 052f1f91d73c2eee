"""iSpring smart groups: rule-based members, reading and editing the rules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import (
    G_ALL_SALES,
    G_MARKETING,
    G_MENTORS,
    G_NEW_HIRES,
    GROUPS,
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
    get_json,
)

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
