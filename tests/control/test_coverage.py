"""GET /_emulator/coverage: the operations each vendor registered, from its routes."""

import httpx


def test_every_vendor_lists_its_operations(client: httpx.Client) -> None:
    body = client.get("/_emulator/coverage").json()
    assert list(body) == ["thrive", "ispring", "dmtd"]
    for name, info in body.items():
        assert info["basePath"] == f"/{name}"
        assert info["operations"], f"{name} lists no operations"
        for op in info["operations"]:
            assert set(op) == {"operation", "method", "paths", "summary"}
            assert op["summary"], f"{name} {op['operation']} has no docstring summary"
    thrive_ops = {(o["method"], o["operation"]) for o in body["thrive"]["operations"]}
    assert ("POST", "create_assignment") in thrive_ops
    dmtd_ops = {(o["method"], o["paths"][0]) for o in body["dmtd"]["operations"]}
    assert ("POST", "/1/authorize") in dmtd_ops
    ispring_ops = {(o["method"], o["paths"][0]) for o in body["ispring"]["operations"]}
    assert ("POST", "/enrollment") in ispring_ops
