"""The emulator clock: freeze, set, advance — globally and per tenant."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.helpers import THRIVE_TENANT


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_real_time_by_default(client: httpx.Client) -> None:
    body = client.get("/_emulator/clock").json()
    assert body["frozen"] is False
    assert body["scope"] == "global"
    assert abs(parse(body["now"]) - datetime.now(UTC)) < timedelta(seconds=5)


def test_set_freeze_advance_unfreeze(client: httpx.Client) -> None:
    frozen = client.post("/_emulator/clock",
                         json={"set": "2030-01-01T00:00:00Z", "freeze": True}).json()
    assert frozen == {"now": "2030-01-01T00:00:00Z", "frozen": True, "offsetSeconds": 0.0,
                      "scope": "global"}
    assert client.get("/_emulator/clock").json()["now"] == "2030-01-01T00:00:00Z"
    advanced = client.post("/_emulator/clock", json={"advance": "P1DT2H"}).json()
    assert advanced["now"] == "2030-01-02T02:00:00Z"
    seconds = client.post("/_emulator/clock", json={"advance": 30}).json()
    assert seconds["now"] == "2030-01-02T02:00:30Z"
    running = client.post("/_emulator/clock", json={"freeze": False}).json()
    assert running["frozen"] is False
    assert parse(running["now"]) >= parse("2030-01-02T02:00:30Z")
    assert parse(running["now"]) - parse("2030-01-02T02:00:30Z") < timedelta(seconds=5)
    real = client.post("/_emulator/clock", json={"real": True}).json()
    assert abs(parse(real["now"]) - datetime.now(UTC)) < timedelta(seconds=5)


def test_tenant_override_does_not_touch_the_global_clock(client: httpx.Client) -> None:
    client.post("/_emulator/clock", json={"set": "2030-01-01T00:00:00Z", "freeze": True})
    mine = client.post("/_emulator/clock", json={"tenant": THRIVE_TENANT, "advance": 3600}).json()
    assert mine == {"now": "2030-01-01T01:00:00Z", "frozen": True, "offsetSeconds": 0.0,
                    "scope": THRIVE_TENANT}
    assert client.get("/_emulator/clock").json()["now"] == "2030-01-01T00:00:00Z"
    assert client.get(f"/_emulator/clock?tenant={THRIVE_TENANT}").json()["now"] == \
        "2030-01-01T01:00:00Z"
    client.post("/_emulator/clock", json={"tenant": THRIVE_TENANT, "real": True})
    assert client.get(f"/_emulator/clock?tenant={THRIVE_TENANT}").json()["scope"] == "global"


@pytest.mark.parametrize("body", [{"advance": "soon"}, {"set": "yesterday"}, {"freeze": "x"},
                                  {"tenant": "no-such-tenant", "advance": 1}, {"speed": 2}])
def test_invalid_changes(client: httpx.Client, body: dict[str, object]) -> None:
    response = client.post("/_emulator/clock", json=body)
    assert response.status_code in (400, 404)
    assert response.json()["error"]["status"] == response.status_code
    assert client.get("/_emulator/clock").json()["frozen"] is False
