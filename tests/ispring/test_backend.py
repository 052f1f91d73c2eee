"""The demo pack and per-test accounts: validation of inline packs and seeding speed."""

from __future__ import annotations

import httpx

from tests.ispring.support import JSON, login

SMALL_PACK = {
    "accountUrl": "https://tiny.ispringlearn.com",
    "departments": [{"id": "00000000-0000-1000-8000-000000000001", "name": "Root"}],
    "roles": [{"id": "00000000-0000-1000-8000-0000000000a1", "type": "owner", "title": "Owner"},
              {"id": "00000000-0000-1000-8000-0000000000a2", "type": "learner",
               "title": "Learner"}],
    "profileFields": [{"id": "LOGIN", "name": "login", "label": "Login", "type": "login",
                       "isUnique": True, "isRequired": True}],
    "users": [{"id": "00000000-0000-1000-8000-0000000000b1", "login": "boss",
               "password": "boss-pass", "departmentId": "00000000-0000-1000-8000-000000000001",
               "roles": [{"roleId": "00000000-0000-1000-8000-0000000000a2"},
                         {"roleId": "00000000-0000-1000-8000-0000000000a1"}],
               "addedDate": "2024-01-01T00:00:00Z"}],
}


def test_an_inline_pack_makes_a_working_account(client: httpx.Client) -> None:
    response = client.post("/_emulator/tenants", json={"vendor": "ispring",
                                                        "fixture": SMALL_PACK})
    assert response.status_code == 201, response.text
    tenant = response.json()
    assert tenant["credentials"]["users"] == [
        {"login": "boss", "password": "boss-pass", "role": "owner"}]
    headers = {**login("boss", "boss-pass", tenant["credentials"]["accountUrl"]), **JSON}
    users = client.get("/ispring/user", headers=headers).json()
    assert [(u["userId"], u["role"]) for u in users] == [
        ("00000000-0000-1000-8000-0000000000b1", "owner")]


def test_an_inline_pack_with_broken_references_is_refused(client: httpx.Client) -> None:
    pack = {**SMALL_PACK, "groups": [{"id": "g1", "name": "G", "userIds": ["nobody"]}],
            "users": [{**SMALL_PACK["users"][0], "departmentId": "nowhere"}]}
    response = client.post("/_emulator/tenants", json={"vendor": "ispring", "fixture": pack})
    assert response.status_code == 422
    assert response.json() == {"error": {"status": 422, "message": (
        "inline fixture: (top level): Value error, user 00000000-0000-1000-8000-0000000000b1: "
        "unknown department nowhere; group g1: unknown user nobody")}}
