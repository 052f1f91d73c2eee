"""Arbitrary bodies and identity headers never break an endpoint: always a DMTD status and
body, never a 500 or FastAPI's own error shape."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dmtd.conftest import DEMO, call

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=12,
)
FIELDS = ["code", "firstName", "lastName", "email", "locale", "dateOfBirth", "gender",
          "isActive", "color", "userId", "userCode", "role", "startDate", "systemDomain",
          "productType", "trainingProduct"]
BODIES = JSON | st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6)
HEADER = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=25)
ENDPOINTS = [("POST", "/1/user"), ("POST", "/1/learner"), ("POST", "/1/authorize"),
             ("DELETE", "/1/authorize"), ("POST", "/1/assessment"), ("PATCH", "/1/assessment"),
             ("POST", "/1/purchase"), ("GET", "/1/protocol")]
FUZZ = settings(max_examples=8, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def check(response: httpx.Response) -> None:
    assert response.status_code in (200, 202, 400, 401, 404), response.text
    body: Any = response.json()
    if response.status_code >= 400:
        assert set(body) == {"success", "message"}
        assert body["success"] is False


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@FUZZ
@given(body=BODIES)
def test_any_json_body(client: httpx.Client, method: str, path: str, body: Any) -> None:
    check(call(client, method, path, raw=json.dumps(body), X_SystemDomain="vbmapp",
               X_UserId=DEMO.alex, X_LearnerId=DEMO.sam, params={"assessmentId": "1"}))


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@FUZZ
@given(learner=HEADER, user=HEADER, code=HEADER)
def test_any_identity_headers(client: httpx.Client, method: str, path: str, learner: str,
                              user: str, code: str) -> None:
    check(call(client, method, path, body={"userId": DEMO.robin}, X_SystemDomain="vbmapp",
               X_LearnerId=learner, X_UserCode=code, X_UserId=user,
               params={"area": "milestones", "group": code, "questionNum": learner}))
