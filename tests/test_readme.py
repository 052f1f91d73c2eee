"""The README stays true: two Quickstart commands (the second is CI's), the generated coverage
table, and runnable integration examples.

Regenerate the coverage section with
`UPDATE_README=1 .venv/bin/python -m pytest tests/test_readme.py`.
"""

import os
import re
from pathlib import Path

import pytest

from emulator.app import create_app
from emulator.control.routes import coverage_markdown
from emulator.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README has no '## {heading}' section"
    return match.group(1)


def test_quickstart_has_exactly_two_commands_and_ci_runs_the_second() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", section(README.read_text(), "Quickstart"), re.S)
    commands = [b.strip() for b in blocks[:2]]
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert commands[0].endswith("lms-emulator serve")
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands[1] in ci_lines


def test_coverage_section_is_generated_from_the_routes() -> None:
    app = create_app(Settings(memory=True, access_log=False))
    table = coverage_markdown(app.state.ctx, app.state.vendor_apps)
    text = README.read_text()
    block = f"<!-- coverage:start -->\n{table}\n<!-- coverage:end -->"
    if os.environ.get("UPDATE_README"):
        text = re.sub(r"<!-- coverage:start -->.*?<!-- coverage:end -->", lambda _: block, text,
                      flags=re.S)
        README.write_text(text)
    assert block in text, "README coverage is stale: UPDATE_README=1 pytest tests/test_readme.py"


EXAMPLES = re.findall(r"```python\n(# example: .*?)```", README.read_text(), re.S)


@pytest.mark.parametrize("code", EXAMPLES, ids=[e.split("\n", 1)[0][11:] for e in EXAMPLES])
def test_integration_examples_run(code: str, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_example=code)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=code.count("\ndef test_") + code.startswith("def test_"))


def test_one_example_per_vendor_and_one_on_a_socket() -> None:
    assert sorted(e.split("\n", 1)[0][11:] for e in EXAMPLES) == ["dmtd", "ispring", "live",
                                                                  "thrive"]
