"""Robustness figures: the hardening checks at full size (a benchmark, not a test).

Runs the same checks as tests/hardening with bigger budgets and prints the figures:

- bad input: hostile requests against every emulated operation (fixed cases plus Hypothesis
  generation), cases tried, 5xx seen (must be 0), invariant failures;
- XML attacks: billion laughs, quadratic blowup, external entities, DTD retrieval, parameter
  entities on every body-taking operation: slowest answer, allocation peak, server RSS, outbound
  connections;
- size limits on a live server: time to refuse a declared 1 GiB body, bytes a chunked stream
  got in before its 413, RSS growth for an endless header;
- floods: how long other clients wait while a big in-limit body is refused, per vendor, and
  the p50/p99 of reads while clients send 9 MB floods without pause;
- concurrency: 50 clients writing across vendors against one process and two worker
  processes: operations, writes acknowledged vs found, duplicates, 5xx, "database is locked";
- kill -9: rounds of kill under load and restart on the same file: writes acknowledged vs
  found, partial batches, integrity check, time to restart.

    .venv/bin/python bench/robustness.py            # ~6 minutes
    .venv/bin/python bench/robustness.py --quick    # the CI sizes, ~1 minute

Exit status 1 if any invariant failed. Only 127.0.0.1 on free ports; every server started here
is stopped (or killed) by its pid.
"""

from __future__ import annotations

import argparse
import json
import logging
import socket
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checks live in tests/hardening

import httpx  # noqa: E402

from emulator.app import create_app  # noqa: E402
from emulator.core.settings import Settings  # noqa: E402
from emulator.testing.transport import in_process_client  # noqa: E402
from tests.hardening.harness import (  # noqa: E402
    CASES,
    SPECS,
    Judge,
    body_operations,
    operations,
    probe,
)
from tests.hardening.live import Server, integrity, stream_until_answered  # noqa: E402
from tests.hardening.strategies import attack, malformed_bodies, path_ids  # noqa: E402
from tests.hardening.test_crash import crash_round  # noqa: E402
from tests.hardening.test_floods import FLOODS, gets_during_floods, p99, stall_while  # noqa: E402
from tests.hardening.test_xml_attacks import Listener, attacks  # noqa: E402
from tests.hardening.workload import audit, counts, run_clients  # noqa: E402

FAILURES: list[str] = []
TARGETS = {op.vendor: op for op in operations() if (op.vendor, op.name) in {
    ("thrive", "create_user"), ("ispring", "add_user"), ("dmtd", "create_learner")}}
QUIET = {"EMULATOR_ACCESS_LOG": "false"}


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


def check(ok: bool, what: str) -> None:
    if not ok:
        FAILURES.append(what)
        print(f"   FAILED: {what}", flush=True)


def guarded(label: str, run: Callable[[], None]) -> None:
    """Run one check; a failure is recorded and the bench goes on."""
    try:
        run()
    except Exception as exc:  # an assertion, or whatever Hypothesis re-raised
        text = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        check(False, f"{label}: {text}")


# ---------------------------------------------------------------------------------------------


def bad_input(examples: int) -> dict[str, Any]:
    section(f"bad input: every operation, fixed cases + {examples} generated requests each")
    app = create_app(Settings(memory=True, access_log=False))
    started = time.perf_counter()
    failed_before = len(FAILURES)
    with in_process_client(app) as client:
        ops = operations()
        for op in ops:
            client.post("/_emulator/reset")
            client.delete("/_emulator/journal")
            judge = Judge(client, app.state.ctx)
            checks: list[tuple[str, Callable[[], None]]] = [
                ("generated", partial(attack, judge, op, examples, shrink=False))]
            if op in body_operations():
                checks.append(("malformed bodies", partial(malformed_bodies, judge, op)))
            if op.params:
                checks.append(("path ids", partial(path_ids, judge, op)))
            for label, run in checks:
                guarded(f"{op.id} {label}", run)
    seconds = time.perf_counter() - started
    sent = {k: v for k, v in CASES.items() if k != "5xx"}
    figures = {"operations": len(operations()), "cases": sum(sent.values()), "per_vendor": sent,
               "5xx": CASES["5xx"], "failures": len(FAILURES) - failed_before,
               "seconds": round(seconds, 1)}
    print(f"   {figures['cases']} cases over {figures['operations']} operations "
          f"({', '.join(f'{k} {v}' for k, v in sorted(sent.items()))}) in {seconds:.0f} s; "
          f"5xx seen: {figures['5xx']}; invariant failures: {figures['failures']}")
    check(figures["5xx"] == 0, "5xx answers to bad input")
    return figures


