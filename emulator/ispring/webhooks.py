"""iSpring webhooks: subscribers, subscriptions, the event outbox, delivery after the response."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, Self
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BeforeValidator, Field, model_validator
from sqlalchemy import delete
from sqlmodel import Session, col, select
from starlette.background import BackgroundTask

from emulator.core.clock import as_utc
from emulator.core.ids import next_int, token
from emulator.ispring.auth import (
    Principal,
    Right,
    Webhooks,
    authenticate,
    operations,
    ops_of,
)
from emulator.ispring.base import BackendBase
from emulator.ispring.errors import BadRequest, NotFound
from emulator.ispring.fields import Name, OptText, Text, _choice, _name
from emulator.ispring.models import (
    IspringWebhookEvent,
    IspringWebhookSubscriber,
    IspringWebhookSubscription,
)
from emulator.ispring.schemas import RequestModel, _pre_items
from emulator.ispring.wire import Body, Items, Query, Tree, empty, ok

WEBHOOK_EVENTS: dict[str, tuple[str, ...]] = {
    # Event type → the filter parameters a subscription to it may carry (§5.10).
    "USER_REGISTERED": (),
    "LEARNERS_ENROLLED_IN_COURSE": ("userIds", "courseIds"),
    "TRAINING_MEETING_ADDED": (),
    "TRAINING_MEETING_REMOVED": (),
    "TRAINING_MEETING_UPDATED": (),
    "TRAINING_SESSION_PARTICIPANTS_ADDED": ("userIds",),
    "TRAINING_SESSION_PARTICIPANT_REMOVED": ("userIds",),
    "COURSE_COMPLETED_SUCCESSFULLY": ("userIds", "courseIds"),
    "COURSE_STATUS_CHANGED": ("userIds", "courseIds"),
    "COURSE_ITEM_COMPLETED_SUCCESSFULLY": ("userIds", "courseItemIds"),
    "COURSE_ITEM_STATUS_CHANGED": ("userIds", "courseItemIds"),
}


def _callback_url(value: Any) -> str:
    url = _name(value)
    if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        raise ValueError("must be an http(s) URL")
    return url


class SubscriberName(RequestModel):
    subscriber_name: Name = Field(alias="subscriberName")


class SubscriberRequest(SubscriberName):
    callback_url: Annotated[str, BeforeValidator(_callback_url)] = Field(alias="callbackUrl")
    secret: OptText = None


class ConfirmRequest(SubscriberName):
    code: Text


class SubscriptionParam(RequestModel):
    name: Text
    value: Text


class SubscriptionIn(RequestModel):
    subscription_type: Annotated[str, BeforeValidator(_choice(*WEBHOOK_EVENTS))] = Field(
        alias="subscriptionType")
    params: Annotated[list[SubscriptionParam], BeforeValidator(_pre_items)] = Field(
        default_factory=list)

    @model_validator(mode="after")
    def _known_params(self) -> Self:
        allowed = WEBHOOK_EVENTS[self.subscription_type]
        for param in self.params:
            if param.name not in allowed:
                raise ValueError(f"{self.subscription_type} has no parameter {param.name}")
            if not isinstance(self.filter_values(param), list):
                raise ValueError(f"{param.name} must be a JSON array of IDs in a string")
        return self

    @staticmethod
    def filter_values(param: SubscriptionParam) -> list[str] | None:
        """A parameter's value: a JSON-encoded array of strings (`"[\"uuid\"]"`)."""
        try:
            values = json.loads(param.value)
        except ValueError:
            return None
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return None
        return values


class SubscribeRequest(SubscriberName):
    subscription: SubscriptionIn


class UnsubscribeRequest(SubscriberName):
    subscription_type: Annotated[str, BeforeValidator(_choice(*WEBHOOK_EVENTS))] = Field(
        alias="subscriptionType")


def subscription_tree(sub: IspringWebhookSubscription) -> Tree:
    return {"subscriptionType": sub.type,
            "params": Items("param", [{"name": x["name"], "value": x["value"]}
                                      for x in sub.params])}


WEBHOOK_RETRY = timedelta(days=1)
Sender = Callable[[str, bytes, dict[str, str]], str | None]


