"""A mixed write workload across the three vendors, and its audit against the database file.

Clients (threads, one keep-alive connection each) create, update and delete records in every
vendor, and also race each other on purpose for the same records ("hot" keys: the same user
ref, learner code, enrollment pair, assignment, authorization). Every acknowledged write is
written down in a `Ledger`. `audit` then reads the database file directly and checks: every
acknowledged write present exactly once and in its last acknowledged state, no duplicates,
counts equal to the demo data plus what was acknowledged, every race won exactly once, and no
"database is locked" or 5xx ever seen by a client.

Used by test_concurrency.py and test_crash.py (small) and bench/robustness.py (big).
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.hardening.harness import DMTD, ISPRING, THRIVE, THRIVE_TENANT
from tests.hardening.live import query

ISPRING_TENANT = "demo.ispringlearn.com"
DMTD_TENANT = "dmtd-demo-iframe"
SALES = "d479bc48-5b70-11e9-b12b-22e9fbac4a59"
ISPRING_COURSES = ("86479c62-4e4a-11e9-9ddf-e6163e60333c", "9a1e5a20-4e4a-11e9-9ddf-e6163e60333c",
                   "a2f0c6e0-4e4a-11e9-9ddf-e6163e60333c")
THRIVE_CONTENT = ("68dced900000000004000001", "68dced910000000004000002",
                  "68dced920000000004000003", "68dced930000000004000004")
DMTD_OWNER = "1235"  # Alex: owns the learners created below
DMTD_OTHERS = (1234, 1236)  # Robin and Jordan: authorized on hot learners
JSON_ACCEPT = {"Accept": "application/json"}
HOT_KEYS = 6  # records every client races for, per kind


@dataclass
class Ledger:
    """What clients were told: the acknowledged writes, thread-safe."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    writes: int = 0
    # Thrive: ref -> id; last acknowledged first name; deleted refs (their ids).
    thrive_users: dict[str, str] = field(default_factory=dict)
    thrive_names: dict[str, str] = field(default_factory=dict)
    thrive_deleted: dict[str, str] = field(default_factory=dict)
    thrive_wins: Counter[str] = field(default_factory=Counter)  # hot ref -> 201s
    thrive_members: set[tuple[str, str]] = field(default_factory=set)  # (audience, user id)
    thrive_assignments: Counter[tuple[str, str]] = field(default_factory=Counter)
    # iSpring: user ids; enrollment batches (pairs -> id); users deleted.
    ispring_users: set[str] = field(default_factory=set)
    ispring_deleted: set[str] = field(default_factory=set)
    ispring_pairs: dict[tuple[str, str], str] = field(default_factory=dict)
    ispring_batches: list[list[tuple[str, str]]] = field(default_factory=list)
    # DMTD: code -> id; hot code -> 200s; assessment id -> acknowledged colour.
    dmtd_learners: dict[str, int] = field(default_factory=dict)
    dmtd_wins: Counter[str] = field(default_factory=Counter)
    dmtd_assessments: dict[int, str | None] = field(default_factory=dict)
    dmtd_grants: Counter[tuple[int, int]] = field(default_factory=Counter)

    def note(self, response: httpx.Response, expected: tuple[int, ...], what: str) -> bool:
        """Count the status; anything unexpected (5xx, a lock error) is a problem."""
        with self.lock:
            self.statuses[response.status_code] += 1
            text = response.text
            if response.status_code not in expected or "locked" in text.lower():
                self.problems.append(f"{what}: {response.status_code} {text[:200]}")
                return False
            return True

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)


@dataclass
class Shared:
    """Records every client races for, created before the clients start."""

    thrive_audiences: list[str]
    ispring_learners: list[str]
    dmtd_learners: list[int]


def setup(base: str, run: str) -> Shared:
    with httpx.Client(base_url=base, timeout=30) as http:
        audiences = []
        for i in range(HOT_KEYS):
            response = http.post("/thrive/rest/v1/audiences", headers=THRIVE.auth,
                                 json={"name": f"Race {i}", "reference": f"race-{run}-{i}"})
            assert response.status_code == 201, response.text
            audiences.append(response.json()["id"])
        learners = []
        for i in range(HOT_KEYS):
            response = http.post("/ispring/user", headers={**ISPRING.auth, **JSON_ACCEPT}, json={
                "departmentId": SALES, "password": "Race-pass-1",
                "fields": {"login": f"race-{run}-{i}",
                                      "email": f"race-{run}-{i}@race.example"}})
            assert response.status_code == 201, response.text
            learners.append(response.json())
        dmtd = []
        for i in range(HOT_KEYS):
            response = http.post("/dmtd/1/learner", headers={**DMTD.auth, "X-UserId": DMTD_OWNER},
                                 json={"code": f"race-{run}-{i}", "dateOfBirth": "2020-01-01"})
            assert response.status_code == 200, response.text
            dmtd.append(response.json()["id"])
    return Shared(audiences, learners, dmtd)


