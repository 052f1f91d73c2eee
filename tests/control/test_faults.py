"""Fault injection: vendor-shaped errors, latency, dropped connections, truncated bodies."""

from typing import Any

import httpx
import pytest

from tests.helpers import THRIVE_AUTH, THRIVE_TENANT, THRIVE_UNKNOWN

THRIVE_500 = {"status": 500, "error": "Internal Server Error", "message": "Internal Server Error"}


def add(client: httpx.Client, **spec: Any) -> dict[str, Any]:
    response = client.post("/_emulator/faults", json=spec)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_error_for_the_next_n_requests_then_normal(client: httpx.Client) -> None:
    fault = add(client, vendor="thrive", method="GET", path="/rest/v1/*",
                effect={"type": "error", "status": 500}, times=2)
    assert fault == {"id": fault["id"], "vendor": "thrive", "tenant": None, "method": "GET",
                     "path": "/rest/v1/*", "effect": {"type": "error", "status": 500,
                                                      "message": None},
                     "times": 2, "probability": 1.0, "seed": None, "fired": 0, "seen": 0,
                     "remaining": 2, "active": True}
    statuses = []
    for _ in range(3):
        response = client.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH)
        statuses.append(response.status_code)
        if response.status_code == 500:
            assert response.json() == THRIVE_500
    assert statuses == [500, 500, 404]
    (listed,) = client.get("/_emulator/faults").json()
    assert (listed["fired"], listed["remaining"], listed["active"]) == (2, 0, False)
    journal = client.get("/_emulator/journal").json()["entries"]
    assert [e["fault"] for e in journal] == [{"id": fault["id"], "type": "error"}] * 2 + [None]


def test_matchers_leave_other_requests_alone(client: httpx.Client) -> None:
    add(client, vendor="dmtd", effect={"type": "error", "status": 401})
    add(client, vendor="thrive", method="POST", effect={"type": "error", "status": 422})
    add(client, vendor="thrive", path="/rest/v2/*", effect={"type": "error", "status": 500})
    assert client.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH).status_code == 404
    response = client.post(THRIVE_UNKNOWN, headers=THRIVE_AUTH, json={})
    assert response.status_code == 422
    assert response.json() == {"status": 422, "error": "Unprocessable Content",
                               "message": "Unprocessable Content"}
    dmtd = client.get("/dmtd/1/learner", headers={"Authorization": "Bearer dmtd-demo-token"})
    assert dmtd.status_code == 401
    assert dmtd.json()["success"] is False


def test_tenant_matcher(client: httpx.Client) -> None:
    add(client, tenant=THRIVE_TENANT, effect={"type": "error", "status": 500, "message": "boom"})
    response = client.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH)
    assert response.json() == {**THRIVE_500, "message": "boom"}
    other = client.post("/_emulator/tenants", json={"vendor": "thrive"}).json()
    creds = other["credentials"]
    response = client.get(THRIVE_UNKNOWN, auth=(creds["tenantId"], creds["apiSecret"]))
    assert response.status_code == 404


def test_ispring_error_in_negotiated_format(client: httpx.Client) -> None:
    add(client, vendor="ispring", effect={"type": "error", "status": 403,
                                          "message": "Permission denied"})
    xml = client.get("/ispring/enrollment")
    assert xml.status_code == 403
    assert xml.headers["content-type"] == "application/xml"
    assert xml.text == ('<?xml version="1.0" encoding="UTF-8"?>\n<response><code>403</code>'
                        "<message>Permission denied</message></response>")
    json_reply = client.get("/ispring/enrollment", headers={"Accept": "application/json"})
    assert json_reply.json() == {"code": 403, "message": "Permission denied"}


def test_latency(client: httpx.Client) -> None:
    add(client, vendor="thrive", effect={"type": "latency", "ms": 120}, times=1)
    client.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH)
    (entry,) = client.get("/_emulator/journal").json()["entries"]
    assert entry["durationMs"] >= 120
    assert entry["fault"]["delayMs"] == 120
    assert entry["status"] == 404


def test_drop_and_truncate_surface_as_protocol_errors(client: httpx.Client) -> None:
    add(client, vendor="thrive", effect={"type": "drop"}, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH)
    add(client, vendor="thrive", effect={"type": "truncate"}, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH)
    assert client.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH).status_code == 404
    faults = [(e["fault"] or {}).get("type") for e in
              client.get("/_emulator/journal").json()["entries"]]
    assert faults == ["drop", "truncate", None]


def test_probability_with_seed_is_reproducible(client: httpx.Client) -> None:
    def run() -> list[int]:
        client.delete("/_emulator/faults")
        add(client, vendor="thrive", probability=0.5, seed=42,
            effect={"type": "error", "status": 500})
        return [client.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH).status_code for _ in range(12)]

    first, second = run(), run()
    assert first == second
    assert 500 in first
    assert 404 in first


@pytest.mark.parametrize("spec", [
    {"effect": {"type": "explode"}},
    {"effect": {"type": "error", "status": 200}},
    {"effect": {"type": "latency"}},
    {"effect": {"type": "latency", "minMs": 5, "maxMs": 1}},
    {"vendor": "nope", "effect": {"type": "drop"}},
    {"effect": {"type": "drop"}, "probability": 2},
    {"effect": {"type": "drop"}, "unknown": 1},
])
def test_invalid_fault_specs(client: httpx.Client, spec: dict[str, Any]) -> None:
    response = client.post("/_emulator/faults", json=spec)
    assert response.status_code in (400, 422)
    assert set(response.json()["error"]) == {"status", "message"}
    assert client.get("/_emulator/faults").json() == []


def test_delete_one_and_all(client: httpx.Client) -> None:
    first = add(client, effect={"type": "drop"})
    add(client, effect={"type": "truncate"})
    assert client.delete(f"/_emulator/faults/{first['id']}").status_code == 204
    assert client.delete(f"/_emulator/faults/{first['id']}").status_code == 404
    assert client.delete("/_emulator/faults").json() == {"deleted": 1}
