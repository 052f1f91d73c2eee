"""The dashboard's files travel in the wheel: a `pip install` serves the same pages offline."""

import subprocess
import sys
import zipfile
from pathlib import Path

from emulator.control.ui import HERE

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_carries_templates_static_files_and_coverage_data(tmp_path: Path) -> None:
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(tmp_path), str(ROOT)], capture_output=True, text=True,
                           timeout=600)
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("lms_emulator-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"emulator/control/ui/{p.relative_to(HERE).as_posix()}"
               for p in HERE.rglob("*") if p.is_file() and p.suffix != ".pyc"}
    assert {n for n in shipped if "/templates/" in n or "/static/" in n}
    assert shipped <= names, shipped - names
    assert "emulator/control/documented_errors.json" in names
