"""Soak figures: 30 minutes of steady mixed traffic against one live server (a benchmark, not CI).

Writers (creates, updates, deletes and races over the three vendors' demo tenants), readers
(fixed-size reads of each vendor) and tenant cycles (create a tenant, write and read in it,
snapshot, fault, clock move, journal read, restore, delete) at a fixed rate; the server runs
with an admin token, a database file and the default journal bound. Prints per minute:
requests, p50/p99 latency, 5xx and the server's RSS; then the audit (every acknowledged write
present in its last acknowledged state, no row left by a deleted tenant) and the RSS growth
once the journal bound is reached.

    .venv/bin/python bench/soak.py                  # 30 minutes
    .venv/bin/python bench/soak.py --minutes 2      # a quick look

Exit status 1 if any invariant failed. Only 127.0.0.1 on a free port; the server started here
is stopped by its pid.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the workload lives in tests/hardening

from tests.hardening.live import Server, integrity  # noqa: E402
from tests.hardening.soak import ADMIN_TOKEN, soak  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--write-interval", type=float, default=0.3)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--read-interval", type=float, default=0.2)
    parser.add_argument("--cycle-interval", type=float, default=3.0)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "soak.db"
        server = Server(db, env={"EMULATOR_ACCESS_LOG": "false",
                                 "EMULATOR_ADMIN_TOKEN": ADMIN_TOKEN})
        with server:
            result = soak(server, seconds=args.minutes * 60, writers=args.writers,
                          write_interval=args.write_interval, readers=args.readers,
                          read_interval=args.read_interval, cycles=1,
                          cycle_interval=args.cycle_interval, rss_every=10.0)
        ok_integrity = integrity(db) == "ok"
        exit_status = server.proc.returncode if server.proc is not None else None
    rows = result.samples.per_minute()
    print("| Minute | Requests | p50 ms | p99 ms | 5xx | RSS MiB |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['minute']:.0f} | {row['requests']:.0f} | {row['p50']:.1f} | "
              f"{row['p99']:.1f} | {row['5xx']:.0f} | {row['rss_mib']:.1f} |")
    rss = [kib / 1024 for _, kib in result.samples.rss]
    # The journal keeps EMULATOR_JOURNAL_MAX entries: once full, memory must stop growing.
    settled = rows[len(rows) // 3]["rss_mib"] if rows else 0.0
    figures = {
        "seconds": round(result.seconds),
        "requests": len(result.samples.requests),
        "writes": result.ledger.writes,
        "acknowledged": result.audit.acknowledged,
        "found": result.audit.found,
        "duplicates": result.audit.duplicates,
        "tenant_cycles": result.cycles.steps,
        "deleted_tenant_leftovers": result.leftovers,
        "5xx": sum(row["5xx"] for row in rows),
        "rss_start_mib": round(rss[0], 1) if rss else None,
        "rss_at_third_mib": round(settled, 1),
        "rss_end_mib": round(rss[-1], 1) if rss else None,
        "rss_max_mib": round(max(rss), 1) if rss else None,
        "p50_range_ms": [round(min(r["p50"] for r in rows), 1),
                         round(max(r["p50"] for r in rows), 1)] if rows else None,
        "p99_range_ms": [round(min(r["p99"] for r in rows), 1),
                         round(max(r["p99"] for r in rows), 1)] if rows else None,
        "integrity": ok_integrity,
        "exit_status": exit_status,
        "failures": result.failures[:20],
        "per_minute": rows,
    }
    print(json.dumps({k: v for k, v in figures.items() if k != "per_minute"}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0 if not result.failures and ok_integrity and exit_status == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
