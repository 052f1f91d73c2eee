"""GET /_emulator/openapi.json: a valid OpenAPI document of the control plane."""

import httpx
from openapi_spec_validator import validate


def test_the_control_plane_describes_itself(client: httpx.Client) -> None:
    response = client.get("/_emulator/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    spec = response.json()
    validate(spec)
    assert spec["openapi"].startswith("3.1.")
    assert spec["info"]["title"] == "LMS emulator control plane"
    assert spec["servers"] == [{"url": "/_emulator"}]
    paths = spec["paths"]
    for path in ("/health", "/tenants", "/tenants/{tenant_id}", "/journal", "/faults",
                 "/clock", "/snapshots/{name}", "/coverage"):
        assert path in paths, path
    assert set(paths["/faults"]) == {"get", "post", "delete"}
    params = {p["name"] for p in paths["/coverage"]["get"]["parameters"]}
    assert params == {"vendor", "tenant", "since"}
    # The dashboard's pages are for browsers, not part of the API.
    assert not [path for path in paths if path.startswith("/ui")]
