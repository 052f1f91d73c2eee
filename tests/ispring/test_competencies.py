"""The competency library: scales, groups, competencies, indicators and profiles, over the wire
in XML and JSON; creates answer 200 with the new ID, changes 200 with no body."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import (
    ACCOUNT_URL,
    ADMIN,
    AUTHOR,
    DEPT_ADMIN,
    HR,
    JSON,
    LEARNER,
    OWNER,
    UNKNOWN,
    XML_BODY,
    assert_error,
    assert_json_error,
    library_id,
    login,
    xml,
)
from tests.ispring.test_backend import SMALL_PACK

P = "/ispring/performance-management/competencies"
PROFICIENCY = library_id("5ca1e001")
YES_NO = library_id("5ca1e002")
BASIC, PROFICIENT, EXPERT = (library_id(f"5ca1e01{n}") for n in (1, 2, 3))
NO, YES = library_id("5ca1e021"), library_id("5ca1e022")
ROOT = library_id("c0a90001")
SALES_SKILLS = library_id("c0a90002")
LEADERSHIP = library_id("c0a90003")
NEGOTIATION = library_id("c0b00001")
PRODUCT = library_id("c0b00002")
FEEDBACK = library_id("c0b00003")
WALK_AWAY = library_id("c0c00001")
OBJECTIONS = library_id("c0c00002")
TIMELY = library_id("c0c00003")
EXECUTIVE = library_id("c0d00001")

SCALES = [
    {"scaleId": PROFICIENCY, "name": "Proficiency", "levels": [
        {"levelId": BASIC, "name": "Basic", "score": 1},
        {"levelId": PROFICIENT, "name": "Proficient", "score": 2},
        {"levelId": EXPERT, "name": "Expert", "score": 3}]},
    {"scaleId": YES_NO, "name": "Yes / No", "levels": [
        {"levelId": NO, "name": "No", "score": 0}, {"levelId": YES, "name": "Yes", "score": 1}]},
]
GROUPS = [
    {"groupId": ROOT, "name": "All competencies", "parentId": "", "competencyIds": []},
    {"groupId": SALES_SKILLS, "name": "Sales skills", "parentId": ROOT,
     "competencyIds": [NEGOTIATION, PRODUCT]},
    {"groupId": LEADERSHIP, "name": "Leadership", "parentId": ROOT,
     "competencyIds": [FEEDBACK]},
]
NEGOTIATION_OUT = {
    "competencyId": NEGOTIATION, "name": "Negotiation",
    "description": "Reaches agreements that work for the customer and the company",
    "scaleId": PROFICIENCY, "reviewMethod": "INDICATORS_INDIVIDUALLY", "indicators": [
        {"indicatorId": WALK_AWAY, "name": "Prepares a walk-away position", "levels": [
            {"levelId": BASIC, "description": "Knows the price list"},
            {"levelId": PROFICIENT, "description": "Plans concessions ahead"},
            {"levelId": EXPERT, "description": "Coaches others on preparation"}]},
        {"indicatorId": OBJECTIONS, "name": "Handles objections", "levels": [
            {"levelId": BASIC, "description": "Answers common objections"},
            {"levelId": EXPERT, "description": "Turns objections into needs"}]}],
    "commentsRequirementLevel": "OPTIONAL", "emptyAnswersEnabled": False}
PRODUCT_OUT = {"competencyId": PRODUCT, "name": "Product knowledge", "description": "",
               "scaleId": PROFICIENCY, "reviewMethod": "COMPETENCY_ENTIRELY", "indicators": [],
               "commentsRequirementLevel": "DISABLED", "emptyAnswersEnabled": True}
FEEDBACK_OUT = {"competencyId": FEEDBACK, "name": "Giving feedback",
                "description": "Helps colleagues improve", "scaleId": YES_NO,
                "reviewMethod": "COMPETENCY_ENTIRELY", "indicators": [
                    {"indicatorId": TIMELY, "name": "Gives timely feedback", "levels": [
                        {"levelId": NO, "description": "Rarely or late"},
                        {"levelId": YES, "description": "Within a week of the event"}]}],
                "commentsRequirementLevel": "REQUIRED", "emptyAnswersEnabled": False}
PROFILE = {"profileId": EXECUTIVE, "name": "Account Executive",
           "description": "Expected levels for sales account executives",
           "competencies": [{"competencyId": NEGOTIATION, "requiredLevelId": PROFICIENT},
                            {"competencyId": PRODUCT, "requiredLevelId": EXPERT}],
           "indicators": [{"indicatorId": WALK_AWAY, "requiredLevelId": PROFICIENT}]}
NEW_COMPETENCY = {"name": "Coaching", "description": "Develops others", "scaleId": YES_NO,
                  "groupId": LEADERSHIP, "reviewMethod": "COMPETENCY_ENTIRELY",
                  "commentsRequirementLevel": "OPTIONAL", "emptyAnswersEnabled": True}
PREFIX = '<?xml version="1.0" encoding="UTF-8"?>\n<response>'


def call(client: httpx.Client, method: str, path: str, body: Any = None,
         headers: dict[str, str] = OWNER) -> Any:
    response = client.request(method, f"{P}{path}", json=body, headers={**headers, **JSON})
    assert response.status_code == 200, response.text
    return response.json()


def change(client: httpx.Client, path: str, body: Any) -> None:
    response = client.post(f"{P}{path}", json=body, headers=OWNER)
    assert response.status_code == 200, response.text
    assert response.content == b""


def new_id(response: httpx.Response) -> str:
    """A create's answer: 200 and `<response>uuid</response>`."""
    assert response.status_code == 200, response.text
    assert response.text.startswith(PREFIX)
    assert response.text.endswith("</response>")
    created = response.text[len(PREFIX):-len("</response>")]
    assert len(created) == 36
    return created


