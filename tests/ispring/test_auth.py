"""Authentication (login headers, tokens), content negotiation, paths and hosts."""

from __future__ import annotations

import httpx

from tests.ispring.support import (
    ACCOUNT_URL,
    ALL_DEPARTMENTS,
    JSON,
    LEARNER,
    OWNER,
    ROOT,
    SALES,
    access_token,
    assert_error,
    assert_json_error,
    created_id,
    department_ids,
    login,
)


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
