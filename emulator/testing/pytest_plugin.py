"""pytest plugin (registered through the `pytest11` entry point): emulator fixtures.

Fixtures: `lms_emulator` (session: in-process, or the server given by `--lms-emulator-url` /
`LMS_EMULATOR_URL`), `lms_emulator_server` (session: a real server on a free port in a
thread), `thrive_tenant` / `ispring_tenant` / `dmtd_tenant` (a fresh tenant per test, deleted
after it), `emulator_clock`, `emulator_faults`, `emulator_journal`.

A test marked `@pytest.mark.lms_emulator_server` gets its tenants, clock, faults and journal
from `lms_emulator_server`, so `tenant.base_url` is a real `http://127.0.0.1:<port>/...` URL
for clients that need a socket; when `lms_emulator` already is a server (a URL was given), the
mark changes nothing.

Isolation comes from tenants, not from resets: every test gets its own tenant, so tests can run
in parallel (pytest-xdist) against one shared server or one emulator per worker. Faults added
through `emulator_faults` are removed after the test; clock changes through a tenant's
`.clock` touch only that tenant.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from emulator.control.coverage import merge, report_text
from emulator.testing.api import Clock, Emulator, Faults, Journal, Tenant
from emulator.testing.server import LiveServer

SOCKET_MARK = "lms_emulator_server"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{SOCKET_MARK}: the test's emulator fixtures use a real server on a free "
                   "loopback port (tenant base URLs work for any HTTP client)")


def _emulator(request: pytest.FixtureRequest) -> Emulator:
    """The emulator behind a test's tenants, clock, faults and journal (see the mark above)."""
    emulator: Emulator = request.getfixturevalue("lms_emulator")
    if not emulator.over_socket and request.node.get_closest_marker(SOCKET_MARK):
        emulator = request.getfixturevalue("lms_emulator_server")
    return emulator


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lms-emulator")
    group.addoption("--lms-emulator-url", default=None,
                    help="use a running LMS emulator at this URL instead of an in-process one "
                         "(also LMS_EMULATOR_URL)")
    group.addoption("--lms-emulator-coverage", action="store_true",
                    help="at the end, print which vendor operations the run's calls exercised "
                         "(and which documented error statuses they never saw); also written "
                         "as JSON to --lms-emulator-coverage-json")
    group.addoption("--lms-emulator-coverage-json", default="lms-emulator-coverage.json",
                    metavar="PATH", help="where --lms-emulator-coverage writes its JSON "
                                         "(default: %(default)s)")


@pytest.fixture(scope="session")
def lms_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """The emulator under test: in-process by default, a live server when a URL is given."""
    url = request.config.getoption("--lms-emulator-url") or os.environ.get("LMS_EMULATOR_URL")
    emulator = Emulator.remote(url) if url else Emulator.in_process()
    started = datetime.now(UTC)
    with emulator:
        yield emulator
        if request.config.getoption("--lms-emulator-coverage"):
            # Read before the emulator closes: an in-process one takes its journal with it.
            response = emulator.http.get("/_emulator/coverage",
                                         params={"since": started.isoformat()})
            _coverage_reports(request.config).append(response.json())


@pytest.fixture(scope="session")
def lms_emulator_server() -> Iterator[Emulator]:
    """A real server on a free loopback port (for clients that need a socket)."""
    with LiveServer() as server, Emulator.remote(server.url) as emulator:
        yield emulator


def _tenant(emulator: Emulator, vendor: str) -> Iterator[Tenant]:
    tenant = emulator.create_tenant(vendor)
    try:
        yield tenant
    finally:
        tenant.delete()


@pytest.fixture
def thrive_tenant(request: pytest.FixtureRequest) -> Iterator[Tenant]:
    """A fresh Thrive tenant: credentials (tenantId, apiSecret, oauthClients) and base URL."""
    yield from _tenant(_emulator(request), "thrive")


@pytest.fixture
def ispring_tenant(request: pytest.FixtureRequest) -> Iterator[Tenant]:
    """A fresh iSpring account: credentials (accountUrl, logins, apiKeys) and base URL."""
    yield from _tenant(_emulator(request), "ispring")


@pytest.fixture
def dmtd_tenant(request: pytest.FixtureRequest) -> Iterator[Tenant]:
    """A fresh DMTD iFrame organization: its bearer token and base URL."""
    yield from _tenant(_emulator(request), "dmtd")


@pytest.fixture
def emulator_clock(request: pytest.FixtureRequest) -> Iterator[Clock]:
    """The global clock, back to real time after the test (prefer `tenant.clock` in parallel)."""
    clock = _emulator(request).clock
    yield clock
    clock.real()


@pytest.fixture
def emulator_faults(request: pytest.FixtureRequest) -> Iterator[Faults]:
    """Fault injection; the faults added here are removed after the test."""
    faults = Faults(_emulator(request).http)
    yield faults
    faults.remove_added()


@pytest.fixture
def emulator_journal(request: pytest.FixtureRequest) -> Journal:
    """The journal with `assert_received(...)`, `count(...)` and `entries(...)`."""
    return _emulator(request).journal


_COVERAGE = pytest.StashKey[list[dict[str, Any]]]()


def _coverage_reports(config: pytest.Config) -> list[dict[str, Any]]:
    return config.stash.setdefault(_COVERAGE, [])


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: gather each worker's coverage report on the controller."""
    reports = getattr(node, "workeroutput", {}).get("lms_emulator_coverage", [])
    _coverage_reports(node.config).extend(reports)


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["lms_emulator_coverage"] = _coverage_reports(session.config)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    reports = _coverage_reports(config)
    if not config.getoption("--lms-emulator-coverage") or not reports:
        return
    report = merge(reports)
    path = Path(config.getoption("--lms-emulator-coverage-json"))
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    terminalreporter.write_sep("=", "LMS emulator API coverage")
    terminalreporter.write_line(report_text(report))
    terminalreporter.write_line(f"(JSON: {path})")
