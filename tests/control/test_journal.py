"""The journal: what was received and sent, filterable, redacted and bounded."""

from collections.abc import Callable

import httpx
import pytest

from tests.helpers import THRIVE_AUTH, THRIVE_UNKNOWN


def test_vendor_request_round_trip(client: httpx.Client) -> None:
    sent = client.post(THRIVE_UNKNOWN + "?a=1", headers={**THRIVE_AUTH, "X-Trace": "t1"},
                       json={"name": "x"})
    assert sent.status_code == 404
    client.get("/_emulator/health")  # control-plane requests are not journaled
    body = client.get("/_emulator/journal").json()
    assert body["total"] == 1
    assert body["max"] == 10_000
    (entry,) = body["entries"]
    assert entry["vendor"] == "thrive"
    assert entry["method"] == "POST"
    assert entry["path"] == "/rest/v1/no-such-resource"
    assert entry["query"] == "a=1"
    assert entry["status"] == 404
    assert entry["durationMs"] >= 0
    assert entry["request"]["headers"]["x-trace"] == "t1"
    assert entry["request"]["body"] == '{"name":"x"}'
    assert entry["response"]["body"] == sent.text
    assert entry["response"]["headers"]["content-type"] == "application/json"
    assert entry["fault"] is None


def test_secrets_are_redacted(client: httpx.Client) -> None:
    client.post(THRIVE_UNKNOWN, headers={**THRIVE_AUTH, "X-Auth-Password": "hunter2"},
                json={"client_secret": "s3cr3t", "password": "p4ss", "keep": "visible",
                      "nested": [{"access_token": "t0k3nv"}]})
    client.post(THRIVE_UNKNOWN, headers={"X-Password": "pw"},
                data={"client_id": "c", "client_secret": "s3cr3t",
                      "grant_type": "client_credentials"})
    client.post(THRIVE_UNKNOWN, headers={"Content-Type": "application/xml"},
                content=b"<r><password>p4ss</password>"
                        b"<access_token a='1'>t0k3nv</access_token></r>")
    dump = client.get("/_emulator/journal").text
    for secret in ("hunter2", "s3cr3t", "p4ss", "t0k3nv", "thrive-demo-secret", '"pw"'):
        assert secret not in dump
    entries = client.get("/_emulator/journal").json()["entries"]
    assert entries[0]["request"]["headers"]["authorization"] == "Basic ***"
    assert entries[0]["request"]["headers"]["x-auth-password"] == "***"
    assert '"keep": "visible"' in entries[0]["request"]["body"]
    assert entries[1]["request"]["body"] == \
        "client_id=c&client_secret=***&grant_type=client_credentials"
    assert entries[2]["request"]["body"] == \
        "<r><password>***</password><access_token a='1'>***</access_token></r>"
    client.get(THRIVE_UNKNOWN + "?access_token=abc123&page=2")
    assert client.get("/_emulator/journal?limit=1").json()["entries"][0]["query"] == \
        "access_token=***&page=2"
    client.post(THRIVE_UNKNOWN, content=b"password=abc&x=1")
    assert client.get("/_emulator/journal?limit=1").json()["entries"][0]["request"]["body"] == \
        "password=***&x=1"


@pytest.mark.parametrize(("query", "count"), [
    ("vendor=thrive", 2), ("vendor=dmtd", 1), ("method=post", 1), ("status=404", 3),
    ("path=/1/*", 1), ("path=/rest/*", 2), ("path=no-such", 3), ("limit=1", 1),
    ("since=2999-01-01T00:00:00Z", 0),
])
def test_filters(client: httpx.Client, query: str, count: int) -> None:
    client.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH)
    client.post(THRIVE_UNKNOWN, headers=THRIVE_AUTH, json={})
    client.get("/dmtd/1/no-such-resource", headers={"Authorization": "Bearer dmtd-demo-token"})
    assert len(client.get(f"/_emulator/journal?{query}").json()["entries"]) == count


def test_clear(client: httpx.Client) -> None:
    client.get(THRIVE_UNKNOWN, headers=THRIVE_AUTH)
    assert client.delete("/_emulator/journal").json() == {"deleted": 1}
    assert client.get("/_emulator/journal").json()["entries"] == []


def test_bounded_oldest_dropped_and_bodies_truncated(
        emulator_with: Callable[..., httpx.Client]) -> None:
    small = emulator_with(journal_max=3, journal_body_max=10)
    for i in range(5):
        small.post(f"{THRIVE_UNKNOWN}/{i}", headers=THRIVE_AUTH, content=b"x" * 20)
    entries = small.get("/_emulator/journal").json()["entries"]
    assert [e["path"][-1] for e in entries] == ["2", "3", "4"]
    assert entries[0]["request"]["body"] == "xxxxxxxxxx... [truncated, 20 bytes]"


def test_bad_filter_is_a_json_error(client: httpx.Client) -> None:
    response = client.get("/_emulator/journal?status=abc")
    assert response.status_code == 400
    assert response.json() == {"error": {"status": 400, "message":
                                         "status: Input should be a valid integer, unable to "
                                         "parse string as an integer"}}


def test_deeply_nested_json_is_journaled_as_text(client: httpx.Client) -> None:
    body = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    response = client.post("/dmtd/1/user", content=body,
                           headers={"Content-Type": "application/json",
                                    "Authorization": "Bearer dmtd-demo-iframe-token"})
    assert response.status_code == 400
    (entry,) = client.get("/_emulator/journal").json()["entries"]
    assert entry["request"]["body"].startswith('{"a":{"a":')
    assert entry["request"]["body"].endswith("... [truncated, 600001 bytes]")
