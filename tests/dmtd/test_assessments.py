"""POST, GET and PATCH /1/assessment (fact sheet §5.7-§5.9, D14, D22)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.dmtd.conftest import DEMO, FROZEN_AT, assert_response, call, error, invalid
from tests.dmtd.expected import iep

AS_ALEX = {"X_SystemDomain": "vbmapp", "X_UserId": DEMO.alex, "X_LearnerId": DEMO.sam}
AS_ROBIN = {**AS_ALEX, "X_UserId": DEMO.robin}
AS_JORDAN = {**AS_ALEX, "X_UserId": DEMO.jordan}
ROBIN_REFUSED = error(f"User {DEMO.robin} does not have permission to assess learner {DEMO.sam}")
FIRST = {"id": DEMO.sam_assessment, "assessor": "Alex Owner",
         "startDate": "2025-04-22T05:16:09Z", "color": "#537fcd"}
SECOND = {"id": DEMO.sam_second_assessment, "assessor": "Jordan Teacher",
          "startDate": "2025-09-15T09:30:00Z", "color": None}
# The demo scores as DMTD reports them: milestone and EESA entries swap area and group.
SCORES = [
    {"score": 1, "timestamp": "2025-06-02T06:20:44Z", "area": "mand", "group": "milestones",
     "questionNum": 1},
    {"score": 1, "timestamp": "2025-06-02T06:20:47Z", "area": "transitions", "questionNum": 1},
    {"score": 0.5, "timestamp": "2025-06-02T06:21:02Z", "area": "mand", "group": "milestones",
     "questionNum": 2},
    {"score": 2, "timestamp": "2025-06-02T06:21:30Z", "area": "barriers", "questionNum": 1},
    {"score": 5, "timestamp": "2025-06-02T06:22:11Z", "area": "transitions", "questionNum": 2},
    {"score": 1, "timestamp": "2025-06-02T06:23:05Z", "area": "group1", "group": "eesa",
     "questionNum": 3},
    {"score": -1, "timestamp": "2025-06-02T06:24:40Z", "area": "tact", "group": "milestones",
     "questionNum": 1},
]


def envelope(*items: dict[str, Any]) -> dict[str, Any]:
    return {"vbmapp": {"assessments": list(items)}}


def read(client: httpx.Client, params: dict[str, str] | None = None,
         **extra: str | int) -> httpx.Response:
    return call(client, "GET", "/1/assessment", params=params, **(AS_ALEX | extra))


def ids(client: httpx.Client) -> list[int]:
    return [a["id"] for a in read(client).json()["vbmapp"]["assessments"]]


# ---------------------------------------------------------------------------------- POST

def test_documented_example(client: httpx.Client) -> None:
    response = call(client, "POST", "/1/assessment", **AS_ALEX,
                    body={"startDate": "2023-06-19T05:16:09Z", "color": "#ffff"})
    new_id = response.json()["id"]
    assert new_id > DEMO.sam_second_assessment
    assert_response(response, 200, {"id": new_id, "color": "#ffff",
                                     "startDate": "2023-06-19T05:16:09Z",
                                     "learnerId": DEMO.sam})
    assert ids(client) == [new_id, DEMO.sam_assessment, DEMO.sam_second_assessment]


@pytest.mark.parametrize("raw", ["", "{}", '{"startDate": null, "color": null}'])
def test_defaults_start_now_without_colour(client: httpx.Client, frozen: str, raw: str) -> None:
    response = call(client, "POST", "/1/assessment", raw=raw, **AS_ALEX)
    new_id = response.json()["id"]
    assert_response(response, 200, {"id": new_id, "color": None, "startDate": FROZEN_AT,
                                    "learnerId": DEMO.sam})


@pytest.mark.parametrize("start", ["2023-06-19T07:16:09+02:00", "2023-06-19T05:16:09.987Z",
                                   "2023-06-19T05:16:09"])
def test_start_date_is_normalised_to_utc_seconds(client: httpx.Client, start: str) -> None:
    response = call(client, "POST", "/1/assessment", body={"startDate": start}, **AS_ALEX)
    assert response.status_code == 200
    assert response.json()["startDate"] == "2023-06-19T05:16:09Z"


def test_authorized_user_creates_and_is_the_assessor(client: httpx.Client) -> None:
    created = call(client, "POST", "/1/assessment", body={"startDate": "2030-01-01"},
                   **(AS_ALEX | {"X_UserId": DEMO.jordan, "X_LearnerCode": "ignored"}))
    assert created.status_code == 200
    assert read(client).json()["vbmapp"]["assessments"][-1] == {
        "id": created.json()["id"], "assessor": "Jordan Teacher",
        "startDate": "2030-01-01T00:00:00Z", "color": None}


@pytest.mark.parametrize(("extra", "body", "status", "expected"), [
    ({"X_UserId": DEMO.robin}, {}, 401, ROBIN_REFUSED),
    ({"X_SystemDomain": "efl"}, {}, 400, error("X-SystemDomain must be 'vbmapp'")),
    ({"X_SystemDomain": "VBMAPP"}, {}, 400, error("X-SystemDomain must be 'vbmapp'")),
    ({"X_UserId": "x"}, {}, 400, error("X-UserId must be an integer")),
    ({"X_LearnerId": "x"}, {}, 400, error("X-LearnerId must be an integer")),
    ({}, {"startDate": "yesterday"}, 400,
     invalid("startDate must be an ISO 8601 date-time, got 'yesterday'")),
    ({}, {"startDate": 1687151769}, 400, invalid("startDate must be an ISO 8601 date-time string")),
    ({}, {"color": ["#fff"]}, 400, invalid("color must be a string")),
    ({"X_LearnerId": 999999}, {}, 404,
     error("No learner with X-LearnerId 999999 could be located")),
    ({"X_UserCode": "ghost", "X_UserId": None}, {}, 404,
     error("No user with X-UserCode 'ghost' could be located")),
    # D10: lookups (404) come before the permission check (401).
    ({"X_UserId": DEMO.robin, "X_LearnerId": 999999}, {}, 404,
     error("No learner with X-LearnerId 999999 could be located")),
])
def test_create_failures(client: httpx.Client, extra: dict[str, Any], body: Any, status: int,
                         expected: dict[str, Any]) -> None:
    headers = {k: v for k, v in (AS_ALEX | extra).items() if v is not None}
    assert_response(call(client, "POST", "/1/assessment", body=body, **headers), status,
                    expected)
    assert ids(client) == [DEMO.sam_assessment, DEMO.sam_second_assessment]


@pytest.mark.parametrize(("missing", "expected"), [
    ("X_SystemDomain", error("X-SystemDomain must be 'vbmapp'")),
    ("X_UserId", error("X-UserId or X-UserCode is required")),
    ("X_LearnerId", error("X-LearnerId or X-LearnerCode is required")),
])
@pytest.mark.parametrize("method", ["POST", "GET", "PATCH"])
def test_required_headers(client: httpx.Client, method: str, missing: str,
                          expected: dict[str, Any]) -> None:
    headers = {k: v for k, v in AS_ALEX.items() if k != missing}
    response = call(client, method, "/1/assessment", body={},
                    params={"assessmentId": str(DEMO.sam_assessment)}, **headers)
    assert_response(response, 400, expected)


# ----------------------------------------------------------------------------------- GET

def test_read_without_flags(client: httpx.Client) -> None:
    assert_response(read(client), 200, envelope(FIRST, SECOND))


def test_read_with_every_flag(client: httpx.Client) -> None:
    params = {"scores": "true", "grids": "true", "grids_scores": "true", "iep": "true"}
    extra = {"scores": SCORES, "grids": [], "grid_scores": [], "iep": iep("en")}
    assert_response(read(client, params), 200, envelope(
        FIRST | extra, SECOND | extra | {"scores": []}))


@pytest.mark.parametrize(("params", "keys"), [
    ({"scores": "1"}, ["scores"]),
    ({"grid_scores": "1"}, ["grid_scores"]),
    ({"grids_scores": "TRUE"}, ["grid_scores"]),
    ({"grids": "true", "iep": "0"}, ["grids"]),
    ({"scores": "yes", "grids": "false", "iep": ""}, []),
])
def test_flags(client: httpx.Client, params: dict[str, str], keys: list[str]) -> None:
    first = read(client, params).json()["vbmapp"]["assessments"][0]
    assert list(first) == ["id", "assessor", "startDate", "color", *keys]


def test_iep_follows_accept_language(client: httpx.Client) -> None:
    response = read(client, {"iep": "true"}, Accept_Language="es-MX,es;q=0.9")
    assert response.json()["vbmapp"]["assessments"][0]["iep"] == iep("es")
    response = read(client, {"iep": "true"}, Accept_Language="de")
    assert response.json()["vbmapp"]["assessments"][0]["iep"] == iep("en")


def test_plural_path_is_an_alias(client: httpx.Client) -> None:
    response = call(client, "GET", "/1/assessments", params={"scores": "true"}, **AS_ALEX)
    assert_response(response, 200, envelope(FIRST | {"scores": SCORES}, SECOND | {"scores": []}))


def test_authorized_user_reads_and_others_are_refused(client: httpx.Client) -> None:
    assert_response(read(client, **AS_JORDAN), 200, envelope(FIRST, SECOND))
    assert_response(read(client, **AS_ROBIN), 401, ROBIN_REFUSED)


def test_learner_without_assessments(client: httpx.Client) -> None:
    assert_response(read(client, X_LearnerId=DEMO.noa), 200, envelope())


def test_another_organizations_learner_is_unknown(client: httpx.Client) -> None:
    assert_response(read(client, X_LearnerId=DEMO.lee), 404,
                    error(f"No learner with X-LearnerId {DEMO.lee} could be located"))


# --------------------------------------------------------------------------------- PATCH

def patch(client: httpx.Client, assessment: str | None, body: Any = None,
          raw: str | None = None, **extra: str | int) -> httpx.Response:
    params = None if assessment is None else {"assessmentId": assessment}
    return call(client, "PATCH", "/1/assessment", params=params, body=body, raw=raw,
                **(AS_ALEX | extra))


def test_documented_patch_example(client: httpx.Client) -> None:
    response = patch(client, str(DEMO.sam_assessment), {"startDate": "2023-06-19T05:16:09Z"})
    assert_response(response, 200, {"id": DEMO.sam_assessment, "color": "#537fcd",
                                     "startDate": "2023-06-19T05:16:09Z",
                                     "learnerId": DEMO.sam})


def test_patch_reorders_and_changes_only_what_is_sent(client: httpx.Client) -> None:
    response = patch(client, str(DEMO.sam_assessment), {"startDate": "2026-01-01T00:00:00Z"})
    assert response.json()["color"] == "#537fcd"
    assert ids(client) == [DEMO.sam_second_assessment, DEMO.sam_assessment]
    response = patch(client, str(DEMO.sam_assessment), {"color": None})
    assert_response(response, 200, {"id": DEMO.sam_assessment, "color": None,
                                    "startDate": "2026-01-01T00:00:00Z",
                                    "learnerId": DEMO.sam})
    response = patch(client, str(DEMO.sam_second_assessment), raw="", **AS_JORDAN)
    assert_response(response, 200, {"id": DEMO.sam_second_assessment, "color": None,
                                     "startDate": "2025-09-15T09:30:00Z",
                                     "learnerId": DEMO.sam})


@pytest.mark.parametrize(("assessment", "extra", "body", "status", "expected"), [
    (None, {}, {}, 400, error("assessmentId is required")),
    ("first", {}, {}, 400, error("assessmentId must be an integer")),
    (str(DEMO.sam_assessment), {}, {"startDate": "2023-02-30"}, 400,
     invalid("startDate must be an ISO 8601 date-time, got '2023-02-30'")),
    (str(DEMO.sam_assessment), {}, "[]", 400, invalid("expected a JSON object")),
    ("999999", {}, {}, 404, error(
        f"No assessment with assessmentId 999999 could be located for learner {DEMO.sam}")),
    (str(DEMO.sam_assessment), {"X_LearnerId": DEMO.noa}, {}, 404, error(
        f"No assessment with assessmentId {DEMO.sam_assessment} could be located for learner "
        f"{DEMO.noa}")),
    (str(DEMO.sam_assessment), {"X_UserId": DEMO.robin}, {}, 401, ROBIN_REFUSED),
    ("999999", {"X_UserId": DEMO.robin}, {}, 404, error(
        f"No assessment with assessmentId 999999 could be located for learner {DEMO.sam}")),
])
def test_patch_failures(client: httpx.Client, assessment: str | None, extra: dict[str, Any],
                        body: Any, status: int, expected: dict[str, Any]) -> None:
    raw = body if isinstance(body, str) else None
    response = patch(client, assessment, None if raw else body, raw, **extra)
    assert_response(response, status, expected)
    assert_response(read(client), 200, envelope(FIRST, SECOND))
