"""The iSpring sub-app: negotiation, path prefixes, hosts, unknown paths, journal, faults."""

from __future__ import annotations

import httpx
import pytest

from tests.ispring.support import (
    ALL_DEPARTMENTS,
    JSON,
    OWNER,
    TOKEN_FORM,
    U_ALICE,
    access_token,
    assert_error,
    assert_json_error,
    department_ids,
)

XML_ACCEPT = {"Accept": "application/xml"}


def test_format_follows_accept_exactly(client: httpx.Client) -> None:
    for accept, kind in ((None, "application/xml"), ("*/*", "application/xml"),
                         ("application/xml", "application/xml"),
                         ("application/json, text/plain, */*", "application/xml"),
                         ("application/json", "application/json"),
                         (" Application/JSON ; charset=utf-8", "application/json")):
        headers = {**OWNER, "Content-Type": "application/json", "X-Target-Locale": "en-US"}
        if accept is not None:
            headers["Accept"] = accept
        response = client.get("/ispring/group", headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == kind, accept


def test_prefixes_and_trailing_slash(client: httpx.Client) -> None:
    for prefix in ("", "/api/v2", "/index.php/api/v2"):
        for suffix in ("", "/"):
            response = client.get(f"/ispring{prefix}/department{suffix}",
                                  headers={**OWNER, **JSON})
            assert department_ids(response) == ALL_DEPARTMENTS, prefix + suffix


def test_vendor_hosts_serve_at_the_root(client: httpx.Client) -> None:
    for host in ("api-learn.ispringlearn.com", "api-learn.ispringlearn.ru:443",
                 "api-learn.ispring.eu", "demo.ispringlearn.com",
                 "other-account.ispringlearn.eu"):
        # The account comes from X-Auth-Account-Url, never from Host.
        response = client.get("/api/v2/department", headers={**OWNER, **JSON, "Host": host})
        assert department_ids(response) == ALL_DEPARTMENTS, host
        token = client.post("/api/v3/token", data=TOKEN_FORM, headers={"Host": host})
        assert token.status_code == 200, host


def test_unknown_path_and_wrong_method(client: httpx.Client) -> None:
    assert_error(client.get("/ispring/courses", headers=OWNER), 404, "Not found")
    assert_json_error(client.get("/ispring/nothing/here", headers={**OWNER, **JSON}), 404,
                      "Not found")
    assert_error(client.put("/ispring/department", headers=OWNER), 405, "Method not allowed")
    # The token endpoint answers JSON unless XML alone is asked for (D15), errors included.
    assert_json_error(client.get("/ispring/api/v3/token"), 405, "Method not allowed")


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("DELETE", "/department", "GET, POST"),
    ("PUT", "/api/v2/department/", "GET, POST"),
    ("PATCH", f"/user/{U_ALICE}", "DELETE, GET, POST"),
    ("GET", "/api/v3/token", "POST"),
])
def test_wrong_method_names_the_allowed_ones(client: httpx.Client, method: str, path: str,
                                             allow: str) -> None:
    # RFC 9110 §15.5.6: a 405 carries Allow, listing every method the path serves.
    response = client.request(method, f"/ispring{path}", headers={**OWNER, **XML_ACCEPT})
    assert_error(response, 405, "Method not allowed")
    assert response.headers["allow"] == allow


def test_journal_files_requests_under_the_account(client: httpx.Client) -> None:
    client.get("/ispring/department", headers=OWNER)
    entries = client.get("/_emulator/journal?vendor=ispring").json()["entries"]
    assert [(e["tenant"], e["operation"], e["path"], e["status"]) for e in entries] == [
        ("demo.ispringlearn.com", "get_departments", "/department", 200)]
    assert entries[0]["request"]["headers"]["x-auth-password"] == "***"


def test_injected_fault_has_the_vendor_body(client: httpx.Client) -> None:
    token = access_token(client)
    fault = client.post("/_emulator/faults", json={
        "vendor": "ispring", "tenant": "demo.ispringlearn.com", "path": "/group",
        "effect": {"type": "error", "status": 503}, "times": 1})
    assert fault.status_code == 201
    assert_json_error(client.get("/ispring/group", headers={"Authorization": token, **JSON}),
                      503, "Service Unavailable")
    assert client.get("/ispring/group", headers={"Authorization": token}).status_code == 200
