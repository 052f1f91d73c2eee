"""Organizations are isolated tenants (D4): own token, own ids, own codes, own records."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tests.dmtd.conftest import DEMO, IFRAME_TOKEN, assert_response, call, error


def learners(client: httpx.Client, token: str) -> list[dict[str, Any]]:
    response = call(client, "GET", "/1/learner", token=token)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


def test_fresh_tenant_has_its_own_token_and_ids(client: httpx.Client,
                                                fresh_tenant: dict[str, Any]) -> None:
    credentials = fresh_tenant["credentials"]
    assert len(base64.b64decode(credentials["token"], validate=True)) == 16
    assert credentials["kind"] == "iframe"
    org = credentials["organizationId"]
    assert org > DEMO.standard_org
    fresh = learners(client, credentials["token"])
    assert [item["code"] for item in fresh] == ["demo-learner-sam", None, "demo-learner-kit"]
    assert {item["organizationId"] for item in fresh} == {org}
    assert min(item["id"] for item in fresh) > DEMO.pat
    assert [item["id"] for item in learners(client, IFRAME_TOKEN)] == [
        DEMO.sam, DEMO.noa, DEMO.kit]


def test_records_of_another_organization_are_unknown(client: httpx.Client,
                                                     fresh_tenant: dict[str, Any]) -> None:
    token = fresh_tenant["credentials"]["token"]
    fresh_sam = learners(client, token)[0]["id"]
    assert_response(call(client, "GET", "/1/authorize", X_LearnerId=fresh_sam), 404,
                    error(f"No learner with X-LearnerId {fresh_sam} could be located"))
    assert_response(call(client, "GET", "/1/authorize", token=token, X_LearnerId=DEMO.sam), 404,
                    error(f"No learner with X-LearnerId {DEMO.sam} could be located"))
    # The documented example's user 1234 belongs to the demo organization only.
    response = call(client, "POST", "/1/authorize", token=token, X_LearnerId=fresh_sam,
                    body={"userId": DEMO.robin})
    assert_response(response, 404, error(f"No user with userId {DEMO.robin} could be located"))
    response = call(client, "POST", "/1/authorize", token=token, X_LearnerId=fresh_sam,
                    body={"userCode": "demo-user-robin"})
    assert_response(response, 200, {})
    response = call(client, "PATCH", "/1/assessment", token=token, body={},
                    params={"assessmentId": str(DEMO.sam_assessment)}, X_SystemDomain="vbmapp",
                    X_UserCode="demo-user-alex", X_LearnerId=fresh_sam)
    assert_response(response, 404, error(
        f"No assessment with assessmentId {DEMO.sam_assessment} could be located for learner "
        f"{fresh_sam}"))
    # The grant in the fresh organization changed nothing in the demo one.
    assert [a["userId"] for a in call(client, "GET", "/1/authorize", X_LearnerId=DEMO.sam)
            .json()["authorizations"]] == [DEMO.jordan]


def test_codes_are_unique_per_organization(client: httpx.Client,
                                           fresh_tenant: dict[str, Any]) -> None:
    token = fresh_tenant["credentials"]["token"]
    body = {"code": "shared", "firstName": "A", "lastName": "B", "email": "a@b.example"}
    assert call(client, "POST", "/1/user", body=body).status_code == 200
    assert call(client, "POST", "/1/user", body=body, token=token).status_code == 200
    assert_response(call(client, "POST", "/1/user", body=body, token=token), 400, error(
        "The body of the request was invalid: code 'shared' is already used by another user"))


def test_reset_of_a_fresh_tenant_keeps_its_token(client: httpx.Client,
                                                 fresh_tenant: dict[str, Any]) -> None:
    token = fresh_tenant["credentials"]["token"]
    created = call(client, "POST", "/1/learner", token=token, body={"dateOfBirth": "2014-01-01"},
                   X_UserCode="demo-user-alex")
    assert created.status_code == 200
    assert len(learners(client, token)) == 4
    response = client.post(f"/_emulator/tenants/{fresh_tenant['id']}/reset")
    assert response.status_code == 200
    assert len(learners(client, token)) == 3


def test_standard_pack_makes_a_standard_organization(client: httpx.Client) -> None:
    response = client.post("/_emulator/tenants", json={"vendor": "dmtd", "fixture": "standard"})
    assert response.status_code == 201
    token = response.json()["credentials"]["token"]
    assert [item["code"] for item in learners(client, token)] == ["demo-learner-lee", None]
    assert_response(call(client, "POST", "/1/user", token=token, body={}), 401, error(
        "This API is in beta and applies only to 'iFrame' API customers"))


@pytest.mark.parametrize(("pack", "message"), [
    ({"kind": "iframe", "learners": [{"key": "a", "dateOfBirth": "2014-01-01", "owner": "x"}]},
     "unknown user key 'x'"),
    ({"kind": "iframe", "learners": [{"key": "a", "dateOfBirth": "2014-01-01"}]},
     "learner 'a': an iFrame learner needs an owner and a standard one has none"),
    ({"kind": "standard", "users": [{"key": "u", "firstName": "A", "lastName": "B",
                                     "email": "a@b.c"}]},
     "a standard organization has no users, authorizations or assessments (iFrame programme "
     "only)"),
])
def test_inconsistent_inline_packs_are_refused(client: httpx.Client, pack: dict[str, Any],
                                               message: str) -> None:
    fixture = {"tenant": "inline", "token": "inline-token", **pack}
    response = client.post("/_emulator/tenants", json={"vendor": "dmtd", "fixture": fixture})
    assert (response.status_code, response.json()) == (422, {"error": {
        "status": 422, "message": f"inline fixture: (top level): Value error, {message}"}})
