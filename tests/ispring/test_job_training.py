"""Job training: checklists with their sessions, session results, criterion-group and criterion
results of completed sessions, over the wire in XML and JSON, with the caller's scope."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import (
    ADMIN,
    AUTHOR,
    DEPT_ADMIN,
    HR,
    JSON,
    LEARNER,
    OWNER,
    U_ADMIN,
    U_ALICE,
    U_BOB,
    U_CAROL,
    U_DEPT_ADMIN,
    UNKNOWN,
    XML_BODY,
    assert_error,
    assert_json_error,
    library_id,
    xml,
)

WALK = library_id("c1e00001")  # published checklist with three sessions
DRAFT = library_id("c1e00002")  # hidden checklist, no sessions
S_ALICE = library_id("c1b00001")  # PASSED
S_BOB = library_id("c1b00002")  # IN_PROGRESS
S_CAROL = library_id("c1b00003")  # NOT_STARTED
G_GREETING = library_id("c1f00001")
G_CLOSING = library_id("c1f00002")
CR_GREETS = library_id("c1a00001")
CR_INTRO = library_id("c1a00002")
CR_SUMMARY = library_id("c1a00003")
CR_NEXT = library_id("c1a00004")  # skipped in Alice's session
TITLE = "Showroom sales walk-through"

SESSIONS = "/ispring/job-training/checklist/sessions/list"
RESULTS = "/ispring/job-training/sessions/result/list"
GROUPS = "/ispring/job-training/completed-session/criterion-group/result/list"
CRITERIA = "/ispring/job-training/completed-session/criterion/result/list"

WALK_SESSIONS = {"checklistId": WALK, "checklistTitle": TITLE, "checklistStatus": "PUBLISHED",
                 "sessionIds": [S_ALICE, S_BOB, S_CAROL]}
DRAFT_SESSIONS = {"checklistId": DRAFT, "checklistTitle": "Store opening routine (draft)",
                  "checklistStatus": "HIDDEN", "sessionIds": []}
ALICE_RESULT = {"checklistId": WALK, "checklistTitle": TITLE, "sessionId": S_ALICE,
                "sessionStatus": "PASSED", "startDate": "2024-03-11T10:00:00+00:00",
                "actualStartDate": "2024-03-11T10:05:00+00:00",
                "completionDate": "2024-03-11T11:00:00+00:00", "result": 83.33,
                "totalPoints": 6, "points": 5, "employeeId": U_ALICE,
                "observerId": U_DEPT_ADMIN}
BOB_RESULT = {"checklistId": WALK, "checklistTitle": TITLE, "sessionId": S_BOB,
              "sessionStatus": "IN_PROGRESS", "startDate": "2024-03-12T10:00:00+00:00",
              "actualStartDate": "2024-03-12T10:10:00+00:00", "employeeId": U_BOB,
              "observerId": U_DEPT_ADMIN}
CAROL_RESULT = {"checklistId": WALK, "checklistTitle": TITLE, "sessionId": S_CAROL,
                "sessionStatus": "NOT_STARTED", "startDate": "2024-04-01T09:00:00+00:00",
                "employeeId": U_CAROL, "observerId": U_ADMIN}
PEOPLE = {"employeeId": U_ALICE, "observerId": U_DEPT_ADMIN}
GREETING = {"groupId": G_GREETING, "checklistId": WALK, "groupTitle": "Greeting",
            "sessionId": S_ALICE, "result": 100, "totalPoints": 3, "points": 3, **PEOPLE}
CLOSING = {"groupId": G_CLOSING, "checklistId": WALK, "groupTitle": "Closing",
           "sessionId": S_ALICE, "result": 66.67, "totalPoints": 3, "points": 2, **PEOPLE}


def criterion(criterion_id: str, group_id: str, title: str, total: int, points: int | None,
              ) -> dict[str, Any]:
    out: dict[str, Any] = {"criterionId": criterion_id, "groupId": group_id,
                           "checklistId": WALK, "criterionTitle": title, "sessionId": S_ALICE,
                           "skipped": points is None, "totalPoints": total}
    if points is not None:
        out["points"] = points
    return {**out, **PEOPLE}


ALICE_CRITERIA = [
    criterion(CR_GREETS, G_GREETING, "Greets the customer within a minute", 2, 2),
    criterion(CR_INTRO, G_GREETING, "Introduces themselves", 1, 1),
    criterion(CR_SUMMARY, G_CLOSING, "Summarises the offer", 3, 2),
    criterion(CR_NEXT, G_CLOSING, "Agrees the next steps", 2, None),
]


def post_json(client: httpx.Client, path: str, body: Any = None,
              headers: dict[str, str] = OWNER) -> Any:
    response = client.post(path, json=body, headers={**headers, **JSON})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_checklists_with_sessions(client: httpx.Client) -> None:
    assert post_json(client, SESSIONS) == [WALK_SESSIONS, DRAFT_SESSIONS]
    assert post_json(client, SESSIONS, {}) == [WALK_SESSIONS, DRAFT_SESSIONS]
    assert post_json(client, SESSIONS, {"checklistIds": [DRAFT]}) == [DRAFT_SESSIONS]
    # A session filter leaves out checklists without one of those sessions.
    assert post_json(client, SESSIONS, {"sessionIds": [S_BOB, UNKNOWN]}) == [
        {**WALK_SESSIONS, "sessionIds": [S_BOB]}]
    assert post_json(client, SESSIONS, {"checklistIds": [UNKNOWN]}) == []


def test_checklists_with_sessions_in_xml(client: httpx.Client) -> None:
    response = client.post(SESSIONS, headers={**OWNER, **XML_BODY},
                           content=f"<request><checklistIds><id>{WALK}</id></checklistIds>"
                                   "</request>")
    assert response.status_code == 200
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><checklistSessions>'
        f"<checklistId>{WALK}</checklistId><checklistTitle>{TITLE}</checklistTitle>"
        "<checklistStatus>PUBLISHED</checklistStatus><sessionIds>"
        f"<id>{S_ALICE}</id><id>{S_BOB}</id><id>{S_CAROL}</id></sessionIds>"
        "</checklistSessions></response>")
    empty = client.post(SESSIONS, headers=OWNER, data={"checklistIds[]": UNKNOWN})
    assert empty.text == '<?xml version="1.0" encoding="UTF-8"?>\n<response/>'


def test_session_results(client: httpx.Client) -> None:
    assert post_json(client, RESULTS) == [ALICE_RESULT, BOB_RESULT, CAROL_RESULT]
    assert post_json(client, RESULTS, {"sessionStatus": "IN_PROGRESS"}) == [BOB_RESULT]
    assert post_json(client, RESULTS, {"checklistId": WALK, "sessionIds": [S_CAROL]}) == [
        CAROL_RESULT]
    assert post_json(client, RESULTS, {"checklistId": DRAFT}) == []
    response = client.post(RESULTS, headers=OWNER, data={"sessionStatus": "PASSED"})
    assert xml(response) == {"response": {"jobTrainingSessionResult": {
        **ALICE_RESULT, "result": "83.33", "totalPoints": "6", "points": "5"}}}


def test_criterion_group_results_of_completed_sessions(client: httpx.Client) -> None:
    assert post_json(client, GROUPS) == [GREETING, CLOSING]
    assert post_json(client, GROUPS, {"groupIds": [G_CLOSING]}) == [CLOSING]
    # Bob's session is still in progress: no completed results.
    assert post_json(client, GROUPS, {"sessionIds": [S_BOB]}) == []
    response = client.post(GROUPS, headers=OWNER, json={"checklistId": WALK,
                                                        "groupIds": [G_GREETING]})
    assert xml(response) == {"response": {"criterionGroupResultData": {
        **GREETING, "result": "100", "totalPoints": "3", "points": "3"}}}


def test_criterion_results_of_completed_sessions(client: httpx.Client) -> None:
    assert post_json(client, CRITERIA) == ALICE_CRITERIA
    assert post_json(client, CRITERIA, {"groupIds": [G_CLOSING],
                                        "criterionIds": [CR_NEXT]}) == [ALICE_CRITERIA[3]]
    assert post_json(client, CRITERIA, {"checklistId": DRAFT}) == []
    response = client.post(CRITERIA, headers=OWNER, json={"criterionIds": [CR_NEXT]})
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><criterionResultData>'
        f"<criterionId>{CR_NEXT}</criterionId><groupId>{G_CLOSING}</groupId>"
        f"<checklistId>{WALK}</checklistId><criterionTitle>Agrees the next steps"
        f"</criterionTitle><sessionId>{S_ALICE}</sessionId><skipped>1</skipped>"
        f"<totalPoints>2</totalPoints><employeeId>{U_ALICE}</employeeId>"
        f"<observerId>{U_DEPT_ADMIN}</observerId></criterionResultData></response>")


def test_department_administrator_sees_its_departments_sessions(client: httpx.Client) -> None:
    """Sales' administrator: Alice (Sales) and Bob (Sales East), not Carol (Marketing)."""
    assert post_json(client, SESSIONS, headers=DEPT_ADMIN) == [
        {**WALK_SESSIONS, "sessionIds": [S_ALICE, S_BOB]}, DRAFT_SESSIONS]
    assert post_json(client, RESULTS, headers=DEPT_ADMIN) == [ALICE_RESULT, BOB_RESULT]
    assert post_json(client, RESULTS, {"sessionIds": [S_CAROL]}, headers=DEPT_ADMIN) == []
    assert post_json(client, CRITERIA, headers=ADMIN) == ALICE_CRITERIA


