"""Thrive wire pieces every resource shares: dates, ids, paging, the request-body base, the pack.

Each resource module holds its own request and response shapes; what is here is used by
several of them, or by the fixture pack (`ThriveFixture`), which seeds every resource.

Decisions the fact sheet leaves open and that live here (search for the names):
- `PAGING`: per-list `perPage` default and maximum; above the maximum is a 422.
- `parse_instant`: every date filter and body date accepts ISO 8601 (with `T` or a space,
  optional fraction and offset) or a bare date; a bare date as an upper bound covers its day.
- `MAX_RECURRENCE_DAYS`: recurrence has no documented upper bound; 100 years keeps date
  arithmetic finite.
- `Email`: an address is any `local@domain` without spaces (Thrive documents no format).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StrictStr,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel

from emulator.core.clock import as_utc, iso
from emulator.thrive.errors import BadRequest, Unprocessable
from emulator.thrive.models import (
    ThriveAssignment,
    ThriveAudience,
    ThriveCompletion,
    ThriveContent,
    ThriveCpdEntry,
    ThriveCredential,
    ThriveSkillLevel,
    ThriveUser,
    defaults,
)

# ---------------------------------------------------------------------------------------------
# Dates, ids and enumerations
# ---------------------------------------------------------------------------------------------

OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")
MAX_RECURRENCE_DAYS = 36_500
LATEST = datetime.max.replace(tzinfo=UTC)
USER_STATUSES = ("active", "inactive", "expired", "new")
ENROLMENT_STATUSES = ("archived", "complete", "open", "overdue", "scheduled", "unassigned")
CONTENT_TYPES = ("article", "assessment", "broadcast", "cmi5", "elearning", "event", "file",
                 "pathway", "question", "quiz", "scorm", "url", "video", "mixed")
ROLES = ("administrator", "learneradmin", "learner")
SCOPES = ("api/all", "api/read", "api/write", "api/webhooks")


def is_object_id(value: str) -> bool:
    return OBJECT_ID.fullmatch(value) is not None


def parse_instant(text: str, *, end_of_day: bool = False) -> datetime:
    """A date-time input in UTC; ValueError when it is not ISO 8601 or a bare date.

    Times without an offset are UTC. With `end_of_day`, a bare date means the last instant of
    that day (inclusive upper bounds such as `completedDateRangeEnd=2024-04-02`).
    """
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start + timedelta(days=1, microseconds=-1) if end_of_day else start
    try:
        return as_utc(datetime.fromisoformat(text))
    except OverflowError:
        raise ValueError("date out of range") from None


def plus_days(value: datetime, days: int) -> datetime:
    """`value` + `days`, saturating at the largest date instead of overflowing."""
    try:
        return value + timedelta(days=days)
    except OverflowError:
        return LATEST


def stamp(value: datetime | None) -> str | None:
    """Every date-time the emulator emits: UTC, milliseconds, `Z`."""
    return None if value is None else iso(value, millis=True)


def number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


# ---------------------------------------------------------------------------------------------
# Query parameters
# ---------------------------------------------------------------------------------------------

# (default, maximum) of `perPage` for each paged list (fact sheet §4.1).
PAGING: dict[str, tuple[int, int]] = {
    "users": (100, 1000), "audiences": (100, 1000), "members": (100, 1000),
    "assignments": (100, 100), "enrolments": (100, 100), "completions": (1000, 1000),
    "contents": (20, 1000), "activities": (20, 1000), "cpd": (100, 1000), "tags": (100, 1000),
}
LIMIT_MAX = 100


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


class QueryArgs:
    """Query parameters, form-decoded by the framework (`+` is a space); blanks are absent."""

    def __init__(self, params: Mapping[str, str]) -> None:
        self.values = {k: v.strip() for k, v in params.items() if v.strip()}

    def text(self, name: str) -> str | None:
        return self.values.get(name)

    def integer(self, name: str, low: int, high: int | None = None) -> int | None:
        raw = self.values.get(name)
        if raw is None:
            return None
        if re.fullmatch(r"[+-]?\d{1,30}", raw) is None:
            raise Unprocessable(f"{name} must be an integer")
        value = int(raw)
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise Unprocessable(f"{name} must be {bound}")
        return value

    def boolean(self, name: str) -> bool | None:
        raw = self.values.get(name)
        if raw is None:
            return None
        if raw.lower() not in ("true", "false"):
            raise Unprocessable(f"{name} must be true or false")
        return raw.lower() == "true"

    def instant(self, name: str, *, upper: bool = False) -> datetime | None:
        raw = self.values.get(name)
        if raw is None:
            return None
        try:
            return parse_instant(raw, end_of_day=upper)
        except ValueError:
            raise Unprocessable(f"{name} must be an ISO 8601 date-time or a date") from None

    def csv(self, name: str, allowed: tuple[str, ...] | None = None) -> list[str] | None:
        raw = self.values.get(name)
        if raw is None:
            return None
        items = [item.strip() for item in raw.split(",") if item.strip()]
        if allowed is not None:
            unknown = [item for item in items if item not in allowed]
            if unknown:
                raise Unprocessable(f"{name} has unknown values: {', '.join(unknown)}; "
                                    f"allowed: {', '.join(allowed)}")
        return items

    def include_omit(self, include: str, omit: str,
                     allowed: tuple[str, ...] | None = None) -> tuple[list[str] | None,
                                                                   list[str] | None]:
        """An include filter and its omit twin; the omit one is ignored when both are given."""
        included = self.csv(include, allowed)
        omitted = self.csv(omit, allowed)
        return included, (None if included is not None else omitted)

    def paging(self, kind: str) -> Paging:
        default, maximum = PAGING[kind]
        page = self.integer("page", 1) or 1
        per_page = self.integer("perPage", 1, maximum)
        if per_page is None:
            per_page = self.integer("limit", 1, LIMIT_MAX) or default
        return Paging(page, per_page)


def envelope(results: list[dict[str, Any]], total: int, paging: Paging) -> dict[str, Any]:
    pages = -(-total // paging.per_page)
    return {"results": results, "pagination": {"totalResults": total, "totalPages": pages,
                                               "page": paging.page, "perPage": paging.per_page}}


# ---------------------------------------------------------------------------------------------
# Request bodies: field types, the base model, manager permissions, parsing
# ---------------------------------------------------------------------------------------------


def _instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string")
    try:
        return parse_instant(value)
    except ValueError:
        raise ValueError("must be an ISO 8601 date-time") from None


def _email(value: str) -> str:
    if re.fullmatch(r"[^@\s]+@[^@\s]+", value) is None:
        raise ValueError("must be an email address")
    return value


Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]
Name = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=100)]
When = Annotated[datetime, BeforeValidator(_instant)]
Email = Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=254),
                  AfterValidator(_email)]
Level = Annotated[float, Field(ge=-1, allow_inf_nan=False, strict=True)]


class RequestBody(BaseModel):
    """Vendor (camelCase) names only; unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, validate_by_name=False,
                              validate_by_alias=True)

    NOT_NULL: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _not_null(self) -> RequestBody:
        for name in self.NOT_NULL:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{to_camel(name)} must not be null")
        return self

    def sent(self) -> dict[str, Any]:
        """The fields present in the request, by attribute name."""
        return {name: getattr(self, name) for name in self.model_fields_set}


