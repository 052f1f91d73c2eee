"""iSpring wire pieces all resources share: request model base, paging, shared trees, fixture pack.

Request models (`RequestModel`, fields from `fields`) refuse unknown parameters (400) so a typo
never passes silently; each resource module holds its own. Response trees are built from rows
and views with `wire.Items` for lists, so one tree renders as the vendor's XML and as its JSON
(§4.2, §4.3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, Self, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from emulator.core.clock import as_utc
from emulator.ispring.errors import BadRequest
from emulator.ispring.fields import (
    OptId,
    OptInt,
    OptText,
    RequiredIds,
    Text,
    _choice,
    _integer,
    _items,
)
from emulator.ispring.packs import (
    AppraisalSessionFixture,
    ChecklistFixture,
    CompetencyFixture,
    CompetencyGroupFixture,
    CompetencyProfileFixture,
    CompetencyScaleFixture,
)
from emulator.ispring.packs import (
    Pack as _Pack,
)
from emulator.ispring.profile_fields import SYSTEM_FIELDS, key_index
from emulator.ispring.wire import Items, QueryArgs, Tree

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


class PageParams(RequestModel):
    page_size: OptInt = Field(default=None, alias="pageSize")
    page_token: OptText = Field(default=None, alias="pageToken")


class UserIds(RequestModel):
    user_ids: RequiredIds = Field(alias="userIds")


class Subordinations(RequestModel):
    subordination: SubordinationIn | None = None
    co_subordination: SubordinationIn | None = Field(default=None, alias="coSubordination")


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


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_token: str | None


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


def page_tree(plural: str, item: str, trees: Sequence[Tree], next_token: str | None) -> Tree:
    return {plural: Items(item, list(trees)), "nextPageToken": next_token}




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


def _performance_problems(pack: IspringFixture, users: set[str]) -> list[str]:
    """Unresolved references of the competency library and the job-training checklists."""
    problems: list[str] = []
    levels = {lv.id: s.id for s in pack.competency_scales for lv in s.levels}
    scales = {s.id for s in pack.competency_scales}
    groups = {g.id for g in pack.competency_groups}
    competencies = {c.id: c.scale_id for c in pack.competencies}
    indicators = {i.id: c.scale_id for c in pack.competencies for i in c.indicators}
    if sum(1 for g in pack.competency_groups if g.parent_id is None) > 1:
        problems.append("more than one root competency group")
    for g in pack.competency_groups:
        if g.parent_id is not None and g.parent_id not in groups:
            problems.append(f"competency group {g.id}: unknown parent {g.parent_id}")
    for c in pack.competencies:
        if c.scale_id not in scales or c.group_id not in groups:
            problems.append(f"competency {c.id}: unknown scale or group")
        problems.extend(f"indicator {i.id}: level {lv} is not on scale {c.scale_id}"
                        for i in c.indicators for lv in i.levels if levels.get(lv) != c.scale_id)
    for p in pack.competency_profiles:
        for ref, level in [*p.competencies.items(), *p.indicators.items()]:
            scale = competencies.get(ref, indicators.get(ref))
            if scale is None or levels.get(level) != scale:
                problems.append(f"competency profile {p.id}: bad reference {ref}/{level}")
    for cl in pack.checklists:
        criteria = {cr.id for g in cl.groups for cr in g.criteria}
        for ses in cl.sessions:
            if ses.employee_id not in users or ses.observer_id not in users:
                problems.append(f"checklist session {ses.id}: unknown employee or observer")
            problems.extend(f"checklist session {ses.id}: unknown criterion {m}"
                            for m in ses.marks if m not in criteria)
    return problems


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
    competency_scales: list[CompetencyScaleFixture] = Field(default_factory=list,
                                                            alias="competencyScales")
    competency_groups: list[CompetencyGroupFixture] = Field(default_factory=list,
                                                            alias="competencyGroups")
    competencies: list[CompetencyFixture] = Field(default_factory=list)
    competency_profiles: list[CompetencyProfileFixture] = Field(default_factory=list,
                                                                alias="competencyProfiles")
    checklists: list[ChecklistFixture] = Field(default_factory=list)
    appraisal_sessions: list[AppraisalSessionFixture] = Field(default_factory=list,
                                                              alias="appraisalSessions")

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        if not self.profile_fields:
            self.profile_fields = [ProfileFieldFixture.model_validate(f) for f in SYSTEM_FIELDS]
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
        field_ids = self.field_keys()
        if "LOGIN" not in field_ids.values():
            problems.append("profile fields: LOGIN is missing")
        for u in self.users:
            need("department", departments, u.department_id, f"user {u.id}")
            for key in [*u.fields, *(["EMAIL"] if u.email else [])]:
                need("profile field", set(field_ids), key.upper(), f"user {u.id}")
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
        problems.extend(_performance_problems(self, users))
        for appraisal in self.appraisal_sessions:
            for person in appraisal.people():
                need("user", users, person, f"appraisal session {appraisal.id}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


    def field_keys(self) -> dict[str, str]:
        """Upper-cased key → profile field ID: how the pack's users name their fields."""
        return key_index([(f.id, f.name, f.type) for f in self.profile_fields])


def page_params(q: QueryArgs) -> PageParams:
    return PageParams.parse({"pageSize": q.integer("pageSize"), "pageToken": q.text("pageToken")})
