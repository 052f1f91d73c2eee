"""The control plane with an admin token: every route (enumerated from the control app at test
time, so a route added later is checked without editing this file) refuses calls without the
right token; tenant control tokens reach their own tenant only; vendor APIs are unaffected.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from emulator.app import create_app
from emulator.cli import _is_loopback
from emulator.control.access import PUBLIC, TENANT_ROUTES
from emulator.control.coverage import _api_routes
from emulator.core import schema
from emulator.core.settings import Settings
from emulator.testing.api import Emulator, EmulatorError
from emulator.testing.transport import in_process_client
from tests.hardening.harness import DMTD, THRIVE
from tests.hardening.live import Server, query

ADMIN = "admin-secret-token"
UNAUTHORIZED = {"error": {"status": 401, "message": "A control-plane token is required "
                                                   "(Authorization: Bearer <token>)"}}
UNKNOWN = {"error": {"status": 401, "message": "Unknown control-plane token"}}
NOT_THIS_ROUTE = {"error": {"status": 403, "message": "A tenant control token may not call this"}}
NOT_YOURS = {"error": {"status": 403,
                       "message": "This control token may act on its own tenant only"}}


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(Settings(memory=True, access_log=False, admin_token=ADMIN))


@pytest.fixture
def http(app: FastAPI) -> Iterator[httpx.Client]:
    with in_process_client(app) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def control_routes() -> list[tuple[str, str]]:
    """(method, path) of every route the control app serves, read from the app itself."""
    control = create_app(Settings(memory=True, access_log=False)).state.control_app
    return sorted({(method, path) for path, route, _ in _api_routes(control.routes)
                   for method in (route.methods or set()) - {"HEAD"}})


ROUTES = control_routes()


def concrete(path: str, tenant: str = "nope") -> str:
    return re.sub(r"\{[^}]+\}", lambda m: tenant if m.group(0) == "{tenant_id}" else "1", path)


def test_every_route_is_known_to_the_guard() -> None:
    # Sanity of the table below: the guard's tenant routes and public routes all exist.
    assert set(TENANT_ROUTES) <= set(ROUTES)
    assert set(ROUTES) >= PUBLIC
    assert len(ROUTES) >= 20


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_no_token_wrong_token_and_tenant_token_are_refused(http: httpx.Client, method: str,
                                                           path: str) -> None:
    url = f"/_emulator{concrete(path)}"
    if (method, path) in PUBLIC:
        assert http.request(method, url).status_code == 200
        return
    for headers in ({}, {"Authorization": "Basic YWRtaW46YWRtaW4="}, {"Authorization": "Bearer"}):
        response = http.request(method, url, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.json() == UNAUTHORIZED
        assert response.headers["www-authenticate"] == "Bearer"
    for token in (ADMIN + "x", ADMIN[:-1], "lmsct_forged"):
        response = http.request(method, url, headers=bearer(token))
        assert response.status_code == 401
        assert response.json() == UNKNOWN
    # The admin token gets past the guard (the route then judges the call itself).
    response = http.request(method, url, headers=bearer(ADMIN))
    assert response.status_code not in (401, 403), response.text


def tenant(http: httpx.Client, vendor: str = "dmtd") -> dict[str, Any]:
    response = http.post("/_emulator/tenants", json={"vendor": vendor}, headers=bearer(ADMIN))
    assert response.status_code == 201
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r not in TENANT_ROUTES
                                              and r not in PUBLIC],
                         ids=[f"{m} {p}" for m, p in ROUTES if (m, p) not in TENANT_ROUTES
                              and (m, p) not in PUBLIC])
def test_a_tenant_token_may_not_call_admin_routes(http: httpx.Client, method: str,
                                                  path: str) -> None:
    mine = tenant(http)
    response = http.request(method, f"/_emulator{concrete(path, mine['id'])}",
                            headers=bearer(mine["controlToken"]))
    assert response.status_code == 403
    assert response.json() == NOT_THIS_ROUTE


def tenant_calls(tid: str) -> list[tuple[str, str, dict[str, Any], int]]:
    """Every tenant route aimed at tenant `tid`: (method, url, request options, success)."""
    return [
        ("POST", "/reset", {"json": {"tenant": tid}}, 200),
        ("GET", f"/tenants/{tid}", {}, 200),
        ("POST", f"/tenants/{tid}/reset", {}, 200),
        ("POST", f"/snapshots/s-{tid}", {"json": {"tenant": tid}}, 201),
        ("POST", f"/snapshots/s-{tid}/restore", {}, 200),
        ("GET", "/snapshots", {}, 200),
        ("POST", "/faults", {"json": {"tenant": tid, "effect": {"type": "latency", "ms": 1}}},
         201),
        ("GET", "/faults", {}, 200),
        ("GET", "/clock", {"params": {"tenant": tid}}, 200),
        ("POST", "/clock", {"json": {"tenant": tid, "advance": 60}}, 200),
        ("GET", "/journal", {"params": {"tenant": tid}}, 200),
        ("POST", "/journal/match", {"json": {"tenant": tid}}, 200),
        ("DELETE", f"/snapshots/s-{tid}", {}, 204),
    ]


def test_tenant_tokens_reach_their_own_tenant_only(http: httpx.Client) -> None:
    mine, other = tenant(http), tenant(http, "thrive")
    own = bearer(mine["controlToken"])
    calls = tenant_calls(mine["id"])
    assert {(m, re.sub(r"s-[^/]+", "{name}", u).replace(mine["id"], "{tenant_id}"))
            for m, u, _, _ in calls} | {("DELETE", "/faults/{fault_id}")} == set(TENANT_ROUTES)
    for method, url, options, status in calls:
        response = http.request(method, f"/_emulator{url}", headers=own, **options)
        assert response.status_code == status, (method, url, response.text)
    # Aimed at another tenant, or at the whole server: 403, and nothing changes.
    for method, url, options, _ in [*tenant_calls(other["id"]),
                                    ("POST", "/reset", {}, 0), ("GET", "/clock", {}, 0),
                                    ("GET", "/journal", {}, 0),
                                    ("POST", "/faults", {"json": {"effect": {"type": "drop"}}},
                                     0)]:
        if method == "GET" and url in ("/snapshots", "/faults"):
            continue  # lists: filtered to the caller's own (below)
        response = http.request(method, f"/_emulator{url}", headers=own, **options)
        assert response.status_code in (403, 404), (method, url, response.text)
        if response.status_code == 403:
            assert response.json() == NOT_YOURS
    # Another tenant's snapshot and fault, made by the admin: invisible and untouchable.
    admin = bearer(ADMIN)
    assert http.post(f"/_emulator/snapshots/theirs-{other['id']}", json={"tenant": other["id"]},
                     headers=admin).status_code == 201
    fault = http.post("/_emulator/faults", headers=admin, json={
        "tenant": other["id"], "effect": {"type": "latency", "ms": 1}}).json()
    assert [s["tenant"] for s in http.get("/_emulator/snapshots", headers=own).json()] == []
    assert {f["tenant"] for f in http.get("/_emulator/faults", headers=own).json()} == \
        {mine["id"]}
    for method, url in [("POST", f"/snapshots/theirs-{other['id']}/restore"),
                        ("DELETE", f"/snapshots/theirs-{other['id']}"),
                        ("POST", f"/snapshots/theirs-{other['id']}"),
                        ("DELETE", f"/faults/{fault['id']}")]:
        response = http.request(method, f"/_emulator{url}", headers=own)
        assert response.status_code == 403, (method, url)
        assert response.json() == NOT_YOURS
    mine_fault = next(f for f in http.get("/_emulator/faults", headers=own).json())
    assert http.delete(f"/_emulator/faults/{mine_fault['id']}", headers=own).status_code == 204
    # A deleted tenant's token is dead.
    assert http.delete(f"/_emulator/tenants/{mine['id']}", headers=admin).status_code == 204
    response = http.get(f"/_emulator/tenants/{mine['id']}", headers=own)
    assert response.status_code == 401
    assert response.json() == UNKNOWN


def test_vendor_apis_are_unaffected(http: httpx.Client) -> None:
    assert http.get("/dmtd/1/learner", headers=DMTD.auth).status_code == 200
    assert http.get("/thrive/rest/v1/assignments", headers=THRIVE.auth).status_code == 200


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("10.1.2.3", False), ("emulator.internal", False)])
def test_which_listen_addresses_warn_without_an_admin_token(host: str, loopback: bool) -> None:
    assert _is_loopback(host) is loopback


@pytest.mark.live
def test_a_live_server_with_an_admin_token(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "locked.db"
    with Server(db, env={"EMULATOR_ADMIN_TOKEN": ADMIN, "EMULATOR_ACCESS_LOG": "false"}) as srv:
        with Emulator.remote(srv.url) as anonymous, pytest.raises(EmulatorError, match="401"):
            anonymous.create_tenant("dmtd")
        monkeypatch.setenv("LMS_EMULATOR_ADMIN_TOKEN", ADMIN)
        with Emulator.remote(srv.url) as emulator:  # the test kit passes the token through
            made = emulator.create_tenant("dmtd")
            assert made.control_token is not None
            assert made.client().get("/1/learner", headers={
                "Authorization": f"Bearer {made.credentials['token']}"}).status_code == 200
        response = httpx.post(f"{srv.url}/_emulator/reset")
        assert response.status_code == 401
        assert response.json() == UNAUTHORIZED
        assert httpx.get(f"{srv.url}/_emulator/health").status_code == 200
        assert "without an admin token" not in srv.output()  # loopback, and a token is set
        created = httpx.post(f"{srv.url}/_emulator/tenants", json={"vendor": "thrive"},
                             headers=bearer(ADMIN))
        assert created.status_code == 201
        token = created.json()["controlToken"]
        assert httpx.get(f"{srv.url}/_emulator/tenants/{created.json()['id']}",
                         headers=bearer(token)).status_code == 200
    # Only the digest is stored: the token itself is nowhere in the database file.
    stored = query(db, "SELECT control_token_hash FROM core_tenant WHERE id = ?",
                   created.json()["id"])
    assert stored[0][0] is not None
    assert len(str(stored[0][0])) == 64
    assert token.encode() not in db.read_bytes()


def test_a_database_from_before_control_tokens_is_upgraded(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    settings = Settings(db=db, access_log=False, admin_token=ADMIN)
    create_app(settings).state.ctx.db.dispose()
    with sqlite3.connect(db) as conn:  # the table as the previous version created it
        conn.execute("DROP INDEX ix_core_tenant_control_token_hash")
        conn.execute("ALTER TABLE core_tenant DROP COLUMN control_token_hash")
        conn.execute("UPDATE core_meta SET value = '1' WHERE key = 'schema_version'")
    app = create_app(settings)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM core_meta WHERE key = 'schema_version'"
                            ).fetchone() == (str(schema.VERSION),)
    with in_process_client(app) as client:
        made = client.post("/_emulator/tenants", json={"vendor": "dmtd"}, headers=bearer(ADMIN))
        assert made.status_code == 201
        assert client.get(f"/_emulator/tenants/{made.json()['id']}",
                          headers=bearer(made.json()["controlToken"])).status_code == 200
    app.state.ctx.db.dispose()


def test_dashboard_files_are_public_but_its_data_is_not(http: httpx.Client) -> None:
    # The page shells and their scripts carry no data: a browser loads them without a header;
    # every figure they show comes from API calls that the guard checks.
    for path in ("/_emulator/ui", "/_emulator/ui/journal", "/_emulator/ui/static/app.js",
                 "/_emulator/ui/static/style.css"):
        assert http.get(path).status_code == 200, path
    response = http.get("/_emulator/journal")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
