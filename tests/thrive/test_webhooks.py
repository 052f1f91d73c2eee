"""The inbound HR-provisioning webhook: user_joined, user_updated, user_suspended, user_deleted."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.thrive.support import AUTH, NOW, TENANT, USERS, V1, V2, basic, bearer, error, read
from tests.thrive.support import token as issue

HOOK = "/thrive/webhooks"
DOC_EXAMPLE = {
    "id": "UNIQUEREFERENCE111000", "timestamp": "2020-03-09T22:18:26.625Z",
    "eventType": "user_joined",
    "content": {"user": {"ref": "UID30084022", "email": "user@thrivelearning.com",
                         "firstName": "Thomas", "lastName": "Jefferson", "jobTitle": "Director",
                         "managerRef": "UID0034234555", "startDate": "2021-08-19T18:00:00.000Z",
                         "timeZone": "Europe/London", "languageCode": "en-gb"}}}


def event(event_id: str, kind: str, **user: Any) -> dict[str, Any]:
    return {"id": event_id, "timestamp": NOW, "eventType": kind, "content": {"user": user}}


def send(client: httpx.Client, body: Any, headers: dict[str, str] = AUTH) -> httpx.Response:
    return client.post(HOOK, headers=headers, json=body)


def by_ref(client: httpx.Client, ref: str) -> dict[str, Any]:
    body: dict[str, Any] = read(client, f"{V1}/users/ref/{ref}")
    return body


pytestmark = pytest.mark.usefixtures("frozen")


def test_user_joined_creates_the_user(client: httpx.Client) -> None:
    response = send(client, DOC_EXAMPLE)
    assert (response.status_code, response.content) == (202, b"")
    user = by_ref(client, "UID30084022")
    assert user == {
        "id": user["id"], "ref": "UID30084022", "firstName": "Thomas", "lastName": "Jefferson",
        "email": "user@thrivelearning.com", "role": "learner", "status": "active",
        "positions": [{"id": user["id"], "manager": None, "ouId": None, "isActive": True,
                       "startDate": "2021-08-19T18:00:00.000Z", "endDate": None,
                       "createdAt": NOW, "updatedAt": NOW, "title": "Director"}],
        "additionalFields": None, "languageCode": "en-gb"}


def test_user_joined_with_an_oauth_webhooks_token_on_the_user_api_host(
        client: httpx.Client) -> None:
    access = issue(client, scope="api/webhooks")
    response = client.post("/webhooks", json=DOC_EXAMPLE, headers={
        **bearer(access), "Host": "user.api.learn.link"})
    assert response.status_code == 202
    assert by_ref(client, "UID30084022")["firstName"] == "Thomas"


def test_user_joined_unsuspends_and_updates_an_existing_user(client: httpx.Client) -> None:
    response = send(client, event("e1", "user_joined", ref="EMP006", jobTitle="Employee"))
    assert response.status_code == 202
    finn = by_ref(client, "EMP006")
    assert (finn["status"], finn["positions"][0]["isActive"], finn["positions"][0]["title"]) == (
        "active", True, "Employee")


def test_user_updated(client: httpx.Client) -> None:
    assert send(client, event("e2", "user_updated", ref="EMP002", email="ben@new.example",
                              managerRef="EMP001")).status_code == 202
    ben = by_ref(client, "EMP002")
    assert ben["email"] == "ben@new.example"
    assert ben["positions"][0]["manager"] == {"id": USERS["ada"], "name": "Ada Admin",
                                              "ref": "EMP001"}


def test_user_suspended(client: httpx.Client) -> None:
    assert send(client, event("e3", "user_suspended", ref="EMP002",
                              endDate="2026-11-30")).status_code == 202
    ben = by_ref(client, "EMP002")
    assert (ben["status"], ben["positions"][0]["endDate"]) == ("inactive",
                                                               "2026-11-30T00:00:00.000Z")


def test_user_deleted(client: httpx.Client) -> None:
    assert send(client, event("e4", "user_deleted", ref="EMP002")).status_code == 202
    assert client.get(f"{V1}/users/ref/EMP002", headers=AUTH).status_code == 404
    gone = client.get(f"{V1}/user/{USERS['ben']}", headers=AUTH).json()
    assert (gone["deleted"], gone["firstName"], gone["lastName"]) == (True, "Deleted", "User")


def test_a_repeated_event_id_is_accepted_but_not_applied_again(client: httpx.Client) -> None:
    first = event("same-id", "user_updated", ref="EMP002", jobTitle="From HR")
    assert send(client, first).status_code == 202
    client.patch(f"{V2}/users/ref/EMP002", headers=AUTH, json={"jobTitle": "From the API"})
    again = send(client, first)
    assert (again.status_code, again.content) == (202, b"")
    assert by_ref(client, "EMP002")["positions"][0]["title"] == "From the API"


_WEBHOOK_ERRORS_WRITE_NOTHING = [
    (event("x1", "user_promoted", ref="EMP002"), 422,
     "eventType: Input should be 'user_joined', 'user_updated', 'user_suspended' or "
     "'user_deleted'"),
    ({"eventType": "user_deleted", "content": {"user": {"ref": "EMP002"}}}, 422,
     "id: Field required"),
    (event("x2", "user_deleted"), 422, "content.user.ref: Field required"),
    ({"id": "x3", "eventType": "user_deleted"}, 422, "content: Field required"),
    (event("x4", "user_joined", ref="NEW1", email="n@demo.example"), 422,
     "content.user.firstName: Field required; content.user.lastName: Field required"),
    (event("x5", "user_joined", ref="NEW2", firstName="N", lastName="Two"), 422,
     "email is required when loginMethod is email"),
    (event("x6", "user_joined", ref="NEW3", firstName="N", lastName="Three",
           email="ben.learner@demo.example"), 409,
     "A user with email 'ben.learner@demo.example' already exists"),
    (event("x7", "user_updated", ref="NOPE", jobTitle="x"), 404,
     "User with ref 'NOPE' not found"),
    (event("x8", "user_suspended", ref="EMP002", endDate="someday"), 422,
     "content.user.endDate: must be an ISO 8601 date-time"),
    ([DOC_EXAMPLE], 400, "Request body must be a JSON object"),
]


def test_webhook_errors_write_nothing(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for body, status, message in _WEBHOOK_ERRORS_WRITE_NOTHING:
        with subtests.test(msg=repr((body, status, message))[:120]):
            response = send(client, body)
            assert (response.status_code, response.json()) == (status, error(status, message))
            assert by_ref(client, "EMP002")["status"] == "active"
            assert client.get(f"{V1}/users", headers=AUTH).json()["pagination"]["totalResults"] == 9


def test_a_failed_event_can_be_sent_again_once_fixed(client: httpx.Client) -> None:
    broken = event("retry-me", "user_joined", ref="NEW9", firstName="N", lastName="Nine")
    assert send(client, broken).status_code == 422
    fixed = {**broken, "content": {"user": {**broken["content"]["user"],
                                            "email": "nine@demo.example"}}}
    assert send(client, fixed).status_code == 202
    assert by_ref(client, "NEW9")["email"] == "nine@demo.example"


def test_webhooks_need_credentials(client: httpx.Client) -> None:
    response = client.post(HOOK, json=DOC_EXAMPLE, headers=basic(TENANT, "nope"))
    assert (response.status_code, response.json()) == (
        401, error(401, "Invalid tenant ID or API secret"))
