"""Auth and isolation on every authenticated operation: wrong, expired, malformed and
other-tenant credentials in every position get the vendor's 401/403 and never data; a tenant's
credentials never reach another tenant's records; secrets are compared without handing them to
the database as a lookup key (a B-tree compare is not constant time).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlalchemy import event, text
from sqlmodel import Session

from emulator.thrive import ThriveVendor
from tests.hardening.harness import (
    ISPRING_URL,
    SPECS,
    THRIVE_SECRET,
    THRIVE_TENANT,
    Judge,
    Operation,
    basic,
    check_refusal,
    fingerprint,
    ispring_login,
    operations,
    probe,
)

GUARDED = [op for op in operations() if op.name not in SPECS[op.vendor].open_operations]
OWNER = ("owner@demo.example", "demo-owner-pass")

BAD_CREDENTIALS: dict[str, dict[str, Mapping[str, str | bytes]]] = {
    "thrive": {
        "none": {},
        "wrong secret": basic(THRIVE_TENANT, "wrong-secret"),
        "unknown tenant": basic("eu-west-2_NoSuchTenant", THRIVE_SECRET),
        "empty password": basic(THRIVE_TENANT, ""),
        "OAuth client as tenant": basic("thrive-demo-client", "thrive-demo-client-secret"),
        "malformed base64": {"Authorization": "Basic !!!not-base64!!!"},
        "no colon": {"Authorization": "Basic " + base64.b64encode(b"justauser").decode()},
        "empty Basic": {"Authorization": "Basic "},
        "unknown bearer": {"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."},
        "empty bearer": {"Authorization": "Bearer "},
        "other scheme": {"Authorization": 'Digest username="eu-west-2_EmuDemo01"'},
        "secret without scheme": {"Authorization": THRIVE_SECRET},
        "huge": {"Authorization": "Basic " + "QUFB" * 12_000},
        "binary": {"Authorization": b"Basic \x00\xff\xfe\x80"},
    },
    "ispring": {
        "none": {},
        "wrong password": ispring_login(ISPRING_URL, OWNER[0], "wrong-pass"),
        "unknown login": ispring_login(ISPRING_URL, "nobody@demo.example", OWNER[1]),
        "unknown account": ispring_login("https://nope.ispringlearn.com", *OWNER),
        "password of another user": ispring_login(ISPRING_URL, OWNER[0], "demo-admin-pass"),
        "blocked user": ispring_login(ISPRING_URL, "dave.blocked", "demo-dave-pass"),
        "no password header": {"X-Auth-Account-Url": ISPRING_URL, "X-Auth-Email": OWNER[0]},
        "empty headers": ispring_login("", "", ""),
        "unknown token": {"Authorization": "Bearer 0f0e0d0c-not-a-token"},
        "unknown raw token": {"Authorization": "0f0e0d0c-not-a-token"},
        "bad token beside good login": {**ispring_login(ISPRING_URL, *OWNER),
                                        "Authorization": "Bearer nope"},
        "three-part Authorization": {"Authorization": "Bearer a b"},
        "Basic login": basic(*OWNER),
        "huge": {"Authorization": "Bearer " + "t" * 50_000},
        "binary": {**ispring_login(ISPRING_URL, *OWNER), "X-Auth-Password": b"\x00\xff\xfe\x80"},
    },
    "dmtd": {
        "none": {},
        "legacy Token scheme": {"Authorization": 'Token token="dmtd-demo-iframe-token"'},
        "unknown bearer": {"Authorization": "Bearer not-a-token"},
        "token without scheme": {"Authorization": "dmtd-demo-iframe-token"},
        "empty bearer": {"Authorization": "Bearer "},
        "Basic": basic("dmtd-demo-iframe-token", ""),
        "token with a suffix": {"Authorization": "Bearer dmtd-demo-iframe-token-x"},
        "token prefix": {"Authorization": "Bearer dmtd-demo-iframe"},
        "huge": {"Authorization": "Bearer " + "t" * 50_000},
        "binary": {"Authorization": b"Bearer \x00\xff\xfe\x80"},
    },
}
# Authenticated but not allowed: every operation is refused with 403 (iSpring D18: a learner
# has no API rights).
FORBIDDEN = {"ispring": ispring_login(ISPRING_URL, "learner@demo.example", "demo-learner-pass")}


def refuse_all(judge: Judge, ops: list[Operation], headers: Mapping[str, str | bytes],
               status: int, label: str) -> int:
    """Every operation with `headers` instead of the vendor's credentials → `status`."""
    for op in ops:
        case = probe(op, auth=False, headers=headers, body=b"{}", label=label)
        response = case.send(judge.client)
        assert response.status_code == status, (case, response.status_code, response.text)
        check_refusal(op, response)
    return len(ops)


