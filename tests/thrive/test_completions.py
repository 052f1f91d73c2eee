"""Learning completions: list with filters, get, create (which updates enrolments)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.thrive.support import (
    AUTH,
    COMPLETIONS,
    CONTENTS,
    MISSING_ID,
    NOW,
    USERS,
    V1,
    assert_query_errors,
    error,
    read,
)

BEN_DONE = {"id": COMPLETIONS["ben"], "userId": USERS["ben"], "contentId": CONTENTS["video"],
            "contentVersion": 1, "skills": ["safety"], "completionType": "api",
            "hadDueDate": True, "isRPL": False, "completedAt": "2026-02-03T10:15:00.000Z",
            "activeUntil": None}
COMPLETION = {"userId": USERS["dan"], "contentId": CONTENTS["python"],
              "completedAt": "2026-11-30T15:04:05.678+01:00"}


def completions(client: httpx.Client, query: str = "") -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = read(client, f"{V1}/learning/completions{query}")
    return body


pytestmark = pytest.mark.usefixtures("frozen")


def test_list_completions_is_a_bare_array(client: httpx.Client) -> None:
    body = completions(client)
    assert [c["id"] for c in body] == list(COMPLETIONS.values())
    assert body[0] == BEN_DONE
    assert body[1]["activeUntil"] == "2027-03-10T14:30:00.000Z"
    assert (body[2]["isRPL"], body[2]["completionType"]) == (True, "rpl")


_LIST_FILTERS = [
    (f"?userId={USERS['ada']}", ["ada"]),
    (f"?contentId={CONTENTS['python']}", ["cara"]),
    ("?isRPL=true", ["cara"]),
    ("?isRPL=false", ["ben", "ada"]),
    ("?completedDateRangeStart=2026-03-10&completedDateRangeEnd=2026-03-10", ["ada"]),
    ("?completedDateRangeStart=2026-02-03T10:15:00Z&completedDateRangeEnd=2026-03-10T14:30:00Z",
     ["ben", "ada"]),
    ("?completedDateRangeEnd=2026-03-10+14:29:59", ["ben"]),
    ("?perPage=2&page=2", ["cara"]),
    ("?perPage=1000&page=1", ["ben", "ada", "cara"]),
]


def test_list_filters(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for query, expected in _LIST_FILTERS:
        with subtests.test(msg=repr((query, expected))[:120]):
            assert [c["id"] for c in completions(client, query)] == [
                COMPLETIONS[k] for k in expected]


_LIST_REJECTS_BAD_PARAMETERS = [
    ("?perPage=1001", "perPage must be between 1 and 1000"),
    ("?isRPL=yes", "isRPL must be true or false"),
    ("?completedDateRangeStart=02/04/2024",
     "completedDateRangeStart must be an ISO 8601 date-time or a date"),
]


def test_list_rejects_bad_parameters(client: httpx.Client, subtests: pytest.Subtests) -> None:
    assert_query_errors(client, subtests, f"{V1}/learning/completions",
                        _LIST_REJECTS_BAD_PARAMETERS)


def test_get_completion(client: httpx.Client) -> None:
    response = client.get(f"{V1}/learning/completions/{COMPLETIONS['ben']}", headers=AUTH)
    assert (response.status_code, response.json()) == (200, BEN_DONE)
    missing = client.get(f"{V1}/learning/completions/{MISSING_ID}", headers=AUTH)
    assert (missing.status_code, missing.json()) == (404, error(404, "Completion not found"))


def test_create_completion(client: httpx.Client) -> None:
    response = client.post(f"{V1}/learning/completions", headers=AUTH, json=COMPLETION)
    assert response.status_code == 201
    body = response.json()
    assert body == {"statementId": body["statementId"]}
    assert uuid.UUID(body["statementId"]).version == 4
    stored = completions(client)[-1]
    assert stored == {"id": stored["id"], "userId": USERS["dan"], "contentId": CONTENTS["python"],
                      "contentVersion": 1, "skills": ["python"], "completionType": "api",
                      "hadDueDate": False, "isRPL": False,
                      "completedAt": "2026-11-30T14:04:05.678Z", "activeUntil": None}
    activities = client.get(f"{V1}/activities?actions=completed&perPage=100",
                            headers=AUTH).json()["results"]
    recorded = [a for a in activities if a["data"] == {"completionId": stored["id"]}]
    assert recorded == [{"id": recorded[0]["id"], "user": USERS["dan"], "type": "completed",
                         "name": "Python for Analysts", "date": "2026-11-30T14:04:05.678Z",
                         "contextId": CONTENTS["python"], "contextType": "content",
                         "contentType": "pathway", "data": {"completionId": stored["id"]},
                         "with": None}]


def test_completion_for_an_enrolment_records_had_due_date(client: httpx.Client) -> None:
    client.post(f"{V1}/learning/completions", headers=AUTH, json={
        "userId": USERS["cara"], "contentId": CONTENTS["video"], "completedAt": NOW})
    assert completions(client)[-1]["hadDueDate"] is True


_CREATE_COMPLETION_ERRORS_WRITE_NOTHING = [
    ({}, 422, "userId: Field required; contentId: Field required; completedAt: Field required"),
    ({**COMPLETION, "userId": MISSING_ID}, 422, f"userId: user '{MISSING_ID}' not found"),
    ({**COMPLETION, "userId": USERS["gone"]}, 422, f"userId: user '{USERS['gone']}' not found"),
    ({**COMPLETION, "userId": "EMP004"}, 422, "userId: user 'EMP004' not found"),
    ({**COMPLETION, "contentId": MISSING_ID}, 422, f"contentId: content '{MISSING_ID}' not found"),
    ({**COMPLETION, "completedAt": "yesterday"}, 422, "completedAt: must be an ISO 8601 date-time"),
    ({**COMPLETION, "completedAt": None}, 422,
     "completedAt: must be an ISO 8601 date-time string"),
    ([COMPLETION], 400, "Request body must be a JSON object"),
]


def test_create_completion_errors_write_nothing(client: httpx.Client,
                                                subtests: pytest.Subtests) -> None:
    for body, status, message in _CREATE_COMPLETION_ERRORS_WRITE_NOTHING:
        with subtests.test(msg=repr((body, status, message))[:120]):
            response = client.post(f"{V1}/learning/completions", headers=AUTH, json=body)
            assert (response.status_code, response.json()) == (status, error(status, message))
            assert len(completions(client)) == 3
            activities = client.get(f"{V1}/activities", headers=AUTH).json()
            assert activities["pagination"]["totalResults"] == 11
