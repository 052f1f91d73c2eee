"""DMTD's own `POST /1/authorize` curl example against a freshly started server on a real
socket: only the token (the demo one) and the base URL differ from the vendor page."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest

from emulator.testing.server import LiveServer

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with LiveServer() as server:
        yield server


def curl_example(base: str, body: str = '{ "userId": 1234 }',
                 token: str = "dmtd-demo-iframe-token") -> tuple[int, str]:
    run = subprocess.run([
        "curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "-X", "POST",
        "-H", "User-Agent: dmtd-rest-api",
        "-H", f"Authorization: Bearer {token}",
        "-H", "Accept: application/json",
        "-H", "Content-Type: application/json",
        "-H", "X-LearnerId: 1",
        "-d", body,
        f"{base}/1/authorize",
    ], capture_output=True, text=True, timeout=30, check=True)
    text, _, status = run.stdout.rpartition("\n")
    return int(status), text


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_documented_curl_example(live: LiveServer) -> None:
    base = f"{live.url}/dmtd"
    assert curl_example(base) == (200, "{}")
    assert curl_example(base) == (202, "{}")
    assert curl_example(base, '{ "userId": 99 }') == (
        404, '{"success":false,"message":"No user with userId 99 could be located"}')
    assert curl_example(base, "{ }") == (400, '{"success":false,"message":"The body of the '
                                              'request was invalid: userId or userCode is '
                                              'required"}')
    assert curl_example(base, token="L2Hth4lRwgHRBWtX8Hkl5w==") == (
        401, '{"success":false,"message":"The Bearer token is not valid"}')
