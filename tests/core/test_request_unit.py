"""One unit of work per vendor request: what it must keep — across worker processes too.

Two apps on one database file stand for two worker processes: each has its own caches, its own
connections and its own journal writer, exactly like `--workers 2`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from emulator.app import create_app
from emulator.cli import main
from emulator.core.settings import Settings
from emulator.core.vendor import Context
from emulator.testing.transport import in_process_client
from emulator.thrive import ThriveVendor
from tests.helpers import THRIVE_AUTH, THRIVE_TENANT, THRIVE_UNKNOWN

USERS = "/thrive/rest/v1/users"
THRIVE_503 = {"status": 503, "error": "Service Unavailable", "message": "Service Unavailable"}


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    settings = Settings(db=tmp_path / "shared.db", access_log=False)
    first = create_app(settings)
    second = create_app(settings.model_copy(update={"reset": False}))
    with in_process_client(first) as one, in_process_client(second) as two:
        yield one, two


def entries(client: httpx.Client, **query: Any) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = client.get("/_emulator/journal", params=query).json()["entries"]
    return body


def test_journal_read_right_after_a_response_finds_it_in_the_other_worker(
        workers: tuple[httpx.Client, httpx.Client]) -> None:
    one, two = workers
    two.delete("/_emulator/journal")
    for i in range(5):
        read = one.get(USERS, headers=THRIVE_AUTH)
        assert read.status_code == 200
        written = one.post("/thrive/rest/v2/users", headers=THRIVE_AUTH, json={
            "ref": f"unit-{i}", "firstName": "Una", "lastName": "Unit",
            "email": f"unit-{i}@example.com"})
        assert written.status_code == 201, written.text
        seen = [(e["method"], e["path"], e["status"], e["tenant"]) for e in entries(two)]
        assert seen[-2:] == [("GET", "/rest/v1/users", 200, THRIVE_TENANT),
                             ("POST", "/rest/v2/users", 201, THRIVE_TENANT)]
    assert len(entries(two)) == 10


def test_clock_set_in_one_worker_is_the_clock_of_the_next_request_in_the_other(
        workers: tuple[httpx.Client, httpx.Client]) -> None:
    one, two = workers
    # The second worker has read (and cached) the real-time clock already.
    assert two.get(USERS, headers=THRIVE_AUTH).status_code == 200
    for moment in ("2031-01-02T03:04:05Z", "2032-06-07T08:09:10Z"):
        changed = one.post("/_emulator/clock", json={"set": moment, "freeze": True})
        assert changed.status_code == 200
        created = two.post("/thrive/rest/v2/users", headers=THRIVE_AUTH, json={
            "ref": f"clock-{moment}", "firstName": "Cleo", "lastName": "Clock",
            "email": f"clock-{moment[:4]}@example.com"})
        assert created.status_code == 201, created.text
        assert created.json()["createdAt"].startswith(moment[:19])
        assert two.get("/_emulator/clock").json()["now"] == moment


def test_fault_armed_in_one_worker_fires_on_the_next_request_in_the_other(
        workers: tuple[httpx.Client, httpx.Client]) -> None:
    one, two = workers
    assert two.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH).status_code == 404  # cached: no fault
    armed = one.post("/_emulator/faults", json={"vendor": "thrive", "times": 1,
                                                "effect": {"type": "error", "status": 503}})
    assert armed.status_code == 201
    hit = two.get(USERS, headers=THRIVE_AUTH)
    assert (hit.status_code, hit.json()) == (503, THRIVE_503)
    # Spent in the second worker: the first one sees it spent and serves normally.
    assert one.get(USERS, headers=THRIVE_AUTH).status_code == 200
    (fault,) = one.get("/_emulator/faults").json()
    assert (fault["fired"], fault["remaining"], fault["active"]) == (1, 0, False)


class _WritesOnRead(ThriveVendor):
    """Thrive plus one GET whose operation writes: the read unit must hand over to a write."""

    def build_app(self, ctx: Context) -> FastAPI:
        app = super().build_app(ctx)

        def visit() -> dict[str, int]:
            with ctx.db.transaction() as session:
                session.execute(text("INSERT INTO core_counter (name, value) VALUES ('visits', 1)"
                                     " ON CONFLICT (name) DO UPDATE SET value = value + 1"))
            with ctx.db.read() as session:
                count = session.execute(text(
                    "SELECT value FROM core_counter WHERE name = 'visits'")).scalar_one()
            return {"visits": int(count)}

        app.add_api_route("/visits", visit, methods=["GET"])
        app.router.routes.insert(0, app.router.routes.pop())  # before Thrive's catch-all 404
        return app


def test_a_read_that_writes_is_served_once_with_its_write(tmp_path: Path) -> None:
    app = create_app(Settings(db=tmp_path / "visits.db", access_log=False),
                     vendors=[_WritesOnRead()])
    with in_process_client(app) as client:
        for expected in (1, 2, 3):
            response = client.get("/thrive/visits", headers=THRIVE_AUTH)
            assert (response.status_code, response.json()) == (200, {"visits": expected})
        journal = entries(client, path="/visits")
        assert [(e["method"], e["status"], e["operation"], e["tenant"]) for e in journal] == \
            [("GET", 200, "visit", THRIVE_TENANT)] * 3


def test_vendors_option_mounts_only_the_chosen_vendors() -> None:
    app = create_app(Settings(memory=True, access_log=False, vendors=["thrive"]))
    with in_process_client(app) as client:
        assert client.get(USERS, headers=THRIVE_AUTH).status_code == 200
        missing = client.get("/ispring/enrollment")
        assert (missing.status_code, missing.json()) == (404, {"error": {
            "status": 404, "message": "Not a vendor path", "mounts": ["/thrive", "/_emulator"]}})
        health = client.get("/_emulator/health").json()
        assert [v["name"] for v in health["vendors"]] == ["thrive"]


def test_unknown_vendor_name_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--memory", "--vendors", "thrive,moodle"]) == 2
    assert capsys.readouterr().err == ("lms-emulator: error: invalid setting vendors: "
                                       "Value error, choose from thrive, ispring, dmtd\n")
