"""Request parameters shared by the DMTD routes: identity headers, system domain, content
locale and JSON bodies (a resource's own query parameters live in its module).

Every value is read as a plain string and checked here, so that a malformed header or query
value gets DMTD's 400 body (D11) and FastAPI's own validation never answers. These run after
the router-level auth dependency (D10: 401 before 400).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Request
from pydantic import BaseModel

from emulator.core import bodies
from emulator.dmtd import content
from emulator.dmtd.errors import BadRequest
from emulator.dmtd.schemas import Ref, parse_body, pick_ref

M = TypeVar("M", bound=BaseModel)

VBMAPP = "vbmapp"
_INTEGER = re.compile(r"-?\d+")


def integer(name: str, value: str) -> int:
    """A decimal integer; one too large for any record is still an integer (unknown: 404)."""
    if _INTEGER.fullmatch(value.strip()):
        try:
            return int(value)
        except ValueError:  # more digits than Python converts (about 4300)
            pass
    raise BadRequest(f"{name} must be an integer")


def _header_text(value: str) -> str:
    # HTTP headers arrive latin-1 decoded; a client sending a UTF-8 code means the UTF-8 text.
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def ref_from(id_name: str, id_value: str | None, code_name: str, code_value: str | None,
         *, header: bool) -> Ref | None:
    """D12: when the id is given, the code is not even looked at."""
    if id_value is not None:
        return pick_ref(id_name, integer(id_name, id_value), code_name, None)
    if code_value is None:
        return None
    code = _header_text(code_value) if header else code_value
    if not code:
        raise BadRequest(f"{code_name} must not be empty")
    return pick_ref(id_name, None, code_name, code)


async def learner_ref(
    x_learner_id: Annotated[str | None, Header(alias="X-LearnerId")] = None,
    x_learner_code: Annotated[str | None, Header(alias="X-LearnerCode")] = None,
) -> Ref | None:
    return ref_from("X-LearnerId", x_learner_id, "X-LearnerCode", x_learner_code, header=True)


async def user_ref(
    x_user_id: Annotated[str | None, Header(alias="X-UserId")] = None,
    x_user_code: Annotated[str | None, Header(alias="X-UserCode")] = None,
) -> Ref | None:
    return ref_from("X-UserId", x_user_id, "X-UserCode", x_user_code, header=True)


async def required_learner(learner: Annotated[Ref | None, Depends(learner_ref)]) -> Ref:
    if learner is None:
        raise BadRequest("X-LearnerId or X-LearnerCode is required")
    return learner


async def required_user(user: Annotated[Ref | None, Depends(user_ref)]) -> Ref:
    if user is None:
        raise BadRequest("X-UserId or X-UserCode is required")
    return user


def _vbmapp(value: str | None) -> str:
    if value != VBMAPP:
        raise BadRequest("X-SystemDomain must be 'vbmapp'")
    return value


async def system_domain(
    x_system_domain: Annotated[str | None, Header(alias="X-SystemDomain")] = None,
) -> str:
    """D22/D23: protocol, IEP and assessment calls need `X-SystemDomain: vbmapp`."""
    return _vbmapp(x_system_domain)


async def optional_system_domain(
    x_system_domain: Annotated[str | None, Header(alias="X-SystemDomain")] = None,
) -> str:
    """D23: the guide defaults to `vbmapp`; any other given value is still a 400."""
    return VBMAPP if x_system_domain is None else _vbmapp(x_system_domain)


async def accept_language(
    value: Annotated[str | None, Header(alias="Accept-Language")] = None,
) -> str:
    """D7: `en`, `es` or `fr` (a region such as `fr-CA` counts); anything else is `en`."""
    first = (value or "").split(",", 1)[0].split(";", 1)[0].strip().lower()
    primary = first.split("-", 1)[0]
    return primary if primary in content.LOCALES else content.DEFAULT_LOCALE


def json_body(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    """A dependency giving the request body as `model` (D7)."""

    async def parse(request: Request) -> M:
        return await bodies.decode(parse_body, await request.body(), model)

    return parse


LearnerHeader = Annotated[Ref | None, Depends(learner_ref)]
RequiredLearner = Annotated[Ref, Depends(required_learner)]
UserHeader = Annotated[Ref | None, Depends(user_ref)]
RequiredUser = Annotated[Ref, Depends(required_user)]
ContentLocale = Annotated[str, Depends(accept_language)]
NEEDS_VBMAPP = [Depends(system_domain)]
