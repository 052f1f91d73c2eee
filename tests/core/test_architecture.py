"""The dependency rules of ARCHITECTURE.md, checked on the source: core imports no vendor,
vendors never import each other, only app.py wires every vendor, and each vendor package has
the same files."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "emulator"
VENDORS = ("thrive", "ispring", "dmtd")
VENDOR_FILES = {"__init__.py", "auth.py", "schemas.py", "models.py", "backend.py", "errors.py"}
# The sub-app builder: `app.py` once a package is split by resource, `routes.py` before.
SUB_APP_FILES = {"app.py", "routes.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def vendors_imported(path: Path) -> set[str]:
    return {v for v in VENDORS for name in imported_modules(path)
            if name == f"emulator.{v}" or name.startswith(f"emulator.{v}.")}


@pytest.mark.parametrize("part", ["core", "control", "testing"])
def test_shared_code_imports_no_vendor(part: str) -> None:
    offenders = {str(p.relative_to(PACKAGE)): vendors_imported(p)
                 for p in (PACKAGE / part).rglob("*.py") if vendors_imported(p)}
    assert offenders == {}


@pytest.mark.parametrize("vendor", VENDORS)
def test_vendor_imports_only_itself(vendor: str) -> None:
    offenders = {str(p.relative_to(PACKAGE)): vendors_imported(p) - {vendor}
                 for p in (PACKAGE / vendor).rglob("*.py") if vendors_imported(p) - {vendor}}
    assert offenders == {}


@pytest.mark.parametrize("vendor", VENDORS)
def test_vendor_packages_share_one_layout(vendor: str) -> None:
    files = {p.name for p in (PACKAGE / vendor).glob("*.py")}
    assert files >= VENDOR_FILES
    assert files & SUB_APP_FILES


def test_only_app_wires_every_vendor() -> None:
    wiring = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
              if vendors_imported(p) == set(VENDORS)]
    assert wiring == ["app.py"]