def xml_attacks(tmp: Path) -> dict[str, Any]:
    section("XML attacks on every body-taking operation")
    listener = Listener()
    app = create_app(Settings(memory=True, access_log=False))
    slowest = 0.0
    peak_bytes = 0
    statuses: dict[int, int] = {}
    try:
        with in_process_client(app) as client:
            judge = Judge(client, app.state.ctx)
            for op in body_operations():
                for label, body in attacks(listener.port).items():
                    case = probe(op, headers={"Content-Type": "application/xml"}, body=body,
                                 label=label)
                    tracemalloc.start()
                    started = time.perf_counter()
                    response = case.send(client)
                    elapsed = time.perf_counter() - started
                    _, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                    guarded(f"{op.id} {label}", partial(judge.judge, case, response))
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    slowest, peak_bytes = max(slowest, elapsed), max(peak_bytes, peak)
        # The same attacks over the wire: the server's memory does not move.
        with Server(tmp / "xml.db", env=QUIET) as server, httpx.Client(
                base_url=server.url, timeout=30) as http:
            rss = server.rss_kib()
            for op in body_operations():
                spec = SPECS[op.vendor]
                for body in attacks(listener.port).values():
                    http.request(op.method, spec.url(op), content=body, headers={
                        **spec.auth, **spec.context, "Content-Type": "application/xml"})
            rss_growth = (server.rss_kib() - rss) / 1024
    finally:
        listener.close()
    figures = {"requests": sum(statuses.values()), "statuses": statuses,
               "slowest_ms": round(slowest * 1000, 1), "peak_alloc_mib": round(
                   peak_bytes / 2**20, 2), "server_rss_growth_mib": round(rss_growth, 1),
               "outbound_connections": listener.connections}
    print(f"   {figures['requests']} attacks, statuses {statuses}; slowest "
          f"{figures['slowest_ms']} ms (tracemalloc on); allocation peak "
          f"{figures['peak_alloc_mib']} MiB; live server RSS {rss_growth:+.1f} MiB; "
          f"outbound connections: {listener.connections}")
    check(set(statuses) == {400}, "every XML attack answered 400")
    check(listener.connections == 0, "no DTD or entity fetched")
    check(slowest < 1.0, "XML attacks answered in under a second")
    return figures


