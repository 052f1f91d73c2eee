"""Thrive authentication: Basic and bearer credentials, scopes, tenant isolation, journal."""

from __future__ import annotations

import httpx
import pytest

from tests.thrive.support import (
    AUTH,
    BAD_TOKEN,
    FULL_CLIENT,
    MISSING,
    READ_CLIENT,
    SECRET,
    TENANT,
    TOKEN_URL,
    USERS,
    V1,
    V2,
    basic,
    bearer,
    error,
    fresh_tenant,
    token,
)

BAD_BASIC = error(401, "Invalid tenant ID or API secret")
NEEDS_WRITE = error(403, "This operation requires one of the scopes: api/write, api/all")
NEEDS_READ = error(403, "This operation requires one of the scopes: api/read, api/write, api/all")
NEEDS_WEBHOOKS = error(403, "This operation requires one of the scopes: api/webhooks, api/all")


# --- Basic -----------------------------------------------------------------------------------


def test_basic_auth_reads(client: httpx.Client) -> None:
    response = client.get(f"{V1}/skills/levels", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert [level["value"] for level in response.json()] == [0, 1, 2, 3, 4]


_BAD_CREDENTIALS_ARE_401 = [
    ({}, MISSING),
    (basic(TENANT, "wrong-secret"), BAD_BASIC),
    (basic("eu-west-2_Nobody", SECRET), BAD_BASIC),
    ({"Authorization": "Basic not-base64!"}, error(401, "Malformed Basic credentials")),
    ({"Authorization": "Token abc"}, MISSING),
    (bearer("not-a-token"), BAD_TOKEN),
]


def test_bad_credentials_are_401(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for headers, body in _BAD_CREDENTIALS_ARE_401:
        with subtests.test(msg=repr((headers, body))[:120]):
            response = client.get(f"{V1}/users", headers=headers)
            assert response.status_code == 401
            assert response.json() == body
            assert "www-authenticate" not in response.headers


def test_credentials_are_checked_before_the_body(client: httpx.Client) -> None:
    response = client.post(f"{V1}/assignments", content=b"{not json")
    assert (response.status_code, response.json()) == (401, MISSING)


# --- scopes ----------------------------------------------------------------------------------


def test_read_only_token_reads_but_cannot_write(client: httpx.Client) -> None:
    access = bearer(token(client, READ_CLIENT))
    assert client.get(f"{V1}/assignments", headers=access).status_code == 200
    for method, path in (("POST", f"{V1}/assignments"), ("PATCH", f"{V2}/users/ref/EMP002"),
                         ("DELETE", f"{V2}/users/ref/EMP002"), ("POST", "/thrive/webhooks")):
        response = client.request(method, path, headers=access, json={})
        expected = NEEDS_WEBHOOKS if path.endswith("webhooks") else NEEDS_WRITE
        assert (response.status_code, response.json()) == (403, expected), path


def test_scope_is_checked_before_the_route_and_body(client: httpx.Client) -> None:
    access = bearer(token(client, READ_CLIENT))
    response = client.post(f"{V1}/no-such-thing", headers=access, content=b"{oops")
    assert (response.status_code, response.json()) == (403, NEEDS_WRITE)


def test_write_scope_may_read_and_write(client: httpx.Client) -> None:
    access = bearer(token(client, scope="api/write"))
    assert client.get(f"{V1}/users", headers=access).status_code == 200
    response = client.post(f"{V2}/users", headers=access,
                           json={"ref": "W1", "firstName": "W", "lastName": "One",
                                 "email": "w1@demo.example"})
    assert response.status_code == 201
    assert client.post("/thrive/webhooks", headers=access, json={}).json() == NEEDS_WEBHOOKS


def test_webhooks_scope_alone(client: httpx.Client) -> None:
    access = bearer(token(client, scope="api/webhooks"))
    response = client.get(f"{V1}/users", headers=access)
    assert (response.status_code, response.json()) == (403, NEEDS_READ)
    event = {"id": "evt-1", "eventType": "user_suspended", "content": {"user": {"ref": "EMP002"}}}
    assert client.post("/thrive/webhooks", headers=access, json=event).status_code == 202


# --- tenant isolation ------------------------------------------------------------------------


def test_a_tenant_never_reaches_another_tenants_data(client: httpx.Client) -> None:
    other = fresh_tenant(client)
    other_auth = basic(other["tenantId"], other["apiSecret"])
    # The demo secret does not open the fresh tenant, nor the fresh secret the demo tenant.
    assert client.get(f"{V1}/users", headers=basic(other["tenantId"], SECRET)).status_code == 401
    assert client.get(f"{V1}/users", headers=basic(TENANT, other["apiSecret"])).status_code == 401
    made = client.post(f"{V2}/users", headers=other_auth, json={
        "ref": "ONLY-THERE", "firstName": "Only", "lastName": "There",
        "email": "only@there.example"})
    assert made.status_code == 201
    user_id = made.json()["id"]
    assert client.get(f"{V1}/user/{user_id}", headers=AUTH).json() == error(404,
                                                                             "User not found")
    assert client.get(f"{V1}/users/ref/ONLY-THERE", headers=AUTH).status_code == 404
    # A token carries its tenant: the fresh tenant's token sees only the fresh tenant.
    oauth = other["oauthClients"][0]
    other_token = token(client, (oauth["clientId"], oauth["clientSecret"]),
                        tenant=other["tenantId"])
    seen = client.get(f"{V1}/users/ref/ONLY-THERE", headers=bearer(other_token))
    assert seen.json()["id"] == user_id
    # Deleting in the fresh tenant leaves the demo tenant's copy of the same fixture user alone.
    assert client.delete(f"{V2}/users/ref/EMP002", headers=bearer(other_token)).status_code == 204
    assert client.get(f"{V1}/users/ref/EMP002", headers=AUTH).json()["id"] == USERS["ben"]


def test_journal_files_requests_under_the_tenant(client: httpx.Client) -> None:
    client.get(f"{V1}/users", headers=AUTH)
    client.post(TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic(*FULL_CLIENT))
    entries = client.get("/_emulator/journal?vendor=thrive").json()["entries"]
    assert [(e["tenant"], e["operation"]) for e in entries] == [
        (TENANT, "search_users"), (TENANT, "create_access_token")]


def test_tenant_faults_match_bearer_requests(client: httpx.Client) -> None:
    access = bearer(token(client))
    fault = {"tenant": TENANT, "effect": {"type": "error", "status": 503, "message": "busy"}}
    assert client.post("/_emulator/faults", json=fault).status_code == 201
    response = client.get(f"{V1}/users", headers=access)
    assert (response.status_code, response.json()) == (503, {
        "status": 503, "error": "Service Unavailable", "message": "busy"})
    issue = client.post(TOKEN_URL, data={"grant_type": "client_credentials"},
                        headers=basic(*FULL_CLIENT))
    assert issue.status_code == 503
    other = fresh_tenant(client)
    assert client.get(f"{V1}/users", headers=basic(other["tenantId"], other["apiSecret"])
                      ).status_code == 200


