"""Helpers for the DMTD wire tests.

The demo data of a freshly started server has fixed ids: the packs are seeded in name order
(iframe, then standard) from the server-wide counters, and user ids start at 1234 so that
DMTD's own authorize example (`X-LearnerId: 1`, `{"userId": 1234}`) works verbatim.
`test_demo_ids_are_as_documented` (test_learner.py) checks this table over the wire.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

IFRAME_TOKEN = "dmtd-demo-iframe-token"
STANDARD_TOKEN = "dmtd-demo-token"
FROZEN_AT = "2025-06-19T05:16:09Z"


@dataclass(frozen=True)
class Demo:
    """Ids and codes of the demo organizations (fixtures/dmtd/*.json)."""

    iframe_org: int = 1
    standard_org: int = 2
    robin: int = 1234  # no access to learner sam: the documented example grants it
    alex: int = 1235  # owns sam and noa
    jordan: int = 1236  # authorized for sam (observer) and noa (teacher)
    sam: int = 1
    noa: int = 2
    kit: int = 3  # owned by robin
    lee: int = 4  # standard organization
    pat: int = 5  # standard organization, no code
    sam_assessment: int = 1
    sam_second_assessment: int = 2


DEMO = Demo()


def headers(token: str = IFRAME_TOKEN, **extra: str | int) -> dict[str, str]:
    """The documented DMTD request headers; `X_LearnerId=1` style keywords add X- headers."""
    out = {"User-Agent": "dmtd-rest-api", "Authorization": f"Bearer {token}",
           "Accept": "application/json", "Content-Type": "application/json"}
    out.update({name.replace("_", "-"): str(value) for name, value in extra.items()})
    return out


def error(message: str) -> dict[str, Any]:
    return {"success": False, "message": message}


def invalid(reason: str) -> dict[str, Any]:
    """The 400 body of a request body that fails validation (D7)."""
    return error(f"The body of the request was invalid: {reason}")


def call(client: httpx.Client, method: str, path: str, *, token: str = IFRAME_TOKEN,
         body: Any = None, raw: str | bytes | None = None, params: dict[str, str] | None = None,
         **extra: str | int) -> httpx.Response:
    """One DMTD request at `/dmtd<path>`; `body` is sent as JSON, `raw` as is."""
    content = raw if raw is not None else (None if body is None else json.dumps(body))
    return client.request(method, f"/dmtd{path}", headers=headers(token, **extra),
                          content=content, params=params)


def assert_response(response: httpx.Response, status: int, body: Any) -> None:
    assert (response.status_code, response.json()) == (status, body), response.text
    assert response.headers["content-type"] == "application/json"


@pytest.fixture
def frozen(client: httpx.Client) -> str:
    """The emulator clock frozen at FROZEN_AT (the client fixture restores real time)."""
    response = client.post("/_emulator/clock", json={"set": FROZEN_AT, "freeze": True})
    assert response.status_code == 200, response.text
    return FROZEN_AT


@pytest.fixture
def fresh_tenant(client: httpx.Client) -> dict[str, Any]:
    """A new iFrame organization from the default pack, with its own token."""
    response = client.post("/_emulator/tenants", json={"vendor": "dmtd"})
    assert response.status_code == 201, response.text
    tenant: dict[str, Any] = response.json()
    return tenant
