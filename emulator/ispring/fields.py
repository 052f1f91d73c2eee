"""The field types of iSpring request models: the vendor's spellings of text, IDs, numbers, dates.

Request models validate the plain trees `wire` decodes from XML, JSON or forms. Because XML and
forms carry every value as text, these types accept the vendor's spellings: booleans as
`true/false/1/0` in any case (D7), numbers as digit strings, ID arrays in every wrapping (§4.4),
dates in every form of §4.6.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

from emulator.ispring.wire import (
    integer_value,
    leaves,
    number_value,
    parse_date,
    parse_datetime,
)

NAME_MAX = 255
TEXT_MAX = 4000
DUE_DATE_TYPES = ("unlimited", "default", "due_date", "due_period")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))


def _required(value: Any) -> Any:
    if value is None:
        raise ValueError("is required")
    return value


def _scalar(value: Any) -> str:
    value = _required(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("must be a single value")
    return str(value)


def _text(value: Any) -> str:
    text = _scalar(value)
    if len(text) > TEXT_MAX:
        raise ValueError(f"is longer than {TEXT_MAX} characters")
    return text


def _name(value: Any) -> str:
    text = _scalar(value).strip()
    if not text:
        raise ValueError("must not be empty")
    if len(text) > NAME_MAX:
        raise ValueError(f"is longer than {NAME_MAX} characters")
    return text


def _uuid(value: Any) -> str:
    text = _scalar(value).strip()
    if not is_uuid(text):
        raise ValueError(f"is not a valid ID: {text[:64]}")
    return text.lower()


def _list_leaves(value: Any, what: str) -> list[Any]:
    """The scalars of a list in any of its spellings (§4.4); an empty object inside it (`{}`,
    `[{}]`) is malformed rather than "no items", so a broken filter never widens a search and a
    broken member list never empties a group."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            if not node:
                raise ValueError(f"must be a list of {what}")
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return leaves(value)


def _uuid_list(value: Any) -> list[str]:
    out: list[str] = []
    for leaf in _list_leaves(value, "IDs"):
        if not isinstance(leaf, str):
            raise ValueError("must be a list of IDs")
        ident = _uuid(leaf)
        if ident not in out:
            out.append(ident)
    return out


def _required_uuid_list(value: Any) -> list[str]:
    ids = _uuid_list(_required(value))
    if not ids:
        raise ValueError("must not be empty")
    return ids


def _str_list(value: Any) -> list[str]:
    out: list[str] = []
    for leaf in _list_leaves(value, "values"):
        if isinstance(leaf, bool) or not isinstance(leaf, str | int | float):
            raise ValueError("must be a list of values")
        out.extend(p.strip() for p in str(leaf).split(",") if p.strip())
    return out


def _flag(value: Any) -> bool:
    value = _required(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise ValueError("must be true or false")


def _integer(value: Any) -> int:
    return integer_value(_required(value))


def _number(value: Any) -> float:
    return number_value(_required(value))


def _score(value: Any) -> float:
    number = _number(value)
    if not 0 <= number <= 100:
        raise ValueError("must be between 0 and 100")
    return number


def _datetime(value: Any) -> datetime:
    text = _scalar(value)
    try:
        return parse_datetime(text)
    except ValueError:
        raise ValueError("is not a valid date") from None


def _date(value: Any) -> date:
    text = _scalar(value)
    try:
        return parse_date(text)
    except ValueError:
        raise ValueError("is not a valid date") from None


def _choice(*allowed: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = _scalar(value).strip()
        if text not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return text
    return check


def _optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An optional parameter: absent, JSON null and an empty XML element all mean "not given"."""
    def check(value: Any) -> Any:
        return None if value is None else parse(value)
    return check


def _items(value: Any) -> list[Any]:
    """A list of objects: a JSON array, repeated XML elements, or one XML wrapper around them."""
    if value is None:
        return []
    if isinstance(value, Mapping) and len(value) == 1:
        (inner,) = value.values()
        if isinstance(inner, list | Mapping):
            return inner if isinstance(inner, list) else [inner]
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return value
    raise ValueError("must be a list of objects")


Text = Annotated[str, BeforeValidator(_text)]
OptText = Annotated[str | None, BeforeValidator(_optional(_text))]
Name = Annotated[str, BeforeValidator(_name)]
OptName = Annotated[str | None, BeforeValidator(_optional(_name))]
Id = Annotated[str, BeforeValidator(_uuid)]
OptId = Annotated[str | None, BeforeValidator(_optional(_uuid))]
IdList = Annotated[list[str], BeforeValidator(_uuid_list)]
RequiredIds = Annotated[list[str], BeforeValidator(_required_uuid_list)]
OptIdList = Annotated[list[str] | None, BeforeValidator(_optional(_uuid_list))]
StrList = Annotated[list[str], BeforeValidator(_str_list)]
OptFlag = Annotated[bool | None, BeforeValidator(_optional(_flag))]
OptInt = Annotated[int | None, BeforeValidator(_optional(_integer))]
Score = Annotated[float, BeforeValidator(_score)]
OptScore = Annotated[float | None, BeforeValidator(_optional(_score))]
Amount = Annotated[float, BeforeValidator(_number)]
When = Annotated[datetime, BeforeValidator(_datetime)]
OptWhen = Annotated[datetime | None, BeforeValidator(_optional(_datetime))]
Day = Annotated[date, BeforeValidator(_date)]
OptDueType = Annotated[str | None, BeforeValidator(_optional(_choice(*DUE_DATE_TYPES)))]
DueType = Annotated[str, BeforeValidator(_choice(*DUE_DATE_TYPES))]
