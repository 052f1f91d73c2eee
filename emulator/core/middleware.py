"""Pure-ASGI layers: host routing and the recorder (root app), the vendor gate (each vendor).

- `HostRouter` serves a vendor at the root path when the Host header is one of its real names.
- `Recorder` writes the access-log line for every request and the journal entry for every
  vendor request, before the response's last byte leaves (a client that reads the journal right
  after its response always finds its request).
- `VendorGate` wraps a vendor sub-app: size limits (bytes, and items per `bodies`), fault
  injection, and a last-resort catch so
  that no exception ever becomes a traceback or a non-vendor body.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from fnmatch import fnmatchcase
from http import HTTPStatus
from typing import Any

import anyio
from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.core import control_cache
from emulator.core import faults as faults_mod
from emulator.core import unit as request_unit
from emulator.core.bodies import check_items
from emulator.core.clock import utcnow
from emulator.core.errors import (
    BodyTooLarge,
    EmulatorError,
    InjectedFault,
    InternalError,
)
from emulator.core.journal_writer import JournalWriter
from emulator.core.models import Tenant
from emulator.core.redact import redact_body, redact_headers, redact_query
from emulator.core.vendor import Context, Vendor

access_log = logging.getLogger("emulator.access")
HOSTS_REMEMBERED = 1024
error_log = logging.getLogger("emulator.error")


class FaultDisconnect(Exception):
    """Raised to make the server close the connection (dropped or truncated response)."""


def _state(scope: Scope) -> dict[str, Any]:
    state: dict[str, Any] = scope.setdefault("state", {})
    return state


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _client_error_reason(held: list[Message], limit: int = 300) -> str:
    """A client error's body on one line (vendor error bodies carry the reason), cut short and
    with secrets masked as in the journal (an error body may echo what the client sent)."""
    body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
    start = next((m for m in held if m["type"] == "http.response.start"), {})
    headers: list[tuple[bytes, bytes]] = list(start.get("headers", []))
    content_type = redact_headers(headers).get("content-type", "")
    text = " ".join(redact_body(body, content_type, len(body)).split())
    return (text[:limit] + "...") if len(text) > limit else (text or "(empty body)")


class HostRouter:
    def __init__(self, app: ASGIApp, host_map: Mapping[str, tuple[str, ...]]) -> None:
        self.app = app
        self.host_map = host_map
        self._known: dict[str, str | None] = {}

    def vendor_for_host(self, host: str) -> str | None:
        # Every request asks, with one of a handful of Host values: remembered per app.
        if host not in self._known:
            if len(self._known) >= HOSTS_REMEMBERED:
                self._known.clear()
            self._known[host] = self._match_host(host)
        return self._known[host]

    def _match_host(self, host: str) -> str | None:
        host = host.strip().lower()
        if host.startswith("["):
            host = host[1:].split("]", 1)[0]
        else:
            host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        host = host.rstrip(".")
        for vendor, patterns in self.host_map.items():
            if any(fnmatchcase(host, p) for p in patterns):
                return vendor
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if any(c in scope["path"] for c in "\r\n"):
                # Routing patterns stop at line breaks, so a decoded %0A would drop a request
                # out of its vendor; kept escaped, it is just an unknown id there.
                scope = dict(scope)
                scope["path"] = scope["path"].replace("\r", "%0D").replace("\n", "%0A")
            vendor = self.vendor_for_host(_header(scope, b"host") or "")
            path: str = scope["path"]
            if vendor and not path.startswith("/_emulator"):
                scope = dict(scope)
                scope["path"] = f"/{vendor}{path}"
                raw = scope.get("raw_path")
                if raw is not None:
                    scope["raw_path"] = f"/{vendor}".encode() + raw
                _state(scope)["host_routed"] = vendor
        await self.app(scope, receive, send)


class Recorder:
    def __init__(self, app: ASGIApp, ctx: Context) -> None:
        self.app = app
        self.ctx = ctx
        self.units = request_unit.UnitManager(ctx.db)
        self.journal_writer = JournalWriter(ctx.db, ctx.settings.journal_max)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        at = utcnow()
        _state(scope)  # created here so every layer below shares the same dict
        path: str = scope["path"]
        segment = path.split("/", 2)[1] if path.count("/") >= 1 else ""
        vendor = segment if segment in self.ctx.vendors else None
        body_max = self.ctx.settings.journal_body_max
        request_body = bytearray()
        request_size = 0

        async def tee_receive() -> Message:
            nonlocal request_size
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                request_size += len(chunk)
                if len(request_body) <= body_max:
                    request_body.extend(chunk[: body_max + 1 - len(request_body)])
            return message

        held: list[Message] = []
        status = 0
        elapsed = 0.0
        settled = False

        async def settle(unit: request_unit.RequestUnit | None) -> None:
            # The request's unit ends and its journal entry is committed before the client
            # sees a byte (read-your-writes; see `emulator.core.unit`).
            nonlocal settled, elapsed
            if settled:
                return
            settled = True
            elapsed = (time.perf_counter() - started) * 1000
            if vendor is None or unit is None:
                return
            entry = self._entry(scope, vendor, at, elapsed, status,
                                (bytes(request_body), request_size), held)
            try:
                await unit.close()
                await self.journal_writer.write(entry)
            except Exception:  # the journal must never break the vendor response
                error_log.exception("journal write failed")

        async def hold_send(message: Message) -> None:
            # Held until the app returns (background work included), as before.
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                # The operation is done: end its unit now, before background tasks run.
                await settle(request_unit.current())

        async def finish(unit: request_unit.RequestUnit | None) -> None:
            await settle(unit)
            if self.ctx.settings.access_log:
                query = redact_query(scope.get("query_string", b"").decode("latin-1"))
                shown = f"{path}?{query}" if query else path
                access_log.info("%s %s %d %.1fms", scope["method"], shown, status, elapsed)
                if 400 <= status < 500 and access_log.isEnabledFor(logging.DEBUG):
                    access_log.debug("%s %s %d reason: %s", scope["method"], shown, status,
                                     _client_error_reason(held))
            for message in held:
                await send(message)

        if vendor is None:
            await self.app(scope, tee_receive, hold_send)
            await finish(None)
            return
        with self.units.activate() as unit:
            try:
                await self.app(scope, tee_receive, hold_send)
            except FaultDisconnect:
                await finish(unit)
                raise
            await finish(unit)

    def _entry(self, scope: Scope, vendor: str, at: Any, elapsed: float, status: int,
               request_body: tuple[bytes, int], held: list[Message]) -> dict[str, Any]:
        state = _state(scope)
        response_headers: list[tuple[bytes, bytes]] = []
        response_body = bytearray()
        for message in held:
            if message["type"] == "http.response.start":
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                response_body.extend(message.get("body", b""))
        req_headers = redact_headers(list(scope.get("headers", [])))
        resp_headers = redact_headers(response_headers)
        limit = self.ctx.settings.journal_body_max
        endpoint = scope.get("endpoint")
        prefix = f"/{vendor}"
        return dict(
            at=at,
            vendor=vendor,
            tenant=state.get("tenant"),
            operation=getattr(endpoint, "__name__", None) if endpoint is not None else None,
            method=scope["method"],
            path=scope["path"][len(prefix):] or "/",
            query=redact_query(scope.get("query_string", b"").decode("latin-1")),
            status=status,
            duration_ms=elapsed,
            request_headers=req_headers,
            request_body=redact_body(request_body[0], req_headers.get("content-type", ""), limit,
                                     size=request_body[1]),
            response_headers=resp_headers,
            response_body=redact_body(bytes(response_body), resp_headers.get("content-type", ""),
                                      limit),
            fault=state.get("fault"),
        )


class VendorGate:
    def __init__(self, app: ASGIApp, vendor: Vendor, ctx: Context) -> None:
        self.app = app
        self.vendor = vendor
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)

        async def send_with_tenant(message: Message) -> None:
            if message["type"] == "http.response.start" and "tenant" not in _state(scope):
                # Auth did not run or failed (unknown route, 401, fault): file the request
                # under the tenant its credentials name, if that tenant exists.
                tenant = await anyio.to_thread.run_sync(self._claimed_tenant, request)
                if tenant is not None:
                    _state(scope)["tenant"] = tenant
            await send(message)

        await self._serve(scope, receive, send_with_tenant, request)

    def _claimed_tenant(self, request: Request) -> str | None:
        """Best effort: the answer is already sent, so a failure here is only logged."""
        try:
            with self.ctx.db.read() as session:
                tenant_id = self.vendor.identify_tenant(session, request)
                if tenant_id is None:
                    return None
                tenant = session.get(Tenant, tenant_id)
                return tenant_id if tenant is not None and tenant.vendor == self.vendor.name \
                    else None
        except Exception:
            error_log.exception("tenant lookup for the journal failed")
            return None

    async def _serve(self, scope: Scope, receive: Receive, downstream: Send,
                     request: Request) -> None:
        started = completed = False

        async def send(message: Message) -> None:
            nonlocal started, completed
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                completed = True
            await downstream(message)

        try:
            body = await self._admit(scope, receive)
            unit = request_unit.current()
            if unit is not None:
                await self._open(unit, scope["method"])
            effect = await self._fault(scope, request)
            replay = _replayer(body, receive)
            if effect is None:
                await self._run(scope, body, receive, send, unit)
            elif isinstance(effect, faults_mod.DropEffect):
                await self._drop(request, send)
            elif isinstance(effect, faults_mod.TruncateEffect):
                await self._truncate(scope, replay, send)
            else:
                await self.app(scope, replay, send)
        except FaultDisconnect:
            raise
        except EmulatorError as exc:
            if started:
                raise FaultDisconnect() from exc
            await self.vendor.render_error(request, exc)(scope, receive, send)
        except Exception as exc:
            error_log.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if completed:
                return  # the vendor's 500 already went out (Starlette re-raises after it)
            if started:
                raise FaultDisconnect() from exc
            await self.vendor.render_error(request, InternalError())(scope, receive, send)

    async def _open(self, unit: request_unit.RequestUnit, method: str) -> None:
        """The control state, read in the unit; the unit stays open for a read (see
        `emulator.core.unit`), not while a fault is armed (firing one counts: a write)."""
        await unit.open(control_cache.read)
        known = unit.memo.get(control_cache.MEMO)
        if method not in request_unit.SAFE_METHODS or known is None or known.faults_armed:
            await unit.close()

    async def _run(self, scope: Scope, body: bytes, receive: Receive, send: Send,
                   unit: request_unit.RequestUnit | None) -> None:
        """The vendor app in the request's unit; again outside it if a read turned out to write."""
        original = dict(scope)
        try:
            await self.app(scope, _replayer(body, receive), send)
        except BaseException as exc:
            if unit is None or not _needs_write(exc):
                raise
            scope.clear()
            scope.update(original)  # the same dict: outer layers read what routing adds
            await unit.close()
            await self.app(scope, _replayer(body, receive), send)

    async def _admit(self, scope: Scope, receive: Receive) -> bytes:
        """Check header, query and body limits; read the body (bounded) for replay."""
        settings = self.ctx.settings
        header_bytes = sum(len(k) + len(v) for k, v in scope.get("headers", ()))
        if header_bytes > settings.max_header_bytes:
            raise EmulatorError("Request headers too large", status=431)
        if len(scope.get("query_string", b"")) > settings.max_query_bytes:
            raise EmulatorError("Request URI too long", status=414)
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > settings.max_body_bytes:
            raise BodyTooLarge(f"Request body exceeds {settings.max_body_bytes} bytes")
        chunks = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunks.extend(message.get("body", b""))
            if len(chunks) > settings.max_body_bytes:
                raise BodyTooLarge(f"Request body exceeds {settings.max_body_bytes} bytes")
            if not message.get("more_body", False):
                break
        body = bytes(chunks)
        await check_items(body)
        return body

    async def _fault(self, scope: Scope, request: Request) -> object | None:
        """The effect of the first applicable fault (errors raise; latency sleeps here)."""
        vendor = self.vendor.name
        method: str = scope["method"]
        full_path: str = scope["path"]
        vendor_path = full_path[len(vendor) + 1:] or "/"

        unit = request_unit.current()
        known = unit.memo.get(control_cache.MEMO) if unit is not None else None
        if known is not None and not known.faults_armed:
            return None

        def pick() -> tuple[dict[str, Any], faults_mod.FaultSpec, float] | None:
            with self.ctx.db.transaction() as session:
                if not control_cache.read(session.connection()).faults_armed:
                    return None
                candidates = faults_mod.active(session, vendor)
                if not candidates:
                    return None
                tenant = None
                if any(spec.tenant for _, spec in candidates):
                    tenant = self.vendor.identify_tenant(session, request)
                for fault, spec in candidates:
                    if not faults_mod.matches(spec, method=method, path=full_path,
                                              vendor_path=vendor_path, tenant=tenant):
                        continue
                    note = faults_mod.fire(session, fault, spec, self.ctx.clock)
                    if note is not None:
                        delay = 0.0
                        if isinstance(spec.effect, faults_mod.LatencyEffect):
                            delay = faults_mod.latency_ms(spec.effect, fault, spec)
                        return note, spec, delay
                return None

        picked = await anyio.to_thread.run_sync(pick)
        if picked is None:
            return None
        info, spec, delay = picked
        _state(scope)["fault"] = info
        effect = spec.effect
        if isinstance(effect, faults_mod.ErrorEffect):
            message = (effect.message or self.vendor.default_message(effect.status)
                       or _reason(effect.status))
            raise InjectedFault(message, status=effect.status)
        if isinstance(effect, faults_mod.RateLimitEffect):
            raise InjectedFault(self.vendor.default_message(429) or _reason(429), status=429,
                                headers={"Retry-After": str(info["retryAfter"])})
        if isinstance(effect, faults_mod.LatencyEffect):
            info["delayMs"] = round(delay, 3)
            await asyncio.sleep(delay / 1000)
        return effect

    async def _drop(self, request: Request, send: Send) -> None:
        # ASGI has no way to close a socket before a response starts (servers answer 500), so
        # the connection is cut right after the status line: clients see it end with no body.
        response = self.vendor.render_error(request, EmulatorError("Connection dropped",
                                                                   status=503))
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": response.raw_headers})
        raise FaultDisconnect()

    async def _truncate(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the operation for real, then send only half of its body and cut the connection."""
        messages: list[Message] = []

        async def collect(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, collect)
        start = next(m for m in messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        await send(start)
        await send({"type": "http.response.body", "body": body[: len(body) // 2],
                    "more_body": True})
        raise FaultDisconnect()


def _replayer(body: bytes, receive: Receive) -> Receive:
    """Hand the already-read body to the app, then pass on what the server says (disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _needs_write(exc: BaseException) -> bool:
    """`NeedsWrite`, also when a task group on the way wrapped it in an exception group."""
    if isinstance(exc, request_unit.NeedsWrite):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return any(_needs_write(inner) for inner in exc.exceptions)
    return False


def _reason(status: int) -> str:
    if status == 422:
        return "Unprocessable Content"  # RFC 9110's name; Python still says "Entity"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