def http_sender(client: httpx.Client, allowed_hosts: list[str] | None = None) -> Sender:
    """POSTs deliveries with `client`: None when the receiver answered 2xx, else the problem.

    `allowed_hosts` (setting `EMULATOR_WEBHOOK_HOSTS`) limits where events may go; a delivery
    elsewhere is recorded as failed without any network traffic.
    """

    def send(url: str, body: bytes, headers: dict[str, str]) -> str | None:
        host = (urlsplit(url).hostname or "").lower()
        if allowed_hosts is not None and host not in allowed_hosts:
            return f"delivery to {host!r} blocked: not in EMULATOR_WEBHOOK_HOSTS"
        try:
            response = client.post(url, content=body, headers=headers)
        except (httpx.HTTPError, ValueError) as exc:
            return f"{type(exc).__name__}: {exc}"[:500]
        return None if response.is_success else f"HTTP {response.status_code}"

    return send


def _nanoseconds(value: datetime) -> int:
    """Webhook payloads carry completion dates as integer nanoseconds since the epoch."""
    moment = as_utc(value)
    return int(moment.replace(microsecond=0).timestamp()) * 10**9 + moment.microsecond * 1000


class _Outbox:
    """Queues the events of one unit of work for every subscriber that asked for them.

    Only enabled, confirmed subscribers receive events; a subscription's `userIds`, `courseIds`
    and `courseItemIds` parameters narrow what it receives (a `learnerIds` list is narrowed to
    the wanted users; inferred).
    """

    def __init__(self, session: Session, tenant_id: str, now: datetime) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.now = now
        self._subscriptions: list[IspringWebhookSubscription] | None = None

    def _active(self) -> list[IspringWebhookSubscription]:
        if self._subscriptions is None:
            ready = select(IspringWebhookSubscriber.name).where(
                IspringWebhookSubscriber.tenant_id == self.tenant_id,
                col(IspringWebhookSubscriber.enabled), col(IspringWebhookSubscriber.confirmed))
            self._subscriptions = list(self.session.exec(select(IspringWebhookSubscription).where(
                IspringWebhookSubscription.tenant_id == self.tenant_id,
                col(IspringWebhookSubscription.subscriber).in_(ready))).all())
        return self._subscriptions

    def emit(self, kind: str, payload: dict[str, Any], *, users: Sequence[str] = (),
             course: str | None = None, item: str | None = None) -> None:
        for sub in self._active():
            if sub.type != kind:
                continue
            wanted = {p["name"]: set(SubscriptionIn.filter_values(
                SubscriptionParam.model_validate(p)) or []) for p in sub.params}
            matched_users = [u for u in users if "userIds" not in wanted
                             or u in wanted["userIds"]]
            if (users and not matched_users) or (
                    "courseIds" in wanted and course not in wanted["courseIds"]) or (
                    "courseItemIds" in wanted and item not in wanted["courseItemIds"]):
                continue
            body = dict(payload)
            if "learnerIds" in body:
                body["learnerIds"] = matched_users
            self.send(sub.subscriber, kind, body)

    def send(self, subscriber: str, kind: str, payload: Any) -> None:
        self.session.add(IspringWebhookEvent(
            tenant_id=self.tenant_id, event_id=next_int(self.session, "ispring.webhook_event"),
            subscriber=subscriber, type=kind, payload=payload, created_at=self.now))


def _subscriber_name(name: str | None) -> str:
    if not name:
        raise BadRequest("Wrong parameters: subscriberName is required")
    return name


