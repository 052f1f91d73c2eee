"""Helpers for the Thrive tests: demo-tenant ids and credentials, auth headers, the clock."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

TENANT = "eu-west-2_EmuDemo01"
SECRET = "thrive-demo-secret"
FULL_CLIENT = ("thrive-demo-client", "thrive-demo-client-secret")
READ_CLIENT = ("thrive-readonly-client", "thrive-readonly-secret")
V1 = "/thrive/rest/v1"
V2 = "/thrive/rest/v2"
TOKEN_URL = f"/thrive/oauth2/token/{TENANT}"
# The moment most tests freeze the clock at: after every demo date, before any demo due date.
NOW = "2026-12-01T10:00:00.000Z"

# Demo fixture ids (fixtures/thrive/demo.json).
USERS = {
    "ada": "68b552800000000001000001", "ben": "68b552810000000001000002",
    "cara": "68b552820000000001000003", "dan": "68b552830000000001000004",
    "eve": "68b552840000000001000005", "finn": "68b552850000000001000006",
    "gus": "68b552860000000001000007", "hana": "68b552870000000001000008",
    "gone": "68b552880000000001000009",
}
CONTENTS = {
    "safety": "68dced900000000004000001", "video": "68dced910000000004000002",
    "leading": "68dced920000000004000003", "python": "68dced930000000004000004",
    "kickoff": "68dced940000000004000005", "conduct": "68dced950000000004000006",
    "quiz": "68dced960000000004000007", "privacy": "68dced970000000004000008",
}
TAGS = {
    "safety": "68c7d5900000000002000001", "leadership": "68c7d5910000000002000002",
    "python": "68c7d5920000000002000003", "communication": "68c7d5930000000002000004",
}
AUDIENCES = {
    "company": "68c13e100000000003000001", "eng": "68c13e110000000003000002",
    "sales": "68c13e120000000003000003", "hr": "68c13e130000000003000004",
    "starters": "68c13e140000000003000005",
}
ASSIGNMENTS = {
    "safety": "6964b8100000000005000001", "conduct": "69a551900000000005000002",
    "leading": "69d376100000000005000003",
}
COMPLETIONS = {
    "ben": "6981caa40000000007000001", "ada": "69b02ae80000000007000002",
    "cara": "6a302c0c0000000007000003",
}
CPD_CATEGORIES = {
    "TECHNOLOGY": "68ce6d100000000009000001", "LEADERSHIP": "68ce6d110000000009000002",
    "COMPLIANCE": "68ce6d120000000009000003",
}
MISSING_ID = "0123456789abcdef01234567"


def basic(user: str, password: str) -> dict[str, str]:
    value = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {value}"}


AUTH = basic(TENANT, SECRET)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def token(client: httpx.Client, credentials: tuple[str, str] = FULL_CLIENT,
          scope: str | None = None, tenant: str = TENANT) -> str:
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    response = client.post(f"/thrive/oauth2/token/{tenant}", data=form,
                           headers=basic(*credentials))
    assert response.status_code == 200, response.text
    value: str = response.json()["access_token"]
    return value


def error(status: int, message: str) -> dict[str, Any]:
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               409: "Conflict", 422: "Unprocessable Content", 500: "Internal Server Error"}
    return {"status": status, "error": reasons[status], "message": message}


MISSING = error(401, "Missing credentials: use Basic auth or a Bearer access token")
BAD_TOKEN = error(401, "The access token is invalid or has expired")


def freeze(client: httpx.Client, at: str = NOW) -> None:
    response = client.post("/_emulator/clock", json={"set": at, "freeze": True})
    assert response.status_code == 200, response.text


def advance(client: httpx.Client, seconds: float) -> None:
    response = client.post("/_emulator/clock", json={"advance": seconds})
    assert response.status_code == 200, response.text


DAY = 86_400.0


def fresh_tenant(client: httpx.Client) -> dict[str, Any]:
    response = client.post("/_emulator/tenants", json={"vendor": "thrive"})
    assert response.status_code == 201, response.text
    credentials: dict[str, Any] = response.json()["credentials"]
    return credentials


def journal_count(client: httpx.Client) -> int:
    count: int = client.get("/_emulator/journal").json()["total"]
    return count


def read(client: httpx.Client, path: str) -> Any:
    """The JSON body of a GET that must answer 200 (demo tenant, Basic auth)."""
    response = client.get(path, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def assert_query_errors(client: httpx.Client, subtests: pytest.Subtests, path: str,
                        cases: list[tuple[str, str]]) -> None:
    """Each query string on `path` is a 422 in Thrive's shape with its message."""
    for query, message in cases:
        with subtests.test(msg=repr((query, message))[:120]):
            response = client.get(f"{path}{query}", headers=AUTH)
            assert (response.status_code, response.json()) == (422, error(422, message))
