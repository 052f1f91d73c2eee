"""POST /1/purchase (fact sheet §5.10, D21, D24)."""

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

EXAMPLE = {"systemDomain": "vbmapp", "productType": "assessment", "locale": "en"}
TRAINING = {"systemDomain": "vbmapp", "productType": "training", "locale": "es",
            "trainingProduct": "conducting"}


def purchase(id: int, org: int, description: dict[str, str]) -> dict[str, Any]:
    return {"quantity": 1, "subscriptionLength": {"type": "years", "length": 1}, "id": id,
            "purchasedProductsGenerated": True, "organizationId": org,
            "updatedAt": FROZEN_AT, "createdAt": FROZEN_AT, "completed": True,
            "productDescription": description}


def test_documented_example(client: httpx.Client, frozen: str) -> None:
    response = call(client, "POST", "/1/purchase", body=EXAMPLE, X_LearnerId=DEMO.sam)
    assert_response(response, 200, purchase(response.json()["id"], DEMO.iframe_org, {
        "systemDomain": "vbmapp", "productType": "assessment"}))


def test_standard_organization_buys_for_a_learner_by_code(client: httpx.Client,
                                                          frozen: str) -> None:
    response = call(client, "POST", "/1/purchase", token=STANDARD_TOKEN,
                    body={**EXAMPLE, "systemDomain": "efl"}, X_LearnerCode="demo-learner-lee")
    assert_response(response, 200, purchase(response.json()["id"], DEMO.standard_org, {
        "systemDomain": "efl", "productType": "assessment"}))


def test_training_needs_no_learner(client: httpx.Client, frozen: str) -> None:
    response = call(client, "POST", "/1/purchase", body=TRAINING)
    assert_response(response, 200, purchase(response.json()["id"], DEMO.iframe_org, {
        "systemDomain": "vbmapp", "productType": "training", "trainingProduct": "conducting"}))


def test_ids_are_server_wide(client: httpx.Client) -> None:
    first = call(client, "POST", "/1/purchase", body=TRAINING).json()["id"]
    second = call(client, "POST", "/1/purchase", body=TRAINING, token=STANDARD_TOKEN).json()["id"]
    assert second == first + 1


def test_user_headers_are_ignored(client: httpx.Client) -> None:
    response = call(client, "POST", "/1/purchase", body=EXAMPLE, X_LearnerId=DEMO.sam,
                    X_UserId="not-a-number", X_UserCode="ghost")
    assert response.status_code == 200


def test_purchase_sets_the_learners_content_locale(client: httpx.Client, frozen: str) -> None:
    # The clock is frozen at a time before the demo data was seeded: the last purchase made
    # still wins over the demo one.
    def example() -> str:
        response = call(client, "GET", "/1/protocol", X_SystemDomain="vbmapp",
                        X_LearnerId=DEMO.sam, params={"area": "barriers", "group": "group1",
                                                      "questionNum": "1"})
        text: str = response.json()["questions"][0]["example"]
        return text

    assert example() == "Placeholder example for barriers group1 question 1."
    response = call(client, "POST", "/1/purchase", body={**EXAMPLE, "locale": "fr"},
                    X_LearnerId=DEMO.sam)
    assert response.status_code == 200
    assert example() == "Exemple fictif pour barriers group1 question 1."


@pytest.mark.parametrize(("body", "reason"), [
    ({}, "systemDomain is required; productType is required; locale is required"),
    ({**EXAMPLE, "systemDomain": "VBMAPP"}, "systemDomain must be one of vbmapp, efl"),
    ({**EXAMPLE, "productType": "licence"}, "productType must be one of assessment, training"),
    ({**EXAMPLE, "locale": "de"}, "locale must be one of en, es, fr"),
    ({**EXAMPLE, "locale": None}, "locale must be one of en, es, fr"),
    ({**EXAMPLE, "trainingProduct": "other"}, "trainingProduct must be one of conducting"),
    ({**TRAINING, "trainingProduct": None},
     "trainingProduct is required when productType is 'training'"),
    ({"systemDomain": "vbmapp", "type": "assessment", "locale": "en"},  # the 2019 field name
     "productType is required"),
])
def test_invalid_bodies_are_400(client: httpx.Client, body: dict[str, Any],
                                reason: str) -> None:
    response = call(client, "POST", "/1/purchase", body=body, X_LearnerId=DEMO.sam)
    assert_response(response, 400, invalid(reason))


@pytest.mark.parametrize(("extra", "status", "expected"), [
    ({}, 400, error("X-LearnerId or X-LearnerCode is required when productType is "
                    "'assessment'")),
    ({"X_LearnerId": "1e3"}, 400, error("X-LearnerId must be an integer")),
    ({"X_LearnerId": 999999}, 404, error("No learner with X-LearnerId 999999 could be located")),
    ({"X_LearnerId": DEMO.lee}, 404,
     error(f"No learner with X-LearnerId {DEMO.lee} could be located")),
])
def test_learner_problems(client: httpx.Client, extra: dict[str, Any], status: int,
                          expected: dict[str, Any]) -> None:
    response = call(client, "POST", "/1/purchase", body=EXAMPLE, **extra)
    assert_response(response, status, expected)


def test_malformed_json_is_400(client: httpx.Client) -> None:
    response = call(client, "POST", "/1/purchase", raw="systemDomain=vbmapp",
                    X_LearnerId=DEMO.sam)
    assert_response(response, 400, invalid("malformed JSON"))
