"""Rate-limit drills on DMTD: the limit, then DMTD's 429 body with Retry-After."""

from __future__ import annotations

import httpx

from tests.control.rate_limits import advance, arm, freeze, passes, refused
from tests.dmtd.conftest import STANDARD_TOKEN, assert_response, call, error
from tests.helpers import DMTD_IFRAME_TENANT

TOO_MANY = error("Too many requests")


def learners(client: httpx.Client, token: str = STANDARD_TOKEN) -> httpx.Response:
    return call(client, "GET", "/1/learner", token=token)


def test_limit_then_429_until_the_window_ends(client: httpx.Client) -> None:
    freeze(client)
    arm(client, vendor="dmtd", limit=4, per=3600)
    passes(lambda: learners(client), 4)
    assert_response(refused(learners(client), 3600), 429, TOO_MANY)
    advance(client, 3599.5)
    assert_response(refused(learners(client), 1), 429, TOO_MANY)
    advance(client, 0.5)
    passes(lambda: learners(client), 4)
    assert_response(refused(learners(client), 3600), 429, TOO_MANY)


def test_refused_writes_change_nothing(client: httpx.Client) -> None:
    freeze(client)
    arm(client, vendor="dmtd", method="POST", limit=1, per=60)
    body = {"dateOfBirth": "2014-01-01", "code": "rate-limited"}
    passes(lambda: call(client, "POST", "/1/learner", body=body, token=STANDARD_TOKEN), 1)
    again = {**body, "code": "refused"}
    response = call(client, "POST", "/1/learner", body=again, token=STANDARD_TOKEN)
    assert_response(refused(response, 60), 429, TOO_MANY)
    codes = [learner["code"] for learner in learners(client).json()]
    assert "rate-limited" in codes
    assert "refused" not in codes


def test_a_tenant_scoped_limit_leaves_other_tenants_alone(client: httpx.Client) -> None:
    freeze(client)
    arm(client, tenant=DMTD_IFRAME_TENANT, limit=1, per=60)
    iframe = call(client, "GET", "/1/learner", X_UserCode="demo-user-alex")
    assert iframe.status_code == 200, iframe.text
    response = call(client, "GET", "/1/learner", X_UserCode="demo-user-alex")
    assert_response(refused(response, 60), 429, TOO_MANY)
    passes(lambda: learners(client), 3)