def test_list_scales(client: httpx.Client) -> None:
    assert call(client, "GET", "/scale/list") == SCALES
    response = client.get(f"{P}/scale/list", headers=OWNER)
    assert response.text == (
        f"{PREFIX}<competencyScale><scaleId>{PROFICIENCY}</scaleId><name>Proficiency</name>"
        f"<levels><competencyScaleLevel><levelId>{BASIC}</levelId><name>Basic</name>"
        f"<score>1</score></competencyScaleLevel><competencyScaleLevel><levelId>{PROFICIENT}"
        "</levelId><name>Proficient</name><score>2</score></competencyScaleLevel>"
        f"<competencyScaleLevel><levelId>{EXPERT}</levelId><name>Expert</name><score>3</score>"
        f"</competencyScaleLevel></levels></competencyScale><competencyScale><scaleId>{YES_NO}"
        f"</scaleId><name>Yes / No</name><levels><competencyScaleLevel><levelId>{NO}</levelId>"
        "<name>No</name><score>0</score></competencyScaleLevel><competencyScaleLevel>"
        f"<levelId>{YES}</levelId><name>Yes</name><score>1</score></competencyScaleLevel>"
        "</levels></competencyScale></response>")


def test_create_and_change_a_scale(client: httpx.Client) -> None:
    scale_id = new_id(client.post(
        f"{P}/scale/create", headers={**OWNER, **XML_BODY},
        content="<request><name>Stars</name><levels><level><name>One</name><score>1</score>"
                "</level><level><name>Two</name><score>2.5</score></level></levels></request>"))
    [created] = [x for x in call(client, "GET", "/scale/list") if x["scaleId"] == scale_id]
    one, two = (lv["levelId"] for lv in created["levels"])
    assert created == {"scaleId": scale_id, "name": "Stars", "levels": [
        {"levelId": one, "name": "One", "score": 1}, {"levelId": two, "name": "Two",
                                                      "score": 2.5}]}
    # Listed levels stay or change, a new ID adds a level, a left-out one goes.
    change(client, f"/scale/{scale_id}/change", {"name": "Five stars", "levels": [
        {"levelId": two, "name": "Two", "score": 2}, {"levelId": UNKNOWN, "name": "Five",
                                                      "score": 5}]})
    assert call(client, "GET", "/scale/list") == sorted([*SCALES, {
        "scaleId": scale_id, "name": "Five stars", "levels": [
            {"levelId": two, "name": "Two", "score": 2},
            {"levelId": UNKNOWN, "name": "Five", "score": 5}]}], key=lambda x: x["scaleId"])
    json_id = client.post(f"{P}/scale/create", headers={**OWNER, **JSON},
                          json={"name": "Grades", "levels": [{"name": "A", "score": 4}]})
    assert json_id.status_code == 200
    assert json_id.json() in {s["scaleId"] for s in call(client, "GET", "/scale/list")}


