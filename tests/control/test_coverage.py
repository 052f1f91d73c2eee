"""GET /_emulator/coverage: the operations each vendor registered, and what calls exercised."""

from datetime import UTC, datetime, timedelta

import httpx

from emulator.control.coverage import documented_errors
from tests.control import documented
from tests.helpers import THRIVE_AUTH, THRIVE_TENANT

USAGE = {"called", "calls", "statuses", "documentedErrors", "unexercisedErrors"}


def test_every_vendor_lists_its_operations(client: httpx.Client) -> None:
    body = client.get("/_emulator/coverage").json()
    assert list(body) == ["thrive", "ispring", "dmtd"]
    for name, info in body.items():
        assert info["basePath"] == f"/{name}"
        assert info["operations"], f"{name} lists no operations"
        assert (info["called"], info["total"]) == (0, len(info["operations"]))
        for op in info["operations"]:
            assert set(op) == {"operation", "method", "paths", "summary"} | USAGE
            assert op["summary"], f"{name} {op['operation']} has no docstring summary"
            assert op["unexercisedErrors"] == op["documentedErrors"]
    thrive_ops = {(o["method"], o["operation"]) for o in body["thrive"]["operations"]}
    assert ("POST", "create_assignment") in thrive_ops
    dmtd_ops = {(o["method"], o["paths"][0]) for o in body["dmtd"]["operations"]}
    assert ("POST", "/1/authorize") in dmtd_ops
    ispring_ops = {(o["method"], o["paths"][0]) for o in body["ispring"]["operations"]}
    assert ("POST", "/enrollment") in ispring_ops


def _op(info: dict[str, object], operation: str) -> dict[str, object]:
    ops = info["operations"]
    assert isinstance(ops, list)
    (found,) = [op for op in ops if op["operation"] == operation]
    assert isinstance(found, dict)
    return found


def test_a_tenants_calls_mark_operations_called(client: httpx.Client) -> None:
    mine = client.post("/_emulator/tenants", json={"vendor": "thrive"}).json()
    auth = {"Authorization": f"Bearer {_thrive_token(client, mine)}"}
    assert client.get(f"/thrive/rest/v1/user/{'0' * 24}", headers=auth).status_code == 404
    assert client.get("/thrive/rest/v1/users", headers=auth).status_code == 200
    assert client.get("/thrive/rest/v1/users", headers=auth).status_code == 200
    # Another tenant's calls do not count for this one.
    assert client.get("/thrive/rest/v1/tags", headers=THRIVE_AUTH).status_code == 200

    response = client.get("/_emulator/coverage", params={"tenant": mine["id"]})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["thrive"]
    info = body["thrive"]
    token = _op(info, "create_access_token")
    assert (token["called"], token["calls"], token["statuses"]) == (True, 1, [200])
    assert token["unexercisedErrors"] == [400]
    assert _op(info, "search_users") == {**_op(info, "search_users"), "called": True, "calls": 2,
                                         "statuses": [200]}
    get_user = _op(info, "get_user")
    assert (get_user["statuses"], get_user["documentedErrors"]) == ([404], [401, 403, 404])
    assert get_user["unexercisedErrors"] == [401, 403]
    tags = _op(info, "list_tags")
    assert (tags["called"], tags["calls"], tags["statuses"]) == (False, 0, [])
    assert info["called"] == 3

    demo = client.get("/_emulator/coverage", params={"tenant": THRIVE_TENANT}).json()
    assert _op(demo["thrive"], "list_tags")["statuses"] == [200]
    assert demo["thrive"]["called"] == 1


def _thrive_token(client: httpx.Client, tenant: dict[str, object]) -> str:
    creds = tenant["credentials"]
    assert isinstance(creds, dict)
    (oauth,) = creds["oauthClients"][:1]
    response = client.post(f"/thrive/oauth2/token/{tenant['id']}",
                           data={"grant_type": "client_credentials",
                                 "client_id": oauth["clientId"],
                                 "client_secret": oauth["clientSecret"]})
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert isinstance(token, str)
    return token


def test_a_faulted_call_counts_for_the_operation_it_hit(client: httpx.Client) -> None:
    fault = {"vendor": "thrive", "tenant": THRIVE_TENANT, "path": "/rest/v1/tags*",
             "effect": {"type": "error", "status": 500}, "times": 1}
    assert client.post("/_emulator/faults", json=fault).status_code == 201
    assert client.get("/thrive/rest/v1/tags", headers=THRIVE_AUTH).status_code == 500
    assert client.get(f"/thrive/rest/v1/tags/{'0' * 24}", headers=THRIVE_AUTH).status_code == 404
    assert client.get("/thrive/rest/v1/no-such", headers=THRIVE_AUTH).status_code == 404
    info = client.get("/_emulator/coverage", params={"tenant": THRIVE_TENANT}).json()["thrive"]
    tags = _op(info, "list_tags")
    assert (tags["calls"], tags["statuses"], tags["unexercisedErrors"]) == (1, [500], [401, 403])
    assert _op(info, "get_tag")["statuses"] == [404]
    assert info["called"] == 2


def test_since_leaves_out_older_calls(client: httpx.Client) -> None:
    assert client.get("/thrive/rest/v1/tags", headers=THRIVE_AUTH).status_code == 200
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    body = client.get("/_emulator/coverage", params={"vendor": "thrive", "since": later}).json()
    assert list(body) == ["thrive"]
    assert body["thrive"]["called"] == 0
    earlier = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    body = client.get("/_emulator/coverage", params={"since": earlier}).json()
    assert _op(body["thrive"], "list_tags")["calls"] == 1
    assert body["ispring"]["called"] == 0


def test_bad_parameters_answer_control_errors(client: httpx.Client) -> None:
    response = client.get("/_emulator/coverage", params={"tenant": "nobody"})
    assert response.status_code == 404
    assert response.json() == {"error": {"status": 404, "message": "Unknown tenant 'nobody'"}}
    response = client.get("/_emulator/coverage", params={"since": "yesterday"})
    assert response.status_code == 400
    assert response.json() == {"error": {"status": 400, "message": "since: Input should be a "
                                         "valid datetime or date, input is too short"}}


def test_documented_errors_follow_the_vendor_docs(client: httpx.Client) -> None:
    """The data file names exactly the operations the emulator serves, and for iSpring and
    Thrive the statuses their docs give each operation's method and path."""
    body = client.get("/_emulator/coverage").json()
    data = documented_errors()
    from_docs = {"ispring": documented.ispring(), "thrive": documented.thrive()}
    for name, info in body.items():
        assert sorted(data[name]) == sorted({op["operation"] for op in info["operations"]})
        for op in info["operations"]:
            key = (op["method"], documented.shape(op["paths"][0]))
            if name in from_docs and key in from_docs[name]:
                assert op["documentedErrors"] == sorted(from_docs[name][key]), key
    assert data["dmtd"]["create_learner"] == [400, 401, 404]
    assert data["thrive"]["provision_user"] == [401, 403, 404, 422]
