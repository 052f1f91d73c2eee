"""Shared pieces of the appraisal-session tests: paths, demo IDs and request helpers."""

from __future__ import annotations

from typing import Any

import httpx

from tests.ispring.support import JSON, OWNER, U_ADMIN

P = "/ispring/performance-management/appraisal/session"
REVIEW = "a9900001-5b70-11e9-b12b-22e9fbac4a59"
PROFILE = "c0d00001-4e4a-11e9-9ddf-e6163e60333c"  # "Account Executive"
Q_ACHIEVEMENTS = "a9920001-5b70-11e9-b12b-22e9fbac4a59"
Q_FOCUS = "a9920002-5b70-11e9-b12b-22e9fbac4a59"
SELF, MANAGER, PEER = ("REVIEWER_ROLE_SELF_REVIEW", "REVIEWER_ROLE_DIRECT_MANAGER",
                       "REVIEWER_ROLE_PEER")


def post(client: httpx.Client, path: str, body: Any = None,
         headers: dict[str, str] = OWNER) -> httpx.Response:
    return client.post(f"{P}{path}", json=body, headers={**headers, **JSON})


def info(client: httpx.Client, session_id: str = REVIEW) -> Any:
    response = client.get(f"{P}/{session_id}/info", headers={**OWNER, **JSON})
    assert response.status_code == 200, response.text
    return response.json()


def create(client: httpx.Client, name: str = "Q3 check-in", manager: str = U_ADMIN,
           headers: dict[str, str] = OWNER) -> str:
    response = post(client, "/create", {"name": name, "managerId": manager}, headers)
    assert response.status_code == 200, response.text
    new_id = response.json()
    assert isinstance(new_id, str)
    assert len(new_id) == 36
    return new_id
