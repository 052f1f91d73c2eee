"""Malformed writes and searches are refused, and every encoding reads numbers alike.

Each case was found by checking the emulator against the vendor's OpenAPI document: a body or
filter the document does not allow must be a 400 that changes nothing, never "absent".
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import (
    E_ALICE_CAR,
    ENROLLMENTS,
    G_MENTORS,
    JSON,
    MARKETING,
    OWNER,
    SALES,
    U_BOB,
    U_CAROL,
    UNKNOWN,
    XML_BODY,
    assert_error,
    get_json,
)

JSON_BODY = {"Content-Type": "application/json"}
FORM_BODY = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize(("body", "message"), [
    (b"", "Wrong parameters: the request body is required"),
    (b"null", "Wrong parameters: the body must not be null"),
    (b'{"subordination": null}', "Wrong parameters: subordination must not be null"),
    (b'{"subordination": {"subordinationType": "manual", "supervisorId": null}}',
     "Wrong parameters: subordination.supervisorId must not be null"),
])
def test_null_or_missing_subordination_is_refused(client: httpx.Client, body: bytes,
                                                  message: str) -> None:
    before = get_json(client, f"/user/{U_BOB}")
    response = client.post(f"/ispring/user/{U_BOB}/subordination", content=body,
                           headers={**OWNER, **JSON_BODY})
    assert_error(response, 400, message)
    assert get_json(client, f"/user/{U_BOB}") == before


@pytest.mark.parametrize(("body", "message"), [
    ({"accessDate": None, "dueDateType": "unlimited"},
     "Wrong parameters: accessDate must not be null"),
    ({"dueDateType": "due_date", "dueDate": None}, "Wrong parameters: dueDate must not be null"),
    ({"dueDateType": None}, "Wrong parameters: dueDateType must not be null"),
])
def test_null_in_an_enrollment_edit_is_refused(client: httpx.Client, body: dict[str, Any],
                                               message: str) -> None:
    response = client.post(f"/ispring/enrollment/{E_ALICE_CAR}", json=body, headers=OWNER)
    assert_error(response, 400, message)
    assert get_json(client, f"/enrollment/{E_ALICE_CAR}") == ENROLLMENTS[E_ALICE_CAR]


@pytest.mark.parametrize(("path", "field"), [
    ("/user/list", "logins"), ("/user/list", "departments"), ("/users/v2", "logins"),
    ("/users/v2", "userIds"), ("/contents", "contentItemIds"), ("/contents", "contentTypes"),
    ("/enrollments", "learnerIds"), ("/enrollments", "courseIds"),
])
@pytest.mark.parametrize(("value", "reason"), [
    ({}, "must be a list of values"), ([{}], "must be a list of values"),
    (None, "must not be null"),
])
def test_malformed_search_filter_is_refused(client: httpx.Client, path: str, field: str,
                                            value: Any, reason: str) -> None:
    # A broken filter must not widen the search to everything.
    response = client.post(f"/ispring{path}", json={field: value}, headers=OWNER)
    assert_error(response, 400, f"Wrong parameters: {field} {reason}")


def test_search_without_a_body_has_no_filter(client: httpx.Client) -> None:
    response = client.post("/ispring/enrollments", headers={**OWNER, **JSON})
    assert response.status_code == 200
    assert [e["enrollmentId"] for e in response.json()["enrollments"]] == sorted(ENROLLMENTS)


def _award(client: httpx.Client, amount_json: str, kind: str) -> httpx.Response:
    if kind == "json":
        body = f'{{"userId": "{U_CAROL}", "amount": {amount_json}, "reason": "x"}}'
        headers = JSON_BODY
    elif kind == "xml":
        body = (f"<request><userId>{U_CAROL}</userId><amount>{amount_json}</amount>"
                "<reason>x</reason></request>")
        headers = XML_BODY
    else:
        body = f"userId={U_CAROL}&amount={amount_json}&reason=x"
        headers = FORM_BODY
    return client.post("/ispring/gamification/points/award", content=body,
                       headers={**OWNER, **headers})


@pytest.mark.parametrize("kind", ["json", "xml", "form"])
def test_exponent_numbers_read_alike_in_every_encoding(client: httpx.Client, kind: str) -> None:
    response = _award(client, "1E1", kind)
    assert response.status_code == 200, response.text
    assert get_json(client, f"/gamification/points?userIds[]={U_CAROL}") == [
        {"userId": U_CAROL, "points": 10}]
    assert_error(_award(client, "1E20", kind), 400, "Wrong parameters: amount is out of range")


@pytest.mark.parametrize("page_size", ["1E0", "1.0", "10e-1"])
def test_exponent_integers_in_the_query_and_json(client: httpx.Client, page_size: str) -> None:
    by_query = client.get(f"/ispring/enrollments?pageSize={page_size}", headers={**OWNER, **JSON})
    by_json = client.post("/ispring/enrollments", content=f'{{"pageSize": {page_size}}}',
                          headers={**OWNER, **JSON, **JSON_BODY})
    for response in (by_query, by_json):
        assert response.status_code == 200, response.text
        assert len(response.json()["enrollments"]) == 1
    for bad in ("1.5", "1E-1"):
        assert_error(client.get(f"/ispring/enrollments?pageSize={bad}", headers=OWNER), 400,
                     "Wrong parameters: pageSize must be an integer")


@pytest.mark.parametrize("accept", [None, "application/xml", "*/*"])
def test_create_content_answers_json_only(client: httpx.Client, accept: str | None) -> None:
    headers = {**OWNER, **({"Accept": accept} if accept else {})}
    response = client.post("/ispring/content/create/Course",
                           json={"folder_id": UNKNOWN, "title": "Onboarding"}, headers=headers)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    new_id = response.json()
    assert get_json(client, f"/content/{new_id}")["title"] == "Onboarding"


@pytest.mark.parametrize(("path", "key", "path_id", "body"), [
    ("/user/{}", "userId", U_BOB, {"departmentId": SALES}),
    ("/department/{}", "departmentId", MARKETING, {"name": "Brand"}),
    ("/group/{}", "groupId", G_MENTORS, {"name": "Coaches"}),
    ("/enrollment/{}", "enrollmentId", E_ALICE_CAR,
     {"accessDate": "2024-01-15", "dueDateType": "unlimited"}),
])
def test_a_field_repeating_the_path_id_is_accepted(client: httpx.Client, path: str, key: str,
                                                   path_id: str, body: dict[str, Any]) -> None:
    url = f"/ispring{path.format(path_id)}"
    echoed = client.post(url, json={key: path_id.upper(), **body}, headers=OWNER)
    assert echoed.status_code in (200, 204), echoed.text
    shown = get_json(client, path.format(path_id))
    assert all(shown[k] == v for k, v in body.items() if k in shown)
    other = client.post(url, json={key: UNKNOWN, **body}, headers=OWNER)
    assert_error(other, 400, f"Wrong parameters: unknown parameter {key}")
