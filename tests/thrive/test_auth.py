"""Thrive authentication: Basic, OAuth tokens, expiry, scopes, tenant isolation, routing."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from fastapi import FastAPI

from emulator.thrive.models import ThriveCredential
from tests.thrive.support import (
    AUTH,
    DAY,
    FULL_CLIENT,
    READ_CLIENT,
    SECRET,
    TENANT,
    TOKEN_URL,
    USERS,
    V1,
    V2,
    advance,
    basic,
    bearer,
    error,
    freeze,
    fresh_tenant,
    token,
)

MISSING = error(401, "Missing credentials: use Basic auth or a Bearer access token")
BAD_BASIC = error(401, "Invalid tenant ID or API secret")
BAD_TOKEN = error(401, "The access token is invalid or has expired")
NEEDS_WRITE = error(403, "This operation requires one of the scopes: api/write, api/all")
NEEDS_READ = error(403, "This operation requires one of the scopes: api/read, api/write, api/all")
NEEDS_WEBHOOKS = error(403, "This operation requires one of the scopes: api/webhooks, api/all")


def claims(access_token: str) -> dict[str, object]:
    payload = access_token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return decoded


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


# --- token endpoint --------------------------------------------------------------------------


def test_token_with_basic_client_auth_carries_every_allowed_scope(client: httpx.Client) -> None:
    freeze(client)
    response = client.post(TOKEN_URL, data={"grant_type": "client_credentials"},
                           headers=basic(*FULL_CLIENT))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body == {"access_token": body["access_token"], "expires_in": 3600,
                    "token_type": "Bearer"}
    assert body["access_token"].count(".") == 2
    payload = claims(body["access_token"])
    assert payload["scope"] == "api/all api/read api/write api/webhooks"
    assert payload["client_id"] == "thrive-demo-client"
    assert payload["exp"] == 1796122800  # NOW + 3600 s: 2026-12-01T11:00:00Z


def test_token_with_form_client_auth_and_requested_scope(client: httpx.Client) -> None:
    response = client.post(TOKEN_URL, data={
        "grant_type": "client_credentials", "scope": "api/read", "client_id": READ_CLIENT[0],
        "client_secret": READ_CLIENT[1]})
    assert response.status_code == 200
    assert claims(response.json()["access_token"])["scope"] == "api/read"


_TOKEN_ERRORS = [
    ({"json": {"grant_type": "client_credentials"}}, "invalid_request"),
    ({"data": {"scope": "api/read"}}, "invalid_request"),
    ({"data": {"grant_type": "password"}}, "unsupported_grant_type"),
    ({"data": {"grant_type": "client_credentials"}, "headers": basic("thrive-demo-client", "x")},
     "invalid_client"),
    ({"data": {"grant_type": "client_credentials"}, "headers": basic("nobody", "x")},
     "invalid_client"),
    ({"data": {"grant_type": "client_credentials"}}, "invalid_client"),
    ({"data": {"grant_type": "client_credentials"},
      "headers": {"Authorization": "Basic %%%"}}, "invalid_client"),
    ({"data": {"grant_type": "client_credentials", "scope": "api/write"},
      "headers": basic(*READ_CLIENT)}, "invalid_scope"),
    ({"data": {"grant_type": "client_credentials", "scope": "api/everything"},
      "headers": basic(*FULL_CLIENT)}, "invalid_scope"),
]


def test_token_errors(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for kwargs, code in _TOKEN_ERRORS:
        with subtests.test(msg=repr((kwargs, code))[:120]):
            response = client.post(TOKEN_URL, **kwargs)  # type: ignore[arg-type]
            assert response.status_code == 400
            assert response.json() == {"error": code}
            assert response.headers["cache-control"] == "no-store"


def test_token_of_a_client_without_the_grant(client: httpx.Client,
                                             emulator_app: FastAPI) -> None:
    tenant = fresh_tenant(client)["tenantId"]
    # No API call makes such a client; fixture packs can (`clientCredentials: false`).
    with emulator_app.state.ctx.db.transaction() as session:
        session.add(ThriveCredential(tenant_id=tenant, client_id="ui-only", secret="s3cret",
                                     scopes=["api/read"], client_credentials=False))
    response = client.post(f"/thrive/oauth2/token/{tenant}", headers=basic("ui-only", "s3cret"),
                           data={"grant_type": "client_credentials"})
    assert (response.status_code, response.json()) == (400, {"error": "unauthorized_client"})


def test_client_of_another_tenant_is_invalid_client(client: httpx.Client) -> None:
    other = fresh_tenant(client)
    oauth = other["oauthClients"][0]
    response = client.post(TOKEN_URL, data={"grant_type": "client_credentials"},
                           headers=basic(oauth["clientId"], oauth["clientSecret"]))
    assert (response.status_code, response.json()) == (400, {"error": "invalid_client"})
    unknown = client.post("/thrive/oauth2/token/eu-west-2_Unknown",
                          data={"grant_type": "client_credentials"},
                          headers=basic(*FULL_CLIENT))
    assert (unknown.status_code, unknown.json()) == (400, {"error": "invalid_client"})


def test_token_expires_on_the_emulator_clock(client: httpx.Client) -> None:
    freeze(client)
    access = bearer(token(client))
    advance(client, 3599)
    assert client.get(f"{V1}/users", headers=access).status_code == 200
    advance(client, 1)
    response = client.get(f"{V1}/users", headers=access)
    assert (response.status_code, response.json()) == (401, BAD_TOKEN)


def test_tokens_are_stored_so_a_new_one_does_not_revoke_the_old(client: httpx.Client) -> None:
    first, second = token(client), token(client)
    assert first != second
    for value in (first, second):
        assert client.get(f"{V1}/users", headers=bearer(value)).status_code == 200


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


# --- routing ---------------------------------------------------------------------------------


_UNKNOWN_ROUTE_OR_METHOD_IS_404_AFTER_AUTH = [
    ("GET", f"{V1}/no-such-resource"),
    ("PUT", f"{V1}/assignments"),
    ("DELETE", f"{V1}/users"),
    ("POST", f"{V2}/assignments"),
    ("GET", f"{V2}/users"),
    ("POST", f"{V1}/users"),
    ("GET", "/thrive/"),
]


def test_unknown_route_or_method_is_404_after_auth(client: httpx.Client,
                                                   subtests: pytest.Subtests) -> None:
    for method, path in _UNKNOWN_ROUTE_OR_METHOD_IS_404_AFTER_AUTH:
        with subtests.test(msg=repr((method, path))[:120]):
            anonymous = client.request(method, path)
            assert (anonymous.status_code, anonymous.json()) == (401, MISSING)
            response = client.request(method, path, headers=AUTH)
            vendor_path = path.removeprefix("/thrive")
            assert response.status_code == 404
            assert response.json() == error(404, f"No route for {method} {vendor_path}")


def test_trailing_slash_is_accepted(client: httpx.Client) -> None:
    plain = client.get(f"{V1}/audiences/engineering", headers=AUTH)
    slashed = client.get(f"{V1}/audiences/engineering/", headers=AUTH)
    assert (plain.status_code, slashed.status_code) == (200, 200)
    assert plain.json() == slashed.json()
    patched = client.patch(f"{V1}/audiences/engineering/", headers=AUTH, json={"name": "Eng"})
    assert patched.json()["name"] == "Eng"


def test_real_thrive_hostnames_serve_the_api_at_the_root(client: httpx.Client) -> None:
    response = client.get("/rest/v1/users/ref/EMP002",
                          headers={**AUTH, "Host": "public.api.learn.link"})
    assert response.status_code == 200
    assert response.json()["id"] == USERS["ben"]
    issued = client.post(f"/oauth2/token/{TENANT}", data={"grant_type": "client_credentials"},
                         headers={**basic(*FULL_CLIENT), "Host": "user.api.mea.learn.tech"})
    assert issued.status_code == 200
    # Tokens from a user.api host work on public.api hosts: only scopes decide.
    other_host = client.get("/rest/v1/users/ref/EMP002", headers={
        **bearer(issued.json()["access_token"]), "Host": "public.api.learnstaging.link"})
    assert other_host.json()["id"] == USERS["ben"]


def test_injected_500_uses_thrives_body(client: httpx.Client) -> None:
    fault = {"vendor": "thrive", "path": "/rest/v1/users", "effect": {"type": "error",
                                                                        "status": 500}}
    assert client.post("/_emulator/faults", json=fault).status_code == 201
    response = client.get(f"{V1}/users", headers=AUTH)
    assert (response.status_code, response.json()) == (
        500, error(500, "Internal Server Error"))


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


def test_expired_token_clock_is_per_tenant(client: httpx.Client) -> None:
    freeze(client)
    access = bearer(token(client))
    moved = client.post("/_emulator/clock", json={"tenant": TENANT, "advance": DAY})
    assert moved.status_code == 200
    assert client.get(f"{V1}/users", headers=access).status_code == 401
