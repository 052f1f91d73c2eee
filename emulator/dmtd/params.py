"""Request parameters of the DMTD routes: identity headers, query fields and JSON bodies.

Every value is read as a plain string and checked here, so that a malformed header or query
value gets DMTD's 400 body (D11) and FastAPI's own validation never answers. These run after
the router-level auth dependency (D10: 401 before 400).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Query, Request
from pydantic import BaseModel

from emulator.core import bodies
from emulator.dmtd import content
from emulator.dmtd.errors import BadRequest
from emulator.dmtd.schemas import AssessmentFlags, Ref, UserChoice, parse_body, pick_ref

M = TypeVar("M", bound=BaseModel)

VBMAPP = "vbmapp"
_INTEGER = re.compile(r"-?\d+")
# D22: a query flag is on when its value is `true` or `1`; anything else is off, not an error.
FLAG_ON = ("true", "1")


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


def _ref(id_name: str, id_value: str | None, code_name: str, code_value: str | None,
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


def learner_ref(
    x_learner_id: Annotated[str | None, Header(alias="X-LearnerId")] = None,
    x_learner_code: Annotated[str | None, Header(alias="X-LearnerCode")] = None,
) -> Ref | None:
    return _ref("X-LearnerId", x_learner_id, "X-LearnerCode", x_learner_code, header=True)


def user_ref(
    x_user_id: Annotated[str | None, Header(alias="X-UserId")] = None,
    x_user_code: Annotated[str | None, Header(alias="X-UserCode")] = None,
) -> Ref | None:
    return _ref("X-UserId", x_user_id, "X-UserCode", x_user_code, header=True)


def required_learner(learner: Annotated[Ref | None, Depends(learner_ref)]) -> Ref:
    if learner is None:
        raise BadRequest("X-LearnerId or X-LearnerCode is required")
    return learner


def required_user(user: Annotated[Ref | None, Depends(user_ref)]) -> Ref:
    if user is None:
        raise BadRequest("X-UserId or X-UserCode is required")
    return user


def system_domain(
    x_system_domain: Annotated[str | None, Header(alias="X-SystemDomain")] = None,
) -> str:
    """D22/D23: protocol, IEP and assessment calls need `X-SystemDomain: vbmapp`."""
    if x_system_domain != VBMAPP:
        raise BadRequest("X-SystemDomain must be 'vbmapp'")
    return x_system_domain


def optional_system_domain(
    x_system_domain: Annotated[str | None, Header(alias="X-SystemDomain")] = None,
) -> str:
    """D23: the guide defaults to `vbmapp`; any other given value is still a 400."""
    return VBMAPP if x_system_domain is None else system_domain(x_system_domain)


def accept_language(
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


def chosen_user(choice: UserChoice) -> Ref:
    """The body user of `/1/authorize`: `userId` wins over `userCode` (D12)."""
    ref = pick_ref("userId", choice.user_id, "userCode", choice.user_code)
    if ref is None:
        raise BadRequest("The body of the request was invalid: userId or userCode is required")
    return ref


async def deauthorize_target(
    request: Request,
    user_id: Annotated[str | None, Query(alias="userId")] = None,
    user_code: Annotated[str | None, Query(alias="userCode")] = None,
) -> Ref:
    """D16: the user in the query, else in a JSON body; the query wins when both are sent."""
    ref = _ref("userId", user_id, "userCode", user_code, header=False)
    if ref is not None:
        return ref
    return chosen_user(await bodies.decode(parse_body, await request.body(), UserChoice))


def assessment_flags(
    scores: str | None = None,
    grids: str | None = None,
    grid_scores: str | None = None,
    grids_scores: str | None = None,
    iep: str | None = None,
) -> AssessmentFlags:
    def on(value: str | None) -> bool:
        return value is not None and value.strip().lower() in FLAG_ON

    # D1: the [R] spelling `grids_scores` is an alias of `grid_scores`.
    return AssessmentFlags(scores=on(scores), grids=on(grids),
                           grid_scores=on(grid_scores) or on(grids_scores), iep=on(iep))


def assessment_id(
    value: Annotated[str | None, Query(alias="assessmentId")] = None,
) -> int:
    if value is None:
        raise BadRequest("assessmentId is required")
    return integer("assessmentId", value)


@dataclass(frozen=True)
class ProtocolQuery:
    """`GET /1/protocol?area=&group=[&level=][&questionNum=]` (§5.12)."""

    learner: Ref
    area: str
    group: str
    level: str | None
    question_num: int | None


def protocol_query(
    learner: Annotated[Ref | None, Depends(learner_ref)],
    area: str | None = None,
    group: str | None = None,
    level: str | None = None,
    question_num: Annotated[str | None, Query(alias="questionNum")] = None,
) -> ProtocolQuery | None:
    """None for the index (no `area`/`group`); the query needs both and a learner (D23)."""
    if area is None and group is None:
        return None
    if area is None or group is None:
        raise BadRequest("area and group are both required")
    if learner is None:
        raise BadRequest("X-LearnerId or X-LearnerCode is required")
    number = None if question_num is None else integer("questionNum", question_num)
    return ProtocolQuery(learner, area, group, level, number)
