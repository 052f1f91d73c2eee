"""`X-Return-Object: true` on the creates that take it: the new entity instead of its ID."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import JSON, OWNER, SALES, U_ALICE, XML_BODY, created_id

CREATES: list[tuple[str, dict[str, Any], str]] = [
    ("/user", {"departmentId": SALES, "fields": {"login": "erin.sales",
                                                 "email": "erin@demo.example"}}, "/user/{}"),
    ("/department", {"name": "Sales West", "parentDepartmentId": SALES}, "/department/{}"),
    ("/group", {"name": "Mentees", "userIds": [U_ALICE]}, "/group/{}"),
    ("/group/smart", {"name": "Sales only", "rules": {"and": [{"or": [{"rule": {
        "attributeType": 1, "operator": 1, "value": SALES}}]}]}}, "/group/{}"),
]


@pytest.mark.parametrize(("path", "body", "read"), CREATES)
@pytest.mark.parametrize("flag", ["true", "1", "TRUE"])
def test_create_returns_the_object_as_read(client: httpx.Client, path: str, body: dict[str, Any],
                                           read: str, flag: str) -> None:
    response = client.post(f"/ispring{path}", json=body,
                           headers={**OWNER, **JSON, "X-Return-Object": flag})
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    created = response.json()
    new_id = next(v for k, v in created.items() if k in ("userId", "departmentId", "groupId"))
    shown = client.get(f"/ispring{read.format(new_id)}", headers={**OWNER, **JSON})
    assert created == shown.json()


@pytest.mark.parametrize(("path", "body", "read"), CREATES)
def test_create_returns_the_object_in_xml(client: httpx.Client, path: str, body: dict[str, Any],
                                          read: str) -> None:
    response = client.post(f"/ispring{path}", json=body,
                           headers={**OWNER, "X-Return-Object": "true"})
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/xml"
    new_id = response.text.split("Id>", 1)[1].split("<", 1)[0]
    shown = client.get(f"/ispring{read.format(new_id)}", headers=OWNER)
    assert response.content == shown.content


@pytest.mark.parametrize("flag", [None, "false", "0"])
def test_create_returns_the_id_otherwise(client: httpx.Client, flag: str | None) -> None:
    headers = {**OWNER, **XML_BODY, **({"X-Return-Object": flag} if flag else {})}
    new_id = created_id(client.post("/ispring/group", content="<request><name>Mentees</name>"
                                    "</request>", headers=headers))
    assert client.get(f"/ispring/group/{new_id}", headers=OWNER).status_code == 200
