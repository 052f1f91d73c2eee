"""Appraisal sessions: list, info, create, update, lifecycle, questions, permissions, reminders."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.appraisal_support import (
    MANAGER,
    PEER,
    PROFILE,
    Q_ACHIEVEMENTS,
    Q_FOCUS,
    REVIEW,
    SELF,
    P,
    create,
    info,
    post,
)
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
    U_HR,
    UNKNOWN,
    XML_BODY,
    access_token,
    assert_error,
    assert_json_error,
    freeze,
    login,
    xml,
)
from tests.ispring.test_backend import SMALL_PACK

SESSION = {"sessionId": REVIEW, "name": "2024 Sales Performance Review",
           "description": "Yearly review of the sales team's competencies.",
           "managerId": U_DEPT_ADMIN, "profileId": PROFILE, "status": "IN_PROGRESS",
           "startDate": "2024-03-01T09:00:00+00:00"}
QUESTIONS = [
    {"id": Q_ACHIEVEMENTS, "text": "What were the main achievements this year?",
     "isRequired": True, "targetRoles": [SELF, MANAGER]},
    {"id": Q_FOCUS, "text": "What should be the focus next year?", "isRequired": False,
     "targetRoles": [MANAGER, PEER]}]
INFO = {
    "sessionId": REVIEW, "name": "2024 Sales Performance Review",
    "description": "Yearly review of the sales team's competencies.", "managerId": U_DEPT_ADMIN,
    "startDate": "2024-03-01T09:00:00+00:00", "status": "IN_PROGRESS", "profileId": PROFILE,
    "instruction": "Rate each competency by what you saw during the year.",
    "selfReviewInstruction": "Be honest: this review is for your development plan.",
    "questions": QUESTIONS,
    "employees": [
        {"employeeId": U_ALICE, "reviewers": [
            {"reviewerId": U_ALICE, "role": SELF}, {"reviewerId": U_DEPT_ADMIN, "role": MANAGER},
            {"reviewerId": U_BOB, "role": PEER}]},
        {"employeeId": U_BOB, "reviewers": [
            {"reviewerId": U_BOB, "role": SELF}, {"reviewerId": U_DEPT_ADMIN, "role": MANAGER}]}],
    "permittedUserIds": [U_ADMIN],
    "sessionNotificationSettings": {"dailyReviewersNotificationDay": 1,
                                    "dailyReviewersNotificationTimeMilli": 32400000}}


def test_list_sessions_in_json_and_xml(client: httpx.Client) -> None:
    response = post(client, "/list", {})
    assert response.status_code == 200
    assert response.json() == [SESSION]
    response = client.post(f"{P}/list", content=f"<request><sessionIds><id>{REVIEW}</id>"
                           "</sessionIds></request>", headers={**OWNER, **XML_BODY})
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><appraisalSession>'
        f"<sessionId>{REVIEW}</sessionId><name>2024 Sales Performance Review</name>"
        "<description>Yearly review of the sales team's competencies.</description>"
        f"<managerId>{U_DEPT_ADMIN}</managerId><profileId>{PROFILE}</profileId>"
        "<status>IN_PROGRESS</status><startDate>2024-03-01T09:00:00+00:00</startDate>"
        "</appraisalSession></response>")
    assert_json_error(post(client, "/list", {"sessionIds": [REVIEW, UNKNOWN]}), 404,
                      "Session not found")
    assert_json_error(post(client, "/list", {"sessionIds": ["nope"]}), 400,
                      "Wrong parameters: sessionIds is not a valid ID: nope")
    assert_json_error(post(client, "/list", {"status": "x"}), 400,
                      "Wrong parameters: unknown parameter status")


def test_session_info(client: httpx.Client) -> None:
    assert info(client) == INFO
    response = client.get(f"{P}/{UNKNOWN}/info", headers=OWNER)
    assert_error(response, 404, "Session not found")


def test_create_session(client: httpx.Client) -> None:
    freeze(client)
    session_id = create(client)
    assert info(client, session_id) == {
        "sessionId": session_id, "name": "Q3 check-in", "description": "",
        "managerId": U_ADMIN, "status": "NOT_STARTED", "instruction": "",
        "selfReviewInstruction": "", "questions": [], "employees": [], "permittedUserIds": []}
    response = client.post(f"{P}/create", content=(
        f"<request><name>Onboarding review</name><description>New hires</description>"
        f"<managerId>{U_ALICE}</managerId></request>"), headers={**OWNER, **XML_BODY})
    assert response.status_code == 200
    prefix = '<?xml version="1.0" encoding="UTF-8"?>\n<response>'
    assert response.text.startswith(prefix)
    xml_id = response.text[len(prefix):-len("</response>")]
    listed = post(client, "/list", {"sessionIds": [xml_id]}).json()
    assert listed == [{"sessionId": xml_id, "name": "Onboarding review",
                       "description": "New hires", "managerId": U_ALICE,
                       "status": "NOT_STARTED"}]


@pytest.mark.parametrize(("body", "message"), [
    ({"managerId": U_ADMIN}, "Wrong parameters: name is required"),
    ({"name": "  ", "managerId": U_ADMIN}, "Wrong parameters: name must not be empty"),
    ({"name": "x"}, "Wrong parameters: managerId is required"),
    ({"name": "x", "managerId": UNKNOWN}, f"Unknown user: {UNKNOWN}"),
    ({"name": "x", "managerId": U_ADMIN, "profileId": PROFILE},
     "Wrong parameters: unknown parameter profileId"),
])
def test_create_refusals(client: httpx.Client, body: dict[str, Any], message: str) -> None:
    assert_json_error(post(client, "/create", body), 400, message)
    assert post(client, "/list", {}).json() == [SESSION]


def test_update_session(client: httpx.Client) -> None:
    response = post(client, f"/{REVIEW}/update", {
        "name": "2024 Sales Review", "instruction": "Be specific.", "managerId": U_ADMIN})
    assert response.status_code == 200
    assert response.content == b""
    assert info(client) == {**INFO, "name": "2024 Sales Review", "instruction": "Be specific.",
                            "managerId": U_ADMIN}
    assert post(client, f"/{REVIEW}/update", {}).status_code == 200
    assert_json_error(post(client, f"/{REVIEW}/update", {"profileId": UNKNOWN}), 400,
                      "The profile of a started appraisal session cannot be changed")
    assert_json_error(post(client, f"/{REVIEW}/update", {"managerId": UNKNOWN}), 400,
                      f"Unknown user: {UNKNOWN}")
    assert_json_error(post(client, f"/{UNKNOWN}/update", {"name": "x"}), 404,
                      "Session not found")
    assert_json_error(post(client, f"/{REVIEW}/update", {"name": ""}), 400,
                      "Wrong parameters: name must not be empty")
    assert info(client)["name"] == "2024 Sales Review"


def test_lifecycle_start_complete_restart(client: httpx.Client) -> None:
    freeze(client)
    session_id = create(client)
    start = f"{P}/{session_id}/start"
    # StartAppraisalSessionStatusCode: the reason a session cannot start, with a 200.
    response = client.post(start, headers=OWNER)
    assert response.status_code == 200
    assert response.text == ('<?xml version="1.0" encoding="UTF-8"?>\n'
                             "<response>NO_PROFILE</response>")
    post(client, f"/{session_id}/update", {"profileId": PROFILE})
    assert post(client, f"/{session_id}/start").json() == "NO_EMPLOYEES"
    post(client, f"/{session_id}/employee-card/add", {"cards": [
        {"employeeId": U_CAROL, "reviewers": []}]})
    assert post(client, f"/{session_id}/start").json() == "NO_REVIEWERS"
    assert_json_error(post(client, f"/{session_id}/complete"), 400,
                      "The appraisal session is not in progress")
    assert post(client, f"/{session_id}/restart").json() == "NOT_COMPLETED"
    post(client, f"/{session_id}/employee-card/reviewer/replace", {"cards": [
        {"employeeId": U_CAROL, "reviewers": [{"reviewerId": U_CAROL, "role": SELF}]}]})
    assert post(client, f"/{session_id}/start").json() == "SUCCESS"
    assert post(client, f"/{session_id}/start").json() == "ALREADY_STARTED"
    started = info(client, session_id)
    assert (started["status"], started["startDate"]) == ("IN_PROGRESS", "2025-01-10T12:00:00+00:00")
    client.post("/_emulator/clock", json={"advance": 3600})
    response = post(client, f"/{session_id}/complete")
    assert (response.status_code, response.content) == (200, b"")
    done = info(client, session_id)
    assert (done["status"], done["endDate"]) == ("COMPLETED", "2025-01-10T13:00:00+00:00")
    assert post(client, f"/{session_id}/start").json() == "ALREADY_STARTED"
    assert_json_error(post(client, f"/{session_id}/complete"), 400,
                      "The appraisal session is not in progress")
    assert_json_error(post(client, f"/{session_id}/update", {"name": "late"}), 400,
                      "The appraisal session is completed")
    assert post(client, f"/{session_id}/restart").json() == "SUCCESS"
    reopened = info(client, session_id)
    assert reopened["status"] == "IN_PROGRESS"
    assert "endDate" not in reopened
    response = client.post(f"{P}/{session_id}/restart", headers=OWNER)
    assert xml(response) == {"response": "NOT_COMPLETED"}
    for action in ("start", "restart", "complete"):
        assert_error(client.post(f"{P}/{UNKNOWN}/{action}", headers=OWNER), 404,
                     "Session not found")


def test_questions(client: httpx.Client) -> None:
    session_id = create(client)
    response = client.post(f"{P}/{session_id}/question/add", content=(
        "<request><text>Strengths?</text><isRequired>true</isRequired><targetRoles>"
        f"<role>{SELF}</role><role>{MANAGER}</role></targetRoles></request>"),
        headers={**OWNER, **XML_BODY})
    assert response.status_code == 200
    first = xml(response)["response"]
    second = post(client, f"/{session_id}/question/add", {
        "text": "Growth areas?", "isRequired": False, "targetRoles": [PEER, PEER]}).json()
    assert info(client, session_id)["questions"] == [
        {"id": first, "text": "Strengths?", "isRequired": True, "targetRoles": [SELF, MANAGER]},
        {"id": second, "text": "Growth areas?", "isRequired": False, "targetRoles": [PEER]}]
    assert post(client, f"/{session_id}/question/{second}/update",
                {"isRequired": "1", "targetRoles": [MANAGER]}).status_code == 200
    assert post(client, f"/{session_id}/question/change-order",
                {"questionIds": [second, first]}).status_code == 200
    assert info(client, session_id)["questions"] == [
        {"id": second, "text": "Growth areas?", "isRequired": True, "targetRoles": [MANAGER]},
        {"id": first, "text": "Strengths?", "isRequired": True, "targetRoles": [SELF, MANAGER]}]
    assert_json_error(post(client, f"/{session_id}/question/change-order",
                           {"questionIds": [second]}), 400,
                      "Wrong parameters: questionIds must list every question of the session "
                      "once")
    response = post(client, f"/{session_id}/question/{first}/remove")
    assert (response.status_code, response.content) == (200, b"")
    assert [q["id"] for q in info(client, session_id)["questions"]] == [second]
    assert_json_error(post(client, f"/{session_id}/question/{first}/remove"), 404,
                      "Question not found")
    assert_json_error(post(client, f"/{session_id}/question/{UNKNOWN}/update", {"text": "x"}),
                      404, "Question not found")


@pytest.mark.parametrize(("body", "message"), [
    ({"text": "x", "isRequired": True}, "Wrong parameters: targetRoles is required"),
    ({"text": "x", "isRequired": True, "targetRoles": []},
     "Wrong parameters: targetRoles must not be empty"),
    ({"text": "x", "isRequired": True, "targetRoles": ["BOSS"]},
     "Wrong parameters: targetRoles must be one of REVIEWER_ROLE_SELF_REVIEW, "
     "REVIEWER_ROLE_DIRECT_MANAGER, REVIEWER_ROLE_PEER, REVIEWER_ROLE_DIRECT_REPORT, "
     "REVIEWER_ROLE_CUSTOMER, REVIEWER_ROLE_EXPERT"),
    ({"text": " ", "isRequired": True, "targetRoles": [SELF]},
     "Wrong parameters: text must not be empty"),
    ({"text": "x", "isRequired": "maybe", "targetRoles": [SELF]},
     "Wrong parameters: isRequired must be true or false"),
])
def test_question_refusals(client: httpx.Client, body: dict[str, Any], message: str) -> None:
    session_id = create(client)
    assert_json_error(post(client, f"/{session_id}/question/add", body), 400, message)
    assert info(client, session_id)["questions"] == []


def test_questions_of_a_started_session_are_fixed(client: httpx.Client) -> None:
    message = "The questions of a started appraisal session cannot be changed"
    assert_json_error(post(client, f"/{REVIEW}/question/add", {
        "text": "x", "isRequired": True, "targetRoles": [SELF]}), 400, message)
    assert_json_error(post(client, f"/{REVIEW}/question/{Q_FOCUS}/update", {"text": "x"}), 400,
                      message)
    assert_json_error(post(client, f"/{REVIEW}/question/change-order",
                           {"questionIds": [Q_FOCUS, Q_ACHIEVEMENTS]}), 400, message)
    assert_error(client.post(f"{P}/{REVIEW}/question/{Q_FOCUS}/remove", headers=OWNER), 400,
                 message)
    assert info(client)["questions"] == QUESTIONS


def test_permissions(client: httpx.Client) -> None:
    response = post(client, f"/{REVIEW}/permissions/add", {"userIds": [U_HR, U_ADMIN]})
    assert (response.status_code, response.content) == (200, b"")
    assert info(client)["permittedUserIds"] == [U_ADMIN, U_HR]
    assert post(client, f"/{REVIEW}/permissions/remove",
                {"userIds": [U_ADMIN, U_CAROL]}).status_code == 200
    assert info(client)["permittedUserIds"] == [U_HR]
    assert_json_error(post(client, f"/{REVIEW}/permissions/add", {"userIds": [UNKNOWN]}), 400,
                      f"Unknown user: {UNKNOWN}")
    assert_json_error(post(client, f"/{REVIEW}/permissions/add", {"userIds": []}), 400,
                      "Wrong parameters: userIds must not be empty")
    assert_json_error(post(client, f"/{UNKNOWN}/permissions/remove", {"userIds": [U_HR]}), 404,
                      "Session not found")
    assert info(client)["permittedUserIds"] == [U_HR]


def test_notification_settings(client: httpx.Client) -> None:
    response = client.post(f"{P}/{REVIEW}/notification/change", content=(
        "<request><dailyReviewersNotificationDay>3</dailyReviewersNotificationDay>"
        "<dailyReviewersNotificationTimeMilli>50400000</dailyReviewersNotificationTimeMilli>"
        "</request>"), headers={**OWNER, **XML_BODY})
    assert (response.status_code, response.content) == (200, b"")
    settings = {"dailyReviewersNotificationDay": 3,
                "dailyReviewersNotificationTimeMilli": 50400000}
    assert info(client)["sessionNotificationSettings"] == settings
    for body, message in (
            ({"dailyReviewersNotificationDay": 1},
             "Wrong parameters: dailyReviewersNotificationTimeMilli is required"),
            ({"dailyReviewersNotificationDay": -1, "dailyReviewersNotificationTimeMilli": 0},
             "Wrong parameters: dailyReviewersNotificationDay must be between 0 and 365"),
            ({"dailyReviewersNotificationDay": 1,
              "dailyReviewersNotificationTimeMilli": 86400000},
             "Wrong parameters: dailyReviewersNotificationTimeMilli must be between 0 and "
             "86399999")):
        assert_json_error(post(client, f"/{REVIEW}/notification/change", body), 400, message)
    assert info(client)["sessionNotificationSettings"] == settings


def test_credentials_and_roles(client: httpx.Client) -> None:
    assert_error(client.post(f"{P}/list", json={}), 401, "Authorization failed")
    assert_json_error(client.get(f"{P}/{REVIEW}/info", headers={"Authorization": "Bearer x",
                                                               **JSON}), 401,
                      "Authorization failed")
    # Publishers, learners and the demo custom role (no appraisal rights) may not call them.
    for who in (AUTHOR, LEARNER, HR):
        assert_error(client.post(f"{P}/list", json={}, headers=who), 403, "Permission denied")
        assert_error(client.post(f"{P}/create", json={"name": "x"}, headers=who), 403,
                     "Permission denied")
    token = {"Authorization": f"Bearer {access_token(client)}", **JSON}
    assert client.get(f"{P}/{REVIEW}/info", headers=token).json() == INFO
    assert post(client, "/list", {}, ADMIN).json() == [SESSION]


def test_department_administrators_are_scoped(client: httpx.Client) -> None:
    # The Sales review (Alice, Bob; managed by Diana) is theirs; a Marketing one is not.
    assert post(client, "/list", {}, DEPT_ADMIN).json() == [SESSION]
    marketing = create(client, "Marketing review", manager=U_CAROL)
    assert post(client, "/list", {}, DEPT_ADMIN).json() == [SESSION]
    assert_json_error(post(client, "/list", {"sessionIds": [marketing]}, DEPT_ADMIN), 403,
                      "Permission denied")
    assert_error(client.get(f"{P}/{marketing}/info", headers=DEPT_ADMIN), 403,
                 "Permission denied")
    assert_json_error(post(client, f"/{marketing}/start", None, DEPT_ADMIN), 403,
                      "Permission denied")
    assert_json_error(post(client, "/create", {"name": "x", "managerId": U_CAROL}, DEPT_ADMIN),
                      403, "Permission denied")
    assert_json_error(post(client, f"/{REVIEW}/permissions/add", {"userIds": [U_HR]},
                           DEPT_ADMIN), 403, "Permission denied")
    assert post(client, f"/{REVIEW}/update", {"name": "Sales 2024"}, DEPT_ADMIN
                ).status_code == 200
    # Unknown before out of scope: a 404 for a session nobody has.
    assert_json_error(post(client, f"/{UNKNOWN}/update", {"name": "x"}, DEPT_ADMIN), 404,
                      "Session not found")
    own = post(client, "/create", {"name": "Sales H2", "managerId": U_ALICE}, DEPT_ADMIN)
    assert own.status_code == 200


WRITES = ["/list", "/create", f"/{REVIEW}/update", f"/{REVIEW}/employee-card/add",
          f"/{REVIEW}/employee-card/reviewer/replace", f"/{REVIEW}/employee-card/remove",
          f"/{REVIEW}/employee-card/reviewer/remove", f"/{REVIEW}/question/add",
          f"/{REVIEW}/question/{Q_FOCUS}/update", f"/{REVIEW}/question/change-order",
          f"/{REVIEW}/permissions/add", f"/{REVIEW}/permissions/remove",
          f"/{REVIEW}/notification/change", f"/{REVIEW}/user/attributes/list"]


@pytest.mark.parametrize("body", [
    '{"cards": "x", "userIds": {"a": {"b": 1}}, "name": ["x"], "managerId": 7}',
    '{"cards": [1, null], "questionIds": [[["x"]]], "text": {"t": 1}, "isRequired": 2}',
    '{"sessionIds": null, "employeeIds": [{}], "reviewerIds": "", "targetRoles": 5}',
    '{"dailyReviewersNotificationDay": "1E1", "dailyReviewersNotificationTimeMilli": 1e300}',
    "[1, 2, 3]", "<request><cards><card/></cards></request>", "cards[0][reviewers]=x",
])
def test_malformed_bodies_are_refused_without_harm(client: httpx.Client, body: str) -> None:
    before = (post(client, "/list", {}).json(), info(client))
    for path in WRITES:
        response = client.post(f"{P}{path}", content=body, headers={**OWNER, **JSON})
        assert response.status_code == 400, (path, response.text)
        assert response.json()["code"] == 400
        assert response.json()["message"].startswith("Wrong parameters")
    assert (post(client, "/list", {}).json(), info(client)) == before


def test_coverage_lists_the_appraisal_operations(client: httpx.Client) -> None:
    operations = {(o["method"], o["paths"][0]): o["operation"]
                  for o in client.get("/_emulator/coverage").json()["ispring"]["operations"]}
    appraisal = {key: name for key, name in operations.items() if "/appraisal/" in key[1]}
    assert len(appraisal) == 23
    assert appraisal[("POST", "/performance-management/appraisal/session/{session_id}/start")
                     ] == "start_appraisal_session"


def test_packs_seed_appraisal_sessions(client: httpx.Client) -> None:
    boss = "00000000-0000-1000-8000-0000000000b1"  # the small pack's only user
    session = {"id": "00000000-0000-1000-8000-0000000000c1", "name": "Pilot",
               "managerId": boss, "createdDate": "2024-01-02T00:00:00Z",
               "cards": [{"employeeId": boss, "reviewers": [
                   {"reviewerId": boss, "role": SELF}]}],
               "content": {"scales": [{"scaleId": "s1", "levels": [
                   {"levelId": "l1", "score": 1}]}]}}
    response = client.post("/_emulator/tenants", json={"vendor": "ispring", "fixture": {
        **SMALL_PACK, "appraisalSessions": [session]}})
    assert response.status_code == 201, response.text
    headers = {**login("boss", "boss-pass", response.json()["credentials"]["accountUrl"]),
               **JSON}
    assert client.post(f"{P}/list", json={}, headers=headers).json() == [
        {"sessionId": session["id"], "name": "Pilot", "description": "", "managerId": boss,
         "status": "NOT_STARTED"}]
    assert client.get(f"{P}/{session['id']}/content/competencies", headers=headers).json() == {
        "competencies": [], "scales": [{"scaleId": "s1", "levels": [
            {"levelId": "l1", "score": 1}]}]}
    broken = {**session, "cards": [{"employeeId": boss, "reviewers": [
        {"reviewerId": "nobody", "role": SELF}]}]}
    response = client.post("/_emulator/tenants", json={"vendor": "ispring", "fixture": {
        **SMALL_PACK, "appraisalSessions": [broken]}})
    assert response.status_code == 422
    assert response.json() == {"error": {"status": 422, "message": (
        "inline fixture: (top level): Value error, appraisal session "
        "00000000-0000-1000-8000-0000000000c1: unknown user nobody")}}
    no_role = {**session, "cards": [{"employeeId": boss, "reviewers": [{"reviewerId": boss}]}]}
    response = client.post("/_emulator/tenants", json={"vendor": "ispring", "fixture": {
        **SMALL_PACK, "appraisalSessions": [no_role]}})
    assert response.status_code == 422
    assert response.json() == {"error": {"status": 422, "message": (
        "inline fixture: appraisalSessions[0].cards[0].reviewers[0].role: Field required")}}