class WebhooksOps(BackendBase):
    """Webhook subscribers and subscriptions, and delivering queued events."""

    @staticmethod
    def _subscriber(session: Session, p: Principal, name: str) -> IspringWebhookSubscriber:
        row = session.get(IspringWebhookSubscriber, (p.tenant_id, name))
        if row is None:
            raise NotFound("Subscriber not found")
        return row

    def register_subscriber(self, p: Principal, body: SubscriberRequest) -> None:
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, now):
            if session.get(IspringWebhookSubscriber, (p.tenant_id, body.subscriber_name)):
                raise BadRequest("Wrong parameters: a subscriber with this name already exists")
            session.add(IspringWebhookSubscriber(
                tenant_id=p.tenant_id, name=body.subscriber_name, callback_url=body.callback_url,
                secret=body.secret, created_at=now))

    def change_subscriber(self, p: Principal, body: SubscriberRequest) -> None:
        """A new callback URL must be confirmed again (§5.10)."""
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, body.subscriber_name)
            if row.callback_url != body.callback_url:
                row.confirmed = False
                row.code = None
            row.callback_url = body.callback_url
            row.secret = body.secret
            session.add(row)

    def set_subscriber_enabled(self, p: Principal, body: SubscriberName, enabled: bool) -> None:
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, body.subscriber_name)
            row.enabled = enabled
            session.add(row)

    def remove_subscriber(self, p: Principal, body: SubscriberName) -> None:
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, body.subscriber_name)
            for table in (IspringWebhookSubscription, IspringWebhookEvent):
                session.execute(delete(table).where(
                    col(table.tenant_id) == p.tenant_id,
                    col(table.subscriber) == row.name))
            session.delete(row)

    def send_confirmation_code(self, p: Principal, body: SubscriberName) -> None:
        """Queue the CONFIRMATION message with a new code (§5.10); only the latest code
        confirms. Its payload is the JSON text `{"code": "…"}`, as receivers parse it."""
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, now):
            row = self._subscriber(session, p, body.subscriber_name)
            row.code = token(12)
            session.add(row)
            _Outbox(session, p.tenant_id, now).send(row.name, "CONFIRMATION",
                                                    json.dumps({"code": row.code}))

    def confirm_subscriber(self, p: Principal, body: ConfirmRequest) -> None:
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, body.subscriber_name)
            if row.code is None or not hmac.compare_digest(row.code.encode(),
                                                           body.code.encode()):
                raise BadRequest("Wrong parameters: the confirmation code is wrong")
            row.confirmed = True
            row.code = None
            session.add(row)

    def subscribe(self, p: Principal, body: SubscribeRequest) -> None:
        """D21: one subscription per event type; subscribing again replaces its params."""
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, body.subscriber_name)
            kind = body.subscription.subscription_type
            sub = session.get(IspringWebhookSubscription, (p.tenant_id, row.name, kind))
            sub = sub or IspringWebhookSubscription(tenant_id=p.tenant_id, subscriber=row.name,
                                                    type=kind)
            sub.params = [{"name": x.name, "value": x.value} for x in body.subscription.params]
            session.add(sub)

    def unsubscribe(self, p: Principal, body: UnsubscribeRequest) -> None:
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, body.subscriber_name)
            sub = session.get(IspringWebhookSubscription,
                              (p.tenant_id, row.name, body.subscription_type))
            if sub is None:
                raise NotFound("Subscription not found")
            session.delete(sub)

    def subscriptions(self, p: Principal, name: str | None) -> list[IspringWebhookSubscription]:
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._subscriber(session, p, _subscriber_name(name))
            return list(session.exec(select(IspringWebhookSubscription).where(
                IspringWebhookSubscription.tenant_id == p.tenant_id,
                IspringWebhookSubscription.subscriber == row.name).order_by(
                col(IspringWebhookSubscription.type))).all())

    def subscriber_info(self, p: Principal, name: str | None) -> dict[str, str]:
        """ACTIVE/INACTIVE; CONFIRMED/UNCONFIRMED; notifications ACTIVE, INACTIVE (disabled or
        unconfirmed) or SUSPENDED while deliveries keep failing (inferred)."""
        p.require(Right.WEBHOOKS)
        with self._unit(p.tenant_id) as (session, now):
            self._expire_events(session, p.tenant_id, now)
            row = self._subscriber(session, p, _subscriber_name(name))
            failing = session.exec(select(IspringWebhookEvent.event_id).where(
                IspringWebhookEvent.tenant_id == p.tenant_id,
                IspringWebhookEvent.subscriber == row.name,
                IspringWebhookEvent.state == "pending",
                col(IspringWebhookEvent.attempts) > 0)).first()
            if not (row.enabled and row.confirmed):
                process = "INACTIVE"
            else:
                process = "SUSPENDED" if failing is not None else "ACTIVE"
            return {"subscriberStatus": "ACTIVE" if row.enabled else "INACTIVE",
                    "confirmationStatus": "CONFIRMED" if row.confirmed else "UNCONFIRMED",
                    "notificationProcessStatus": process}

    @staticmethod
    def _expire_events(session: Session, tenant_id: str, now: datetime,
                       ) -> list[IspringWebhookEvent]:
        """Drop events undeliverable for a day (their subscriber is then unconfirmed, §5.10);
        the events still pending, oldest first."""
        pending = session.exec(select(IspringWebhookEvent).where(
            IspringWebhookEvent.tenant_id == tenant_id,
            IspringWebhookEvent.state == "pending").order_by(
            col(IspringWebhookEvent.event_id))).all()
        kept = []
        for event in pending:
            subscriber = session.get(IspringWebhookSubscriber, (tenant_id, event.subscriber))
            if subscriber is not None and as_utc(event.created_at) + WEBHOOK_RETRY > now:
                kept.append(event)
                continue
            event.state = "dropped"
            session.add(event)
            if subscriber is not None and event.type != "CONFIRMATION":
                subscriber.confirmed = False
                session.add(subscriber)
        return kept

    def deliver_webhooks(self, tenant_id: str, send: Sender | None = None) -> None:
        """POST the account's pending events, consecutive ones of a type in one request.

        Runs after the response that queued them. A failed delivery is retried on the next
        run (the next call that queues events or manages webhooks) for one day of emulator
        time; then the events are dropped and the subscriber is unconfirmed (§5.10).
        """
        with self.ctx.db.transaction() as session:
            pending = self._expire_events(session, tenant_id, self.ctx.now(session, tenant_id))
            subscribers = {r.name: r for r in session.exec(select(IspringWebhookSubscriber)
                           .where(IspringWebhookSubscriber.tenant_id == tenant_id)).all()}
            batches: list[tuple[list[int], str, bytes, dict[str, str]]] = []
            for event in pending:
                subscriber = subscribers[event.subscriber]
                last = batches[-1] if batches else None
                if last is not None and last[1] == f"{subscriber.name}\n{event.type}":
                    last[0].append(event.event_id)
                else:
                    batches.append(([event.event_id], f"{subscriber.name}\n{event.type}", b"",
                                    {}))
            payloads = {e.event_id: e.payload for e in pending}
            ready = []
            for event_ids, key, _, _ in batches:
                name, kind = key.split("\n", 1)
                subscriber = subscribers[name]
                body = json.dumps({"type": kind, "payloads": [payloads[i] for i in event_ids]},
                                  ensure_ascii=False).encode()
                headers = {"Content-Type": "application/json"}
                if subscriber.secret:
                    headers["X-Hub-Signature"] = hashlib.sha256(
                        body + subscriber.secret.encode()).hexdigest()
                ready.append((event_ids, subscriber.callback_url, body, headers))
        if not ready:
            return
        if send is None:
            with httpx.Client(timeout=5.0, follow_redirects=False) as client:
                self.deliver_webhooks(
                    tenant_id, http_sender(client, self.ctx.settings.webhook_hosts))
            return
        outcomes = [(event_ids, send(url, body, headers))
                    for event_ids, url, body, headers in ready]
        with self.ctx.db.transaction() as session:
            for event_ids, error in outcomes:
                for event in session.exec(select(IspringWebhookEvent).where(
                        IspringWebhookEvent.tenant_id == tenant_id,
                        col(IspringWebhookEvent.event_id).in_(event_ids))).all():
                    event.attempts += 1
                    event.state = "delivered" if error is None else "pending"
                    event.last_error = error
                    session.add(event)


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[WebhooksOps, operations(WebhooksOps)]


