"""One generic harness for the hardening tests, parametrised by vendor.

A `VendorSpec` says what differs between vendors: demo credentials, the identity headers that
let a request get past auth to the body checks, valid ids for path parameters, the field
vocabulary (read from the vendor's own schemas, so new fields are fuzzed as they land) and the
one error shape every refusal must have. The operations come from the registered routes (the
control plane's coverage), so every endpoint a vendor package adds is attacked without anyone
editing this file.

The invariants every hostile request must keep (`check_refusal`): no 5xx, no traceback or
driver text in the body, a 4xx in the vendor's documented set with the vendor's error body, and
no stored row changed (`fingerprint`).
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import inspect
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import quote

import httpx
import xmltodict
from pydantic import BaseModel
from sqlalchemy import text

from emulator.core.vendor import Context

# ---------------------------------------------------------------------------------------------
# Demo credentials (README "Demo credentials")
# ---------------------------------------------------------------------------------------------

THRIVE_TENANT = "eu-west-2_EmuDemo01"
THRIVE_SECRET = "thrive-demo-secret"
ISPRING_URL = "https://demo.ispringlearn.com"
ISPRING_LOGIN = ("owner@demo.example", "demo-owner-pass")
DMTD_TOKEN = "dmtd-demo-iframe-token"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def ispring_login(url: str, login: str, password: str) -> dict[str, str]:
    return {"X-Auth-Account-Url": url, "X-Auth-Email": login, "X-Auth-Password": password}


# Text that only an unhandled exception (or a leaked driver error) puts in a body.
LEAK_MARKERS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy", "sqlite3.",
                "OperationalError", "IntegrityError", "pydantic_core", "RecursionError",
                "database is locked")

# Tables whose rows say nothing about vendor state: the request journal (every request writes
# it), snapshots (control plane only) and fault counters.
UNTRACKED_TABLES = ("core_journal", "core_snapshot", "core_fault")


# ---------------------------------------------------------------------------------------------
# Operations, from the registered routes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    vendor: str
    name: str
    method: str
    path: str  # template below the vendor mount, e.g. /rest/v1/user/{userId}

    @property
    def id(self) -> str:
        return f"{self.vendor}:{self.method}:{self.name}"

    @property
    def params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]

    @property
    def writes(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH", "DELETE")


def routed(vendor: str, path: str) -> list[Operation]:
    """The operations whose path template matches a (decoded) request path of `vendor`,
    trailing slash and iSpring's `/api/v2`, `/index.php/api/v2` prefixes allowed."""
    below = path.removeprefix(f"/{vendor}")
    for prefix in ("/index.php/api/v2", "/api/v2"):
        below = below.removeprefix(prefix)
    below = below.rstrip("/") or "/"
    return [op for op in operations() if op.vendor == vendor and re.fullmatch(
        re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(op.path)), below)]


@cache
def operations() -> tuple[Operation, ...]:
    """Every emulated operation (first path of each), read from a throwaway app's routes."""
    from emulator.app import create_app
    from emulator.control.routes import coverage
    from emulator.core.settings import Settings

    app = create_app(Settings(memory=True, access_log=False))
    found = coverage(app.state.ctx, app.state.vendor_apps)
    app.state.ctx.db.dispose()
    return tuple(Operation(vendor, op["operation"], op["method"], op["paths"][0])
                 for vendor, info in found.items() for op in info["operations"])


# POST operations that take no body at all (their input is headers or the path).
BODILESS = frozenset({"dmtd:POST:signin"})


def body_operations() -> list[Operation]:
    """The operations that read a request body."""
    return [op for op in operations()
            if op.method in ("POST", "PUT", "PATCH") and op.id not in BODILESS]


# ---------------------------------------------------------------------------------------------
# Vendor specs
# ---------------------------------------------------------------------------------------------


@cache
def vocabulary(vendor: str) -> tuple[str, ...]:
    """Every field name (alias) of the vendor's pydantic schemas: what bodies are built from."""
    module = importlib.import_module(f"emulator.{vendor}.schemas")
    names: set[str] = set()
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if issubclass(obj, BaseModel) and obj.__module__ == module.__name__:
            names.update(f.alias or n for n, f in obj.model_fields.items())
    return tuple(sorted(names))