def test_scale_refusals(client: httpx.Client) -> None:
    assert_error(client.post(f"{P}/scale/{UNKNOWN}/change", headers=OWNER, json={
        "name": "X", "levels": [{"levelId": BASIC, "name": "B", "score": 1}]}), 404,
        "Scale not found")
    for body, message in [
        ({"name": "X", "levels": []}, "Wrong parameters: levels has a wrong value"),
        ({"name": " ", "levels": [{"name": "a", "score": 1}]},
         "Wrong parameters: name must not be empty"),
        ({"name": "X", "levels": [{"name": "a", "score": "high"}]},
         "Wrong parameters: levels.0.score must be a number"),
        ({"name": "X"}, "Wrong parameters: levels is required"),
    ]:
        assert_json_error(client.post(f"{P}/scale/create", headers={**OWNER, **JSON},
                                      json=body), 400, message)
    level = {"name": "No", "score": 0}
    for levels, message in [
        ([{**level, "levelId": YES}, {**level, "levelId": YES}],
         "Wrong parameters: levels repeat a levelId"),
        ([{**level, "levelId": BASIC}], f"Wrong parameters: level {BASIC} belongs to another "
                                        "scale"),
    ]:
        assert_error(client.post(f"{P}/scale/{YES_NO}/change", headers=OWNER,
                                 json={"name": "Yes / No", "levels": levels}), 400, message)
    # The profile requires Proficient and Expert.
    assert_error(client.post(f"{P}/scale/{PROFICIENCY}/change", headers=OWNER, json={
        "name": "P", "levels": [{"levelId": BASIC, "name": "Basic", "score": 1},
                                {"levelId": EXPERT, "name": "Expert", "score": 3}]}), 400,
        f"Wrong parameters: level {PROFICIENT} is required by a competency profile")
    assert call(client, "GET", "/scale/list") == SCALES


def test_removing_a_level_drops_its_indicator_descriptions(client: httpx.Client) -> None:
    change(client, f"/scale/{YES_NO}/change", {"name": "Yes only", "levels": [
        {"levelId": YES, "name": "Yes", "score": 1}]})
    [feedback] = call(client, "POST", "/competency/list", {"competencyIds": [FEEDBACK]})
    assert feedback["indicators"][0]["levels"] == [
        {"levelId": YES, "description": "Within a week of the event"}]


def test_list_groups(client: httpx.Client) -> None:
    assert call(client, "GET", "/group/list") == GROUPS
    response = client.get(f"{P}/group/list", headers=OWNER)
    assert xml(response) == {"response": {"competencyGroup": [
        {"groupId": ROOT, "name": "All competencies", "parentId": None, "competencyIds": None},
        {"groupId": SALES_SKILLS, "name": "Sales skills", "parentId": ROOT,
         "competencyIds": {"id": [NEGOTIATION, PRODUCT]}},
        {"groupId": LEADERSHIP, "name": "Leadership", "parentId": ROOT,
         "competencyIds": {"id": FEEDBACK}}]}}


def test_create_rename_and_move_groups(client: httpx.Client) -> None:
    team = new_id(client.post(f"{P}/group/create", headers=OWNER,
                              data={"name": "Team leads", "parentId": LEADERSHIP}))
    change(client, f"/group/{team}/rename", {"name": "Team leaders"})
    change(client, "/group/batch-move", {"parentGroupId": SALES_SKILLS, "groupIds": [team]})
    change(client, "/competency/batch-move", {"groupId": team,
                                              "competencyIds": [FEEDBACK, PRODUCT]})
    # Lists are in ID order; a new ID comes from the clock, so it may sort anywhere.
    assert call(client, "GET", "/group/list") == sorted([
        *GROUPS[:1], {**GROUPS[1], "competencyIds": [NEGOTIATION]},
        {**GROUPS[2], "competencyIds": []},
        {"groupId": team, "name": "Team leaders", "parentId": SALES_SKILLS,
         "competencyIds": [PRODUCT, FEEDBACK]}], key=lambda g: g["groupId"])


