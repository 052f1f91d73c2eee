"""Read and write throughput of 1, 2 and 3 emulator replicas sharing one database, on SQLite
(one file) and on PostgreSQL, in one run.

Three replicas are started per database (`lms-emulator serve` on free loopback ports, the same
processes the replica tests run); each measurement spreads the keep-alive connections of
bench/run.py's per-vendor read and write over the first N replicas. PostgreSQL is
EMULATOR_TEST_POSTGRES_URL or a throwaway embedded server. Prints a table, writes
bench/replicas.json.

    .venv/bin/python bench/replicas.py            # ~3 minutes; --seconds 1 for a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from run import Call, Result, discover, load, vendor_calls  # noqa: E402

from emulator.testing.postgres import fresh_database, server_dir, server_url  # noqa: E402
from tests.hardening.live import Server  # noqa: E402
from tests.replicas.conftest import REPLICAS, start_together  # noqa: E402


async def spread(ports: list[int], call: Call, seconds: float, connections: int,
                 first: int) -> Result:
    """`connections` split evenly over the replicas, all measured over the same window; writes
    are numbered from `first`, each replica's apart, so none collides with an earlier one."""
    def numbered(k: int) -> Call:
        body = call.body
        return Call(call.method, call.path, call.headers,
                    None if body is None else lambda i: body(first + i * len(ports) + k),
                    call.ok)

    parts = await asyncio.gather(*(load(port, numbered(k), seconds,
                                        max(1, connections // len(ports)))
                                   for k, port in enumerate(ports)))
    total = Result(parts[0].name, seconds=max(p.seconds for p in parts))
    for part in parts:
        total.requests += part.requests
        total.errors += part.errors
        total.latencies += part.latencies
    return total


def measure(backend: str, tmp: Path, seconds: float, connections: int) -> list[dict[str, Any]]:
    env = {"EMULATOR_ACCESS_LOG": "false"}
    if backend == "postgresql":
        env["EMULATOR_DATABASE_URL"] = fresh_database(server_url(server_dir(tmp)),
                                                      "lms_emulator_bench")
    servers = [Server(tmp / f"{backend}.db", "--log-level", "warning", env=env,
                      log=tmp / f"{backend}-{i}.log") for i in range(REPLICAS)]
    rows = []
    try:
        start_together(servers)
        import httpx

        with httpx.Client(base_url=servers[0].url) as http:
            discover(http)
        first = 0
        for vendor, (read, write) in vendor_calls().items():
            for kind, call in (("read", read), ("write", write)):
                for n in range(1, REPLICAS + 1):
                    first += 10_000_000
                    result = asyncio.run(spread([s.port for s in servers[:n]], call, seconds,
                                                connections, first))
                    row = {"backend": backend, "replicas": n, "vendor": vendor, "kind": kind,
                           **result.row()}
                    rows.append(row)
                    print(f"{backend:10} {vendor:8} {kind:5} x{n}  {row['rps']:8.1f} req/s  "
                          f"p50 {row['p50_ms']:7.2f} ms  p99 {row['p99_ms']:8.2f} ms  "
                          f"errors {row['errors']}", flush=True)
    finally:
        for server in servers:
            server.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=30)
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("sqlite", "postgresql"):
            rows += measure(backend, Path(tmp), args.seconds, args.connections)
    out = {"cpus": os.cpu_count(), "seconds": args.seconds, "connections": args.connections,
           "results": rows}
    (ROOT / "bench" / "replicas.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