ErrorCheck = Callable[[Operation, httpx.Response], None]


@dataclass(frozen=True)
class VendorSpec:
    name: str
    auth: dict[str, str]
    # Headers that carry a valid identity beyond auth (DMTD's acting user and learner), so a
    # hostile body is judged by the body checks rather than refused for a missing header.
    context: dict[str, str]
    path_values: dict[str, str]
    # A well-formed id that names nothing, per path parameter (vendor default under "*").
    unknown_ids: dict[str, str]
    # The statuses this vendor answers a client mistake with (fact sheets, section 1).
    refusals: frozenset[int]
    check_error: ErrorCheck
    # Operations that need no credentials (token endpoints, static script).
    open_operations: frozenset[str] = frozenset()
    # Query parameter names worth fuzzing besides the body vocabulary.
    query_names: tuple[str, ...] = ()
    accepts: tuple[str | None, ...] = (None,)

    def unknown_id(self, param: str) -> str:
        return self.unknown_ids.get(param, self.unknown_ids["*"])

    def url(self, op: Operation, values: dict[str, str] | None = None) -> str:
        """The operation's URL (below the server root) with each path parameter filled in;
        values are percent-encoded whole so hostile ids stay one path segment."""
        path = op.path
        for param in op.params:
            value = (values or {}).get(param, self.path_values.get(param, "x"))
            path = path.replace("{" + param + "}", quote(value, safe=""))
        return f"/{self.name}{path}"


def _json_of(response: httpx.Response) -> Any:
    assert response.headers.get("content-type", "").startswith("application/json"), \
        (response.status_code, response.headers.get("content-type"), response.text[:300])
    return response.json()


def thrive_error(op: Operation, response: httpx.Response) -> None:
    from emulator.thrive.errors import reason

    body = _json_of(response)
    if op.name == "create_access_token":
        # Cognito-style token errors: 400 {"error": code}, never cached (RFC 6749 §5.1).
        codes = {"invalid_request", "invalid_client", "invalid_scope",
                 "unsupported_grant_type", "unauthorized_client"}
        if response.status_code == 400:
            assert set(body) == {"error"}, body
            assert body["error"] in codes, body
            assert response.headers.get("cache-control") == "no-store"
            return
    assert set(body) == {"status", "error", "message"}, body
    assert body["status"] == response.status_code, body
    assert body["error"] == reason(response.status_code), body
    assert isinstance(body["message"], str), body
    assert body["message"], body


# iSpring fact sheet §4.10: the operations whose 404 is a bare text/plain string.
ISPRING_PLAIN_404 = {
    "get_content_item_final_statuses": "Unknown content item",
    "get_issued_certificate": "Issued certificate not found",
    "get_training_session": "Training session not found",
    "get_day": "Day not found",
}


def ispring_error(op: Operation, response: httpx.Response) -> None:
    ctype = response.headers.get("content-type", "")
    if ctype.startswith("text/plain"):
        # §4.10: four lookups answer a bare text 404. The one answering may not be `op`: an
        # empty id turns `/training/session/participants/` into `/training/session/{id}`.
        assert response.status_code == 404, (op, response.text)
        answering = {o.name for o in routed(op.vendor, response.request.url.path)} | {op.name}
        assert response.text in {ISPRING_PLAIN_404.get(name) for name in answering}, \
            (op, answering, response.text)
        return
    if ctype.startswith("application/json"):
        body = response.json()
    else:
        assert ctype.startswith("application/xml"), (ctype, response.text[:300])
        body = xmltodict.parse(response.content)
        assert set(body) == {"response"}, body
        body = body["response"]
        body["code"] = int(body["code"])
    assert set(body) == {"code", "message"}, body
    assert body["code"] == response.status_code, body
    assert isinstance(body["message"], str), body
    assert body["message"], body