@pytest.mark.parametrize("path", [SESSIONS, RESULTS, GROUPS, CRITERIA])
def test_who_may_read_job_training(client: httpx.Client, path: str) -> None:
    assert_error(client.post(path, json={}), 401, "Authorization failed")
    for role in (AUTHOR, HR, LEARNER):
        assert_error(client.post(path, json={}, headers=role), 403, "Permission denied")
    assert_json_error(client.post(path, json={}, headers={**LEARNER, **JSON}), 403,
                      "Permission denied")
    # The 403 comes before the body is read.
    assert_error(client.post(path, json={"bogus": 1}, headers=AUTHOR), 403,
                 "Permission denied")


@pytest.mark.parametrize(("path", "body", "message"), [
    (SESSIONS, {"checklistIds": ["not-an-id"]},
     "Wrong parameters: checklistIds is not a valid ID: not-an-id"),
    (SESSIONS, {"checklistId": WALK}, "Wrong parameters: unknown parameter checklistId"),
    (RESULTS, {"sessionStatus": "DONE"},
     "Wrong parameters: sessionStatus must be one of NOT_STARTED, IN_PROGRESS, PASSED"),
    (RESULTS, {"checklistId": [WALK, DRAFT]},
     "Wrong parameters: checklistId must be a single value"),
    (GROUPS, {"criterionIds": [CR_GREETS]}, "Wrong parameters: unknown parameter criterionIds"),
    (CRITERIA, {"groupIds": {"id": 7}}, "Wrong parameters: groupIds must be a list of IDs"),
])
def test_malformed_filters_are_refused(client: httpx.Client, path: str, body: Any,
                                       message: str) -> None:
    assert_json_error(client.post(path, json=body, headers={**OWNER, **JSON}), 400, message)
    assert_error(client.post(path, json=body, headers=OWNER), 400, message)


def test_a_body_that_is_not_an_object_is_refused(client: httpx.Client) -> None:
    assert_error(client.post(RESULTS, content=b"[1]",
                             headers={**OWNER, "Content-Type": "application/json"}), 400,
                 "Wrong parameters: the JSON body must be an object")
