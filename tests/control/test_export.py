"""Tenant state exported as a fixture pack: built through each vendor API, exported, loaded into
a new tenant, and every vendor list read back the same from both."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from emulator.core.secrets import token_digest, verify_secret
from emulator.core.vendor import Vendor
from emulator.dmtd import DmtdVendor
from emulator.testing import ServerProcess
from emulator.testing.server import free_port

NOW = "2026-12-01T10:00:00Z"
Headers = dict[str, str]


def make_tenant(client: httpx.Client, vendor: str, fixture: str | dict[str, Any] | None = None,
                ) -> dict[str, Any]:
    body: dict[str, Any] = {"vendor": vendor}
    if fixture is not None:
        body["fixture"] = fixture
    response = client.post("/_emulator/tenants", json=body)
    assert response.status_code == 201, response.text
    tenant: dict[str, Any] = response.json()
    return tenant


def export(client: httpx.Client, tenant_id: str) -> dict[str, Any]:
    response = client.get(f"/_emulator/tenants/{tenant_id}/export")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    pack: dict[str, Any] = response.json()
    return pack


@pytest.fixture
def frozen(client: httpx.Client) -> httpx.Client:
    """The clock stopped, so that times stamped at seeding match those of the API calls."""
    response = client.post("/_emulator/clock", json={"set": NOW, "freeze": True})
    assert response.status_code == 200, response.text
    return client


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), (response.request.url, response.text)
    return response.json()


def read_all(client: httpx.Client, paths: list[str], headers: Headers) -> dict[str, Any]:
    return {path: ok(client.get(path, headers=headers)) for path in paths}


def round_trip(client: httpx.Client, vendor: str, tenant: dict[str, Any],
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Export `tenant`, create a new tenant from the pack; (the pack, the new tenant)."""
    pack = export(client, tenant["id"])
    copy = make_tenant(client, vendor, pack)
    assert copy["fixture"] == "inline"
    return pack, copy


# --------------------------------------------------------------------------------- Thrive

V1 = "/thrive/rest/v1"
QUIZ = "68dced960000000004000007"


def thrive_auth(tenant: dict[str, Any]) -> Headers:
    creds = tenant["credentials"]
    value = base64.b64encode(f"{creds['tenantId']}:{creds['apiSecret']}".encode()).decode()
    return {"Authorization": f"Basic {value}"}


def thrive_lists(client: httpx.Client, auth: Headers) -> dict[str, Any]:
    paths = [f"{V1}/{p}" for p in (
        "users?perPage=100", "audiences", "contents", "assignments", "learning/completions",
        "activities", "tags", "skills/levels", "cpdCategories", "cpdEntries",
        "cpdRequirementSummaries")]
    lists = read_all(client, paths, auth)
    for assignment in lists[f"{V1}/assignments"]:
        paths.append(f"{V1}/assignments/{assignment['id']}/enrolments")
    for audience in lists[f"{V1}/audiences"]["results"]:
        paths += [f"{V1}/audiences/{audience['id']}/members",
                  f"{V1}/audiences/{audience['id']}/managers"]
    return read_all(client, paths, auth)


def test_thrive_round_trip_keeps_every_list(frozen: httpx.Client) -> None:
    client = frozen
    tenant = make_tenant(client, "thrive")
    auth = thrive_auth(tenant)
    user = ok(client.post("/thrive/rest/v2/users", headers=auth, json={
        "ref": "UID1", "email": "thomas@example.com", "firstName": "Thomas",
        "lastName": "Jefferson", "jobTitle": "Director"}))
    ops = ok(client.post(f"{V1}/audiences", headers=auth,
                         json={"name": "Operations", "reference": "ops"}))
    team = ok(client.post(f"{V1}/audiences", headers=auth,
                          json={"name": "Warehouse", "reference": "warehouse",
                                "parentId": ops["id"]}))
    ok(client.post(f"{V1}/audiences/{team['id']}/members", headers=auth, json=["UID1"]))
    ok(client.post(f"{V1}/assignments", headers=auth, json={
        "audienceId": team["id"], "contentId": QUIZ, "completionPeriod": 14}))
    ok(client.post(f"{V1}/learning/completions", headers=auth, json={
        "userId": user["id"], "contentId": QUIZ, "completedAt": "2026-11-30T15:04:05Z"}))
    ok(client.post(f"{V1}/users/{user['id']}/tags", headers=auth, json={"tags": ["safety"]}))
    before = thrive_lists(client, auth)

    pack, copy = round_trip(client, "thrive", tenant)
    assert pack["tenantId"] == tenant["id"]
    # Secrets leave in their stored form (never plain) and still prove the original secret.
    assert verify_secret(pack["apiSecret"], tenant["credentials"]["apiSecret"])
    assert thrive_lists(client, thrive_auth(copy)) == before
    assert user["id"] in {u["id"] for u in pack["users"]}


