"""GET /javascripts/iframe_support.js, served by the DMTD sub-app without auth (fact sheet
§5.15, D25)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import httpx
import pytest

JS_PATH = "/dmtd/javascripts/iframe_support.js"
FUNCTIONS = {
    "openLearnersIframe": "userAgent, acceptLanguage, signInToken, mountPoint",
    "openLearnerOverviewIframe":
        "userAgent, acceptLanguage, signInToken, learnerId, learnerCode, mountPoint",
    "openLatestAssessmentIframe": "userAgent, acceptLanguage, signInToken, learnerId, mountPoint",
    "openAssessmentViewIframe":
        "userAgent, acceptLanguage, signInToken, assessmentId, mountPoint",
}



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
