"""Rate-limit drills on Thrive: the limit, then Thrive's 429 body with Retry-After."""

from __future__ import annotations

import httpx

from tests.control.rate_limits import advance, arm, freeze, passes, refused
from tests.thrive.support import AUTH, TENANT, TOKEN_URL, V1, basic

TOO_MANY = {"status": 429, "error": "Too Many Requests", "message": "Too Many Requests"}


def users(client: httpx.Client, auth: dict[str, str] = AUTH) -> httpx.Response:
    return client.get(f"{V1}/users", headers=auth)


def test_limit_then_429_until_the_window_ends(client: httpx.Client) -> None:
    freeze(client)
    arm(client, vendor="thrive", limit=3, per=60)
    passes(lambda: users(client), 3)
    response = refused(users(client), 60)
    assert response.json() == TOO_MANY
    assert response.headers["content-type"] == "application/json"
    advance(client, 59)
    assert refused(users(client), 1).json() == TOO_MANY
    advance(client, 1)
    passes(lambda: users(client), 3)
    assert refused(users(client), 60).json() == TOO_MANY


def test_only_matching_requests_count(client: httpx.Client) -> None:
    freeze(client)
    arm(client, vendor="thrive", method="GET", path="/rest/v1/users*", limit=1, per=10)
    passes(lambda: users(client), 1)
    passes(lambda: client.get(f"{V1}/contents", headers=AUTH), 3)
    assert refused(users(client), 10).json() == TOO_MANY


def test_the_token_endpoint_answers_thrive_429_too(client: httpx.Client) -> None:
    freeze(client)
    arm(client, vendor="thrive", path="/oauth2/token/*", limit=1, per=5)
    form = {"grant_type": "client_credentials"}
    auth = basic("thrive-demo-client", "thrive-demo-client-secret")
    passes(lambda: client.post(TOKEN_URL, data=form, headers=auth), 1)
    assert refused(client.post(TOKEN_URL, data=form, headers=auth), 5).json() == TOO_MANY


def test_a_tenant_scoped_limit_leaves_other_tenants_alone(client: httpx.Client) -> None:
    freeze(client)
    arm(client, tenant=TENANT, limit=2, per=30)
    other = client.post("/_emulator/tenants", json={"vendor": "thrive"}).json()["credentials"]
    other_auth = basic(other["tenantId"], other["apiSecret"])
    passes(lambda: users(client), 2)
    assert refused(users(client), 30).json() == TOO_MANY
    passes(lambda: users(client, other_auth), 5)
