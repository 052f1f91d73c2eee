"""DMTD wire pieces every resource shares: strict field types, body parsing, identity
references, and the fixture-pack model.

Request bodies follow D5-D7 and D24: a body is a JSON object whatever its Content-Type, an
empty body counts as `{}` (`EMPTY_BODY_IS_EMPTY_OBJECT`), unknown fields are ignored, JSON
`null` means "not given", and every field is checked for its exact JSON type (no coercion of
`"300"` to 300, no booleans for integers) so that wrong types are a 400, never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from emulator.core.clock import as_utc
from emulator.dmtd import content
from emulator.dmtd.errors import BadRequest

CODE_MAX = 191  # DMTD's documented limit for learner and user codes (§4.3)
TEXT_MAX = 255  # emulator bound for other strings (names, email, colour)
EMPTY_BODY_IS_EMPTY_OBJECT = True
INVALID_BODY = "The body of the request was invalid"

M = TypeVar("M", bound=BaseModel)


# ---------------------------------------------------------------- field validators (D5, D6, D24)

def text_field(*, required: bool, max_length: int = TEXT_MAX,
               check: Callable[[str], str | None] | None = None) -> Callable[[Any], str | None]:
    def validate(value: Any) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise ValueError("must be a string")
        if required and not value.strip():
            raise ValueError("must not be empty")
        if len(value) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        problem = check(value) if check else None
        if problem:
            raise ValueError(problem)
        return value
    return validate


def _email_problem(value: str) -> str | None:
    return None if "@" in value else "must be an email address"


def _code_problem(value: str) -> str | None:
    return "must not be empty" if value == "" else None


def choice(allowed: tuple[str, ...], *, default: str | None = None) -> Callable[[Any], str | None]:
    def validate(value: Any) -> str | None:
        if value is None:
            if default is None:
                raise ValueError(f"must be one of {', '.join(allowed)}")
            return default
        if isinstance(value, str) and value in allowed:
            return value
        raise ValueError(f"must be one of {', '.join(allowed)}")
    return validate


def optional_choice(allowed: tuple[str, ...]) -> Callable[[Any], str | None]:
    def validate(value: Any) -> str | None:
        return None if value is None else choice(allowed)(value)
    return validate


def strict_integer(value: Any) -> int | None:
    # bool is an int subclass in Python but not an integer on the wire.
    if value is None or type(value) is int:
        return value
    raise ValueError("must be an integer")


def parse_date(value: str) -> date:
    """D5: `YYYY-MM-DD`, or an ISO 8601 date-time of which only the date is kept."""
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(
            value).date()
    except ValueError:
        raise ValueError(f"must be a date (YYYY-MM-DD), got {value[:40]!r}") from None


def parse_datetime(value: str) -> datetime:
    """D5: an ISO 8601 date-time (a bare date is midnight), normalised to UTC seconds."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"must be an ISO 8601 date-time, got {value[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return as_utc(parsed).replace(microsecond=0)


Code = Annotated[str | None, PlainValidator(text_field(required=False, max_length=CODE_MAX,
                                                  check=_code_problem))]
RequiredName = Annotated[str, PlainValidator(text_field(required=True))]
OptionalText = Annotated[str | None, PlainValidator(text_field(required=False))]
Email = Annotated[str, PlainValidator(text_field(required=True, check=_email_problem))]
Locale = Annotated[str, PlainValidator(choice(content.LOCALES, default="en"))]
Integer = Annotated[int | None, PlainValidator(strict_integer)]


# ---------------------------------------------------------------------------- request bodies

class WireIn(BaseModel):
    """A request body: unknown fields ignored, exact JSON types, immutable (D24)."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


def _reason(err: ErrorDetails) -> str:
    field = ".".join(str(p) for p in err["loc"])
    if err["type"] == "missing":
        return f"{field} is required"
    ctx = err.get("ctx") or {}
    reason = str(ctx["error"]) if err["type"] == "value_error" and "error" in ctx else err["msg"]
    return f"{field} {reason}" if field else reason


def parse_body(raw: bytes, model: type[M]) -> M:
    """D7: the body as `model`, or BadRequest naming every problem."""
    if EMPTY_BODY_IS_EMPTY_OBJECT and not raw.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, ValueError, RecursionError):
            # RecursionError: nesting deeper than the parser's stack (`[[[[...`).
            raise BadRequest(f"{INVALID_BODY}: malformed JSON") from None
    if not isinstance(data, dict):
        raise BadRequest(f"{INVALID_BODY}: expected a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadRequest(f"{INVALID_BODY}: " + "; ".join(_reason(e) for e in exc.errors())
                         ) from None


# --------------------------------------------------------- identities from headers and fields

@dataclass(frozen=True)
class Ref:
    """A learner or user named by id or by code; `field` is the header or field used (D12)."""

    field: str
    id: int | None = None
    code: str | None = None

    def describe(self) -> str:
        return f"{self.field} {self.id}" if self.id is not None else f"{self.field} {self.code!r}"


def pick_ref(id_field: str, id_value: int | None, code_field: str,
             code_value: str | None) -> Ref | None:
    """D12: the id wins and the code is then ignored entirely."""
    if id_value is not None:
        return Ref(id_field, id=id_value)
    if code_value is not None:
        return Ref(code_field, code=code_value)
    return None


def full_name(first: str | None, last: str | None) -> str | None:
    return " ".join(part for part in (first, last) if part) or None


# ---------------------------------------------------------------------------- fixture pack

class _Pack(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


Key = Annotated[str, Field(min_length=1, max_length=100)]


class FixtureUser(_Pack):
    key: Key
    code: str | None = Field(default=None, min_length=1, max_length=CODE_MAX)
    first_name: str = Field(alias="firstName", min_length=1)
    last_name: str = Field(alias="lastName", min_length=1)
    email: str = Field(pattern="@")
    locale: Literal["en", "es", "fr"] = "en"


class FixtureLearner(_Pack):
    key: Key
    code: str | None = Field(default=None, min_length=1, max_length=CODE_MAX)
    color: str | None = None
    date_of_birth: date = Field(alias="dateOfBirth")
    first_name: str | None = Field(default=None, alias="firstName")
    last_name: str | None = Field(default=None, alias="lastName")
    gender: Literal[1, 2] | None = None
    is_active: bool | Literal[0, 1] = Field(default=True, alias="isActive")
    owner: str | None = None


class FixtureAuthorization(_Pack):
    learner: Key
    user: Key
    role: Literal["teacher", "observer"] = "teacher"


class FixturePurchase(_Pack):
    learner: str | None = None
    system_domain: Literal["vbmapp", "efl"] = Field(alias="systemDomain")
    product_type: Literal["assessment", "training"] = Field(alias="productType")
    locale: Literal["en", "es", "fr"]
    training_product: Literal["conducting"] | None = Field(default=None,
                                                           alias="trainingProduct")


class FixtureScore(_Pack):
    """A score on a protocol question, named as the protocol names it (area, then group)."""

    area: Literal["milestones", "barriers", "transitions", "eesa"]
    group: str = content.SINGLE_GROUP
    question_num: int = Field(alias="questionNum", ge=1)
    score: float = Field(ge=-1, le=5)
    timestamp: datetime

    @model_validator(mode="after")
    def _known_question(self) -> FixtureScore:
        group = content.find_group(self.area, self.group)
        if group is None or group.question(self.question_num) is None:
            raise ValueError(f"no protocol question {self.area}/{self.group}/"
                             f"{self.question_num}")
        return self


class FixtureAssessment(_Pack):
    learner: Key
    assessor: str | None = None
    start_date: datetime = Field(alias="startDate")
    color: str | None = None
    scores: list[FixtureScore] = Field(default_factory=list)


class DmtdFixture(_Pack):
    """A fixture pack: one organization's token, kind and seed data.

    Records refer to each other by fixture-local `key`s; `seed()` allocates the real ids.
    """

    tenant: str = Field(min_length=1, max_length=100)
    token: str = Field(min_length=1)
    kind: Literal["iframe", "standard"]
    name: str = "Demo organization"
    users: list[FixtureUser] = Field(default_factory=list)
    learners: list[FixtureLearner] = Field(default_factory=list)
    authorizations: list[FixtureAuthorization] = Field(default_factory=list)
    purchases: list[FixturePurchase] = Field(default_factory=list)
    assessments: list[FixtureAssessment] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> DmtdFixture:
        users = _unique_keys("users", [u.key for u in self.users])
        learners = _unique_keys("learners", [learner.key for learner in self.learners])
        _unique_codes("users", [u.code for u in self.users])
        _unique_codes("learners", [learner.code for learner in self.learners])
        iframe = self.kind == "iframe"
        if not iframe and (self.users or self.authorizations or self.assessments):
            raise ValueError("a standard organization has no users, authorizations or "
                             "assessments (iFrame programme only)")
        for learner in self.learners:
            if iframe != (learner.owner is not None):
                raise ValueError(f"learner {learner.key!r}: an iFrame learner needs an owner "
                                 "and a standard one has none")
            _known("user", learner.owner, users)
        for grant in self.authorizations:
            _known("learner", grant.learner, learners)
            _known("user", grant.user, users)
        for purchase in self.purchases:
            _known("learner", purchase.learner, learners)
        for assessment in self.assessments:
            _known("learner", assessment.learner, learners)
            _known("user", assessment.assessor, users)
        return self


def _unique_keys(what: str, keys: list[str]) -> set[str]:
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate key in {what}")
    return set(keys)


def _unique_codes(what: str, codes: list[str | None]) -> None:
    present = [c for c in codes if c is not None]
    if len(set(present)) != len(present):
        raise ValueError(f"duplicate code in {what}")


def _known(what: str, key: str | None, keys: set[str]) -> None:
    if key is not None and key not in keys:
        raise ValueError(f"unknown {what} key {key!r}")
