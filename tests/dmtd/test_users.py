"""POST /1/user and POST /1/signin (fact sheet §4.6, §5.1, §5.16, D13, D20, D24)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from emulator.dmtd.backend import DmtdBackend
from tests.dmtd.conftest import DEMO, assert_response, call, error, invalid

FRED = {"code": "Code: 1234", "firstName": "Fred", "lastName": "Flintstone",
        "email": "fred@example.com"}


def create(client: httpx.Client, body: Any) -> httpx.Response:
    return call(client, "POST", "/1/user", body=body)


def test_documented_example(client: httpx.Client) -> None:
    response = create(client, FRED)
    user_id = response.json()["id"]
    assert isinstance(user_id, int)
    assert user_id > DEMO.jordan  # one server-wide counter (D4)
    assert_response(response, 200, {"id": user_id, **FRED, "locale": "en"})


def test_optional_fields(client: httpx.Client) -> None:
    body = {"firstName": "Wilma", "lastName": "Flintstone", "email": "w@example.com",
            "locale": "fr", "dmtdAdministrator": True}
    response = create(client, body)
    assert_response(response, 200, {
        "id": response.json()["id"], "code": None, "firstName": "Wilma",
        "lastName": "Flintstone", "email": "w@example.com", "locale": "fr"})


def test_ids_increase(client: httpx.Client) -> None:
    first = create(client, {**FRED, "code": "a"}).json()["id"]
    second = create(client, {**FRED, "code": "b"}).json()["id"]
    assert second == first + 1


def test_new_user_can_own_a_learner_by_id_and_by_code(client: httpx.Client) -> None:
    user = create(client, FRED).json()
    body = {"dateOfBirth": "2014-01-01"}
    by_id = call(client, "POST", "/1/learner", body=body, X_UserId=user["id"])
    by_code = call(client, "POST", "/1/learner", body=body, X_UserCode="Code: 1234")
    assert (by_id.status_code, by_code.status_code) == (200, 200)


@pytest.mark.parametrize(("body", "reason"), [
    ({}, "firstName is required; lastName is required; email is required"),
    ({"firstName": "Fred", "lastName": "Flintstone"}, "email is required"),
    ({**FRED, "email": "fred.example.com"}, "email must be an email address"),
    ({**FRED, "email": ""}, "email must not be empty"),
    ({**FRED, "email": None}, "email must be a string"),
    ({**FRED, "firstName": 12}, "firstName must be a string"),
    ({**FRED, "lastName": "   "}, "lastName must not be empty"),
    ({**FRED, "firstName": "x" * 10_000}, "firstName must be at most 255 characters"),
    ({**FRED, "code": 1234}, "code must be a string"),
    ({**FRED, "code": ""}, "code must not be empty"),
    ({**FRED, "code": "c" * 192}, "code must be at most 191 characters"),
    ({**FRED, "locale": "de"}, "locale must be one of en, es, fr"),
    ({**FRED, "locale": ["en"]}, "locale must be one of en, es, fr"),
])
def test_invalid_fields_are_400(client: httpx.Client, body: dict[str, Any],
                                reason: str) -> None:
    assert_response(create(client, body), 400, invalid(reason))


@pytest.mark.parametrize(("raw", "reason"), [
    ("{not json", "malformed JSON"),
    (b"\xff\xfe{}", "malformed JSON"),
    ('["firstName"]', "expected a JSON object"),
    ("null", "expected a JSON object"),
    ('"text"', "expected a JSON object"),
])
def test_malformed_bodies_are_400(client: httpx.Client, raw: str | bytes, reason: str) -> None:
    assert_response(call(client, "POST", "/1/user", raw=raw), 400, invalid(reason))


def test_code_of_191_characters_is_accepted(client: httpx.Client) -> None:
    response = create(client, {**FRED, "code": "c" * 191})
    assert response.status_code == 200
    assert response.json()["code"] == "c" * 191


def test_duplicate_code_is_400(client: httpx.Client) -> None:
    response = create(client, {**FRED, "code": "demo-user-alex"})
    assert_response(response, 400, invalid(
        "code 'demo-user-alex' is already used by another user"))


def test_codes_are_case_sensitive_and_separate_from_learner_codes(client: httpx.Client) -> None:
    assert create(client, {**FRED, "code": "DEMO-USER-ALEX"}).status_code == 200
    assert create(client, {**FRED, "code": "demo-learner-sam"}).status_code == 200


def test_a_refused_request_writes_nothing(client: httpx.Client) -> None:
    assert create(client, {**FRED, "email": "nope"}).status_code == 400
    assert create(client, FRED).status_code == 200  # the code was not taken


def test_body_is_json_whatever_the_content_type(client: httpx.Client) -> None:
    response = client.post("/dmtd/1/user", content=json.dumps(FRED), headers={
        "Authorization": "Bearer dmtd-demo-iframe-token", "Content-Type": "text/plain"})
    assert_response(response, 200, {"id": response.json()["id"], **FRED, "locale": "en"})


DEEP = ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000]


@pytest.mark.parametrize("raw", DEEP)
def test_deeply_nested_json_is_400(client: httpx.Client, raw: str) -> None:
    # Sent as text/plain (still parsed as JSON, D7): the core journal's JSON redaction does
    # not survive such nesting yet, whatever the vendor answers.
    response = call(client, "POST", "/1/user", raw=raw, Content_Type="text/plain")
    assert_response(response, 400, invalid("malformed JSON"))


# ----------------------------------------------------------------------------------- signin

def signin(client: httpx.Client, **extra: str | int) -> httpx.Response:
    return call(client, "POST", "/1/signin", **extra)


def test_signin_token_is_valid_for_24_hours(client: httpx.Client, frozen: str) -> None:
    response = signin(client, X_UserId=DEMO.alex)
    token = response.json()["signinToken"]
    assert isinstance(token, str)
    assert len(token) >= 24
    assert_response(response, 200, {"signinToken": token, "expiresAt": "2025-06-20T05:16:09Z"})


def test_a_new_token_replaces_the_previous_one(client: httpx.Client,
                                               emulator_app: FastAPI) -> None:
    backend = DmtdBackend(emulator_app.state.ctx)
    first = signin(client, X_UserCode="demo-user-alex").json()["signinToken"]
    user = backend.signed_in_user("dmtd-demo-iframe", first)
    assert user is not None
    assert user.id == DEMO.alex
    second = signin(client, X_UserId=DEMO.alex).json()["signinToken"]
    assert second != first
    assert backend.signed_in_user("dmtd-demo-iframe", first) is None
    assert backend.signed_in_user("dmtd-demo-iframe", second) is not None
    assert backend.signed_in_user("dmtd-demo-standard", second) is None


def test_token_expires_on_the_emulator_clock(client: httpx.Client,
                                             emulator_app: FastAPI) -> None:
    backend = DmtdBackend(emulator_app.state.ctx)
    token = signin(client, X_UserId=DEMO.jordan).json()["signinToken"]
    advance = timedelta(hours=23, minutes=59).total_seconds()
    assert client.post("/_emulator/clock", json={"advance": advance}).status_code == 200
    assert backend.signed_in_user("dmtd-demo-iframe", token) is not None
    assert client.post("/_emulator/clock", json={"advance": 60}).status_code == 200
    assert backend.signed_in_user("dmtd-demo-iframe", token) is None


def test_signin_token_is_not_a_bearer_token(client: httpx.Client) -> None:
    token = signin(client, X_UserId=DEMO.alex).json()["signinToken"]
    assert_response(call(client, "GET", "/1/learner", token=token), 401,
                    error("The Bearer token is not valid"))


def test_journal_does_not_keep_the_token(client: httpx.Client) -> None:
    token = signin(client, X_UserId=DEMO.alex).json()["signinToken"]
    entries = client.get("/_emulator/journal", params={"operation": "signin"}).json()["entries"]
    assert len(entries) == 1
    assert token not in json.dumps(entries)


@pytest.mark.parametrize(("extra", "status", "expected"), [
    ({}, 400, error("X-UserId or X-UserCode is required")),
    ({"X_UserId": "me"}, 400, error("X-UserId must be an integer")),
    ({"X_UserId": 999999}, 404, error("No user with X-UserId 999999 could be located")),
    ({"X_UserCode": "ghost"}, 404, error("No user with X-UserCode 'ghost' could be located")),
])
def test_signin_failures(client: httpx.Client, extra: dict[str, Any], status: int,
                         expected: dict[str, Any]) -> None:
    assert_response(signin(client, **extra), status, expected)
