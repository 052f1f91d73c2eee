"""Enrolments: derived from assignments x members, statuses driven by the emulator clock."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.thrive.support import (
    ASSIGNMENTS,
    AUTH,
    CONTENTS,
    DAY,
    MISSING_ID,
    NOW,
    USERS,
    V1,
    V2,
    advance,
    assert_query_errors,
    error,
    freeze,
    read,
)

SAFETY = ASSIGNMENTS["safety"]
CONDUCT = ASSIGNMENTS["conduct"]


def enrolments(client: httpx.Client, assignment_id: str,
               query: str = "") -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = read(client, f"{V1}/assignments/{assignment_id}/enrolments{query}")
    return body


def of(client: httpx.Client, assignment_id: str, user: str) -> dict[str, Any]:
    (row,) = [e for e in enrolments(client, assignment_id) if e["userId"] == USERS[user]]
    return row


def entry(kind: str, previous: str, following: str, at: str,
          completion: str | None = None) -> dict[str, Any]:
    return {"type": kind, "completionId": completion, "previousStatus": previous,
            "nextStatus": following, "createdAt": at, "updatedAt": at}


def whole(row: dict[str, Any], assignment: str, user: str, status: str, available: str,
          due: str, updated: str, history: list[dict[str, Any]],
          last: str | None = None) -> dict[str, Any]:
    """The full enrolment body of a Quiz assignment to Engineering (ids from the response)."""
    assert len(row["id"]) == 24
    return {"id": row["id"], "userId": USERS[user], "assignmentId": assignment,
            "audienceId": "68c13e110000000003000002", "primaryContentId": CONTENTS["quiz"],
            "status": status, "availableDate": available, "dueDate": due,
            "lastCompletedAt": last, "history": history, "updatedAt": updated}


def assign(client: httpx.Client, **fields: Any) -> str:
    body = {"audienceId": "engineering", "contentId": CONTENTS["quiz"],
            "alternativeContentIds": [CONTENTS["kickoff"]], "completionPeriod": 14, **fields}
    response = client.post(f"{V1}/assignments", headers=AUTH, json=body)
    assert response.status_code == 201, response.text
    assignment_id: str = response.json()["id"]
    return assignment_id


def complete(client: httpx.Client, user: str, content: str, at: str) -> str:
    response = client.post(f"{V1}/learning/completions", headers=AUTH, json={
        "userId": USERS[user], "contentId": CONTENTS[content], "completedAt": at})
    assert response.status_code == 201, response.text
    done = client.get(f"{V1}/learning/completions?userId={USERS[user]}", headers=AUTH).json()
    completion_id: str = done[-1]["id"]
    return completion_id


pytestmark = pytest.mark.usefixtures("frozen")


def test_demo_enrolments_in_every_status(client: httpx.Client) -> None:
    rows = enrolments(client, SAFETY)
    assert [(e["userId"], e["status"]) for e in rows] == [
        (USERS["ben"], "complete"), (USERS["cara"], "open"), (USERS["dan"], "open"),
        (USERS["finn"], "open"), (USERS["hana"], "archived")]
    start = "2026-01-12T09:00:00.000Z"
    assert rows[0] == {
        "id": "6964b8100000000006000001", "userId": USERS["ben"], "assignmentId": SAFETY,
        "audienceId": "68c13e110000000003000002", "primaryContentId": CONTENTS["safety"],
        "status": "complete", "availableDate": start, "dueDate": "2029-01-11T09:00:00.000Z",
        "lastCompletedAt": "2026-02-03T10:15:00.000Z",
        "history": [entry("assigned", "unassigned", "open", start),
                    entry("completed", "open", "complete", "2026-02-03T10:15:00.000Z",
                          "6981caa40000000007000001")],
        "updatedAt": "2026-02-03T10:15:00.000Z"}
    assert [e["status"] for e in enrolments(client, CONDUCT)] == ["complete", "overdue"]


def test_get_one_enrolment(client: httpx.Client) -> None:
    first = enrolments(client, SAFETY)[1]
    url = f"{V1}/assignments/{SAFETY}/enrolments/{first['id']}"
    response = client.get(url, headers=AUTH)
    assert (response.status_code, response.json()) == (200, first)


_GET_ENROLMENT_NOT_FOUND = [
    (SAFETY, MISSING_ID, "Enrolment not found"),
    (SAFETY, "nope", "Enrolment not found"),
    (CONDUCT, "6964b8100000000006000001", "Enrolment not found"),
    (MISSING_ID, "6964b8100000000006000001", "Assignment not found"),
]


def test_get_enrolment_not_found(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for assignment_id, enrolment_id, message in _GET_ENROLMENT_NOT_FOUND:
        with subtests.test(msg=repr((assignment_id, enrolment_id, message))[:120]):
            response = client.get(f"{V1}/assignments/{assignment_id}/enrolments/{enrolment_id}",
                                  headers=AUTH)
            assert (response.status_code, response.json()) == (404, error(404, message))


def test_open_becomes_overdue_when_the_clock_passes_the_due_date(client: httpx.Client) -> None:
    assignment = assign(client)
    advance(client, 14 * DAY)
    assert of(client, assignment, "ben")["status"] == "open"  # due, not yet past
    advance(client, 1)
    row = of(client, assignment, "ben")
    due = "2026-12-15T10:00:00.000Z"
    assert row == whole(row, assignment, "ben", "overdue", NOW, due, due, [
        entry("assigned", "unassigned", "open", NOW), entry("overdue", "open", "overdue", due)])


def test_completion_of_primary_or_alternative_completes(client: httpx.Client) -> None:
    assignment = assign(client)
    advance(client, DAY)
    at = "2026-12-02T09:30:00.000Z"
    primary = complete(client, "ben", "quiz", at)
    row = of(client, assignment, "ben")
    recorded = "2026-12-02T10:00:00.000Z"
    assert row == whole(row, assignment, "ben", "complete", NOW, "2026-12-15T10:00:00.000Z",
                        recorded, [entry("assigned", "unassigned", "open", NOW),
                                   entry("completed", "open", "complete", recorded, primary)],
                        last=at)
    advance(client, 20 * DAY)  # Cara is overdue by now; a late completion still completes
    assert of(client, assignment, "cara")["status"] == "overdue"
    alternative = complete(client, "cara", "kickoff", "2026-12-22T08:00:00Z")
    row = of(client, assignment, "cara")
    assert (row["status"], row["history"][-1]["completionId"]) == ("complete", alternative)
    assert row["history"][-1]["previousStatus"] == "overdue"
    assert of(client, assignment, "dan")["status"] == "overdue"


def test_unrelated_content_or_another_user_does_not_count(client: httpx.Client) -> None:
    assignment = assign(client)
    complete(client, "ben", "python", NOW)
    complete(client, "ada", "quiz", NOW)  # Ada is not in Engineering
    assert {e["status"] for e in enrolments(client, assignment)} == {"open"}


def test_completion_before_the_enrolment_opened_does_not_count(client: httpx.Client) -> None:
    complete(client, "ben", "quiz", "2026-11-30T09:00:00Z")
    assignment = assign(client)
    assert of(client, assignment, "ben")["status"] == "open"


def test_recurrence_reopens_then_can_go_overdue(client: httpx.Client) -> None:
    assignment = assign(client, recurrence=30)
    completion = complete(client, "ben", "quiz", "2026-12-01T08:00:00Z")
    advance(client, 29 * DAY)
    assert of(client, assignment, "ben")["status"] == "complete"
    advance(client, DAY)
    row = of(client, assignment, "ben")
    reopened, due = "2026-12-31T08:00:00.000Z", "2027-01-14T08:00:00.000Z"
    assert row == whole(row, assignment, "ben", "open", reopened, due, reopened, [
        entry("assigned", "unassigned", "open", NOW),
        entry("completed", "open", "complete", NOW, completion),
        entry("recurred", "complete", "open", reopened)], last="2026-12-01T08:00:00.000Z")
    advance(client, 15 * DAY)
    row = of(client, assignment, "ben")
    assert (row["status"], row["updatedAt"]) == ("overdue", due)
    assert row["history"][-1] == entry("overdue", "open", "overdue", due)


def test_demo_recurring_assignment_reopens_a_year_after_completion(client: httpx.Client) -> None:
    freeze(client, "2027-03-10T14:29:59Z")
    assert of(client, CONDUCT, "ada")["status"] == "complete"
    advance(client, 1)
    row = of(client, CONDUCT, "ada")
    assert (row["status"], row["availableDate"], row["dueDate"]) == (
        "open", "2027-03-10T14:30:00.000Z", "2027-04-09T14:30:00.000Z")


def test_completion_of_a_recurring_enrolment_sets_active_until(client: httpx.Client) -> None:
    complete(client, "eve", "conduct", "2026-11-30T12:00:00Z")
    done = client.get(f"{V1}/learning/completions?userId={USERS['eve']}", headers=AUTH).json()
    assert (done[-1]["hadDueDate"], done[-1]["activeUntil"]) == (True,
                                                                 "2027-11-30T12:00:00.000Z")
    assert of(client, CONDUCT, "eve")["status"] == "complete"


def test_new_completion_period_reschedules_live_enrolments(client: httpx.Client) -> None:
    response = client.patch(f"{V1}/assignments/{CONDUCT}", headers=AUTH,
                            json={"audienceId": "demo-company", "completionPeriod": 365})
    assert response.status_code == 200
    eve = of(client, CONDUCT, "eve")
    assert (eve["status"], eve["dueDate"], eve["updatedAt"]) == (
        "open", "2027-03-02T09:00:00.000Z", NOW)
    assert eve["history"][-1] == entry("rescheduled", "overdue", "open", NOW)
    assert of(client, CONDUCT, "ada")["dueDate"] == "2026-04-01T09:00:00.000Z"  # complete


def test_shorter_period_makes_an_open_enrolment_overdue_now(client: httpx.Client) -> None:
    assignment = assign(client, completionPeriod=30)
    advance(client, 10 * DAY)
    client.patch(f"{V1}/assignments/{assignment}", headers=AUTH, json={"completionPeriod": 5})
    row = of(client, assignment, "ben")
    now = "2026-12-11T10:00:00.000Z"
    assert (row["status"], row["dueDate"]) == ("overdue", "2026-12-06T10:00:00.000Z")
    assert row["history"][1:] == [entry("rescheduled", "open", "open", now),
                                  entry("overdue", "open", "overdue", now)]


def test_members_leaving_and_joining(client: httpx.Client) -> None:
    assignment = assign(client)
    leave = client.delete(f"{V1}/audiences/engineering/members/EMP003", headers=AUTH)
    assert leave.status_code == 204
    assert of(client, assignment, "cara")["status"] == "archived"
    advance(client, 3 * DAY)
    back = client.post(f"{V1}/audiences/engineering/members", headers=AUTH,
                       json=["cara.learner@demo.example", "EMP001"])
    assert back.status_code == 200
    cara, ada = of(client, assignment, "cara"), of(client, assignment, "ada")
    later, due = "2026-12-04T10:00:00.000Z", "2026-12-18T10:00:00.000Z"
    assert (cara["status"], cara["availableDate"], cara["dueDate"]) == ("open", later, due)
    assert cara["history"] == [entry("assigned", "unassigned", "open", NOW),
                               entry("archived", "open", "archived", NOW),
                               entry("assigned", "archived", "open", later)]
    assert (ada["status"], ada["availableDate"], ada["dueDate"]) == ("open", later, due)
    assert ada["history"] == [entry("assigned", "unassigned", "open", later)]


def test_replacing_members_archives_and_enrols(client: httpx.Client) -> None:
    assignment = assign(client)
    response = client.patch(f"{V1}/audiences/engineering/members", headers=AUTH,
                            json=["EMP002", "EMP005"])
    assert response.status_code == 200
    statuses = {e["userId"]: e["status"] for e in enrolments(client, assignment)}
    assert statuses == {USERS["ben"]: "open", USERS["cara"]: "archived",
                        USERS["dan"]: "archived", USERS["finn"]: "archived",
                        USERS["eve"]: "open"}


def test_deleting_a_user_archives_their_enrolments(client: httpx.Client) -> None:
    assert client.delete(f"{V2}/users/ref/EMP004", headers=AUTH).status_code == 204
    assert of(client, SAFETY, "dan")["status"] == "archived"
    assert of(client, SAFETY, "dan")["history"][-1] == entry("archived", "open", "archived", NOW)


def test_suspended_members_keep_their_enrolments(client: httpx.Client) -> None:
    client.patch(f"{V2}/users/ref/EMP003/suspend", headers=AUTH, json={})
    assert of(client, SAFETY, "cara")["status"] == "open"


_ENROLMENT_FILTERS = [
    ("?status=open", ["cara", "dan", "finn"]),
    ("?status=archived", ["hana"]),
    ("?status=complete,archived", ["ben", "hana"]),
    ("?updatedAtFrom=2026-02-01", ["ben", "hana"]),
    ("?updatedAtFrom=2026-01-01&updatedAtTo=2026-01-31", ["cara", "dan", "finn"]),
    ("?updatedAtFrom=2026-02-03T10:15:00Z&updatedAtTo=2026-02-03T10:15:00Z", ["ben"]),
    ("?perPage=2&page=2", ["dan", "finn"]),
    ("?perPage=2&page=3", ["hana"]),
]


def test_enrolment_filters(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for query, users in _ENROLMENT_FILTERS:
        with subtests.test(msg=repr((query, users))[:120]):
            rows = enrolments(client, SAFETY, query)
            assert [e["userId"] for e in rows] == [USERS[u] for u in users]


_ENROLMENT_FILTER_ERRORS = [
    ("?updatedAtTo=2026-01-31", "updatedAtTo requires updatedAtFrom"),
    ("?status=done", "status has unknown values: done; allowed: archived, complete, open, "
                     "overdue, scheduled, unassigned"),
    ("?perPage=101", "perPage must be between 1 and 100"),
    ("?updatedAtFrom=2026-13-01", "updatedAtFrom must be an ISO 8601 date-time or a date"),
]


def test_enrolment_filter_errors(client: httpx.Client, subtests: pytest.Subtests) -> None:
    assert_query_errors(client, subtests, f"{V1}/assignments/{SAFETY}/enrolments",
                        _ENROLMENT_FILTER_ERRORS)


def test_enrolments_of_an_unknown_assignment(client: httpx.Client) -> None:
    response = client.get(f"{V1}/assignments/{MISSING_ID}/enrolments", headers=AUTH)
    assert (response.status_code, response.json()) == (404, error(404, "Assignment not found"))


def test_deleted_assignment_keeps_its_archived_enrolments(client: httpx.Client) -> None:
    rows = enrolments(client, ASSIGNMENTS["leading"])
    assert [(e["userId"], e["status"]) for e in rows] == [
        (USERS["eve"], "archived"), (USERS["hana"], "archived")]
