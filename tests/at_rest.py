"""A session of calls that hands out and uses every kind of secret the emulator knows, for the
checks that no secret is kept at rest (database file and WAL, every table's rows)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.hardening.harness import ispring_login

# The demo tenants' documented credentials (README "Demo credentials").
DEMO_SECRETS = ("thrive-demo-secret", "thrive-demo-client-secret", "thrive-readonly-secret",
                "demo-owner-pass", "demo-admin-pass", "ispring-demo-client-secret",
                "dmtd-demo-iframe-token", "dmtd-demo-token")
ADMIN = "2c6a1a10-5cff-11e9-9e6a-0a580af40692"
JSON = {"Accept": "application/json"}


def _ok(response: httpx.Response) -> httpx.Response:
    assert response.status_code in (200, 201), (response.request.url, response.text)
    return response


def _credentials(http: httpx.Client, vendor: str) -> dict[str, Any]:
    created = _ok(http.post("/_emulator/tenants", json={"vendor": vendor})).json()
    credentials: dict[str, Any] = created["credentials"]
    return credentials


def _thrive(http: httpx.Client) -> list[str]:
    creds = _credentials(http, "thrive")
    tenant, api_secret = creds["tenantId"], creds["apiSecret"]
    _ok(http.get("/thrive/rest/v1/users", auth=(tenant, api_secret)))
    client = creds["oauthClients"][0]
    token = _ok(http.post(f"/thrive/oauth2/token/{tenant}", data={
        "grant_type": "client_credentials", "client_id": client["clientId"],
        "client_secret": client["clientSecret"]})).json()["access_token"]
    _ok(http.get("/thrive/rest/v1/users", headers={"Authorization": f"Bearer {token}"}))
    # A reset re-seeds the tenant from its kept (hashed) credentials; the secret still works.
    _ok(http.post("/_emulator/reset", json={"tenant": tenant}))
    _ok(http.get("/thrive/rest/v1/users", auth=(tenant, api_secret)))
    return [api_secret, *(c["clientSecret"] for c in creds["oauthClients"]), token]


def _ispring(http: httpx.Client) -> list[str]:
    creds = _credentials(http, "ispring")
    key = creds["apiKeys"][0]
    token = _ok(http.post("/ispring/api/v3/token", headers=JSON, data={
        "client_id": key["clientId"], "client_secret": key["clientSecret"],
        "grant_type": "client_credentials"})).json()["access_token"]
    _ok(http.get("/ispring/user", headers={"Authorization": token}))
    owner = next(u for u in creds["users"] if u["role"] == "owner")
    as_owner = ispring_login(creds["accountUrl"], owner["login"], owner["password"])
    changed = f"Changed-{uuid.uuid4().hex}"
    _ok(http.post(f"/ispring/user/{ADMIN}/password", headers=as_owner, json={"password": changed}))
    admin = next(u for u in creds["users"] if u["role"] == "administrator")
    _ok(http.get("/ispring/user", headers=ispring_login(creds["accountUrl"], admin["login"],
                                                          changed)))
    old = http.get("/ispring/user", headers=ispring_login(creds["accountUrl"], admin["login"],
                                                          admin["password"]))
    assert old.status_code == 401, old.text
    created = f"Created-{uuid.uuid4().hex}"
    _ok(http.post("/ispring/user", headers={**as_owner, **JSON}, json={
        "departmentId": "d479bc48-5b70-11e9-b12b-22e9fbac4a59", "password": created,
        "fields": {"login": f"rest-{uuid.uuid4().hex[:8]}"}}))
    return [key["clientSecret"], token, owner["password"], changed, created]


def _dmtd(http: httpx.Client) -> list[str]:
    creds = _credentials(http, "dmtd")
    bearer = {"Authorization": f"Bearer {creds['token']}"}
    _ok(http.get("/dmtd/1/learner", headers=bearer))
    signin = _ok(http.post("/dmtd/1/signin", headers={
        "Authorization": "Bearer dmtd-demo-iframe-token", "X-UserId": "1235"})).json()
    return [creds["token"], signin["signinToken"]]


def session_of_calls(http: httpx.Client) -> list[str]:
    """Fresh tenants of every vendor, tokens issued and used, a password changed, a user
    created with a password, a tenant reset, a snapshot taken; every secret involved."""
    secrets = [*_thrive(http), *_ispring(http), *_dmtd(http), *DEMO_SECRETS]
    _ok(http.post("/_emulator/snapshots/after-the-session"))
    return secrets
