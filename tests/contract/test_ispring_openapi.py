"""The iSpring emulation against the vendor's own OpenAPI document, with Schemathesis.

Every operation the emulator serves (read from its routers, so new operations are checked as
soon as they exist) gets a few generated requests — JSON negotiated, the demo Account Owner's
credentials — and every answer goes through all of Schemathesis' checks. A failure is either an
emulator bug to fix or a defect of the document, listed with its evidence in
`ispring-allowed.yaml` (and `docs/ispring.md`). Bounded and deterministic: a fixed number of
examples per operation, derandomized, no example database.

One correction is applied to the document before generating requests: request bodies are closed
(`additionalProperties: false`), because the vendor refuses unknown parameters (reference D14)
and the document never says so. Valid requests then carry only the document's own fields, and
the negative checks send unknown ones, which the emulator must refuse.
"""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS

from emulator.ispring.app import ROUTERS
from tests.ispring.support import access_token

HERE = Path(__file__).parent
DOCUMENT = yaml.safe_load((HERE / "ispring-learn-openapi.yaml").read_text())
# (operation, check) pairs waived as defects of the document, each class with its evidence.
ALLOWED = {(operation, entry["check"])
           for entry in yaml.safe_load((HERE / "ispring-allowed.yaml").read_text())
           for operation in entry["operations"]}
EXAMPLES = 2

pytestmark = pytest.mark.contract


def _shape(path: str) -> str:
    """A path with its parameters unnamed: `/group/{groupId}` and `/group/{group_id}` agree."""
    return re.sub(r"\{[^}]+\}", "{}", path)


SERVED = {(method, _shape(route.path)) for router in ROUTERS for route in router.routes
          for method in getattr(route, "methods", ())}
def _closed_request_bodies(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every request body's objects closed to unknown properties.

    Request bodies get their own copies of the component schemas they use, so the response
    schemas the same components describe stay as the document has them.
    """
    out = copy.deepcopy(document)
    components = out["components"]["schemas"]

    def closed(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [closed(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            return node if name in seen else closed(components[name], (*seen, name))
        tree = {key: closed(value, seen) for key, value in node.items()}
        if "properties" in tree:
            tree.setdefault("additionalProperties", False)
        return tree

    for path in out["paths"].values():
        for operation in (op for op in path.values() if isinstance(op, dict)):
            for media in (operation.get("requestBody") or {}).get("content", {}).values():
                if "schema" in media:
                    media["schema"] = closed(media["schema"], ())
    return out


SCHEMA = schemathesis.openapi.from_dict(_closed_request_bodies(DOCUMENT))
OPERATIONS = sorted(
    (op for op in (r.ok() for r in SCHEMA.get_all_operations())
     if (op.method.upper(), _shape(op.path)) in SERVED),
    key=lambda op: (op.path, op.method))


@pytest.mark.parametrize("operation", OPERATIONS, ids=[f"{o.method.upper()} {o.path}"
                                                       for o in OPERATIONS])
def test_operation_conforms_to_the_vendor_document(client: httpx.Client, operation: Any) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    # The document's security scheme is the bearer token: the demo account's API key gets one.
    credentials = {"Authorization": f"Bearer {access_token(client)}",
                   "Accept": "application/json"}
    checks = [c for c in CHECKS.get_all() if (label, c.__name__) not in ALLOWED]

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        kwargs = case.as_transport_kwargs(base_url="http://emulator/ispring",
                                          headers=credentials)
        kwargs.pop("timeout", None)
        kwargs.pop("allow_redirects", None)
        kwargs.pop("cookies", None)
        if isinstance(kwargs.get("data"), str | bytes):
            kwargs["content"] = kwargs.pop("data")
        response = client.request(**kwargs)
        # The in-process transport does not time requests; Schemathesis reads the duration.
        response.elapsed = timedelta(0)
        case.validate_response(response, checks=checks)

    run()
