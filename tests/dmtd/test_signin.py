"""POST /1/signin and GET /javascripts/iframe_support.js (fact sheet §4.6, §5.15, §5.16,
D20, D25)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from emulator.dmtd.backend import DmtdBackend
from tests.dmtd.conftest import DEMO, assert_response, call, error

JS_PATH = "/dmtd/javascripts/iframe_support.js"
FUNCTIONS = {
    "openLearnersIframe": "userAgent, acceptLanguage, signInToken, mountPoint",
    "openLearnerOverviewIframe":
        "userAgent, acceptLanguage, signInToken, learnerId, learnerCode, mountPoint",
    "openLatestAssessmentIframe": "userAgent, acceptLanguage, signInToken, learnerId, mountPoint",
    "openAssessmentViewIframe":
        "userAgent, acceptLanguage, signInToken, assessmentId, mountPoint",
}


def signin(client: httpx.Client, **extra: str | int) -> httpx.Response:
    return call(client, "POST", "/1/signin", **extra)


def test_signin_token_is_valid_for_24_hours(client: httpx.Client, frozen: str) -> None:
    response = signin(client, X_UserId=DEMO.alex)
    token = response.json()["signinToken"]
    assert isinstance(token, str)
    assert len(token) >= 24
    assert_response(response, 200, {"signinToken": token, "expiresAt": "2025-06-20T05:16:09Z"})


def test_a_new_token_replaces_the_previous_one(client: httpx.Client,
                                               emulator_app: FastAPI) -> None:
    backend = DmtdBackend(emulator_app.state.ctx)
    first = signin(client, X_UserCode="demo-user-alex").json()["signinToken"]
    user = backend.signed_in_user("dmtd-demo-iframe", first)
    assert user is not None
    assert user.id == DEMO.alex
    second = signin(client, X_UserId=DEMO.alex).json()["signinToken"]
    assert second != first
    assert backend.signed_in_user("dmtd-demo-iframe", first) is None
    assert backend.signed_in_user("dmtd-demo-iframe", second) is not None
    assert backend.signed_in_user("dmtd-demo-standard", second) is None


def test_token_expires_on_the_emulator_clock(client: httpx.Client,
                                             emulator_app: FastAPI) -> None:
    backend = DmtdBackend(emulator_app.state.ctx)
    token = signin(client, X_UserId=DEMO.jordan).json()["signinToken"]
    advance = timedelta(hours=23, minutes=59).total_seconds()
    assert client.post("/_emulator/clock", json={"advance": advance}).status_code == 200
    assert backend.signed_in_user("dmtd-demo-iframe", token) is not None
    assert client.post("/_emulator/clock", json={"advance": 60}).status_code == 200
    assert backend.signed_in_user("dmtd-demo-iframe", token) is None


def test_signin_token_is_not_a_bearer_token(client: httpx.Client) -> None:
    token = signin(client, X_UserId=DEMO.alex).json()["signinToken"]
    assert_response(call(client, "GET", "/1/learner", token=token), 401,
                    error("The Bearer token is not valid"))


def test_journal_does_not_keep_the_token(client: httpx.Client) -> None:
    token = signin(client, X_UserId=DEMO.alex).json()["signinToken"]
    entries = client.get("/_emulator/journal", params={"operation": "signin"}).json()["entries"]
    assert len(entries) == 1
    assert token not in json.dumps(entries)


@pytest.mark.parametrize(("extra", "status", "expected"), [
    ({}, 400, error("X-UserId or X-UserCode is required")),
    ({"X_UserId": "me"}, 400, error("X-UserId must be an integer")),
    ({"X_UserId": 999999}, 404, error("No user with X-UserId 999999 could be located")),
    ({"X_UserCode": "ghost"}, 404, error("No user with X-UserCode 'ghost' could be located")),
])
def test_signin_failures(client: httpx.Client, extra: dict[str, Any], status: int,
                         expected: dict[str, Any]) -> None:
    assert_response(signin(client, **extra), status, expected)


# ------------------------------------------------------------------------ iframe_support.js

def test_script_needs_no_auth_and_defines_the_four_functions(client: httpx.Client) -> None:
    response = client.get(JS_PATH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    found = {name: re.sub(r"\s+", " ", args) for name, args in re.findall(
        r"global\.(open\w+Iframe) = function \(([^)]*)\)", response.text)}
    assert found == FUNCTIONS
    assert "fetch(" not in response.text
    assert "XMLHttpRequest" not in response.text


def test_script_is_served_on_the_real_host(client: httpx.Client) -> None:
    response = client.get("/javascripts/iframe_support.js",
                          headers={"Host": "api-sandbox.vbmappapp.com"})
    assert response.status_code == 200
    assert response.text == client.get(JS_PATH).text


_HARNESS = """
const source = require("fs").readFileSync(0, "utf8");
const elements = {};
function element(tag) {
  return {tag, children: [], attrs: {}, textContent: "", className: "",
          get firstChild() { return this.children[0]; },
          removeChild(c) { this.children.splice(this.children.indexOf(c), 1); },
          appendChild(c) { this.children.push(c); },
          setAttribute(k, v) { this.attrs[k] = v; }};
}
const document = {createElement: element, getElementById: (id) => elements[id] || null};
const window = {document};
elements.app = element("div");
elements.app.appendChild(element("old"));
new Function("window", source)(window);
const overview = element("section");
const other = element("section");
const latest = element("section");
window.openLearnersIframe("Motivity", "en", "secret-token", "app");
window.openLearnerOverviewIframe("Motivity", "fr", "", 19353, "code-1", overview);
window.openLatestAssessmentIframe("Motivity", "es", "t", 7, latest);
window.openLatestAssessmentIframe("Motivity", "es", "t", 7, other);
const view = window.openAssessmentViewIframe("Motivity", "en", "t", 1264, other);
let missing = null;
try { window.openLearnersIframe("a", "en", "t", "nowhere"); } catch (e) { missing = e.message; }
const show = (el) => ({tag: el.tag, className: el.className, attrs: el.attrs,
                       text: el.textContent});
