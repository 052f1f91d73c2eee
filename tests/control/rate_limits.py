"""Shared steps of the rate-limit wire tests (every vendor): arm the fault, move the clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

# The clock is frozen here so that Retry-After is exact.
FROZEN_AT = "2026-03-02T09:00:00Z"


def control(client: httpx.Client, method: str, path: str, body: dict[str, Any],
            status: int = 200) -> dict[str, Any]:
    response = client.request(method, f"/_emulator{path}", json=body)
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


def arm(client: httpx.Client, limit: int, per: int, **matcher: Any) -> dict[str, Any]:
    """A rate-limit fault: `limit` requests per `per` seconds for what `matcher` selects."""
    return control(client, "POST", "/faults",
                   {"effect": {"type": "rate_limit", "limit": limit, "per": per}, **matcher},
                   status=201)


def freeze(client: httpx.Client, tenant: str | None = None) -> None:
    control(client, "POST", "/clock", {"set": FROZEN_AT, "freeze": True, "tenant": tenant})


def advance(client: httpx.Client, seconds: float, tenant: str | None = None) -> None:
    control(client, "POST", "/clock", {"advance": seconds, "tenant": tenant})


def passes(send: Callable[[], httpx.Response], times: int, status: int = 200) -> None:
    """`send` answers normally `times` times in a row."""
    for n in range(times):
        response = send()
        assert response.status_code == status, (n, response.text)
        assert "retry-after" not in response.headers


def refused(response: httpx.Response, retry_after: int) -> httpx.Response:
    """A 429 with `Retry-After: retry_after`; the caller checks the vendor body."""
    assert response.status_code == 429, response.text
    assert response.headers["retry-after"] == str(retry_after)
    return response
