"""Bearer token, organization kinds, order of checks, unknown paths and host routing."""

from __future__ import annotations

import httpx
import pytest

from tests.dmtd.conftest import (
    DEMO,
    IFRAME_TOKEN,
    STANDARD_TOKEN,
    assert_response,
    call,
    error,
)

NO_TOKEN = error("Missing or malformed Authorization header: expected 'Bearer <token>'")
BAD_TOKEN = error("The Bearer token is not valid")
NOT_IFRAME = error("This API is in beta and applies only to 'iFrame' API customers")

# (method, path) of every authenticated endpoint.
ENDPOINTS = [
    ("POST", "/1/user"), ("POST", "/1/learner"), ("GET", "/1/learner"),
    ("POST", "/1/authorize"), ("DELETE", "/1/authorize"), ("GET", "/1/authorize"),
    ("POST", "/1/assessment"), ("GET", "/1/assessment"), ("GET", "/1/assessments"),
    ("PATCH", "/1/assessment"), ("POST", "/1/purchase"), ("GET", "/1/protocol"),
    ("GET", "/1/guide"), ("GET", "/1/assessment_report/iep"), ("POST", "/1/signin"),
]
IFRAME_ONLY = [
    ("POST", "/1/user"), ("POST", "/1/authorize"), ("DELETE", "/1/authorize"),
    ("GET", "/1/authorize"), ("POST", "/1/assessment"), ("GET", "/1/assessment"),
    ("GET", "/1/assessments"), ("PATCH", "/1/assessment"), ("POST", "/1/signin"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_missing_authorization_is_401(client: httpx.Client, method: str, path: str) -> None:
    response = client.request(method, f"/dmtd{path}", headers={"User-Agent": "dmtd-rest-api"})
    assert_response(response, 401, NO_TOKEN)


@pytest.mark.parametrize("value", [
    f'Token token="{IFRAME_TOKEN}"',  # the legacy [L] scheme
    f"Basic {IFRAME_TOKEN}",
    "Bearer",
    "Bearer    ",
    IFRAME_TOKEN,
])
def test_other_schemes_are_401(client: httpx.Client, value: str) -> None:
    response = client.get("/dmtd/1/learner", headers={"Authorization": value})
    assert_response(response, 401, NO_TOKEN)


@pytest.mark.parametrize("token", ["L2Hth4lRwgHRBWtX8Hkl5w==", IFRAME_TOKEN.upper(),
                                   IFRAME_TOKEN + "x", "x" * 5000])
def test_unknown_token_is_401(client: httpx.Client, token: str) -> None:
    assert_response(call(client, "GET", "/1/learner", token=token), 401, BAD_TOKEN)


def test_scheme_name_is_case_insensitive(client: httpx.Client) -> None:
    response = client.get("/dmtd/1/guide", headers={"Authorization": f"bEaReR {IFRAME_TOKEN}"})
    assert response.status_code == 200


@pytest.mark.parametrize(("method", "path"), IFRAME_ONLY)
def test_iframe_only_endpoints_refuse_standard_organizations(
        client: httpx.Client, method: str, path: str) -> None:
    # D10: the organization check comes before any header or body validation.
    response = call(client, method, path, token=STANDARD_TOKEN, raw="{not json",
                    X_LearnerId="abc", X_UserId="abc", X_SystemDomain="efl")
    assert_response(response, 401, NOT_IFRAME)


def test_token_is_checked_before_the_body(client: httpx.Client) -> None:
    response = call(client, "POST", "/1/user", token="nope", raw="{not json")
    assert_response(response, 401, BAD_TOKEN)


def test_unknown_path_is_404_in_dmtd_body(client: httpx.Client) -> None:
    assert_response(call(client, "GET", "/1/users"), 404,
                    error("No such endpoint: GET /1/users"))
    assert_response(call(client, "GET", "/1/learners"), 404,
                    error("No such endpoint: GET /1/learners"))


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/1/user"), ("PUT", "/1/user"), ("DELETE", "/1/user"), ("PUT", "/1/learner"),
    ("PATCH", "/1/learner"), ("DELETE", "/1/learner"), ("DELETE", "/1/assessment"),
])
def test_operations_not_served_are_404(client: httpx.Client, method: str, path: str) -> None:
    assert_response(call(client, method, path), 404,
                    error(f"No such endpoint: {method} {path}"))


def test_wrong_method_on_a_served_path_is_405(client: httpx.Client) -> None:
    response = call(client, "GET", "/1/purchase")
    assert_response(response, 405, error("Method GET is not allowed on /1/purchase"))
    assert response.headers["allow"] == "POST"


def test_real_host_serves_dmtd_at_the_root(client: httpx.Client) -> None:
    response = client.get("/1/learner", headers={
        "Host": "api-sandbox.datamtd.com", "Authorization": f"Bearer {STANDARD_TOKEN}"})
    assert response.status_code == 200
    assert [learner["id"] for learner in response.json()] == [DEMO.lee, DEMO.pat]


def test_legacy_host_is_not_routed(client: httpx.Client) -> None:
    response = client.get("/1/learner", headers={
        "Host": "vbmappdata.com", "Authorization": f"Bearer {STANDARD_TOKEN}"})
    assert response.status_code == 404
    assert "success" not in response.json()


def test_journal_files_the_request_under_the_organization(client: httpx.Client) -> None:
    call(client, "GET", "/1/learner", token=STANDARD_TOKEN)
    entries = client.get("/_emulator/journal", params={"vendor": "dmtd"}).json()["entries"]
    assert [(e["tenant"], e["operation"], e["status"]) for e in entries] == [
        ("dmtd-demo-standard", "list_learners", 200)]