def test_group_refusals(client: httpx.Client) -> None:
    assert_error(client.post(f"{P}/group/{UNKNOWN}/rename", headers=OWNER,
                             json={"name": "X"}), 404, "Group not found")
    assert_json_error(client.post(f"{P}/group/create", headers={**OWNER, **JSON},
                                  json={"name": "X", "parentId": UNKNOWN}), 400,
                      f"Unknown competency group: {UNKNOWN}")
    assert_error(client.post(f"{P}/group/create", headers=OWNER, json={"name": "X"}), 400,
                 "Wrong parameters: parentId is required")
    for body, status, message in [
        ({"parentGroupId": UNKNOWN, "groupIds": [LEADERSHIP]}, 404, "Group not found"),
        ({"parentGroupId": ROOT, "groupIds": [UNKNOWN]}, 404, "Group not found"),
        ({"parentGroupId": LEADERSHIP, "groupIds": [ROOT]}, 400,
         "Wrong parameters: the root group cannot be moved"),
        ({"parentGroupId": LEADERSHIP, "groupIds": [LEADERSHIP]}, 400,
         "Wrong parameters: a group cannot be moved into itself or one of its subgroups"),
        ({"parentGroupId": ROOT, "groupIds": []}, 400,
         "Wrong parameters: groupIds must not be empty"),
    ]:
        assert_error(client.post(f"{P}/group/batch-move", headers=OWNER, json=body), status,
                     message)
    for body, status, message in [
        ({"groupId": UNKNOWN, "competencyIds": [FEEDBACK]}, 404, "Group not found"),
        ({"groupId": ROOT, "competencyIds": [FEEDBACK, UNKNOWN]}, 400,
         f"Unknown competency: {UNKNOWN}"),
    ]:
        assert_error(client.post(f"{P}/competency/batch-move", headers=OWNER, json=body),
                     status, message)
    assert call(client, "GET", "/group/list") == GROUPS


def test_list_competencies(client: httpx.Client) -> None:
    assert call(client, "POST", "/competency/list") == [NEGOTIATION_OUT, PRODUCT_OUT,
                                                         FEEDBACK_OUT]
    assert call(client, "POST", "/competency/list", {"competencyIds": [FEEDBACK, UNKNOWN]}) == [
        FEEDBACK_OUT]
    response = client.post(f"{P}/competency/list", headers=OWNER,
                           data={"competencyIds[]": PRODUCT})
    assert response.text == (
        f"{PREFIX}<competency><competencyId>{PRODUCT}</competencyId>"
        "<name>Product knowledge</name><description/>"
        f"<scaleId>{PROFICIENCY}</scaleId><reviewMethod>COMPETENCY_ENTIRELY</reviewMethod>"
        "<indicators/><commentsRequirementLevel>DISABLED</commentsRequirementLevel>"
        "<emptyAnswersEnabled>1</emptyAnswersEnabled></competency></response>")


def test_create_and_change_a_competency(client: httpx.Client) -> None:
    created = client.post(f"{P}/competency/create", headers={**OWNER, **JSON},
                          json=NEW_COMPETENCY)
    assert created.status_code == 200
    coaching = created.json()
    expected = {"competencyId": coaching, "name": "Coaching", "description": "Develops others",
                "scaleId": YES_NO, "reviewMethod": "COMPETENCY_ENTIRELY", "indicators": [],
                "commentsRequirementLevel": "OPTIONAL", "emptyAnswersEnabled": True}
    assert call(client, "POST", "/competency/list", {"competencyIds": [coaching]}) == [expected]
    # A change without a description keeps it.
    change(client, f"/competency/{coaching}/change", {
        "name": "Coaching others", "scaleId": YES_NO, "reviewMethod": "INDICATORS_INDIVIDUALLY",
        "commentsRequirementLevel": "REQUIRED", "emptyAnswersEnabled": "false"})
    assert call(client, "POST", "/competency/list", {"competencyIds": [coaching]}) == [{
        **expected, "name": "Coaching others", "reviewMethod": "INDICATORS_INDIVIDUALLY",
        "commentsRequirementLevel": "REQUIRED", "emptyAnswersEnabled": False}]
    assert LEADERSHIP in [g["groupId"] for g in call(client, "GET", "/group/list")
                          if coaching in g["competencyIds"]]


def test_a_new_scale_drops_indicator_levels_it_lacks(client: httpx.Client) -> None:
    change(client, f"/competency/{FEEDBACK}/change", {
        "name": "Giving feedback", "scaleId": PROFICIENCY, "reviewMethod": "COMPETENCY_ENTIRELY",
        "commentsRequirementLevel": "REQUIRED", "emptyAnswersEnabled": False})
    assert call(client, "POST", "/competency/list", {"competencyIds": [FEEDBACK]}) == [{
        **FEEDBACK_OUT, "scaleId": PROFICIENCY, "indicators": [
            {"indicatorId": TIMELY, "name": "Gives timely feedback", "levels": []}]}]


