"""Appraisal sessions, second half: employee cards, reviewers, reviews, results, competencies
and user attributes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.appraisal_support import (
    MANAGER,
    PEER,
    PROFILE,
    REVIEW,
    SELF,
    P,
    create,
    info,
    post,
)
from tests.ispring.support import (
    DEPT_ADMIN,
    JSON,
    MARKETING,
    OWNER,
    SALES,
    SALES_EAST,
    U_ADMIN,
    U_ALICE,
    U_BOB,
    U_CAROL,
    U_DAVE,
    U_DEPT_ADMIN,
    U_HR,
    UNKNOWN,
    XML_BODY,
    assert_error,
    assert_json_error,
    freeze,
    login,
    xml,
)
from tests.ispring.test_backend import SMALL_PACK

# The competency library's IDs: the profile's competencies, indicators and scale.
C_NEGOTIATION = "c0b00001-4e4a-11e9-9ddf-e6163e60333c"
C_PRODUCT = "c0b00002-4e4a-11e9-9ddf-e6163e60333c"
I_WALK_AWAY = "c0c00001-4e4a-11e9-9ddf-e6163e60333c"
I_OBJECTIONS = "c0c00002-4e4a-11e9-9ddf-e6163e60333c"
SCALE = "5ca1e001-4e4a-11e9-9ddf-e6163e60333c"
R = [f"a991000{i}-5b70-11e9-b12b-22e9fbac4a59" for i in range(1, 6)]
CARDS = [{"employeeId": U_ALICE, "reviewerIds": [U_ALICE, U_DEPT_ADMIN, U_BOB]},
         {"employeeId": U_BOB, "reviewerIds": [U_BOB, U_DEPT_ADMIN]}]


def review(review_id: str, employee: str, reviewer: str, status: str,
           completed: str | None = None) -> dict[str, Any]:
    out = {"reviewId": review_id, "sessionId": REVIEW, "employeeId": employee,
           "reviewerId": reviewer, "status": status}
    if completed:
        out["completionDate"] = f"{completed}+00:00"
    return out


REVIEWS = [review(R[0], U_ALICE, U_ALICE, "SUBMITTED", "2024-03-04T10:00:00"),
           review(R[1], U_ALICE, U_DEPT_ADMIN, "SUBMITTED", "2024-03-05T16:30:00"),
           review(R[2], U_ALICE, U_BOB, "IN_PROGRESS"),
           review(R[3], U_BOB, U_BOB, "NOT_STARTED"),
           review(R[4], U_BOB, U_DEPT_ADMIN, "SUBMITTED", "2024-03-06T09:15:00")]


def results(employee: str, negotiation: float, product: float, walk_away: float,
            objections: float) -> dict[str, Any]:
    return {"employeeId": employee, "sessionId": REVIEW,
            "competencyResults": [{"competencyId": C_NEGOTIATION, "result": negotiation},
                                  {"competencyId": C_PRODUCT, "result": product}],
            "indicatorResults": [{"indicatorId": I_WALK_AWAY, "result": walk_away},
                                 {"indicatorId": I_OBJECTIONS, "result": objections}]}


def get(client: httpx.Client, path: str, headers: dict[str, str] = OWNER) -> Any:
    response = client.get(f"{P}{path}", headers={**headers, **JSON})
    assert response.status_code == 200, response.text
    return response.json()


def card(employee: str, *reviewers: tuple[str, str]) -> dict[str, Any]:
    return {"employeeId": employee,
            "reviewers": [{"reviewerId": r, "role": role} for r, role in reviewers]}


def test_employee_cards_in_json_and_xml(client: httpx.Client) -> None:
    assert get(client, f"/{REVIEW}/employee-card/list") == CARDS
    response = client.get(f"{P}/{REVIEW}/employee-card/list", headers=OWNER)
    assert xml(response) == {"response": {"appraisalSessionEmployeeCard": [
        {"employeeId": U_ALICE, "reviewerIds": {"id": [U_ALICE, U_DEPT_ADMIN, U_BOB]}},
        {"employeeId": U_BOB, "reviewerIds": {"id": [U_BOB, U_DEPT_ADMIN]}}]}}
    assert_error(client.get(f"{P}/{UNKNOWN}/employee-card/list", headers=OWNER), 404,
                 "Session not found")


def test_reviews_and_results(client: httpx.Client) -> None:
    assert get(client, f"/{REVIEW}/review/list") == REVIEWS
    assert get(client, f"/{REVIEW}/results") == [results(U_ALICE, 2.5, 2.5, 2.5, 2),
                                                 results(U_BOB, 1, 2, 1, 2)]
    response = client.get(f"{P}/{REVIEW}/results", headers=OWNER)
    assert xml(response)["response"]["appraisalSessionEmployeeResults"][1] == {
        "employeeId": U_BOB, "sessionId": REVIEW,
        "competencyResults": {"appraisalSessionEmployeeCompetencyResults": [
            {"competencyId": C_NEGOTIATION, "result": "1"},
            {"competencyId": C_PRODUCT, "result": "2"}]},
        "indicatorResults": {"appraisalSessionEmployeeIndicatorResults": [
            {"indicatorId": I_WALK_AWAY, "result": "1"},
            {"indicatorId": I_OBJECTIONS, "result": "2"}]}}
    response = client.get(f"{P}/{REVIEW}/review/list", headers=OWNER)
    assert xml(response)["response"]["appraisalSessionReview"][3] == {
        "reviewId": R[3], "sessionId": REVIEW, "employeeId": U_BOB, "reviewerId": U_BOB,
        "status": "NOT_STARTED"}
    assert_error(client.get(f"{P}/{UNKNOWN}/review/list", headers=OWNER), 404,
                 "Session not found")
    # The document lists no 404 for the results.
    assert_error(client.get(f"{P}/{UNKNOWN}/results", headers=OWNER), 400, "Session not found")


# The Proficiency scale's levels and the profile's Negotiation competency, as a session holds them.
LEVELS = [{"levelId": f"5ca1e01{i}-4e4a-11e9-9ddf-e6163e60333c", "score": i} for i in range(1, 4)]
PROFICIENT = {"name": "Proficient", "score": 2}
NEGOTIATION = {"competencyId": C_NEGOTIATION, "name": "Negotiation", "scaleId": SCALE,
               "requiredLevel": PROFICIENT, "reviewMethod": "INDICATORS_INDIVIDUALLY",
               "indicators": [{"indicatorId": I_WALK_AWAY,
                               "name": "Prepares a walk-away position",
                               "requiredLevel": PROFICIENT},
                              {"indicatorId": I_OBJECTIONS, "name": "Handles objections"}],
               "commentsRequirementLevel": "OPTIONAL", "emptyAnswersEnabled": False}


def test_content_competencies(client: httpx.Client) -> None:
    assert get(client, f"/{REVIEW}/content/competencies") == {
        "competencies": [
            NEGOTIATION,
            {"competencyId": C_PRODUCT, "name": "Product knowledge", "scaleId": SCALE,
             "requiredLevel": {"name": "Expert", "score": 3},
             "reviewMethod": "COMPETENCY_ENTIRELY", "indicators": [],
             "commentsRequirementLevel": "DISABLED", "emptyAnswersEnabled": True}],
        "scales": [{"scaleId": SCALE, "levels": LEVELS}]}
    body = xml(client.get(f"{P}/{REVIEW}/content/competencies", headers=OWNER))["response"]
    product = body["competencies"]["appraisalSessionContentCompetency"][1]
    assert product == {"competencyId": C_PRODUCT, "name": "Product knowledge",
                       "scaleId": SCALE, "requiredLevel": {"name": "Expert", "score": "3"},
                       "reviewMethod": "COMPETENCY_ENTIRELY", "indicators": None,
                       "commentsRequirementLevel": "DISABLED", "emptyAnswersEnabled": "1"}
    assert body["scales"]["appraisalSessionContentScale"]["levels"][
        "appraisalSessionContentScaleLevelData"][0] == {"levelId": LEVELS[0]["levelId"],
                                                       "score": "1"}
    fresh = create(client)
    assert get(client, f"/{fresh}/content/competencies") == {"competencies": [], "scales": []}
    assert_error(client.get(f"{P}/{UNKNOWN}/content/competencies", headers=OWNER), 404,
                 "Session not found")


LIBRARY = "/ispring/performance-management/competencies"
EXPERT = "5ca1e013-4e4a-11e9-9ddf-e6163e60333c"


def _library(client: httpx.Client, path: str, body: Any) -> Any:
    response = client.post(f"{LIBRARY}{path}", json=body, headers={**OWNER, **JSON})
    assert response.status_code == 200, response.text
    return response.json() if response.content else None


def test_a_started_session_reviews_its_profile_as_the_library_holds_it(
        client: httpx.Client) -> None:
    freeze(client)
    # The library changes over the API before the start: a renamed competency reviewed by
    # indicators, with a new indicator the profile sets no level for.
    _library(client, f"/competency/{C_PRODUCT}/change", {
        "name": "Product mastery", "scaleId": SCALE, "reviewMethod": "INDICATORS_INDIVIDUALLY",
        "commentsRequirementLevel": "REQUIRED", "emptyAnswersEnabled": False})
    range_id = _library(client, f"/competency/{C_PRODUCT}/indicator/create", {
        "name": "Knows the range", "levels": [{"levelId": EXPERT, "description": "All of it"}]})
    session_id = create(client)
    assert get(client, f"/{session_id}/content/competencies") == {"competencies": [],
                                                                  "scales": []}
    post(client, f"/{session_id}/update", {"profileId": PROFILE})
    post(client, f"/{session_id}/employee-card/add", {"cards": [card(U_CAROL, (U_CAROL, SELF))]})
    assert post(client, f"/{session_id}/start").json() == "SUCCESS"
    expected = {
        "competencies": [
            NEGOTIATION,
            {"competencyId": C_PRODUCT, "name": "Product mastery", "scaleId": SCALE,
             "requiredLevel": {"name": "Expert", "score": 3},
             "reviewMethod": "INDICATORS_INDIVIDUALLY",
             "indicators": [{"indicatorId": range_id, "name": "Knows the range"}],
             "commentsRequirementLevel": "REQUIRED", "emptyAnswersEnabled": False}],
        "scales": [{"scaleId": SCALE, "levels": LEVELS}]}
    assert get(client, f"/{session_id}/content/competencies") == expected
    body = xml(client.get(f"{P}/{session_id}/content/competencies", headers=OWNER))["response"]
    assert body["competencies"]["appraisalSessionContentCompetency"][1]["indicators"] == {
        "appraisalSessionContentIndicatorData": {"indicatorId": range_id,
                                                 "name": "Knows the range"}}
    # The employee's card is reviewed on those competencies and indicators (no scores yet).
    assert get(client, f"/{session_id}/results") == [{
        "employeeId": U_CAROL, "sessionId": session_id,
        "competencyResults": [{"competencyId": C_NEGOTIATION}, {"competencyId": C_PRODUCT}],
        "indicatorResults": [{"indicatorId": I_WALK_AWAY}, {"indicatorId": I_OBJECTIONS},
                             {"indicatorId": range_id}]}]
    # A started session keeps what it reviews; the library moves on.
    _library(client, f"/competency/{C_PRODUCT}/change", {
        "name": "Renamed later", "scaleId": SCALE, "reviewMethod": "COMPETENCY_ENTIRELY",
        "commentsRequirementLevel": "DISABLED", "emptyAnswersEnabled": True})
    assert get(client, f"/{session_id}/content/competencies") == expected


def test_a_profile_the_library_does_not_hold_or_that_names_nothing_cannot_start(
        client: httpx.Client) -> None:
    session_id = create(client)
    post(client, f"/{session_id}/employee-card/add", {"cards": [card(U_CAROL, (U_CAROL, SELF))]})
    post(client, f"/{session_id}/update", {"profileId": UNKNOWN})
    assert post(client, f"/{session_id}/start").json() == "NO_PROFILE"
    boss = "00000000-0000-1000-8000-0000000000b1"
    empty = "00000000-0000-1000-8000-0000000000d1"
    response = client.post("/_emulator/tenants", json={"vendor": "ispring", "fixture": {
        **SMALL_PACK, "competencyProfiles": [{"id": empty, "name": "Nothing yet"}]}})
    assert response.status_code == 201, response.text
    headers = {**login("boss", "boss-pass", response.json()["credentials"]["accountUrl"]),
               **JSON}
    session_id = create(client, manager=boss, headers=headers)
    post(client, f"/{session_id}/update", {"profileId": empty}, headers)
    post(client, f"/{session_id}/employee-card/add", {"cards": [card(boss, (boss, SELF))]},
         headers)
    response = client.post(f"{P}/{session_id}/start", headers={**headers, "Accept": "*/*"})
    assert response.status_code == 200
    assert response.text == ('<?xml version="1.0" encoding="UTF-8"?>\n'
                             "<response>EMPTY_PROFILE</response>")


def test_user_attributes(client: httpx.Client) -> None:
    response = post(client, f"/{REVIEW}/user/attributes/list", {"userIds": [U_BOB, U_DAVE]})
    assert response.status_code == 200
    assert response.json() == [
        {"sessionId": REVIEW, "userId": U_BOB, "displayingName": "Bob Easton", "initials": "BE",
         "departmentId": SALES_EAST, "departmentName": "Sales East", "status": "ACTIVE",
         "attributes": [
             {"key": "LOGIN", "value": "bob.east", "title": "Login"},
             {"key": "EMAIL", "value": "bob@demo.example", "title": "E-mail"},
             {"key": "FIRST_NAME", "value": "Bob", "title": "First name"},
             {"key": "LAST_NAME", "value": "Easton", "title": "Last name"},
             {"key": "JOB_TITLE", "value": "Sales Representative", "title": "Job title"},
             {"key": "USER_DEFINED_FIELD1", "value": "E-1002", "title": "Employee ID"},
             {"key": "USER_DEFINED_FIELD2", "value": "Berlin", "title": "Office"},
             {"key": "EDUCATION_TITLE", "value": "bachelor", "title": "Education"},
             {"key": "UB9mT", "value": "CC-220", "title": "Cost center"}]},
        {"sessionId": REVIEW, "userId": U_DAVE, "displayingName": "Dave Inactive",
         "initials": "DI", "departmentId": MARKETING, "departmentName": "Marketing",
         "status": "DEACTIVATED", "attributes": [
             {"key": "LOGIN", "value": "dave.blocked", "title": "Login"},
             {"key": "EMAIL", "value": "dave@demo.example", "title": "E-mail"},
             {"key": "FIRST_NAME", "value": "Dave", "title": "First name"},
             {"key": "LAST_NAME", "value": "Inactive", "title": "Last name"}]}]
    # A session participant deleted from the account is DELETED.
    assert client.delete(f"/ispring/user/{U_BOB}", headers=OWNER).status_code == 204
    response = client.post(f"{P}/{REVIEW}/user/attributes/list",
                           content=f"<request><userIds><id>{U_BOB}</id></userIds></request>",
                           headers={**OWNER, **XML_BODY})
    assert xml(response) == {"response": {"appraisalSessionUserAttributes": {
        "sessionId": REVIEW, "userId": U_BOB, "displayingName": None, "initials": None,
        "departmentId": None, "departmentName": None, "status": "DELETED",
        "attributes": None}}}
    assert_json_error(post(client, f"/{REVIEW}/user/attributes/list", {"userIds": [UNKNOWN]}),
                      400, f"Unknown user: {UNKNOWN}")
    assert_json_error(post(client, f"/{REVIEW}/user/attributes/list", {}), 400,
                      "Wrong parameters: userIds is required")
    assert_json_error(post(client, f"/{UNKNOWN}/user/attributes/list", {"userIds": [U_BOB]}),
                      404, "Session not found")


def test_add_cards_to_a_draft(client: httpx.Client) -> None:
    session_id = create(client)
    response = client.post(f"{P}/{session_id}/employee-card/add", content=(
        f"<request><cards><card><employeeId>{U_CAROL}</employeeId><reviewers><reviewer>"
        f"<reviewerId>{U_HR}</reviewerId><role>{MANAGER}</role></reviewer></reviewers></card>"
        "</cards></request>"), headers={**OWNER, **XML_BODY})
    assert (response.status_code, response.content) == (200, b"")
    response = post(client, f"/{session_id}/employee-card/add", {"cards": [
        card(U_ALICE, (U_ALICE, SELF), (U_BOB, PEER)), card(U_BOB)]})
    assert (response.status_code, response.content) == (200, b"")
    assert get(client, f"/{session_id}/employee-card/list") == [
        {"employeeId": U_CAROL, "reviewerIds": [U_HR]},
        {"employeeId": U_ALICE, "reviewerIds": [U_ALICE, U_BOB]},
        {"employeeId": U_BOB, "reviewerIds": []}]
    # A draft has no reviews yet.
    assert get(client, f"/{session_id}/review/list") == []
    assert get(client, f"/{session_id}/results") == [
        {"employeeId": e, "sessionId": session_id, "competencyResults": [],
         "indicatorResults": []} for e in (U_CAROL, U_ALICE, U_BOB)]


@pytest.mark.parametrize(("body", "message"), [
    ({}, "Wrong parameters: cards is required"),
    ({"cards": []}, "Wrong parameters: cards must not be empty"),
    ({"cards": [{"employeeId": U_CAROL}]}, "Wrong parameters: cards.0.reviewers is required"),
    ({"cards": [card(U_CAROL, (U_ALICE, "BOSS"))]},
     "Wrong parameters: cards.0.reviewers.0.role must be one of REVIEWER_ROLE_SELF_REVIEW, "
     "REVIEWER_ROLE_DIRECT_MANAGER, REVIEWER_ROLE_PEER, REVIEWER_ROLE_DIRECT_REPORT, "
     "REVIEWER_ROLE_CUSTOMER, REVIEWER_ROLE_EXPERT"),
    ({"cards": [card(U_CAROL, (U_ALICE, SELF))]},
     "Wrong parameters: cards.0 a self-review is by the employee"),
    ({"cards": [card(U_CAROL, (U_ALICE, PEER), (U_ALICE, MANAGER))]},
     "Wrong parameters: cards.0 lists a reviewer twice"),
    ({"cards": [card(U_CAROL), card(U_CAROL)]}, "Wrong parameters: lists an employee twice"),
    ({"cards": [card(U_CAROL, (UNKNOWN, PEER))]}, f"Unknown user: {UNKNOWN}"),
    ({"cards": [card(U_ALICE)]}, f"Employee {U_ALICE} is already in the appraisal session"),
])
def test_add_card_refusals(client: httpx.Client, body: dict[str, Any], message: str) -> None:
    assert_json_error(post(client, f"/{REVIEW}/employee-card/add", body), 400, message)
    assert get(client, f"/{REVIEW}/employee-card/list") == CARDS


def test_cards_of_a_started_session_open_and_close_reviews(client: httpx.Client) -> None:
    freeze(client)
    assert post(client, f"/{REVIEW}/employee-card/add", {"cards": [
        card(U_CAROL, (U_CAROL, SELF), (U_HR, MANAGER))]}).status_code == 200
    opened = [r for r in get(client, f"/{REVIEW}/review/list") if r["reviewId"] not in R]
    assert sorted((r["employeeId"], r["reviewerId"], r["status"]) for r in opened) == sorted(
        [(U_CAROL, U_CAROL, "NOT_STARTED"), (U_CAROL, U_HR, "NOT_STARTED")])
    # Bob's reviewers become Diana (kept, with her submitted review) and Alice (new).
    assert post(client, f"/{REVIEW}/employee-card/reviewer/replace", {"cards": [
        card(U_BOB, (U_DEPT_ADMIN, MANAGER), (U_ALICE, PEER))]}).status_code == 200
    bob = [r for r in get(client, f"/{REVIEW}/review/list") if r["employeeId"] == U_BOB]
    assert [(r["reviewerId"], r["status"]) for r in bob if r["reviewId"] in R] == [
        (U_DEPT_ADMIN, "SUBMITTED")]
    assert [(r["reviewerId"], r["status"]) for r in bob if r["reviewId"] not in R] == [
        (U_ALICE, "NOT_STARTED")]
    # Diana stops reviewing anybody: her reviews go, and the results with them.
    response = post(client, f"/{REVIEW}/employee-card/reviewer/remove",
                    {"reviewerIds": [U_DEPT_ADMIN]})
    assert (response.status_code, response.content) == (200, b"")
    assert get(client, f"/{REVIEW}/employee-card/list")[:2] == [
        {"employeeId": U_ALICE, "reviewerIds": [U_ALICE, U_BOB]},
        {"employeeId": U_BOB, "reviewerIds": [U_ALICE]}]
    assert get(client, f"/{REVIEW}/results")[1] == {
        "employeeId": U_BOB, "sessionId": REVIEW,
        "competencyResults": [{"competencyId": C_NEGOTIATION}, {"competencyId": C_PRODUCT}],
        "indicatorResults": [{"indicatorId": I_WALK_AWAY}, {"indicatorId": I_OBJECTIONS}]}
    response = post(client, f"/{REVIEW}/employee-card/remove", {"employeeIds": [U_CAROL]})
    assert (response.status_code, response.content) == (200, b"")
    assert [c["employeeId"] for c in get(client, f"/{REVIEW}/employee-card/list")] == [
        U_ALICE, U_BOB]
    assert {r["employeeId"] for r in get(client, f"/{REVIEW}/review/list")} == {U_ALICE, U_BOB}


def test_card_removal_refusals(client: httpx.Client) -> None:
    for path, body, message in (
            ("employee-card/remove", {"employeeIds": [U_CAROL]},
             f"Employee {U_CAROL} is not in the appraisal session"),
            ("employee-card/remove", {"employeeIds": []},
             "Wrong parameters: employeeIds must not be empty"),
            ("employee-card/reviewer/replace", {"cards": [card(U_CAROL)]},
             f"Employee {U_CAROL} is not in the appraisal session"),
            ("employee-card/reviewer/remove", {"reviewerIds": [U_HR]},
             f"Reviewer {U_HR} is not in the appraisal session"),
            ("employee-card/reviewer/remove", {},
             "Wrong parameters: reviewerIds is required")):
        assert_json_error(post(client, f"/{REVIEW}/{path}", body), 400, message)
        if not message.startswith("Wrong parameters"):  # a malformed body is refused first
            assert_json_error(post(client, f"/{UNKNOWN}/{path}", body), 404,
                              "Session not found")
    assert get(client, f"/{REVIEW}/employee-card/list") == CARDS
    assert get(client, f"/{REVIEW}/review/list") == REVIEWS


def test_cards_of_a_completed_session_are_fixed(client: httpx.Client) -> None:
    assert post(client, f"/{REVIEW}/complete").status_code == 200
    message = "The appraisal session is completed"
    for path, body in (("employee-card/add", {"cards": [card(U_CAROL)]}),
                       ("employee-card/reviewer/replace", {"cards": [card(U_BOB)]}),
                       ("employee-card/remove", {"employeeIds": [U_BOB]}),
                       ("employee-card/reviewer/remove", {"reviewerIds": [U_BOB]})):
        assert_json_error(post(client, f"/{REVIEW}/{path}", body), 400, message)
    assert get(client, f"/{REVIEW}/employee-card/list") == CARDS
    # Results stay readable after completion.
    assert len(get(client, f"/{REVIEW}/results")) == 2


def test_starting_opens_one_review_per_reviewer(client: httpx.Client) -> None:
    session_id = create(client)
    post(client, f"/{session_id}/update", {"profileId": PROFILE})
    post(client, f"/{session_id}/employee-card/add", {"cards": [
        card(U_CAROL, (U_CAROL, SELF), (U_ALICE, PEER))]})
    assert post(client, f"/{session_id}/start").json() == "SUCCESS"
    reviews = get(client, f"/{session_id}/review/list")
    assert sorted((r["sessionId"], r["employeeId"], r["reviewerId"], r["status"])
                  for r in reviews) == sorted([(session_id, U_CAROL, U_CAROL, "NOT_STARTED"),
                                               (session_id, U_CAROL, U_ALICE, "NOT_STARTED")])
    assert all("completionDate" not in r for r in reviews)
    assert info(client, session_id)["employees"] == [card(U_CAROL, (U_CAROL, SELF),
                                                          (U_ALICE, PEER))]


def test_department_administrators_see_their_employees(client: httpx.Client) -> None:
    # Diana manages Sales (with Sales East): Alice and Bob are hers, Carol is not.
    assert post(client, f"/{REVIEW}/employee-card/add", {"cards": [
        card(U_CAROL, (U_CAROL, SELF))]}).status_code == 200
    assert get(client, f"/{REVIEW}/employee-card/list", DEPT_ADMIN) == CARDS
    assert [r["employeeId"] for r in get(client, f"/{REVIEW}/results", DEPT_ADMIN)] == [
        U_ALICE, U_BOB]
    assert {r["employeeId"] for r in get(client, f"/{REVIEW}/review/list", DEPT_ADMIN)} == {
        U_ALICE, U_BOB}
    for path, body in (
            ("employee-card/add", {"cards": [card(U_ADMIN)]}),
            ("employee-card/add", {"cards": [card(U_ALICE, (U_HR, PEER))]}),
            ("employee-card/remove", {"employeeIds": [U_CAROL]}),
            ("employee-card/reviewer/replace", {"cards": [card(U_CAROL)]}),
            ("employee-card/reviewer/remove", {"reviewerIds": [U_CAROL]}),
            ("user/attributes/list", {"userIds": [U_CAROL]})):
        assert_json_error(post(client, f"/{REVIEW}/{path}", body, DEPT_ADMIN), 403,
                          "Permission denied")
    response = post(client, f"/{REVIEW}/user/attributes/list", {"userIds": [U_ALICE]},
                    DEPT_ADMIN)
    assert [(u["userId"], u["departmentId"]) for u in response.json()] == [(U_ALICE, SALES)]
    marketing = create(client, "Marketing review", manager=U_CAROL)
    assert_error(client.get(f"{P}/{marketing}/results", headers=DEPT_ADMIN), 403,
                 "Permission denied")
