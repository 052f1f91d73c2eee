"""Gamification points: read, award and withdraw."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import (
    ALL_USERS,
    DEPT_ADMIN,
    HR,
    JSON,
    OWNER,
    U_ALICE,
    U_BOB,
    U_CAROL,
    U_DEPT_ADMIN,
    U_LEARNER,
    UNKNOWN,
    XML_BODY,
    assert_error,
    xml,
)

POINTS = {U_ALICE: 120, U_BOB: 40}


def points(client: httpx.Client, query: str = "", headers: dict[str, str] = OWNER) -> Any:
    response = client.get(f"/ispring/gamification/points{query}", headers={**headers, **JSON})
    assert response.status_code == 200, response.text
    return response.json()


def test_get_points_of_everyone(client: httpx.Client) -> None:
    assert points(client) == [{"userId": u, "points": POINTS.get(u, 0)} for u in ALL_USERS]


def test_get_points_xml(client: httpx.Client) -> None:
    response = client.get(f"/ispring/gamification/points?userIds[]={U_ALICE}", headers=OWNER)
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><userPointsInfo>'
        f"<userId>{U_ALICE}</userId><points>120</points></userPointsInfo></response>")


@pytest.mark.parametrize("query", [f"?userIds={U_BOB}", f"?userIds[]={U_BOB}&userIds[]={UNKNOWN}",
                                   f"?userIds[0]={U_BOB}"])
def test_get_points_of_some(client: httpx.Client, query: str) -> None:
    assert points(client, query) == [{"userId": U_BOB, "points": 40}]


def test_department_administrator_sees_their_users(client: httpx.Client) -> None:
    assert points(client, headers=DEPT_ADMIN) == [
        {"userId": u, "points": POINTS.get(u, 0)} for u in (U_DEPT_ADMIN, U_LEARNER, U_ALICE,
                                                             U_BOB)]


def test_award_points_doc_form(client: httpx.Client) -> None:
    body = (f"<awardGamificationPoints><userId>{U_CAROL}</userId><amount>15</amount>"
            "<reason>Helped a colleague</reason></awardGamificationPoints>")
    response = client.post("/ispring/gamification/points/award", content=body,
                           headers={**OWNER, **XML_BODY})
    assert response.status_code == 200
    assert response.content == b""
    assert points(client, f"?userIds[]={U_CAROL}") == [{"userId": U_CAROL, "points": 15}]


def test_withdraw_points(client: httpx.Client) -> None:
    response = client.post("/ispring/gamification/points/withdraw", json={
        "userId": U_ALICE, "amount": 20.5, "reason": "Correction"}, headers=OWNER)
    assert response.status_code == 200
    assert xml(client.get(f"/ispring/gamification/points?userIds[]={U_ALICE}",
                          headers=OWNER)) == {"response": {"userPointsInfo": {
                              "userId": U_ALICE, "points": "99.5"}}}


@pytest.mark.parametrize(("path", "body", "status", "message"), [
    ("withdraw", {"userId": U_BOB, "amount": 41, "reason": "x"}, 400,
     "Wrong parameters: the user does not have enough points"),
    ("award", {"userId": U_BOB, "amount": 0, "reason": "x"}, 400,
     "Wrong parameters: amount must be a positive number"),
    ("award", {"userId": U_BOB, "amount": "ten", "reason": "x"}, 400,
     "Wrong parameters: amount must be a number"),
    ("award", {"userId": U_BOB, "amount": 5}, 400, "Wrong parameters: reason is required"),
    ("award", {"userId": U_BOB, "amount": 5, "reason": ""}, 400,
     "Wrong parameters: reason must not be empty"),
    ("award", {"userId": UNKNOWN, "amount": 5, "reason": "x"}, 400, f"Unknown user: {UNKNOWN}"),
    ("award", {"amount": 5, "reason": "x"}, 400, "Wrong parameters: userId is required"),
    ("award", {"userId": U_BOB, "amount": 5, "reason": "x", "notify": True}, 400,
     "Wrong parameters: unknown parameter notify"),
])
def test_points_bad_requests(client: httpx.Client, path: str, body: dict[str, Any], status: int,
                             message: str) -> None:
    assert_error(client.post(f"/ispring/gamification/points/{path}", json=body, headers=OWNER),
                 status, message)
    assert points(client, f"?userIds[]={U_BOB}") == [{"userId": U_BOB, "points": 40}]


def test_points_scope_and_rights(client: httpx.Client) -> None:
    body = {"userId": U_CAROL, "amount": 5, "reason": "x"}
    assert_error(client.post("/ispring/gamification/points/award", json=body,
                             headers=DEPT_ADMIN), 403, "Permission denied")
    # The custom role of the demo account has no gamification right.
    assert_error(client.get("/ispring/gamification/points", headers=HR), 403,
                 "Permission denied")
