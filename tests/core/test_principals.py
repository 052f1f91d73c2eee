"""Remembered credentials (`emulator.core.principals`): never a stale answer, in any worker.

Two apps on one database file stand for two worker processes, each with its own cache. A
credential is used in one (so that it is remembered there), changed or expired through the
other, and the first must refuse it on the very next request, with the vendor's own 401.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.app import create_app
from emulator.core.settings import Settings
from emulator.testing.transport import in_process_client
from emulator.thrive.auth import CredentialsOps
from tests.ispring.support import OWNER, U_ADMIN, assert_error, login

Workers = tuple[httpx.Client, httpx.Client]
ADMIN = login("admin@demo.example", "demo-admin-pass")
THRIVE_401 = {"status": 401, "error": "Unauthorized", "message": "Invalid tenant ID or API secret"}
THRIVE_EXPIRED = {"status": 401, "error": "Unauthorized",
                  "message": "The access token is invalid or has expired"}
DMTD_401 = {"success": False, "message": "The Bearer token is not valid"}


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    settings = Settings(db=tmp_path / "shared.db", access_log=False)
    first = create_app(settings)
    second = create_app(settings.model_copy(update={"reset": False}))
    with in_process_client(first) as one, in_process_client(second) as two:
        yield one, two


def fresh(client: httpx.Client, vendor: str) -> dict[str, Any]:
    response = client.post("/_emulator/tenants", json={"vendor": vendor})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_a_remembered_credential_is_resolved_once(workers: Workers,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = workers
    tenant = fresh(two, "thrive")
    headers = basic(tenant["id"], tenant["credentials"]["apiSecret"])
    resolved: list[str] = []
    original = CredentialsOps.basic_principal

    def counted(self: CredentialsOps, user: str, secret: str) -> Any:
        resolved.append(user)
        return original(self, user, secret)

    monkeypatch.setattr(CredentialsOps, "basic_principal", counted)
    for _ in range(3):
        assert one.get("/thrive/rest/v1/users", headers=headers).status_code == 200
    assert resolved == [tenant["id"]]
    # Any change to a watched table starts over: here, another tenant is created.
    fresh(two, "dmtd")
    assert one.get("/thrive/rest/v1/users", headers=headers).status_code == 200
    assert resolved == [tenant["id"]] * 2


def test_thrive_secret_of_a_deleted_tenant_is_refused_at_once(workers: Workers) -> None:
    one, two = workers
    tenant = fresh(two, "thrive")
    headers = basic(tenant["id"], tenant["credentials"]["apiSecret"])
    for _ in range(2):
        assert one.get("/thrive/rest/v1/users", headers=headers).status_code == 200
    assert two.delete(f"/_emulator/tenants/{tenant['id']}").status_code == 204
    refused = one.get("/thrive/rest/v1/users", headers=headers)
    assert (refused.status_code, refused.json()) == (401, THRIVE_401)


def test_thrive_token_expires_by_the_other_workers_clock(workers: Workers) -> None:
    one, two = workers
    tenant = fresh(two, "thrive")
    client = tenant["credentials"]["oauthClients"][0]
    grant = one.post(f"/thrive/oauth2/token/{tenant['id']}",
                     data={"grant_type": "client_credentials"},
                     headers=basic(client["clientId"], client["clientSecret"]))
    assert grant.status_code == 200, grant.text
    bearer = {"Authorization": f"Bearer {grant.json()['access_token']}"}
    for _ in range(2):
        assert one.get("/thrive/rest/v1/users", headers=bearer).status_code == 200
    moved = two.post("/_emulator/clock", json={"advance": "P1D", "tenant": tenant["id"]})
    assert moved.status_code == 200, moved.text
    refused = one.get("/thrive/rest/v1/users", headers=bearer)
    assert (refused.status_code, refused.json()) == (401, THRIVE_EXPIRED)


def test_ispring_password_changed_in_one_worker_is_refused_in_the_other(
        workers: Workers) -> None:
    one, two = workers
    for _ in range(2):
        assert one.get("/ispring/group", headers=ADMIN).status_code == 200
    changed = two.post(f"/ispring/user/{U_ADMIN}/password", json={"password": "N3w-pass"},
                       headers=OWNER)
    assert changed.status_code == 200, changed.text
    assert_error(one.get("/ispring/group", headers=ADMIN), 401, "Authorization failed")
    renewed = login("admin@demo.example", "N3w-pass")
    assert one.get("/ispring/group", headers=renewed).status_code == 200


def test_ispring_scheduled_deactivation_ends_a_remembered_login(workers: Workers) -> None:
    one, two = workers
    frozen = two.post("/_emulator/clock", json={"set": "2025-01-10T12:00:00Z", "freeze": True})
    assert frozen.status_code == 200, frozen.text
    scheduled = two.post(f"/ispring/user/{U_ADMIN}/scheduled_deactivation",
                         json={"date": "2025-01-11"}, headers=OWNER)
    assert scheduled.status_code == 200, scheduled.text
    for _ in range(2):
        assert one.get("/ispring/group", headers=ADMIN).status_code == 200
    two.post("/_emulator/clock", json={"advance": "PT11H59M"})
    assert one.get("/ispring/group", headers=ADMIN).status_code == 200
    two.post("/_emulator/clock", json={"advance": "PT2M"})
    assert_error(one.get("/ispring/group", headers=ADMIN), 401, "Authorization failed")


def test_dmtd_token_of_a_deleted_tenant_is_refused_at_once(workers: Workers) -> None:
    one, two = workers
    tenant = fresh(two, "dmtd")
    bearer = {"Authorization": f"Bearer {tenant['credentials']['token']}"}
    for _ in range(2):
        assert one.get("/dmtd/1/learner", headers=bearer).status_code == 200
    assert two.delete(f"/_emulator/tenants/{tenant['id']}").status_code == 204
    refused = one.get("/dmtd/1/learner", headers=bearer)
    assert (refused.status_code, refused.json()) == (401, DMTD_401)
