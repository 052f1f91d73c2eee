"""A long, steady mix of traffic over the three vendors and the control plane, and its audit.

At a fixed rate, for as long as asked: writers run the concurrency workload's operations
(creates, updates, deletes, races; every acknowledged write in the `Ledger`), readers list
records of each vendor, and tenant cycles exercise the control plane end to end: create a
tenant, write and read in it, snapshot it, inject a fault and see it fire, move its clock, read
the journal, drop the snapshot, delete the tenant. Every request's latency and status is kept;
the server's RSS is sampled. At the end: the workload's audit (every acknowledged write present,
in its last acknowledged state, no duplicates) and a sweep of every table for rows of the
deleted tenants.

Used by test_soak.py (about 20 seconds) and bench/soak.py (30 minutes).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.hardening.harness import DMTD, ISPRING, THRIVE
from tests.hardening.live import Server, query
from tests.hardening.workload import (
    DMTD_OTHERS,
    JSON_ACCEPT,
    SALES,
    Audit,
    Client,
    Ledger,
    audit,
    counts,
    setup,
)

ADMIN_TOKEN = "soak-admin-token"


@dataclass
class Samples:
    """(seconds since start, milliseconds, status) per request; RSS samples; thread-safe."""

    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[tuple[float, float, int]] = field(default_factory=list)
    rss: list[tuple[float, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def hooks(self) -> dict[str, list[Callable[..., Any]]]:
        """httpx event hooks timing every request from send to the end of its body."""

        def on_request(request: httpx.Request) -> None:
            request.extensions["soak_started"] = time.perf_counter()

        def on_response(response: httpx.Response) -> None:
            response.read()
            elapsed = (time.perf_counter() - response.request.extensions["soak_started"]) * 1000
            with self.lock:
                self.requests.append((time.monotonic() - self.started, elapsed,
                                      response.status_code))

        return {"request": [on_request], "response": [on_response]}

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)

    def per_minute(self, window: float = 60.0) -> list[dict[str, float]]:
        """Per window: request count, p50 and p99 (ms), 5xx, RSS at its end (MiB)."""
        rows = []
        end = max((t for t, _, _ in self.requests), default=0.0)
        start = 0.0
        while start < end:
            times = sorted(ms for t, ms, _ in self.requests if start <= t < start + window)
            errors = sum(1 for t, _, s in self.requests if start <= t < start + window and s >= 500)
            rss = [kib for t, kib in self.rss if t < start + window]
            if times:
                rows.append({"minute": start / 60, "requests": len(times),
                             "p50": statistics.median(times),
                             "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
                             "5xx": errors, "rss_mib": (rss[-1] if rss else 0) / 1024})
            start += window
        return rows


@dataclass
class Cycles:
    """What the tenant cycles did: tenants deleted (their ids), per-step counts."""

    deleted: list[str] = field(default_factory=list)
    steps: int = 0


def _paced(deadline: float, interval: float, stop: threading.Event,
           step: Callable[[], None], samples: Samples, what: str) -> None:
    """Run `step` every `interval` seconds until the deadline (a steady rate, not a flood)."""
    tick = time.monotonic()
    while time.monotonic() < deadline and not stop.is_set():
        try:
            step()
        except (httpx.TransportError, AssertionError, KeyError, ValueError) as exc:
            samples.problem(f"{what}: {exc!r}")
        tick += interval
        pause = tick - time.monotonic()
        if pause > 0:
            stop.wait(pause)
        else:
            tick = time.monotonic()  # behind schedule: do not burst to catch up


class TenantCycle:
    """One control-plane story on a fresh tenant of each vendor in turn."""

    def __init__(self, base: str, samples: Samples, cycles: Cycles, number: int) -> None:
        self.http = httpx.Client(base_url=base, timeout=60, event_hooks=samples.hooks())
        self.vendors = ["thrive", "ispring", "dmtd"]
        self.samples = samples
        self.cycles = cycles
        self.n = number
        self.count = 0

    def expect(self, response: httpx.Response, status: int, what: str) -> Any:
        if response.status_code != status:
            raise AssertionError(f"{what}: {response.status_code} {response.text[:200]}")
        return response.json() if response.content else None

    def control(self, method: str, path: str, status: int, **kwargs: Any) -> Any:
        """A control-plane call with the admin token (vendor calls carry their own auth)."""
        response = self.http.request(method, f"/_emulator{path}", **kwargs,
                                     headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        return self.expect(response, status, f"{method} {path}")

    def vendor_calls(self, vendor: str, creds: dict[str, Any], key: str) -> None:
        """One write and one read in the tenant, with its own credentials."""
        if vendor == "thrive":
            auth = httpx.BasicAuth(creds["tenantId"], creds["apiSecret"])
            self.expect(self.http.post("/thrive/rest/v2/users", auth=auth, json={
                "ref": key, "firstName": "Cycle", "lastName": "User",
                "email": f"{key}@cycle.example"}), 201, "thrive write")
            self.expect(self.http.get("/thrive/rest/v1/assignments", auth=auth), 200,
                        "thrive read")
        elif vendor == "ispring":
            headers = {**JSON_ACCEPT, "X-Auth-Account-Url": creds["accountUrl"],
                       "X-Auth-Email": "owner@demo.example", "X-Auth-Password": "demo-owner-pass"}
            self.expect(self.http.post("/ispring/user", headers=headers, json={
                "departmentId": SALES, "password": "Cycle-pass-1",
                "fields": {"login": key, "email": f"{key}@cycle.example"}}), 201, "ispring write")
            self.expect(self.http.get("/ispring/user", headers=headers), 200, "ispring read")
        else:
            headers = {"Authorization": f"Bearer {creds['token']}"}
            self.expect(self.http.post("/dmtd/1/learner", headers={
                **headers, "X-UserCode": "demo-user-alex"}, json={
                "code": key, "dateOfBirth": "2019-05-01"}), 200, "dmtd write")
            self.expect(self.http.get("/dmtd/1/learner", headers=headers), 200, "dmtd read")

    def step(self) -> None:
        vendor = self.vendors[self.count % 3]
        self.count += 1
        key = f"cycle-{self.n}-{self.count}"
        tenant = self.control("POST", "/tenants", 201, json={"vendor": vendor})
        tid = tenant["id"]
        self.vendor_calls(vendor, tenant["credentials"], key)
        self.control("POST", f"/snapshots/{key}", 201, json={"tenant": tid})
        fault = self.control("POST", "/faults", 201, json={
            "vendor": vendor, "tenant": tid, "times": 1,
            "effect": {"type": "latency", "ms": 5}})
        self.vendor_calls(vendor, tenant["credentials"], f"{key}-f")  # the fault fires here
        self.control("POST", "/clock", 200, json={"tenant": tid, "advance": 86400})
        self.control("GET", "/journal", 200, params={"tenant": tid, "limit": 20})
        self.control("POST", f"/snapshots/{key}/restore", 200)
        self.control("DELETE", f"/faults/{fault['id']}", 204)
        self.control("DELETE", f"/snapshots/{key}", 204)
        self.control("DELETE", f"/tenants/{tid}", 204)
        with self.samples.lock:
            self.cycles.deleted.append(tid)
            self.cycles.steps += 1


class Reader:
    """Lists of each vendor's demo data: the latency a read-mostly integration sees."""

    def __init__(self, base: str, samples: Samples) -> None:
        self.http = httpx.Client(base_url=base, timeout=60, event_hooks=samples.hooks())
        # Reads whose answers do not grow with the writers' data, so latency drift over the
        # soak is the server's, not a longer list's.
        self.calls = [
            ("/thrive/rest/v1/users/ref/EMP001", THRIVE.auth),
            ("/ispring/users?pageSize=20", {**ISPRING.auth, **JSON_ACCEPT}),
            ("/dmtd/1/learner", {**DMTD.auth, "X-UserId": str(DMTD_OTHERS[0])}),
        ]
        self.count = 0

    def step(self) -> None:
        path, headers = self.calls[self.count % len(self.calls)]
        self.count += 1
        response = self.http.get(path, headers=headers)
        assert response.status_code == 200, f"{path}: {response.status_code}"


