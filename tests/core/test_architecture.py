"""The rules of docs/architecture.md, checked on the source: core imports no vendor, vendors
never import each other, only app.py wires every vendor, each vendor package has the same
files, no module is over MAX_LINES lines, and no modules import each other in a circle."""

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "emulator"
VENDORS = ("thrive", "ispring", "dmtd")
VENDOR_FILES = {"__init__.py", "app.py", "auth.py", "errors.py", "models.py", "schemas.py",
                "backend.py"}
MAX_LINES = 700
MODULE_FILES = sorted(PACKAGE.rglob("*.py"))
# The parts of the package a cycle is reported against: each subpackage and top-level module.
PARTS = sorted(p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
               if (p.is_dir() and (p / "__init__.py").exists())
               or (p.suffix == ".py" and p.name != "__init__.py"))


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


def test_only_app_wires_every_vendor() -> None:
    wiring = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
              if vendors_imported(p) == set(VENDORS)]
    assert wiring == ["app.py"]


@pytest.mark.parametrize("path", MODULE_FILES,
                         ids=[str(p.relative_to(PACKAGE)) for p in MODULE_FILES])
def test_module_fits_in_one_reading(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def import_graph() -> dict[str, set[str]]:
    """Module -> the emulator modules it imports, anywhere in the file.

    Imports under `if TYPE_CHECKING:` and inside functions count too: they dodge the import
    error of a circle, not the entanglement. `from emulator.x import y` depends on the module
    `emulator.x.y` when there is one, else on `emulator.x` (running a package's `__init__` on
    the way to one of its modules is how Python works, not a dependency).
    """
    modules = {module_name(p): p for p in MODULE_FILES}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.update(f"{node.module}.{alias.name}"
                               if f"{node.module}.{alias.name}" in modules else node.module
                               for alias in node.names)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                component.append(member)
            if component:
                found.append(sorted([node, *component]))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("part", PARTS)
def test_no_import_cycles(part: str) -> None:
    inside = f"emulator.{part}"
    involved = [c for c in cycles(import_graph())
                if any(m == inside or m.startswith(f"{inside}.") for m in c)]
    assert involved == []
