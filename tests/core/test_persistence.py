"""State in a database file survives a restart; fixture problems are reported clearly."""

import json
from pathlib import Path

import pytest

from emulator.app import build_context, create_app
from emulator.cli import main
from emulator.core.fixtures import FixtureError
from emulator.core.settings import Settings, default_fixtures_dir
from emulator.testing.transport import in_process_client
from tests.helpers import as_listed


def test_state_survives_a_restart(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "state.db", access_log=False)
    with in_process_client(create_app(settings)) as first:
        tenant = first.post("/_emulator/tenants", json={"vendor": "thrive"}).json()
        assert tenant.pop("controlToken").startswith("lmsct_")  # shown once only
        first.post("/_emulator/clock", json={"set": "2031-05-05T00:00:00Z", "freeze": True})
        first.post("/_emulator/snapshots/kept")
    with in_process_client(create_app(settings)) as second:
        assert second.get(f"/_emulator/tenants/{tenant['id']}").json() == as_listed(tenant)
        creds = tenant["credentials"]
        users = second.get("/thrive/rest/v1/users", auth=(creds["tenantId"], creds["apiSecret"]))
        assert users.status_code == 200, users.text
        assert second.get("/_emulator/clock").json()["now"] == "2031-05-05T00:00:00Z"
        assert [s["name"] for s in second.get("/_emulator/snapshots").json()] == ["kept"]
    with in_process_client(create_app(settings.model_copy(update={"reset": True}))) as third:
        assert third.get(f"/_emulator/tenants/{tenant['id']}").status_code == 404


def write_pack(directory: Path, vendor: str, name: str, content: str) -> Path:
    (directory / vendor).mkdir(parents=True, exist_ok=True)
    path = directory / vendor / f"{name}.json"
    path.write_text(content)
    return path


def copy_fixtures(tmp_path: Path) -> Path:
    target = tmp_path / "fixtures"
    for pack in default_fixtures_dir().glob("*/*.json"):
        write_pack(target, pack.parent.name, pack.stem, pack.read_text())
    return target


def test_invalid_json_fixture_names_file_and_position(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    path = write_pack(fixtures, "dmtd", "broken", '{"tenant": "x",\n  "token": }')
    with pytest.raises(FixtureError) as caught:
        build_context(Settings(memory=True, fixtures=fixtures))
    assert str(caught.value) == f"{path}: line 2 column 12: Expecting value"


def test_invalid_row_names_file_row_and_problem(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    demo = json.loads((fixtures / "thrive" / "demo.json").read_text())
    demo["oauthClients"][1].pop("clientSecret")
    path = write_pack(fixtures, "thrive", "demo", json.dumps(demo))
    with pytest.raises(FixtureError) as caught:
        build_context(Settings(memory=True, fixtures=fixtures))
    assert str(caught.value) == f"{path}: oauthClients[1].clientSecret: Field required"


def test_cli_reports_bad_fixture_in_one_line(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    fixtures = copy_fixtures(tmp_path)
    path = write_pack(fixtures, "dmtd", "broken", "[]")
    code = main(["reset", "--db", str(tmp_path / "x.db"), "--fixtures", str(fixtures)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"lms-emulator: error: {path}: (top level): ")
    assert err.count("\n") == 1


def test_cli_reset_and_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out.startswith("lms-emulator 0.")
    assert main(["reset", "--db", str(tmp_path / "r.db")]) == 0
    assert (tmp_path / "r.db").exists()


def test_cli_unwritable_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", str(tmp_path / "missing" / "x.db"), "--port", "0"]) == 2
    assert capsys.readouterr().err == \
        f"lms-emulator: error: database directory {tmp_path / 'missing'} does not exist\n"
    assert main(["serve", "--db", str(tmp_path), "--port", "0"]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_reseeding_gives_the_same_demo_ids(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "ids.db", access_log=False)
    headers = {"Authorization": "Bearer dmtd-demo-iframe-token"}
    with in_process_client(create_app(settings)) as first:
        first.post("/_emulator/tenants", json={"vendor": "dmtd"})  # consumes counter values
        learners = [(x["id"], x["code"]) for x in first.get("/dmtd/1/learner",
                                                             headers=headers).json()]
    with in_process_client(create_app(settings.model_copy(update={"reset": True}))) as again:
        assert [(x["id"], x["code"]) for x in again.get("/dmtd/1/learner",
                                                         headers=headers).json()] == learners
