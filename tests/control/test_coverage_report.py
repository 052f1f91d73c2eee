"""Coverage where integrators read it: `lms-emulator coverage --url` and the pytest plugin's
`--lms-emulator-coverage`."""

import json
from collections.abc import Iterator

import httpx
import pytest

from emulator.cli import main
from emulator.testing.server import LiveServer
from tests.helpers import THRIVE_AUTH, THRIVE_TENANT


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer() as live:
        yield live


def test_the_cli_reports_a_running_servers_coverage(server: LiveServer,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/thrive/rest/v1/tags", headers=THRIVE_AUTH).status_code == 200
        assert http.get("/thrive/rest/v1/tags/x", headers=THRIVE_AUTH).status_code == 404
        served = http.get("/_emulator/coverage", params={"tenant": THRIVE_TENANT}).json()
    total = served["thrive"]["total"]

    assert main(["coverage", "--url", server.url, "--tenant", THRIVE_TENANT]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Thrive Learning: 2/{total} operations called"
    assert "  never called: POST /thrive/rest/v2/users (create_user)" in lines
    assert "  no 401, 403 seen: GET /thrive/rest/v1/tags (list_tags)" in lines
    assert len(lines) == 1 + (total - 2) + 2

    assert main(["coverage", "--url", server.url + "/", "--tenant", THRIVE_TENANT,
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == served


def test_the_cli_names_what_went_wrong(server: LiveServer,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--url", server.url, "--tenant", "nobody"]) == 2
    err = capsys.readouterr().err
    assert err == f"lms-emulator: error: {server.url} answered 404: Unknown tenant 'nobody'\n"
    with LiveServer() as gone:
        url = gone.url
    assert main(["coverage", "--url", url]) == 2
    assert capsys.readouterr().err.startswith(f"lms-emulator: error: cannot reach {url}: ")


EXAMPLE = '''
def test_thrive(thrive_tenant):
    creds = thrive_tenant.credentials
    with thrive_tenant.client(auth=(creds["tenantId"], creds["apiSecret"])) as http:
        assert http.get("/rest/v1/tags").status_code == 200

def test_thrive_missing(thrive_tenant):
    creds = thrive_tenant.credentials
    with thrive_tenant.client(auth=(creds["tenantId"], creds["apiSecret"])) as http:
        assert http.get("/rest/v1/tags/nope").status_code == 404
        assert http.get("/rest/v1/tags").status_code == 200
'''


def test_the_plugin_prints_and_writes_the_runs_coverage(pytester: pytest.Pytester) -> None:
    """Under xdist each worker has its own emulator: the report adds their calls up."""
    pytester.makepyfile(test_example=EXAMPLE)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider",
                                           "--lms-emulator-coverage",
                                           "--lms-emulator-coverage-json", "cov.json")
    result.assert_outcomes(passed=2)
    report = json.loads((pytester.path / "cov.json").read_text())
    assert list(report) == ["thrive", "ispring", "dmtd"]
    (tags,) = [op for op in report["thrive"]["operations"] if op["operation"] == "list_tags"]
    assert (tags["called"], tags["calls"], tags["statuses"]) == (True, 2, [200])
    assert tags["unexercisedErrors"] == [401, 403]
    (tag,) = [op for op in report["thrive"]["operations"] if op["operation"] == "get_tag"]
    assert (tag["calls"], tag["statuses"], tag["unexercisedErrors"]) == (1, [404], [401, 403])
    total = report["thrive"]["total"]
    assert report["thrive"]["called"] == 2
    result.stdout.fnmatch_lines([
        "*= LMS emulator API coverage =*",
        f"Thrive Learning: 2/{total} operations called",
        "  never called: POST /thrive/oauth2/token/{tenantId} (create_access_token)",
        "(JSON: cov.json)",
    ])
    assert "iSpring" not in result.stdout.str()