console.log(JSON.stringify({app: elements.app.children.map(show),
                            overview: overview.children.map(show),
                            latest: latest.children.map(show),
                            other: other.children.map(show),
                            returned: view === other.children[0], missing}));
"""


def placeholder(screen: str, args: dict[str, str], text: str) -> dict[str, Any]:
    return {"tag": "div", "className": "dmtd-emulator-iframe",
            "attrs": {"data-screen": screen, **{f"data-{k.lower()}": v for k, v in args.items()}},
            "text": f"VB-MAPP {screen} screen (emulated): {text}"}


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the script")
def test_script_renders_placeholders(client: httpx.Client) -> None:
    source = client.get(JS_PATH).text
    run = subprocess.run(["node", "-e", _HARNESS], input=source, capture_output=True, text=True,
                         timeout=30, check=True)
    base = {"userAgent": "Motivity", "acceptLanguage": "en", "signInToken": "given"}
    assert json.loads(run.stdout) == {
        "app": [placeholder("learners", base, "userAgent=Motivity, acceptLanguage=en, "
                                              "signInToken=given")],
        "overview": [placeholder(
            "learner-overview",
            base | {"acceptLanguage": "fr", "signInToken": "missing", "learnerId": "19353",
                    "learnerCode": "code-1"},
            "userAgent=Motivity, acceptLanguage=fr, signInToken=missing, learnerId=19353, "
            "learnerCode=code-1")],
        "latest": [placeholder("latest-assessment",
                               base | {"acceptLanguage": "es", "learnerId": "7"},
                               "userAgent=Motivity, acceptLanguage=es, signInToken=given, "
                               "learnerId=7")],
        "other": [placeholder("assessment-view", base | {"assessmentId": "1264"},
                              "userAgent=Motivity, acceptLanguage=en, signInToken=given, "
                              "assessmentId=1264")],
        "returned": True,
        "missing": "iframe_support.js: mount point not found: nowhere",
    }
