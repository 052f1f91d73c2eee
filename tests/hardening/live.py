"""A real server process for the live hardening checks (limits, concurrency, kill -9).

`python -m emulator serve` on a free loopback port with a database file, as a user runs it.
Output goes to a file (an access-log line per request would fill a pipe and stall the server).
Only the process started here is ever signalled, by its pid.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from tests.hardening.harness import SPECS, Operation

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, db: Path, *args: str, env: dict[str, str] | None = None,
                 log: Path | None = None) -> None:
        self.db = db
        self.args = args
        self.env = {**os.environ, **(env or {})}
        self.log = log or db.with_suffix(".log")
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> Server:
        """Start and wait until an authenticated vendor request succeeds (not just health).

        The timeout is generous: on a loaded 2-core CI machine a cold start with worker
        processes can take tens of seconds."""
        self.port = free_port()
        started = time.perf_counter()
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "emulator", "serve", "--port", str(self.port),
                 "--db", str(self.db), *self.args],
                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + timeout
        while True:
            try:
                response = httpx.get(f"{self.url}/dmtd/1/learner", timeout=2,
                                     headers={"Authorization": "Bearer dmtd-demo-token"})
                if response.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server did not start:\n{self.output()[-3000:]}")
            time.sleep(0.02)
        self.startup_seconds = time.perf_counter() - started
        return self

    def rss_kib(self) -> int:
        """Resident memory of the server process (Linux /proc)."""
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def kill(self) -> None:
        """kill -9: no shutdown code runs, exactly like a CI runner killing the job."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        return self.proc.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def integrity(db: Path) -> str:
    """SQLite's own verdict on the file ("ok" when sound), read-only."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return [tuple(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


# Raw HTTP/1.1 over a socket: what httpx will not send (endless headers, lying framing).


def head(op: Operation, extra: str = "") -> bytes:
    spec = SPECS[op.vendor]
    lines = [f"POST {spec.url(op)} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             *(f"{k}: {v}" for k, v in {**spec.auth, **spec.context}.items())]
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


def read_response(sock: socket.socket, timeout: float = 10.0) -> httpx.Response:
    """Parse one HTTP/1.1 response (Content-Length framed) from a raw socket."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a response: {data!r}"
        data += chunk
    header_block, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = header_block.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return httpx.Response(int(status_line.split()[1]), headers=headers, content=body[:length])


def stream_until_answered(server: Server, op: Operation, *, declared: int | None,
                          total: int) -> tuple[httpx.Response, int]:
    """Send up to `total` body bytes (chunked when `declared` is None) and stop as soon as the
    server answers; (response, body bytes sent before the answer)."""
    framing = f"Content-Length: {declared}\r\n" if declared is not None else \
        "Transfer-Encoding: chunked\r\n"
    sent = 0
    block = b"[" + b"0," * 32_767 + b"0"  # 64 KiB of valid-looking JSON
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(head(op, framing))
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            piece = block if declared is not None else \
                f"{len(block):x}\r\n".encode() + block + b"\r\n"
            try:
                sock.sendall(piece)
            except OSError:  # the server answered and closed: read what it said
                break
            sent += len(block)
        return read_response(sock), sent
