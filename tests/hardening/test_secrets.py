"""Secrets never reach the journal or the server log, whatever position they travel in:
credential headers, token requests and responses, passwords in JSON, XML, form and multipart
bodies, query strings, and bodies that are malformed or oddly labelled; and none is kept in the
database file or its WAL.

Runs against a live server (access log on) so the log file is the one an operator would read.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.at_rest import session_of_calls
from tests.hardening.harness import ISPRING, THRIVE, THRIVE_SECRET, THRIVE_TENANT, basic
from tests.hardening.live import Server

pytestmark = pytest.mark.live

ISPRING_CLIENT = ("7d3c9e5a-1f2b-11ef-9a1b-0242ac120002", "ispring-demo-client-secret")
THRIVE_CLIENT = ("thrive-demo-client", "thrive-demo-client-secret")
SALES = "d479bc48-5b70-11e9-b12b-22e9fbac4a59"
ALICE = "7c6a1a10-5cff-11e9-9e6a-0a580af40692"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = tmp_path_factory.mktemp("secrets") / "secrets.db"
    with Server(db, "--log-level", "debug") as running:
        yield running
    assert "Traceback" not in running.output()


@dataclass
class Sent:
    """What a case sent and the secrets that must not be recorded anywhere."""

    secrets: list[str] = field(default_factory=list)


Case = Callable[[httpx.Client, str], Sent]


def _ispring_user(content_type: str, body: Callable[[str, str], bytes]) -> Case:
    """iSpring `POST /user` carrying a fresh password in the given body format."""

    def send(http: httpx.Client, unique: str) -> Sent:
        password = f"Pw-{unique}"
        http.post("/ispring/user", headers={**ISPRING.auth, "Content-Type": content_type},
                  content=body(unique, password))
        return Sent([password])

    return send


def _json_user(login: str, password: str) -> bytes:
    return json.dumps({"departmentId": SALES, "password": password,
                       "fields": {"login": login, "email": f"{login}@secret.example"}}).encode()


def _thrive_basic(http: httpx.Client, unique: str) -> Sent:
    http.get("/thrive/rest/v1/users", headers=THRIVE.auth)
    encoded = base64.b64encode(f"{THRIVE_TENANT}:{THRIVE_SECRET}".encode()).decode()
    return Sent([THRIVE_SECRET, encoded])


def _thrive_token(http: httpx.Client, unique: str) -> Sent:
    token = http.post(f"/thrive/oauth2/token/{THRIVE_TENANT}", data={
        "grant_type": "client_credentials", "client_id": THRIVE_CLIENT[0],
        "client_secret": THRIVE_CLIENT[1]}).json()["access_token"]
    http.get("/thrive/rest/v1/users", headers={"Authorization": f"Bearer {token}"})
    return Sent([THRIVE_CLIENT[1], token])


def _thrive_token_basic(http: httpx.Client, unique: str) -> Sent:
    token = http.post(f"/thrive/oauth2/token/{THRIVE_TENANT}",
                      data={"grant_type": "client_credentials"},
                      headers=basic(*THRIVE_CLIENT)).json()["access_token"]
    return Sent([THRIVE_CLIENT[1], token])


def _ispring_login(http: httpx.Client, unique: str) -> Sent:
    http.get("/ispring/user", headers=ISPRING.auth)
    return Sent([ISPRING.auth["X-Auth-Password"]])


def _ispring_token(accept: str) -> Case:
    def send(http: httpx.Client, unique: str) -> Sent:
        response = http.post("/ispring/api/v3/token", headers={"Accept": accept}, data={
            "client_id": ISPRING_CLIENT[0], "client_secret": ISPRING_CLIENT[1],
            "grant_type": "client_credentials"})
        text = response.text
        token = json.loads(text)["access_token"] if accept == "application/json" else \
            text.split("<access_token>")[1].split("</access_token>")[0]
        http.get("/ispring/user", headers={"Authorization": token})  # raw, as iSpring samples
        return Sent([ISPRING_CLIENT[1], token])

    return send


def _ispring_new_password(http: httpx.Client, unique: str) -> Sent:
    password = f"Pw-{unique}"
    http.post(f"/ispring/user/{ALICE}/password", headers=ISPRING.auth, json={"password": password})
    return Sent([password])


def _dmtd(http: httpx.Client, unique: str) -> Sent:
    headers = {"Authorization": "Bearer dmtd-demo-iframe-token", "X-UserId": "1235"}
    token = http.post("/dmtd/1/signin", headers=headers).json()["signinToken"]
    http.get("/dmtd/1/learner", headers={"Authorization": f"Bearer {token}"})
    return Sent(["dmtd-demo-iframe-token", token])


def _query_secret(http: httpx.Client, unique: str) -> Sent:
    secret = f"Q-{unique}"
    http.get("/thrive/rest/v1/users", headers=THRIVE.auth,
             params={"access_token": secret, "password": secret, "client_secret": secret})
    return Sent([secret])


def _token_body_malformed_json(http: httpx.Client, unique: str) -> Sent:
    secret = f"S-{unique}"
    http.post("/ispring/api/v3/token", headers={"Content-Type": "application/json"},
              content=f'{{"client_id": "x", "client_secret": "{secret}"'.encode())
    return Sent([secret])


CASES: dict[str, Case | object] = {
    "Thrive Basic header": _thrive_basic,
    "Thrive token request (form) and bearer": _thrive_token,
    "Thrive token request (Basic client)": _thrive_token_basic,
    "iSpring X-Auth-Password": _ispring_login,
    "iSpring token (JSON response), raw token header": _ispring_token("application/json"),
    "iSpring token (XML response), raw token header": _ispring_token("application/xml"),
    "iSpring password change": _ispring_new_password,
    "DMTD token and sign-in token": _dmtd,
    "secret query parameters": _query_secret,
    "password in a JSON body": _ispring_user("application/json", _json_user),
    "password in an XML body": _ispring_user("application/xml", lambda login, pw: (
        f"<request><departmentId>{SALES}</departmentId><password>{pw}</password><fields>"
        f"<login>{login}</login></fields></request>").encode()),
    "password in a form body": _ispring_user("application/x-www-form-urlencoded", lambda lg, pw: (
        f"departmentId={SALES}&password={pw}&fields[login]={lg}").encode()),
    "password in a multipart body": _ispring_user(
        "multipart/form-data; boundary=XyZ", lambda lg, pw: (
            f'--XyZ\r\nContent-Disposition: form-data; name="password"\r\n\r\n{pw}\r\n'
            f'--XyZ\r\nContent-Disposition: form-data; name="fields[login]"\r\n\r\n{lg}\r\n'
            "--XyZ--\r\n").encode()),
    "password in JSON labelled text/plain": _ispring_user("text/plain", _json_user),
    "password in malformed JSON": _ispring_user(
        "application/json", lambda lg, pw: f'{{"password": "{pw}", '.encode()),
    "client secret in malformed JSON": _token_body_malformed_json,
    "password with a unicode-escaped key": _ispring_user("application/json", lambda lg, pw: (
        f'{{"pass\\u0077ord": "{pw}", "departmentId": "{SALES}", '
        f'"fields": {{"login": "{lg}"}}}}').encode()),
    "password in XML CDATA": _ispring_user("application/xml", lambda lg, pw: (
        f"<request><departmentId>{SALES}</departmentId><password><![CDATA[{pw}]]>"
        f"</password><fields><login>{lg}</login></fields></request>").encode()),
    "password in XML with a spaced end tag": _ispring_user("application/xml", lambda lg, pw: (
        f"<request><departmentId>{SALES}</departmentId><password>{pw}</password >"
        f"<fields><login>{lg}</login></fields></request>").encode()),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_secrets_never_reach_the_journal_or_the_log(server: Server, case: Case) -> None:
    unique = uuid.uuid4().hex
    with httpx.Client(base_url=server.url, timeout=30) as http:
        assert http.delete("/_emulator/journal").status_code == 200
        log_start = len(server.output())
        sent = case(http, unique)
        journal = http.get("/_emulator/journal", params={"limit": 1000}).text
    log = server.output()[log_start:]
    assert sent.secrets
    assert json.loads(journal)["entries"], "the request was journaled"
    for secret in sent.secrets:
        assert secret not in journal, f"journal holds {secret!r}"
        assert secret not in log, f"log holds {secret!r}"


def _stored_bytes(db: Path) -> bytes:
    wal = db.with_name(db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_no_secret_is_kept_in_the_database_file_or_its_wal(tmp_path: Path) -> None:
    db = tmp_path / "at-rest.db"
    with Server(db) as running, httpx.Client(base_url=running.url, timeout=30) as http:
        sent = session_of_calls(http)
        assert db.with_name(db.name + "-wal").stat().st_size > 0, "the WAL is read too"
        while_running = _stored_bytes(db)
    after_exit = _stored_bytes(db)
    assert len(sent) >= 15
    for secret in sent:
        assert secret.encode() not in while_running, f"database or WAL holds {secret!r}"
        assert secret.encode() not in after_exit, f"database holds {secret!r} after exit"
