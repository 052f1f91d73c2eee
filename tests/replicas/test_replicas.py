"""Replicas behave as one emulator: faults, clock, snapshots, journal, ids and acknowledged
writes agree across three processes on one database (PostgreSQL, and one SQLite file)."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from emulator.app import create_app
from emulator.core import schema
from emulator.core.settings import Settings
from emulator.testing.transport import in_process_client
from tests.hardening.live import Server
from tests.replicas.conftest import log_of

# One group: a worker starts each cluster once, rather than every worker starting both.
pytestmark = [pytest.mark.live, pytest.mark.xdist_group("replicas")]
LEARNERS = "/dmtd/1/learner"
CLIENTS = 50


def new_tenant(http: httpx.Client, base: str) -> tuple[str, dict[str, str]]:
    """A per-test DMTD tenant (standard customer): its id and auth header."""
    response = http.post(f"{base}/_emulator/tenants", json={"vendor": "dmtd",
                                                            "fixture": "standard"})
    assert response.status_code == 201, response.text
    tenant = response.json()
    return tenant["id"], {"Authorization": f"Bearer {tenant['credentials']['token']}"}


def create_learner(http: httpx.Client, base: str, auth: dict[str, str],
                   code: str) -> httpx.Response:
    return http.post(f"{base}{LEARNERS}", headers=auth,
                     json={"code": code, "dateOfBirth": "2019-05-01"})


def learners(http: httpx.Client, base: str, auth: dict[str, str]) -> list[dict[str, Any]]:
    response = http.get(f"{base}{LEARNERS}", headers=auth)
    assert response.status_code == 200, response.text
    return list(response.json())


def fates(fault: dict[str, Any], bases: list[str], requests: int,
          http: httpx.Client | None = None) -> list[tuple[int, str]]:
    """(status, body) of `requests` learner lists on a fresh tenant with `fault` armed on it,
    sent in turn to each base; an in-process single emulator when `http` is None."""
    if http is None:
        app = create_app(Settings(memory=True, access_log=False))
        try:
            with in_process_client(app) as local:
                return fates(fault, [""], requests, local)
        finally:
            app.state.ctx.db.dispose()
    tenant, auth = new_tenant(http, bases[0])
    armed = http.post(f"{bases[-1]}/_emulator/faults", json={**fault, "tenant": tenant})
    assert armed.status_code == 201, armed.text
    out = []
    for base in itertools.islice(itertools.cycle(bases), requests):
        response = http.get(f"{base}{LEARNERS}", headers=auth)
        out.append((response.status_code, response.text if response.status_code >= 400 else ""))
    return out


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as client:
        yield client


def urls(cluster: list[Server]) -> list[str]:
    return [server.url for server in cluster]


def test_starting_together_creates_the_schema_exactly_once(cluster: list[Server]) -> None:
    created = [log_of(s).count(f"created the database schema (version {schema.VERSION})")
               for s in cluster]
    assert sum(created) == 1, created
    for server in cluster:
        assert "Traceback" not in log_of(server)


def test_a_fault_with_times_fires_exactly_that_often_across_replicas(
        cluster: list[Server], http: httpx.Client) -> None:
    fault = {"effect": {"type": "error", "status": 503}, "times": 2}
    seen = fates(fault, urls(cluster), 7, http)
    assert seen == fates(fault, [], 7)
    assert [status for status, _ in seen] == [503, 503, 200, 200, 200, 200, 200]
    faults = http.get(f"{cluster[1].url}/_emulator/faults").json()
    assert [(f["fired"], f["remaining"], f["active"]) for f in faults][-1:] == [(2, 0, False)]


def test_a_seeded_probability_gives_the_fates_of_one_process(
        cluster: list[Server], http: httpx.Client) -> None:
    fault = {"effect": {"type": "error", "status": 500}, "probability": 0.5, "seed": 1234}
    seen = fates(fault, urls(cluster), 24, http)
    assert seen == fates(fault, [], 24)
    assert 0 < [status for status, _ in seen].count(500) < 24


def test_a_rate_limit_counts_requests_once_across_replicas(
        cluster: list[Server], http: httpx.Client) -> None:
    fault = {"effect": {"type": "rate_limit", "limit": 4, "per": 3600}}
    seen = fates(fault, urls(cluster), 7, http)
    assert seen == fates(fault, [], 7)
    assert [status for status, _ in seen] == [200] * 4 + [429] * 3


def test_a_clock_change_is_seen_by_the_next_request_on_another_replica(
        cluster: list[Server], http: httpx.Client) -> None:
    tenant, auth = new_tenant(http, cluster[0].url)
    moved = http.post(f"{cluster[0].url}/_emulator/clock",
                      json={"tenant": tenant, "set": "2031-02-03T04:05:06Z", "freeze": True})
    assert moved.status_code == 200, moved.text
    clock = http.get(f"{cluster[1].url}/_emulator/clock", params={"tenant": tenant}).json()
    assert clock == {"now": "2031-02-03T04:05:06Z", "frozen": True, "offsetSeconds": 0.0,
                     "scope": tenant}
    created = create_learner(http, cluster[2].url, auth, "clocked")
    assert created.status_code == 200, created.text
    assert created.json()["createdAt"] == "2031-02-03T04:05:06Z"


def test_a_snapshot_restore_through_one_replica_is_seen_by_all(
        cluster: list[Server], http: httpx.Client) -> None:
    tenant, auth = new_tenant(http, cluster[0].url)
    before = learners(http, cluster[0].url, auth)
    taken = http.post(f"{cluster[0].url}/_emulator/snapshots/before-{tenant}",
                      json={"tenant": tenant})
    assert taken.status_code == 201, taken.text
    assert create_learner(http, cluster[1].url, auth, "after-snapshot").status_code == 200
    assert len(learners(http, cluster[2].url, auth)) == len(before) + 1
    restored = http.post(f"{cluster[2].url}/_emulator/snapshots/before-{tenant}/restore")
    assert restored.status_code == 200, restored.text
    assert [learners(http, s.url, auth) for s in cluster] == [before] * len(cluster)


def test_a_journal_entry_is_readable_from_any_replica_once_answered(
        cluster: list[Server], http: httpx.Client) -> None:
    tenant, auth = new_tenant(http, cluster[0].url)
    for i in range(2 * len(cluster)):
        writer, reader = cluster[i % len(cluster)], cluster[(i + 1) % len(cluster)]
        answered = create_learner(http, writer.url, auth, f"journal-{i}")
        assert answered.status_code == 200, answered.text
        entries = http.get(f"{reader.url}/_emulator/journal",
                           params={"tenant": tenant, "limit": 1}).json()["entries"]
        assert [(e["method"], e["path"], e["status"], e["response"]["body"])
                for e in entries] == [("POST", "/1/learner", 200, answered.text)]


def test_tenants_and_integer_ids_never_collide_across_replicas(
        cluster: list[Server]) -> None:
    def tenant_on(i: int) -> tuple[str, int]:
        with httpx.Client(timeout=60) as client:
            response = client.post(f"{cluster[i % len(cluster)].url}/_emulator/tenants",
                                   json={"vendor": "dmtd", "fixture": "standard"})
            assert response.status_code == 201, response.text
            body = response.json()
            return body["id"], body["credentials"]["organizationId"]

    with ThreadPoolExecutor(9) as pool:
        made = list(pool.map(tenant_on, range(9)))
    assert len({tenant for tenant, _ in made}) == len({org for _, org in made}) == 9


def _write_load(bases: list[str], auth: dict[str, str], prefix: str, writes: int,
                after_each: threading.Event | None = None) -> tuple[dict[str, int], Counter[int]]:
    """CLIENTS threads, each with its own connections, writing in turn through every replica;
    a replica that stops answering is left for the others. (acknowledged code -> id, statuses)"""
    acknowledged: dict[str, int] = {}
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def client(n: int) -> None:
        alive = list(bases)
        with httpx.Client(timeout=60) as http:
            for k in range(writes):
                base = alive[(n + k) % len(alive)]
                code = f"{prefix}-{n}-{k}"
                try:
                    response = create_learner(http, base, auth, code)
                except httpx.TransportError:
                    alive.remove(base)  # not acknowledged: nothing is owed for it
                    continue
                with lock:
                    statuses[response.status_code] += 1
                    if response.status_code == 200:
                        acknowledged[code] = int(response.json()["id"])
                if after_each is not None and n == 0 and k == writes // 2:
                    after_each.set()

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    return acknowledged, statuses


def _audit(http: httpx.Client, base: str, auth: dict[str, str],
           acknowledged: dict[str, int]) -> None:
    stored = [(row["code"], row["id"]) for row in learners(http, base, auth)]
    codes = Counter(code for code, _ in stored)
    ids = Counter(learner for _, learner in stored)
    assert [c for c, n in codes.items() if n > 1] == []
    assert [i for i, n in ids.items() if n > 1] == []
    assert {code: learner for code, learner in stored if code in acknowledged} == acknowledged


def test_concurrent_clients_over_replicas_lose_and_duplicate_nothing(
        cluster: list[Server], http: httpx.Client) -> None:
    _, auth = new_tenant(http, cluster[0].url)
    acknowledged, statuses = _write_load(urls(cluster), auth, "load", writes=4)
    assert statuses == Counter({200: CLIENTS * 4})
    assert len(acknowledged) == CLIENTS * 4
    for server in cluster:
        _audit(http, server.url, auth, acknowledged)


def test_killing_a_replica_under_load_loses_nothing_acknowledged(
        cluster: list[Server], http: httpx.Client) -> None:
    _, auth = new_tenant(http, cluster[0].url)
    halfway = threading.Event()
    victim = cluster[-1]

    def kill_when_halfway() -> None:
        halfway.wait(timeout=120)
        victim.kill()

    killer = threading.Thread(target=kill_when_halfway)
    killer.start()
    try:
        acknowledged, statuses = _write_load(urls(cluster), auth, "kill", writes=6,
                                             after_each=halfway)
    finally:
        killer.join()
        victim.start()  # back for any later test
    assert set(statuses) == {200}, statuses
    assert len(acknowledged) >= CLIENTS * 6 * 2 // 3
    for server in cluster[:-1]:
        _audit(http, server.url, auth, acknowledged)
    after = create_learner(http, cluster[0].url, auth, "after-the-kill")
    assert after.status_code == 200, after.text
