"""The pytest plugin as an integrator uses it: installed, no conftest, in parallel."""

import pytest

EXAMPLE = '''
import httpx

def test_thrive(thrive_tenant, emulator_journal, emulator_faults):
    creds = thrive_tenant.credentials
    with thrive_tenant.client(auth=(creds["tenantId"], creds["apiSecret"])) as http:
        http.get("/rest/v1/nothing")
        emulator_faults.error("thrive", 500, tenant=thrive_tenant.id, times=1)
        assert http.get("/rest/v1/nothing").status_code == 500
    emulator_journal.assert_received(tenant=thrive_tenant.id, count=2)

def test_dmtd_clock(dmtd_tenant):
    start = dmtd_tenant.clock.set("2030-01-01T00:00:00Z")
    assert dmtd_tenant.clock.advance(days=2).day == start.day + 2

def test_ispring(ispring_tenant, lms_emulator):
    assert ispring_tenant.id in [t["id"] for t in lms_emulator.tenants("ispring")]

def test_socket_server(lms_emulator_server):
    assert lms_emulator_server.health()["status"] == "ok"
'''


def test_fixtures_work_in_a_plain_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_example=EXAMPLE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_fixtures_work_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_example=EXAMPLE)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