class Client:
    """One simulated integration: a keep-alive connection and its own records."""

    def __init__(self, base: str, number: int, ledger: Ledger, shared: Shared,
                 run: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=60)
        self.n = number
        self.ledger = ledger
        self.shared = shared
        self.run = run
        self.random = random.Random(number)
        self.seq = itertools.count()
        self.own_refs: list[str] = []
        self.own_ispring: list[str] = []
        self.own_learners: list[int] = []
        self.own_assessments: list[tuple[int, int]] = []

    def key(self, kind: str) -> str:
        return f"{kind}-{self.run}-{self.n}-{next(self.seq)}"

    # -- Thrive -------------------------------------------------------------------------------

    def thrive_create(self) -> None:
        ref = self.key("T")
        response = self.http.post("/thrive/rest/v2/users", headers=THRIVE.auth, json={
            "ref": ref, "firstName": "New", "lastName": "User",
            "email": f"{ref.lower()}@load.example"})
        if self.ledger.note(response, (201,), "thrive create"):
            with self.ledger.lock:
                self.ledger.thrive_users[ref] = response.json()["id"]
                self.ledger.thrive_names[ref] = "New"
            self.own_refs.append(ref)

    def thrive_update(self) -> None:
        if not self.own_refs:
            return self.thrive_create()
        ref = self.random.choice(self.own_refs)
        name = f"Renamed{next(self.seq)}"
        response = self.http.patch(f"/thrive/rest/v2/users/ref/{ref}", headers=THRIVE.auth,
                                   json={"firstName": name})
        if self.ledger.note(response, (200,), "thrive update"):
            with self.ledger.lock:
                self.ledger.thrive_names[ref] = name
        return None

    def thrive_delete(self) -> None:
        if not self.own_refs:
            return self.thrive_create()
        ref = self.own_refs.pop(self.random.randrange(len(self.own_refs)))
        response = self.http.delete(f"/thrive/rest/v2/users/ref/{ref}", headers=THRIVE.auth)
        if self.ledger.note(response, (204,), "thrive delete"):
            with self.ledger.lock:
                self.ledger.thrive_deleted[ref] = self.ledger.thrive_users[ref]
        return None

    def thrive_race_user(self) -> None:
        ref = f"HOT-{self.run}-{self.random.randrange(HOT_KEYS)}"
        response = self.http.post("/thrive/rest/v2/users", headers=THRIVE.auth, json={
            "ref": ref, "firstName": "Hot", "lastName": "User",
            "email": f"{ref.lower()}@load.example"})
        if self.ledger.note(response, (201, 409), "thrive race user") and \
                response.status_code == 201:
            with self.ledger.lock:
                self.ledger.thrive_wins[ref] += 1
                self.ledger.thrive_users[ref] = response.json()["id"]
                self.ledger.thrive_names[ref] = "Hot"

    def thrive_race_members(self) -> None:
        if not self.own_refs:
            return self.thrive_create()
        audience = self.random.choice(self.shared.thrive_audiences)
        ref = self.random.choice(self.own_refs)
        response = self.http.post(f"/thrive/rest/v1/audiences/{audience}/members",
                                  headers=THRIVE.auth, json=[ref, "EMP001"])
        if self.ledger.note(response, (200,), "thrive members"):
            with self.ledger.lock:
                self.ledger.thrive_members.add((audience, self.ledger.thrive_users[ref]))
        return None

    def thrive_race_assignment(self) -> None:
        audience = self.random.choice(self.shared.thrive_audiences)
        content = self.random.choice(THRIVE_CONTENT)
        response = self.http.post("/thrive/rest/v1/assignments", headers=THRIVE.auth,
                                  json={"audienceId": audience, "contentId": content})
        if self.ledger.note(response, (201, 422), "thrive race assignment") and \
                response.status_code == 201:
            with self.ledger.lock:
                self.ledger.thrive_assignments[(audience, content)] += 1

    # -- iSpring ------------------------------------------------------------------------------

    def ispring_create(self) -> str | None:
        login = self.key("i").lower()
        response = self.http.post("/ispring/user", headers={**ISPRING.auth, **JSON_ACCEPT}, json={
            "departmentId": SALES, "password": "Load-pass-1",
            "fields": {"login": login, "email": f"{login}@load.example"}})
        if not self.ledger.note(response, (201,), "ispring create"):
            return None
        user_id = str(response.json())
        with self.ledger.lock:
            self.ledger.ispring_users.add(user_id)
        self.own_ispring.append(user_id)
        return user_id

    def ispring_enroll_batch(self) -> None:
        """Several courses x two fresh learners in one call: all of it or nothing."""
        learners = [self.ispring_create(), self.ispring_create()]
        if None in learners:
            return
        self._enroll(list(ISPRING_COURSES), [str(x) for x in learners], batch=True)

    def ispring_race_enroll(self) -> None:
        learner = self.random.choice(self.shared.ispring_learners)
        self._enroll([self.random.choice(ISPRING_COURSES)], [learner], batch=False)

    def _enroll(self, courses: list[str], learners: list[str], *, batch: bool) -> None:
        response = self.http.post("/ispring/enrollment", headers={**ISPRING.auth, **JSON_ACCEPT},
                                  json={"courseIds": courses, "learnerIds": learners})
        if not self.ledger.note(response, (201,), "ispring enroll"):
            return
        pairs = [(c, learner) for c in courses for learner in learners]  # course-major (D6)
        ids = response.json()
        with self.ledger.lock:
            if len(ids) != len(pairs):
                self.ledger.problems.append(f"enrollment ids {ids} for {pairs}")
                return
            for pair, enrollment in zip(pairs, ids, strict=True):
                known = self.ledger.ispring_pairs.setdefault(pair, enrollment)
                if known != enrollment:
                    self.ledger.problems.append(f"pair {pair}: {known} then {enrollment}")
            if batch:
                self.ledger.ispring_batches.append(pairs)

    def ispring_delete(self) -> None:
        if not self.own_ispring:
            self.ispring_create()
            return
        user_id = self.own_ispring.pop(self.random.randrange(len(self.own_ispring)))
        response = self.http.delete(f"/ispring/user/{user_id}", headers=ISPRING.auth)
        if self.ledger.note(response, (204,), "ispring delete"):
            with self.ledger.lock:
                self.ledger.ispring_deleted.add(user_id)

    # -- DMTD ---------------------------------------------------------------------------------

    def dmtd_create(self) -> None:
        code = self.key("d")
        response = self.http.post("/dmtd/1/learner", headers={**DMTD.auth, "X-UserId": DMTD_OWNER},
                                  json={"code": code, "dateOfBirth": "2019-05-01"})
        if self.ledger.note(response, (200,), "dmtd create"):
            learner = int(response.json()["id"])
            with self.ledger.lock:
                self.ledger.dmtd_learners[code] = learner
            self.own_learners.append(learner)

    def dmtd_race_learner(self) -> None:
        code = f"hot-{self.run}-{self.random.randrange(HOT_KEYS)}"
        response = self.http.post("/dmtd/1/learner", headers={**DMTD.auth, "X-UserId": DMTD_OWNER},
                                  json={"code": code, "dateOfBirth": "2019-05-01"})
        if self.ledger.note(response, (200, 400), "dmtd race learner") and \
                response.status_code == 200:
            with self.ledger.lock:
                self.ledger.dmtd_wins[code] += 1
                self.ledger.dmtd_learners[code] = int(response.json()["id"])

    def dmtd_race_grant(self) -> None:
        learner = self.random.choice(self.shared.dmtd_learners)
        user = self.random.choice(DMTD_OTHERS)
        response = self.http.post("/dmtd/1/authorize", json={"userId": user}, headers={
            **DMTD.auth, "X-LearnerId": str(learner)})
        if self.ledger.note(response, (200, 202), "dmtd grant") and response.status_code == 200:
            with self.ledger.lock:
                self.ledger.dmtd_grants[(learner, user)] += 1

    def dmtd_assessment(self) -> None:
        """Create an assessment for an own learner, or recolour one created earlier."""
        if not self.own_learners:
            return self.dmtd_create()
        if self.own_assessments and self.random.random() < 0.5:
            assessment, learner = self.random.choice(self.own_assessments)
            color = f"#{self.random.randrange(0x1000000):06x}"
            response = self.http.patch("/dmtd/1/assessment", headers=self._dmtd(learner),
                                       params={"assessmentId": str(assessment)},
                                       json={"color": color})
            if self.ledger.note(response, (200,), "dmtd assessment update"):
                with self.ledger.lock:
                    self.ledger.dmtd_assessments[assessment] = color
            return None
        learner = self.random.choice(self.own_learners)
        response = self.http.post("/dmtd/1/assessment", headers=self._dmtd(learner), json={})
        if self.ledger.note(response, (200,), "dmtd assessment"):
            assessment = int(response.json()["id"])
            with self.ledger.lock:
                self.ledger.dmtd_assessments[assessment] = None
            self.own_assessments.append((assessment, learner))
        return None

    @staticmethod
    def _dmtd(learner: int) -> dict[str, str]:
        return {**DMTD.auth, "X-UserId": DMTD_OWNER, "X-LearnerId": str(learner),
                "X-SystemDomain": "vbmapp"}

    # -------------------------------------------------------------------------------------------

    def operations(self, crash: bool) -> list[Callable[[], Any]]:
        """The mix. Under kill -9 only inserts: an update or delete in flight at the kill may or
        may not have landed, which would make "last acknowledged state" undecidable."""
        inserts: list[Callable[[], Any]] = [
            self.thrive_create, self.thrive_race_user, self.thrive_race_assignment,
            self.ispring_create, self.ispring_enroll_batch, self.ispring_race_enroll,
            self.dmtd_create, self.dmtd_race_learner]
        if crash:
            return inserts
        return [*inserts, self.thrive_update, self.thrive_delete, self.thrive_race_members,
                self.ispring_delete, self.dmtd_race_grant, self.dmtd_assessment]

    def loop(self, deadline: float, max_ops: int, stop: threading.Event, crash: bool) -> None:
        ops = self.operations(crash)
        try:
            for done in range(max_ops):
                # Every client gets a few operations in, however slow the machine, so the audit
                # always has writes to check; the stop event (a kill) still ends it at once.
                if stop.is_set() or (done >= MIN_OPS and time.monotonic() > deadline):
                    break
                try:
                    self.random.choice(ops)()
                    with self.ledger.lock:
                        self.ledger.writes += 1
                except httpx.TransportError as exc:
                    if stop.is_set():  # the server was killed on purpose: not acknowledged
                        break
                    self.ledger.problem(f"transport error: {exc!r}")
        finally:
            self.http.close()


