"""The Thrive sub-app: unknown routes, trailing slashes, real vendor host names, the error body."""

from __future__ import annotations

import httpx
import pytest

from tests.thrive.support import (
    AUTH,
    FULL_CLIENT,
    MISSING,
    TENANT,
    USERS,
    V1,
    V2,
    basic,
    bearer,
    error,
)

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