def test_competency_refusals(client: httpx.Client) -> None:
    settings = {k: v for k, v in NEW_COMPETENCY.items() if k != "groupId"}
    assert_error(client.post(f"{P}/competency/{UNKNOWN}/change", headers=OWNER,
                             json=settings), 404, "Competency not found")
    for body, message in [
        ({**NEW_COMPETENCY, "scaleId": UNKNOWN}, f"Unknown competency scale: {UNKNOWN}"),
        ({**NEW_COMPETENCY, "groupId": UNKNOWN}, f"Unknown competency group: {UNKNOWN}"),
        ({**NEW_COMPETENCY, "reviewMethod": "SOMETIMES"},
         "Wrong parameters: reviewMethod must be one of INDICATORS_INDIVIDUALLY, "
         "COMPETENCY_ENTIRELY"),
        ({**NEW_COMPETENCY, "emptyAnswersEnabled": "maybe"},
         "Wrong parameters: emptyAnswersEnabled must be true or false"),
        (settings, "Wrong parameters: groupId is required"),
        ({**NEW_COMPETENCY, "color": "red"}, "Wrong parameters: unknown parameter color"),
    ]:
        assert_json_error(client.post(f"{P}/competency/create", headers={**OWNER, **JSON},
                                      json=body), 400, message)
    # Negotiation is in the Account Executive profile: its scale stays.
    assert_error(client.post(f"{P}/competency/{NEGOTIATION}/change", headers=OWNER,
                             json={**settings, "name": "Negotiation"}), 400,
                 "Wrong parameters: the scale of a competency in a competency profile cannot "
                 "change")
    assert call(client, "POST", "/competency/list") == [NEGOTIATION_OUT, PRODUCT_OUT,
                                                         FEEDBACK_OUT]


def test_create_and_change_an_indicator(client: httpx.Client) -> None:
    indicator = new_id(client.post(
        f"{P}/competency/{PRODUCT}/indicator/create", headers={**OWNER, **XML_BODY},
        content=f"<request><name>Knows the range</name><levels><level><levelId>{EXPERT}"
                "</levelId><description>Explains every model</description></level>"
                "</levels></request>"))
    [product] = call(client, "POST", "/competency/list", {"competencyIds": [PRODUCT]})
    assert product["indicators"] == [{"indicatorId": indicator, "name": "Knows the range",
                                      "levels": [{"levelId": EXPERT,
                                                  "description": "Explains every model"}]}]
    change(client, f"/competency/{PRODUCT}/indicator/{indicator}/change", {
        "name": "Knows the whole range", "levels": [{"levelId": BASIC}]})
    [product] = call(client, "POST", "/competency/list", {"competencyIds": [PRODUCT]})
    assert product["indicators"] == [{"indicatorId": indicator, "name": "Knows the whole range",
                                      "levels": [{"levelId": BASIC}]}]


def test_indicator_refusals(client: httpx.Client) -> None:
    body = {"name": "X", "levels": []}
    # The document lists no 404 for indicator/create: an unknown competency is its 400.
    assert_error(client.post(f"{P}/competency/{UNKNOWN}/indicator/create", headers=OWNER,
                             json=body), 400, "Competency not found")
    assert_error(client.post(f"{P}/competency/{NEGOTIATION}/indicator/{UNKNOWN}/change",
                             headers=OWNER, json=body), 404, "Indicator not found")
    # An indicator of another competency is not found under this one.
    assert_json_error(client.post(f"{P}/competency/{NEGOTIATION}/indicator/{TIMELY}/change",
                                  headers={**OWNER, **JSON}, json=body), 404,
                      "Indicator not found")
    for levels, message in [
        ([{"levelId": YES}], f"Wrong parameters: level {YES} is not on the competency's scale"),
        ([{"levelId": BASIC}, {"levelId": BASIC}],
         f"Wrong parameters: level {BASIC} is described twice"),
        ([{"levelId": "basic"}], "Wrong parameters: levels.0.levelId is not a valid ID: basic"),
    ]:
        assert_error(client.post(f"{P}/competency/{NEGOTIATION}/indicator/create",
                                 headers=OWNER, json={"name": "X", "levels": levels}), 400,
                     message)
    assert_error(client.post(f"{P}/competency/{NEGOTIATION}/indicator/create", headers=OWNER,
                             json={"name": "X"}), 400, "Wrong parameters: levels is required")
    assert call(client, "POST", "/competency/list") == [NEGOTIATION_OUT, PRODUCT_OUT,
                                                         FEEDBACK_OUT]