# Operations each client performs even when the time window has passed.
MIN_OPS = 5


class Load:
    """Clients running in threads; `stop()` (or the deadline) ends them."""

    def __init__(self, base: str, *, clients: int, seconds: float, max_ops: int, run: str,
                 crash: bool = False) -> None:
        self.ledger = Ledger()
        self.shared = setup(base, run)
        self.stop_event = threading.Event()
        self.seconds = seconds
        workers = [Client(base, n, self.ledger, self.shared, run) for n in range(clients)]
        # Counted from here: on a loaded machine setting up 50 clients can eat the whole window.
        deadline = time.monotonic() + seconds
        self.threads = [
            threading.Thread(target=w.loop, args=(deadline, max_ops, self.stop_event, crash),
                             daemon=True) for w in workers]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stop_event.set()

    def join(self) -> Ledger:
        for thread in self.threads:
            thread.join(timeout=self.seconds + 120)
        assert not any(t.is_alive() for t in self.threads), "clients did not stop"
        return self.ledger


def run_clients(base: str, *, clients: int, seconds: float, max_ops: int,
                run: str) -> Ledger:
    """`clients` threads hammering `base` until `seconds` pass, each at most `max_ops` ops."""
    return Load(base, clients=clients, seconds=seconds, max_ops=max_ops, run=run).join()


