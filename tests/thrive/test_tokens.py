"""Thrive OAuth tokens: the client-credentials grant, its errors, expiry on the emulator clock."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from fastapi import FastAPI

from emulator.core.secrets import hash_secret
from emulator.thrive.models import ThriveCredential
from tests.thrive.support import (
    BAD_TOKEN,
    DAY,
    FULL_CLIENT,
    READ_CLIENT,
    TENANT,
    TOKEN_URL,
    V1,
    advance,
    basic,
    bearer,
    freeze,
    fresh_tenant,
    token,
)


def claims(access_token: str) -> dict[str, object]:
    payload = access_token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return decoded


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
        session.add(ThriveCredential(tenant_id=tenant, client_id="ui-only",
                                     secret=hash_secret("s3cret"),
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


def test_expired_token_clock_is_per_tenant(client: httpx.Client) -> None:
    freeze(client)
    access = bearer(token(client))
    moved = client.post("/_emulator/clock", json={"tenant": TENANT, "advance": DAY})
    assert moved.status_code == 200
    assert client.get(f"{V1}/users", headers=access).status_code == 401