def test_list_profiles(client: httpx.Client) -> None:
    assert call(client, "POST", "/profile/list") == [PROFILE]
    assert call(client, "POST", "/profile/list", {"profileIds": [UNKNOWN]}) == []
    response = client.post(f"{P}/profile/list", headers=OWNER,
                           json={"profileIds": [EXECUTIVE]})
    assert xml(response) == {"response": {"competencyProfile": {
        "profileId": EXECUTIVE, "name": "Account Executive",
        "description": "Expected levels for sales account executives",
        "competencies": {"profileCompetencyData": PROFILE["competencies"]},
        "indicators": {"profileIndicatorData": PROFILE["indicators"][0]}}}}
    assert_error(client.post(f"{P}/profile/list", headers=OWNER, json={"profileIds": "x"}),
                 400, "Wrong parameters: profileIds is not a valid ID: x")


READS = [("GET", "/scale/list"), ("GET", "/group/list"), ("POST", "/competency/list"),
         ("POST", "/profile/list")]
WRITES = [("POST", "/scale/create"), ("POST", f"/scale/{PROFICIENCY}/change"),
          ("POST", "/group/create"), ("POST", f"/group/{ROOT}/rename"),
          ("POST", "/group/batch-move"), ("POST", "/competency/batch-move"),
          ("POST", "/competency/create"), ("POST", f"/competency/{NEGOTIATION}/change"),
          ("POST", f"/competency/{NEGOTIATION}/indicator/create"),
          ("POST", f"/competency/{NEGOTIATION}/indicator/{WALK_AWAY}/change")]


@pytest.mark.parametrize(("method", "path"), READS + WRITES)
def test_who_may_call(client: httpx.Client, method: str, path: str) -> None:
    assert_error(client.request(method, f"{P}{path}", json={}), 401, "Authorization failed")
    for role in (AUTHOR, HR, LEARNER):
        assert_error(client.request(method, f"{P}{path}", json={}, headers=role), 403,
                     "Permission denied")
    assert_json_error(client.request(method, f"{P}{path}", json={},
                                     headers={**LEARNER, **JSON}), 403, "Permission denied")
    if (method, path) in WRITES:
        # Department administrators read the account-wide library but do not change it.
        assert_error(client.request(method, f"{P}{path}", json={}, headers=DEPT_ADMIN), 403,
                     "Permission denied")


@pytest.mark.parametrize(("method", "path"), READS)
def test_department_and_account_administrators_read(client: httpx.Client, method: str,
                                                    path: str) -> None:
    assert call(client, method, path, headers=DEPT_ADMIN) == call(client, method, path,
                                                                   headers=ADMIN)


def test_a_fresh_account_gets_the_demo_library(client: httpx.Client) -> None:
    tenant = client.post("/_emulator/tenants", json={"vendor": "ispring"})
    assert tenant.status_code == 201, tenant.text
    url = tenant.json()["credentials"]["accountUrl"]
    assert url != ACCOUNT_URL
    owner = login("owner@demo.example", "demo-owner-pass", url)
    assert call(client, "GET", "/scale/list", headers=owner) == SCALES
    assert call(client, "POST", "/profile/list", headers=owner) == [PROFILE]
    # A change in one account leaves the other alone.
    change(client, f"/group/{ROOT}/rename", {"name": "Library"})
    assert call(client, "GET", "/group/list", headers=owner) == GROUPS


def test_a_pack_without_a_library_gets_a_root_group(client: httpx.Client) -> None:
    tenant = client.post("/_emulator/tenants", json={"vendor": "ispring", "fixture": SMALL_PACK})
    assert tenant.status_code == 201, tenant.text
    boss = login("boss", "boss-pass", tenant.json()["credentials"]["accountUrl"])
    [root] = call(client, "GET", "/group/list", headers=boss)
    assert root == {"groupId": root["groupId"], "name": "Competencies", "parentId": "",
                    "competencyIds": []}
    assert call(client, "GET", "/scale/list", headers=boss) == []
    assert call(client, "POST", "/competency/list", headers=boss) == []


def test_a_pack_with_broken_library_references_is_refused(client: httpx.Client) -> None:
    pack = {**SMALL_PACK, "competencyGroups": [
        {"id": "g-root", "name": "Root"}, {"id": "g-two", "name": "Two"},
        {"id": "g-lost", "name": "Lost", "parentId": "nowhere"}]}
    response = client.post("/_emulator/tenants", json={"vendor": "ispring", "fixture": pack})
    assert response.status_code == 422
    assert response.json() == {"error": {"status": 422, "message": (
        "inline fixture: (top level): Value error, more than one root competency group; "
        "competency group g-lost: unknown parent nowhere")}}
