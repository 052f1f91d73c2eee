"""iSpring wire shapes: request models (vendor names), response trees, and the fixture-pack model.

Request models validate the plain trees `wire` decodes from XML, JSON or forms. Because XML and
forms carry every value as text, the field types below accept the vendor's spellings: booleans as
`true/false/1/0` in any case (D7), numbers as digit strings, ID arrays in every wrapping (§4.4),
dates in every form of §4.6. Unknown parameters are refused (400) so a typo never passes silently.

Response trees are built from rows and views with `wire.Items` for lists, so one tree renders as
the vendor's XML and as its JSON (§4.2, §4.3).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Generic, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from emulator.core.clock import as_utc
from emulator.ispring.errors import BadRequest
from emulator.ispring.models import (
    IspringAssignmentAttempt,
    IspringContent,
    IspringCourseField,
    IspringDepartment,
    IspringEnrollment,
    IspringModule,
    IspringProfileField,
    IspringQuizAnswer,
    IspringRole,
    IspringTraining,
    IspringTrainingDay,
    IspringTrainingSession,
    IspringWebhookSubscription,
)
from emulator.ispring.wire import Items, Tree, leaves, parse_date, parse_datetime

NAME_MAX = 255
TEXT_MAX = 4000

DUE_DATE_TYPES = ("unlimited", "default", "due_date", "due_period")
COMPLETION_STATUSES = ("not_started", "in_progress", "pending", "complete", "passed",
                       "accepted", "incomplete", "failed", "declined")
COURSE_STATUSES = ("complete", "incomplete", "passed", "failed", "automatic")
CONTENT_TYPES = ("iSpringSuiteModule", "Audio", "Video", "Image", "Quiz", "Survey", "SCORM",
                 "Course", "LearningTrack", "WordDocument", "PowerPointPresentation",
                 "PDFDocument", "ExcelSpreadsheet", "RolePlay", "Link", "Assignment", "Book",
                 "Interaction", "Page", "OnlineQuiz", "ExternalCourse")
SUBORDINATION_TYPES = ("manual", "inherit", "no_supervisor")
WORK_LEAVE_REASONS = ("OutOfTheOffice", "OnVacation", "PersonalLeave", "BusinessTrip",
                      "SickLeave", "ParentalLeave", "EducationalLeave")
USER_STATUSES = (1, 3, 5)

T = TypeVar("T")

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))


# -- value parsers (the field types of request models) -------------------------------------------

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


def _uuid_list(value: Any) -> list[str]:
    out: list[str] = []
    for leaf in leaves(value):
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
    for leaf in leaves(value):
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


INT_LIMIT = 10**15  # far beyond any real count, well inside SQLite's and timedelta's ranges


def _integer(value: Any) -> int:
    value = _required(value)
    if isinstance(value, bool):
        raise ValueError("must be an integer")
    whole_float = isinstance(value, float) and value.is_integer()
    digits = isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,18}\s*", value)
    if whole_float or digits:
        value = int(value)
    if not isinstance(value, int):
        raise ValueError("must be an integer")
    if abs(value) >= INT_LIMIT:
        raise ValueError("is out of range")
    return value


def _number(value: Any) -> float:
    value = _required(value)
    if isinstance(value, bool):
        raise ValueError("must be a number")
    numeric = r"\s*[+-]?(\d{1,15}(\.\d*)?|\.\d+)\s*"
    if not isinstance(value, int | float) and not (
            isinstance(value, str) and re.fullmatch(numeric, value)):
        raise ValueError("must be a number")
    number = float(value)
    if not math.isfinite(number) or abs(number) >= INT_LIMIT:
        raise ValueError("is out of range")
    return number


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


# -- request models ------------------------------------------------------------------------------

def _message(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"Wrong parameters: unknown parameter {where}"
    if kind == "missing":
        reason = "is required"
    elif kind == "value_error":
        reason = str(err.get("ctx", {}).get("error", "is invalid"))
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        reason = "must be an object"
    elif kind == "list_type":
        reason = "must be a list"
    else:
        reason = "has a wrong value"
    return f"Wrong parameters: {where} {reason}" if where else f"Wrong parameters: {reason}"


class RequestModel(BaseModel):
    """A request body (or query) of one operation; unknown parameters are refused."""

    # Only the vendor's own spellings are accepted (no Python attribute names on the wire).
    model_config = ConfigDict(extra="forbid", populate_by_name=False, frozen=True)

    @classmethod
    def parse(cls, tree: Tree) -> Self:
        try:
            return cls.model_validate(tree)
        except ValidationError as exc:
            raise BadRequest(_message(exc)) from None


def _pre_items(value: Any) -> Any:
    try:
        return _items(value)
    except ValueError:
        return value


class SubordinationIn(RequestModel):
    subordination_type: Annotated[str, BeforeValidator(_choice(*SUBORDINATION_TYPES))] = Field(
        alias="subordinationType")
    supervisor_id: OptId = Field(default=None, alias="supervisorId")

    @model_validator(mode="after")
    def _supervisor_only_when_manual(self) -> Self:
        if self.subordination_type == "manual" and self.supervisor_id is None:
            raise ValueError("supervisorId is required with subordinationType manual")
        return self

    def as_stored(self) -> dict[str, Any]:
        stored: dict[str, Any] = {"subordinationType": self.subordination_type}
        if self.subordination_type == "manual":
            stored["supervisorId"] = self.supervisor_id
        return stored


# Enrollments


class EnrollmentDates(RequestModel):
    """accessDate / dueDateType / dueDate / duePeriod / lockAfterDueDate (§5.6)."""

    access_date: OptWhen = Field(default=None, alias="accessDate")
    due_date_type: OptDueType = Field(default=None, alias="dueDateType")
    due_date: OptWhen = Field(default=None, alias="dueDate")
    due_period: OptInt = Field(default=None, alias="duePeriod")
    lock_after_due_date: OptFlag = Field(default=None, alias="lockAfterDueDate")

    # Set by subclasses: the doc pages of edit/re-enroll call these required, create does not.
    type_required: ClassVar[bool] = False
    lock_required: ClassVar[bool] = False

    @model_validator(mode="after")
    def _due_rules(self) -> Self:
        if self.due_date_type is None and self.type_required:
            raise ValueError("dueDateType is required")
        if self.due_period is not None and self.due_period < 0:
            raise ValueError("duePeriod must not be negative")
        kind = self.effective_type
        if kind == "due_date" and self.due_date is None:
            raise ValueError("dueDate is required when dueDateType is due_date")
        if kind == "due_period" and not self.due_period:
            raise ValueError("duePeriod (hours, at least 1) is required when dueDateType is "
                             "due_period")
        if (self.lock_required and kind in ("due_date", "due_period")
                and self.lock_after_due_date is None):
            raise ValueError(f"lockAfterDueDate is required when dueDateType is {kind}")
        return self

    @property
    def effective_type(self) -> str:
        # D8: a missing dueDateType on create means the course's default settings.
        return self.due_date_type or "default"


class NewEnrollment(EnrollmentDates):
    course_ids: RequiredIds = Field(alias="courseIds")
    learner_ids: RequiredIds = Field(alias="learnerIds")


class UpdateEnrollment(EnrollmentDates):
    type_required: ClassVar[bool] = True
    lock_required: ClassVar[bool] = True


class Reenroll(EnrollmentDates):
    type_required: ClassVar[bool] = True


class DeleteEnrollments(RequestModel):
    enrollment_ids: RequiredIds = Field(alias="enrollmentIds")


class PageParams(RequestModel):
    page_size: OptInt = Field(default=None, alias="pageSize")
    page_token: OptText = Field(default=None, alias="pageToken")


class EnrollmentFilter(PageParams):
    course_ids: StrList = Field(default_factory=list, alias="courseIds")
    learner_ids: StrList = Field(default_factory=list, alias="learnerIds")
    enrollment_ids: StrList = Field(default_factory=list, alias="enrollmentIds")


# Users


def _profile_values(value: Any) -> dict[str, str]:
    """Profile values keyed by field name: an object, or a list of {name, value} (§5.2)."""
    value = _required(value)
    pairs: list[tuple[Any, Any]]
    if isinstance(value, Mapping) and set(value) == {"field"}:
        value = value["field"]
    if isinstance(value, Mapping):
        if set(value) == {"name", "value"}:
            pairs = [(value["name"], value["value"])]
        else:
            pairs = list(value.items())
    elif isinstance(value, list):
        pairs = []
        for item in value:
            if not isinstance(item, Mapping) or "name" not in item:
                raise ValueError("must be an object or a list of {name, value}")
            pairs.append((item["name"], item.get("value")))
    else:
        raise ValueError("must be an object or a list of {name, value}")
    out: dict[str, str] = {}
    for key, raw in pairs:
        name = _scalar(key).strip()
        out[name] = "" if raw is None else _text(raw)
    return out


ProfileValues = Annotated[dict[str, str], BeforeValidator(_profile_values)]
OptProfileValues = Annotated[dict[str, str] | None, BeforeValidator(_optional(_profile_values))]


class UserRoleIn(RequestModel):
    role_id: Id = Field(alias="roleId")
    manageable_department_ids: IdList = Field(default_factory=list,
                                              alias="manageableDepartmentIds")
    role_type: OptText = Field(default=None, alias="roleType")


Roles = Annotated[list[UserRoleIn] | None, BeforeValidator(_optional(_pre_items))]


class UserRoleFields(RequestModel):
    role: OptText = None
    role_id: OptId = Field(default=None, alias="roleId")
    roles: Roles = None
    manageable_department_ids: OptIdList = Field(default=None, alias="manageableDepartmentIds")
    group_ids: OptIdList = Field(default=None, alias="groupIds")
    groups: OptIdList = None

    @property
    def all_group_ids(self) -> list[str] | None:
        if self.group_ids is None and self.groups is None:
            return None
        return list(dict.fromkeys([*(self.group_ids or []), *(self.groups or [])]))


class NewUser(UserRoleFields):
    department_id: Id = Field(alias="departmentId")
    fields: ProfileValues
    login: OptText = None
    email: OptText = None
    password: OptText = None
    send_login_email: OptFlag = Field(default=None, alias="sendLoginEmail")
    invitation_message: OptText = Field(default=None, alias="invitationMessage")
    send_login_sms: OptFlag = Field(default=None, alias="sendLoginSMS")
    invitation_sms_message: OptText = Field(default=None, alias="invitationSMSMessage")

    @model_validator(mode="after")
    def _invitations(self) -> Self:
        if self.send_login_email and not self.invitation_message:
            raise ValueError("invitationMessage is required when sendLoginEmail is true")
        if self.send_login_sms and not self.invitation_sms_message:
            raise ValueError("invitationSMSMessage is required when sendLoginSMS is true")
        if self.password is not None and not self.password:
            raise ValueError("password must not be empty")
        return self


class UpdateUser(UserRoleFields):
    department_id: OptId = Field(default=None, alias="departmentId")
    fields: OptProfileValues = None


class UserPassword(RequestModel):
    password: Text

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.password:
            raise ValueError("password must not be empty")
        return self


def _user_status(value: Any) -> int:
    status = _integer(value)
    if status not in USER_STATUSES:
        raise ValueError(f"must be 1, 3 or 5, {status} given")
    return status


class UserStatusIn(RequestModel):
    status: Annotated[int, BeforeValidator(_user_status)]


class UserIds(RequestModel):
    user_ids: RequiredIds = Field(alias="userIds")


class GroupIds(RequestModel):
    group_ids: RequiredIds = Field(alias="groupIds")


class Subordinations(RequestModel):
    subordination: SubordinationIn | None = None
    co_subordination: SubordinationIn | None = Field(default=None, alias="coSubordination")


class ScheduledDate(RequestModel):
    date: Day


class WorkLeaveIn(RequestModel):
    user_id: Id = Field(alias="userId")
    work_leave_reason: Annotated[str, BeforeValidator(_choice(*WORK_LEAVE_REASONS))] = Field(
        alias="workLeaveReason")
    start_date: Annotated[date | None, BeforeValidator(_optional(_date))] = Field(
        default=None, alias="startDate")
    end_date: Annotated[date | None, BeforeValidator(_optional(_date))] = Field(
        default=None, alias="endDate")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("endDate must not be before startDate")
        return self


class WorkLeaveStatuses(RequestModel):
    work_leave_statuses: Annotated[list[WorkLeaveIn], BeforeValidator(_pre_items)] = Field(
        alias="workLeaveStatuses", min_length=1)


class UserFilter(PageParams):
    departments: StrList = Field(default_factory=list)
    groups: StrList = Field(default_factory=list)
    logins: StrList = Field(default_factory=list)
    emails: StrList = Field(default_factory=list)
    user_ids: StrList = Field(default_factory=list, alias="userIds")


class ProfileFieldFilter(RequestModel):
    name: Text
    values: StrList


class ProfileFieldRange(RequestModel):
    name: Text
    from_: Annotated[date | None, BeforeValidator(_optional(_date))] = Field(
        default=None, alias="from")
    to: Annotated[date | None, BeforeValidator(_optional(_date))] = None


class PagedUsersRequest(RequestModel):
    """`POST /user/list`: filters plus a 1-based page number (clients add page and pageSize)."""

    departments: StrList = Field(default_factory=list)
    groups: StrList = Field(default_factory=list)
    logins: StrList = Field(default_factory=list)
    emails: StrList = Field(default_factory=list)
    profile_fields: Annotated[list[ProfileFieldFilter], BeforeValidator(_pre_items)] = Field(
        default_factory=list, alias="profileFields")
    profile_fields_date_range: Annotated[list[ProfileFieldRange], BeforeValidator(_pre_items)] = (
        Field(default_factory=list, alias="profileFieldsDateRange"))
    page: OptInt = None
    page_size: OptInt = Field(default=None, alias="pageSize")


# Departments


class NewDepartment(RequestModel):
    name: Name
    parent_department_id: Id = Field(alias="parentDepartmentId")
    code: OptText = None
    subordination: SubordinationIn | None = None
    co_subordination: SubordinationIn | None = Field(default=None, alias="coSubordination")


class UpdateDepartment(RequestModel):
    name: OptName = None
    parent_department_id: OptId = Field(default=None, alias="parentDepartmentId")
    code: OptText = None
    subordination: SubordinationIn | None = None
    co_subordination: SubordinationIn | None = Field(default=None, alias="coSubordination")


class MoveDepartments(RequestModel):
    department_ids: OptIdList = Field(default=None, alias="departmentIds")
    # The OAS names the required field `departmnetIds`; clients generated from it send that.
    misspelled_ids: OptIdList = Field(default=None, alias="departmnetIds")

    @property
    def ids(self) -> list[str]:
        return list(dict.fromkeys([*(self.department_ids or []), *(self.misspelled_ids or [])]))

    @model_validator(mode="after")
    def _some(self) -> Self:
        if not self.ids:
            raise ValueError("departmentIds is required")
        return self


# Groups


class NewGroup(RequestModel):
    name: Name
    user_ids: IdList = Field(default_factory=list, alias="userIds")


class UpdateGroup(RequestModel):
    name: Name


class GroupMembers(RequestModel):
    # An empty list is allowed: "update group members" replaces the membership (inferred).
    user_ids: IdList = Field(default_factory=list, alias="userIds")


def _as_list(value: Any) -> Any:
    """One XML element or several: a node list of the smart-group rules."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _int_choice(*allowed: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        number = _integer(value)
        if number not in allowed:
            raise ValueError(f"must be one of {', '.join(str(a) for a in allowed)}")
        return number
    return check


