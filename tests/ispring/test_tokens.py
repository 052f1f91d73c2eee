"""iSpring access tokens: issuing them (JSON or XML), their lifetime and their account."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.ispring.support import (
    ALL_DEPARTMENTS,
    JSON,
    OWNER,
    ROOT,
    TOKEN_FORM,
    access_token,
    assert_error,
    assert_json_error,
    created_id,
    department_ids,
    login,
)

TOKEN_PATHS = ["/ispring/api/v3/token", "/ispring/api/v3/token/",
               "/ispring/index.php/api/v3/token", "/ispring/api/v2/api/v3/token",
               "/ispring/index.php/api/v2/api/v3/token"]


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_token_json(client: httpx.Client, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    tokens = set()
    for path in TOKEN_PATHS:
        response = client.post(path, data=TOKEN_FORM, headers=headers)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body == {"access_token": body["access_token"], "expires_in": 1800,
                        "token_type": "bearer"}
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", body["access_token"])
        tokens.add(body["access_token"])
    assert len(tokens) == len(TOKEN_PATHS)


def test_token_xml_when_asked_for_xml_only(client: httpx.Client) -> None:
    response = client.post("/ispring/api/v3/token", data=TOKEN_FORM,
                           headers={"Accept": "application/xml"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    token = re.search(r"<access_token>(.*)</access_token>", response.text)
    assert token is not None
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response>'
        f"<access_token>{token[1]}</access_token><expires_in>1800</expires_in>"
        "<token_type>bearer</token_type></response>")


def test_token_from_a_json_body(client: httpx.Client) -> None:
    response = client.post("/ispring/api/v3/token", json=TOKEN_FORM)
    assert response.status_code == 200


@pytest.mark.parametrize(("form", "status", "message"), [
    ({**TOKEN_FORM, "client_secret": "wrong"}, 401, "Authorization failed"),
    ({**TOKEN_FORM, "client_id": "someone-else"}, 401, "Authorization failed"),
    ({k: v for k, v in TOKEN_FORM.items() if k != "client_id"}, 400,
     "Wrong parameters: client_id is required"),
    ({**TOKEN_FORM, "grant_type": "password"}, 400,
     "Wrong parameters: grant_type must be client_credentials"),
])
def test_token_errors(client: httpx.Client, form: dict[str, str], status: int,
                      message: str) -> None:
    assert_json_error(client.post("/ispring/api/v3/token", data=form, headers={"Accept": "*/*"}),
                      status, message)
    assert_error(client.post("/ispring/api/v3/token", data=form,
                             headers={"Accept": "application/xml"}), status, message)


def test_token_ignores_unrecognized_parameters(client: httpx.Client) -> None:
    # RFC 6749 §3.2: the token endpoint MUST ignore unrecognized request parameters.
    response = client.post("/ispring/api/v3/token", data={**TOKEN_FORM, "scope": "all",
                                                          "audience": "x"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {"access_token": body["access_token"], "expires_in": 1800,
                    "token_type": "bearer"}


def test_token_expires_by_the_emulator_clock(client: httpx.Client) -> None:
    token = access_token(client)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/_emulator/clock", json={"advance": 1799}).status_code == 200
    assert client.get("/ispring/group", headers=headers).status_code == 200
    assert client.post("/_emulator/clock", json={"advance": 2}).status_code == 200
    assert_error(client.get("/ispring/group", headers=headers), 401, "Authorization failed")
    # A new token works again.
    fresh = access_token(client)
    assert client.get("/ispring/group", headers={"Authorization": fresh}).status_code == 200


def test_token_of_a_fresh_tenant_sees_only_that_account(client: httpx.Client) -> None:
    tenant = client.post("/_emulator/tenants", json={"vendor": "ispring"})
    assert tenant.status_code == 201
    creds = tenant.json()["credentials"]
    assert creds["accountUrl"] == f"https://{tenant.json()['id']}"
    key = creds["apiKeys"][0]
    token = client.post("/ispring/api/v3/token", data={
        "client_id": key["clientId"], "client_secret": key["clientSecret"],
        "grant_type": "client_credentials"}).json()["access_token"]
    new_id = created_id(client.post("/ispring/department", json={
        "name": "Only here", "parentDepartmentId": ROOT}, headers={"Authorization": token}))
    fresh = department_ids(client.get("/ispring/department",
                                      headers={"Authorization": token, **JSON}))
    assert sorted(fresh) == sorted([*ALL_DEPARTMENTS, new_id])
    assert department_ids(client.get("/ispring/department",
                                     headers={**OWNER, **JSON})) == ALL_DEPARTMENTS
    # The same logins work against the fresh account by its own URL.
    headers = login("owner@demo.example", "demo-owner-pass", creds["accountUrl"])
    assert new_id in department_ids(client.get("/ispring/department", headers={**headers,
                                                                                **JSON}))
