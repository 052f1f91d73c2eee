"""Bad input against every emulated endpoint: the vendor's 4xx and error body, never a 5xx or a
traceback, and nothing stored changes.

Two layers per operation (the list comes from the registered routes):
- fixed cases with a known answer: malformed bodies → 400, unknown path ids → 404, hostile
  path ids (traversal, SQL, NUL, huge) and raw invalid percent-escapes → a clean refusal;
- Hypothesis-generated requests (bounded: `HARDENING_EXAMPLES` per operation, derandomized so
  CI is reproducible) mixing hostile ids, queries, identity headers, content types and bodies,
  judged by the invariants alone (hostile input may be legitimately accepted, e.g. odd strings
  stored as given; then the state is reset).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from emulator.core.vendor import Context
from emulator.thrive import ThriveVendor
from tests.hardening.harness import THRIVE, Judge, Operation, body_operations, operations, probe
from tests.hardening.strategies import attack, malformed_bodies, path_ids, raw_escapes

OPS = operations()
EXAMPLES = int(os.environ.get("HARDENING_EXAMPLES", "10"))


def op_id(op: Operation) -> str:
    return op.id


@pytest.mark.parametrize("op", body_operations(), ids=op_id)
def test_malformed_bodies_are_400(judge: Judge, op: Operation) -> None:
    malformed_bodies(judge, op)


@pytest.mark.parametrize("op", [op for op in OPS if op.params], ids=op_id)
def test_unknown_and_hostile_path_ids(judge: Judge, op: Operation) -> None:
    path_ids(judge, op)


@pytest.mark.parametrize("op", OPS, ids=op_id)
def test_generated_hostile_requests(judge: Judge, op: Operation) -> None:
    raw_escapes(judge, op)
    attack(judge, op, EXAMPLES)


# A newline inside the path (at its very end, `$` still matches before it).
NEWLINE_PATHS = {"thrive": "/thrive/rest/v1/assignments/%0A/enrolments",
                 "ispring": "/ispring/user/%0A/v2", "dmtd": "/dmtd/1/%0A/learner"}


@pytest.mark.parametrize("vendor", sorted(NEWLINE_PATHS))
def test_an_encoded_newline_in_a_path_stays_with_the_vendor(judge: Judge, vendor: str) -> None:
    (op,) = [op for op in OPS if op.vendor == vendor and op.name in (
        "list_enrolments", "get_user_profile_v2", "list_learners")]
    case = probe(op, label="newline in the path")
    case.url = NEWLINE_PATHS[vendor]
    judge.send(case)  # a 4xx of the vendor, in the vendor's shape


# Query strings and form bodies whose top-level keys are list indexes or empty (`0=x&1=y`,
# `=x`): a PHP-style reader turns them into a list where it expects an object (iSpring's
# `wire.php_nest` now ignores them, like any unknown field).
INDEX_KEYS = [
    ("thrive", "search_users", "query", "0=x&1=y"), ("thrive", "create_user", "form", "=x"),
    ("dmtd", "list_learners", "query", "=x"), ("dmtd", "create_learner", "form", "0=x"),
    ("ispring", "get_users", "query", "0=x&1=y"), ("ispring", "get_users", "query", "=x"),
    ("ispring", "add_user", "form", "0=x"),
]


@pytest.mark.parametrize(("vendor", "name", "where", "pairs"), INDEX_KEYS)
def test_index_like_top_level_keys(judge: Judge, vendor: str, name: str, where: str,
                                   pairs: str) -> None:
    (op,) = [op for op in OPS if op.vendor == vendor and op.name == name]
    if where == "query":
        case = probe(op, label="index-like query keys")
        case.url += f"?{pairs}"
        judge.send(case)
    else:
        judge.send(probe(op, headers={"Content-Type": "application/x-www-form-urlencoded"},
                         body=pairs.encode(), label="index-like form keys"))


class _Failing(ThriveVendor):
    """Thrive plus one route that fails the way a vendor bug does: an unhandled exception."""

    def build_app(self, ctx: Context) -> FastAPI:
        app = super().build_app(ctx)

        def fail() -> None:
            raise RuntimeError("a vendor bug")

        app.add_api_route("/rest/v1/failing", fail)
        app.router.routes.insert(0, app.router.routes.pop())  # before the catch-all
        return app


def test_an_unhandled_vendor_error_is_the_vendors_500(
        emulator_with: Callable[..., httpx.Client]) -> None:
    http = emulator_with(vendors=[_Failing()])
    response = http.get("/thrive/rest/v1/failing", headers=THRIVE.auth)
    assert response.status_code == 500
    assert response.json() == {"status": 500, "error": "Internal Server Error",
                               "message": "Internal Server Error"}