def size_limits(tmp: Path) -> dict[str, Any]:
    section("size limits (default 10 MiB) on a live server")
    figures: dict[str, Any] = {}
    with Server(tmp / "limits.db", env=QUIET) as server:
        rss = server.rss_kib()
        for vendor, op in sorted(TARGETS.items()):
            started = time.perf_counter()
            declared, sent_declared = stream_until_answered(server, op, declared=1 << 30,
                                                            total=1 << 30)
            declared_s = time.perf_counter() - started
            started = time.perf_counter()
            streamed, sent_streamed = stream_until_answered(server, op, declared=None,
                                                            total=200 << 20)
            streamed_s = time.perf_counter() - started
            figures[vendor] = {
                "declared_1GiB": {"status": declared.status_code, "ms": round(declared_s * 1000),
                                  "bytes_sent": sent_declared},
                "chunked_200MiB": {"status": streamed.status_code,
                                   "ms": round(streamed_s * 1000), "bytes_sent": sent_streamed}}
            print(f"   {vendor:8} declared 1 GiB → {declared.status_code} in "
                  f"{declared_s * 1000:.0f} ms after {sent_declared >> 10} KiB; chunked stream → "
                  f"{streamed.status_code} after {sent_streamed >> 20} MiB in "
                  f"{streamed_s * 1000:.0f} ms")
            check(declared.status_code == streamed.status_code == 413, f"{vendor} 413s")
        body_growth = (server.rss_kib() - rss) / 1024
        rss = server.rss_kib()
        sent = 0
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(b"GET /dmtd/1/learner HTTP/1.1\r\nHost: x\r\nX-Endless: ")
            try:
                while sent < 256 << 20:
                    sock.sendall(b"e" * (1 << 20))
                    sent += 1 << 20
            except OSError:
                pass
        header_growth = (server.rss_kib() - rss) / 1024
    figures.update({"rss_growth_bodies_mib": round(body_growth, 1),
                    "endless_header_cut_after_mib": sent >> 20,
                    "rss_growth_header_mib": round(header_growth, 1)})
    print(f"   RSS after all refused bodies {body_growth:+.1f} MiB; an endless header was cut "
          f"off after {sent >> 20} MiB, RSS {header_growth:+.1f} MiB")
    check(body_growth < 64 and header_growth < 64, "memory flat under oversized input")
    return figures


def floods(tmp: Path) -> dict[str, Any]:
    section("floods: big in-limit bodies, and how long everyone else waits")
    figures: dict[str, Any] = {}
    targets = {**TARGETS, "ispring": next(op for op in operations()
                                          if (op.vendor, op.name) == ("ispring", "add_group"))}
    with Server(tmp / "floods.db", env=QUIET) as server:
        for vendor, op in sorted(targets.items()):
            spec = SPECS[vendor]
            for label, (content_type, body) in FLOODS.items():
                started = time.perf_counter()
                worst, response = stall_while(
                    partial(httpx.post, server.url + spec.url(op), content=body, timeout=300,
                            headers={**spec.auth, "Content-Type": content_type}),
                    partial(httpx.get, f"{server.url}/_emulator/health", timeout=300))
                result = {"status": response.status_code,
                          "seconds": time.perf_counter() - started}
                figures[f"{vendor} {label}"] = {"status": result["status"],
                                                "seconds": round(result["seconds"], 2),
                                                "stall_s": round(worst, 2)}
                print(f"   {vendor:8} {label:28} → {result['status']} in "
                      f"{result['seconds']:.2f} s; other clients waited up to {worst:.2f} s")
                check(400 <= result["status"] < 500, f"{vendor} {label} refused")
        for flooders in (0, 1, 2):
            latencies, _ = gets_during_floods(server, seconds=20, flooders=flooders)
            figures[f"GET under {flooders} flooders"] = {
                "p50_ms": round(statistics.median(latencies) * 1000),
                "p99_ms": round(p99(latencies) * 1000), "reads": len(latencies)}
            print(f"   GET p50/p99 with {flooders} client(s) flooding without pause: "
                  f"{statistics.median(latencies) * 1000:.0f} / {p99(latencies) * 1000:.0f} ms")
        check(figures["GET under 1 flooders"]["p99_ms"] < 200, "GET p99 under 200 ms")
    return figures