# Manager permissions are read by audience manager writes and by fixture packs alike.
class AudienceManagerRights(RequestBody):
    manage_content: StrictBool = False
    assignments: StrictBool = False


class PeopleManagerRights(RequestBody):
    can_view_learn_page: StrictBool = False
    insights: StrictBool = False
    manage: StrictBool = False


class AdministratorRights(RequestBody):
    can_add_audience_managers: StrictBool = False


class Permissions(RequestBody):
    audience_manager: AudienceManagerRights = Field(default_factory=AudienceManagerRights)
    people_manager: PeopleManagerRights = Field(default_factory=PeopleManagerRights)
    administrator: AdministratorRights = Field(default_factory=AdministratorRights)

    def wire(self, *, structure: bool) -> dict[str, Any]:
        # `administrator` applies only to structure managers; elsewhere it reads as false.
        admin = self.administrator if structure else AdministratorRights()
        return {"audienceManager": self.audience_manager.model_dump(by_alias=True),
                "peopleManager": self.people_manager.model_dump(by_alias=True),
                "administrator": admin.model_dump(by_alias=True)}


M = TypeVar("M", bound=BaseModel)


def validation_summary(exc: ValidationError, prefix: tuple[str, ...] = ()) -> str:
    """Pydantic's errors as one readable line, named by the vendor's field names."""
    parts = []
    for err in exc.errors():
        names = [*prefix, *(p for p in err["loc"]
                            if p != "root" and not str(p).startswith("function-"))]
        # A bare-array body's items are named by position: `[2].reference`.
        loc = f"[{names[0]}]" if names and isinstance(names[0], int) else \
            (str(names[0]) if names else "")
        loc += "".join(f".{p}" for p in names[1:])
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def parse_body(model: type[M], raw: bytes) -> M:
    """A JSON body of the endpoint's type: 400 when not JSON or the wrong JSON type, 422 when a
    value is missing, mistyped or out of range."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: nesting deeper than the parser goes is not JSON we can take either.
        raise BadRequest("Request body is not valid JSON") from None
    wants_array = issubclass(model, RootModel)
    if wants_array and not isinstance(data, list):
        raise BadRequest("Request body must be a JSON array")
    if not wants_array and not isinstance(data, dict):
        raise BadRequest("Request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Unprocessable(validation_summary(exc)) from None


def revalidate(model: type[M], data: dict[str, Any], *where: str) -> M:
    """Validate data taken from another body (webhook `content.user`) with field paths kept."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Unprocessable(validation_summary(exc, where)) from None


