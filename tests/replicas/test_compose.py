"""compose.yaml runs what the replica tests run: `lms-emulator serve` on EMULATOR_DATABASE_URL,
three replicas behind a balancer that checks `/_emulator/health` (no Docker engine here)."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.replicas.conftest import REPLICAS

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_three_replicas_on_one_postgresql_behind_a_health_checked_balancer(
        ) -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    replicas = sorted(name for name in services if name.startswith("replica"))
    assert replicas == [f"replica{i}" for i in range(1, REPLICAS + 1)]
    for name in replicas:
        replica = services[name]
        assert replica["command"] == ["lms-emulator", "serve", "--host", "0.0.0.0",
                                      "--port", "8800"]
        assert replica["environment"] == {"EMULATOR_DATABASE_URL":
                                          "postgresql+psycopg://emulator:emulator@postgres:5432/emulator"}
        assert replica["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    balancer = compose["configs"]["haproxy"]["content"]
    assert "option httpchk GET /_emulator/health" in balancer
    assert [line.split()[1:3] for line in balancer.splitlines() if "server replica" in line] == \
        [[name, f"{name}:8800"] for name in replicas]
    assert services["balancer"]["ports"] == ["8800:8800"]
