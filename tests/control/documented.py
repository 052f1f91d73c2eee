"""Reads each vendor's documented error statuses per operation out of the vendor docs in
`../shared`, keyed like the emulator's routes: (vendor, method, path with `{}` for parameters)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

SHARED = Path(__file__).resolve().parents[3] / "shared" / "vendors"
_PARAM = re.compile(r"\{[^}]*\}")
_ERROR = re.compile(r"\b[45]\d\d\b")


def shape(path: str) -> str:
    return _PARAM.sub("{}", path.rstrip("/") or "/")


def ispring() -> dict[tuple[str, str], set[int]]:
    """The OpenAPI document's responses of 400 and above."""
    spec = yaml.safe_load((SHARED / "ispring-learn-openapi.yaml").read_text())
    out: dict[tuple[str, str], set[int]] = {}
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            if isinstance(op, dict) and "responses" in op:
                out[(method.upper(), shape(path))] = {
                    int(code) for code in op["responses"] if str(code).isdigit()
                    and int(code) >= 400}
    return out


# A row of an operation table: `| U4 | **v2** `POST /users` — ... | ... | statuses |`.
_THRIVE_ROW = re.compile(r"^\| [A-Z]+\d+ \| (\*\*v2\*\* )?`(GET|POST|PATCH|DELETE) (/[^`?]*)`")


def thrive() -> dict[tuple[str, str], set[int]]:
    """The operation tables' last column, plus the 401/403 every token-authorised call can give
    (the docs' section on 401 vs 403 applies to all of them)."""
    out: dict[tuple[str, str], set[int]] = {}
    for line in (SHARED / "thrive.md").read_text().splitlines():
        row = _THRIVE_ROW.match(line)
        if row is None:
            continue
        base = "/rest/v2" if row.group(1) else "/rest/v1"
        last = line.rstrip().rstrip("|").rsplit("|", 1)[-1]
        out[(row.group(2), shape(base + row.group(3)))] = (
            {int(code) for code in _ERROR.findall(last)} | {401, 403})
    return out
