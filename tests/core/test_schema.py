"""Schema version, in-place upgrades and refusal of newer databases, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, inspect, select, text
from sqlmodel import SQLModel

from emulator import cli
from emulator.app import create_app
from emulator.core import schema
from emulator.core.db import Database
from emulator.core.settings import Settings
from emulator.testing.transport import in_process_client
from tests.backends import BACKENDS, database_url

NOTES = schema.Migration(schema.VERSION + 1, "tenants get free-text notes",
                         lambda conn: conn.execute(text(
                             "ALTER TABLE core_tenant ADD COLUMN notes TEXT NOT NULL DEFAULT ''")))


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path,
        tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database written by this release: the demo data, a fresh tenant and a new learner."""
    given = database_url(request.param, tmp_path_factory)
    db_url = given or f"sqlite:///{tmp_path / 'release.db'}"
    app = create_app(Settings(database_url=db_url, access_log=False))
    with in_process_client(app) as client:
        assert client.post("/_emulator/tenants", json={"vendor": "thrive"}).status_code == 201
        auth = {"Authorization": "Bearer dmtd-demo-iframe-token", "X-UserId": "1235"}
        created = client.post("/dmtd/1/learner", headers=auth,
                              json={"code": "kept-1", "dateOfBirth": "2019-05-01"})
        assert created.status_code == 200, created.text
    app.state.ctx.db.dispose()
    return db_url


@pytest.fixture
def database(url: str) -> Iterator[Database]:
    db = Database(url)
    yield db
    db.dispose()


def _everything(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {table.name: sorted(map(tuple, conn.execute(select(table))), key=repr)
            for table in SQLModel.metadata.sorted_tables if table.name != "core_meta"}


def test_a_new_database_stores_this_releases_version(database: Database) -> None:
    with database.engine.connect() as conn:
        assert schema.stored_version(conn) == schema.VERSION
        assert conn.execute(text("SELECT value FROM core_meta WHERE key = 'schema_version'")
                            ).scalar_one() == str(schema.VERSION)


def test_the_next_schema_change_upgrades_in_place_with_the_data_intact(
        database: Database) -> None:
    with database.engine.connect() as conn:
        before = _everything(conn)
    assert "'kept-1'" in repr(before["dmtd_learner"])

    was = schema.prepare(database, version=NOTES.version, migrations=[NOTES])

    assert was == schema.VERSION
    with database.engine.connect() as conn:
        assert schema.stored_version(conn) == NOTES.version
        columns = [c["name"] for c in inspect(conn).get_columns("core_tenant")]
        after = _everything(conn)
        notes = conn.execute(text("SELECT id, notes FROM core_tenant")).all()
    assert columns[-1] == "notes"
    assert after == before
    assert sorted(notes) == sorted((row[0], "") for row in before["core_tenant"])
    # Upgrading again is a no-op.
    assert schema.prepare(database, version=NOTES.version, migrations=[NOTES]) == NOTES.version


def test_a_database_from_a_newer_release_is_refused_in_one_line(
        database: Database, url: str, capsys: pytest.CaptureFixture[str]) -> None:
    schema.prepare(database, version=NOTES.version, migrations=[NOTES])
    with pytest.raises(schema.SchemaTooNew) as refused:
        schema.prepare(database)
    message = (f"database schema version {NOTES.version} is newer than this release's version "
               f"{schema.VERSION}; use a newer lms-emulator or a fresh database")
    assert str(refused.value) == message

    assert cli.main(["reset", "--database-url", url]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"lms-emulator: error: {message}\n")
    with database.engine.connect() as conn:  # refused before anything was touched
        assert schema.stored_version(conn) == NOTES.version


def test_a_version_1_database_with_plain_secrets_is_upgraded_and_reseeded(url: str) -> None:
    db = Database(url)
    with db.engine.begin() as conn:  # what release 1 kept: tokens and secrets in plain
        conn.execute(text("DROP TABLE ispring_token"))
        conn.execute(text("CREATE TABLE ispring_token (tenant_id VARCHAR(120) NOT NULL, "
                          "token VARCHAR(100) PRIMARY KEY, client_id VARCHAR(200) NOT NULL, "
                          "expires_at TIMESTAMP NOT NULL)"))
        conn.execute(text("INSERT INTO ispring_token VALUES ('demo.ispringlearn.com', "
                          "'plain-token', 'c', '2999-01-01 00:00:00')"))
        conn.execute(text("UPDATE thrive_credential SET secret = 'thrive-demo-secret' "
                          "WHERE client_id = '__basic__'"))
        conn.execute(text("DELETE FROM core_meta WHERE key = 'schema_version'"))
        tenants = conn.execute(text("SELECT count(*) FROM core_tenant")).scalar_one()
    db.dispose()
    assert tenants == 5  # the demo tenants and the release's fresh one

    app = create_app(Settings(database_url=url, access_log=False))
    try:
        with in_process_client(app) as client:
            listed = client.get("/_emulator/tenants").json()
            users = client.get("/thrive/rest/v1/users", auth=("eu-west-2_EmuDemo01",
                                                              "thrive-demo-secret"))
            snapshots = client.get("/_emulator/snapshots").json()
        with app.state.ctx.db.engine.connect() as conn:
            version = schema.stored_version(conn)
            columns = [c["name"] for c in inspect(conn).get_columns("ispring_token")]
            tokens = conn.execute(text("SELECT count(*) FROM ispring_token")).scalar_one()
            secret = conn.execute(text("SELECT secret FROM thrive_credential WHERE client_id "
                                       "= '__basic__'")).scalar_one()
    finally:
        app.state.ctx.db.dispose()
    assert version == schema.VERSION == 3
    assert "token_hash" in columns
    assert "token" not in columns
    assert tokens == 0
    assert secret.startswith("scrypt$")
    assert users.status_code == 200, users.text
    assert snapshots == []  # the old snapshots held plain secrets
    assert sorted(t["id"] for t in listed) == ["demo.ispringlearn.com", "dmtd-demo-iframe",
                                               "dmtd-demo-standard", "eu-west-2_EmuDemo01"]