# ---------------------------------------------------------------------------------------------
# The audit: the database file against the ledger
# ---------------------------------------------------------------------------------------------

COUNTED = {
    "thrive_user": THRIVE_TENANT, "thrive_assignment": THRIVE_TENANT,
    "ispring_user": ISPRING_TENANT, "ispring_enrollment": ISPRING_TENANT,
    "dmtd_learner": DMTD_TENANT, "dmtd_assessment": DMTD_TENANT,
    "dmtd_authorization": DMTD_TENANT,
}


def counts(db: Path) -> dict[str, int]:
    return {table: int(str(query(db, f"SELECT count(*) FROM {table} WHERE tenant_id = ?",
                                 tenant)[0][0]))
            for table, tenant in COUNTED.items()}


@dataclass
class Audit:
    acknowledged: int = 0  # acknowledged writes that leave a row to find
    found: int = 0  # of those, found exactly once in their acknowledged state
    duplicates: int = 0
    failures: list[str] = field(default_factory=list)

    def expect(self, ok: bool, what: str) -> None:
        self.acknowledged += 1
        if ok:
            self.found += 1
        else:
            self.failures.append(what)


def audit(ledger: Ledger, db: Path, baseline: dict[str, int], *, crash: bool = False,
          in_flight: int = 0) -> Audit:
    """Check the database file against what the clients were told.

    `crash`: the server was killed; up to `in_flight` unacknowledged inserts per table may
    have landed (one per client at most), but none may be partial.
    """
    result = Audit()
    result.failures += [f"client saw: {p}" for p in ledger.problems]
    result.failures += [f"{n} responses with status {s}" for s, n in ledger.statuses.items()
                        if s >= 500]

    # Thrive users: present once, last acknowledged name; deleted ones obfuscated.
    for ref, user_id in ledger.thrive_users.items():
        rows = query(db, "SELECT ref, first_name, deleted FROM thrive_user "
                         "WHERE tenant_id = ? AND id = ?", THRIVE_TENANT, user_id)
        if ref in ledger.thrive_deleted:
            result.expect(len(rows) == 1 and rows[0][0] is None and rows[0][2] == 1,
                          f"thrive user {ref} ({user_id}) deleted: {rows}")
        else:
            by_ref = query(db, "SELECT id FROM thrive_user WHERE tenant_id = ? AND ref = ?",
                           THRIVE_TENANT, ref)
            result.expect(rows == [(ref, ledger.thrive_names[ref], 0)] and
                          by_ref == [(user_id,)],
                          f"thrive user {ref} ({user_id}): {rows} {by_ref}")
    for ref, wins in ledger.thrive_wins.items():
        if wins != 1:
            result.failures.append(f"thrive race for {ref}: {wins} creations acknowledged")
    for (audience, user_id) in ledger.thrive_members:
        deleted = user_id in ledger.thrive_deleted.values()
        rows = query(db, "SELECT count(*) FROM thrive_audience_member WHERE tenant_id = ? "
                         "AND audience_id = ? AND user_id = ?", THRIVE_TENANT, audience, user_id)
        result.expect(rows == [(0 if deleted else 1,)],
                      f"thrive member {user_id} of {audience}: {rows}")
    for pair, wins in ledger.thrive_assignments.items():
        rows = query(db, "SELECT count(*) FROM thrive_assignment WHERE tenant_id = ? AND "
                         "audience_id = ? AND primary_content_id = ? AND is_deleted = 0",
                     THRIVE_TENANT, *pair)
        result.expect(wins == 1 and rows == [(1,)], f"thrive assignment {pair}: {wins} {rows}")

    # iSpring users and enrollments.
    for user_id in ledger.ispring_users:
        rows = query(db, "SELECT count(*) FROM ispring_user WHERE tenant_id = ? AND "
                         "user_id = ?", ISPRING_TENANT, user_id)
        present = 0 if user_id in ledger.ispring_deleted else 1
        result.expect(rows == [(present,)], f"ispring user {user_id}: {rows}")
    for (course, learner), enrollment in ledger.ispring_pairs.items():
        rows = query(db, "SELECT enrollment_id FROM ispring_enrollment WHERE tenant_id = ? "
                         "AND course_id = ? AND learner_id = ?", ISPRING_TENANT, course, learner)
        want = [] if learner in ledger.ispring_deleted else [(enrollment,)]
        result.expect(rows == want, f"ispring enrollment {course}/{learner}: {rows}")
    # A fresh learner is only ever enrolled by a whole batch: all its courses or none.
    partial = query(db, "SELECT learner_id, count(*) FROM ispring_enrollment e WHERE tenant_id = ?"
                        " AND learner_id IN (SELECT user_id FROM ispring_user u WHERE u.tenant_id"
                        " = e.tenant_id AND login LIKE 'i-%') GROUP BY learner_id "
                        "HAVING count(*) NOT IN (0, ?)", ISPRING_TENANT, len(ISPRING_COURSES))
    if partial:
        result.failures.append(f"partial enrollment batches: {partial[:5]}")

    # DMTD learners, races, grants and assessments.
    for code, learner_id in ledger.dmtd_learners.items():
        rows = query(db, "SELECT id FROM dmtd_learner WHERE tenant_id = ? AND code = ?",
                     DMTD_TENANT, code)
        result.expect(rows == [(learner_id,)], f"dmtd learner {code}: {rows}")
    for code, won in ledger.dmtd_wins.items():
        if won != 1:
            result.failures.append(f"dmtd race for {code}: {won} creations acknowledged")
    for (hot_learner, user), granted in ledger.dmtd_grants.items():
        rows = query(db, "SELECT count(*) FROM dmtd_authorization WHERE tenant_id = ? AND "
                         "learner_id = ? AND user_id = ?", DMTD_TENANT, hot_learner, user)
        result.expect(granted == 1 and rows == [(1,)],
                      f"dmtd grant {hot_learner}/{user}: {granted} {rows}")
    for assessment, color in ledger.dmtd_assessments.items():
        rows = query(db, "SELECT color FROM dmtd_assessment WHERE tenant_id = ? AND id = ?",
                     DMTD_TENANT, assessment)
        result.expect(rows == [(color,)], f"dmtd assessment {assessment}: {rows}")

    # Duplicates of anything that must be unique, whoever wrote it.
    for label, sql in DUPLICATE_CHECKS.items():
        rows = query(db, sql)
        result.duplicates += len(rows)
        if rows:
            result.failures.append(f"duplicate {label}: {rows[:5]}")

    # Row counts: the demo data plus what was acknowledged (plus what was in flight at a kill).
    now = counts(db)
    added_rows = {
        "thrive_user": len(ledger.thrive_users),
        "thrive_assignment": sum(ledger.thrive_assignments.values()),
        "ispring_user": len(ledger.ispring_users) - len(ledger.ispring_deleted),
        "dmtd_learner": len(ledger.dmtd_learners),
        "dmtd_assessment": len(ledger.dmtd_assessments),
        "dmtd_authorization": sum(ledger.dmtd_grants.values()),
    }
    for table, added in added_rows.items():
        extra = now[table] - baseline[table] - added
        # Setup rows (race audiences are not counted; race learners are) come first.
        extra -= SETUP_ROWS.get(table, 0)
        if not 0 <= extra <= (in_flight if crash else 0):
            result.failures.append(f"{table}: {now[table]} rows, expected "
                                   f"{baseline[table] + SETUP_ROWS.get(table, 0) + added}")
    return result