def delivering(response: Response, request: Request, caller: Principal) -> Response:
    """Webhook events the operation queued go out once the response has been sent."""
    backend = ops_of(request, WebhooksOps)
    response.background = BackgroundTask(backend.deliver_webhooks, caller.tenant_id)
    return response


@router.post("/webhook/register")
def register_subscriber(request: Request, caller: Webhooks, body: Body,
                        backend: Backend) -> Response:
    """Register a webhook subscriber.

    Vendor doc: "Registering a Subscriber" (§5.10); Owner and Account Administrators only; a
    name already used → 400 (inferred). The subscriber must then be confirmed.
    """
    backend.register_subscriber(caller, SubscriberRequest.parse(body))
    return delivering(empty(request), request, caller)


@router.post("/webhook/settings/change")
def change_subscriber_settings(request: Request, caller: Webhooks, body: Body,
                               backend: Backend) -> Response:
    """Change a subscriber's callback URL and secret.

    Vendor doc: §5.10; a changed URL needs a new confirmation; unknown → 404.
    """
    backend.change_subscriber(caller, SubscriberRequest.parse(body))
    return delivering(empty(request), request, caller)


@router.post("/webhook/enable")
def enable_subscriber(request: Request, caller: Webhooks, body: Body,
                      backend: Backend) -> Response:
    """Enable a subscriber.

    Vendor doc: §5.10; unknown → 404 "Subscriber not found".
    """
    backend.set_subscriber_enabled(caller, SubscriberName.parse(body), True)
    return delivering(empty(request), request, caller)