class SmartRuleIn(RequestModel):
    # 1 department, 2 group, 3 profile field; operator 1 "only", 2 "this and nested".
    attribute_type: Annotated[int, BeforeValidator(_int_choice(1, 2, 3))] = Field(
        alias="attributeType")
    attribute_id: OptText = Field(default=None, alias="attributeId")
    operator: Annotated[int, BeforeValidator(_int_choice(1, 2))]
    value: Text

    @model_validator(mode="after")
    def _field_named(self) -> Self:
        if self.attribute_type == 3 and not self.attribute_id:
            raise ValueError("attributeId is required for a profile field rule")
        return self


class OrNodeIn(RequestModel):
    rule: SmartRuleIn


class AndNodeIn(RequestModel):
    or_: Annotated[list[OrNodeIn], BeforeValidator(_as_list)] = Field(alias="or", min_length=1)


class SmartRulesIn(RequestModel):
    """`{and: [{or: [{rule: {…}}]}]}`: every `and` item must hold, through one of its rules."""

    and_: Annotated[list[AndNodeIn], BeforeValidator(_as_list)] = Field(alias="and",
                                                                         min_length=1)

    def as_stored(self) -> dict[str, Any]:
        return {"and": [{"or": [{"rule": {
            "attributeType": node.rule.attribute_type, "attributeId": node.rule.attribute_id,
            "operator": node.rule.operator, "value": node.rule.value}} for node in item.or_]}
            for item in self.and_]}

    def rules(self) -> list[SmartRuleIn]:
        return [node.rule for item in self.and_ for node in item.or_]


