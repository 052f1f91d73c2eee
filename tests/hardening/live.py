"""A real server process for the live hardening checks (limits, concurrency, kill -9), and raw
HTTP/1.1 helpers for what httpx will not send.

`Server` is `emulator.testing.ServerProcess` with a database file and its output in a file
next to it, as a user runs it. Only the process started here is ever signalled, by its pid.
"""

from __future__ import annotations

import select
import socket
import sqlite3
import subprocess
from pathlib import Path

import httpx

from emulator.testing import ServerProcess
from tests.hardening.harness import SPECS, Operation

ROOT = Path(__file__).resolve().parents[2]


class Server(ServerProcess):
    """The server of the hardening checks, ready once an authenticated vendor request succeeds
    (not just the health check). The start timeout is generous: on a loaded 2-core CI machine
    a cold start with worker processes can take tens of seconds."""

    def __init__(self, db: Path, *args: str, env: dict[str, str] | None = None,
                 log: Path | None = None) -> None:
        super().__init__(*args, db=db, env=env, log=log or db.with_suffix(".log"),
                         ready_path="/dmtd/1/learner",
                         ready_headers={"Authorization": "Bearer dmtd-demo-token"}, cwd=ROOT,
                         start_timeout=120.0)

    @property
    def proc(self) -> subprocess.Popen[bytes] | None:
        return self.process


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