# Rows `setup` adds before the clients start.
SETUP_ROWS = {"ispring_user": HOT_KEYS, "dmtd_learner": HOT_KEYS}

DUPLICATE_CHECKS = {
    "Thrive user refs": "SELECT tenant_id, ref, count(*) FROM thrive_user WHERE ref IS NOT NULL "
                        "GROUP BY tenant_id, ref HAVING count(*) > 1",
    "Thrive live assignments": "SELECT tenant_id, audience_id, primary_content_id, count(*) "
                               "FROM thrive_assignment WHERE is_deleted = 0 GROUP BY tenant_id, "
                               "audience_id, primary_content_id HAVING count(*) > 1",
    "Thrive enrolments": "SELECT tenant_id, assignment_id, user_id, count(*) FROM "
                         "thrive_enrolment GROUP BY tenant_id, assignment_id, user_id "
                         "HAVING count(*) > 1",
    "iSpring logins": "SELECT tenant_id, lower(login), count(*) FROM ispring_user GROUP BY "
                      "tenant_id, lower(login) HAVING count(*) > 1",
    "iSpring enrollments": "SELECT tenant_id, course_id, learner_id, count(*) FROM "
                           "ispring_enrollment GROUP BY tenant_id, course_id, learner_id "
                           "HAVING count(*) > 1",
    "DMTD learner codes": "SELECT tenant_id, code, count(*) FROM dmtd_learner WHERE code IS NOT "
                          "NULL GROUP BY tenant_id, code HAVING count(*) > 1",
}