class NewSmartGroup(RequestModel):
    name: Name
    rules: SmartRulesIn


class UpdateSmartGroup(RequestModel):
    name: OptName = None
    rules: SmartRulesIn


class CreateContent(RequestModel):
    folder_id: Id
    title: Name


# Content


class ContentFilter(PageParams):
    content_item_ids: StrList = Field(default_factory=list, alias="contentItemIds")
    content_types: StrList = Field(default_factory=list, alias="contentTypes")


class QuizFilter(PageParams):
    quiz_ids: StrList = Field(default_factory=list, alias="quizIds")
    content_item_ids: StrList = Field(default_factory=list, alias="contentItemIds")
    parent_course_ids: StrList = Field(default_factory=list, alias="parentCourseIds")


# Statistics


class UpdateCourseStatus(RequestModel):
    course_id: Id = Field(alias="courseId")
    enrollment_ids: RequiredIds = Field(alias="enrollmentIds")
    status: Annotated[str, BeforeValidator(_choice(*COURSE_STATUSES))]
    date: OptWhen = None
    reason: OptText = None
    awarded_score: OptScore = Field(default=None, alias="awardedScore")


class ModuleStatusIn(RequestModel):
    content_item_id: Id = Field(alias="contentItemId")
    date: When
    reason: Text
    status: Annotated[str, BeforeValidator(_choice(*COMPLETION_STATUSES))]
    awarded_score: Score = Field(alias="awardedScore")