def test_an_unchanged_demo_tenant_exports_every_row_and_reexports_the_same(
        client: httpx.Client) -> None:
    demo_file = Path(__file__).resolve().parents[2] / "fixtures" / "thrive" / "demo.json"
    demo = json.loads(demo_file.read_text(encoding="utf-8"))
    pack = export(client, demo["tenantId"])
    assert [u["id"] for u in pack["users"]] == sorted(u["id"] for u in demo["users"])
    assert {k: len(v) for k, v in pack.items() if isinstance(v, list)} == \
        {k: len(v) for k, v in demo.items() if isinstance(v, list)}
    again = export(client, make_tenant(client, "thrive", pack)["id"])
    assert {k: v for k, v in again.items() if k not in ("tenantId", "apiSecret",
                                                          "oauthClients")} == \
        {k: v for k, v in pack.items() if k not in ("tenantId", "apiSecret", "oauthClients")}


# -------------------------------------------------------------------------------- iSpring

ROOT = "b00ba37c-5b70-11e9-b12b-22e9fbac4a59"
C_SECURITY = "a2f0c6e0-4e4a-11e9-9ddf-e6163e60333c"
ISPRING_LISTS = [f"/ispring/{p}" for p in (
    "department", "departments", "user", "user/v2", "users", "users/v2", "user/profile/fields",
    "role", "group", "groups", "content", "contents", "course_fields", "courses/modules",
    "courses_tree", "enrollment", "enrollments", "learners/results",
    "learners/modules/results", "gamification/points", "quizzes", "assignments",
    "learning_track/courses?learningTrackIds=c8d20001-4e4a-11e9-9ddf-e6163e60333c",
    "assignment/b3c10007-4e4a-11e9-9ddf-e6163e60333c/attempts/ungraded",
    "report/answer-breakdown?quizId=f1a00001-4e4a-11e9-9ddf-e6163e60333c")]


def ispring_login(tenant: dict[str, Any], login: str) -> Headers:
    creds = tenant["credentials"]
    password = next(u["password"] for u in creds["users"] if u["login"] == login)
    return {"X-Auth-Account-Url": creds["accountUrl"], "X-Auth-Email": login,
            "X-Auth-Password": password, "Accept": "application/json"}


def ispring_lists(client: httpx.Client, tenant: dict[str, Any]) -> dict[str, Any]:
    owner = ispring_login(tenant, "owner@demo.example")
    lists = read_all(client, ISPRING_LISTS, owner)
    host = tenant["credentials"]["accountUrl"].removeprefix("https://")
    # Links into the account name its own host; that is all that may differ.
    normalised: dict[str, Any] = json.loads(json.dumps(lists).replace(host, "ACCOUNT-HOST"))
    return normalised


