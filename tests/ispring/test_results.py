"""Learner results computed from state, and the statistics writes that drive them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import (
    ACTIVE,
    C_CAR,
    C_CAR_QUIZ,
    C_CONDUCT,
    C_TRACK,
    C_VIDEO,
    CAR,
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
    RESULTS,
    SALES_EAST,
    U_ALICE,
    U_BOB,
    U_CAROL,
    U_DAVE,
    UNKNOWN,
    as_xml,
    assert_error,
    assert_json_error,
    freeze,
    get_json,
    module_results,
    results,
    xml,
)


def test_final_statuses(client: httpx.Client) -> None:
    response = client.get(f"/ispring/content/{C_CAR}/final_statuses", headers=OWNER)
    assert response.status_code == 200
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<statuses>'
        f"<status><userId>{U_ALICE}</userId><status>Passed</status><progress>100</progress>"
        "<completionDate>2024-01-17T11:30:00+00:00</completionDate>"
        "<lastViewDate>2024-01-17T11:30:00+00:00</lastViewDate></status>"
        f"<status><userId>{U_BOB}</userId><status>In progress</status><progress>50</progress>"
        "<lastViewDate>2024-01-18T08:00:00+00:00</lastViewDate></status>"
        f"<status><userId>{U_DAVE}</userId><status>Not started</status><progress>0</progress>"
        "</status></statuses>")
    assert get_json(client, f"/content/{C_CAR}/final_statuses", DEPT_ADMIN) == [
        {"userId": U_ALICE, "status": "Passed", "progress": 100,
         "completionDate": "2024-01-17T11:30:00+00:00",
         "lastViewDate": "2024-01-17T11:30:00+00:00"},
        {"userId": U_BOB, "status": "In progress", "progress": 50,
         "lastViewDate": "2024-01-18T08:00:00+00:00"}]


def test_final_statuses_of_a_material_and_an_empty_item(client: httpx.Client) -> None:
    assert get_json(client, f"/content/{C_CONDUCT}/final_statuses") == [
        {"userId": U_BOB, "status": "Complete", "progress": 100,
         "completionDate": "2024-01-12T09:45:00+00:00",
         "lastViewDate": "2024-01-12T09:45:00+00:00"}]
    empty = client.get(f"/ispring/content/{C_TRACK}/final_statuses", headers=OWNER)
    assert empty.text == '<?xml version="1.0" encoding="UTF-8"?>\n<statuses/>'


def test_final_statuses_of_an_unknown_item_is_plain_text(client: httpx.Client) -> None:
    for headers in (OWNER, {**OWNER, **JSON}):
        response = client.get(f"/ispring/content/{UNKNOWN}/final_statuses", headers=headers)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text == "Unknown content item"


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