# ---------------------------------------------------------------------------------------------
# Fixture pack
# ---------------------------------------------------------------------------------------------

PackId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]
# A pack field that a table column also defaults takes the column's default.
ASSIGNMENT = defaults(ThriveAssignment)
AUDIENCE = defaults(ThriveAudience)
COMPLETION = defaults(ThriveCompletion)
CONTENT = defaults(ThriveContent)
CPD_ENTRY = defaults(ThriveCpdEntry)
CREDENTIAL = defaults(ThriveCredential)
SKILL_LEVEL = defaults(ThriveSkillLevel)
USER = defaults(ThriveUser)


class _Pack(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=to_camel)


class OAuthClientFixture(_Pack):
    client_id: str = Field(alias="clientId", min_length=1)
    client_secret: str = Field(alias="clientSecret", min_length=1)
    scopes: list[Literal["api/all", "api/read", "api/write", "api/webhooks"]] = Field(
        min_length=1)
    # False: the client exists but may not use the client-credentials grant.
    client_credentials: bool = CREDENTIAL["client_credentials"]


class UserPack(_Pack):
    id: PackId
    ref: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    login_method: Literal["email", "ref"] = USER["login_method"]
    role: Literal["administrator", "learneradmin", "learner"] = USER["role"]
    status: Literal["active", "inactive", "expired", "new"] = USER["status"]
    active: bool = USER["active"]
    deleted: bool = USER["deleted"]
    job_title: str | None = None
    manager_ref: str | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    domain: str | None = None
    time_zone: str = USER["time_zone"]
    language_code: str = USER["language_code"]
    sso: bool = USER["sso"]
    additional_fields: dict[str, Any] | None = None
    created_at: datetime
    updated_at: datetime | None = None
    summary: str | None = None
    has_picture: bool = USER["has_picture"]
    agreed_terms: bool | None = None
    onboarded: bool | None = None
    first_login: datetime | None = None
    last_login: datetime | None = None
    compliance: float = USER["compliance"]
    level: float = USER["level"]
    relevancy: float = USER["relevancy"]
    rank: dict[str, Any] | None = None
    users_following: list[str] = Field(default_factory=list)
    tags_following: list[Any] = Field(default_factory=list)
    ou_id: str | None = None
    # Names of the tags the user is skilled in.
    skills: list[str] = Field(default_factory=list)


