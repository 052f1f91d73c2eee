"""The single XML serializer and parser, JSON/form body parsing, and content negotiation.

Untrusted XML is first checked by defusedxml (no DTDs, no entities, no external references:
billion laughs, quadratic blowup and XXE are refused before anything expands) and then turned
into dicts by xmltodict. Every XML body the emulator sends is produced by `render_xml`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.parsers import expat
from xml.parsers.expat import ExpatError

import defusedxml.ElementTree as SafeET
import xmltodict
from defusedxml import DefusedXmlException

from emulator.core.errors import MalformedBody

XML_TYPES = ("application/xml", "text/xml")
JSON_TYPE = "application/json"


# Request documents are small (ids, a few fields); an element flood or a deep nest within the
# body-size limit would otherwise cost seconds of CPU building trees.
MAX_XML_DEPTH = 64
MAX_XML_ELEMENTS = 50_000


class _Doctype(Exception):
    """A DTD: left to defusedxml, which names the refusal."""


def _check_shape(body: bytes) -> None:
    """One streaming pass that stops at the first element past the depth or count limit."""
    parser = expat.ParserCreate()
    depth = count = 0

    def start(name: str, attrs: Any) -> None:
        nonlocal depth, count
        depth += 1
        count += 1
        if depth > MAX_XML_DEPTH:
            raise MalformedBody(f"XML nested deeper than {MAX_XML_DEPTH} levels")
        if count > MAX_XML_ELEMENTS:
            raise MalformedBody(f"XML with more than {MAX_XML_ELEMENTS} elements")

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    def doctype(*args: Any) -> None:
        raise _Doctype

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(body, True)
    except (_Doctype, ExpatError, ValueError):
        return  # refused with its precise reason by the full parse below


def parse_xml(body: bytes) -> tuple[str, Any]:
    """(root element name, content) of an XML document; MalformedBody for anything unsafe."""
    if not body.strip():
        raise MalformedBody("Empty XML body")
    _check_shape(body)
    try:
        SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        doc = xmltodict.parse(body, disable_entities=True)
    except DefusedXmlException as exc:
        raise MalformedBody(
            f"XML with a DTD or entities is not accepted ({type(exc).__name__})") from None
    except (ParseError, ExpatError, ValueError) as exc:
        raise MalformedBody(f"Malformed XML: {exc}") from None
    if not isinstance(doc, dict) or len(doc) != 1:
        raise MalformedBody("Malformed XML: expected one root element")
    ((root, content),) = doc.items()
    return root, content


def render_xml(root: str, content: Any, *, declaration: bool = True) -> bytes:
    """Serialize `{root: content}`; dict keys are elements, lists repeat their element."""
    text: str = xmltodict.unparse(
        {root: _xml_ready(content)},
        full_document=declaration,
        encoding="UTF-8",
        short_empty_elements=True,
    )
    return text.encode("utf-8")


# Characters XML 1.0 cannot carry at all (not even escaped); an echoed client value holding
# one would make the whole answer unparseable, so it is replaced.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_ready(value: Any) -> Any:
    """xmltodict renders None as an empty element and bool as 'true'; callers decide booleans."""
    if isinstance(value, Mapping):
        return {_XML_INVALID.sub("\ufffd", str(k)): _xml_ready(v)
                for k, v in value.items() if v is not None}
    if isinstance(value, str):
        return _XML_INVALID.sub("\ufffd", value)
    if isinstance(value, list | tuple):
        return [_xml_ready(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedBody(f"Malformed JSON: {exc}") from None
    except RecursionError:
        raise MalformedBody("Malformed JSON: nested too deeply") from None


def render_json(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def media_types(accept: str | None) -> list[str]:
    """The media types of an Accept header, lower-cased, parameters dropped, in order."""
    if not accept:
        return []
    return [part.split(";", 1)[0].strip().lower() for part in accept.split(",") if part.strip()]


def content_type(header: str | None) -> str:
    return media_types(header)[0] if header else ""


def as_list(value: Any) -> list[Any]:
    """xmltodict gives one child as a scalar and several as a list; normalise to a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def first(values: Iterable[Any]) -> Any:
    return next(iter(values), None)
