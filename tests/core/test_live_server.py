"""The real server process: starts, answers, journals, stops cleanly, keeps its state."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from emulator.testing import ServerProcess
from tests.helpers import THRIVE_AUTH, THRIVE_UNKNOWN, as_listed

pytestmark = pytest.mark.live


def test_serve_journal_round_trip_and_clean_shutdown(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    with ServerProcess(db=db) as server:
        with httpx.Client(base_url=server.url) as http:
            assert http.get("/_emulator/health").json()["status"] == "ok"
            assert http.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH).status_code == 404
            # Read-your-writes: the journal holds the request as soon as the response arrived.
            (entry,) = http.get("/_emulator/journal?vendor=thrive").json()["entries"]
            assert entry["path"] == "/rest/v1/no-such-resource"
            tenant = http.post("/_emulator/tenants", json={"vendor": "dmtd"}).json()
            assert tenant.pop("controlToken").startswith("lmsct_")  # shown once only
        assert server.stop() == 0
        output = server.output()
        assert "GET /rest/v1/no-such-resource" not in output  # path logged with its mount
        assert f"GET {THRIVE_UNKNOWN} 404" in output
        assert "Traceback" not in output
    with ServerProcess(db=db) as server:
        assert httpx.get(f"{server.url}/_emulator/tenants/{tenant['id']}").json() == \
            as_listed({**tenant, "baseUrl": f"{server.url}/dmtd"})
        learners = httpx.get(f"{server.url}/dmtd/1/learner", headers={
            "Authorization": f"Bearer {tenant['credentials']['token']}"})
        assert learners.status_code == 200, learners.text


def test_busy_port_is_a_one_line_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "emulator", "serve", "--memory",
                                 "--port", str(port)], capture_output=True, text=True,
                                timeout=30)
    assert result.returncode == 2
    assert result.stderr == \
        f"lms-emulator: error: port {port} on 127.0.0.1 is already in use\n"


def test_several_workers_share_state(tmp_path: Path) -> None:
    with ServerProcess("--workers", "2", db=tmp_path / "workers.db") as server, \
            httpx.Client(base_url=server.url) as http:
        statuses = {http.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH).status_code for _ in range(8)}
        assert statuses == {404}
        http.post("/_emulator/clock", json={"set": "2030-01-01T00:00:00Z", "freeze": True})
        clocks = {http.get("/_emulator/clock").json()["now"] for _ in range(6)}
        assert clocks == {"2030-01-01T00:00:00Z"}
        assert http.get("/_emulator/journal").json()["total"] == 8
