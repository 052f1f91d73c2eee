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


SOCKET_EXAMPLE = '''
import httpx
import pytest

def test_in_process_tenant_has_no_reachable_url(dmtd_tenant):
    assert dmtd_tenant.base_url == "http://lms-emulator.invalid/dmtd"

@pytest.mark.lms_emulator_server
def test_marked_tenant_sits_on_a_socket(dmtd_tenant, emulator_journal, emulator_faults,
                                        lms_emulator_server):
    assert dmtd_tenant.base_url == f"{lms_emulator_server.base_url}/dmtd"
    assert dmtd_tenant.base_url.startswith("http://127.0.0.1:")
    auth = {"Authorization": f"Bearer {dmtd_tenant.credentials['token']}"}
    plain = httpx.get(f"{dmtd_tenant.base_url}/1/learner", headers=auth)
    assert plain.status_code == 200
    assert [learner["firstName"] for learner in plain.json()] == ["Sam", "Noa", None]
    emulator_faults.error("dmtd", 503, tenant=dmtd_tenant.id, times=1)
    failed = httpx.get(f"{dmtd_tenant.base_url}/1/learner", headers=auth)
    assert failed.status_code == 503
    assert failed.json()["success"] is False
    emulator_journal.assert_received(tenant=dmtd_tenant.id, path="/1/learner", count=2)
'''


def test_marked_tests_get_tenants_on_a_live_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_socket=SOCKET_EXAMPLE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=2)
