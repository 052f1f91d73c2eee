"""`lms-emulator serve` as a user starts it: the start-up summary, logs with several workers,
client-error reasons at debug level, and the container's health check."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from emulator import __version__
from emulator.core.settings import Settings
from tests.cli.run import free_port, serving
from tests.helpers import THRIVE_AUTH, THRIVE_UNKNOWN

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]


def banner(url: str) -> str:
    return (f"LMS emulator {__version__} is listening on {url}\n"
            f"  Thrive Learning  {url}/thrive\n"
            f"  iSpring Learn    {url}/ispring\n"
            f"  DMTD (VB-MAPP)   {url}/dmtd\n"
            f"  Dashboard        {url}/_emulator/ui\n"
            f"  Credentials      {url}/_emulator/tenants (every tenant's); the demo ones are "
            f"listed in the README and stored in {Settings().fixtures}\n")


def test_start_prints_where_everything_is_and_quiet_does_not(tmp_path: Path) -> None:
    with serving(tmp_path, "--memory") as served:
        output = served.stop()
    assert banner(served.url) in output
    with serving(tmp_path, "--memory", "--quiet") as served:
        output = served.stop()
    assert "is listening on" not in output
    assert "/_emulator/ui" not in output
    assert f"LMS emulator {__version__} on {served.url} (database memory)" in output


def test_workers_keep_the_access_log_reasons_and_shutdown_line(tmp_path: Path) -> None:
    db = tmp_path / "workers.db"
    with serving(tmp_path, "--db", str(db), "--workers", "2", "--log-level", "debug",
                 "--quiet") as served, httpx.Client(base_url=served.url) as http:
        for _ in range(4):
            assert http.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH).status_code == 404
        refused = http.get("/dmtd/1/learner", headers={"Authorization": "Bearer wrong"})
        assert refused.status_code == 401
        output = served.stop()
    assert served.proc.returncode == 0
    assert len(re.findall(rf"emulator\.access: GET {THRIVE_UNKNOWN} 404 [\d.]+ms\n", output)) == 4
    assert len(re.findall(rf"GET {THRIVE_UNKNOWN} 404 reason: ", output)) == 4
    assert re.search(r"emulator\.access: GET /dmtd/1/learner 401 [\d.]+ms\n", output)
    assert ('DEBUG emulator.access: GET /dmtd/1/learner 401 reason: '
            '{"success":false,"message":"The Bearer token is not valid"}\n') in output
    assert f"emulator: stopped; state is in {db}\n" in output
    assert "uvicorn.error" not in output
    assert " INFO uvicorn: " in output
    assert "Traceback" not in output


def test_client_error_reasons_stay_out_of_the_info_log(tmp_path: Path) -> None:
    with serving(tmp_path, "--memory", "--quiet") as served:
        assert httpx.get(f"{served.url}{THRIVE_UNKNOWN}", headers=THRIVE_AUTH).status_code == 404
        output = served.stop()
    assert f"GET {THRIVE_UNKNOWN} 404 " in output
    assert "reason:" not in output
    assert "uvicorn.error" not in output


def healthcheck_command() -> str:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    (line,) = [line for line in text.splitlines() if line.startswith("HEALTHCHECK ")]
    return line.split(" CMD ", 1)[1]


def test_docker_healthcheck_follows_emulator_port(tmp_path: Path) -> None:
    command = healthcheck_command()
    # `python` in the image is the one the package is installed in; here, this interpreter's.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    with serving(tmp_path, "--memory", "--quiet") as served:
        healthy = subprocess.run(["sh", "-c", command], env={**env, "EMULATOR_PORT":
                                 str(served.port)}, capture_output=True, timeout=30)
        assert healthy.returncode == 0, healthy.stderr
    nobody_there = subprocess.run(["sh", "-c", command], capture_output=True, timeout=30,
                                  env={**env, "EMULATOR_PORT": str(free_port())})
    assert nobody_there.returncode != 0
