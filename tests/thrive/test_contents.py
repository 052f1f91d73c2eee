"""Content records and activity records: filters, paging as bulk sync uses it, date formats."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.thrive.support import (
    AUTH,
    CONTENTS,
    MISSING_ID,
    NOW,
    USERS,
    V1,
    assert_query_errors,
    error,
    read,
)

SAFETY = {
    "id": CONTENTS["safety"], "title": "Workplace Safety Essentials",
    "description": "<p>The essentials of staying safe at work.</p>", "tags": ["safety"],
    "type": "elearning", "createdAt": "2025-10-01T09:00:00.000Z",
    "updatedAt": "2025-10-01T09:00:00.000Z", "author": USERS["ada"], "isOfficial": True,
    "duration": {"value": 30, "unit": "minutes"},
    "contentHistory": [{"action": "created", "timestamp": "2025-10-01T09:00:00.000Z",
                        "performedBy": {"type": "user", "value": USERS["ada"]}}]}
BEN_VIEWED = {
    "id": "6981c7c40000000008000007", "user": USERS["ben"], "type": "viewed",
    "name": "Safety Refresher Video", "date": "2026-02-03T10:02:44.621Z",
    "contextId": CONTENTS["video"], "contextType": "content", "contentType": "video",
    "data": {"progress": 100}, "with": None}
ACTIVITY_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def page(client: httpx.Client, path: str, query: str = "") -> dict[str, Any]:
    body: dict[str, Any] = read(client, f"{V1}/{path}{query}")
    return body


pytestmark = pytest.mark.usefixtures("frozen")


# --- contents --------------------------------------------------------------------------------


def test_query_contents(client: httpx.Client) -> None:
    body = page(client, "contents")
    assert body["pagination"] == {"totalResults": 8, "totalPages": 1, "page": 1, "perPage": 20}
    assert [c["id"] for c in body["results"]] == list(CONTENTS.values())
    assert body["results"][0] == SAFETY


_CONTENT_FILTERS = [
    ("?types=video,file", ["video", "conduct"]),
    ("?types=video&omitTypes=video", ["video"]),
    ("?omitTypes=video%2Celearning", ["leading", "python", "kickoff", "conduct", "quiz",
                                      "privacy"]),
    ("?updatedSince=2026-01-01", ["leading", "privacy"]),
    ("?perPage=3&page=3", ["quiz", "privacy"]),
]


def test_content_filters(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for query, expected in _CONTENT_FILTERS:
        with subtests.test(msg=repr((query, expected))[:120]):
            assert [c["id"] for c in page(client, "contents", query)["results"]] == [
                CONTENTS[k] for k in expected]


def test_bulk_sync_pages_of_200_until_a_short_page(client: httpx.Client) -> None:
    for path in ("contents", "users", "activities"):
        body = page(client, path, "?page=1&perPage=200")
        assert body["pagination"]["perPage"] == 200
        assert len(body["results"]) < 200
        assert page(client, path, "?page=2&perPage=200")["results"] == []


_CONTENT_FILTER_ERRORS = [
    ("?types=video,podcast", "types has unknown values: podcast; allowed: article, assessment, "
                             "broadcast, cmi5, elearning, event, file, pathway, question, quiz, "
                             "scorm, url, video, mixed"),
    ("?perPage=1001", "perPage must be between 1 and 1000"),
]


def test_content_filter_errors(client: httpx.Client, subtests: pytest.Subtests) -> None:
    assert_query_errors(client, subtests, f"{V1}/contents", _CONTENT_FILTER_ERRORS)


def test_get_content(client: httpx.Client) -> None:
    response = client.get(f"{V1}/contents/{CONTENTS['safety']}", headers=AUTH)
    assert (response.status_code, response.json()) == (200, SAFETY)
    missing = client.get(f"{V1}/contents/{MISSING_ID}", headers=AUTH)
    assert (missing.status_code, missing.json()) == (404, error(404, "Content not found"))


# --- activities ------------------------------------------------------------------------------


def test_query_activities(client: httpx.Client) -> None:
    body = page(client, "activities")
    assert body["pagination"] == {"totalResults": 11, "totalPages": 1, "page": 1,
                                  "perPage": 20}
    dates = [a["date"] for a in body["results"]]
    assert dates == sorted(dates)
    assert all(ACTIVITY_DATE.fullmatch(d) for d in dates)
    for value in dates:  # what bulk sync does with every date
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
    assert body["results"][6] == BEN_VIEWED


_ACTIVITY_FILTERS = [
    ("?actions=viewed,completed", 5, {"viewed", "completed"}),
    ("?omitActions=assigned,loggedin", 5, {"viewed", "completed"}),
    ("?actions=loggedin&omitActions=loggedin", 2, {"loggedin"}),
    (f"?contentIds={CONTENTS['video']}", 2, {"viewed", "completed"}),
    ("?contentType=video", 2, {"viewed", "completed"}),
    ("?contentType=content", 9, {"assigned", "viewed", "completed"}),
    ("?timestampFrom=2026-02-03+00%3A00%3A00&timestampTo=2026-02-03+23%3A59%3A59", 3,
     {"loggedin", "viewed", "completed"}),
    ("?timestampFrom=2026-02-03&timestampTo=2026-02-03", 3, {"loggedin", "viewed", "completed"}),
    ("?timestampFrom=2026-02-03+10:15:00&timestampTo=2026-03-10+14:30:00", 2, {"completed"}),
    ("?perPage=4&page=3", 3, {"completed", "viewed"}),
]


def test_activity_filters(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for query, count, types in _ACTIVITY_FILTERS:
        with subtests.test(msg=repr((query, count, types))[:120]):
            results = page(client, "activities", query)["results"]
            assert (len(results), {a["type"] for a in results}) == (count, types)


_ACTIVITY_FILTER_ERRORS = [
    ("?timestampFrom=01/01/2020", "timestampFrom must be an ISO 8601 date-time or a date"),
    ("?perPage=0", "perPage must be between 1 and 1000"),
]


def test_activity_filter_errors(client: httpx.Client, subtests: pytest.Subtests) -> None:
    assert_query_errors(client, subtests, f"{V1}/activities", _ACTIVITY_FILTER_ERRORS)


def test_get_activity(client: httpx.Client) -> None:
    response = client.get(f"{V1}/activity/{BEN_VIEWED['id']}", headers=AUTH)
    assert (response.status_code, response.json()) == (200, BEN_VIEWED)
    missing = client.get(f"{V1}/activity/{MISSING_ID}", headers=AUTH)
    assert (missing.status_code, missing.json()) == (404, error(404, "Activity not found"))
    plural = client.get(f"{V1}/activities/{BEN_VIEWED['id']}", headers=AUTH)
    assert plural.status_code == 404


def test_opening_enrolments_records_assigned_activities(client: httpx.Client) -> None:
    made = client.post(f"{V1}/assignments", headers=AUTH, json={
        "audienceId": "sales", "contentId": CONTENTS["quiz"]}).json()
    results = page(client, "activities", f"?actions=assigned&timestampFrom={NOW}")["results"]
    assert results == [{"id": a["id"], "user": USERS[u], "type": "assigned",
                        "name": "Communication Quiz", "date": NOW,
                        "contextId": CONTENTS["quiz"], "contextType": "content",
                        "contentType": "quiz", "data": {"assignmentId": made["id"]},
                        "with": None} for a, u in zip(results, ("eve", "hana"), strict=True)]
