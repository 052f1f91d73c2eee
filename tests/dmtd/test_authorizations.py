"""POST, DELETE and GET /1/authorize (fact sheet §5.4-§5.6, D12, D15-D17)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.dmtd.conftest import (
    DEMO,
    FROZEN_AT,
    IFRAME_TOKEN,
    STANDARD_TOKEN,
    assert_response,
    call,
    error,
    invalid,
)

NEED_LEARNER = error("X-LearnerId or X-LearnerCode is required")
NEED_USER = error("The body of the request was invalid: userId or userCode is required")


def documented_example(client: httpx.Client, token: str = IFRAME_TOKEN,
                       body: str = '{ "userId": 1234 }') -> httpx.Response:
    """DMTD's curl example, byte for byte apart from the (demo) token."""
    return client.post("/dmtd/1/authorize", content=body, headers={
        "User-Agent": "dmtd-rest-api",
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
        "X-LearnerId": "1",
    })


def grants(client: httpx.Client, learner: int) -> list[tuple[int, str]]:
    response = call(client, "GET", "/1/authorize", X_LearnerId=learner)
    assert response.status_code == 200, response.text
    return [(a["userId"], a["role"]) for a in response.json()["authorizations"]]


def test_documented_example_grants_then_reports_it_already_held(client: httpx.Client) -> None:
    assert_response(documented_example(client), 200, {})
    assert_response(documented_example(client), 202, {})
    assert grants(client, DEMO.sam) == [(DEMO.jordan, "Observer"), (DEMO.robin, "Teacher")]


def test_documented_example_failures(client: httpx.Client) -> None:
    assert_response(documented_example(client, body='{ "userId": 99 }'), 404,
                    error("No user with userId 99 could be located"))
    assert_response(documented_example(client, body="{ }"), 400, NEED_USER)
    assert_response(documented_example(client, token="L2Hth4lRwgHRBWtX8Hkl5w=="), 401,
                    error("The Bearer token is not valid"))
    assert_response(documented_example(client, token=STANDARD_TOKEN), 401, error(
        "This API is in beta and applies only to 'iFrame' API customers"))
    assert grants(client, DEMO.sam) == [(DEMO.jordan, "Observer")]


def test_granted_user_may_then_assess_the_learner(client: httpx.Client) -> None:
    assessment = {"X_SystemDomain": "vbmapp", "X_UserId": DEMO.robin, "X_LearnerId": DEMO.sam}
    assert call(client, "GET", "/1/assessment", **assessment).status_code == 401
    assert documented_example(client).status_code == 200
    assert call(client, "GET", "/1/assessment", **assessment).status_code == 200
    assert [item["id"] for item in call(client, "GET", "/1/learner",
                                        X_UserId=DEMO.robin).json()] == [DEMO.sam, DEMO.kit]


def test_by_codes_with_role(client: httpx.Client, frozen: str) -> None:
    response = call(client, "POST", "/1/authorize", X_LearnerCode="demo-learner-kit",
                    body={"userCode": "demo-user-alex", "role": "observer"})
    assert_response(response, 200, {})
    assert_response(call(client, "GET", "/1/authorize", X_LearnerCode="demo-learner-kit"), 200, {
        "success": True, "learnerId": DEMO.kit, "learnerName": None,
        "groupName": "Reseller Access - Demo iFrame Partner",
        "authorizations": [{"userId": DEMO.alex, "email": "alex@demo.example",
                            "name": "Alex Owner", "role": "Observer",
                            "authorizedAt": FROZEN_AT, "authorizedById": DEMO.robin}],
        "count": 1})


def test_the_owner_already_has_permission(client: httpx.Client) -> None:
    response = call(client, "POST", "/1/authorize", X_LearnerId=DEMO.sam,
                    body={"userId": DEMO.alex})
    assert_response(response, 202, {})
    assert grants(client, DEMO.sam) == [(DEMO.jordan, "Observer")]


def test_repeat_grant_keeps_the_first_role(client: httpx.Client) -> None:
    response = call(client, "POST", "/1/authorize", X_LearnerId=DEMO.sam,
                    body={"userId": DEMO.jordan, "role": "teacher"})
    assert_response(response, 202, {})
    assert grants(client, DEMO.sam) == [(DEMO.jordan, "Observer")]


@pytest.mark.parametrize(("body", "status"), [
    ({"userId": DEMO.robin, "userCode": "nobody"}, 200),  # the code is ignored
    ({"userId": 999999, "userCode": "demo-user-robin"}, 404),
    ({"userId": None, "userCode": "demo-user-robin"}, 200),
])
def test_user_id_wins_over_user_code(client: httpx.Client, body: dict[str, Any],
                                     status: int) -> None:
    assert call(client, "POST", "/1/authorize", X_LearnerId=DEMO.sam,
                body=body).status_code == status


def test_learner_id_wins_over_learner_code(client: httpx.Client) -> None:
    response = call(client, "POST", "/1/authorize", X_LearnerId=DEMO.sam,
                    X_LearnerCode="no-such-learner", body={"userId": DEMO.robin})
    assert_response(response, 200, {})
    response = call(client, "POST", "/1/authorize", X_LearnerId=999999,
                    X_LearnerCode="demo-learner-sam", body={"userId": DEMO.robin})
    assert_response(response, 404, error("No learner with X-LearnerId 999999 could be located"))


