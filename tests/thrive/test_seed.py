"""Fixture packs: inline packs make tenants with their data; inconsistent packs are refused.

(Seeding speed is measured by bench/run.py, not asserted here.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

DEMO = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "thrive" / "demo.json")
                  .read_text(encoding="utf-8"))


def create(client: httpx.Client, pack: dict[str, Any]) -> httpx.Response:
    return client.post("/_emulator/tenants", json={"vendor": "thrive", "fixture": pack})


def test_an_inline_pack_makes_a_tenant_with_its_data(client: httpx.Client) -> None:
    response = create(client, {**DEMO, "assignments": [], "enrolments": []})
    assert response.status_code == 201
    creds = response.json()["credentials"]
    listed = client.get("/thrive/rest/v1/assignments",
                        auth=(creds["tenantId"], creds["apiSecret"]))
    assert listed.json() == []


def test_a_pack_naming_a_missing_user_is_refused(client: httpx.Client) -> None:
    enrolment = {**DEMO["enrolments"][0], "userId": "0123456789abcdef01234567"}
    response = create(client, {**DEMO, "enrolments": [enrolment]})
    assert response.status_code == 422
    assert response.json() == {"error": {"status": 422, "message": (
        "inline fixture: (top level): Value error, unknown user id(s): "
        "0123456789abcdef01234567")}}


def test_a_pack_with_an_orphan_audience_is_refused(client: httpx.Client) -> None:
    audiences = [{**a, "parentId": None} if a["reference"] == "sales" else a
                 for a in DEMO["audiences"]]
    response = create(client, {**DEMO, "audiences": audiences})
    assert response.status_code == 422
    assert "a structure has no parent; an audience has a structure as parent" in \
        response.json()["error"]["message"]