@pytest.mark.parametrize("vendor", sorted(BAD_CREDENTIALS))
def test_bad_credentials_get_401_and_no_data(judge: Judge, vendor: str) -> None:
    ops = [op for op in GUARDED if op.vendor == vendor]
    before = fingerprint(judge.ctx)
    for label, headers in BAD_CREDENTIALS[vendor].items():
        refuse_all(judge, ops, headers, 401, label)
    if vendor in FORBIDDEN:
        refuse_all(judge, ops, FORBIDDEN[vendor], 403, "no API rights")
    assert fingerprint(judge.ctx) == before


def _advance_clock(client: httpx.Client, seconds: int) -> None:
    response = client.post("/_emulator/clock", json={"advance": seconds})
    assert response.status_code == 200, response.text


def test_expired_tokens_get_401(judge: Judge) -> None:
    client = judge.client
    thrive = client.post(f"/thrive/oauth2/token/{THRIVE_TENANT}", data={
        "grant_type": "client_credentials"},
        headers=basic("thrive-demo-client", "thrive-demo-client-secret")).json()["access_token"]
    ispring = client.post("/ispring/api/v3/token", data={
        "client_id": "7d3c9e5a-1f2b-11ef-9a1b-0242ac120002",
        "client_secret": "ispring-demo-client-secret",
        "grant_type": "client_credentials"}).json()["access_token"]
    tokens = {"thrive": thrive, "ispring": ispring}
    for vendor, token in tokens.items():
        (op,) = [op for op in GUARDED if op.vendor == vendor and op.name in ("search_users",
                                                                               "get_users")]
        assert client.get(SPECS[vendor].url(op),
                          headers={"Authorization": f"Bearer {token}"}).status_code == 200
    _advance_clock(client, 2 * 24 * 3600)
    try:
        for vendor, token in tokens.items():
            ops = [op for op in GUARDED if op.vendor == vendor]
            refuse_all(judge, ops, {"Authorization": f"Bearer {token}"}, 401, "expired")
    finally:
        client.post("/_emulator/clock", json={"real": True})


def test_read_only_scope_is_403_on_every_thrive_write(judge: Judge) -> None:
    token = judge.client.post(f"/thrive/oauth2/token/{THRIVE_TENANT}", data={
        "grant_type": "client_credentials"},
        headers=basic("thrive-readonly-client", "thrive-readonly-secret")).json()["access_token"]
    writes = [op for op in GUARDED if op.vendor == "thrive" and op.method != "GET"]
    refuse_all(judge, writes, {"Authorization": f"Bearer {token}"}, 403, "read-only scope")


# ---------------------------------------------------------------------------------------------
# Tenant isolation
# ---------------------------------------------------------------------------------------------


def _markers(client: httpx.Client, mark: str) -> dict[str, dict[str, str]]:
    """Records in each demo tenant carrying `mark`; path values that name them (refs are
    distinct from the mark: an error message may quote what the request named)."""
    thrive = SPECS["thrive"].auth
    ref = f"ref-{uuid.uuid4().hex[:12]}"
    user = client.post("/thrive/rest/v2/users", headers=thrive, json={
        "ref": ref, "firstName": mark, "lastName": mark, "email": f"{mark}@mark.example"})
    audience = client.post("/thrive/rest/v1/audiences", headers=thrive,
                           json={"name": mark, "reference": ref})
    json_accept = {**SPECS["ispring"].auth, "Accept": "application/json"}
    department = client.post("/ispring/department", headers=json_accept, json={
        "name": mark, "parentDepartmentId": "b00ba37c-5b70-11e9-b12b-22e9fbac4a59"})
    ispring_user = client.post("/ispring/user", headers=json_accept, json={
        "departmentId": department.json(), "password": "Mark-pass-1",
        "fields": {"login": mark, "email": f"{mark}@mark.example", "first_name": mark}})
    learner = client.post("/dmtd/1/learner", headers={**SPECS["dmtd"].auth, "X-UserId": "1235"},
                          json={"code": mark, "firstName": mark, "dateOfBirth": "2020-02-02"})
    for response in (user, audience, department, ispring_user, learner):
        assert response.status_code in (200, 201), response.text
    thrive_user = user.json()["id"]
    return {
        "thrive": {"userId": thrive_user, "ref": ref, "userRef": ref,
                   "audienceId": audience.json()["id"]},
        "ispring": {"user_id": str(ispring_user.json()), "department_id": str(department.json())},
        "dmtd": {"X-LearnerId": str(learner.json()["id"]), "X-LearnerCode": mark},
    }


def _tenant_credentials(client: httpx.Client, vendor: str) -> dict[str, str]:
    created = client.post("/_emulator/tenants", json={"vendor": vendor})
    assert created.status_code == 201, created.text
    creds: dict[str, Any] = created.json()["credentials"]
    if vendor == "thrive":
        return basic(creds["tenantId"], creds["apiSecret"])
    if vendor == "ispring":
        return ispring_login(creds["accountUrl"], *OWNER)
    return {"Authorization": f"Bearer {creds['token']}"}