def test_ispring_round_trip_keeps_every_list_and_every_login(frozen: httpx.Client) -> None:
    client = frozen
    tenant = make_tenant(client, "ispring")
    owner = ispring_login(tenant, "owner@demo.example")
    dept = ok(client.post("/ispring/department", headers=owner,
                          json={"name": "Support", "parentDepartmentId": ROOT, "code": "S1"}))
    jane = ok(client.post("/ispring/user", headers=owner, json={
        "departmentId": dept, "password": "jane-pass", "role": "learner",
        "fields": {"login": "jane", "email": "jane@example.com", "first_name": "Jane"}}))
    ok(client.post("/ispring/group", headers=owner, json={"name": "Support team",
                                                           "userIds": [jane]}))
    ok(client.post("/ispring/enrollment", headers=owner, json={
        "courseIds": [C_SECURITY], "learnerIds": [jane], "dueDateType": "unlimited"}))
    before = ispring_lists(client, tenant)

    pack, copy = round_trip(client, "ispring", tenant)
    assert pack["accountUrl"] == tenant["credentials"]["accountUrl"]
    assert [k["clientId"] for k in pack["apiKeys"]] == [
        k["clientId"] for k in tenant["credentials"]["apiKeys"]]
    assert all(verify_secret(stored["clientSecret"], plain["clientSecret"]) for stored, plain
               in zip(pack["apiKeys"], tenant["credentials"]["apiKeys"], strict=True))
    # Passwords leave hashed: the copy's users sign in with the exported account's passwords.
    signed = {**copy, "credentials": {**copy["credentials"],
                                      "users": tenant["credentials"]["users"]}}
    assert ispring_lists(client, signed) == before
    # Each login (the API-made one included) is answered as in the exported account:
    # accepted, refused for its role, or refused as blocked.
    logins = {u["login"]: u["password"] for u in tenant["credentials"]["users"]}
    assert "jane" in {u["login"] for u in copy["credentials"]["users"]}
    logins["jane"] = "jane-pass"  # made through the API above

    def statuses(account: dict[str, Any]) -> dict[str, int]:
        return {login: client.get("/ispring/department", headers={
            "X-Auth-Account-Url": account["credentials"]["accountUrl"], "X-Auth-Email": login,
            "X-Auth-Password": password, "Accept": "application/json"}).status_code
            for login, password in logins.items()}

    answered = statuses(copy)
    assert answered == statuses(tenant)
    # Signed in: the owner may read departments, a learner is refused for the role (not 401).
    assert (answered["owner@demo.example"], answered["jane"]) == (200, 403)


# ----------------------------------------------------------------------------------- DMTD

def dmtd_headers(tenant: dict[str, Any], **extra: int) -> Headers:
    out = {"User-Agent": "dmtd-rest-api", "Accept": "application/json",
           "X-SystemDomain": "vbmapp",
           "Authorization": f"Bearer {tenant['credentials']['token']}"}
    out.update({name.replace("_", "-"): str(value) for name, value in extra.items()})
    return out


_ID_KEYS = re.compile(r"^(id|.*Id|owner|assessor)$")


def renumbered(value: Any) -> Any:
    """Integer ids of one answer replaced, per field name, by the order they first appear in:
    DMTD ids are server-wide counters, so a tenant made from a pack has new ones (the pack
    carries keys, not ids)."""
    seen: dict[str, dict[int, int]] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (seen.setdefault(k, {}).setdefault(v, len(seen[k])) if _ID_KEYS.match(k)
                        and isinstance(v, int) and not isinstance(v, bool) else walk(v))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(value)


def dmtd_lists(client: httpx.Client, tenant: dict[str, Any]) -> Any:
    learners = ok(client.get("/dmtd/1/learner", headers=dmtd_headers(tenant)))
    # Learner reads are made as the learner's owner, whom only the organization's data names.
    owners = {int(f["key"]): int(f["owner"]) for f in export(client, tenant["id"])["learners"]}
    lists: list[Any] = [learners]
    for learner in learners:
        by = {"X_LearnerId": learner["id"], "X_UserId": owners[learner["id"]]}
        lists.append(ok(client.get("/dmtd/1/authorize", headers=dmtd_headers(tenant, **by))))
        lists.append(ok(client.get("/dmtd/1/assessment", headers=dmtd_headers(tenant, **by))))
    return [renumbered(answer) for answer in lists]


def test_dmtd_round_trip_keeps_every_list(frozen: httpx.Client) -> None:
    client = frozen
    tenant = make_tenant(client, "dmtd")
    plain = {"Content-Type": "application/json"}
    fred = ok(client.post("/dmtd/1/user", headers={**dmtd_headers(tenant), **plain}, json={
        "code": "fred", "firstName": "Fred", "lastName": "Flintstone",
        "email": "fred@example.com"}))
    wilma = ok(client.post("/dmtd/1/user", headers={**dmtd_headers(tenant), **plain}, json={
        "firstName": "Wilma", "lastName": "Flintstone", "email": "wilma@example.com"}))
    pebbles = ok(client.post("/dmtd/1/learner", headers={
        **dmtd_headers(tenant, X_UserId=fred["id"]), **plain}, json={
        "dateOfBirth": "2019-01-01", "firstName": "Pebbles", "isActive": 1}))
    ok(client.post("/dmtd/1/authorize", headers={
        **dmtd_headers(tenant, X_UserId=fred["id"], X_LearnerId=pebbles["id"]), **plain},
        json={"userId": wilma["id"]}))
    ok(client.post("/dmtd/1/assessment", headers={
        **dmtd_headers(tenant, X_UserId=fred["id"], X_LearnerId=pebbles["id"]), **plain},
        json={"startDate": "2026-11-01T09:00:00Z", "color": "#ffff"}))
    before = dmtd_lists(client, tenant)

    pack, copy = round_trip(client, "dmtd", tenant)
    assert pack["token"] == f"sha256${token_digest(tenant['credentials']['token'])}"
    assert str(fred["id"]) in {u["key"] for u in pack["users"]}
    assert dmtd_lists(client, copy) == before


