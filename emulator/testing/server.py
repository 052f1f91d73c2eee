"""Real servers on a free loopback port for socket clients: `LiveServer` runs uvicorn in a
background thread of this process, `ServerProcess` runs `lms-emulator serve` as a child
process exactly as a user or a CI job starts it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx
import uvicorn

from emulator.core.serving import server_protocol
from emulator.core.settings import Settings


class LiveServer:
    def __init__(self, settings: Settings | None = None, host: str = "127.0.0.1") -> None:
        from emulator.app import create_app

        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((host, 0))
        self.port = int(self._sock.getsockname()[1])
        self.url = f"http://{host}:{self.port}"
        settings = settings or Settings(memory=True, access_log=False)
        app = create_app(settings)
        # The same HTTP protocol as `serve`: bounded headers, lingering close after a 413.
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                                **server_protocol(settings))
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._sock]}, daemon=True,
                                        name="lms-emulator")

    def start(self, timeout: float = 20.0) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


HEALTH_PATH = "/_emulator/health"
_STORAGE_FLAGS = ("--db", "--memory", "--database-url")
_PORT_ATTEMPTS = 3  # another process may take the free port before the server binds it
_OUTPUT_TAIL_LINES = 40


class ServerStartError(RuntimeError):
    """The server process exited or did not answer in time; the message ends with its output."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (the kernel's pick)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """`python -m emulator serve` (the `lms-emulator serve` command) on a free loopback port.

    `args` are further `serve` flags (`"--workers", "2"`); `db` is the SQLite file (without it
    and without a storage flag in `args`, state is kept in memory); `env` is added to this
    process's environment. The server is ready once `GET ready_path` (with `ready_headers`)
    answers 200 — the health check by default, or an authenticated vendor call to also wait
    for the fixtures. Its output goes to `log` (a temporary file by default): a pipe nobody
    reads would fill up with access-log lines and stall the server. Only the process started
    here is ever signalled, by its pid.

        with ServerProcess(db=tmp_path / "ci.db") as server:
            httpx.get(f"{server.url}/dmtd/1/learner", headers=...)
    """

    def __init__(self, *args: str, db: Path | None = None, env: Mapping[str, str] | None = None,
                 log: Path | None = None, ready_path: str = HEALTH_PATH,
                 ready_headers: Mapping[str, str] | None = None, host: str = "127.0.0.1",
                 cwd: Path | None = None, start_timeout: float = 60.0) -> None:
        storage = ["--db", str(db)] if db is not None else \
            ([] if any(a.split("=")[0] in _STORAGE_FLAGS for a in args) else ["--memory"])
        self.args = (*storage, *args)
        self.db = db
        self.env = {**os.environ, **(env or {})}
        self.host = host
        self.cwd = cwd
        self.ready_path = ready_path
        self.ready_headers = dict(ready_headers or {})
        self.start_timeout = start_timeout
        self._own_log = log is None
        if log is None:
            handle, name = tempfile.mkstemp(prefix="lms-emulator-", suffix=".log")
            os.close(handle)
            log = Path(name)
        self.log = log
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("the server process is not started")
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def start(self, timeout: float | None = None) -> Self:
        """Start and wait until ready; `ServerStartError` (with the output's tail) otherwise."""
        limit = self.start_timeout if timeout is None else timeout
        attempts = _PORT_ATTEMPTS
        while True:
            try:
                return self._start_once(limit)
            except ServerStartError:
                attempts -= 1
                if attempts == 0 or "already in use" not in self.output()[-500:]:
                    self._drop_own_log()
                    raise

    def _start_once(self, timeout: float) -> Self:
        self.port = free_port(self.host)
        command = [sys.executable, "-m", "emulator", "serve", "--host", self.host,
                   "--port", str(self.port), *self.args]
        started = time.perf_counter()
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                            cwd=self.cwd, env=self.env)
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None:
                raise ServerStartError(self._failure(
                    f"exited with status {self.process.returncode} before answering"))
            if time.monotonic() > deadline:
                self.stop()
                raise ServerStartError(self._failure(
                    f"did not answer GET {self.ready_path} with 200 within {timeout:g} s"))
            time.sleep(0.01)
        self.startup_seconds = time.perf_counter() - started
        return self

    def _answers(self) -> bool:
        try:
            response = httpx.get(self.url + self.ready_path, headers=self.ready_headers,
                                 timeout=2)
        except httpx.TransportError:
            return False
        return response.status_code == 200

    def _failure(self, what: str) -> str:
        tail = "\n".join(self.output().splitlines()[-_OUTPUT_TAIL_LINES:])
        return f"lms-emulator serve on {self.url} {what}; its output ends:\n{tail}"

    def output(self) -> str:
        """Everything the server wrote to stdout and stderr so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def rss_kib(self) -> int:
        """Resident memory of the server process in KiB (Linux /proc; 0 where unavailable)."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return 0
        return next((int(line.split()[1]) for line in status.splitlines()
                     if line.startswith("VmRSS:")), 0)

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM (graceful shutdown), then SIGKILL after `timeout` s; the exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a CI runner killing the job."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
        self._drop_own_log()

    def _drop_own_log(self) -> None:
        if self._own_log:
            self.log.unlink(missing_ok=True)