def dmtd_error(op: Operation, response: httpx.Response) -> None:
    body = _json_of(response)
    assert set(body) == {"success", "message"}, body
    assert body["success"] is False, body
    assert isinstance(body["message"], str), body
    assert body["message"], body


LIMITS = frozenset({413, 414, 431})

THRIVE = VendorSpec(
    name="thrive",
    auth=basic(THRIVE_TENANT, THRIVE_SECRET),
    context={},
    path_values={
        "tenantId": THRIVE_TENANT,
        "activityId": "6964b7a40000000008000001",
        "assignmentId": "6964b8100000000005000001",
        "enrolmentId": "6964b8100000000006000001",
        "audienceId": "68c13e120000000003000003",
        "userId": "68b552810000000001000002",
        "userRef": "EMP002",
        "ref": "EMP003",
        "contentId": "68dced900000000004000001",
        "categoryId": "68ce6d100000000009000001",
        "completionId": "6981caa40000000007000001",
        "tagId": "68c7d5900000000002000001",
    },
    unknown_ids={"*": "0123456789abcdef01234567", "tenantId": "eu-west-2_NoSuchTenant",
                 "userRef": "NO-SUCH-REF", "ref": "NO-SUCH-REF"},
    refusals=frozenset({400, 401, 403, 404, 409, 422}) | LIMITS,
    check_error=thrive_error,
    open_operations=frozenset({"create_access_token"}),
    query_names=("page", "perPage", "limit", "userIds", "statuses", "omitStatuses", "status",
                 "types", "updatedAtFrom", "updatedAtTo", "entryDateFrom", "entryDateTo",
                 "contentIds", "audienceId", "userId", "timestampFrom", "q", "email", "ref"),
)

ISPRING = VendorSpec(
    name="ispring",
    auth=ispring_login(ISPRING_URL, *ISPRING_LOGIN),
    context={},
    path_values={
        "user_id": "7c6a1a10-5cff-11e9-9e6a-0a580af40692",
        "department_id": "d479bc48-5b70-11e9-b12b-22e9fbac4a59",
        "group_id": "b1496214-acab-11e9-8db0-120a62f268a9",
        "content_id": "b3c10001-4e4a-11e9-9ddf-e6163e60333c",
        "course_id": "b3c10001-4e4a-11e9-9ddf-e6163e60333c",
        "enrollment_id": "d48bd4fa-5b70-11e9-b12b-22e9fbac4a59",
        "content_type": "course",
        "task_id": "00000000-0000-1000-8000-000000000000",
        "issued_certificate_id": "00000000-0000-1000-8000-000000000000",
    },
    unknown_ids={"*": "00000000-0000-1000-8000-00000000abcd", "task_id": "987654321",
                 "content_type": "no_such_type"},
    refusals=frozenset({400, 401, 403, 404, 405}) | LIMITS,
    check_error=ispring_error,
    open_operations=frozenset({"access_request"}),
    query_names=("pageSize", "pageToken", "userIds", "courseIds", "departmentIds", "groups",
                 "learnerIds", "logins", "emails", "userStatuses", "completionStatuses",
                 "accessDate[startDate]", "accessDate[endDate]", "page", "departments",
                 "userIds[]", "x[a][b][c]"),
    accepts=(None, "application/json", "application/xml", "*/*"),
)

DMTD = VendorSpec(
    name="dmtd",
    auth={"Authorization": f"Bearer {DMTD_TOKEN}"},
    # Alex (1235) owns learner Sam (1), who has assessment 1 (tests/dmtd/conftest.py).
    context={"X-SystemDomain": "vbmapp", "X-UserId": "1235", "X-LearnerId": "1"},
    path_values={},
    unknown_ids={"*": "987654321"},
    refusals=frozenset({400, 401, 404, 405}) | LIMITS,
    check_error=dmtd_error,
    open_operations=frozenset({"iframe_support_js"}),
    query_names=("assessmentId", "userId", "userCode", "area", "group", "level",
                 "questionNum", "scores", "grids", "grid_scores", "iep"),
)

SPECS: dict[str, VendorSpec] = {s.name: s for s in (THRIVE, ISPRING, DMTD)}