class UpdateModuleStatuses(RequestModel):
    course_id: Id = Field(alias="courseId")
    enrollment_ids: RequiredIds = Field(alias="enrollmentIds")
    module_statuses: Annotated[list[ModuleStatusIn], BeforeValidator(_pre_items)] = Field(
        alias="moduleStatuses", min_length=1)


class ResetModuleStatistics(RequestModel):
    course_id: Id = Field(alias="courseId")
    enrollment_ids: RequiredIds = Field(alias="enrollmentIds")
    content_item_ids: IdList = Field(default_factory=list, alias="contentItemIds")


# Gamification


class AttemptGrade(RequestModel):
    attempt_id: Id = Field(alias="attemptId")
    score: Score
    comment: OptText = None


class AttemptGrades(RequestModel):
    grades: Annotated[list[AttemptGrade], BeforeValidator(_pre_items)] = Field(
        alias="assignmentAttemptGrades", min_length=1)


class UpdateDay(RequestModel):
    url: Text


class AttendanceIn(RequestModel):
    participant_id: Id = Field(alias="participantId")
    is_attended: Annotated[bool, BeforeValidator(_flag)] = Field(alias="isAttended")
    duration: OptInt = None

    @model_validator(mode="after")
    def _not_negative(self) -> Self:
        if self.duration is not None and self.duration < 0:
            raise ValueError("duration must not be negative")
        return self


class DayAttendance(RequestModel):
    participants_attendance: Annotated[list[AttendanceIn], BeforeValidator(_pre_items)] = Field(
        alias="participantsAttendance", min_length=1)


class PointsChange(RequestModel):
    user_id: Id = Field(alias="userId")
    amount: Amount
    reason: Name

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if self.amount <= 0:
            raise ValueError("amount must be a positive number")
        return self


# Webhooks

WEBHOOK_EVENTS: dict[str, tuple[str, ...]] = {
    # Event type → the filter parameters a subscription to it may carry (§5.10).
    "USER_REGISTERED": (),
    "LEARNERS_ENROLLED_IN_COURSE": ("userIds", "courseIds"),
    "TRAINING_MEETING_ADDED": (),
    "TRAINING_MEETING_REMOVED": (),
    "TRAINING_MEETING_UPDATED": (),
    "TRAINING_SESSION_PARTICIPANTS_ADDED": ("userIds",),
    "TRAINING_SESSION_PARTICIPANT_REMOVED": ("userIds",),
    "COURSE_COMPLETED_SUCCESSFULLY": ("userIds", "courseIds"),
    "COURSE_STATUS_CHANGED": ("userIds", "courseIds"),
    "COURSE_ITEM_COMPLETED_SUCCESSFULLY": ("userIds", "courseItemIds"),
    "COURSE_ITEM_STATUS_CHANGED": ("userIds", "courseItemIds"),
}


def _callback_url(value: Any) -> str:
    url = _name(value)
    if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        raise ValueError("must be an http(s) URL")
    return url


class SubscriberName(RequestModel):
    subscriber_name: Name = Field(alias="subscriberName")


class SubscriberRequest(SubscriberName):
    callback_url: Annotated[str, BeforeValidator(_callback_url)] = Field(alias="callbackUrl")
    secret: OptText = None


class ConfirmRequest(SubscriberName):
    code: Text


class SubscriptionParam(RequestModel):
    name: Text
    value: Text


class SubscriptionIn(RequestModel):
    subscription_type: Annotated[str, BeforeValidator(_choice(*WEBHOOK_EVENTS))] = Field(
        alias="subscriptionType")
    params: Annotated[list[SubscriptionParam], BeforeValidator(_pre_items)] = Field(
        default_factory=list)

    @model_validator(mode="after")
    def _known_params(self) -> Self:
        allowed = WEBHOOK_EVENTS[self.subscription_type]
        for param in self.params:
            if param.name not in allowed:
                raise ValueError(f"{self.subscription_type} has no parameter {param.name}")
            if not isinstance(self.filter_values(param), list):
                raise ValueError(f"{param.name} must be a JSON array of IDs in a string")
        return self

    @staticmethod
    def filter_values(param: SubscriptionParam) -> list[str] | None:
        """A parameter's value: a JSON-encoded array of strings (`"[\"uuid\"]"`)."""
        try:
            values = json.loads(param.value)
        except ValueError:
            return None
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return None
        return values


class SubscribeRequest(SubscriberName):
    subscription: SubscriptionIn


class UnsubscribeRequest(SubscriberName):
    subscription_type: Annotated[str, BeforeValidator(_choice(*WEBHOOK_EVENTS))] = Field(
        alias="subscriptionType")


# Token


class TokenRequest(RequestModel):
    client_id: Text
    client_secret: Text
    grant_type: Text


# -- views: what the backend computes for the wire -----------------------------------------------

@dataclass(frozen=True)
class UserRoleView:
    role_id: str
    role_type: str
    manageable_department_ids: list[str]


@dataclass(frozen=True)
class UserView:
    user_id: str
    role: UserRoleView
    roles: list[UserRoleView]
    department_id: str
    status: int
    fields: list[tuple[str, str]]
    added_at: datetime
    last_login_at: datetime | None
    groups: list[str]
    subordination: dict[str, Any]
    co_subordination: dict[str, Any]
    work_leave: dict[str, Any] | None


