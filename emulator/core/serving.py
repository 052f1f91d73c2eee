"""The HTTP server protocol every way of serving uses: h11 with a bounded lingering close.

When the emulator answers before a request body has fully arrived (a 413 refused on its
`Content-Length`, or cut off past the limit), closing the socket at once would make the kernel
reset the connection while the client is still writing, and the reset discards the answer
unread: clients that write the whole body before reading (Python's `urllib`, many SDKs) see
`ConnectionResetError` instead of the 413. Like mature servers, the connection instead
*lingers*: the answer is sent, the write side is shut, and whatever the client still sends is
read and dropped, until it stops (end of stream, or idle for `LINGER_IDLE_SECONDS`) or a cap is
reached (`LINGER_BYTES`, `LINGER_SECONDS`), then the socket is closed. Nothing discarded is
kept, so memory stays flat whatever the client sends.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from emulator.core.settings import Settings

# Enough for a client to finish writing a body of several times the default 10 MiB limit;
# past it, the client is not going to read an answer anyway.
LINGER_BYTES = 256 * 1024 * 1024
LINGER_SECONDS = 30.0
LINGER_IDLE_SECONDS = 2.0


class _LingeringTransport:
    """The connection's transport as the protocol sees it: `close()` lingers when needed."""

    def __init__(self, transport: asyncio.Transport, protocol: LingeringH11Protocol) -> None:
        self._transport = transport
        self._protocol = protocol

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def is_closing(self) -> bool:
        return self._protocol.lingering or self._transport.is_closing()

    def close(self) -> None:
        protocol = self._protocol
        if (not protocol.lingering and not self._transport.is_closing()
                and protocol.conn.their_state is h11.SEND_BODY):
            protocol.start_lingering(self._transport)
        else:
            self._transport.close()


class LingeringH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing with a bounded linger after an early answer."""

    lingering = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._discarded = 0
        self._timers: list[asyncio.TimerHandle] = []
        self._raw = transport
        super().connection_made(_LingeringTransport(transport, self))  # type: ignore[arg-type]

    def start_lingering(self, transport: asyncio.Transport) -> None:
        self.lingering = True
        if transport.can_write_eof():
            transport.write_eof()  # the answer is complete: the client may read it now
        transport.resume_reading()
        self._timers.append(self.loop.call_later(LINGER_SECONDS, self._end_lingering))
        self._rearm_idle()

    def _rearm_idle(self) -> None:
        if len(self._timers) > 1:
            self._timers.pop().cancel()
        self._timers.append(self.loop.call_later(LINGER_IDLE_SECONDS, self._end_lingering))

    def _end_lingering(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        self._raw.close()

    def data_received(self, data: bytes) -> None:
        if not self.lingering:
            super().data_received(data)
            return
        self._discarded += len(data)
        if self._discarded >= LINGER_BYTES:
            self._end_lingering()
        else:
            self._rearm_idle()

    def connection_lost(self, exc: Exception | None) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        super().connection_lost(exc)


def server_protocol(settings: Settings) -> dict[str, Any]:
    """uvicorn options for HTTP/1.1: h11, whose header buffer is bounded (httptools would
    buffer a header block of any size before the app could answer 431), lingering on close."""
    return {"http": LingeringH11Protocol,
            "h11_max_incomplete_event_size": settings.max_header_bytes * 2}
