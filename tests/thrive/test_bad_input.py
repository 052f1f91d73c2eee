"""Hostile and malformed requests: always Thrive's error body, never a 500, nothing written."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from emulator.thrive.assignments import AssignmentCreate
from emulator.thrive.errors import BadRequest
from emulator.thrive.schemas import parse_body
from tests.thrive.support import AUTH, CONTENTS, V1, V2, error

JSON = {**AUTH, "Content-Type": "application/json"}


def assignment_count(client: httpx.Client) -> int:
    return len(client.get(f"{V1}/assignments", headers=AUTH).json())


_UNPARSEABLE_JSON_IS_400 = [
    b'{"audienceId": "sales", "contentId": ' + b"9" * 5000 + b"}",
    b"\x00\x01\x02",
    b'{"audienceId": "sales"',
]


def test_unparseable_json_is_400(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for content in _UNPARSEABLE_JSON_IS_400:
        with subtests.test(msg=repr(content)[:120]):
            response = client.post(f"{V1}/assignments", headers=JSON, content=content)
            assert (response.status_code, response.json()) == (
                400, error(400, "Request body is not valid JSON"))
            assert assignment_count(client) == 3


@pytest.mark.parametrize("content", [b"[" * 100_000 + b"]" * 100_000,
                                     b'{"a":' * 50_000 + b"1" + b"}" * 50_000])
def test_nesting_deeper_than_the_parser_is_a_bad_request(content: bytes) -> None:
    # Over the wire the core journal's redaction trips on such a body first (reported).
    with pytest.raises(BadRequest, match="Request body is not valid JSON"):
        parse_body(AssignmentCreate, content)


def test_non_finite_numbers_are_422(client: httpx.Client) -> None:
    response = client.post(f"{V1}/assignments", headers=JSON, content=(
        b'{"audienceId": "sales", "contentId": "' + CONTENTS["quiz"].encode()
        + b'", "completionPeriod": NaN}'))
    assert response.json() == error(422, "completionPeriod: Input should be a valid integer")


def test_a_body_over_the_limit_is_413_in_thrives_shape(client: httpx.Client) -> None:
    response = client.post(f"{V1}/assignments", headers=JSON, content=b" " * (10 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.json() == {"status": 413, "error": "Payload Too Large",
                               "message": "Request body exceeds 10485760 bytes"}


def test_any_content_type_is_read_as_json(client: httpx.Client) -> None:
    response = client.post(f"{V1}/assignments", headers={**AUTH, "Content-Type": "text/plain"},
                           content=f'{{"audienceId": "sales", "contentId": "{CONTENTS["quiz"]}"}}')
    assert response.status_code == 201


def test_huge_and_odd_strings_are_stored_and_returned(client: httpx.Client,
                                                     emulator_app: FastAPI) -> None:
    # PostgreSQL text cannot hold NUL: there it is stored as U+FFFD (README, "Running for a team").
    on_postgres = emulator_app.state.ctx.db.is_postgres
    nul = "\ufffd" if on_postgres else "\x00"
    name = "Zoë \u202e\U0001f600 " + "x" * 100_000
    response = client.post(f"{V2}/users", headers=AUTH, json={
        "ref": "ODD\x00REF", "firstName": name, "lastName": "'; DROP TABLE thrive_user; --",
        "email": "odd@demo.example"})
    assert response.status_code == 201
    body = response.json()
    assert (body["ref"], body["firstName"], body["lastName"]) == (
        "ODD\x00REF", name, "'; DROP TABLE thrive_user; --")
    listed = client.get(f"{V1}/users", headers=AUTH).json()
    assert listed["pagination"]["totalResults"] == 10
    (stored,) = [u for u in listed["results"] if u["email"] == "odd@demo.example"]
    assert (stored["ref"], stored["firstName"]) == (f"ODD{nul}REF", name)


def test_fastapi_default_bodies_never_leak(client: httpx.Client) -> None:
    for response in (client.get(f"{V1}/assignments?page=%FF", headers=AUTH),
                     client.get(f"{V1}/user/%00", headers=AUTH),
                     client.request("TRACE", f"{V1}/users", headers=AUTH)):
        assert "detail" not in response.json()
        assert set(response.json()) == {"status", "error", "message"}
