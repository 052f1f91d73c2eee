"""Journal assertions in vendor terms: match entries by fields and request-body values.

A body condition `{"courseIds.id": "…"}` compares the value at that dotted path of the request
body, parsed the way the vendor parses it (JSON, XML under its root element, or form fields).
When nothing matches, the closest entries are returned with what differed, so a failing test
says why instead of only "0 != 1".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict

from emulator.core.codec import parse_json, parse_xml
from emulator.core.errors import MalformedBody
from emulator.core.models import JournalEntry

FIELDS = ("vendor", "tenant", "operation", "method", "path", "status")


class JournalMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vendor: str | None = None
    tenant: str | None = None
    operation: str | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    body: dict[str, Any] = {}
    near_misses: int = 3


def parsed_body(entry: JournalEntry) -> Any:
    text = entry.request_body
    if not text:
        return None
    raw = text.encode("utf-8")
    ctype = entry.request_headers.get("content-type", "").lower()
    try:
        if "xml" in ctype or text.lstrip().startswith("<"):
            return parse_xml(raw)[1]
        if "json" in ctype or text.lstrip()[:1] in ("{", "["):
            return parse_json(raw)
    except MalformedBody:
        return None
    return dict(parse_qsl(text, keep_blank_values=True))


def value_at(document: Any, dotted: str) -> Any:
    current = document
    for part in dotted.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


def _same(expected: Any, actual: Any) -> bool:
    if expected == actual:
        return True
    # XML and form bodies carry text: "3" in the body equals 3 in the condition.
    if not isinstance(actual, str) or isinstance(expected, dict | list):
        return False
    if isinstance(expected, bool):
        return actual.lower() in (("true", "1") if expected else ("false", "0"))
    return str(expected) == actual


def differences(entry: JournalEntry, want: JournalMatch) -> list[str]:
    out = []
    for name in FIELDS:
        expected = getattr(want, name)
        if expected is None:
            continue
        actual = getattr(entry, name)
        if name == "method":
            expected = expected.upper()
        if name == "path" and isinstance(expected, str) and expected.endswith("*"):
            if not str(actual).startswith(expected[:-1]):
                out.append(f"{name}: expected {expected!r}, got {actual!r}")
            continue
        if actual != expected:
            out.append(f"{name}: expected {expected!r}, got {actual!r}")
    if want.body:
        document = parsed_body(entry)
        for dotted, expected in want.body.items():
            actual = value_at(document, dotted)
            if not _same(expected, actual):
                out.append(f"body.{dotted}: expected {expected!r}, got {actual!r}")
    return out


def summary(entry: JournalEntry) -> dict[str, Any]:
    return {"id": entry.id, "vendor": entry.vendor, "tenant": entry.tenant,
            "operation": entry.operation, "method": entry.method, "path": entry.path,
            "status": entry.status}


def match(entries: list[JournalEntry], want: JournalMatch) -> dict[str, Any]:
    matched, misses = [], []
    for entry in entries:
        diff = differences(entry, want)
        if diff:
            misses.append((len(diff), -(entry.id or 0), entry, diff))
        else:
            matched.append(summary(entry))
    near = sorted(misses, key=lambda m: (m[0], m[1]))[: want.near_misses] if not matched else []
    return {"count": len(matched), "entries": matched,
            "nearMisses": [{"entry": summary(e), "differences": d} for _, _, e, d in near]}
