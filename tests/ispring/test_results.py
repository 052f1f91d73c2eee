"""Learner results computed from state, and the statistics writes that drive them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import (
    AUTHOR,
    C_CAR,
    C_CAR_QUIZ,
    C_CONDUCT,
    C_PHISHING,
    C_SECURITY,
    C_VIDEO,
    DEPT_ADMIN,
    E_ALICE_CAR,
    E_ALICE_SECURITY,
    E_BOB_CAR,
    E_BOB_CONDUCT,
    E_CAROL_PRODUCT,
    E_DAVE_CAR,
    JSON,
    M_CAR_QUIZ,
    M_CAR_VIDEO,
    MARKETING,
    OWNER,
    SALES_EAST,
    U_ALICE,
    U_BOB,
    U_CAROL,
    U_DAVE,
    UNKNOWN,
    XML_BODY,
    as_xml,
    assert_error,
    assert_json_error,
    freeze,
    xml,
)

C_PRODUCT = "9a1e5a20-4e4a-11e9-9ddf-e6163e60333c"
CAR = "Sample Simulation - Car Sale Dialog"


def result(user: str, course: str, title: str, enrollment: str, access: str, status: str,
           progress: int, *, overdue: bool = False, due: str | None = None,
           expires: str | None = None, completed: str | None = None, spent: int = 0,
           score: int | None = None, passing: int | None = None, views: int = 0,
           ) -> dict[str, Any]:
    out: dict[str, Any] = {"userId": user, "courseId": course, "courseTitle": title,
                           "enrollmentId": enrollment, "accessDate": f"{access}+00:00"}
    for key, value in (("dueDate", due), ("expirationDate", expires),
                       ("completionDate", completed)):
        if value is not None:
            out[key] = f"{value}+00:00"
    out.update({"timeSpent": spent, "completionStatus": status})
    if score is not None:
        out["awardedScore"] = score
    if passing is not None:
        out["passingScore"] = passing
    out.update({"progress": progress, "isOverdue": overdue, "viewsCount": views})
    return out


RESULTS = {
    E_ALICE_CAR: result(U_ALICE, C_CAR, CAR, E_ALICE_CAR, "2024-01-15T09:00:00", "passed", 100,
                        due="2024-02-15T00:00:00", expires="2024-02-15T00:00:00",
                        completed="2024-01-17T11:30:00", spent=1500, score=90, passing=80,
                        views=3),
    E_BOB_CAR: result(U_BOB, C_CAR, CAR, E_BOB_CAR, "2024-01-15T09:00:00", "in_progress", 50,
                      overdue=True, due="2024-02-14T00:00:00", spent=540, passing=80, views=1),
    E_CAROL_PRODUCT: result(U_CAROL, C_PRODUCT, "Product Knowledge 101", E_CAROL_PRODUCT,
                            "2024-02-01T09:00:00", "not_started", 0, overdue=True,
                            due="2024-03-01T00:00:00"),
    E_ALICE_SECURITY: result(U_ALICE, C_SECURITY, "Security Awareness", E_ALICE_SECURITY,
                             "2024-02-10T09:00:00", "failed", 0,
                             completed="2024-02-12T15:00:00", spent=300, score=40, passing=70,
                             views=1),
    E_DAVE_CAR: result(U_DAVE, C_CAR, CAR, E_DAVE_CAR, "2024-01-20T09:00:00", "not_started", 0,
                       passing=80),
    E_BOB_CONDUCT: result(U_BOB, C_CONDUCT, "Code of Conduct", E_BOB_CONDUCT,
                          "2024-01-12T09:00:00", "complete", 100,
                          completed="2024-01-12T09:45:00", spent=1200, views=1),
}
ACTIVE = [E_ALICE_CAR, E_BOB_CAR, E_CAROL_PRODUCT, E_ALICE_SECURITY, E_BOB_CONDUCT]


def results(client: httpx.Client, query: str = "", headers: dict[str, str] = OWNER) -> Any:
    response = client.get(f"/ispring/learners/results{query}", headers={**headers, **JSON})
    assert response.status_code == 200, response.text
    return response.json()


def module_results(client: httpx.Client, query: str) -> Any:
    response = client.get(f"/ispring/learners/modules/results{query}",
                          headers={**OWNER, **JSON})
    assert response.status_code == 200, response.text
    return response.json()


def test_learner_results_json(client: httpx.Client) -> None:
    freeze(client)
    assert results(client) == {"results": [RESULTS[e] for e in ACTIVE]}


def test_learner_results_xml(client: httpx.Client) -> None:
    freeze(client)
    response = client.get(f"/ispring/learners/results?enrollmentIds[]={E_BOB_CAR}",
                          headers=OWNER)
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><results><result>'
        f"<userId>{U_BOB}</userId><courseId>{C_CAR}</courseId><courseTitle>{CAR}</courseTitle>"
        f"<enrollmentId>{E_BOB_CAR}</enrollmentId>"
        "<accessDate>2024-01-15T09:00:00+00:00</accessDate>"
        "<dueDate>2024-02-14T00:00:00+00:00</dueDate><timeSpent>540</timeSpent>"
        "<completionStatus>in_progress</completionStatus><passingScore>80</passingScore>"
        "<progress>50</progress><isOverdue>1</isOverdue><viewsCount>1</viewsCount>"
        "</result></results></response>")


def test_overdue_follows_the_clock(client: httpx.Client) -> None:
    freeze(client, "2024-02-14T23:59:00Z")
    assert results(client, f"?enrollmentIds[]={E_BOB_CAR}")["results"][0]["isOverdue"] is False
    freeze(client, "2024-02-15T00:00:01Z")
    assert results(client, f"?enrollmentIds[]={E_BOB_CAR}")["results"][0]["isOverdue"] is True


FILTERS = [
    (f"?userIds[]={U_ALICE}", [E_ALICE_CAR, E_ALICE_SECURITY]),
    (f"?userIds={U_BOB}&courseIds[]={C_CAR}", [E_BOB_CAR]),
    (f"?departmentIds[]={SALES_EAST}", [E_BOB_CAR, E_BOB_CONDUCT]),
    (f"?departmentIds[]={MARKETING}&userStatuses[]=1&userStatuses[]=3",
     [E_CAROL_PRODUCT, E_DAVE_CAR]),
    ("?userStatuses[]=3", [E_DAVE_CAR]),
    ("?completionStatuses[]=passed&completionStatuses[]=complete", [E_ALICE_CAR, E_BOB_CONDUCT]),
    ("?completionDate[startDate]=2024-01-13&completionDate[endDate]=2024-01-31T00:00:00Z",
     [E_ALICE_CAR]),
    ("?accessDate[startDate]=2024-02-01T00:00:00Z", [E_CAROL_PRODUCT, E_ALICE_SECURITY]),
    ("?dueDate[endDate]=2024-02-14", [E_BOB_CAR]),
    (f"?enrollmentIds[]={E_BOB_CONDUCT}&courseIds[]={UNKNOWN}", []),
]


def test_learner_results_filters(client: httpx.Client) -> None:
    freeze(client)
    for query, expected in FILTERS:
        assert results(client, query)["results"] == [RESULTS[e] for e in expected], query


def test_learner_results_pages(client: httpx.Client) -> None:
    freeze(client)
    seen: list[dict[str, Any]] = []
    token = ""
    while True:
        page = results(client, f"?pageSize=2&pageToken={token}")
        seen += page["results"]
        if "nextPageToken" not in page:
            break
        token = page["nextPageToken"]
    assert seen == [RESULTS[e] for e in ACTIVE]


def test_learner_results_in_scope(client: httpx.Client) -> None:
    freeze(client)
    assert results(client, headers=DEPT_ADMIN)["results"] == [
        RESULTS[e] for e in (E_ALICE_CAR, E_BOB_CAR, E_ALICE_SECURITY, E_BOB_CONDUCT)]
    assert_error(client.get(f"/ispring/learners/results?userIds[]={U_CAROL}",
                            headers=DEPT_ADMIN), 403, "Permission denied")


BAD_QUERIES = [
    (f"?userIds[]={U_ALICE}&userIds[]={UNKNOWN}", f"Unknown user: {UNKNOWN}"),
    (f"?userIds[]={U_ALICE}&userIds[]=12", "Unknown user: 12"),
    ("?completionStatuses[]=done", "Wrong parameters: completionStatuses has an unknown status "
                                   "done"),
    ("?userStatuses[]=2", "Wrong parameters: userStatuses must be 1, 3 or 5"),
    ("?accessDate[startDate]=yesterday",
     "Wrong parameters: accessDate[startDate] is not a valid date"),
    ("?dueDate=2024-01-01",
     "Wrong parameters: dueDate must be dueDate[startDate]/dueDate[endDate]"),
    ("?pageSize=-1", "Wrong parameters: pageSize must be a positive integer"),
]


@pytest.mark.parametrize("path", ["/learners/results", "/learners/modules/results"])
def test_results_bad_queries(client: httpx.Client, path: str) -> None:
    for query, message in BAD_QUERIES:
        assert_json_error(client.get(f"/ispring{path}{query}", headers={**OWNER, **JSON}), 400,
                          message)


def module_result(enrollment: str, module: str, item: str, title: str, status: str,
                  **extra: Any) -> dict[str, Any]:
    base = RESULTS[enrollment]
    out: dict[str, Any] = {"userId": base["userId"], "courseId": base["courseId"],
                           "moduleId": module, "moduleTitle": title, "courseItemId": item,
                           "enrollmentId": enrollment, "accessDate": base["accessDate"]}
    for key in ("dueDate", "expirationDate"):
        if key in base:
            out[key] = base[key]
    if "completionDate" in extra:
        out["completionDate"] = extra.pop("completionDate")
    out.update({"timeSpent": extra.pop("timeSpent", 0), "completionStatus": status})
    if "awardedScore" in extra:
        out["awardedScore"] = extra.pop("awardedScore")
    out.update({"passingScore": 80, "progress": 100 if status in ("complete", "passed") else 0,
                "isOverdue": base["isOverdue"] and status not in ("complete", "passed"),
                "viewsCount": extra.pop("viewsCount", 0)})
    assert not extra
    return out


ALICE_VIDEO = module_result(E_ALICE_CAR, M_CAR_VIDEO, C_VIDEO, "Welcome to Car Sales",
                            "complete", completionDate="2024-01-16T10:00:00+00:00",
                            timeSpent=600, viewsCount=2)
ALICE_QUIZ = module_result(E_ALICE_CAR, M_CAR_QUIZ, C_CAR_QUIZ, "Car Sale Quiz", "passed",
                           completionDate="2024-01-17T11:30:00+00:00", timeSpent=900,
                           awardedScore=90, viewsCount=1)
BOB_VIDEO = module_result(E_BOB_CAR, M_CAR_VIDEO, C_VIDEO, "Welcome to Car Sales", "complete",
                          completionDate="2024-01-18T08:00:00+00:00", timeSpent=540,
                          viewsCount=1)
BOB_QUIZ = module_result(E_BOB_CAR, M_CAR_QUIZ, C_CAR_QUIZ, "Car Sale Quiz", "not_started")


def test_module_results(client: httpx.Client) -> None:
    freeze(client)
    assert module_results(client, f"?courseIds[]={C_CAR}") == {
        "results": [ALICE_VIDEO, ALICE_QUIZ, BOB_VIDEO, BOB_QUIZ]}
    response = client.get(f"/ispring/learners/modules/results?userIds[]={U_BOB}"
                          f"&moduleIds[]={M_CAR_QUIZ}", headers=OWNER)
    assert xml(response) == {"response": {"results": {"result": as_xml(BOB_QUIZ)}}}


def test_module_results_pages_within_an_enrollment(client: httpx.Client) -> None:
    freeze(client)
    first = module_results(client, f"?courseIds[]={C_CAR}&pageSize=3")
    token = first["nextPageToken"]
    assert first == {"results": [ALICE_VIDEO, ALICE_QUIZ, BOB_VIDEO], "nextPageToken": token}
    assert module_results(client, f"?courseIds[]={C_CAR}&pageSize=3&pageToken={token}") == {
        "results": [BOB_QUIZ]}


def test_module_results_by_course_item(client: httpx.Client) -> None:
    freeze(client)
    assert module_results(client, f"?courseItemIds[]={C_VIDEO}&completionStatuses[]=complete"
                          ) == {"results": [ALICE_VIDEO, BOB_VIDEO]}


# -- statistics -----------------------------------------------------------------------------------

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


# -- certificates and the activity report ---------------------------------------------------------

CERTIFICATE = "c3e7a1b0-5b70-11e9-b12b-22e9fbac4a59"


def test_get_issued_certificate(client: httpx.Client) -> None:
    url = f"https://demo.ispringlearn.com/certificates/{CERTIFICATE}.pdf"
    response = client.get(f"/ispring/certificate/{CERTIFICATE}", headers=OWNER)
    assert response.text == ('<?xml version="1.0" encoding="UTF-8"?>\n'
                             f"<response><url>{url}</url></response>")
    assert client.get(f"/ispring/certificate/{CERTIFICATE}",
                      headers={**DEPT_ADMIN, **JSON}).json() == {"url": url}


def test_unknown_certificate_is_plain_text(client: httpx.Client) -> None:
    response = client.get(f"/ispring/certificate/{UNKNOWN}", headers={**OWNER, **JSON})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Issued certificate not found"


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


def test_active_users_by_period(client: httpx.Client) -> None:
    owner, admin, learner = ("1c6a1a10-5cff-11e9-9e6a-0a580af40692",
                             "2c6a1a10-5cff-11e9-9e6a-0a580af40692",
                             "6c6a1a10-5cff-11e9-9e6a-0a580af40692")
    query = "?activityDate[startDate]=2024-06-01&activityDate[endDate]=2024-06-03"
    response = client.get(f"/ispring/report/active-users-by-period{query}", headers=OWNER)
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><ids>'
        f"<id>{owner}</id><id>{admin}</id><id>{learner}</id></ids>"
        "<activityStartDate>2024-06-01</activityStartDate>"
        "<activityEndDate>2024-06-03</activityEndDate></response>")
    # Course activity counts too: Bob viewed the car course in January.
    january = "?activityDate[startDate]=2024-01-18&activityDate[endDate]=2024-01-18"
    got = client.get(f"/ispring/report/active-users-by-period{january}",
                     headers={**OWNER, **JSON})
    assert got.json() == [U_BOB]
    scoped = client.get(f"/ispring/report/active-users-by-period{query}",
                        headers={**DEPT_ADMIN, **JSON})
    assert scoped.json() == [learner]


# -- assignments ----------------------------------------------------------------------------------

C_PITCH = "b3c10007-4e4a-11e9-9ddf-e6163e60333c"
ATTEMPT = "a7700001-5b70-11e9-b12b-22e9fbac4a59"
U_ADMIN = "2c6a1a10-5cff-11e9-9e6a-0a580af40692"
PITCH = {"assignmentId": C_PITCH, "title": "Product Pitch", "instructorId": U_ADMIN}
CAROL_ATTEMPT = {"attemptId": ATTEMPT, "enrollmentId": E_CAROL_PRODUCT, "userId": U_CAROL,
                 "comment": "My pitch, first take", "attachments": [
                     {"fileName": "pitch.mp4", "fileSize": 7340032,
                      "url": "https://demo.ispringlearn.com/files/a7700001/pitch.mp4"}]}


def test_list_assignments(client: httpx.Client) -> None:
    for query in ("", "?ungraded=1", "?ungraded=0&pageSize=1"):
        response = client.get(f"/ispring/assignments{query}", headers={**OWNER, **JSON})
        assert response.json() == {"assignments": [PITCH]}, query
    response = client.get("/ispring/assignments", headers=OWNER)
    assert xml(response) == {"response": {"assignments": {"assignment": PITCH}}}
    assert_error(client.get("/ispring/assignments?ungraded=2", headers=OWNER), 400,
                 "Wrong parameters: ungraded must be 0 or 1")


def test_ungraded_attempts(client: httpx.Client) -> None:
    response = client.get(f"/ispring/assignment/{C_PITCH}/attempts/ungraded",
                          headers={**OWNER, **JSON})
    assert response.json() == [CAROL_ATTEMPT]
    response = client.get(f"/ispring/assignment/{C_PITCH}/attempts/ungraded?userIds[]={U_BOB}",
                          headers={**OWNER, **JSON})
    assert response.json() == []
    as_xml_body = client.get(f"/ispring/assignment/{C_PITCH}/attempts/ungraded", headers=OWNER)
    assert xml(as_xml_body) == {"response": {"attempt": {
        **CAROL_ATTEMPT, "attachments": {"attachment": {
            "fileName": "pitch.mp4", "fileSize": "7340032",
            "url": "https://demo.ispringlearn.com/files/a7700001/pitch.mp4"}}}}}
    # Department administrators of Sales do not see Carol (Marketing).
    scoped = client.get(f"/ispring/assignment/{C_PITCH}/attempts/ungraded",
                        headers={**DEPT_ADMIN, **JSON})
    assert scoped.json() == []
    for assignment in (UNKNOWN, C_CAR):
        assert_error(client.get(f"/ispring/assignment/{assignment}/attempts/ungraded",
                                headers=OWNER), 404, "Unknown content item")


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


# -- answer breakdown -----------------------------------------------------------------------------

Q_CAR = "f1a00001-4e4a-11e9-9ddf-e6163e60333c"
Q_PHISHING = "f1a00003-4e4a-11e9-9ddf-e6163e60333c"


def answer(enrollment: str, number: int, title: str, kind: str, score: int, text: str,
           correct: bool, got: int, **extra: Any) -> dict[str, Any]:
    car = enrollment == E_ALICE_CAR
    row: dict[str, Any] = {
        "userId": U_ALICE, "enrollmentId": enrollment, "quizVersion": "1" if car else "2",
        "attemptDate": "2024-01-17T11:20:00+00:00" if car else "2024-02-12T14:50:00+00:00",
        "isAttemptPassed": car, "attemptScore": 90 if car else 40,
        "passingScore": 80 if car else 70, "questionNumber": number, "questionTitle": title,
        "questionType": kind, "questionScore": score}
    row.update({k: v for k, v in extra.items() if k in ("questionGroup", "statementTitle")})
    row["answerText"] = text
    row.update({k: v for k, v in extra.items() if k == "customAnswerText"})
    row.update({"isAnswerCorrect": correct, "answerScore": got})
    return row


CAR_ANSWERS = [
    answer(E_ALICE_CAR, 1, "What do you ask first?", "MultipleChoice", 50,
           "What brings you in today?", True, 50),
    answer(E_ALICE_CAR, 2, "Name the warranty period", "ShortAnswer", 50, "3 years", True, 40,
           customAnswerText="three years"),
]


def test_answer_breakdown(client: httpx.Client) -> None:
    first = client.get(f"/ispring/report/answer-breakdown?quizId={Q_CAR}&pageSize=1",
                       headers={**OWNER, **JSON}).json()
    token = first["nextPageToken"]
    assert first == {"results": CAR_ANSWERS[:1], "nextPageToken": token}
    second = client.get(f"/ispring/report/answer-breakdown?quizId={Q_CAR}&pageSize=1"
                        f"&pageToken={token}", headers=OWNER)
    assert xml(second) == {"response": {"results": {"result": as_xml(CAR_ANSWERS[1])}}}
    phishing = client.get(f"/ispring/report/answer-breakdown?quizId={Q_PHISHING}"
                          f"&parentCourseId={C_SECURITY}", headers={**OWNER, **JSON})
    assert phishing.json() == {"results": [answer(
        E_ALICE_SECURITY, 1, "Spot the phishing sign", "Matching", 100, "Looks official", False,
        40, questionGroup="Basics", statementTitle="Sender address")]}


def test_answer_breakdown_filters(client: httpx.Client) -> None:
    base = f"/ispring/report/answer-breakdown?quizId={Q_CAR}"
    for query, expected in (
            (f"&userIds[]={U_BOB}", []),
            (f"&enrollmentIds[]={E_ALICE_CAR}", CAR_ANSWERS),
            ("&departmentIds[]=d479bc48-5b70-11e9-b12b-22e9fbac4a59", CAR_ANSWERS),
            ("&groupIds[]=c1496214-acab-11e9-8db0-120a62f268a9", []),
            ("&groupIds[]=e1496214-acab-11e9-8db0-120a62f268a9", CAR_ANSWERS),
            ("&attemptDate[startDate]=2024-01-18", []),
            ("&attemptDate[endDate]=2024-01-17", CAR_ANSWERS)):
        response = client.get(base + query, headers={**OWNER, **JSON})
        assert response.json() == {"results": expected}, query
    assert_error(client.get("/ispring/report/answer-breakdown", headers=OWNER), 400,
                 "Wrong parameters: quizId is required")
    assert_error(client.get(f"/ispring/report/answer-breakdown?quizId={UNKNOWN}",
                            headers=OWNER), 400, f"Unknown quiz: {UNKNOWN}")