def spec_of(op: Operation) -> VendorSpec:
    return SPECS[op.vendor]


# ---------------------------------------------------------------------------------------------
# Stored state
# ---------------------------------------------------------------------------------------------


def fingerprint(ctx: Context) -> str:
    """A digest of every stored row that is vendor or tenant state (order-independent)."""
    digest = hashlib.sha256()
    with ctx.db.transaction() as session:
        names = [row[0] for row in session.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))]
        for name in names:
            if name in UNTRACKED_TABLES or name.startswith("sqlite_"):
                continue
            rows = sorted(repr(tuple(r)) for r in session.execute(text(f'SELECT * FROM "{name}"')))
            digest.update(name.encode())
            for row in rows:
                digest.update(row.encode())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Checking a response
# ---------------------------------------------------------------------------------------------

# Hostile requests sent per vendor, and "5xx" for server errors among them: printed at the end
# of the session (conftest.py) and by bench/robustness.py.
CASES: Counter[str] = Counter()


def assert_no_leak(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    shown = response.text
    for marker in LEAK_MARKERS:
        assert marker not in shown, (marker, shown[:500])


def check_refusal(op: Operation, response: httpx.Response) -> None:
    """A 4xx in the vendor's set, with the vendor's error body; never a 5xx or a leak."""
    spec = spec_of(op)
    assert_no_leak(response)
    assert response.status_code in spec.refusals, (op.id, response.status_code,
                                                   response.text[:300])
    spec.check_error(op, response)


@dataclass
class Probe:
    """A request description that can be sent and shown (Hypothesis prints it on failure)."""

    op: Operation
    url: str
    headers: dict[str, str | bytes] = field(default_factory=dict)
    query: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    label: str = ""

    def send(self, client: httpx.Client) -> httpx.Response:
        CASES[self.op.vendor] += 1
        headers = [(k.encode(), v if isinstance(v, bytes) else v.encode())
                   for k, v in self.headers.items()]
        params: list[tuple[str, str | int | float | bool | None]] = list(self.query)
        response = client.request(self.op.method, self.url, headers=headers,
                                  params=params or None, content=self.body)
        if response.status_code >= 500:
            CASES["5xx"] += 1
        return response

    def __repr__(self) -> str:
        body = None if self.body is None else self.body[:200]
        return (f"Probe({self.op.id} {self.label!r} url={self.url[:200]!r} "
                f"query={str(self.query)[:200]} headers={str(self.headers)[:300]} body={body!r})")


def probe(op: Operation, *, values: dict[str, str] | None = None,
          headers: Mapping[str, str | bytes] | None = None, body: bytes | None = None,
          query: Iterable[tuple[str, str]] = (), label: str = "",
          auth: bool = True) -> Probe:
    spec = spec_of(op)
    sent: dict[str, str | bytes] = {}
    if auth:
        sent.update(spec.auth)
    sent.update(spec.context)
    sent.update(headers or {})
    return Probe(op, spec.url(op, values), {k: v for k, v in sent.items()}, list(query), body,
                 label)


def json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


class Judge:
    """Sends probes and checks each answer against the stored state.

    A refused request must leave every tracked row as it was. An accepted one (hostile input
    can be legitimately accepted: unknown fields are ignored, odd strings are stored) may
    change state; the emulator is then reset so the next probe starts from the demo data.
    """

    def __init__(self, client: httpx.Client, ctx: Context) -> None:
        self.client = client
        self.ctx = ctx
        self.before = fingerprint(ctx)

    def send(self, case: Probe) -> httpx.Response:
        response = case.send(self.client)
        self.judge(case, response)
        return response

    def judge(self, case: Probe, response: httpx.Response) -> None:
        """Check one answer against the stored state (see the class docstring)."""
        after = fingerprint(self.ctx)
        if response.status_code >= 400:
            check_refusal(case.op, response)
            assert after == self.before, f"{case!r} was refused but changed stored state"
        else:
            assert_no_leak(response)
            if after != self.before:
                reset = self.client.post("/_emulator/reset")
                assert reset.status_code == 200, reset.text
                self.before = fingerprint(self.ctx)
