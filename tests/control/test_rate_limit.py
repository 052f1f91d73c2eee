"""The rate-limit fault effect on the control plane: its spec, its state in the fault list and
the journal, which clock frees its window, and the test kit's helper."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from emulator.testing import Emulator
from tests.control.rate_limits import FROZEN_AT, advance, arm, control, freeze, passes, refused
from tests.helpers import THRIVE_AUTH, THRIVE_TENANT, basic

USERS = "/thrive/rest/v1/users"
TOO_MANY = {"status": 429, "error": "Too Many Requests", "message": "Too Many Requests"}


def users(client: httpx.Client, auth: dict[str, str] = THRIVE_AUTH) -> httpx.Response:
    return client.get(USERS, headers=auth)


def test_the_fault_list_shows_the_window(client: httpx.Client) -> None:
    freeze(client)
    fault = arm(client, vendor="thrive", limit=2, per=90)
    assert fault == {"id": fault["id"], "vendor": "thrive", "tenant": None, "method": None,
                     "path": None, "effect": {"type": "rate_limit", "limit": 2, "per": 90},
                     "times": None, "probability": 1.0, "seed": None, "window": None,
                     "fired": 0, "seen": 0, "remaining": None, "active": True}
    passes(lambda: users(client), 2)
    refused(users(client), 90)
    (listed,) = client.get("/_emulator/faults").json()
    assert listed == {**fault, "fired": 1, "seen": 3, "window": {
        "start": "2026-03-02T09:00:00.000Z", "end": "2026-03-02T09:01:30.000Z", "count": 2}}
    advance(client, 100)
    passes(lambda: users(client), 1)
    (listed,) = client.get("/_emulator/faults").json()
    assert listed["window"] == {"start": "2026-03-02T09:01:40.000Z",
                                "end": "2026-03-02T09:03:10.000Z", "count": 1}
    assert (listed["fired"], listed["seen"]) == (1, 4)


def test_the_journal_names_the_fault_on_refused_requests_only(client: httpx.Client) -> None:
    freeze(client)
    fault = arm(client, vendor="thrive", limit=1, per=20)
    passes(lambda: users(client), 1)
    refused(users(client), 20)
    advance(client, 5)
    refused(users(client), 15)
    entries = client.get("/_emulator/journal").json()["entries"]
    assert [(e["status"], e["fault"]) for e in entries] == [
        (200, None),
        (429, {"id": fault["id"], "type": "rate_limit", "retryAfter": 20}),
        (429, {"id": fault["id"], "type": "rate_limit", "retryAfter": 15}),
    ]
    assert entries[1]["response"]["headers"]["retry-after"] == "20"
    assert entries[1]["response"]["body"] == json.dumps(TOO_MANY, separators=(",", ":"))


def test_a_clock_moved_back_opens_a_new_window(client: httpx.Client) -> None:
    freeze(client)
    arm(client, vendor="thrive", limit=1, per=3600)
    passes(lambda: users(client), 1)
    refused(users(client), 3600)
    advance(client, -1)
    passes(lambda: users(client), 1)
    assert refused(users(client), 3600).json() == TOO_MANY


def test_a_window_at_the_end_of_time_ends_with_it(client: httpx.Client) -> None:
    control(client, "POST", "/clock", {"set": "9999-12-31T23:59:00Z", "freeze": True})
    arm(client, vendor="thrive", limit=1, per=3600)
    passes(lambda: users(client), 1)
    assert refused(users(client), 60).json() == TOO_MANY
    (listed,) = client.get("/_emulator/faults").json()
    assert listed["window"] == {"start": "9999-12-31T23:59:00.000Z",
                                "end": "9999-12-31T23:59:59.999Z", "count": 1}


def test_a_running_clock_counts_down(client: httpx.Client) -> None:
    control(client, "POST", "/clock", {"set": FROZEN_AT, "freeze": False})
    arm(client, vendor="thrive", limit=1, per=600)
    passes(lambda: users(client), 1)
    response = users(client)
    assert response.status_code == 429
    assert response.json() == TOO_MANY
    # Real time runs on between the two requests: the window's end, rounded up.
    assert 1 <= int(response.headers["retry-after"]) <= 600


def test_a_tenant_fault_follows_that_tenants_clock(client: httpx.Client) -> None:
    freeze(client)
    other = client.post("/_emulator/tenants", json={"vendor": "thrive"}).json()["id"]
    arm(client, tenant=THRIVE_TENANT, limit=1, per=60)
    passes(lambda: users(client), 1)
    refused(users(client), 60)
    advance(client, 60, tenant=other)
    refused(users(client), 60)
    advance(client, 30, tenant=THRIVE_TENANT)
    refused(users(client), 30)
    advance(client, 30, tenant=THRIVE_TENANT)
    passes(lambda: users(client), 1)


def test_a_vendor_wide_fault_follows_the_global_clock(client: httpx.Client) -> None:
    freeze(client)
    arm(client, vendor="thrive", limit=1, per=60)
    passes(lambda: users(client), 1)
    advance(client, 60, tenant=THRIVE_TENANT)
    refused(users(client), 60)
    advance(client, 60)
    passes(lambda: users(client), 1)


def test_one_window_per_fault_shared_by_every_tenant_it_matches(client: httpx.Client) -> None:
    freeze(client)
    arm(client, vendor="thrive", limit=2, per=60)
    other = client.post("/_emulator/tenants", json={"vendor": "thrive"}).json()["credentials"]
    passes(lambda: users(client), 1)
    passes(lambda: users(client, basic(other["tenantId"], other["apiSecret"])), 1)
    assert refused(users(client), 60).json() == TOO_MANY


def test_two_limits_each_count_their_own_requests(client: httpx.Client) -> None:
    freeze(client)
    arm(client, vendor="thrive", limit=3, per=60)
    arm(client, vendor="thrive", path="/rest/v1/users*", limit=1, per=10)
    passes(lambda: users(client), 1)
    refused(users(client), 10)
    advance(client, 10)
    passes(lambda: users(client), 1)
    # The first limit admitted all three earlier requests, the one the second refused too.
    refused(users(client), 50)


def problem(message: str) -> dict[str, Any]:
    return {"error": {"status": 400, "message": message}}


@pytest.mark.parametrize(("effect", "extra", "message"), [
    ({"limit": 0, "per": 60}, {},
     "effect.rate_limit.limit: Input should be greater than or equal to 1"),
    ({"limit": -3, "per": 60}, {},
     "effect.rate_limit.limit: Input should be greater than or equal to 1"),
    ({"limit": 5, "per": 0}, {},
     "effect.rate_limit.per: Input should be greater than or equal to 1"),
    ({"limit": 5, "per": -1}, {},
     "effect.rate_limit.per: Input should be greater than or equal to 1"),
    ({"limit": 5, "per": 1.5}, {},
     "effect.rate_limit.per: Input should be a valid integer, got a number with a fractional "
     "part"),
    ({"limit": 5, "per": 31_622_401}, {},
     "effect.rate_limit.per: Input should be less than or equal to 31622400"),
    ({"per": 60}, {}, "effect.rate_limit.limit: Field required"),
    ({"limit": 5}, {}, "effect.rate_limit.per: Field required"),
    ({"limit": 5, "per": 60, "burst": 2}, {},
     "effect.rate_limit.burst: Extra inputs are not permitted"),
    ({"limit": 5, "per": 60}, {"times": 2},
     "Value error, a rate_limit effect takes no times: it answers 429 to every request over "
     "its limit"),
    ({"limit": 5, "per": 60}, {"probability": 0.5, "seed": 7},
     "Value error, a rate_limit effect takes no seed or probability: it answers 429 to every "
     "request over its limit"),
])
def test_invalid_rate_limits_are_refused(client: httpx.Client, effect: dict[str, Any],
                                         extra: dict[str, Any], message: str) -> None:
    response = client.post("/_emulator/faults",
                           json={"effect": {"type": "rate_limit", **effect}, **extra})
    assert (response.status_code, response.json()) == (400, problem(message))
    assert client.get("/_emulator/faults").json() == []


def test_the_test_kit_arms_a_rate_limit_for_a_tenant() -> None:
    with Emulator.in_process() as emu:
        tenant = emu.create_tenant("thrive")
        tenant.clock.set(FROZEN_AT)
        fault = emu.faults.rate_limit("thrive", 2, per=30, tenant=tenant.id)
        assert (fault["effect"], fault["tenant"]) == (
            {"type": "rate_limit", "limit": 2, "per": 30}, tenant.id)
        auth = basic(tenant.credentials["tenantId"], tenant.credentials["apiSecret"])
        with tenant.client(headers=auth) as http:
            passes(lambda: http.get("/rest/v1/users"), 2)
            assert refused(http.get("/rest/v1/users"), 30).json() == TOO_MANY
            tenant.clock.advance(30)
            passes(lambda: http.get("/rest/v1/users"), 2)
