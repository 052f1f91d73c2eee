"""iSpring's wire formats: request bodies and query strings in, negotiated XML/JSON bodies out.

- Bodies (§4.4): XML with any root element, JSON objects, urlencoded and multipart forms whose
  keys are PHP-style (`learnerIds[id]=…`, `courseIds[id][0]=…`, `x[]=`). Each becomes the same
  plain tree of dicts, lists and strings; typed validation happens in `schemas`.
- Query strings (§4.5): `x[]`, `x`, repeated `x`, `x[n]` and comma lists are one array; date
  ranges arrive as `x[startDate]` / `x[endDate]`.
- Replies: one neutral tree rendered as XML (root `<response>`, booleans `1`/`0` per D7, lists
  as repeated elements inside their wrapper) or JSON (bare objects and arrays per D1), chosen by
  `errors.wants_json` (D15/D16).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request, Response
from starlette.datastructures import UploadFile

from emulator.core import bodies
from emulator.core.codec import JSON_TYPE, content_type, parse_json, parse_xml, render_json
from emulator.core.codec import render_xml as core_render_xml
from emulator.ispring.errors import BadRequest, wants_json

Tree = dict[str, Any]

# -- request bodies ------------------------------------------------------------------------------

_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"


def _is_xml(ctype: str) -> bool:
    return ctype in ("application/xml", "text/xml") or ctype.endswith("+xml")


def _is_json(ctype: str) -> bool:
    return ctype == JSON_TYPE or ctype.endswith("+json")


def _from_xml(value: Any) -> Any:
    """xmltodict output → plain tree: attributes dropped, text-only elements become strings."""
    if isinstance(value, Mapping):
        children = {k: _from_xml(v) for k, v in value.items() if not k.startswith(("@", "#"))}
        if not children:
            text = value.get("#text")
            return text.strip() if isinstance(text, str) else None
        return children
    if isinstance(value, list):
        return [_from_xml(v) for v in value]
    return value


MAX_DEPTH = 32


def _check_depth(value: Any) -> None:
    """Refuse absurdly nested bodies before anything walks them recursively."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadRequest("Wrong parameters: the body is nested too deeply")
        if isinstance(node, Mapping):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def _refuse_null(data: Any, where: str = "") -> None:
    """JSON `null` is no value the vendor document allows (it marks no field nullable): a null
    body or field is a 400, never "absent", so a broken client cannot blank data by accident.
    (XML and forms cannot spell null; their empty elements still mean "not given".)"""
    if data is None:
        raise BadRequest(f"Wrong parameters: {where or 'the body'} must not be null")
    if isinstance(data, Mapping):
        for key, value in data.items():
            _refuse_null(value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _refuse_null(value, f"{where}.{index}" if where else str(index))


def decode_xml(body: bytes) -> Tree:
    """An XML request body; the root element's name is ignored (the docs use several)."""
    _root, content = parse_xml(body)
    _check_depth(content)
    tree = _from_xml(content)
    if tree is None:
        return {}
    if not isinstance(tree, dict):
        raise BadRequest("Wrong parameters: the request element must contain parameters")
    return tree


def decode_json(body: bytes) -> Tree:
    try:
        data = parse_json(body)
    except RecursionError:
        raise BadRequest("Wrong parameters: the body is nested too deeply") from None
    _check_depth(data)
    _refuse_null(data)
    if not isinstance(data, dict):
        raise BadRequest("Wrong parameters: the JSON body must be an object")
    return data


def decode_form(body: bytes) -> Tree:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("Wrong parameters: the form body is not UTF-8") from None
    return php_nest(parse_qsl(text, keep_blank_values=True))


def _sniff(body: bytes) -> str:
    """A body sent without a usable Content-Type is recognised by its first character."""
    head = body.lstrip()[:1]
    if head == b"<":
        return "application/xml"
    if head in (b"{", b"["):
        return JSON_TYPE
    return _FORM


async def read_optional_body(request: Request) -> Tree:
    """The request body as a plain tree; no body at all is `{}` (searches: no filter)."""
    body = await request.body()
    if not body.strip():
        return {}
    ctype = content_type(request.headers.get("content-type"))
    if not (_is_xml(ctype) or _is_json(ctype) or ctype in (_FORM, _MULTIPART)):
        ctype = _sniff(body)
    if _is_xml(ctype):
        return await bodies.decode(decode_xml, body)
    if _is_json(ctype):
        return await bodies.decode(decode_json, body)
    if ctype == _FORM:
        return await bodies.decode(decode_form, body)
    try:
        form = await request.form()
    except Exception:  # python-multipart raises several types for a broken multipart body
        raise BadRequest("Wrong parameters: malformed multipart body") from None
    try:
        pairs: list[tuple[str, Any]] = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                raise BadRequest(f"Wrong parameters: {key}: files are not accepted")
            pairs.append((key, value))
    finally:
        await form.close()
    return php_nest(pairs)


async def read_body(request: Request) -> Tree:
    """The body of a write: the vendor document marks every write's body required, so an
    empty one is a 400 rather than a request that changes nothing or blanks fields."""
    if not (await request.body()).strip():
        raise BadRequest("Wrong parameters: the request body is required")
    return await read_optional_body(request)


Body = Annotated[Tree, Depends(read_body)]


def without_path_id(body: Tree, name: str, path_id: str) -> Tree:
    """The body without a field that merely repeats the path's own ID (`userId` in
    `POST /user/{userId}`): clients echo the entity they read, and that must not fail the
    update. A different value stays, and is refused as an unknown parameter."""
    value = body.get(name)
    if isinstance(value, str) and value.strip().lower() == path_id.strip().lower():
        return {k: v for k, v in body.items() if k != name}
    return body
OptionalBody = Annotated[Tree, Depends(read_optional_body)]

# -- dates -------------------------------------------------------------------------------------


def parse_datetime(text: str) -> datetime:
    """Every date form clients send (§4.6), as an aware UTC datetime; ValueError otherwise.

    `2019-09-26`, `2019-09-26 10:30:00`, `2019-09-26 10:30:00.123456`,
    `2024-05-24T10:00:00.000Z`, `2019-09-26T10:30:00+03:00`. A value without an offset is UTC.
    """
    text = text.strip()
    if not 8 <= len(text) <= 40:
        raise ValueError("not a date")
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_LAST_DAY = datetime(9999, 12, 30, tzinfo=UTC)


def parse_date(text: str) -> date:
    """A calendar date; a date-time is accepted and cut to its (UTC) date."""
    return parse_datetime(text).date()


# -- numbers -----------------------------------------------------------------------------------

INT_LIMIT = 10**15  # far beyond any real count, well inside SQLite's and timedelta's ranges
# A JSON number literal, with surrounding spaces: the one number spelling every encoding accepts
# (`10`, `-2.5`, `1E1`), so XML, forms and query strings read numbers exactly as JSON does.
_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?\s*")


def number_value(value: Any) -> float:
    """A number from JSON or from text; ValueError("must be a number"/"is out of range")."""
    if isinstance(value, bool) or value is None:
        raise ValueError("must be a number")
    if isinstance(value, str):
        if len(value) > 64 or not _NUMBER.fullmatch(value):
            raise ValueError("must be a number")
        value = float(value)
    if not isinstance(value, int | float):
        raise ValueError("must be a number")
    number = float(value)
    if not math.isfinite(number) or abs(number) >= INT_LIMIT:
        raise ValueError("is out of range")
    return number


def integer_value(value: Any) -> int:
    """A whole number in any spelling of `number_value` (`10`, `10.0`, `1E1`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= INT_LIMIT:
            raise ValueError("is out of range")
        return value
    try:
        number = number_value(value)
    except ValueError as exc:
        raise ValueError("is out of range" if "range" in str(exc) else "must be an integer"
                         ) from None
    if not number.is_integer():
        raise ValueError("must be an integer")
    return int(number)


# -- PHP-style keys ------------------------------------------------------------------------------

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_APPEND = "\x00"  # marks keys generated for `x[]=` so they keep their order as a list


def php_nest(pairs: Iterable[tuple[str, Any]]) -> Tree:
    """PHP's reading of form/query keys: `a[b][0]=v` → {"a": {"b": ["v"]}}; `a[]` appends.

    A plain key repeated (`x=1&x=2`) becomes a list as well, since clients send arrays that way.
    """
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        path = [match[1], *_SEGMENT.findall(match[2])] if match else [key]
        if len(path) > MAX_DEPTH:
            raise BadRequest(f"Wrong parameters: {key[:64]} is nested too deeply")
        _insert(root, path, value)
    result = _listify(root)
    # Only index-like or empty top-level keys (`0=x&1=y`, `=x`) list-ify the root; no operation
    # has such parameters, so they are ignored like any unknown field.
    return result if isinstance(result, dict) else {}


def _insert(node: dict[str, Any], path: list[str], value: Any) -> None:
    for depth, segment in enumerate(path):
        last = depth == len(path) - 1
        name = f"{_APPEND}{len(node)}" if segment == "" else segment
        if last:
            if name in node and segment != "" and not isinstance(node[name], dict):
                previous = node[name]
                node[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                node[name] = value
            return
        child = node.get(name)
        if not isinstance(child, dict):
            child = {}
            node[name] = child
        node = child


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        converted = {k: _listify(v) for k, v in value.items()}
        if converted and all(k.isdigit() or k.startswith(_APPEND) for k in converted):
            return list(converted.values())
        return converted
    return value


def leaves(value: Any) -> list[Any]:
    """Every scalar inside a value, in order: how an ID array arrives in any of its spellings."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [leaf for v in value.values() for leaf in leaves(v)]
    if isinstance(value, list | tuple):
        return [leaf for v in value for leaf in leaves(v)]
    return [value]


# -- query strings -------------------------------------------------------------------------------

class QueryArgs:
    """The query string read the PHP way, with iSpring's tolerant array spellings."""

    def __init__(self, request: Request) -> None:
        self.data = php_nest(request.query_params.multi_items())

    def has(self, name: str) -> bool:
        return name in self.data

    def strings(self, name: str) -> list[str]:
        """`x[]=a&x[]=b`, `x=a&x=b`, `x[0]=a`, `x=a,b` → ["a", "b"] (empty items dropped)."""
        out: list[str] = []
        for leaf in leaves(self.data.get(name)):
            out.extend(part.strip() for part in str(leaf).split(",") if part.strip())
        return out

    def text(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return str(value[-1])
        if not isinstance(value, str):
            raise BadRequest(f"Wrong parameters: {name} must be a single value")
        return value

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if value is None or value == "":
            return None
        try:
            return integer_value(value)
        except ValueError as exc:
            raise BadRequest(f"Wrong parameters: {name} {exc}") from None

    def date_range(self, name: str) -> tuple[datetime | None, datetime | None]:
        """`name[startDate]` / `name[endDate]`; either bound may be absent (§4.5)."""
        value = self.data.get(name)
        if value is None:
            return None, None
        if not isinstance(value, dict) or set(value) - {"startDate", "endDate"}:
            raise BadRequest(f"Wrong parameters: {name} must be {name}[startDate]/{name}[endDate]")
        bounds: list[datetime | None] = []
        for key in ("startDate", "endDate"):
            raw = value.get(key)
            if raw is None or raw == "":
                bounds.append(None)
                continue
            if not isinstance(raw, str):
                raise BadRequest(f"Wrong parameters: {name}[{key}] must be a date")
            try:
                bound = parse_datetime(raw)
            except ValueError:
                raise BadRequest(f"Wrong parameters: {name}[{key}] is not a valid date") from None
            if key == "endDate" and len(raw.strip()) == 10:
                # A plain end date includes its whole day.
                bound = min(bound, _LAST_DAY) + timedelta(days=1, microseconds=-1)
            bounds.append(bound)
        return bounds[0], bounds[1]


async def query_args(request: Request) -> QueryArgs:
    return QueryArgs(request)


Query = Annotated[QueryArgs, Depends(query_args)]

# -- replies -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Items:
    """A list: XML repeats `<item>` inside the parent element, JSON gives an array."""

    item: str
    values: Sequence[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Entity:
    """A single entity: XML wraps it in its element (`<userProfile>`), JSON gives it bare (D1)."""

    item: str
    content: Any


@dataclass(frozen=True)
class PerFormat:
    """A body whose XML and JSON forms differ beyond wrapping (the OAS gives each its own)."""

    json: Any
    xml: Any


@dataclass(frozen=True)
class Reply:
    """A success: the neutral body tree, the status, and the XML root element."""

    content: Any = None
    status: int = 200
    root: str = "response"
    empty: bool = False


def to_json(value: Any) -> Any:
    if isinstance(value, PerFormat):
        return to_json(value.json)
    if isinstance(value, Entity):
        return to_json(value.content)
    if isinstance(value, Items):
        return [to_json(v) for v in value.values]
    if isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def to_xml(value: Any) -> Any:
    if isinstance(value, PerFormat):
        return to_xml(value.xml)
    if isinstance(value, Entity):
        return {value.item: to_xml(value.content)}
    if isinstance(value, Items):
        # An empty list is an empty wrapper element, never a missing one (§4.2).
        return {value.item: [to_xml(v) for v in value.values]} if value.values else ""
    if isinstance(value, Mapping):
        return {k: to_xml(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [to_xml(v) for v in value]
    if isinstance(value, bool):
        return "1" if value else "0"  # D7: what the PHP backend emits and XML clients test for
    if isinstance(value, int | float):
        return str(value)
    return value


def encode(request: Request, reply: Reply, *, json_only: bool = False) -> Response:
    """The reply in the negotiated format; `json_only` for the operations the vendor document
    declares with a JSON answer only (`POST /content/create/{type}`)."""
    if reply.empty:
        return Response(status_code=reply.status)
    if json_only or wants_json(request):
        return Response(render_json(to_json(reply.content)), status_code=reply.status,
                        media_type="application/json")
    return Response(core_render_xml(reply.root, to_xml(reply.content)), status_code=reply.status,
                    media_type="application/xml")


def ok(request: Request, content: object) -> Response:
    return encode(request, Reply(content))


def created(request: Request, new_id: str, *, json_only: bool = False) -> Response:
    """201 with the new ID as the root's text on one line (XML) or a JSON string (§4.2)."""
    return encode(request, Reply(new_id, status=201), json_only=json_only)


def created_as_asked(request: Request, new_id: str, entity: Callable[[str], Entity]) -> Response:
    """201 with the new ID, or with the created entity as its GET shows it when the request
    says `X-Return-Object: true` (the document's header on the creates that take it)."""
    if request.headers.get("x-return-object", "").strip().lower() in ("true", "1"):
        return encode(request, Reply(entity(new_id), status=201))
    return created(request, new_id)


def empty(request: Request, status: int = 200) -> Response:
    return encode(request, Reply(empty=True, status=status))