@pytest.mark.parametrize(("extra", "body", "status", "expected"), [
    ({}, {"userId": DEMO.robin}, 400, NEED_LEARNER),
    ({"X_LearnerId": "one"}, {"userId": DEMO.robin}, 400, error("X-LearnerId must be an integer")),
    ({"X_LearnerId": DEMO.sam}, {"userId": "1234"}, 400, invalid("userId must be an integer")),
    ({"X_LearnerId": DEMO.sam}, {"userId": True}, 400, invalid("userId must be an integer")),
    ({"X_LearnerId": DEMO.sam}, {"userId": 12.0}, 400, invalid("userId must be an integer")),
    ({"X_LearnerId": DEMO.sam}, {"userCode": 7}, 400, invalid("userCode must be a string")),
    ({"X_LearnerId": DEMO.sam}, {"userId": DEMO.robin, "role": "admin"}, 400,
     invalid("role must be one of teacher, observer")),
    ({"X_LearnerId": DEMO.sam}, {"userId": None}, 400, NEED_USER),
    ({"X_LearnerId": DEMO.sam}, [1234], 400, invalid("expected a JSON object")),
    ({"X_LearnerId": 999999}, {"userId": DEMO.robin}, 404,
     error("No learner with X-LearnerId 999999 could be located")),
    ({"X_LearnerCode": "ghost"}, {"userId": DEMO.robin}, 404,
     error("No learner with X-LearnerCode 'ghost' could be located")),
    ({"X_LearnerId": DEMO.lee}, {"userId": DEMO.robin}, 404,  # another organization's learner
     error(f"No learner with X-LearnerId {DEMO.lee} could be located")),
    ({"X_LearnerId": DEMO.sam}, {"userCode": "ghost"}, 404,
     error("No user with userCode 'ghost' could be located")),
])
def test_grant_failures(client: httpx.Client, extra: dict[str, Any], body: Any, status: int,
                        expected: dict[str, Any]) -> None:
    assert_response(call(client, "POST", "/1/authorize", body=body, **extra), status, expected)
    assert grants(client, DEMO.sam) == [(DEMO.jordan, "Observer")]


def test_remove_by_query_then_nothing_to_remove(client: httpx.Client) -> None:
    def remove() -> httpx.Response:
        return call(client, "DELETE", "/1/authorize", X_LearnerId=DEMO.sam,
                    params={"userId": str(DEMO.jordan)})

    assert_response(remove(), 200, {})
    assert grants(client, DEMO.sam) == []
    assert_response(remove(), 202, {})


def test_remove_by_body_code(client: httpx.Client) -> None:
    response = call(client, "DELETE", "/1/authorize", X_LearnerCode="demo-learner-sam",
                    body={"userCode": "demo-user-jordan"})
    assert_response(response, 200, {})
    assert grants(client, DEMO.sam) == []
    listed = call(client, "GET", "/1/learner", X_UserId=DEMO.jordan).json()
    assert [learner["id"] for learner in listed] == [DEMO.noa]


def test_query_wins_over_body(client: httpx.Client) -> None:
    response = call(client, "DELETE", "/1/authorize", X_LearnerId=DEMO.sam,
                    params={"userId": str(DEMO.robin)}, raw="{broken")
    assert_response(response, 202, {})
    assert grants(client, DEMO.sam) == [(DEMO.jordan, "Observer")]


@pytest.mark.parametrize(("extra", "params", "body", "status", "expected"), [
    ({"X_LearnerId": DEMO.sam}, {"userId": str(DEMO.alex)}, None, 400,
     error(f"User {DEMO.alex} owns learner {DEMO.sam}; the owner's permission cannot be "
           "removed")),
    ({"X_LearnerId": DEMO.sam}, None, None, 400, NEED_USER),
    ({"X_LearnerId": DEMO.sam}, None, {"role": "teacher"}, 400, NEED_USER),
    ({"X_LearnerId": DEMO.sam}, {"userId": "x"}, None, 400, error("userId must be an integer")),
    ({"X_LearnerId": DEMO.sam}, {"userCode": ""}, None, 400,
     error("userCode must not be empty")),
    ({}, {"userId": str(DEMO.jordan)}, None, 400, NEED_LEARNER),
    ({"X_LearnerId": DEMO.sam}, {"userCode": "ghost"}, None, 404,
     error("No user with userCode 'ghost' could be located")),
    ({"X_LearnerId": 424242}, {"userId": str(DEMO.jordan)}, None, 404,
     error("No learner with X-LearnerId 424242 could be located")),
])
def test_remove_failures(client: httpx.Client, extra: dict[str, Any],
                         params: dict[str, str] | None, body: Any, status: int,
                         expected: dict[str, Any]) -> None:
    response = call(client, "DELETE", "/1/authorize", params=params, body=body, **extra)
    assert_response(response, status, expected)
    assert grants(client, DEMO.sam) == [(DEMO.jordan, "Observer")]


def test_list_of_a_demo_learner(client: httpx.Client) -> None:
    response = call(client, "GET", "/1/authorize", X_LearnerId=DEMO.noa)
    at = response.json()["authorizations"][0]["authorizedAt"]
    assert_response(response, 200, {
        "success": True, "learnerId": DEMO.noa, "learnerName": "Noa Example",
        "groupName": "Reseller Access - Demo iFrame Partner",
        "authorizations": [{"userId": DEMO.jordan, "email": "jordan@demo.example",
                            "name": "Jordan Teacher", "role": "Teacher", "authorizedAt": at,
                            "authorizedById": DEMO.alex}],
        "count": 1})


def test_list_failures(client: httpx.Client) -> None:
    assert_response(call(client, "GET", "/1/authorize"), 400, NEED_LEARNER)
    assert_response(call(client, "GET", "/1/authorize", X_LearnerCode="ghost"), 404,
                    error("No learner with X-LearnerCode 'ghost' could be located"))
