"""Benchmark the emulator as a user runs it (a benchmark, not a test).

Starts `python -m emulator serve` on a free loopback port with a fresh database file and reports:
cold start (process start → first successful authenticated vendor request, median of 5,
measured by `emulator.testing.ServerProcess`),
throughput and p50/p99 latency of an authenticated read and write per vendor (32 keep-alive
connections, 10 s each, from a small asyncio load generator in this process), control-plane
timings (reset, per-test tenant creation, snapshot restore) and idle RSS. Prints a table and
writes bench/results.json.

    .venv/bin/python bench/run.py              # full run (~2 minutes)
    .venv/bin/python bench/run.py --seconds 2  # quick look
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from emulator.testing import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
THRIVE_BASIC = "Basic " + base64.b64encode(b"eu-west-2_EmuDemo01:thrive-demo-secret").decode()
ISPRING_AUTH = {"X-Auth-Account-Url": "https://demo.ispringlearn.com",
                "X-Auth-Email": "owner@demo.example", "X-Auth-Password": "demo-owner-pass"}
DMTD_AUTH = {"Authorization": "Bearer dmtd-demo-iframe-token"}


@dataclass
class Call:
    """One request shape; `body` may be a function of the request number (unique writes)."""

    method: str
    path: str
    headers: dict[str, str]
    body: Callable[[int], bytes] | None = None
    ok: tuple[int, ...] = (200, 201)


@dataclass
class Result:
    name: str
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def row(self) -> dict[str, Any]:
        lat = sorted(self.latencies) or [0.0]
        return {"name": self.name, "requests": self.requests, "errors": self.errors,
                "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
                "p50_ms": round(lat[len(lat) // 2] * 1000, 2),
                "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 2)}


def vendor_calls() -> dict[str, tuple[Call, Call]]:
    """(read, write) per vendor, with the demo credentials of the README. Writes create a new
    record each time (unique ref, code or name), so every request does the full insert work."""
    run = f"{os.getpid()}-{int(time.time())}"

    def thrive_user(i: int) -> bytes:
        return json.dumps({"ref": f"bench-{run}-{i}", "firstName": "Bench", "lastName": str(i),
                           "email": f"bench-{run}-{i}@example.com"}).encode()

    def dmtd_user(i: int) -> bytes:
        return json.dumps({"firstName": "Bench", "lastName": str(i), "code": f"bench-{run}-{i}",
                           "email": f"bench-{run}-{i}@example.com"}).encode()

    def ispring_department(i: int) -> bytes:
        return (f"<request><name>Bench {run}-{i}</name>"
                f"<parentDepartmentId>{ISPRING_IDS.get('department', '')}</parentDepartmentId>"
                "</request>").encode()

    json_type = {"Content-Type": "application/json"}
    return {
        "thrive": (Call("GET", "/thrive/rest/v1/users", {"Authorization": THRIVE_BASIC}),
                   Call("POST", "/thrive/rest/v2/users",
                        {"Authorization": THRIVE_BASIC, **json_type}, thrive_user)),
        "ispring": (Call("GET", "/ispring/enrollment", ISPRING_AUTH),
                    Call("POST", "/ispring/department",
                         {**ISPRING_AUTH, "Content-Type": "application/xml"},
                         ispring_department)),
        "dmtd": (Call("GET", "/dmtd/1/learner", DMTD_AUTH),
                 Call("POST", "/dmtd/1/user", {**DMTD_AUTH, **json_type}, dmtd_user)),
    }


# Filled from the demo data once the server is up (ids are discovered, not hard-coded).
ISPRING_IDS: dict[str, str] = {}


def server(db: Path, probe: Call) -> ServerProcess:
    """The server as a user runs it, quiet (no access log), ready once `probe` succeeds."""
    return ServerProcess("--log-level", "warning", db=db, env={"EMULATOR_ACCESS_LOG": "false"},
                         ready_path=probe.path, ready_headers=probe.headers, cwd=ROOT,
                         start_timeout=120.0)


async def load(port: int, call: Call, seconds: float, connections: int) -> Result:
    result = Result(f"{call.method} {call.path}")
    deadline = time.perf_counter() + seconds
    counter = 0

    def request_bytes() -> bytes:
        nonlocal counter
        counter += 1
        body = call.body(counter) if call.body else b""
        head = [f"{call.method} {call.path} HTTP/1.1", "Host: 127.0.0.1",
                *[f"{k}: {v}" for k, v in call.headers.items()],
                f"Content-Length: {len(body)}", "", ""]
        return "\r\n".join(head).encode() + body

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                writer.write(request_bytes())
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                result.latencies.append(time.perf_counter() - sent)
                result.requests += 1
                if status not in call.ok:
                    result.errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    return result


def timed(http: httpx.Client, method: str, path: str, repeat: int, **kwargs: Any) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = http.request(method, path, **kwargs)
        samples.append(time.perf_counter() - start)
        response.raise_for_status()
    return round(statistics.median(samples) * 1000, 2)


def discover(http: httpx.Client) -> None:
    """Ids from the demo data, read through the vendor's own list endpoint."""
    try:
        departments = http.get("/ispring/department",
                               headers={**ISPRING_AUTH, "Accept": "application/json"}).json()
        ISPRING_IDS.update(department=departments[0]["departmentId"])
    except (KeyError, IndexError, ValueError, TypeError):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="run bench/httpbench.py against the baseline checkout DIR instead")
    args = parser.parse_args()
    if args.compare is not None:
        import httpbench

        httpbench.main(["--base", str(args.compare), "--seconds", str(args.seconds)])
        return

    results: dict[str, Any] = {"python": platform.python_version(), "cpus": os.cpu_count(),
                               "seconds": args.seconds, "connections": args.connections}
    with tempfile.TemporaryDirectory() as tmp:
        # Cold start: a fresh database each time (fixtures seeded), like a first `serve`.
        probe = Call("GET", "/thrive/rest/v1/users", {"Authorization": THRIVE_BASIC})
        starts = []
        for i in range(args.starts):
            with server(Path(tmp) / f"cold{i}.db", probe) as cold:
                starts.append(cold.startup_seconds)
        results["cold_start_s"] = round(statistics.median(starts), 3)

        with server(Path(tmp) / "bench.db", probe) as running, \
                httpx.Client(base_url=running.url) as http:
            time.sleep(1.0)
            results["idle_rss_mb"] = round(running.rss_kib() / 1024, 1)
            discover(http)
            http.delete("/_emulator/journal")
            results["reset_ms"] = timed(http, "POST", "/_emulator/reset", 20)
            results["tenant_create_ms"] = {
                vendor: timed(http, "POST", "/_emulator/tenants", 20, json={"vendor": vendor})
                for vendor in ("thrive", "ispring", "dmtd")}
            http.post("/_emulator/reset")
            http.post("/_emulator/snapshots/bench-demo")
            results["snapshot_restore_ms"] = timed(http, "POST",
                                                   "/_emulator/snapshots/bench-demo/restore", 20)
            rows = []
            for vendor, (read, write) in vendor_calls().items():
                for kind, call in (("read", read), ("write", write)):
                    try:
                        check = http.request(call.method, call.path, headers=call.headers,
                                             content=call.body(0) if call.body else None)
                    except httpx.TransportError:
                        continue
                    if check.status_code not in call.ok:
                        rows.append({"vendor": vendor, "kind": kind, "name": f"{call.method} "
                                     f"{call.path}", "skipped": f"status {check.status_code}"})
                        continue
                    res = asyncio.run(load(running.port, call, args.seconds,
                                           args.connections))
                    rows.append({"vendor": vendor, "kind": kind, **res.row()})
            results["load"] = rows
            results["rss_after_load_mb"] = round(running.rss_kib() / 1024, 1)

    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"cold start (median of {args.starts}): {results['cold_start_s']} s   "
          f"idle RSS: {results['idle_rss_mb']} MB   after load: {results['rss_after_load_mb']} MB")
    print(f"reset: {results['reset_ms']} ms   snapshot restore (demo): "
          f"{results['snapshot_restore_ms']} ms   tenant create: "
          + ", ".join(f"{k} {v} ms" for k, v in results["tenant_create_ms"].items()))
    print(f"\n{'vendor':8} {'kind':5} {'request':40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>6}")
    for row in results["load"]:
        if "skipped" in row:
            print(f"{row['vendor']:8} {row['kind']:5} {row['name']:40} skipped ({row['skipped']})")
            continue
        print(f"{row['vendor']:8} {row['kind']:5} {row['name']:40} {row['rps']:>8} "
              f"{row['p50_ms']:>8} {row['p99_ms']:>8} {row['errors']:>6}")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
