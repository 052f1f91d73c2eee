"""No secret at rest, on every database: after a session of calls no row of any table (the
snapshots' pickled rows included) holds an issued token, a password or a client secret."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlmodel import SQLModel

from tests.at_rest import session_of_calls


def _stored_text(app: FastAPI) -> bytes:
    """Every stored value of every table, as bytes (text as UTF-8, binary as it is)."""
    chunks: list[bytes] = []
    with app.state.ctx.db.transaction() as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(table.select()):
                chunks += [v if isinstance(v, bytes) else repr(v).encode() for v in row]
    return b"\n".join(chunks)


def test_no_table_holds_a_secret(client: httpx.Client, emulator_app: FastAPI) -> None:
    try:
        sent = session_of_calls(client)
        stored = _stored_text(emulator_app)
    finally:  # snapshots outlive the per-test reset of the shared emulator
        client.delete("/_emulator/snapshots/after-the-session")
    assert b"after-the-session" in stored, "the snapshot is searched too"
    for secret in sent:
        assert secret.encode() not in stored, f"a table holds {secret!r}"


def test_credentials_are_shown_once_then_withheld(client: httpx.Client) -> None:
    created = client.post("/_emulator/tenants", json={"vendor": "dmtd"}).json()
    assert created.pop("controlToken").startswith("lmsct_")  # shown once too, like the secrets
    token = created["credentials"]["token"]
    assert len(token) == 24
    listed = client.get(f"/_emulator/tenants/{created['id']}")
    assert listed.status_code == 200
    kind, organization = created["credentials"]["kind"], created["credentials"]["organizationId"]
    assert listed.json() == {**created, "credentials": {
        "token": None, "kind": kind, "organizationId": organization}}
    learners = client.get("/dmtd/1/learner", headers={"Authorization": f"Bearer {token}"})
    assert learners.status_code == 200, learners.text
    demo = client.get("/_emulator/tenants/dmtd-demo-iframe").json()
    assert demo["credentials"] == {"token": "dmtd-demo-iframe-token", "kind": "iframe",
                                   "organizationId": 1}
