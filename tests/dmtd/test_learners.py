"""POST and GET /1/learner (fact sheet §5.2, §5.3, D5, D6, D13, D18, D19)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.dmtd.conftest import (
    DEMO,
    FROZEN_AT,
    STANDARD_TOKEN,
    assert_response,
    call,
    error,
    invalid,
)

EXAMPLE = {"code": "Code: 1234", "color": "#ffff", "dateOfBirth": "2014-01-01",
           "firstName": "Fred", "gender": 1, "isActive": True, "lastName": "value"}
HEADER_REQUIRED = error("X-UserId or X-UserCode is required for iFrame customers")
HEADER_FORBIDDEN = error("X-UserId and X-UserCode must be omitted by customers outside the "
                         "iFrame programme")


def learner(id: int, org: int, at: str, *, code: str | None = None, color: str | None = None,
            dob: str, first: str | None = None, last: str | None = None,
            gender: int | None = None, active: bool | int = True) -> dict[str, Any]:
    return {"gender": gender, "color": color, "firstName": first, "id": id, "code": code,
            "dateOfBirth": f"{dob}T00:00:00Z", "isActive": active, "organizationId": org,
            "updatedAt": at, "createdAt": at, "lastName": last}


def demo_iframe_learners(at: str) -> list[dict[str, Any]]:
    return [
        learner(DEMO.sam, DEMO.iframe_org, at, code="demo-learner-sam", color="#537fcd",
                dob="2019-03-14", first="Sam", last="Sample", gender=1, active=1),
        learner(DEMO.noa, DEMO.iframe_org, at, dob="2020-07-02", first="Noa", last="Example",
                gender=2, active=True),
        learner(DEMO.kit, DEMO.iframe_org, at, code="demo-learner-kit", dob="2018-11-30",
                active=False),
    ]


def create(client: httpx.Client, body: Any, **extra: str | int) -> httpx.Response:
    return call(client, "POST", "/1/learner", body=body, **extra)


def listed(client: httpx.Client, **extra: str | int) -> list[int]:
    response = call(client, "GET", "/1/learner", **extra)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


def test_demo_ids_are_as_documented(client: httpx.Client) -> None:
    assert listed(client) == [DEMO.sam, DEMO.noa, DEMO.kit]
    assert listed(client, token=STANDARD_TOKEN) == [DEMO.lee, DEMO.pat]
    assert listed(client, X_UserCode="demo-user-robin") == listed(client, X_UserId=DEMO.robin)
    assert listed(client, X_UserId=DEMO.robin) == [DEMO.kit]
    assert listed(client, X_UserId=DEMO.alex) == [DEMO.sam, DEMO.noa]
    assert listed(client, X_UserCode="demo-user-jordan") == [DEMO.sam, DEMO.noa]


def test_documented_example(client: httpx.Client, frozen: str) -> None:
    response = create(client, EXAMPLE, X_UserId=DEMO.alex)
    new_id = response.json()["id"]
    assert new_id > DEMO.pat
    assert_response(response, 200, learner(
        new_id, DEMO.iframe_org, FROZEN_AT, code="Code: 1234", color="#ffff", dob="2014-01-01",
        first="Fred", last="value", gender=1, active=True))


def test_minimal_learner_and_defaults(client: httpx.Client, frozen: str) -> None:
    response = create(client, {"dateOfBirth": "2014-01-01"}, X_UserCode="demo-user-alex")
    assert_response(response, 200, learner(response.json()["id"], DEMO.iframe_org, FROZEN_AT,
                                           dob="2014-01-01"))


@pytest.mark.parametrize("value", [True, False, 1, 0])
def test_is_active_is_echoed_in_its_own_type(client: httpx.Client, value: bool | int) -> None:
    response = create(client, {"dateOfBirth": "2014-01-01", "isActive": value},
                      X_UserId=DEMO.alex)
    assert response.status_code == 200
    active = response.json()["isActive"]
    assert (type(active), active) == (type(value), value)


@pytest.mark.parametrize("value", ["2014-01-01T23:30:00+05:00", "2014-01-01T00:00:00Z",
                                   "2014-01-01T10:11:12"])
def test_date_time_of_birth_keeps_the_date(client: httpx.Client, value: str) -> None:
    response = create(client, {"dateOfBirth": value}, X_UserId=DEMO.alex)
    assert response.status_code == 200
    assert response.json()["dateOfBirth"] == "2014-01-01T00:00:00Z"


def test_standard_organization_creates_without_owner(client: httpx.Client,
                                                     frozen: str) -> None:
    response = create(client, {**EXAMPLE, "isActive": 1}, token=STANDARD_TOKEN)
    assert_response(response, 200, learner(
        response.json()["id"], DEMO.standard_org, FROZEN_AT, code="Code: 1234", color="#ffff",
        dob="2014-01-01", first="Fred", last="value", gender=1, active=1))


@pytest.mark.parametrize("header", [{"X_UserId": "1235"}, {"X_UserCode": "demo-user-alex"}])
def test_standard_organization_must_omit_user_headers(client: httpx.Client,
                                                      header: dict[str, str]) -> None:
    assert_response(create(client, EXAMPLE, token=STANDARD_TOKEN, **header), 400,
                    HEADER_FORBIDDEN)
    assert_response(call(client, "GET", "/1/learner", token=STANDARD_TOKEN, **header), 400,
                    HEADER_FORBIDDEN)


def test_iframe_organization_needs_a_user_header(client: httpx.Client) -> None:
    assert_response(create(client, EXAMPLE), 400, HEADER_REQUIRED)


@pytest.mark.parametrize(("header", "status", "body"), [
    ({"X_UserId": "abc"}, 400, error("X-UserId must be an integer")),
    ({"X_UserId": "1.5"}, 400, error("X-UserId must be an integer")),
    ({"X_UserId": ""}, 400, error("X-UserId must be an integer")),
    ({"X_UserCode": ""}, 400, error("X-UserCode must not be empty")),
    ({"X_UserId": "999999"}, 404, error("No user with X-UserId 999999 could be located")),
    ({"X_UserId": "-1"}, 404, error("No user with X-UserId -1 could be located")),
    ({"X_UserId": "9" * 30}, 404, error(f"No user with X-UserId {'9' * 30} could be located")),
    ({"X_UserId": "9" * 5000}, 400, error("X-UserId must be an integer")),
    ({"X_UserCode": "nobody"}, 404, error("No user with X-UserCode 'nobody' could be located")),
    # D12: the id wins; the code is not even looked at.
    ({"X_UserId": "999999", "X_UserCode": "demo-user-alex"}, 404,
     error("No user with X-UserId 999999 could be located")),
])
def test_bad_user_headers(client: httpx.Client, header: dict[str, str], status: int,
                          body: dict[str, Any]) -> None:
    assert_response(create(client, EXAMPLE, **header), status, body)


def test_user_id_wins_over_user_code(client: httpx.Client) -> None:
    response = create(client, EXAMPLE, X_UserId=DEMO.robin, X_UserCode="nobody")
    assert response.status_code == 200
    assert listed(client, X_UserId=DEMO.robin) == [DEMO.kit, response.json()["id"]]
    assert listed(client, X_UserId=DEMO.alex) == [DEMO.sam, DEMO.noa]


def test_user_code_header_may_be_utf8(client: httpx.Client) -> None:
    user = call(client, "POST", "/1/user", body={
        "code": "thérapeute-é", "firstName": "A", "lastName": "B", "email": "a@b.c"}).json()
    response = client.post("/dmtd/1/learner", json={"dateOfBirth": "2014-01-01"}, headers=[
        (b"Authorization", b"Bearer dmtd-demo-iframe-token"),
        (b"X-UserCode", "thérapeute-é".encode())])
    assert response.status_code == 200, response.text
    assert listed(client, X_UserId=user["id"]) == [response.json()["id"]]


@pytest.mark.parametrize(("body", "reason"), [
    ({}, "dateOfBirth is required"),
    ({"dateOfBirth": None}, "dateOfBirth must be a date string (YYYY-MM-DD)"),
    ({"dateOfBirth": 20140101}, "dateOfBirth must be a date string (YYYY-MM-DD)"),
    ({"dateOfBirth": "2014-13-01"}, "dateOfBirth must be a date (YYYY-MM-DD), got '2014-13-01'"),
    ({"dateOfBirth": "01/01/2014"}, "dateOfBirth must be a date (YYYY-MM-DD), got '01/01/2014'"),
    ({"dateOfBirth": "2014-01-01", "gender": 3}, "gender must be 1 (male) or 2 (female)"),
    ({"dateOfBirth": "2014-01-01", "gender": "1"}, "gender must be 1 (male) or 2 (female)"),
    ({"dateOfBirth": "2014-01-01", "gender": True}, "gender must be 1 (male) or 2 (female)"),
    ({"dateOfBirth": "2014-01-01", "isActive": "yes"}, "isActive must be true, false, 1 or 0"),
    ({"dateOfBirth": "2014-01-01", "isActive": 2}, "isActive must be true, false, 1 or 0"),
    ({"dateOfBirth": "2014-01-01", "isActive": 1.0}, "isActive must be true, false, 1 or 0"),
    ({"dateOfBirth": "2014-01-01", "color": 5}, "color must be a string"),
    ({"dateOfBirth": "2014-01-01", "lastName": "x" * 300},
     "lastName must be at most 255 characters"),
    ({"dateOfBirth": "2014-01-01", "code": {"a": 1}}, "code must be a string"),
    ({"code": "c" * 500}, "code must be at most 191 characters; dateOfBirth is required"),
])
def test_invalid_fields_are_400(client: httpx.Client, body: dict[str, Any],
                                reason: str) -> None:
    assert_response(create(client, body, X_UserId=DEMO.alex), 400, invalid(reason))


def test_malformed_json_is_400(client: httpx.Client) -> None:
    response = call(client, "POST", "/1/learner", raw='{"dateOfBirth": ', X_UserId=DEMO.alex)
    assert_response(response, 400, invalid("malformed JSON"))


def test_duplicate_code_is_400_per_organization(client: httpx.Client) -> None:
    assert_response(create(client, {**EXAMPLE, "code": "demo-learner-sam"}, X_UserId=DEMO.alex),
                    400, invalid("code 'demo-learner-sam' is already used by another learner"))
    # Another organization's codes are its own.
    response = create(client, {**EXAMPLE, "code": "demo-learner-sam"}, token=STANDARD_TOKEN)
    assert response.status_code == 200


def test_a_refused_request_writes_nothing(client: httpx.Client) -> None:
    assert create(client, EXAMPLE, X_UserId=999999).status_code == 404
    assert listed(client) == [DEMO.sam, DEMO.noa, DEMO.kit]
    assert create(client, EXAMPLE, X_UserId=DEMO.alex).status_code == 200  # code still free


def test_list_all_learners_of_an_iframe_organization(client: httpx.Client) -> None:
    response = call(client, "GET", "/1/learner")
    at = response.json()[0]["createdAt"]
    assert_response(response, 200, demo_iframe_learners(at))


def test_list_for_a_user_shows_owned_and_authorized_learners(client: httpx.Client) -> None:
    response = call(client, "GET", "/1/learner", X_UserCode="demo-user-jordan")
    at = response.json()[0]["createdAt"]
    assert_response(response, 200, demo_iframe_learners(at)[:2])


def test_list_for_an_unknown_user_is_404(client: httpx.Client) -> None:
    assert_response(call(client, "GET", "/1/learner", X_UserCode="ghost"), 404,
                    error("No user with X-UserCode 'ghost' could be located"))


def test_list_of_a_standard_organization(client: httpx.Client) -> None:
    response = call(client, "GET", "/1/learner", token=STANDARD_TOKEN)
    at = response.json()[0]["createdAt"]
    assert_response(response, 200, [
        learner(DEMO.lee, DEMO.standard_org, at, code="demo-learner-lee", color="#ffffff",
                dob="2017-05-20", first="Lee", last="Standard", gender=2, active=True),
        learner(DEMO.pat, DEMO.standard_org, at, dob="2021-01-09", active=1),
    ])


def test_new_learners_are_listed_in_id_order(client: httpx.Client) -> None:
    first = create(client, {"dateOfBirth": "2014-01-01"}, token=STANDARD_TOKEN).json()["id"]
    second = create(client, {"dateOfBirth": "2015-01-01"}, token=STANDARD_TOKEN).json()["id"]
    assert listed(client, token=STANDARD_TOKEN) == [DEMO.lee, DEMO.pat, first, second]
