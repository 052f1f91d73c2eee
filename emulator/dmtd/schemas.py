"""DMTD wire shapes: request bodies, response bodies and the fixture-pack model.

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

from emulator.core.clock import as_utc, iso
from emulator.dmtd import content
from emulator.dmtd.errors import BadRequest
from emulator.dmtd.models import (
    DmtdAssessment,
    DmtdAuthorization,
    DmtdLearner,
    DmtdPurchase,
    DmtdScore,
    DmtdUser,
)

CODE_MAX = 191  # DMTD's documented limit for learner and user codes (§4.3)
TEXT_MAX = 255  # emulator bound for other strings (names, email, colour)
EMPTY_BODY_IS_EMPTY_OBJECT = True
INVALID_BODY = "The body of the request was invalid"
SYSTEM_DOMAINS = ("vbmapp", "efl")
PRODUCT_TYPES = ("assessment", "training")
TRAINING_PRODUCTS = ("conducting",)
ROLES = ("teacher", "observer")
GENDERS = (1, 2)

M = TypeVar("M", bound=BaseModel)


# ---------------------------------------------------------------- field validators (D5, D6, D24)

def _text(*, required: bool, max_length: int = TEXT_MAX,
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


def _choice(allowed: tuple[str, ...], *, default: str | None = None) -> Callable[[Any], str | None]:
    def validate(value: Any) -> str | None:
        if value is None:
            if default is None:
                raise ValueError(f"must be one of {', '.join(allowed)}")
            return default
        if isinstance(value, str) and value in allowed:
            return value
        raise ValueError(f"must be one of {', '.join(allowed)}")
    return validate


def _optional_choice(allowed: tuple[str, ...]) -> Callable[[Any], str | None]:
    def validate(value: Any) -> str | None:
        return None if value is None else _choice(allowed)(value)
    return validate


def _integer(value: Any) -> int | None:
    # bool is an int subclass in Python but not an integer on the wire.
    if value is None or type(value) is int:
        return value
    raise ValueError("must be an integer")


def _gender(value: Any) -> int | None:
    if value is None or (type(value) is int and value in GENDERS):
        return value
    raise ValueError("must be 1 (male) or 2 (female)")


def _is_active(value: Any) -> bool | int:
    """D6: true, false, 1 or 0, kept in the JSON type it came in."""
    if value is None:
        return True
    if isinstance(value, bool) or (type(value) is int and value in (0, 1)):
        return value
    raise ValueError("must be true, false, 1 or 0")


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


def _date_of_birth(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError("must be a date string (YYYY-MM-DD)")
    return parse_date(value)


def _start_date(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string")
    return parse_datetime(value)


Code = Annotated[str | None, PlainValidator(_text(required=False, max_length=CODE_MAX,
                                                  check=_code_problem))]
RequiredName = Annotated[str, PlainValidator(_text(required=True))]
OptionalText = Annotated[str | None, PlainValidator(_text(required=False))]
Email = Annotated[str, PlainValidator(_text(required=True, check=_email_problem))]
Locale = Annotated[str, PlainValidator(_choice(content.LOCALES, default="en"))]
Integer = Annotated[int | None, PlainValidator(_integer)]


# ---------------------------------------------------------------------------- request bodies

class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class UserIn(_In):
    """`POST /1/user` (§5.1)."""

    code: Code = None
    first_name: RequiredName = Field(alias="firstName")
    last_name: RequiredName = Field(alias="lastName")
    email: Email
    locale: Locale = "en"


class LearnerIn(_In):
    """`POST /1/learner` (§5.2)."""

    code: Code = None
    color: OptionalText = None
    date_of_birth: Annotated[date, PlainValidator(_date_of_birth)] = Field(alias="dateOfBirth")
    first_name: OptionalText = Field(default=None, alias="firstName")
    last_name: OptionalText = Field(default=None, alias="lastName")
    gender: Annotated[int | None, PlainValidator(_gender)] = None
    is_active: Annotated[bool | int, PlainValidator(_is_active)] = Field(default=True,
                                                                         alias="isActive")


class UserChoice(_In):
    """The user of `/1/authorize`: `userId` or `userCode` ([R] adds `role`)."""

    user_id: Integer = Field(default=None, alias="userId")
    user_code: Code = Field(default=None, alias="userCode")
    role: Annotated[str, PlainValidator(_choice(ROLES, default="teacher"))] = "teacher"


class AssessmentIn(_In):
    """`POST` and `PATCH /1/assessment` (§5.7, §5.9); `null` counts as not given."""

    start_date: Annotated[datetime | None, PlainValidator(_start_date)] = Field(
        default=None, alias="startDate")
    color: OptionalText = None


class PurchaseIn(_In):
    """`POST /1/purchase` (§5.10, D21)."""

    system_domain: Annotated[str, PlainValidator(_choice(SYSTEM_DOMAINS))] = Field(
        alias="systemDomain")
    product_type: Annotated[str, PlainValidator(_choice(PRODUCT_TYPES))] = Field(
        alias="productType")
    locale: Annotated[str, PlainValidator(_choice(content.LOCALES))]
    training_product: Annotated[str | None, PlainValidator(_optional_choice(
        TRAINING_PRODUCTS))] = Field(default=None, alias="trainingProduct")

    @model_validator(mode="after")
    def _training_needs_product(self) -> PurchaseIn:
        if self.product_type == "training" and self.training_product is None:
            raise ValueError("trainingProduct is required when productType is 'training'")
        return self


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


# ---------------------------------------------------------------------------- response bodies

def user_out(user: DmtdUser) -> dict[str, Any]:
    """The [C] v7 `POST /1/user` response."""
    return {"id": user.id, "code": user.code, "firstName": user.first_name,
            "lastName": user.last_name, "email": user.email, "locale": user.locale}


def learner_out(learner: DmtdLearner, organization_id: int) -> dict[str, Any]:
    """The [C] `POST /1/learner` response, also each element of `GET /1/learner` (D18)."""
    is_active: bool | int = int(learner.is_active) if learner.is_active_numeric \
        else learner.is_active
    return {
        "gender": learner.gender, "color": learner.color, "firstName": learner.first_name,
        "id": learner.id, "code": learner.code,
        "dateOfBirth": f"{learner.date_of_birth.isoformat()}T00:00:00Z",
        "isActive": is_active, "organizationId": organization_id,
        "updatedAt": iso(learner.updated_at), "createdAt": iso(learner.created_at),
        "lastName": learner.last_name,
    }


def full_name(first: str | None, last: str | None) -> str | None:
    return " ".join(part for part in (first, last) if part) or None


def authorizations_out(learner: DmtdLearner, organization_name: str,
                       entries: list[tuple[DmtdAuthorization, DmtdUser]]) -> dict[str, Any]:
    """D17: the [R] `GET /1/authorize` keys, integer ids and [C] timestamps."""
    return {
        "success": True,
        "learnerId": learner.id,
        "learnerName": full_name(learner.first_name, learner.last_name),
        "groupName": f"Reseller Access - {organization_name}",
        "authorizations": [
            {"userId": user.id, "email": user.email,
             "name": full_name(user.first_name, user.last_name),
             "role": grant.role.capitalize(), "authorizedAt": iso(grant.authorized_at),
             "authorizedById": learner.owner_id}
            for grant, user in entries
        ],
        "count": len(entries),
    }


def assessment_out(assessment: DmtdAssessment) -> dict[str, Any]:
    """The [C] `POST /1/assessment` shape, also the `PATCH` response (D22)."""
    return {"id": assessment.id, "color": assessment.color,
            "startDate": iso(assessment.start_date), "learnerId": assessment.learner_id}


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def score_out(score: DmtdScore) -> dict[str, Any]:
    """§5.8: milestone (and EESA) entries carry the group as `area` and the area as `group`;
    barrier and transition entries have no group."""
    out: dict[str, Any] = {"score": _number(score.score), "timestamp": iso(score.timestamp)}
    if score.group is None:
        out["area"] = score.area
    else:
        out["area"], out["group"] = score.group, score.area
    out["questionNum"] = score.question_num
    return out


@dataclass(frozen=True)
class AssessmentFlags:
    """The Boolean query flags of `GET /1/assessment` (D22)."""

    scores: bool = False
    grids: bool = False
    grid_scores: bool = False
    iep: bool = False


def assessments_out(items: list[tuple[DmtdAssessment, str | None, list[DmtdScore]]],
                    flags: AssessmentFlags, iep: list[dict[str, str]]) -> dict[str, Any]:
    """D22: the [R] envelope keyed by the system domain."""
    out = []
    for assessment, assessor, scores in items:
        item: dict[str, Any] = {"id": assessment.id, "assessor": assessor,
                                "startDate": iso(assessment.start_date),
                                "color": assessment.color}
        if flags.scores:
            item["scores"] = [score_out(s) for s in scores]
        if flags.grids:
            item["grids"] = []
        if flags.grid_scores:
            item["grid_scores"] = []
        if flags.iep:
            item["iep"] = iep
        out.append(item)
    return {"vbmapp": {"assessments": out}}


def purchase_out(purchase: DmtdPurchase, organization_id: int) -> dict[str, Any]:
    """The [C] `POST /1/purchase` response; a training purchase also names its product."""
    description = {"systemDomain": purchase.system_domain, "productType": purchase.product_type}
    if purchase.training_product is not None:
        description["trainingProduct"] = purchase.training_product
    return {
        "quantity": 1, "subscriptionLength": {"type": "years", "length": 1},
        "id": purchase.id, "purchasedProductsGenerated": True,
        "organizationId": organization_id, "updatedAt": iso(purchase.updated_at),
        "createdAt": iso(purchase.created_at), "completed": True,
        "productDescription": description,
    }


def signin_out(user: DmtdUser) -> dict[str, Any]:
    """D20 (inferred): the temporary token and when it stops working."""
    assert user.signin_expires_at is not None
    return {"signinToken": user.signin_token, "expiresAt": iso(user.signin_expires_at)}


def protocol_index_out() -> dict[str, Any]:
    """§5.11: areas, groups (with levels for milestones) and their questions."""
    areas = []
    for area, groups in content.protocol().items():
        out_groups = []
        for group in groups:
            entry: dict[str, Any] = {"group": group.group}
            if group.levels:
                entry["levels"] = [content.level_name(lvl) for lvl in group.levels]
            entry["questions"] = [
                {"questionNum": q.num} if q.level is None else
                {"questionNum": q.num, "skillCount": q.skill_count,
                 "level": content.level_name(q.level)}
                for q in group.questions
            ]
            out_groups.append(entry)
        areas.append({"area": area, "groups": out_groups})
    return {"areas": areas}


def protocol_query_out(group: content.Group, questions: list[content.Question],
                       locale: str) -> dict[str, Any]:
    """§5.12: the questions of one group, in the learner's content locale."""
    out: dict[str, Any] = {"area": group.area, "group": group.group}
    if group.area == "eesa":
        out.update(content.eesa_texts(group, locale))
    out["questions"] = [_question_out(group, q, locale) for q in questions]
    return out


def _question_out(group: content.Group, question: content.Question,
                  locale: str) -> dict[str, Any]:
    out: dict[str, Any] = {"questionNum": question.num}
    if question.level is not None:
        out["level"] = question.level
        out["levelTitle"] = content.text(locale, "level_title", level=question.level,
                                         months=content.LEVEL_MONTHS[question.level])
    out["example"] = content.text(locale, "example", area=group.area, group=group.group,
                                  num=question.num)
    return out


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
