"""Authentication (login headers, tokens), content negotiation, paths and hosts."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.ispring.support import (
    ACCOUNT_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    JSON,
    LEARNER,
    MARKETING,
    OWNER,
    ROOT,
    SALES,
    SALES_EAST,
    access_token,
    assert_error,
    assert_json_error,
    created_id,
    login,
)

TOKEN_FORM = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
              "grant_type": "client_credentials"}
ALL_DEPARTMENTS = [ROOT, MARKETING, SALES, SALES_EAST]


def department_ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [d["departmentId"] for d in response.json()]


# -- the token endpoint ---------------------------------------------------------------------------

TOKEN_PATHS = ["/ispring/api/v3/token", "/ispring/api/v3/token/",
               "/ispring/index.php/api/v3/token", "/ispring/api/v2/api/v3/token",
               "/ispring/index.php/api/v2/api/v3/token"]


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_token_json(client: httpx.Client, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    tokens = set()
    for path in TOKEN_PATHS:
        response = client.post(path, data=TOKEN_FORM, headers=headers)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body == {"access_token": body["access_token"], "expires_in": 1800,
                        "token_type": "bearer"}
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", body["access_token"])
        tokens.add(body["access_token"])
    assert len(tokens) == len(TOKEN_PATHS)


def test_token_xml_when_asked_for_xml_only(client: httpx.Client) -> None:
    response = client.post("/ispring/api/v3/token", data=TOKEN_FORM,
                           headers={"Accept": "application/xml"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    token = re.search(r"<access_token>(.*)</access_token>", response.text)
    assert token is not None
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response>'
        f"<access_token>{token[1]}</access_token><expires_in>1800</expires_in>"
        "<token_type>bearer</token_type></response>")


def test_token_from_a_json_body(client: httpx.Client) -> None:
    response = client.post("/ispring/api/v3/token", json=TOKEN_FORM)
    assert response.status_code == 200


@pytest.mark.parametrize(("form", "status", "message"), [
    ({**TOKEN_FORM, "client_secret": "wrong"}, 401, "Authorization failed"),
    ({**TOKEN_FORM, "client_id": "someone-else"}, 401, "Authorization failed"),
    ({k: v for k, v in TOKEN_FORM.items() if k != "client_id"}, 400,
     "Wrong parameters: client_id is required"),
    ({**TOKEN_FORM, "grant_type": "password"}, 400,
     "Wrong parameters: grant_type must be client_credentials"),
    ({**TOKEN_FORM, "scope": "all"}, 400, "Wrong parameters: unknown parameter scope"),
])
def test_token_errors(client: httpx.Client, form: dict[str, str], status: int,
                      message: str) -> None:
    assert_json_error(client.post("/ispring/api/v3/token", data=form, headers={"Accept": "*/*"}),
                      status, message)
    assert_error(client.post("/ispring/api/v3/token", data=form,
                             headers={"Accept": "application/xml"}), status, message)


def test_token_in_authorization(client: httpx.Client) -> None:
    token = access_token(client)
    for scheme in ("Bearer ", "bearer ", "BEARER ", "", "  Bearer  "):
        response = client.get("/ispring/department",
                              headers={"Authorization": f"{scheme}{token}", **JSON})
        # A token acts with the Account Owner's rights (D17).
        assert department_ids(response) == ALL_DEPARTMENTS, scheme


def test_malformed_authorization(client: httpx.Client) -> None:
    for value in ("Bearer", "Basic b3duZXI6cGFzcw==", "Bearer a b", ""):
        assert_error(client.get("/ispring/department", headers={"Authorization": value}), 401,
                     "Authorization failed")


def test_authorization_alone_decides(client: httpx.Client) -> None:
    response = client.get("/ispring/department", headers={**OWNER, "Authorization": "nope"})
    assert_error(response, 401, "Authorization failed")


def test_token_expires_by_the_emulator_clock(client: httpx.Client) -> None:
    token = access_token(client)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/_emulator/clock", json={"advance": 1799}).status_code == 200
    assert client.get("/ispring/group", headers=headers).status_code == 200
    assert client.post("/_emulator/clock", json={"advance": 2}).status_code == 200
    assert_error(client.get("/ispring/group", headers=headers), 401, "Authorization failed")
    # A new token works again.
    fresh = access_token(client)
    assert client.get("/ispring/group", headers={"Authorization": fresh}).status_code == 200


def test_token_of_a_fresh_tenant_sees_only_that_account(client: httpx.Client) -> None:
    tenant = client.post("/_emulator/tenants", json={"vendor": "ispring"})
    assert tenant.status_code == 201
    creds = tenant.json()["credentials"]
    assert creds["accountUrl"] == f"https://{tenant.json()['id']}"
    key = creds["apiKeys"][0]
    token = client.post("/ispring/api/v3/token", data={
        "client_id": key["clientId"], "client_secret": key["clientSecret"],
        "grant_type": "client_credentials"}).json()["access_token"]
    new_id = created_id(client.post("/ispring/department", json={
        "name": "Only here", "parentDepartmentId": ROOT}, headers={"Authorization": token}))
    fresh = department_ids(client.get("/ispring/department",
                                      headers={"Authorization": token, **JSON}))
    assert sorted(fresh) == sorted([*ALL_DEPARTMENTS, new_id])
    assert department_ids(client.get("/ispring/department",
                                     headers={**OWNER, **JSON})) == ALL_DEPARTMENTS
    # The same logins work against the fresh account by its own URL.
    headers = login("owner@demo.example", "demo-owner-pass", creds["accountUrl"])
    assert new_id in department_ids(client.get("/ispring/department", headers={**headers,
                                                                                **JSON}))


# -- login headers --------------------------------------------------------------------------------

def test_account_url_forms(client: httpx.Client) -> None:
    for url in (ACCOUNT_URL, f"{ACCOUNT_URL}/", "http://demo.ispringlearn.com",
                "HTTPS://Demo.ISpringLearn.com/", "demo.ispringlearn.com",
                "https://demo.ispringlearn.com/some/path"):
        headers = {**OWNER, "X-Auth-Account-Url": url, **JSON}
        response = client.get("/ispring/department", headers=headers)
        assert department_ids(response) == ALL_DEPARTMENTS, url


def test_login_matches_the_e_mail_too(client: httpx.Client) -> None:
    created_id(client.post("/ispring/user", json={
        "departmentId": ROOT, "password": "jane-pass", "role": "administrator",
        "fields": {"login": "jane", "email": "jane@demo.example"}}, headers=OWNER))
    for name in ("jane", "JANE", "jane@demo.example"):
        response = client.get("/ispring/department",
                              headers={**login(name, "jane-pass"), **JSON})
        assert department_ids(response) == ALL_DEPARTMENTS


BAD_LOGINS = [
    login("owner@demo.example", "wrong"),
    login("nobody@demo.example", "demo-owner-pass"),
    login("owner@demo.example", "demo-owner-pass", "https://other.ispringlearn.com"),
    login("owner@demo.example", "demo-owner-pass", "https://eu-west-2_EmuDemo01"),
    login("owner@demo.example", "demo-owner-pass", "http://[::1"),
    {"X-Auth-Account-Url": ACCOUNT_URL, "X-Auth-Password": "demo-owner-pass"},
    {"X-Auth-Email": "owner@demo.example", "X-Auth-Password": "demo-owner-pass"},
    {"X-Auth-Account-Url": ACCOUNT_URL, "X-Auth-Email": "owner@demo.example"},
    # Blocked users cannot sign in (D17).
    login("dave.blocked", "demo-dave-pass"),
    {},
]


def test_bad_login_headers(client: httpx.Client) -> None:
    for headers in BAD_LOGINS:
        assert_error(client.get("/ispring/department", headers=headers), 401,
                     "Authorization failed")
        assert_json_error(client.get("/ispring/department", headers={**headers, **JSON}), 401,
                          "Authorization failed")


def test_learners_may_call_nothing(client: httpx.Client) -> None:
    for method, path in (
            ("GET", "/user"), ("GET", "/users"), ("GET", "/department"), ("GET", "/group"),
            ("GET", "/content"), ("GET", "/enrollment"), ("GET", "/learners/results"),
            ("GET", "/gamification/points"), ("GET", "/role"), ("POST", "/statistics/course"),
            ("POST", "/user"), ("DELETE", f"/department/{SALES}")):
        assert_error(client.request(method, f"/ispring{path}", headers=LEARNER), 403,
                     "Permission denied")


# -- negotiation, paths and hosts -----------------------------------------------------------------

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
