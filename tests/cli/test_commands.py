"""`lms-emulator` commands that end by themselves: version, coverage, reset, and every
misconfiguration answered with one line and exit status 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator import __version__
from emulator.app import create_app
from emulator.core.settings import Settings
from emulator.testing.transport import in_process_client
from tests.cli.run import LMS_EMULATOR, run

DEMO_TENANTS = 4  # thrive demo, ispring demo, dmtd iframe + standard


def test_version_flag_and_command_agree() -> None:
    flag, command = run("--version"), run("version")
    assert (flag.returncode, flag.stdout, flag.stderr) == (0, f"lms-emulator {__version__}\n", "")
    assert command.stdout == flag.stdout


def test_coverage_into_a_closed_pipe_is_quiet() -> None:
    # `lms-emulator coverage | head`: the reader is gone before the table is written.
    proc = subprocess.Popen([LMS_EMULATOR, "coverage"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.close()
    stderr = proc.stderr.read()
    proc.stderr.close()
    assert (proc.wait(timeout=60), stderr) == (0, b"")


def test_coverage_of_one_vendor_and_an_unknown_one() -> None:
    dmtd = run("coverage", "--vendor", "dmtd")
    assert dmtd.returncode == 0
    assert dmtd.stdout.startswith("#### DMTD (VB-MAPP) (`/dmtd`)\n")
    assert "/rest/v1/" not in dmtd.stdout
    unknown = run("coverage", "--vendor", "moodle")
    assert (unknown.returncode, unknown.stdout, unknown.stderr) == (
        2, "", "lms-emulator: error: unknown vendor 'moodle' (known: thrive, ispring, dmtd)\n")


@pytest.mark.parametrize(("value", "reason"), [("0", "must be at least 1"),
                                           ("-3", "must be at least 1"),
                                           ("two", "not a number: 'two'")])
def test_workers_below_one_is_refused(value: str, reason: str) -> None:
    result = run("serve", "--memory", "--port", "0", "--workers", value)
    assert result.returncode == 2
    assert result.stderr.endswith(f"lms-emulator serve: error: argument --workers: {reason}\n")


def test_a_database_that_cannot_be_opened_is_named(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_text("these are my notes, not a database\n" * 200)
    result = run("reset", "--db", str(db))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"lms-emulator: error: database {db}: file is not a database\n"


def test_a_database_url_is_named_without_its_password(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"
    result = run("reset", env={**os.environ, "EMULATOR_DATABASE_URL": url})
    assert result.returncode == 2
    assert result.stderr == \
        f"lms-emulator: error: database {url}: unable to open database file\n"


def test_fixtures_without_any_pack_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "packs"
    (empty / "thrive").mkdir(parents=True)
    (empty / "thrive" / "README.txt").write_text("not a pack")
    for command in (["reset", "--db", str(tmp_path / "x.db")],
                    ["serve", "--memory", "--port", "0"]):
        result = run(*command, "--fixtures", str(empty))
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == (
            f"lms-emulator: error: fixture directory {empty} holds no pack: expected one of "
            "thrive/, ispring/, dmtd/ with <name>.json files\n")
    assert not (tmp_path / "x.db").exists()


def test_fixtures_path_to_a_file_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "demo.json"
    pack.write_text("{}")
    result = run("serve", "--memory", "--port", "0", "--fixtures", str(pack))
    assert result.returncode == 2
    assert result.stderr == (f"lms-emulator: error: fixtures path {pack} is a file; it must be "
                             "a directory of <vendor>/<name>.json packs\n")


NOBODY = 65534


@pytest.fixture
def foreign_dir() -> Iterator[tuple[Path, list[str], int]]:
    """A directory the command may not write, as a bind mount owned by another user is: as
    root (who may write anywhere) the command runs as `nobody`, else the directory is
    read-only. Yields the directory, the command prefix and the user id it runs as."""
    directory = Path(tempfile.mkdtemp(prefix="lms-emulator-ro-"))
    if os.getuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("as root, this needs setpriv (util-linux) to run as another user")
        prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        directory.chmod(0o755)
        uid = NOBODY
    else:
        prefix, uid = [], os.getuid()
        directory.chmod(0o555)
    try:
        yield directory, prefix, uid
    finally:
        directory.chmod(0o755)
        shutil.rmtree(directory)


def test_unwritable_data_directory_is_a_one_line_error(
        foreign_dir: tuple[Path, list[str], int]) -> None:
    directory, prefix, uid = foreign_dir
    result = subprocess.run([*prefix, LMS_EMULATOR, "serve", "--port", "0"], cwd="/",
                            env={**os.environ, "EMULATOR_DB": str(directory / "lms-emulator.db")},
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"lms-emulator: error: database path {directory}/lms-emulator.db "
                             f"is not writable by user id {uid}\n")


def test_reset_starts_over_and_keeps_named_snapshots(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    app = create_app(Settings(db=db, access_log=False))
    with in_process_client(app) as http:
        assert http.post("/_emulator/tenants", json={"vendor": "dmtd"}).status_code == 201
        assert http.post("/_emulator/snapshots/before-demo").status_code == 201
        http.get("/dmtd/1/learner", headers={"Authorization": "Bearer dmtd-demo-token"})
        http.post("/_emulator/faults", json={"vendor": "dmtd", "effect": {"type": "drop"}})
        http.post("/_emulator/clock", json={"set": "2030-01-01T00:00:00Z", "freeze": True})
    app.state.ctx.db.dispose()

    result = run("reset", "--db", str(db))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (f"reset {db} to the fixtures in {Settings().fixtures}; "
                             "named snapshots kept: before-demo\n")

    app = create_app(Settings(db=db, access_log=False))
    with in_process_client(app) as http:
        assert len(http.get("/_emulator/tenants").json()) == DEMO_TENANTS
        assert http.get("/_emulator/journal").json()["total"] == 0
        assert http.get("/_emulator/faults").json() == []
        clock = http.get("/_emulator/clock").json()
        assert (clock["frozen"], clock["offsetSeconds"]) == (False, 0.0)
        assert [s["name"] for s in http.get("/_emulator/snapshots").json()] == ["before-demo"]
        # The kept snapshot still brings back what it saved.
        assert http.post("/_emulator/snapshots/before-demo/restore").status_code == 200
        assert len(http.get("/_emulator/tenants").json()) == DEMO_TENANTS + 1
    app.state.ctx.db.dispose()
