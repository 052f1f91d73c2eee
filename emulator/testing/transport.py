"""A synchronous httpx transport that drives the ASGI app in-process (no socket)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import anyio.from_thread
import httpx
from starlette.types import ASGIApp

from emulator.core.middleware import FaultDisconnect


class InProcessTransport(httpx.BaseTransport):
    """Runs each request through the full application stack on a background event loop.

    An injected dropped connection or truncated body surfaces as `httpx.RemoteProtocolError`,
    the same exception a client sees from a real socket.
    """

    def __init__(self, app: ASGIApp, *, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self._asgi = httpx.ASGITransport(app=app, client=client)
        self._portal_cm = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_cm.__enter__()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()

        async def run() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            async_request = httpx.Request(request.method, request.url,
                                          headers=request.headers.raw, content=content)
            try:
                response = await self._asgi.handle_async_request(async_request)
            except FaultDisconnect:
                raise httpx.RemoteProtocolError(
                    "Server disconnected (injected fault)", request=request) from None
            body = await response.aread()
            return response.status_code, response.headers.raw, body

        status, headers, body = self._portal.call(run)
        return httpx.Response(status, headers=headers, content=body, request=request)

    def close(self) -> None:
        self._portal_cm.__exit__(None, None, None)

    def __exit__(self, exc_type: type[BaseException] | None = None,
                 exc_value: BaseException | None = None,
                 traceback: TracebackType | None = None) -> None:
        self.close()


# The base URL of an in-process emulator. `.invalid` never resolves (RFC 6761), so a client
# that does not share the in-process transport fails at once with a name error, instead of
# reaching whatever server listens on a real loopback port.
IN_PROCESS_URL = "http://lms-emulator.invalid"


def in_process_client(app: ASGIApp, base_url: str = "http://127.0.0.1:8800",
                      **kwargs: Any) -> httpx.Client:
    return httpx.Client(transport=InProcessTransport(app), base_url=base_url, **kwargs)
