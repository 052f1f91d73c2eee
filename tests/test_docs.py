"""The documentation stands alone: no path outside the repository, every cited decision (D12)
or section (§5.2) defined in the vendor's reference under `docs/reference/`, and example ids
that paste as they are."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
VENDORS = ["thrive", "ispring", "dmtd"]

ABSOLUTE = re.compile(r"(?<![\w.:/-])/(?:work|home|root|tmp|mnt|srv|opt|Users|var)/[\w.-]+")
LINK = re.compile(r"\]\(([^)\s]+)\)")
BACKTICKED_FILE = re.compile(r"`([\w.-]+\.(?:md|ya?ml))`")
DECISION = re.compile(r"\bD(\d{1,2})\b")
SECTION = re.compile(r"§\s?(\d+(?:\.\d+)*)")


def files_named(name: str) -> list[Path]:
    return [p for p in ROOT.rglob(name) if ".venv" not in p.parts and ".git" not in p.parts]


def outside_references(text: str, where: Path) -> list[str]:
    """What `text`, a document in the folder `where`, mentions outside the repository."""
    found = [m.group(0) for m in ABSOLUTE.finditer(text)]
    found += [m.group(0) for m in re.finditer(r"(?<![\w/-])shared/[\w./-]+", text)]
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:|#", target):
            continue
        path = (where / target.split("#", 1)[0]).resolve()
        if not path.is_relative_to(ROOT) or not path.exists():
            found.append(target)
    found += [name for name in BACKTICKED_FILE.findall(text) if not files_named(name)]
    return found


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_docs_mention_no_path_outside_the_repository(doc: Path) -> None:
    assert outside_references(doc.read_text(), doc.parent) == []


def test_the_check_catches_outside_paths() -> None:
    text = ("See `/work/shared/vendors/dmtd.md`, shared/vendors/thrive.md, "
            "[spec](../../elsewhere/spec.yaml), `PRODUCT.md` and "
            "[ok](thrive.md), `pyproject.toml`, https://example.com/a.md.\n")
    assert outside_references(text, ROOT / "docs") == [
        "/work/shared", "shared/vendors/thrive.md", "../../elsewhere/spec.yaml", "PRODUCT.md"]


def defined(vendor: str) -> tuple[set[str], set[str]]:
    """Decision numbers (`- **D12 ...`) and section numbers (`### 5.12 ...`) of a reference."""
    text = (ROOT / "docs" / "reference" / f"{vendor}.md").read_text()
    decisions = set(re.findall(r"^(?:\s*[-*]?\s*\*\*|\| )D(\d+)\b", text, re.M))
    sections = set(re.findall(r"^#+ (?:Appendix )?(\d+(?:\.\d+)*)\.?\s", text, re.M))
    return decisions, sections


def citations(vendor: str) -> tuple[set[str], set[str]]:
    sources = [ROOT / "docs" / f"{vendor}.md", *sorted((ROOT / "emulator" / vendor).rglob("*.py"))]
    text = "\n".join(p.read_text() for p in sources)
    return set(DECISION.findall(text)), {s.rstrip(".") for s in SECTION.findall(text)}


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_cited_decision_and_section_is_defined(vendor: str) -> None:
    decisions, sections = defined(vendor)
    cited_decisions, cited_sections = citations(vendor)
    assert cited_decisions | cited_sections, "nothing cited: the patterns are wrong"
    assert sorted(cited_decisions - decisions, key=int) == []
    assert sorted(cited_sections - sections) == []


@pytest.mark.parametrize("vendor", VENDORS)
def test_vendor_doc_points_to_its_reference(vendor: str) -> None:
    assert f"(reference/{vendor}.md)" in (ROOT / "docs" / f"{vendor}.md").read_text()


def test_example_ids_are_whole_and_come_from_the_demo_fixtures() -> None:
    for doc in DOCS:
        assert re.findall(r"[0-9a-fA-F]{4,}-?…", doc.read_text()) == [], doc
    demo = (ROOT / "fixtures" / "ispring" / "demo.json").read_text()
    uuids = set(re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                           (ROOT / "docs" / "ispring.md").read_text()))
    assert len(uuids) > 15
    assert sorted(u for u in uuids if u not in demo) == []
    json.loads(demo)