class TagPack(_Pack):
    id: PackId
    tag: str
    contents: list[str] = Field(default_factory=list)
    campaigns: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime | None = None


class SkillLevelPack(_Pack):
    name: str
    is_enabled: bool = SKILL_LEVEL["is_enabled"]
    value: int


class ManagerPack(_Pack):
    user_id: PackId
    permissions: Permissions = Field(default_factory=Permissions)


class AudiencePack(_Pack):
    id: PackId
    name: str
    reference: str
    category: Literal["structure", "audience"]
    type: Literal["manual", "smart"] = AUDIENCE["type"]
    api_controlled: bool = AUDIENCE["api_controlled"]
    parent_id: PackId | None = None
    created_at: datetime
    updated_at: datetime | None = None
    members: list[PackId] = Field(default_factory=list)
    managers: list[ManagerPack] = Field(default_factory=list)


class ContentPack(_Pack):
    id: PackId
    title: str
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    type: Literal["article", "assessment", "broadcast", "cmi5", "elearning", "event", "file",
                  "pathway", "question", "quiz", "scorm", "url", "video", "mixed"]
    author: str | None = None
    is_official: bool = CONTENT["is_official"]
    duration: dict[str, Any] | None = None
    content_history: list[dict[str, Any]] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime | None = None


class AssignmentPack(_Pack):
    id: PackId
    audience_id: PackId
    primary_content_id: PackId
    alternative_content_ids: list[PackId] = Field(default_factory=list)
    hide_alternative_content: bool = ASSIGNMENT["hide_alternative_content"]
    completion_period: int = Field(default=ASSIGNMENT["completion_period"], ge=1, le=1095)
    recurrence: int | None = Field(default=None, ge=1, le=MAX_RECURRENCE_DAYS)
    is_deleted: bool = ASSIGNMENT["is_deleted"]
    created_at: datetime
    deleted_at: datetime | None = None
    updated_at: datetime | None = None


EnrolmentStatus = Literal["archived", "complete", "open", "overdue", "scheduled", "unassigned"]


class HistoryPack(_Pack):
    type: Literal["assigned", "overdue", "completed", "recurred", "rescheduled", "archived"]
    completion_id: PackId | None = None
    previous_status: EnrolmentStatus
    next_status: EnrolmentStatus
    created_at: datetime


class EnrolmentPack(_Pack):
    id: PackId
    assignment_id: PackId
    user_id: PackId
    status: EnrolmentStatus
    available_date: datetime
    due_date: datetime
    last_completed_at: datetime | None = None
    history: list[HistoryPack] = Field(default_factory=list)
    updated_at: datetime | None = None


class CompletionPack(_Pack):
    id: PackId
    user_id: PackId
    content_id: PackId
    content_version: int = COMPLETION["content_version"]
    completion_type: str = COMPLETION["completion_type"]
    had_due_date: bool = COMPLETION["had_due_date"]
    is_rpl: bool = Field(default=COMPLETION["is_rpl"], alias="isRPL")
    completed_at: datetime
    active_until: datetime | None = None
    # None: the content's tags.
    skills: list[str] | None = None


class ActivityPack(_Pack):
    id: PackId
    user: PackId
    type: str
    name: str | None = None
    date: datetime
    context_id: str | None = None
    context_type: str | None = None
    content_type: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    with_: dict[str, Any] | None = Field(default=None, alias="with")


class CpdCategoryPack(_Pack):
    category_id: PackId
    name: str
    updated_at: datetime | None = None


