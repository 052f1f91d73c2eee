"""The Python API of the test kit, against an in-process emulator and a live server."""

from datetime import UTC, datetime

import httpx
import pytest

from emulator.testing import Emulator, EmulatorError, LiveServer
from tests.helpers import THRIVE_UNKNOWN


@pytest.fixture(scope="module")
def emu() -> Emulator:
    return Emulator.in_process()


def test_tenant_lifecycle_clock_faults_and_journal(emu: Emulator) -> None:
    tenant = emu.create_tenant("thrive")
    creds = tenant.credentials
    with tenant.client(auth=(creds["tenantId"], creds["apiSecret"])) as http:
        assert str(http.base_url).rstrip("/") == "http://lms-emulator.invalid/thrive"
        assert http.get(THRIVE_UNKNOWN.removeprefix("/thrive")).status_code == 404
        emu.faults.error("thrive", 500, times=1, tenant=tenant.id)
        assert http.get(THRIVE_UNKNOWN.removeprefix("/thrive")).status_code == 500
    entries = emu.journal.assert_received(vendor="thrive", tenant=tenant.id, count=2)
    assert [e["status"] for e in entries] == [404, 500]
    when = tenant.clock.set(datetime(2032, 2, 29, tzinfo=UTC))
    assert when == datetime(2032, 2, 29, tzinfo=UTC)
    assert tenant.clock.advance(days=1, hours=1) == datetime(2032, 3, 1, 1, tzinfo=UTC)
    assert emu.clock.now().year < 2032
    tenant.delete()
    with pytest.raises(EmulatorError, match="Unknown tenant"):
        tenant.reset()


def test_assert_received_explains_near_misses(emu: Emulator) -> None:
    emu.journal.clear()
    tenant = emu.create_tenant("dmtd")
    with tenant.client() as http:
        http.post("/1/nothing", json={"userId": 7},
                  headers={"Authorization": f"Bearer {tenant.credentials['token']}"})
    assert emu.journal.count(vendor="dmtd", body={"userId": 7}) == 1
    with pytest.raises(AssertionError) as caught:
        emu.journal.assert_received(vendor="dmtd", method="GET", body={"userId": 8})
    message = str(caught.value)
    assert message.startswith("expected at least one request(s) matching")
    assert "closest: #" in message
    assert "method: expected 'GET', got 'POST'" in message
    assert "body.userId: expected 8, got 7" in message


def test_snapshots_and_tenants_listing(emu: Emulator) -> None:
    tenant = emu.create_tenant("ispring")
    emu.snapshots.take("api-test", tenant=tenant.id)
    tenant.delete()
    emu.snapshots.restore("api-test")
    assert tenant.id in [t["id"] for t in emu.tenants("ispring")]
    assert "api-test" in [s["name"] for s in emu.snapshots.list()]
    emu.snapshots.delete("api-test")


def test_live_server_speaks_over_a_socket() -> None:
    with LiveServer() as server, Emulator.remote(server.url) as emu:
        assert emu.health()["status"] == "ok"
        tenant = emu.create_tenant("dmtd")
        assert tenant.base_url == f"{server.url}/dmtd"
        emu.faults.drop("dmtd", times=1)
        with tenant.client() as http, pytest.raises(httpx.RemoteProtocolError):
            http.get("/1/learner")
        assert emu.faults.list()[0]["fired"] == 1


def test_in_process_base_url_is_reachable_only_through_the_tenant_client(emu: Emulator) -> None:
    tenant = emu.create_tenant("dmtd")
    assert tenant.base_url == "http://lms-emulator.invalid/dmtd"
    assert not emu.over_socket
    auth = {"Authorization": f"Bearer {tenant.credentials['token']}"}
    with tenant.client(headers=auth) as http:
        assert http.get("/1/learner").status_code == 200
    # A plain client cannot reach it, nor any other emulator on a loopback port.
    with httpx.Client() as plain, pytest.raises(httpx.ConnectError):
        plain.get(f"{tenant.base_url}/1/learner", headers=auth)


def test_running_clock_advances_by_exactly_the_duration_asked(emu: Emulator) -> None:
    tenant = emu.create_tenant("thrive")
    emu.http.post("/_emulator/clock", json={"tenant": tenant.id, "real": True})
    changed = emu.http.post("/_emulator/clock", json={"tenant": tenant.id, "advance": "P30D"})
    assert changed.status_code == 200
    state = changed.json()
    assert (state["offsetSeconds"], state["frozen"], state["scope"]) == (2_592_000.0, False,
                                                                         tenant.id)
    again = emu.http.post("/_emulator/clock", json={"tenant": tenant.id, "advance": "PT1H"})
    assert again.json()["offsetSeconds"] == 2_595_600.0