@dataclass(frozen=True)
class GroupView:
    group_id: str
    name: str
    is_smart: bool
    user_ids: list[str] | None  # None: the caller may see the count only (publishers)
    users_count: int


@dataclass(frozen=True)
class ResultView:
    """One learner's result on one course (enrollment), or on one module of it."""

    user_id: str
    course_id: str
    course_title: str
    enrollment_id: str
    access_at: datetime
    due_date: date | None
    expiration_date: date | None
    completed_at: datetime | None
    time_spent: int
    status: str
    awarded_score: float | None
    passing_score: float | None
    progress: float
    is_overdue: bool
    views: int
    last_view_at: datetime | None
    module_id: str | None = None
    module_title: str | None = None
    course_item_id: str | None = None


@dataclass(frozen=True)
class ResultQuery:
    """The query of `/learners/results` and `/learners/modules/results` (§5.7)."""

    user_ids: list[str]
    course_ids: list[str]
    department_ids: list[str]
    enrollment_ids: list[str]
    completion_statuses: list[str]
    user_statuses: list[int]
    access: tuple[datetime | None, datetime | None]
    due: tuple[datetime | None, datetime | None]
    completion: tuple[datetime | None, datetime | None]
    page_size: int | None
    page_token: str | None
    module_ids: list[str]
    course_item_ids: list[str]


@dataclass(frozen=True)
class AnswerQuery:
    """The query of `/report/answer-breakdown` (§5.11)."""

    quiz_id: str
    parent_course_ids: list[str]
    user_ids: list[str]
    enrollment_ids: list[str]
    department_ids: list[str]
    group_ids: list[str]
    attempt: tuple[datetime | None, datetime | None]
    page_size: int | None
    page_token: str | None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_token: str | None


# -- response trees ------------------------------------------------------------------------------