class CpdEntryPack(_Pack):
    log_entry_id: PackId
    user_id: PackId
    activity: dict[str, Any] = Field(default_factory=dict)
    category_id: PackId | None = None
    entry_date: datetime
    duration_minutes: int = Field(ge=0)
    description: str | None = None
    is_verified: bool = CPD_ENTRY["is_verified"]


class CpdRequirementPack(_Pack):
    audience_requirement_id: PackId
    audience_id: PackId
    required_minutes: int = Field(ge=0)
    created_at: datetime
    updated_at: datetime | None = None


class ThriveFixture(_Pack):
    """A fixture pack: one tenant's credentials and seed data."""

    tenant_id: str = Field(alias="tenantId", min_length=1)
    api_secret: str = Field(alias="apiSecret", min_length=1)
    oauth_clients: list[OAuthClientFixture] = Field(default_factory=list, alias="oauthClients")
    users: list[UserPack] = Field(default_factory=list)
    tags: list[TagPack] = Field(default_factory=list)
    skill_levels: list[SkillLevelPack] = Field(default_factory=list)
    audiences: list[AudiencePack] = Field(default_factory=list)
    contents: list[ContentPack] = Field(default_factory=list)
    assignments: list[AssignmentPack] = Field(default_factory=list)
    enrolments: list[EnrolmentPack] = Field(default_factory=list)
    completions: list[CompletionPack] = Field(default_factory=list)
    activities: list[ActivityPack] = Field(default_factory=list)
    cpd_categories: list[CpdCategoryPack] = Field(default_factory=list)
    cpd_entries: list[CpdEntryPack] = Field(default_factory=list)
    cpd_requirement_summaries: list[CpdRequirementPack] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> ThriveFixture:
        """Every id a row names exists in the pack, so seeded data is consistent."""
        users = {u.id for u in self.users}
        audiences = {a.id: a for a in self.audiences}
        contents = {c.id for c in self.contents}
        assignments = {a.id for a in self.assignments}
        tags = {t.tag for t in self.tags}
        categories = {c.category_id for c in self.cpd_categories}

        def check(kind: str, ids: set[str], wanted: list[str | None]) -> None:
            missing = sorted({w for w in wanted if w is not None and w not in ids})
            if missing:
                raise ValueError(f"unknown {kind} id(s): {', '.join(missing)}")

        for name, rows in (("users", self.users), ("audiences", self.audiences),
                           ("contents", self.contents), ("assignments", self.assignments),
                           ("enrolments", self.enrolments), ("tags", self.tags)):
            ids = [str(getattr(r, "id")) for r in rows]  # noqa: B009
            if len(ids) != len(set(ids)):
                raise ValueError(f"duplicate ids in {name}")
        check("user", users, [m for a in self.audiences for m in a.members])
        check("user", users, [m.user_id for a in self.audiences for m in a.managers])
        check("user", users, [e.user_id for e in self.enrolments])
        check("user", users, [c.user_id for c in self.completions])
        check("user", users, [a.user for a in self.activities])
        check("user", users, [e.user_id for e in self.cpd_entries])
        check("audience", set(audiences), [a.parent_id for a in self.audiences])
        check("audience", set(audiences), [a.audience_id for a in self.assignments])
        check("audience", set(audiences), [r.audience_id for r in self.cpd_requirement_summaries])
        check("content", contents, [a.primary_content_id for a in self.assignments])
        check("content", contents, [c for a in self.assignments for c in a.alternative_content_ids])
        check("content", contents, [c.content_id for c in self.completions])
        check("assignment", assignments, [e.assignment_id for e in self.enrolments])
        check("CPD category", categories, [e.category_id for e in self.cpd_entries])
        check("tag name", tags, [s for u in self.users for s in u.skills])
        for row in self.audiences:
            parent = audiences.get(row.parent_id) if row.parent_id else None
            if (row.category == "audience") != (parent is not None) or \
                    (parent is not None and parent.category != "structure"):
                raise ValueError(f"audience {row.id}: a structure has no parent; an audience "
                                 "has a structure as parent")
        return self
