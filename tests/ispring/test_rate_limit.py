"""Rate-limit drills on iSpring: the limit, then iSpring's 429 ErrorResponse (XML by default,
JSON when negotiated) with Retry-After."""

from __future__ import annotations

import httpx

from tests.control.rate_limits import advance, arm, freeze, passes, refused
from tests.ispring.support import ACCOUNT_URL, JSON, OWNER, assert_error, login

TENANT = ACCOUNT_URL.removeprefix("https://")


def departments(client: httpx.Client, headers: dict[str, str] = OWNER) -> httpx.Response:
    return client.get("/ispring/department", headers=headers)


def test_limit_then_429_until_the_window_ends(client: httpx.Client) -> None:
    freeze(client)
    arm(client, vendor="ispring", limit=2, per=120)
    passes(lambda: departments(client), 2)
    assert_error(refused(departments(client), 120), 429, "Too many requests")
    json_reply = refused(departments(client, {**OWNER, **JSON}), 120)
    assert json_reply.headers["content-type"] == "application/json"
    assert json_reply.json() == {"code": 429, "message": "Too many requests"}
    advance(client, 90)
    assert_error(refused(departments(client), 30), 429, "Too many requests")
    advance(client, 30)
    passes(lambda: departments(client), 2)
    assert_error(refused(departments(client), 120), 429, "Too many requests")


def test_the_token_endpoint_answers_json_429(client: httpx.Client) -> None:
    freeze(client)
    arm(client, vendor="ispring", method="POST", path="/api/v3/token", limit=1, per=15)
    form = {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}
    assert client.post("/ispring/api/v3/token", data=form).status_code == 401
    response = refused(client.post("/ispring/api/v3/token", data=form), 15)
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"code": 429, "message": "Too many requests"}


def test_a_tenant_scoped_limit_leaves_other_tenants_alone(client: httpx.Client) -> None:
    freeze(client)
    arm(client, tenant=TENANT, limit=1, per=60)
    other = client.post("/_emulator/tenants", json={"vendor": "ispring"}).json()["credentials"]
    other_owner = login("owner@demo.example", "demo-owner-pass", other["accountUrl"])
    passes(lambda: departments(client), 1)
    assert_error(refused(departments(client), 60), 429, "Too many requests")
    passes(lambda: departments(client, other_owner), 3)
