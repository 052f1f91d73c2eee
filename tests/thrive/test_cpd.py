"""CPD: categories, entries, requirement summaries and per-user summaries."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.thrive.support import (
    AUDIENCES,
    AUTH,
    CPD_CATEGORIES,
    MISSING_ID,
    USERS,
    V1,
    assert_query_errors,
    error,
    read,
)

EVE_ENTRY = {
    "logEntryId": "6ab6ccbf000000000a000005", "userId": USERS["eve"],
    "activity": {"type": "article", "name": "Leading Teams"},
    "category": {"categoryId": CPD_CATEGORIES["LEADERSHIP"], "name": "LEADERSHIP"},
    "entryDate": "2026-09-25T19:34:23.133Z", "durationMinutes": 45, "description": None,
    "isVerified": True}
ENG_REQUIREMENT = {
    "audienceRequirementId": "692d5910000000000b000001", "audienceId": AUDIENCES["eng"],
    "requiredMinutes": 600, "createdAt": "2025-12-01T09:00:00.000Z",
    "updatedAt": "2026-01-05T09:00:00.000Z"}


def get(client: httpx.Client, path: str) -> dict[str, Any]:
    body: dict[str, Any] = read(client, f"{V1}/{path}")
    return body


def test_categories(client: httpx.Client) -> None:
    assert get(client, "cpdCategories") == {
        "results": [{"categoryId": v, "name": k} for k, v in CPD_CATEGORIES.items()],
        "pagination": {"totalResults": 3, "totalPages": 1, "page": 1, "perPage": 100}}
    assert get(client, f"cpdCategories/{CPD_CATEGORIES['LEADERSHIP']}") == {
        "categoryId": CPD_CATEGORIES["LEADERSHIP"], "name": "LEADERSHIP"}
    assert get(client, "cpdCategories?updatedSince=2025-09-20T09:00:01Z")["pagination"][
        "totalResults"] == 2


def test_entries_are_ordered_by_entry_date(client: httpx.Client) -> None:
    body = get(client, "cpdEntries")
    assert body["pagination"] == {"totalResults": 5, "totalPages": 1, "page": 1, "perPage": 100}
    dates = [e["entryDate"] for e in body["results"]]
    assert dates == sorted(dates)
    assert body["results"][-1] == EVE_ENTRY
    assert get(client, f"cpdEntries/{EVE_ENTRY['logEntryId']}") == EVE_ENTRY


_ENTRY_FILTERS = [
    ("?entryDateFrom=2026-09-25&entryDateTo=2026-09-25", [45]),
    ("?entryDateFrom=2026-05-20+09:00:00&entryDateTo=2026-06-15+16:45:00", [360, 240]),
    ("?entryDateTo=2026-03-10", [10, 15]),
    ("?perPage=2&page=2", [360, 240]),
]


def test_entry_filters(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for query, minutes in _ENTRY_FILTERS:
        with subtests.test(msg=repr((query, minutes))[:120]):
            results = get(client, f"cpdEntries{query}")["results"]
            assert [e["durationMinutes"] for e in results] == minutes


def test_requirement_summaries(client: httpx.Client) -> None:
    body = get(client, "cpdRequirementSummaries")
    assert body["pagination"] == {"totalResults": 2, "totalPages": 1, "page": 1, "perPage": 100}
    assert body["results"][0] == ENG_REQUIREMENT
    assert body["results"][1]["updatedAt"] is None
    assert get(client, f"cpdRequirementSummaries/{ENG_REQUIREMENT['audienceRequirementId']}") \
        == ENG_REQUIREMENT
    # Never-updated summaries count as updated when they were created.
    recent = get(client, "cpdRequirementSummaries?updatedSince=2025-12-01T09:00:01Z")
    assert [r["requiredMinutes"] for r in recent["results"]] == [600, 300]
    assert get(client, "cpdRequirementSummaries?updatedSince=2026-01-01")["results"] == [
        ENG_REQUIREMENT]


_UNKNOWN_CPD_RECORDS_ARE_404 = [
    (f"cpdCategories/{MISSING_ID}", "CPD category not found"),
    (f"cpdEntries/{MISSING_ID}", "CPD entry not found"),
    ("cpdEntries/latest", "CPD entry not found"),
    (f"cpdRequirementSummaries/{MISSING_ID}", "CPD requirement summary not found"),
]


def test_unknown_cpd_records_are_404(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for path, message in _UNKNOWN_CPD_RECORDS_ARE_404:
        with subtests.test(msg=repr((path, message))[:120]):
            response = client.get(f"{V1}/{path}", headers=AUTH)
            assert (response.status_code, response.json()) == (404, error(404, message))


def test_user_log_summaries(client: httpx.Client) -> None:
    body = get(client, "cpdUserLogSummaries?entryDateFrom=2026-01-01T00:00:00"
                       "&entryDateTo=2026-12-31T23:59:59")
    assert body == {"results": [
        {"userId": USERS["ada"], "durationMinutes": 15},
        {"userId": USERS["ben"], "durationMinutes": 370},
        {"userId": USERS["cara"], "durationMinutes": 240},
        {"userId": USERS["eve"], "durationMinutes": 45}],
        "pagination": {"totalResults": 4, "totalPages": 1, "page": 1, "perPage": 100}}


def test_user_log_summaries_for_listed_users(client: httpx.Client) -> None:
    query = (f"?entryDateFrom=2026-02-01T00:00:00&entryDateTo=2026-05-31T00:00:00"
             f"&userIds={USERS['dan']},{USERS['ben'].upper()},{USERS['dan']}&perPage=1&page=2")
    assert get(client, f"cpdUserLogSummaries{query}") == {
        "results": [{"userId": USERS["ben"], "durationMinutes": 370}],
        "pagination": {"totalResults": 2, "totalPages": 2, "page": 2, "perPage": 1}}


_USER_LOG_SUMMARY_ERRORS = [
    ("", "entryDateFrom and entryDateTo are required"),
    ("?entryDateFrom=2026-01-01T00:00:00", "entryDateFrom and entryDateTo are required"),
    ("?entryDateFrom=2026-01-01T00:00:00&entryDateTo=2026-12-31T00:00:00&userIds=EMP002",
     "userIds must be 24 hex digits: EMP002"),
    ("?entryDateFrom=soon&entryDateTo=2026-12-31T00:00:00",
     "entryDateFrom must be an ISO 8601 date-time or a date"),
]


def test_user_log_summary_errors(client: httpx.Client, subtests: pytest.Subtests) -> None:
    assert_query_errors(client, subtests, f"{V1}/cpdUserLogSummaries", _USER_LOG_SUMMARY_ERRORS)
