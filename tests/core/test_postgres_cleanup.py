"""An interrupted test run stops the embedded PostgreSQL server it started, and no other.

Each case runs a small pytest session in a child process (in its own process group) whose one
test starts the server (the suite's own `database_url` and session hooks) and then waits to be
ended; once the server is up the session gets Ctrl-C, or SIGTERM to its whole process group, and
must be gone with its server after. Before the session hooks stopped it, the SIGTERM cases left
the server running (it detaches from the session's process group).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import psycopg
import pytest

from emulator.testing.postgres import ENV, server_dir
from tests.backends import database_url

ROOT = Path(__file__).resolve().parents[2]
CONFTEST = "from tests.backends import pytest_configure, pytest_unconfigure  # noqa: F401\n"
HOLD = '''
import os
import time
from pathlib import Path

from tests.backends import database_url


def test_hold(tmp_path_factory):
    url = database_url("postgresql", tmp_path_factory, "hold")
    Path(os.environ["HOLD_READY"]).write_text(url)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until the session is interrupted
        time.sleep(0.05)
'''


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def interrupted_session(tmp_path: Path, *args: str, stop: str = "ctrl-c",
                        env: dict[str, str] | None = None) -> tuple[str, int | None]:
    """Run the holding session and stop it once its server is up: its output, and the pid of
    the embedded server it started (None when it started none).

    `stop`: "ctrl-c" is SIGINT to the session's process; "kill" is SIGTERM to its whole process
    group (workers included), as `kill -- -PGID` and CI time-outs do.
    """
    project = tmp_path / "project"
    project.mkdir()
    (project / "conftest.py").write_text(CONFTEST)
    (project / "test_hold.py").write_text(HOLD)
    ready = tmp_path / "ready"
    lock_file = server_dir(tmp_path / "basetemp") / "postmaster.pid"
    # The child is a session of its own, not one more worker of this one.
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    child_env.update(PYTHONPATH=str(ROOT), HOLD_READY=str(ready), **(env or {}))
    child = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"--basetemp={tmp_path / 'basetemp'}", *args, str(project)],
        cwd=project, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not ready.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the session never started its server"
        # Read while the server runs: its lock file goes with it.
        pid = int(lock_file.read_text().split()[0]) if lock_file.exists() else None
        if stop == "ctrl-c":
            child.send_signal(signal.SIGINT)
        else:
            os.killpg(child.pid, signal.SIGTERM)
        output, _ = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert "KeyboardInterrupt" in output or child.returncode < 0, output
    return output, pid


@pytest.mark.parametrize("stop", ["ctrl-c", "kill"])
@pytest.mark.parametrize("workers", [[], ["-n", "1"]], ids=["one-process", "xdist"])
def test_an_interrupted_session_stops_the_server_it_started(tmp_path: Path, workers: list[str],
                                                            stop: str) -> None:
    output, pid = interrupted_session(tmp_path, *workers, stop=stop)
    assert pid is not None, output
    assert not alive(pid), output
    assert not server_dir(tmp_path / "basetemp").exists()


def test_a_server_given_by_url_is_left_running(tmp_path: Path,
                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = database_url("postgresql", tmp_path_factory, "outside")
    assert outside is not None
    plain = outside.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain) as conn:
        started = conn.execute("SELECT pg_postmaster_start_time()").fetchone()
    output, pid = interrupted_session(tmp_path, "-n", "1", env={ENV: plain})
    assert pid is None, output
    with psycopg.connect(plain) as conn:
        assert conn.execute("SELECT pg_postmaster_start_time()").fetchone() == started
