"""The soak's short form: about 20 seconds of steady mixed traffic over the three vendors and
the control plane against a live server; nothing acknowledged is lost, deleted tenants leave
no row, no 5xx. bench/soak.py runs the same for 30 minutes and prints the figures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hardening.live import Server, integrity
from tests.hardening.soak import ADMIN_TOKEN, soak

pytestmark = pytest.mark.live

SECONDS = float(os.environ.get("SOAK_SECONDS", "20"))


def test_a_steady_mix_loses_nothing_and_leaves_nothing(tmp_path: Path) -> None:
    db = tmp_path / "soak.db"
    server = Server(db, env={"EMULATOR_ACCESS_LOG": "false", "EMULATOR_ADMIN_TOKEN": ADMIN_TOKEN,
                             "EMULATOR_JOURNAL_MAX": "500"})
    with server:
        result = soak(server, seconds=SECONDS, writers=4, write_interval=0.1, readers=1,
                      read_interval=0.1, cycles=1, cycle_interval=0.5)
    assert server.proc is not None
    assert server.proc.returncode == 0
    summary = (f"{len(result.samples.requests)} requests, {result.ledger.writes} writes, "
               f"{result.audit.acknowledged} acknowledged, {result.audit.found} found, "
               f"{result.cycles.steps} tenant cycles")
    print(summary)
    assert not result.failures, "\n".join([summary, *result.failures[:20]])
    assert result.audit.found == result.audit.acknowledged > 0, summary
    assert result.cycles.steps >= 3, summary
    assert integrity(db) == "ok"
    assert "Traceback" not in server.output()
