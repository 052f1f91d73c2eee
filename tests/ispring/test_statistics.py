"""iSpring statistics writes: course and module statuses, resets, grades, certificates, tasks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import (
    ACTIVE,
    ATTEMPT,
    AUTHOR,
    C_CAR,
    C_CAR_QUIZ,
    C_PHISHING,
    C_PITCH,
    C_PRODUCT,
    C_SECURITY,
    CAROL_ATTEMPT,
    DEPT_ADMIN,
    E_ALICE_CAR,
    E_ALICE_SECURITY,
    E_BOB_CAR,
    E_CAROL_PRODUCT,
    E_DAVE_CAR,
    JSON,
    OWNER,
    RESULTS,
    U_BOB,
    UNKNOWN,
    XML_BODY,
    assert_error,
    freeze,
    module_results,
    results,
    xml,
)


def task_of(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"taskId"}
    assert isinstance(body["taskId"], int)
    return int(body["taskId"])


def test_drive_a_learner_to_passed_through_module_statuses(client: httpx.Client) -> None:
    freeze(client)
    body = (f"<request><courseId>{C_CAR}</courseId><enrollmentIds><id>{E_BOB_CAR}</id>"
            "</enrollmentIds><moduleStatuses><moduleStatus>"
            f"<contentItemId>{C_CAR_QUIZ}</contentItemId><date>2025-01-09T15:00:00Z</date>"
            "<reason>Passed in class</reason><status>passed</status>"
            "<awardedScore>85</awardedScore></moduleStatus></moduleStatuses></request>")
    response = client.post("/ispring/statistics/module", content=body,
                           headers={**OWNER, **XML_BODY})
    assert response.status_code == 200
    task = xml(response)["response"]["taskId"]
    assert response.text == ('<?xml version="1.0" encoding="UTF-8"?>\n'
                             f"<response><taskId>{task}</taskId></response>")
    status = client.get(f"/ispring/task/{task}/status", headers=OWNER)
    assert status.text == ('<?xml version="1.0" encoding="UTF-8"?>\n'
                           "<response><status>complete</status></response>")
    assert results(client, f"?enrollmentIds[]={E_BOB_CAR}") == {"results": [{
        **RESULTS[E_BOB_CAR], "completionDate": "2025-01-09T15:00:00+00:00",
        "completionStatus": "passed", "awardedScore": 85, "progress": 100, "isOverdue": False,
        "viewsCount": 2}]}
    final = client.get(f"/ispring/content/{C_CAR}/final_statuses", headers={**OWNER, **JSON})
    assert final.json()[1] == {"userId": U_BOB, "status": "Passed", "progress": 100,
                               "completionDate": "2025-01-09T15:00:00+00:00",
                               "lastViewDate": "2025-01-09T15:00:00+00:00"}


def test_module_failure_fails_the_course(client: httpx.Client) -> None:
    freeze(client)
    task_of(client.post("/ispring/statistics/module", json={
        "courseId": C_CAR, "enrollmentIds": [E_BOB_CAR], "moduleStatuses": [
            {"contentItemId": C_CAR_QUIZ, "date": "2025-01-09", "reason": "exam",
             "status": "failed", "awardedScore": 20}]}, headers={**OWNER, **JSON}))
    (row,) = results(client, f"?enrollmentIds[]={E_BOB_CAR}")["results"]
    assert (row["completionStatus"], row["progress"], row["awardedScore"],
            row["completionDate"]) == ("failed", 50, 20, "2025-01-09T00:00:00+00:00")


def test_course_status_override_and_automatic(client: httpx.Client) -> None:
    freeze(client)
    first = task_of(client.post("/ispring/statistics/course", json={
        "courseId": C_CAR, "enrollmentIds": [E_BOB_CAR, E_DAVE_CAR], "status": "complete",
        "date": "2025-01-08T10:00:00Z", "reason": "Attended offline", "awardedScore": 75},
        headers={**OWNER, **JSON}))
    rows = results(client, f"?courseIds[]={C_CAR}&userStatuses=1,3")["results"]
    assert rows[1] == {**RESULTS[E_BOB_CAR], "completionDate": "2025-01-08T10:00:00+00:00",
                       "completionStatus": "complete", "awardedScore": 75, "progress": 100,
                       "isOverdue": False, "viewsCount": 1}
    assert rows[2]["completionStatus"] == "complete"
    second = task_of(client.post("/ispring/statistics/course", json={
        "courseId": C_CAR, "enrollmentIds": [E_BOB_CAR], "status": "automatic"},
        headers={**OWNER, **JSON}))
    assert second > first
    assert results(client, f"?enrollmentIds[]={E_BOB_CAR}")["results"] == [
        RESULTS[E_BOB_CAR]]


def test_course_status_in_the_query_form(client: httpx.Client) -> None:
    freeze(client)
    response = client.post(f"/ispring/statistics/course?courseId={C_SECURITY}"
                           f"&enrollmentIds[]={E_ALICE_SECURITY}&status=passed&awardedScore=95",
                           headers={**OWNER, **JSON})
    task_of(response)
    (row,) = results(client, f"?enrollmentIds[]={E_ALICE_SECURITY}")["results"]
    assert (row["completionStatus"], row["awardedScore"], row["completionDate"]) == (
        "passed", 95, "2025-01-10T12:00:00+00:00")


def test_reset_module_statistics(client: httpx.Client) -> None:
    freeze(client)
    response = client.delete(f"/ispring/statistics/module?courseId={C_CAR}"
                             f"&enrollmentIds[]={E_ALICE_CAR}&contentItemIds[]={C_CAR_QUIZ}",
                             headers={**OWNER, **JSON})
    task_of(response)
    (row,) = results(client, f"?enrollmentIds[]={E_ALICE_CAR}")["results"]
    assert (row["completionStatus"], row["progress"]) == ("in_progress", 50)
    task_of(client.delete(f"/ispring/statistics/module?courseId={C_CAR}"
                          f"&enrollmentIds={E_ALICE_CAR}", headers={**OWNER, **JSON}))
    (row,) = results(client, f"?enrollmentIds[]={E_ALICE_CAR}")["results"]
    assert (row["completionStatus"], row["progress"]) == ("not_started", 0)


@pytest.mark.parametrize(("body", "message"), [
    ({"courseId": C_CAR, "enrollmentIds": [E_ALICE_SECURITY], "status": "complete"},
     f"Wrong parameters: enrollment {E_ALICE_SECURITY} is not an enrollment in course {C_CAR}"),
    ({"courseId": C_CAR, "enrollmentIds": [UNKNOWN], "status": "complete"},
     f"Unknown Enrollment: {UNKNOWN}"),
    ({"courseId": UNKNOWN, "enrollmentIds": [E_BOB_CAR], "status": "complete"},
     f"Unknown content item: {UNKNOWN}"),
    ({"courseId": C_CAR, "enrollmentIds": [E_BOB_CAR], "status": "done"},
     "Wrong parameters: status must be one of complete, incomplete, passed, failed, automatic"),
    ({"courseId": C_CAR, "enrollmentIds": [E_BOB_CAR], "status": "passed", "awardedScore": 101},
     "Wrong parameters: awardedScore must be between 0 and 100"),
    ({"courseId": C_CAR, "enrollmentIds": [], "status": "passed"},
     "Wrong parameters: enrollmentIds must not be empty"),
])
def test_course_status_bad_requests(client: httpx.Client, body: dict[str, Any],
                                    message: str) -> None:
    freeze(client)
    assert_error(client.post("/ispring/statistics/course", json=body, headers=OWNER), 400,
                 message)
    assert results(client) == {"results": [RESULTS[e] for e in ACTIVE]}


@pytest.mark.parametrize(("statuses", "message"), [
    ([{"contentItemId": C_PHISHING, "date": "2025-01-01", "reason": "x", "status": "passed",
       "awardedScore": 1}],
     f"Wrong parameters: {C_PHISHING} is not a module of course {C_CAR}"),
    ([{"contentItemId": C_CAR_QUIZ, "date": "2025-01-01", "status": "passed",
       "awardedScore": 1}], "Wrong parameters: moduleStatuses.0.reason is required"),
    ([], "Wrong parameters: moduleStatuses has a wrong value"),
])
def test_module_statuses_bad_requests(client: httpx.Client, statuses: list[dict[str, Any]],
                                      message: str) -> None:
    assert_error(client.post("/ispring/statistics/module", json={
        "courseId": C_CAR, "enrollmentIds": [E_BOB_CAR], "moduleStatuses": statuses},
        headers=OWNER), 400, message)


def test_statistics_scope_and_rights(client: httpx.Client) -> None:
    body = {"courseId": C_PRODUCT, "enrollmentIds": [E_CAROL_PRODUCT], "status": "complete"}
    assert_error(client.post("/ispring/statistics/course", json=body, headers=DEPT_ADMIN), 403,
                 "Permission denied")
    assert_error(client.post("/ispring/statistics/course", json=body, headers=AUTHOR), 403,
                 "Permission denied")
    assert_error(client.delete(f"/ispring/statistics/module?courseId={C_CAR}", headers=OWNER),
                 400, "Wrong parameters: enrollmentIds is required")


@pytest.mark.parametrize(("task", "status", "message"), [
    ("999999", 404, "Unknown task"), ("abc", 400, "Wrong parameters: taskId must be an integer")])
def test_task_status_errors(client: httpx.Client, task: str, status: int, message: str) -> None:
    assert_error(client.get(f"/ispring/task/{task}/status", headers=OWNER), status, message)


def test_completing_a_course_issues_its_certificate(client: httpx.Client) -> None:
    freeze(client)
    task_of(client.post("/ispring/statistics/course", json={
        "courseId": C_CAR, "enrollmentIds": [E_BOB_CAR], "status": "passed"},
        headers={**OWNER, **JSON}))
    enrollment = client.get(f"/ispring/enrollment/{E_BOB_CAR}", headers={**OWNER, **JSON}).json()
    certificate = enrollment["certificate"]
    assert certificate == {"issuedCertificateId": certificate["issuedCertificateId"],
                           "issueDate": "2025-01-10"}
    url = client.get(f"/ispring/certificate/{certificate['issuedCertificateId']}",
                     headers={**OWNER, **JSON}).json()["url"]
    assert url == ("https://demo.ispringlearn.com/certificates/"
                   f"{certificate['issuedCertificateId']}.pdf")
    # Starting over withdraws it; a course without a certificate never issues one.
    client.post(f"/ispring/enrollment/{E_BOB_CAR}/reenroll", json={"dueDateType": "unlimited"},
                headers=OWNER)
    assert "certificate" not in client.get(f"/ispring/enrollment/{E_BOB_CAR}",
                                           headers={**OWNER, **JSON}).json()
    task_of(client.post("/ispring/statistics/course", json={
        "courseId": C_SECURITY, "enrollmentIds": [E_ALICE_SECURITY], "status": "passed"},
        headers={**OWNER, **JSON}))
    assert "certificate" not in client.get(f"/ispring/enrollment/{E_ALICE_SECURITY}",
                                           headers={**OWNER, **JSON}).json()


def test_grade_an_attempt(client: httpx.Client) -> None:
    freeze(client)
    response = client.post("/ispring/assignments/attempts/grade", content=(
        "<request><assignmentAttemptGrades><attemptGrade>"
        f"<attemptId>{ATTEMPT}</attemptId><score>45</score><comment>Too long</comment>"
        "</attemptGrade></assignmentAttemptGrades></request>"),
        headers={**OWNER, **XML_BODY})
    assert response.status_code == 200
    assert response.content == b""
    assert client.get(f"/ispring/assignment/{C_PITCH}/attempts/ungraded",
                      headers={**OWNER, **JSON}).json() == []
    assert client.get("/ispring/assignments?ungraded=1",
                      headers={**OWNER, **JSON}).json() == {"assignments": []}
    rows = module_results(client, f"?enrollmentIds[]={E_CAROL_PRODUCT}&courseItemIds[]={C_PITCH}")
    (row,) = rows["results"]
    # No passing score on the course: 50 passes, 45 fails.
    assert (row["completionStatus"], row["awardedScore"], row["completionDate"]) == (
        "failed", 45, "2025-01-10T12:00:00+00:00")
    assert_error(client.post("/ispring/assignments/attempts/grade", json={
        "assignmentAttemptGrades": [{"attemptId": ATTEMPT, "score": 90}]}, headers=OWNER), 400,
        f"Wrong parameters: attempt {ATTEMPT} is already graded")


@pytest.mark.parametrize(("headers", "grades", "status", "message"), [
    (OWNER, [{"attemptId": UNKNOWN, "score": 80}], 400, f"Unknown attempt: {UNKNOWN}"),
    (OWNER, [{"attemptId": ATTEMPT, "score": 101}], 400,
     "Wrong parameters: assignmentAttemptGrades.0.score must be between 0 and 100"),
    (OWNER, [], 400, "Wrong parameters: assignmentAttemptGrades has a wrong value"),
    (DEPT_ADMIN, [{"attemptId": ATTEMPT, "score": 80}], 403, "Permission denied"),
])
def test_grade_errors(client: httpx.Client, headers: dict[str, str],
                      grades: list[dict[str, Any]], status: int, message: str) -> None:
    assert_error(client.post("/ispring/assignments/attempts/grade",
                             json={"assignmentAttemptGrades": grades}, headers=headers),
                 status, message)
    assert client.get(f"/ispring/assignment/{C_PITCH}/attempts/ungraded",
                      headers={**OWNER, **JSON}).json() == [CAROL_ATTEMPT]
