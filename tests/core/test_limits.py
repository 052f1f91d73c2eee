"""Size limits: oversized bodies, headers and query strings get the vendor's own error shape."""

from collections.abc import Callable

import httpx
import pytest

from tests.helpers import THRIVE_AUTH


@pytest.fixture(scope="module")
def small(emulator_with: Callable[..., httpx.Client]) -> httpx.Client:
    return emulator_with(max_body_bytes=1000, max_header_bytes=2000, max_query_bytes=500)


def test_thrive_body_too_large(small: httpx.Client) -> None:
    response = small.post("/thrive/rest/v1/assignments", headers=THRIVE_AUTH,
                          content=b"{" + b" " * 2000 + b"}")
    assert response.status_code == 413
    assert response.json() == {"status": 413, "error": "Payload Too Large",
                               "message": "Request body exceeds 1000 bytes"}


def test_streamed_body_without_length_is_cut_off(small: httpx.Client) -> None:
    def chunks() -> object:
        for _ in range(100):
            yield b"x" * 100

    response = small.post("/dmtd/1/learner", content=chunks(),  # type: ignore[arg-type]
                          headers={"Authorization": "Bearer dmtd-demo-token"})
    assert response.status_code == 413
    assert response.json() == {"success": False, "message": "Request body exceeds 1000 bytes"}


def test_ispring_body_too_large_in_xml(small: httpx.Client) -> None:
    response = small.post("/ispring/enrollment", content=b"<request>" + b"a" * 2000)
    assert response.status_code == 413
    assert response.text == ('<?xml version="1.0" encoding="UTF-8"?>\n<response><code>413</code>'
                             "<message>Request body exceeds 1000 bytes</message></response>")


def test_headers_and_query_bounded(small: httpx.Client) -> None:
    response = small.get("/thrive/rest/v1/users", headers={"X-Big": "y" * 3000})
    assert response.status_code == 431
    assert response.json()["error"] == "Request Header Fields Too Large"
    response = small.get("/thrive/rest/v1/users?q=" + "z" * 600)
    assert response.status_code == 414
    assert response.json() == {"status": 414, "error": "URI Too Long",
                               "message": "Request URI too long"}


def test_declared_oversized_body_is_not_read(small: httpx.Client) -> None:
    small.delete("/_emulator/journal")
    small.post("/dmtd/1/user", content=b"q" * 5000)
    (entry,) = small.get("/_emulator/journal").json()["entries"]
    assert entry["status"] == 413
    assert entry["request"]["body"] == ""  # refused on Content-Length before any read