@router.post("/webhook/disable")
def disable_subscriber(request: Request, caller: Webhooks, body: Body,
                       backend: Backend) -> Response:
    """Disable a subscriber (no events while disabled).

    Vendor doc: §5.10 (OAS operationId `DisabableSubscriber`); unknown → 404.
    """
    backend.set_subscriber_enabled(caller, SubscriberName.parse(body), False)
    return delivering(empty(request), request, caller)


@router.post("/webhook/remove")
def remove_subscriber(request: Request, caller: Webhooks, body: Body,
                      backend: Backend) -> Response:
    """Remove a subscriber with its subscriptions and undelivered events.

    Vendor doc: §5.10; unknown → 404.
    """
    backend.remove_subscriber(caller, SubscriberName.parse(body))
    return empty(request)


@router.post("/webhook/code/send")
def send_confirmation_code(request: Request, caller: Webhooks, body: Body,
                           backend: Backend) -> Response:
    """Send a confirmation code to the subscriber's callback URL.

    Vendor doc: "Sending a Verification Code" (§5.10); POSTs
    `{"type": "CONFIRMATION", "payloads": ["{\"code\":\"…\"}"]}` after the response.
    """
    backend.send_confirmation_code(caller, SubscriberName.parse(body))
    return delivering(empty(request), request, caller)


@router.post("/webhook/confirm")
def confirm(request: Request, caller: Webhooks, body: Body, backend: Backend) -> Response:
    """Confirm a subscriber with the code it received.

    Vendor doc: §5.10; only the latest code confirms; a wrong code → 400 (inferred).
    """
    backend.confirm_subscriber(caller, ConfirmRequest.parse(body))
    return delivering(empty(request), request, caller)


@router.post("/webhook/subscribe")
def subscribe(request: Request, caller: Webhooks, body: Body, backend: Backend) -> Response:
    """Subscribe to an event type.

    Vendor doc: "Adding a Subscription" (§5.10); params are JSON arrays in strings; one
    subscription per type, subscribing again replaces its params (D21). Not emulated: training
    events are accepted but never sent (the emulator has no trainings).
    """
    backend.subscribe(caller, SubscribeRequest.parse(body))
    return delivering(empty(request), request, caller)


@router.post("/webhook/unsubscribe")
def unsubscribe(request: Request, caller: Webhooks, body: Body, backend: Backend) -> Response:
    """Remove a subscription.

    Vendor doc: §5.10; unknown subscriber → 404 "Subscriber not found", unknown type → 404
    "Subscription not found".
    """
    backend.unsubscribe(caller, UnsubscribeRequest.parse(body))
    return delivering(empty(request), request, caller)


@router.get("/webhook/subscription/list")
def list_subscriptions(request: Request, caller: Webhooks, q: Query,
                       backend: Backend) -> Response:
    """List a subscriber's subscriptions.

    Vendor doc: §5.10 `[{subscriptionType, params}]`; XML items `<subscription>` with
    `<params><param>` (inferred).
    """
    rows = backend.subscriptions(caller, q.text("subscriberName"))
    return ok(request, Items("subscription", [subscription_tree(r) for r in rows]))


@router.get("/webhook/subscriber/info")
def get_subscriber_info(request: Request, caller: Webhooks, q: Query,
                        backend: Backend) -> Response:
    """Get a subscriber's status.

    Vendor doc: §5.10 `{subscriberStatus, confirmationStatus, notificationProcessStatus}`.
    """
    return delivering(ok(request, backend.subscriber_info(caller, q.text("subscriberName"))),
                      request, caller)
