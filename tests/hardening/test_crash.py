"""kill -9 during sustained writes, then restart on the same database file: the server starts,
SQLite's integrity check passes, every write acknowledged before the kill is there, and no
multi-row operation (an iSpring enrollment batch of courses x learners) is half there.

CI runs one round (a few hundred operations before the kill); bench/robustness.py runs several
rounds on the same file and reports the restart time.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hardening.live import Server, integrity
from tests.hardening.workload import Audit, Ledger, Load, audit, counts

pytestmark = pytest.mark.live

CLIENTS = 20
OPERATIONS_BEFORE_KILL = int(os.environ.get("HARDENING_KILL_AFTER", "200"))


@dataclass
class CrashRound:
    ledger: Ledger
    result: Audit
    restart_seconds: float
    integrity: str


def crash_round(db: Path, run: str, *, clients: int = CLIENTS,
                operations: int = OPERATIONS_BEFORE_KILL, limit_seconds: float = 60) -> CrashRound:
    """One kill -9 under load and the restart after it."""
    server = Server(db, env={"EMULATOR_ACCESS_LOG": "false"}).start()
    try:
        baseline = counts(db)
        load = Load(server.url, clients=clients, seconds=limit_seconds, max_ops=10_000,
                    run=run, crash=True)
        deadline = time.monotonic() + limit_seconds
        while load.ledger.writes < operations and time.monotonic() < deadline:
            time.sleep(0.01)
        load.stop()  # clients treat what follows as the kill it is, not as errors
        server.kill()
    finally:
        server.stop()
    ledger = load.join()
    restarted = Server(db, env={"EMULATOR_ACCESS_LOG": "false"}).start()
    try:
        verdict = integrity(db)
        result = audit(ledger, db, baseline, crash=True, in_flight=clients)
    finally:
        restarted.stop()
    if "Traceback" in restarted.output():
        result.failures.append(f"server log: {restarted.output()[-2000:]}")
    return CrashRound(ledger, result, restarted.startup_seconds, verdict)


def test_kill_9_loses_no_acknowledged_write(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    round_ = crash_round(db, "k1")
    summary = (f"{round_.ledger.writes} operations before the kill, "
               f"{round_.result.acknowledged} acknowledged writes, {round_.result.found} "
               f"found, restart {round_.restart_seconds:.2f} s")
    assert round_.integrity == "ok", summary
    assert not round_.result.failures, "\n".join([summary, *round_.result.failures[:20]])
    assert round_.result.found == round_.result.acknowledged > 0, summary
    assert round_.ledger.writes >= OPERATIONS_BEFORE_KILL, summary
    assert integrity(db) == "ok"
