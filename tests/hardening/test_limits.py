"""Size limits on a real server: bodies over the configured limit are a 413 in the vendor's
shape, refused without reading them whole (memory stays flat); long headers and query strings
are 431 and 414 in the vendor's shape; protocol garbage never takes the server down.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.hardening.harness import SPECS, check_refusal, operations
from tests.hardening.live import Server, head, read_response, stream_until_answered

pytestmark = pytest.mark.live

LIMIT = 1024 * 1024  # EMULATOR_MAX_BODY_BYTES for this module's server
# One body-taking operation per vendor, with the demo credentials.
TARGETS = {op.vendor: op for op in operations() if (op.vendor, op.name) in {
    ("thrive", "create_user"), ("ispring", "add_user"), ("dmtd", "create_learner")}}
MIB = 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = tmp_path_factory.mktemp("limits") / "limits.db"
    with Server(db, env={"EMULATOR_MAX_BODY_BYTES": str(LIMIT),
                         "EMULATOR_ACCESS_LOG": "false"}) as running:
        yield running
    assert "Traceback" not in running.output()


@pytest.mark.parametrize("declared_mib", [100, 1024])
@pytest.mark.parametrize("vendor", sorted(TARGETS))
def test_declared_oversized_body_is_413_before_it_is_sent(server: Server, vendor: str,
                                                         declared_mib: int) -> None:
    op = TARGETS[vendor]
    rss = server.rss_kib()
    response, sent = stream_until_answered(server, op, declared=declared_mib * 1024 * 1024,
                                           total=declared_mib * 1024 * 1024)
    assert response.status_code == 413
    check_refusal(op, response)
    assert f"exceeds {LIMIT} bytes" in response.text
    assert sent < 8 * 1024 * 1024, sent  # answered on the header, long before 100 MiB
    assert server.rss_kib() - rss < 32 * MIB


# Clients that write the whole body before reading the answer (urllib, many SDKs): the server
# answers early, then keeps reading and dropping the rest (bounded) so that the kernel does not
# reset the connection and discard the 413 unread.


def _urllib(server: Server, path: str, headers: dict[str, str],
            body: bytes) -> httpx.Response:
    request = urllib.request.Request(server.url + path, data=body, method="POST",
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return httpx.Response(answer.status, headers=dict(answer.headers),
                                  content=answer.read())
    except urllib.error.HTTPError as refused:
        return httpx.Response(refused.code, headers=dict(refused.headers),
                              content=refused.read())


def _httpx(server: Server, path: str, headers: dict[str, str], body: bytes) -> httpx.Response:
    return httpx.post(server.url + path, headers=headers, content=body, timeout=60)


def _raw_socket(server: Server, path: str, headers: dict[str, str],
                body: bytes) -> httpx.Response:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}",
             *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return read_response(sock, timeout=60)


CLIENTS: dict[str, Callable[[Server, str, dict[str, str], bytes], httpx.Response]] = {
    "urllib": _urllib, "httpx": _httpx, "raw socket": _raw_socket}


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_clients_that_write_everything_first_read_the_413(server: Server, client: str) -> None:
    op = TARGETS["ispring"]
    spec = SPECS["ispring"]
    headers = {**spec.auth, **spec.context, "Content-Type": "application/xml",
               "Accept": "application/xml"}
    rss = server.rss_kib()
    for mib in (12, 20, 100):
        body = b"<request>" + b"a" * (mib * 1024 * 1024) + b"</request>"
        response = CLIENTS[client](server, "/ispring/enrollment", headers, body)
        assert response.status_code == 413, (client, mib)
        assert response.text == ('<?xml version="1.0" encoding="UTF-8"?>\n<response><code>413'
                                 f'</code><message>Request body exceeds {LIMIT} bytes</message>'
                                 '</response>'), (client, mib)
        check_refusal(op, response)
    assert server.rss_kib() - rss < 32 * MIB


def test_a_client_that_stops_sending_is_let_go(server: Server) -> None:
    # The linger is bounded: a client that declared 1 GiB, sent a little and then neither
    # sends nor closes is disconnected once it has been idle (LINGER_IDLE_SECONDS).
    op = TARGETS["ispring"]
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(head(op, f"Content-Length: {1024 ** 3}\r\n") + b"[" * 65536)
        response = read_response(sock)
        assert response.status_code == 413
        check_refusal(op, response)
        sock.settimeout(20)
        assert sock.recv(65536) == b""  # end of stream: the server closed the connection


@pytest.mark.parametrize("vendor", sorted(TARGETS))
def test_streamed_body_without_length_is_cut_off_at_the_limit(server: Server,
                                                              vendor: str) -> None:
    op = TARGETS[vendor]
    rss = server.rss_kib()
    response, sent = stream_until_answered(server, op, declared=None, total=64 * 1024 * 1024)
    assert response.status_code == 413
    check_refusal(op, response)
    assert sent < 16 * LIMIT, sent  # the server stopped reading soon after the limit
    assert server.rss_kib() - rss < 32 * MIB


@pytest.mark.parametrize("vendor", sorted(TARGETS))
def test_the_limit_is_the_configured_one(server: Server, vendor: str) -> None:
    op = TARGETS[vendor]
    spec = SPECS[vendor]
    under = json.dumps({"x": "y" * (LIMIT - 100)}).encode()
    over = json.dumps({"x": "y" * LIMIT}).encode()
    with httpx.Client(base_url=server.url, headers={**spec.auth, **spec.context}) as http:
        response = http.post(spec.url(op), content=under,
                             headers={"Content-Type": "application/json"})
        assert response.status_code not in (413, 500), response.text[:300]
        response = http.post(spec.url(op), content=over,
                             headers={"Content-Type": "application/json"})
        assert response.status_code == 413
        check_refusal(op, response)


@pytest.mark.parametrize("vendor", sorted(TARGETS))
def test_long_headers_and_query_strings_are_refused_in_vendor_shape(server: Server,
                                                                    vendor: str) -> None:
    op = TARGETS[vendor]
    spec = SPECS[vendor]
    with httpx.Client(base_url=server.url, headers={**spec.auth, **spec.context}) as http:
        response = http.post(spec.url(op), headers={"X-Padding": "p" * 70_000}, json={})
        assert response.status_code == 431
        check_refusal(op, response)
        response = http.post(spec.url(op), headers={f"X-Pad-{i}": "p" * 20 for i in range(3000)},
                             json={})
        assert response.status_code == 431
        check_refusal(op, response)
        response = http.post(spec.url(op) + "?q=" + "z" * 17_000, json={})
        assert response.status_code == 414
        check_refusal(op, response)


PROTOCOL_GARBAGE = {
    "non-numeric Content-Length": b"Content-Length: abc\r\n",
    "negative Content-Length": b"Content-Length: -5\r\n",
    "Content-Length beyond 64 bits": b"Content-Length: 99999999999999999999999\r\n",
    "Content-Length with Transfer-Encoding": (b"Content-Length: 2\r\n"
                                              b"Transfer-Encoding: chunked\r\n"),
    "bad chunk size": b"Transfer-Encoding: chunked\r\n",
}


def test_protocol_garbage_closes_the_connection_and_the_server_stays_up(server: Server) -> None:
    # Framing errors are the HTTP server's to answer (plain 400, connection closed, so no
    # request smuggling); the vendor never sees them. What matters: nothing hangs or dies.
    op = TARGETS["dmtd"]
    for label, framing in PROTOCOL_GARBAGE.items():
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(head(op, framing.decode()) + b"ZZ\r\nabc\r\n0\r\n\r\n")
            response = read_response(sock)
            assert response.status_code == 400, label
            assert "Traceback" not in response.text
    long_path = "/dmtd/1/" + "a" * 70_000
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(f"GET {long_path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert read_response(sock).status_code in (400, 404, 414)
    assert httpx.get(f"{server.url}/_emulator/health").status_code == 200


def test_an_endless_header_is_cut_off_with_memory_flat(server: Server) -> None:
    # The HTTP layer (h11, bounded buffer) must give up long before the app could see it.
    rss = server.rss_kib()
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET /dmtd/1/learner HTTP/1.1\r\nHost: x\r\nX-Endless: ")
        deadline = time.monotonic() + 20
        try:
            while sent < 64 * 1024 * 1024 and time.monotonic() < deadline:
                sock.sendall(b"e" * 1024 * 1024)
                sent += 1024 * 1024
        except OSError:
            pass  # cut off: what a bounded server does
    growth = server.rss_kib() - rss
    assert growth < 32 * MIB, f"RSS grew {growth // MIB} MiB for a {sent >> 20} MiB header"
