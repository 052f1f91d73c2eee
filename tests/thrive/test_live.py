"""The documented assignment example against a freshly started server process, over a socket."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.thrive.support import AUTH, CONTENTS, FULL_CLIENT, TENANT, basic, bearer

pytestmark = pytest.mark.live

EXAMPLE = {"audienceId": "engineering", "contentId": CONTENTS["quiz"],
           "alternativeContentIds": [CONTENTS["kickoff"]], "hideAlternativeContent": False,
           "completionPeriod": 30, "recurrence": 365}


@contextmanager
def serving(db: Path, *args: str) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", str(port),
                             "--db", str(db), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/_emulator/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_assignment_example_with_basic_and_oauth(tmp_path: Path) -> None:
    # Two worker processes: the token issued by one must work on the other.
    with serving(tmp_path / "thrive.db", "--workers", "2") as base, \
            httpx.Client(base_url=f"{base}/thrive") as http:
        with_basic = http.post("/rest/v1/assignments", headers=AUTH, json=EXAMPLE)
        assert with_basic.status_code == 201, with_basic.text
        issued = http.post(f"/oauth2/token/{TENANT}", headers=basic(*FULL_CLIENT),
                           data={"grant_type": "client_credentials", "scope": "api/write"})
        assert issued.status_code == 200, issued.text
        access = bearer(issued.json()["access_token"])
        example = {**EXAMPLE, "audienceId": "sales"}
        with_token = http.post("/rest/v1/assignments", headers=access, json=example)
        assert with_token.status_code == 201, with_token.text
        for body, audience in ((with_basic.json(), "68c13e110000000003000002"),
                               (with_token.json(), "68c13e120000000003000003")):
            assert body == {**body, "audienceId": audience, "primaryContentId": CONTENTS["quiz"],
                            "isActive": True, "isDeleted": False, "deletedAt": None}
        # Every worker process finds the token: it lives in the database.
        for _ in range(8):
            listed = http.get("/rest/v1/assignments", headers=access)
            assert [a["id"] for a in listed.json()][-2:] == [with_basic.json()["id"],
                                                           with_token.json()["id"]]
