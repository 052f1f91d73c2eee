"""Per-test tenants, reset and snapshots through the control plane."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from emulator.core.db import tenant_tables
from tests.helpers import THRIVE_TENANT, as_listed


def create(client: httpx.Client, vendor: str, **extra: Any) -> dict[str, Any]:
    response = client.post("/_emulator/tenants", json={"vendor": vendor, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    # The control token is shown once, at creation; the tenant record never carries it.
    assert body.pop("controlToken").startswith("lmsct_")
    return body


def row_count(client: httpx.Client, tenant: str) -> int:
    ctx = client._transport._asgi.app.state.ctx  # type: ignore[attr-defined]
    with ctx.db.transaction() as session:
        return sum(int(session.execute(select(func.count()).select_from(t)
                                       .where(t.c.tenant_id == tenant)).scalar_one())
                   for t in tenant_tables())


def test_builtin_demo_tenants_are_listed(client: httpx.Client) -> None:
    tenants = client.get("/_emulator/tenants").json()
    assert {(t["vendor"], t["id"], t["builtin"]) for t in tenants} == {
        ("thrive", THRIVE_TENANT, True), ("ispring", "demo.ispringlearn.com", True),
        ("dmtd", "dmtd-demo-iframe", True), ("dmtd", "dmtd-demo-standard", True)}
    thrive = next(t for t in tenants if t["vendor"] == "thrive")
    assert thrive["baseUrl"] == "http://127.0.0.1:8800/thrive"
    assert thrive["credentials"]["apiSecret"] == "thrive-demo-secret"


@pytest.mark.parametrize("vendor", ["thrive", "ispring", "dmtd"])
def test_fresh_tenant_has_its_own_credentials_and_rows(client: httpx.Client, vendor: str) -> None:
    demo = next(t for t in client.get(f"/_emulator/tenants?vendor={vendor}").json())
    fresh = create(client, vendor)
    assert fresh["vendor"] == vendor
    assert fresh["builtin"] is False
    assert fresh["id"] != demo["id"]
    assert fresh["baseUrl"] == f"http://127.0.0.1:8800/{vendor}"
    assert fresh["credentials"]
    assert fresh["credentials"] != demo["credentials"]
    assert client.get(f"/_emulator/tenants/{fresh['id']}").json() == as_listed(fresh)
    assert row_count(client, fresh["id"]) > 0
    assert client.delete(f"/_emulator/tenants/{fresh['id']}").status_code == 204
    assert row_count(client, fresh["id"]) == 0
    missing = client.get(f"/_emulator/tenants/{fresh['id']}")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"status": 404,
                                        "message": f"Unknown tenant {fresh['id']!r}"}}


def test_named_and_inline_fixtures(client: httpx.Client) -> None:
    assert create(client, "dmtd", fixture="standard")["credentials"]["kind"] == "standard"
    bad = client.post("/_emulator/tenants", json={"vendor": "dmtd", "fixture": "nope"})
    assert bad.status_code == 422
    assert bad.json()["error"]["message"].startswith("unknown dmtd fixture 'nope'")
    inline = client.post("/_emulator/tenants", json={"vendor": "dmtd", "fixture": {"x": 1}})
    assert inline.status_code == 422
    assert inline.json()["error"]["message"].startswith("inline fixture: ")


@pytest.mark.parametrize("body", [{"vendor": "moodle"}, {}, {"vendor": "thrive", "extra": 1}])
def test_invalid_create(client: httpx.Client, body: dict[str, Any]) -> None:
    before = len(client.get("/_emulator/tenants").json())
    response = client.post("/_emulator/tenants", json=body)
    assert response.status_code in (400, 422)
    assert set(response.json()["error"]) == {"status", "message"}
    assert len(client.get("/_emulator/tenants").json()) == before


def test_parallel_creation_is_isolated(client: httpx.Client) -> None:
    vendors = ["thrive", "ispring", "dmtd"] * 6
    with ThreadPoolExecutor(max_workers=6) as pool:
        created = list(pool.map(lambda v: create(client, v), vendors))
    ids = [t["id"] for t in created]
    assert len(set(ids)) == len(ids)
    secrets = [str(sorted(t["credentials"].items())) for t in created]
    assert len(set(secrets)) == len(secrets)


def test_reset_all_removes_fresh_tenants(client: httpx.Client) -> None:
    fresh = create(client, "thrive")
    assert client.post("/_emulator/reset").json() == {"reset": "all"}
    assert client.get(f"/_emulator/tenants/{fresh['id']}").status_code == 404
    assert len(client.get("/_emulator/tenants").json()) == 4


def test_reset_one_tenant_keeps_its_credentials(client: httpx.Client) -> None:
    fresh = create(client, "thrive")
    rows = row_count(client, fresh["id"])
    assert client.post(f"/_emulator/tenants/{fresh['id']}/reset").json() == \
        {"reset": fresh["id"]}
    assert client.get(f"/_emulator/tenants/{fresh['id']}").json() == as_listed(fresh)
    assert row_count(client, fresh["id"]) == rows
    creds = fresh["credentials"]
    users = client.get("/thrive/rest/v1/users", auth=(creds["tenantId"], creds["apiSecret"]))
    assert users.status_code == 200, users.text
    assert client.post("/_emulator/reset", json={"tenant": THRIVE_TENANT}).json() == \
        {"reset": THRIVE_TENANT}
    assert client.post("/_emulator/reset", json={"tenant": "nope"}).status_code == 404


def test_snapshot_restore_whole_server(client: httpx.Client) -> None:
    taken = client.post("/_emulator/snapshots/before").json()
    assert taken["name"] == "before"
    assert taken["tenant"] is None
    assert taken["rows"] > 0
    fresh = create(client, "ispring")
    restored = client.post("/_emulator/snapshots/before/restore").json()
    assert restored == {"restored": "before", "tenant": None, "rows": taken["rows"]}
    assert client.get(f"/_emulator/tenants/{fresh['id']}").status_code == 404
    listed = client.get("/_emulator/snapshots").json()
    assert [s["name"] for s in listed] == ["before"]
    assert client.delete("/_emulator/snapshots/before").status_code == 204
    gone = client.post("/_emulator/snapshots/before/restore")
    assert gone.status_code == 404
    assert gone.json() == {"error": {"status": 404, "message": "Unknown snapshot 'before'"}}


def test_snapshot_of_one_tenant_leaves_others(client: httpx.Client) -> None:
    mine = create(client, "thrive")
    other = create(client, "thrive")
    client.post("/_emulator/snapshots/mine", json={"tenant": mine["id"]})
    client.delete(f"/_emulator/tenants/{mine['id']}")
    client.post("/_emulator/snapshots/mine/restore")
    assert client.get(f"/_emulator/tenants/{mine['id']}").json() == as_listed(mine)
    assert client.get(f"/_emulator/tenants/{other['id']}").json() == as_listed(other)


@pytest.mark.parametrize("name", ["__fixtures__", "bad name", "x" * 201])
def test_reserved_or_bad_snapshot_names(client: httpx.Client, name: str) -> None:
    response = client.post(f"/_emulator/snapshots/{name}")
    assert response.status_code in (400, 404, 422)
    assert "error" in response.json()
