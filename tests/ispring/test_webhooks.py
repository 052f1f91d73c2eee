"""Webhooks: subscribers, confirmation, subscriptions, and events delivered to a real receiver."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from emulator.core.settings import Settings
from emulator.ispring.webhooks import http_sender
from tests.ispring.support import (
    C_CAR,
    C_CAR_QUIZ,
    C_SECURITY,
    DEPT_ADMIN,
    E_BOB_CAR,
    JSON,
    OWNER,
    SALES,
    U_BOB,
    U_CAROL,
    XML_BODY,
    access_token,
    assert_error,
    created_id,
    freeze,
    xml,
)


class Receiver:
    """A callback endpoint on a free loopback port that records what it is sent."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()},
                                          self.rfile.read(length)))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ispring"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def bodies(self) -> list[Any]:
        return [json.loads(body) for _, body in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.close()


def post(client: httpx.Client, path: str, body: dict[str, Any],
         headers: dict[str, str] = OWNER) -> httpx.Response:
    return client.post(f"/ispring/webhook/{path}", json=body, headers=headers)


def info(client: httpx.Client, name: str = "lms-sync") -> Any:
    response = client.get(f"/ispring/webhook/subscriber/info?subscriberName={name}",
                          headers={**OWNER, **JSON})
    assert response.status_code == 200, response.text
    return response.json()


def confirmed_subscriber(client: httpx.Client, receiver: Receiver, secret: str | None = None,
                         ) -> None:
    body = {"subscriberName": "lms-sync", "callbackUrl": receiver.url}
    if secret is not None:
        body["secret"] = secret
    assert post(client, "register", body).status_code == 200
    assert post(client, "code/send", {"subscriberName": "lms-sync"}).status_code == 200
    code = json.loads(receiver.bodies()[-1]["payloads"][0])["code"]
    assert post(client, "confirm", {"subscriberName": "lms-sync", "code": code}).status_code == 200
    receiver.received.clear()


def subscribe(client: httpx.Client, kind: str, **params: list[str]) -> None:
    subscription: dict[str, Any] = {"subscriptionType": kind}
    if params:
        subscription["params"] = [{"name": k, "value": json.dumps(v)} for k, v in params.items()]
    response = post(client, "subscribe", {"subscriberName": "lms-sync",
                                          "subscription": subscription})
    assert response.status_code == 200, response.text


def test_register_confirm_and_receive_enrollments(client: httpx.Client,
                                                   receiver: Receiver) -> None:
    response = post(client, "register", {"subscriberName": "lms-sync",
                                         "callbackUrl": receiver.url, "secret": "s3cret"})
    assert response.status_code == 200
    assert response.content == b""
    assert info(client) == {"subscriberStatus": "ACTIVE", "confirmationStatus": "UNCONFIRMED",
                            "notificationProcessStatus": "INACTIVE"}
    assert post(client, "code/send", {"subscriberName": "lms-sync"}).status_code == 200
    ((headers, raw),) = receiver.received
    message = json.loads(raw)
    code = json.loads(message["payloads"][0])["code"]
    assert message == {"type": "CONFIRMATION", "payloads": [json.dumps({"code": code})]}
    assert headers["content-type"] == "application/json"
    assert headers["x-hub-signature"] == hashlib.sha256(raw + b"s3cret").hexdigest()
    confirmation = client.post("/ispring/webhook/confirm",
                               content=f"<request><subscriberName>lms-sync</subscriberName>"
                                       f"<code>{code}</code></request>",
                               headers={**OWNER, **XML_BODY})
    assert confirmation.status_code == 200
    assert info(client) == {"subscriberStatus": "ACTIVE", "confirmationStatus": "CONFIRMED",
                            "notificationProcessStatus": "ACTIVE"}
    subscribe(client, "LEARNERS_ENROLLED_IN_COURSE", courseIds=[C_SECURITY])
    receiver.received.clear()
    client.post("/ispring/enrollment", json={"courseIds": [C_SECURITY, C_CAR],
                                             "learnerIds": [U_CAROL, U_BOB]}, headers=OWNER)
    ((headers, raw),) = receiver.received
    assert json.loads(raw) == {"type": "LEARNERS_ENROLLED_IN_COURSE", "payloads": [
        {"courseId": C_SECURITY, "learnerIds": [U_CAROL, U_BOB]}]}
    assert headers["x-hub-signature"] == hashlib.sha256(raw + b"s3cret").hexdigest()


def test_only_the_latest_code_confirms(client: httpx.Client, receiver: Receiver) -> None:
    post(client, "register", {"subscriberName": "lms-sync", "callbackUrl": receiver.url})
    post(client, "code/send", {"subscriberName": "lms-sync"})
    post(client, "code/send", {"subscriberName": "lms-sync"})
    first, second = (json.loads(b["payloads"][0])["code"] for b in receiver.bodies())
    assert_error(post(client, "confirm", {"subscriberName": "lms-sync", "code": first}), 400,
                 "Wrong parameters: the confirmation code is wrong")
    assert post(client, "confirm", {"subscriberName": "lms-sync", "code": second}
                ).status_code == 200
    # A new callback URL must be confirmed again.
    assert post(client, "settings/change", {"subscriberName": "lms-sync",
                                            "callbackUrl": receiver.url + "/v2"}
                ).status_code == 200
    assert info(client)["confirmationStatus"] == "UNCONFIRMED"


def test_subscriptions_list_and_replace(client: httpx.Client, receiver: Receiver) -> None:
    confirmed_subscriber(client, receiver)
    subscribe(client, "COURSE_COMPLETED_SUCCESSFULLY", userIds=[U_BOB])
    subscribe(client, "USER_REGISTERED")
    subscribe(client, "COURSE_COMPLETED_SUCCESSFULLY", courseIds=[C_CAR])
    response = client.get("/ispring/webhook/subscription/list?subscriberName=lms-sync",
                          headers={**OWNER, **JSON})
    assert response.json() == [
        {"subscriptionType": "COURSE_COMPLETED_SUCCESSFULLY",
         "params": [{"name": "courseIds", "value": json.dumps([C_CAR])}]},
        {"subscriptionType": "USER_REGISTERED", "params": []}]
    as_xml = client.get("/ispring/webhook/subscription/list?subscriberName=lms-sync",
                        headers=OWNER)
    assert xml(as_xml) == {"response": {"subscription": [
        {"subscriptionType": "COURSE_COMPLETED_SUCCESSFULLY",
         "params": {"param": {"name": "courseIds", "value": json.dumps([C_CAR])}}},
        {"subscriptionType": "USER_REGISTERED", "params": None}]}}
    assert post(client, "unsubscribe", {"subscriberName": "lms-sync",
                                        "subscriptionType": "USER_REGISTERED"}).status_code == 200
    assert_error(post(client, "unsubscribe", {"subscriberName": "lms-sync",
                                              "subscriptionType": "USER_REGISTERED"}), 404,
                 "Subscription not found")


def test_user_and_progress_events(client: httpx.Client, receiver: Receiver) -> None:
    freeze(client)
    confirmed_subscriber(client, receiver)
    subscribe(client, "USER_REGISTERED")
    subscribe(client, "COURSE_STATUS_CHANGED", userIds=[U_BOB])
    subscribe(client, "COURSE_COMPLETED_SUCCESSFULLY")
    subscribe(client, "COURSE_ITEM_COMPLETED_SUCCESSFULLY", courseItemIds=[C_CAR_QUIZ])
    user_id = created_id(client.post("/ispring/user", json={
        "departmentId": SALES, "fields": {"login": "newbie"}}, headers=OWNER))
    assert receiver.bodies() == [{"type": "USER_REGISTERED", "payloads": [
        {"userId": user_id, "departmentId": SALES, "login": "newbie", "email": None}]}]
    receiver.received.clear()
    client.post("/ispring/statistics/module", json={
        "courseId": C_CAR, "enrollmentIds": [E_BOB_CAR], "moduleStatuses": [
            {"contentItemId": C_CAR_QUIZ, "date": "2025-01-09T15:00:00Z", "reason": "exam",
             "status": "passed", "awardedScore": 90}]}, headers=OWNER)
    done = 1736434800 * 10**9  # 2025-01-09T15:00:00Z in nanoseconds
    assert receiver.bodies() == [
        {"type": "COURSE_STATUS_CHANGED", "payloads": [
            {"courseId": C_CAR, "learnerId": U_BOB, "enrollmentId": E_BOB_CAR,
             "completionStatus": "passed"}]},
        {"type": "COURSE_COMPLETED_SUCCESSFULLY", "payloads": [
            {"courseId": C_CAR, "learnerId": U_BOB, "enrollmentIds": [E_BOB_CAR],
             "completionDate": done}]},
        {"type": "COURSE_ITEM_COMPLETED_SUCCESSFULLY", "payloads": [
            {"courseId": C_CAR, "courseItemId": C_CAR_QUIZ, "learnerId": U_BOB,
             "enrollmentIds": [E_BOB_CAR], "completionDate": done}]}]


def test_consecutive_events_of_a_type_travel_together(client: httpx.Client,
                                                      receiver: Receiver) -> None:
    confirmed_subscriber(client, receiver)
    subscribe(client, "COURSE_STATUS_CHANGED")
    receiver.status = 503
    client.post("/ispring/statistics/course", json={
        "courseId": C_CAR, "enrollmentIds": [E_BOB_CAR], "status": "incomplete"}, headers=OWNER)
    assert info(client)["notificationProcessStatus"] == "SUSPENDED"
    receiver.status = 200
    client.post("/ispring/statistics/course", json={
        "courseId": C_CAR, "enrollmentIds": [E_BOB_CAR], "status": "failed"}, headers=OWNER)
    payloads = [b["payloads"] for b in receiver.bodies()]
    statuses = [[p["completionStatus"] for p in batch] for batch in payloads]
    # The failed delivery, its retry after the status check, then both events in one request.
    assert statuses == [["incomplete"], ["incomplete"], ["incomplete", "failed"]]
    assert info(client)["notificationProcessStatus"] == "ACTIVE"


def test_undeliverable_events_are_dropped_after_a_day(client: httpx.Client,
                                                      receiver: Receiver) -> None:
    confirmed_subscriber(client, receiver)
    subscribe(client, "USER_REGISTERED")
    receiver.status = 500
    client.post("/ispring/user", json={"departmentId": SALES, "fields": {"login": "a1"}},
                headers=OWNER)
    assert client.post("/_emulator/clock", json={"advance": "P1DT1S"}).status_code == 200
    assert info(client) == {"subscriberStatus": "ACTIVE", "confirmationStatus": "UNCONFIRMED",
                            "notificationProcessStatus": "INACTIVE"}
    assert len(receiver.received) == 1  # expired before any retry


def test_disabled_subscribers_get_nothing(client: httpx.Client, receiver: Receiver) -> None:
    confirmed_subscriber(client, receiver)
    subscribe(client, "USER_REGISTERED")
    assert post(client, "disable", {"subscriberName": "lms-sync"}).status_code == 200
    assert info(client)["subscriberStatus"] == "INACTIVE"
    client.post("/ispring/user", json={"departmentId": SALES, "fields": {"login": "a2"}},
                headers=OWNER)
    assert receiver.received == []
    assert post(client, "enable", {"subscriberName": "lms-sync"}).status_code == 200
    assert post(client, "remove", {"subscriberName": "lms-sync"}).status_code == 200
    assert_error(client.get("/ispring/webhook/subscriber/info?subscriberName=lms-sync",
                            headers=OWNER), 404, "Subscriber not found")


def test_webhook_errors(client: httpx.Client, receiver: Receiver) -> None:
    confirmed_subscriber(client, receiver)
    for path in ("enable", "disable", "remove", "code/send"):
        assert_error(post(client, path, {"subscriberName": "nobody"}), 404,
                     "Subscriber not found")
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("register", {"subscriberName": "lms-sync", "callbackUrl": receiver.url},
         "Wrong parameters: a subscriber with this name already exists"),
        ("register", {"subscriberName": "x", "callbackUrl": "ftp://example.com"},
         "Wrong parameters: callbackUrl must be an http(s) URL"),
        ("register", {"subscriberName": "x" * 256, "callbackUrl": receiver.url},
         "Wrong parameters: subscriberName is longer than 255 characters"),
        ("subscribe", {"subscriberName": "lms-sync",
                       "subscription": {"subscriptionType": "EVERYTHING"}},
         "Wrong parameters: subscription.subscriptionType must be one of USER_REGISTERED, "
         "LEARNERS_ENROLLED_IN_COURSE, TRAINING_MEETING_ADDED, TRAINING_MEETING_REMOVED, "
         "TRAINING_MEETING_UPDATED, TRAINING_SESSION_PARTICIPANTS_ADDED, "
         "TRAINING_SESSION_PARTICIPANT_REMOVED, COURSE_COMPLETED_SUCCESSFULLY, "
         "COURSE_STATUS_CHANGED, COURSE_ITEM_COMPLETED_SUCCESSFULLY, COURSE_ITEM_STATUS_CHANGED"),
        ("subscribe", {"subscriberName": "lms-sync", "subscription": {
            "subscriptionType": "USER_REGISTERED",
            "params": [{"name": "userIds", "value": "[]"}]}},
         "Wrong parameters: subscription USER_REGISTERED has no parameter userIds"),
        ("subscribe", {"subscriberName": "lms-sync", "subscription": {
            "subscriptionType": "COURSE_STATUS_CHANGED",
            "params": [{"name": "userIds", "value": U_BOB}]}},
         "Wrong parameters: subscription userIds must be a JSON array of IDs in a string"),
        ("confirm", {"subscriberName": "lms-sync"}, "Wrong parameters: code is required"),
    ]
    for path, body, message in cases:
        assert_error(post(client, path, body), 400, message)
    assert_error(client.get("/ispring/webhook/subscription/list", headers=OWNER), 400,
                 "Wrong parameters: subscriberName is required")
    assert_error(post(client, "register", {"subscriberName": "mine", "callbackUrl": receiver.url},
                      headers=DEPT_ADMIN), 403, "Permission denied")
    token = access_token(client)
    assert client.get("/ispring/webhook/subscriber/info?subscriberName=lms-sync",
                      headers={"Authorization": token}).status_code == 200


def test_deliveries_outside_the_allowed_hosts_are_not_sent(client: httpx.Client) -> None:
    # The suite's emulator allows only loopback (EMULATOR_WEBHOOK_HOSTS); nothing leaves it.
    assert Settings(webhook_hosts=["127.0.0.1"]).webhook_hosts == ["127.0.0.1"]
    with httpx.Client() as raw:
        send = http_sender(raw, ["127.0.0.1"])
        assert send("http://hooks.example.com/x", b"{}", {}) == \
            "delivery to 'hooks.example.com' blocked: not in EMULATOR_WEBHOOK_HOSTS"