@pytest.mark.parametrize("vendor", sorted(SPECS))
def test_another_tenant_never_sees_or_touches_the_records(judge: Judge, vendor: str) -> None:
    client = judge.client
    mark = f"mark{uuid.uuid4().hex[:12]}"
    values = _markers(client, mark)[vendor]
    other = _tenant_credentials(client, vendor)
    marked = _marked_rows(judge, mark)
    assert marked.count(mark) >= 2, marked
    for op in (op for op in GUARDED if op.vendor == vendor):
        named = {p: values[p] for p in op.params if p in values}
        headers: dict[str, str | bytes] = {**other}
        if vendor == "dmtd":  # DMTD names its learner in a header
            headers["X-LearnerId"] = values["X-LearnerId"]
        case = probe(op, auth=False, values=named, headers=headers, body=b"{}",
                     label="other tenant")
        response = case.send(judge.client)
        assert mark not in response.text, (case, response.text[:500])
        if named:  # the record is not there for the other tenant
            assert response.status_code >= 400, (case, response.status_code, response.text)
        if response.status_code >= 400:
            check_refusal(op, response)
    # The other tenant may have written its own rows; the marked ones are exactly as they were.
    assert _marked_rows(judge, mark) == marked


def _marked_rows(judge: Judge, mark: str) -> str:
    """Every stored row (any table) that carries the mark, as text."""
    found = []
    with judge.ctx.db.transaction() as session:
        tables = [r[0] for r in session.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))]
        for table in tables:
            if table.startswith(("core_", "sqlite_")):
                continue
            rows = session.execute(text(f'SELECT * FROM "{table}"')).all()
            found += [repr(tuple(r)) for r in rows if mark in repr(tuple(r))]
    return "\n".join(sorted(found))


# ---------------------------------------------------------------------------------------------
# Secrets are not handed to the database as lookup keys
# ---------------------------------------------------------------------------------------------


@contextmanager
def sql_parameters(app: FastAPI) -> Iterator[list[str]]:
    """Every string bound into SQL while the block runs."""
    seen: list[str] = []
    engine = app.state.ctx.db.engine

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        batches = parameters if executemany else [parameters]
        for batch in batches:
            values = batch.values() if isinstance(batch, dict) else (batch or ())
            seen.extend(str(v) for v in values if isinstance(v, str | bytes))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def _issued(client: httpx.Client, vendor: str) -> str:
    if vendor == "thrive":
        return str(client.post(f"/thrive/oauth2/token/{THRIVE_TENANT}", data={
            "grant_type": "client_credentials"}, headers=basic(
                "thrive-demo-client", "thrive-demo-client-secret")).json()["access_token"])
    return str(client.post("/ispring/api/v3/token", data={
        "client_id": "7d3c9e5a-1f2b-11ef-9a1b-0242ac120002",
        "client_secret": "ispring-demo-client-secret",
        "grant_type": "client_credentials"}).json()["access_token"])


SECRET_KINDS = {
    "thrive API secret": ("thrive", None),
    "thrive access token": ("thrive", "token"),
    "ispring password": ("ispring", None),
    "ispring access token": ("ispring", "token"),
    "dmtd organization token": ("dmtd", None),
}


@pytest.mark.parametrize("kind", list(SECRET_KINDS.values()), ids=list(SECRET_KINDS))
def test_secrets_are_not_sql_lookup_keys(client: httpx.Client, emulator_app: FastAPI,
                                         kind: tuple[str, str | None]) -> None:
    vendor, how = kind
    spec = SPECS[vendor]
    (op,) = [op for op in GUARDED if op.vendor == vendor and op.name in (
        "search_users", "get_users", "list_learners")]
    if how == "token":
        secret = _issued(client, vendor)
        headers = {"Authorization": f"Bearer {secret}"}
    else:
        headers = dict(spec.auth)
        secret = {"thrive": THRIVE_SECRET, "ispring": OWNER[1],
                  "dmtd": "dmtd-demo-iframe-token"}[vendor]
    with sql_parameters(emulator_app) as seen:
        response = client.get(spec.url(op), headers={**headers, **spec.context})
        assert response.status_code == 200, response.text
    leaked = [v for v in seen if secret in v]
    assert not leaked, f"{vendor} bound the raw secret into SQL: {leaked[:3]}"


# ---------------------------------------------------------------------------------------------
# The core's own use of credentials
# ---------------------------------------------------------------------------------------------


class _TenantLookupFails(ThriveVendor):
    """Thrive whose tenant lookup (used by the gate to file requests) raises, as Thrive's did
    for a Basic header of non-ASCII bytes before thrive/auth.py caught it."""

    def identify_tenant(self, session: Session, request: Request) -> str | None:
        raise ValueError("tenant lookup failed")


def test_a_failing_tenant_lookup_never_replaces_the_answer(
        emulator_with: Callable[..., httpx.Client]) -> None:
    http = emulator_with(vendors=[_TenantLookupFails()])
    response = http.get("/thrive/rest/v1/users")  # no credentials: auth answers 401
    assert response.status_code == 401
    assert set(response.json()) == {"status", "error", "message"}
