"""Run `lms-emulator` as a user does: the installed console script, in a subprocess.

`serving()` starts `lms-emulator serve` on a free loopback port with its output in a file (an
access-log line per request would fill a pipe), waits for health and stops it with SIGTERM by
its pid. (The shared `emulator.testing.LiveServer` class may take this over.)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

LMS_EMULATOR = str(Path(sys.executable).parent / "lms-emulator")


def run(*args: str, timeout: float = 60, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LMS_EMULATOR, *args], capture_output=True, text=True,
                          timeout=timeout, **kwargs)  # type: ignore[call-overload, no-any-return]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    url: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> str:
        """SIGTERM, wait for the exit, and return everything the server printed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.output()


@contextmanager
def serving(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
            timeout: float = 120) -> Iterator[Served]:
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([LMS_EMULATOR, "serve", "--port", str(port), *args],
                                stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})
    served = Served(f"http://127.0.0.1:{port}", port, proc, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{served.url}/_emulator/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start:\n{served.stop()}")
            time.sleep(0.05)
        yield served
    finally:
        served.stop()