def concurrency(tmp: Path, seconds: float, clients: int) -> dict[str, Any]:
    section(f"concurrency: {clients} clients writing across vendors for {seconds:.0f} s")
    figures: dict[str, Any] = {}
    for workers in (1, 2):
        db = tmp / f"load{workers}.db"
        server = Server(db, "--workers", str(workers), env=QUIET)
        with server:
            baseline = counts(db)
            started = time.perf_counter()
            ledger = run_clients(server.url, clients=clients, seconds=seconds, max_ops=1_000_000,
                                 run=f"bench{workers}")
            elapsed = time.perf_counter() - started
        result = audit(ledger, db, baseline)
        five = sum(n for status, n in ledger.statuses.items() if status >= 500)
        locked = sum("locked" in p for p in ledger.problems)
        verdict = integrity(db)
        figures[f"{workers} worker(s)"] = {
            "operations": ledger.writes, "requests": sum(ledger.statuses.values()),
            "requests_per_s": round(sum(ledger.statuses.values()) / elapsed, 1),
            "acknowledged": result.acknowledged, "found": result.found,
            "duplicates": result.duplicates, "5xx": five, "locked": locked,
            "integrity": verdict, "failures": len(result.failures)}
        print(f"   {workers} worker process(es): {ledger.writes} operations "
              f"({sum(ledger.statuses.values())} requests, "
              f"{sum(ledger.statuses.values()) / elapsed:.0f}/s), writes acknowledged "
              f"{result.acknowledged}, found {result.found}, duplicates {result.duplicates}, "
              f"5xx {five}, 'database is locked' {locked}, integrity {verdict}")
        for failure in result.failures[:10]:
            print(f"     {failure}")
        check(not result.failures and verdict == "ok", f"concurrency with {workers} worker(s)")
    return figures


def kill_rounds(tmp: Path, rounds: int, operations_before_kill: int) -> dict[str, Any]:
    section(f"kill -9: {rounds} rounds on one database file, "
            f"{operations_before_kill} operations before each kill")
    db = tmp / "crash.db"
    restarts: list[float] = []
    totals = {"operations": 0, "acknowledged": 0, "found": 0}
    for number in range(rounds):
        outcome = crash_round(db, f"b{number}", operations=operations_before_kill)
        restarts.append(outcome.restart_seconds)
        totals["operations"] += outcome.ledger.writes
        totals["acknowledged"] += outcome.result.acknowledged
        totals["found"] += outcome.result.found
        print(f"   round {number + 1}: {outcome.ledger.writes} operations, writes acknowledged "
              f"{outcome.result.acknowledged}, found {outcome.result.found}, integrity "
              f"{outcome.integrity}, restart {outcome.restart_seconds:.2f} s")
        for failure in outcome.result.failures[:10]:
            print(f"     {failure}")
        check(not outcome.result.failures and outcome.integrity == "ok",
              f"kill round {number + 1}")
    restart = {"median": round(statistics.median(restarts), 2), "max": round(max(restarts), 2)}
    figures: dict[str, Any] = {**totals, "rounds": rounds, "integrity": integrity(db),
                               "restart_s": restart}
    print(f"   total: writes acknowledged {totals['acknowledged']}, found {totals['found']}; "
          f"restart after kill median {restart['median']} s, max {restart['max']} s")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the CI sizes")
    parser.add_argument("--examples", type=int, default=None,
                        help="generated requests per operation (default 60, quick 10)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="load duration per server (default 30, quick 4)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=None,
                        help="kill -9 rounds (default 5, quick 1)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    # python-multipart logs a warning per broken multipart body; the bench sends thousands.
    for name in ("multipart", "python_multipart"):
        logging.getLogger(name).setLevel(logging.ERROR)
    examples = args.examples or (10 if args.quick else 60)
    seconds = args.seconds or (4.0 if args.quick else 30.0)
    rounds = args.rounds or (1 if args.quick else 5)

    started = time.perf_counter()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        figures["bad_input"] = bad_input(examples)
        figures["xml_attacks"] = xml_attacks(tmp)
        figures["size_limits"] = size_limits(tmp)
        figures["floods"] = floods(tmp)
        figures["concurrency"] = concurrency(tmp, seconds, args.clients)
        figures["kill_9"] = kill_rounds(tmp, rounds, 200 if args.quick else 500)
    figures["failures"] = FAILURES
    figures["seconds"] = round(time.perf_counter() - started)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    section(f"done in {figures['seconds']} s: "
            + ("all invariants held" if not FAILURES else f"{len(FAILURES)} FAILED"))
    for failure in FAILURES:
        print(f"   {failure}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