def iso_offset(value: datetime) -> str:
    """`2019-03-26T06:34:57+00:00`: the date-time form of the vendor's samples (§4.6)."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def number(value: float) -> int | float:
    """Whole numbers as integers (`100`, not `100.0`); others to two decimals (`90.91`)."""
    rounded = round(value, 2)
    return int(rounded) if float(rounded).is_integer() else rounded


def ids(values: Iterable[str]) -> Items:
    return Items("id", list(values))


def subordination_tree(stored: Mapping[str, Any]) -> Tree:
    return {"subordinationType": stored.get("subordinationType", "inherit"),
            "supervisorId": stored.get("supervisorId")}


def user_tree(user: UserView, *, v2: bool) -> Tree:
    # GET /user (v1) reports "employment ended" (5) as inactive (3); V2 keeps it apart (§5.2).
    status = user.status if v2 or user.status != 5 else 3
    return {
        "userId": user.user_id,
        "role": user.role.role_type,
        "roleId": user.role.role_id,
        "departmentId": user.department_id,
        "status": status,
        "fields": Items("field", [{"name": n, "value": v} for n, v in user.fields]),
        "addedDate": iso_offset(user.added_at),
        "lastLoginDate": None if user.last_login_at is None else iso_offset(user.last_login_at),
        "manageableDepartmentIds": ids(user.role.manageable_department_ids),
        "userRoles": Items("userRole", [
            {"roleId": r.role_id,
             "manageableDepartmentIds": ids(r.manageable_department_ids)
             if r.manageable_department_ids else None,
             "roleType": r.role_type}
            for r in user.roles]),
        "groups": ids(user.groups),
        "subordination": subordination_tree(user.subordination),
        "coSubordination": subordination_tree(user.co_subordination),
        "workLeaveStatus": user.work_leave,
    }


def user_item(v2: bool) -> str:
    """D5: V2 user endpoints name their XML items `userProfileV2`."""
    return "userProfileV2" if v2 else "userProfile"


def department_tree(dept: IspringDepartment) -> Tree:
    return {
        "departmentId": dept.department_id,
        "name": dept.name,
        "parentDepartmentId": dept.parent_id,
        "code": dept.code,
        "subordination": subordination_tree(dept.subordination),
        "coSubordination": subordination_tree(dept.co_subordination),
    }


def group_tree(group: GroupView, *, detailed: bool) -> Tree:
    tree: Tree = {}
    if detailed:
        tree["usersCount"] = group.users_count
        tree["userIds"] = None if group.user_ids is None else ids(group.user_ids)
    tree.update({"groupId": group.group_id, "name": group.name, "isSmart": group.is_smart})
    return tree


def view_url(account_host: str, content: IspringContent) -> str:
    return f"https://{account_host}/view/{content.view_slug}"


def content_tree(content: IspringContent, account_host: str) -> Tree:
    values = [{"fieldId": f, "fieldValue": v} for f, v in sorted(content.field_values.items())]
    return {
        "contentItemId": content.content_id,
        "title": content.title,
        "subtitle": content.subtitle,
        "description": content.description,
        "userId": content.author_id,
        "addedDate": iso_offset(content.added_at),
        "viewUrl": view_url(account_host, content),
        "type": content.type,
        "contentItemType": content.type,
        "courseFields": Items("courseField", values) if values else None,
    }


def course_tree_item(content: IspringContent, parent_id: str | None,
                     account_host: str) -> Tree:
    """`GET /courses_tree` item; top-level items carry no parentId (inferred)."""
    return {
        "contentItemId": content.content_id,
        "title": content.title,
        "type": content.type,
        "description": content.description,
        "addedDate": iso_offset(content.added_at),
        "viewUrl": view_url(account_host, content),
        "parentId": parent_id,
        "isShared": False,
    }


def course_field_tree(field: IspringCourseField) -> Tree:
    return {"fieldId": field.field_id, "fieldCustomId": field.custom_id,
            "fieldLabel": field.label, "fieldType": field.type}


def quiz_tree(quiz: IspringContent, parent_courses: Sequence[str]) -> Tree:
    return {"quizId": quiz.quiz_id, "quizTitle": quiz.title, "contentItemId": quiz.content_id,
            "parentCourseIds": ids(parent_courses)}


def smart_rules_tree(group_id: str, rules: Mapping[str, Any]) -> Tree:
    """Node lists stay plain lists: XML repeats `<and>`/`<or>` as the OAS shows them."""
    return {"groupId": group_id, "rules": rules}


def course_module_tree(module: IspringModule, item: IspringContent | None,
                       account_host: str) -> Tree:
    """`GET /course/{id}/modules`: the CourseModule schema (§5.5)."""
    material = module.type == "material"
    return {
        "moduleId": module.module_id,
        "itemId": module.item_id,
        "courseId": module.course_id,
        "title": module.title,
        "description": module.description,
        "authorId": module.author_id if material else None,
        "addedDate": iso_offset(module.added_at),
        "type": module.type,
        "sequentialNumber": module.position,
        "trainingType": module.training_type if not material else None,
        "viewUrl": view_url(account_host, item) if material and item is not None else None,
    }


def courses_module_tree(module: IspringModule, item: IspringContent | None,
                        account_host: str) -> Tree:
    """`GET /courses/modules`: the CoursesModule schema (§5.5)."""
    return {
        "moduleId": module.module_id,
        "contentItemId": module.item_id,
        "courseId": module.course_id,
        "title": module.title,
        "description": module.description,
        "authorId": module.author_id,
        "addedDate": iso_offset(module.added_at),
        "viewUrl": view_url(account_host, item) if item is not None else None,
    }


def enrollment_tree(enrollment: IspringEnrollment) -> Tree:
    return {
        "enrollmentId": enrollment.enrollment_id,
        "courseId": enrollment.course_id,
        "learnerId": enrollment.learner_id,
        "accessDate": as_utc(enrollment.access_at).date().isoformat(),
        "dueDate": day(enrollment.due_date),
        "expirationDate": day(enrollment.due_date) if enrollment.lock_after_due_date else None,
        "shouldLockAfterDueDate": enrollment.lock_after_due_date,
        "certificate": None if enrollment.certificate_id is None or enrollment.certificate_at
        is None else {"issuedCertificateId": enrollment.certificate_id,
                      "issueDate": as_utc(enrollment.certificate_at).date().isoformat()},
        "enrollmentTypeGroup": enrollment.type_group,
    }


def _due_datetime(value: date | None) -> str | None:
    return None if value is None else iso_offset(datetime(value.year, value.month, value.day,
                                                          tzinfo=UTC))


def result_tree(result: ResultView) -> Tree:
    tree: Tree = {"userId": result.user_id, "courseId": result.course_id}
    if result.module_id is None:
        tree["courseTitle"] = result.course_title
    else:
        tree.update({"moduleId": result.module_id, "moduleTitle": result.module_title,
                     "courseItemId": result.course_item_id})
    tree.update({
        "enrollmentId": result.enrollment_id,
        "accessDate": iso_offset(result.access_at),
        "dueDate": _due_datetime(result.due_date),
        "expirationDate": _due_datetime(result.expiration_date),
        "completionDate": None if result.completed_at is None else iso_offset(result.completed_at),
        "timeSpent": result.time_spent,
        "completionStatus": result.status,
        "awardedScore": None if result.awarded_score is None else number(result.awarded_score),
        "passingScore": None if result.passing_score is None else number(result.passing_score),
        "progress": number(result.progress),
        "isOverdue": result.is_overdue,
        "viewsCount": result.views,
    })
    return tree


FINAL_STATUS_TEXT = {
    "not_started": "Not started", "in_progress": "In progress", "pending": "Pending",
    "complete": "Complete", "passed": "Passed", "accepted": "Accepted",
    "incomplete": "Incomplete", "failed": "Failed", "declined": "Declined",
}


def final_status_tree(result: ResultView) -> Tree:
    """`GET /content/{id}/final_statuses` item: a human-readable status (inferred mapping)."""
    return {
        "userId": result.user_id,
        "status": FINAL_STATUS_TEXT[result.status],
        "progress": number(result.progress),
        "completionDate": None if result.completed_at is None else iso_offset(result.completed_at),
        "lastViewDate": None if result.last_view_at is None else iso_offset(result.last_view_at),
    }


def profile_field_tree(field: IspringProfileField) -> Tree:
    return {
        "userFieldInfoId": field.field_id,
        "name": field.name,
        "label": field.label,
        "type": field.type,
        "isUnique": int(field.is_unique),
        "isRequired": int(field.is_required),
        "orderPriority": field.order_priority,
        "values": Items("field", [{"name": v["name"], "value": v["value"]}
                                  for v in field.values]),
    }


def role_tree(role: IspringRole) -> Tree:
    return {"roleId": role.role_id, "type": role.type, "title": role.title,
            "description": role.description}


def assignment_tree(item: IspringContent) -> Tree:
    values = [{"fieldId": f, "fieldValue": v} for f, v in sorted(item.field_values.items())]
    return {"assignmentId": item.content_id, "title": item.title,
            "instructorId": item.instructor_id,
            "courseFields": Items("courseField", values) if values else None}


def attempt_tree(attempt: IspringAssignmentAttempt) -> Tree:
    return {"attemptId": attempt.attempt_id, "enrollmentId": attempt.enrollment_id,
            "userId": attempt.user_id, "comment": attempt.comment,
            "attachments": Items("attachment", [
                {"fileName": a["fileName"], "fileSize": a["fileSize"], "url": a["url"]}
                for a in attempt.attachments])}


def answer_tree(answer: IspringQuizAnswer) -> Tree:
    return {
        "userId": answer.user_id, "enrollmentId": answer.enrollment_id,
        "quizVersion": answer.quiz_version, "attemptDate": iso_offset(answer.attempt_date),
        "isAttemptPassed": answer.attempt_passed, "attemptScore": number(answer.attempt_score),
        "passingScore": number(answer.passing_score), "questionNumber": answer.question_number,
        "questionTitle": answer.question_title, "questionType": answer.question_type,
        "questionScore": number(answer.question_score), "questionGroup": answer.question_group,
        "statementTitle": answer.statement_title, "answerText": answer.answer_text,
        "customAnswerText": answer.custom_answer_text, "isAnswerCorrect": answer.is_correct,
        "answerScore": number(answer.answer_score),
    }


def training_tree(training: IspringTraining, session_ids: Sequence[str]) -> Tree:
    return {"title": training.title, "organizer": training.organizer_id,
            "sessions": ids(session_ids), "type": training.type}


def training_session_tree(session: IspringTrainingSession, day_ids: Sequence[str]) -> Tree:
    return {"id": session.session_id, "title": session.title,
            "startTime": iso_offset(session.start_time), "duration": session.duration,
            "instructor": session.instructor, "dayIds": ids(day_ids)}


def training_day_tree(day: IspringTrainingDay, training_id: str) -> Tree:
    return {"dayId": day.day_id, "sessionId": day.session_id, "trainingId": training_id,
            "startTime": iso_offset(day.start_time), "duration": day.duration,
            "location": day.location, "url": day.url}


def subscription_tree(sub: IspringWebhookSubscription) -> Tree:
    return {"subscriptionType": sub.type,
            "params": Items("param", [{"name": x["name"], "value": x["value"]}
                                      for x in sub.params])}


def page_tree(plural: str, item: str, trees: Sequence[Tree], next_token: str | None) -> Tree:
    return {plural: Items(item, list(trees)), "nextPageToken": next_token}


# -- fixture pack --------------------------------------------------------------------------------

class _Pack(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ApiKeyFixture(_Pack):
    client_id: str = Field(alias="clientId", min_length=1)
    client_secret: str = Field(alias="clientSecret", min_length=1)


class DepartmentFixture(_Pack):
    id: str
    name: str
    parent_id: str | None = Field(default=None, alias="parentId")
    code: str | None = None


class RoleFixture(_Pack):
    id: str
    type: Literal["owner", "administrator", "department_administrator", "publisher", "learner",
                  "custom", "supervisor"]
    title: str
    description: str = ""
    rights: list[str] = Field(default_factory=list)


class UserRoleFixture(_Pack):
    role_id: str = Field(alias="roleId")
    manageable_department_ids: list[str] = Field(default_factory=list,
                                                 alias="manageableDepartmentIds")


class UserFixture(_Pack):
    id: str
    login: str
    email: str | None = None
    password: str
    department_id: str = Field(alias="departmentId")
    status: Literal[1, 3, 5] = 1
    roles: list[UserRoleFixture]
    fields: dict[str, str] = Field(default_factory=dict)
    added_date: datetime = Field(alias="addedDate")
    last_login_date: datetime | None = Field(default=None, alias="lastLoginDate")
    points: float = 0


class ProfileFieldFixture(_Pack):
    id: str
    name: str
    label: str
    type: str
    is_unique: bool = Field(default=False, alias="isUnique")
    is_required: bool = Field(default=False, alias="isRequired")
    values: list[dict[str, str]] = Field(default_factory=list)


class GroupFixture(_Pack):
    id: str
    name: str
    user_ids: list[str] = Field(default_factory=list, alias="userIds")
    # A smart group: `{and: [{or: [{rule: …}]}]}` as the API takes it; members follow the rules.
    rules: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _rules_valid(self) -> Self:
        if self.rules is not None:
            try:
                SmartRulesIn.parse(self.rules)
            except BadRequest as exc:
                raise ValueError(f"rules: {exc.message}") from None
            if self.user_ids:
                raise ValueError("a smart group has no listed members")
        return self


class ModuleFixture(_Pack):
    id: str
    item_id: str = Field(alias="itemId")
    title: str
    description: str = ""
    type: Literal["material", "training"] = "material"
    training_type: dict[str, str] | None = Field(default=None, alias="trainingType")


class ContentFixture(_Pack):
    id: str
    title: str
    subtitle: str = ""
    description: str = ""
    type: str
    author_id: str = Field(alias="authorId")
    added_date: datetime = Field(alias="addedDate")
    view_slug: str = Field(alias="viewSlug")
    passing_score: float | None = Field(default=None, alias="passingScore")
    default_due_period: int | None = Field(default=None, alias="defaultDuePeriod")
    certificate: bool = False
    quiz_id: str | None = Field(default=None, alias="quizId")
    course_ids: list[str] = Field(default_factory=list, alias="courseIds")
    field_values: dict[str, str] = Field(default_factory=dict, alias="fieldValues")
    instructor_id: str | None = Field(default=None, alias="instructorId")
    modules: list[ModuleFixture] = Field(default_factory=list)


class AttachmentFixture(_Pack):
    file_name: str = Field(alias="fileName")
    file_size: int = Field(alias="fileSize", ge=0)
    url: str


class AttemptFixture(_Pack):
    id: str
    assignment_id: str = Field(alias="assignmentId")
    enrollment_id: str = Field(alias="enrollmentId")
    comment: str = ""
    attachments: list[AttachmentFixture] = Field(default_factory=list)
    submitted_date: datetime = Field(alias="submittedDate")


class QuizAnswerFixture(_Pack):
    """One answer row of the answer-breakdown report, in the report's own field names."""

    id: str
    quiz_item_id: str = Field(alias="quizItemId")
    enrollment_id: str = Field(alias="enrollmentId")
    quiz_version: str = Field(alias="quizVersion")
    attempt_date: datetime = Field(alias="attemptDate")
    is_attempt_passed: bool = Field(alias="isAttemptPassed")
    attempt_score: float = Field(alias="attemptScore")
    passing_score: float = Field(alias="passingScore")
    question_number: int = Field(alias="questionNumber")
    question_title: str = Field(alias="questionTitle")
    question_type: str = Field(alias="questionType")
    question_score: float = Field(alias="questionScore")
    question_group: str | None = Field(default=None, alias="questionGroup")
    statement_title: str | None = Field(default=None, alias="statementTitle")
    answer_text: str = Field(alias="answerText")
    custom_answer_text: str | None = Field(default=None, alias="customAnswerText")
    is_answer_correct: bool = Field(alias="isAnswerCorrect")
    answer_score: float = Field(alias="answerScore")


