"""The real server process: starts, answers, journals, stops cleanly, keeps its state."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.helpers import THRIVE_AUTH, THRIVE_UNKNOWN

pytestmark = pytest.mark.live


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(*args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port),
                             *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{base}/_emulator/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not start: {proc.communicate()[0]}")
            time.sleep(0.05)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_serve_journal_round_trip_and_clean_shutdown(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    with server("--db", str(db)) as (base, proc):
        with httpx.Client(base_url=base) as http:
            assert http.get("/_emulator/health").json()["status"] == "ok"
            assert http.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH).status_code == 404
            # Read-your-writes: the journal holds the request as soon as the response arrived.
            (entry,) = http.get("/_emulator/journal?vendor=thrive").json()["entries"]
            assert entry["path"] == "/rest/v1/no-such-resource"
            tenant = http.post("/_emulator/tenants", json={"vendor": "dmtd"}).json()
            assert tenant.pop("controlToken").startswith("lmsct_")  # shown once only
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=10)
        assert proc.returncode == 0
        assert "GET /rest/v1/no-such-resource" not in output  # path logged with its mount
        assert f"GET {THRIVE_UNKNOWN} 404" in output
        assert "Traceback" not in output
    with server("--db", str(db)) as (base, _):
        assert httpx.get(f"{base}/_emulator/tenants/{tenant['id']}").json() == \
            {**tenant, "baseUrl": f"{base}/dmtd"}


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
    with server("--db", str(tmp_path / "workers.db"), "--workers", "2") as (base, _), \
            httpx.Client(base_url=base) as http:
        statuses = {http.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH).status_code for _ in range(8)}
        assert statuses == {404}
        http.post("/_emulator/clock", json={"set": "2030-01-01T00:00:00Z", "freeze": True})
        clocks = {http.get("/_emulator/clock").json()["now"] for _ in range(6)}
        assert clocks == {"2030-01-01T00:00:00Z"}
        assert http.get("/_emulator/journal").json()["total"] == 8