@dataclass
class Result:
    samples: Samples
    ledger: Ledger
    audit: Audit
    cycles: Cycles
    leftovers: list[str]
    seconds: float

    @property
    def failures(self) -> list[str]:
        errors = sum(1 for _, _, status in self.samples.requests if status >= 500)
        return [*self.audit.failures, *self.samples.problems, *self.leftovers,
                *([f"{errors} responses with a 5xx status"] if errors else [])]


def leftovers(db: Path, deleted: list[str]) -> list[str]:
    """Rows anywhere that still belong to a deleted tenant (the journal, a request history,
    is not tenant data)."""
    found = []
    tables = [row[0] for row in query(db, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in map(str, tables):
        columns = {str(row[1]) for row in query(db, f"PRAGMA table_info({table})")}
        key = ("tenant_id" if "tenant_id" in columns else "id" if table == "core_tenant"
               else "scope" if table == "core_clock" else "tenant" if table == "core_snapshot"
               else None)
        if key is None:
            continue
        for start in range(0, len(deleted), 500):
            chunk = deleted[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            n = query(db, f"SELECT count(*) FROM {table} WHERE {key} IN ({marks})", *chunk)
            if n[0][0]:
                found.append(f"{table}: {n[0][0]} rows of deleted tenants")
    return found


def soak(server: Server, *, seconds: float, writers: int, write_interval: float,
         readers: int, read_interval: float, cycles: int, cycle_interval: float,
         run: str = "soak", rss_every: float = 5.0) -> Result:
    """Drive `server` (started with EMULATOR_ADMIN_TOKEN=ADMIN_TOKEN) and audit it."""
    db = server.db
    baseline = counts(db)
    samples = Samples()
    ledger = Ledger()
    shared = setup(server.url, run)
    done = Cycles()
    stop = threading.Event()
    deadline = time.monotonic() + seconds
    jobs: list[tuple[Callable[[], None], float, str]] = []
    opened: list[httpx.Client] = []
    for n in range(writers):
        client = Client(server.url, n, ledger, shared, run)
        client.http.close()
        client.http = httpx.Client(base_url=server.url, timeout=60, event_hooks=samples.hooks())
        ops = client.operations(crash=False)

        def write(client: Client = client, ops: list[Callable[[], Any]] = ops) -> None:
            client.random.choice(ops)()
            with ledger.lock:
                ledger.writes += 1

        jobs.append((write, write_interval, f"writer {n}"))
        opened.append(client.http)
    for n in range(readers):
        reader = Reader(server.url, samples)
        opened.append(reader.http)
        jobs.append((reader.step, read_interval, f"reader {n}"))
    for n in range(cycles):
        cycle = TenantCycle(server.url, samples, done, n)
        opened.append(cycle.http)
        jobs.append((cycle.step, cycle_interval, f"cycle {n}"))
    threads = [threading.Thread(target=_paced, args=(deadline, interval, stop, job, samples,
                                                     what), daemon=True)
               for job, interval, what in jobs]
    samples.started = time.monotonic()
    for thread in threads:
        thread.start()
    while time.monotonic() < deadline:
        samples.rss.append((time.monotonic() - samples.started, server.rss_kib()))
        time.sleep(min(rss_every, max(0.0, deadline - time.monotonic())))
    samples.rss.append((time.monotonic() - samples.started, server.rss_kib()))
    for thread in threads:
        thread.join(timeout=120)
    stop.set()
    for http in opened:
        http.close()
    return Result(samples, ledger, audit(ledger, db, baseline), done,
                  leftovers(db, done.deleted), time.monotonic() - samples.started)