class TrainingDayFixture(_Pack):
    id: str
    start_time: datetime = Field(alias="startTime")
    duration: int | None = None
    location: str | None = None
    url: str | None = None


class TrainingSessionFixture(_Pack):
    id: str
    title: str
    start_time: datetime = Field(alias="startTime")
    duration: int
    instructor: str | None = None
    participants: list[str] = Field(default_factory=list)
    days: list[TrainingDayFixture] = Field(default_factory=list)


class TrainingFixture(_Pack):
    id: str
    title: str
    organizer_id: str = Field(alias="organizerId")
    type: str
    sessions: list[TrainingSessionFixture] = Field(default_factory=list)


class CourseFieldFixture(_Pack):
    id: str
    custom_id: str = Field(alias="customId")
    label: str


class ModuleResultFixture(_Pack):
    module_id: str = Field(alias="moduleId")
    status: str
    score: float | None = None
    completion_date: datetime | None = Field(default=None, alias="completionDate")
    time_spent: int = Field(default=0, alias="timeSpent")
    views: int = 0
    last_view_date: datetime | None = Field(default=None, alias="lastViewDate")


class EnrollmentFixture(_Pack):
    id: str
    course_id: str = Field(alias="courseId")
    learner_id: str = Field(alias="learnerId")
    access_date: datetime = Field(alias="accessDate")
    due_date_type: str = Field(default="unlimited", alias="dueDateType")
    due_date: date | None = Field(default=None, alias="dueDate")
    lock_after_due_date: bool = Field(default=False, alias="lockAfterDueDate")
    type_group: int = Field(default=0, alias="enrollmentTypeGroup")
    course_status: str | None = Field(default=None, alias="courseStatus")
    course_score: float | None = Field(default=None, alias="courseScore")
    completion_date: datetime | None = Field(default=None, alias="completionDate")
    time_spent: int = Field(default=0, alias="timeSpent")
    views: int = 0
    last_view_date: datetime | None = Field(default=None, alias="lastViewDate")
    module_results: list[ModuleResultFixture] = Field(default_factory=list,
                                                      alias="moduleResults")
    certificate_id: str | None = Field(default=None, alias="certificateId")
    certificate_date: datetime | None = Field(default=None, alias="certificateDate")


