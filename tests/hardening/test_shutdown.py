"""Graceful shutdown under load: SIGTERM while 50 clients write. Requests in flight are answered,
new connections are refused, the process exits 0, and every acknowledged write is in the file
with nothing unacknowledged beside it.
"""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.hardening.live import Server, integrity
from tests.hardening.workload import Load, audit, counts

pytestmark = pytest.mark.live

CLIENTS = 50
# Every vendor request sleeps this long in the server, so that at the signal most clients have
# a request in flight; well under the server's 5 s grace period.
LATENCY_MS = 400


def refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except OSError:
        return True


def test_sigterm_under_load_finishes_in_flight_work_and_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "shutdown.db"
    server = Server(db, env={"EMULATOR_ACCESS_LOG": "false"}).start()
    assert server.proc is not None
    try:
        baseline = counts(db)
        load = Load(server.url, clients=CLIENTS, seconds=120, max_ops=100_000, run="sd",
                    crash=True)
        fault = httpx.post(f"{server.url}/_emulator/faults",
                           json={"effect": {"type": "latency", "ms": LATENCY_MS}})
        assert fault.status_code == 201
        time.sleep(2 * LATENCY_MS / 1000)
        with load.ledger.lock:
            before = sum(n for status, n in load.ledger.statuses.items() if status < 300)
        # The clients see the coming transport errors as expected from now on.
        load.stop()
        server.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while not refused(server.port) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert refused(server.port), "new connections still accepted after SIGTERM"
        ledger = load.join()
        assert server.proc.wait(timeout=30) == 0, server.output()[-2000:]
    finally:
        server.stop()
    answered = sum(n for status, n in ledger.statuses.items() if status < 300) - before
    # Nearly every client had a request sleeping in the server at the signal: answered, not cut.
    assert answered >= CLIENTS // 2, (answered, dict(ledger.statuses))
    assert not any(status >= 500 for status in ledger.statuses), ledger.statuses
    result = audit(ledger, db, baseline, crash=True, in_flight=0)
    assert not result.failures, result.failures[:20]
    assert result.found == result.acknowledged > CLIENTS
    assert integrity(db) == "ok"
    assert "Traceback" not in server.output()