# ----------------------------------------------------------------- errors and the command line

def test_export_of_an_unknown_tenant_is_404(client: httpx.Client) -> None:
    response = client.get("/_emulator/tenants/no-such-tenant/export")
    assert response.status_code == 404
    assert response.json() == {"error": {"status": 404,
                                         "message": "Unknown tenant 'no-such-tenant'"}}


class _NoExport(DmtdVendor):
    def export(self, session: Session, tenant_id: str) -> dict[str, Any]:
        return Vendor.export(self, session, tenant_id)


class _BrokenExport(DmtdVendor):
    def export(self, session: Session, tenant_id: str) -> dict[str, Any]:
        return {**super().export(session, tenant_id), "kind": "unknown"}


def test_a_vendor_without_export_says_so(emulator_with: Callable[..., httpx.Client]) -> None:
    response = emulator_with(vendors=[_NoExport()]).get(
        "/_emulator/tenants/dmtd-demo-iframe/export")
    assert response.status_code == 501
    assert response.json() == {"error": {
        "status": 501, "message": "DMTD (VB-MAPP) tenants cannot be exported"}}


def test_an_export_the_loader_would_refuse_is_reported(
        emulator_with: Callable[..., httpx.Client]) -> None:
    response = emulator_with(vendors=[_BrokenExport()]).get(
        "/_emulator/tenants/dmtd-demo-iframe/export")
    assert response.status_code == 500
    assert response.json() == {"error": {
        "status": 500, "message": "export of dmtd-demo-iframe: kind: Input should be 'iframe' "
                                  "or 'standard'"}}


@pytest.fixture(scope="module")
def live() -> Iterator[ServerProcess]:
    with ServerProcess() as server:
        yield server


def run_cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "emulator", "export", "--url", url, *args],
                          capture_output=True, text=True, timeout=60, check=False)


def test_cli_export_writes_a_pack_the_server_loads_unchanged(live: ServerProcess,
                                                             tmp_path: Path) -> None:
    with httpx.Client(base_url=live.url) as client:
        tenant = make_tenant(client, "thrive")
        done = run_cli(live.url, "--tenant", tenant["id"])
        assert (done.returncode, done.stderr) == (0, "")
        pack = json.loads(done.stdout)
        assert pack == export(client, tenant["id"])
        copy = make_tenant(client, "thrive", pack)
        mine = ("tenantId", "apiSecret", "oauthClients")
        again = {k: v for k, v in export(client, copy["id"]).items() if k not in mine}
        assert again == {k: v for k, v in pack.items() if k not in mine}
        users = ok(client.get(f"{V1}/users?perPage=100", headers=thrive_auth(tenant)))
    # The same file in a fixture directory: a built-in tenant with the pack's own credentials.
    (tmp_path / "thrive").mkdir()
    (tmp_path / "thrive" / "scenario.json").write_text(done.stdout, encoding="utf-8")
    with ServerProcess("--fixtures", str(tmp_path)) as server, \
            httpx.Client(base_url=server.url) as client:
        loaded = ok(client.get(f"/_emulator/tenants/{tenant['id']}"))
        assert (loaded["fixture"], loaded["builtin"]) == ("scenario", True)
        assert verify_secret(loaded["credentials"]["apiSecret"], tenant["credentials"]["apiSecret"])
        assert ok(client.get(f"{V1}/users?perPage=100", headers=thrive_auth(tenant))) == users


def test_cli_export_of_an_unknown_tenant_says_so(live: ServerProcess) -> None:
    done = run_cli(live.url, "--tenant", "no-such-tenant")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (f"lms-emulator: error: {live.url} answered 404: "
                           "Unknown tenant 'no-such-tenant'\n")


def test_cli_export_without_a_server_says_so() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = run_cli(url, "--tenant", "any")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(f"lms-emulator: error: cannot reach {url}: ")
    assert done.stderr.count("\n") == 1
