"""`ServerProcess`: `lms-emulator serve` as a child process on a free loopback port."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from emulator.testing import ServerProcess, ServerStartError

pytestmark = pytest.mark.live


def test_serves_from_memory_and_stops_cleanly() -> None:
    with ServerProcess(env={"EMULATOR_ACCESS_LOG": "false"}) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.args == ("--memory",)
        assert httpx.get(f"{server.url}/_emulator/health").json()["status"] == "ok"
        assert server.rss_kib() > 0
        log = server.log
        assert log.exists()
        assert server.stop() == 0
        assert "Traceback" not in server.output()
    assert not log.exists()  # its own temporary log goes with it
    with pytest.raises(ProcessLookupError):
        os.kill(server.pid, 0)


def test_a_server_that_exits_is_an_error_with_its_output(tmp_path: Path) -> None:
    missing = tmp_path / "no-fixtures"
    server = ServerProcess("--fixtures", str(missing), db=tmp_path / "x.db")
    with pytest.raises(ServerStartError) as raised:
        server.start()
    assert str(raised.value) == (
        f"lms-emulator serve on {server.url} exited with status 2 before answering; its "
        f"output ends:\nlms-emulator: error: {missing}: fixture directory not found")
    assert server.returncode == 2
    assert not server.log.exists()


def test_a_server_that_never_gets_ready_is_stopped(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = ServerProcess(db=tmp_path / "x.db", log=log, ready_path="/_emulator/no-such-page")
    with pytest.raises(ServerStartError) as raised:
        server.start(timeout=1)
    assert str(raised.value).startswith(
        f"lms-emulator serve on {server.url} did not answer GET /_emulator/no-such-page with "
        "200 within 1 s; its output ends:\n")
    assert server.returncode is not None  # stopped, not left running
    assert log.exists()  # a log the caller named is kept