class IspringFixture(_Pack):
    """A fixture pack: one account's credentials and seed data."""

    account_url: str = Field(alias="accountUrl", min_length=1)
    api_keys: list[ApiKeyFixture] = Field(default_factory=list, alias="apiKeys")
    departments: list[DepartmentFixture] = Field(default_factory=list)
    roles: list[RoleFixture] = Field(default_factory=list)
    profile_fields: list[ProfileFieldFixture] = Field(default_factory=list, alias="profileFields")
    users: list[UserFixture] = Field(default_factory=list)
    groups: list[GroupFixture] = Field(default_factory=list)
    course_fields: list[CourseFieldFixture] = Field(default_factory=list, alias="courseFields")
    content: list[ContentFixture] = Field(default_factory=list)
    enrollments: list[EnrollmentFixture] = Field(default_factory=list)
    assignment_attempts: list[AttemptFixture] = Field(default_factory=list,
                                                      alias="assignmentAttempts")
    quiz_answers: list[QuizAnswerFixture] = Field(default_factory=list, alias="quizAnswers")
    trainings: list[TrainingFixture] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        departments = {d.id for d in self.departments}
        roles = {r.id for r in self.roles}
        users = {u.id for u in self.users}
        content = {c.id for c in self.content}
        modules = {m.id for c in self.content for m in c.modules}
        problems: list[str] = []

        def need(kind: str, known: set[str], ref: str | None, where: str) -> None:
            if ref is not None and ref not in known:
                problems.append(f"{where}: unknown {kind} {ref}")

        for d in self.departments:
            need("department", departments, d.parent_id, f"department {d.id}")
        if sum(1 for d in self.departments if d.parent_id is None) > 1:
            problems.append("more than one root department")
        for u in self.users:
            need("department", departments, u.department_id, f"user {u.id}")
            for r in u.roles:
                need("role", roles, r.role_id, f"user {u.id}")
                for managed in r.manageable_department_ids:
                    need("department", departments, managed, f"user {u.id}")
        for g in self.groups:
            for member in g.user_ids:
                need("user", users, member, f"group {g.id}")
        course_fields = {f.id for f in self.course_fields}
        for c in self.content:
            need("user", users, c.author_id, f"content {c.id}")
            for course in c.course_ids:
                need("content item", content, course, f"content {c.id}")
            for field_id in c.field_values:
                need("course field", course_fields, field_id, f"content {c.id}")
            for m in c.modules:
                if m.type == "material":
                    need("content item", content, m.item_id, f"module {m.id}")
        for e in self.enrollments:
            need("content item", content, e.course_id, f"enrollment {e.id}")
            need("user", users, e.learner_id, f"enrollment {e.id}")
            for mr in e.module_results:
                need("module", modules, mr.module_id, f"enrollment {e.id}")
        enrollments = {e.id for e in self.enrollments}
        for a in self.assignment_attempts:
            need("content item", content, a.assignment_id, f"attempt {a.id}")
            need("enrollment", enrollments, a.enrollment_id, f"attempt {a.id}")
        for tr in self.trainings:
            need("user", users, tr.organizer_id, f"training {tr.id}")
            for session in tr.sessions:
                for member in session.participants:
                    need("user", users, member, f"training session {session.id}")
        for q in self.quiz_answers:
            need("content item", content, q.quiz_item_id, f"quiz answer {q.id}")
            need("enrollment", enrollments, q.enrollment_id, f"quiz answer {q.id}")
        if problems:
            raise ValueError("; ".join(problems))
        return self
