"""iSpring tables (`ispring_*`), every row keyed by tenant (the account).

Stored state is apart from the wire: columns are snake_case and typed, vendor element names live
in `schemas`. JSON columns hold small value objects (profile fields, role assignments,
subordination) that are always read and written whole.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from emulator.core.models import TenantScoped


class IspringApiKey(TenantScoped, table=True):
    __tablename__ = "ispring_api_key"

    client_id: str = Field(primary_key=True, max_length=200)
    client_secret: str  # a salted hash (`core.secrets.hash_secret`)


class IspringToken(TenantScoped, table=True):
    """An access token from `POST /api/v3/token`; it names its account by itself (D17). Only
    its SHA-256 is kept."""

    __tablename__ = "ispring_token"

    token_hash: str = Field(primary_key=True, index=True, max_length=64)
    client_id: str = Field(max_length=200)
    expires_at: datetime


class IspringDepartment(TenantScoped, table=True):
    __tablename__ = "ispring_department"

    department_id: str = Field(primary_key=True, max_length=36)
    name: str
    parent_id: str | None = Field(default=None, index=True, max_length=36)
    code: str | None = None
    subordination: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    co_subordination: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class IspringRole(TenantScoped, table=True):
    """A role of the account: the built-in ones and custom roles with their granted rights."""

    __tablename__ = "ispring_role"

    role_id: str = Field(primary_key=True, max_length=36)
    type: str = Field(max_length=40)
    title: str
    description: str = ""
    rights: list[str] = Field(default_factory=list, sa_column=Column(JSON))


class IspringProfileField(TenantScoped, table=True):
    """A user profile field definition (`GET /user/profile/fields`)."""

    __tablename__ = "ispring_profile_field"

    field_id: str = Field(primary_key=True, max_length=80)
    name: str
    label: str
    type: str = Field(max_length=40)
    is_unique: bool = False
    is_required: bool = False
    order_priority: int = 0
    values: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON))


class IspringUser(TenantScoped, table=True):
    __tablename__ = "ispring_user"

    user_id: str = Field(primary_key=True, max_length=36)
    login: str = Field(index=True)
    email: str | None = None
    password: str  # a salted hash (`core.secrets.hash_secret`)
    department_id: str = Field(index=True, max_length=36)
    status: int = 1
    # Profile values by upper-case field id (LOGIN and EMAIL included, as the wire shows them).
    fields: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    # [{"roleId": …, "manageableDepartmentIds": […]}]: the Learner role plus at most one other.
    roles: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    subordination: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    co_subordination: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    work_leave: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    deactivate_on: date | None = None
    terminate_on: date | None = None
    added_at: datetime
    last_login_at: datetime | None = None
    points: float = 0


class IspringGroup(TenantScoped, table=True):
    __tablename__ = "ispring_group"

    group_id: str = Field(primary_key=True, max_length=36)
    name: str
    is_smart: bool = False
    rules: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class IspringGroupMember(TenantScoped, table=True):
    __tablename__ = "ispring_group_member"

    group_id: str = Field(primary_key=True, max_length=36)
    user_id: str = Field(primary_key=True, index=True, max_length=36)


class IspringContent(TenantScoped, table=True):
    """A content item of the library: a course, a learning track or a standalone material."""

    __tablename__ = "ispring_content"

    content_id: str = Field(primary_key=True, max_length=36)
    title: str
    subtitle: str = ""
    description: str = ""
    type: str = Field(max_length=40)
    author_id: str = Field(max_length=36)
    added_at: datetime
    view_slug: str = Field(max_length=80)
    passing_score: float | None = None
    # Due period (hours) applied by `dueDateType=default`; None = no due date.
    default_due_period: int | None = None
    # A course that issues a certificate on successful completion.
    certificate: bool = False
    # Quiz items have a quiz ID of their own (`GET /quizzes`).
    quiz_id: str | None = Field(default=None, max_length=36)
    # Learning tracks: the courses of the track, in order.
    course_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # Values of the account's custom course fields, by field ID.
    field_values: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    # Assignments: the user who grades them.
    instructor_id: str | None = Field(default=None, max_length=36)


class IspringCourseField(TenantScoped, table=True):
    """A custom course field of the account (`GET /course_fields`)."""

    __tablename__ = "ispring_course_field"

    field_id: str = Field(primary_key=True, max_length=36)
    custom_id: str
    label: str
    type: str = Field(default="TEXT", max_length=20)
    position: int = 0


class IspringModule(TenantScoped, table=True):
    """A module of a course: a material (`itemId` = its content item) or a training."""

    __tablename__ = "ispring_module"

    module_id: str = Field(primary_key=True, max_length=36)
    course_id: str = Field(index=True, max_length=36)
    item_id: str = Field(max_length=36)
    title: str
    description: str = ""
    type: str = Field(default="material", max_length=20)
    author_id: str = Field(max_length=36)
    added_at: datetime
    position: int = 0
    training_type: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class IspringEnrollment(TenantScoped, table=True):
    """An enrollment and its course-level progress (results are computed from these rows)."""

    __tablename__ = "ispring_enrollment"

    enrollment_id: str = Field(primary_key=True, max_length=36)
    course_id: str = Field(index=True, max_length=36)
    learner_id: str = Field(index=True, max_length=36)
    access_at: datetime
    due_date_type: str = Field(max_length=20)
    due_date: date | None = None
    lock_after_due_date: bool = False
    type_group: int = 0
    created_at: datetime
    # Set by `POST /statistics/course`; None = derived from the module results ("automatic").
    status_override: str | None = None
    override_at: datetime | None = None
    override_score: float | None = None
    time_spent: int = 0
    views: int = 0
    last_view_at: datetime | None = None
    # Issued when the course is completed successfully (courses with a certificate only).
    certificate_id: str | None = Field(default=None, index=True, max_length=36)
    certificate_at: datetime | None = None


class IspringModuleResult(TenantScoped, table=True):
    __tablename__ = "ispring_module_result"

    enrollment_id: str = Field(primary_key=True, max_length=36)
    module_id: str = Field(primary_key=True, max_length=36)
    status: str = Field(default="not_started", max_length=20)
    score: float | None = None
    completed_at: datetime | None = None
    time_spent: int = 0
    views: int = 0
    last_view_at: datetime | None = None


class IspringAssignmentAttempt(TenantScoped, table=True):
    """A learner's submission to an assignment, waiting for (or done with) grading."""

    __tablename__ = "ispring_assignment_attempt"

    attempt_id: str = Field(primary_key=True, max_length=36)
    assignment_id: str = Field(index=True, max_length=36)
    enrollment_id: str = Field(max_length=36)
    user_id: str = Field(max_length=36)
    comment: str = ""
    # [{"fileName", "fileSize", "url"}]
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    submitted_at: datetime
    score: float | None = None
    grade_comment: str | None = None
    graded_at: datetime | None = None


class IspringQuizAnswer(TenantScoped, table=True):
    """One answer of one quiz attempt (`GET /report/answer-breakdown`); seeded, read-only."""

    __tablename__ = "ispring_quiz_answer"

    answer_id: str = Field(primary_key=True, max_length=36)
    quiz_item_id: str = Field(index=True, max_length=36)
    enrollment_id: str = Field(max_length=36)
    user_id: str = Field(max_length=36)
    quiz_version: str = ""
    attempt_date: datetime
    attempt_passed: bool = False
    attempt_score: float = 0
    passing_score: float = 0
    question_number: int = 1
    question_title: str = ""
    question_type: str = ""
    question_score: float = 0
    question_group: str | None = None
    statement_title: str | None = None
    answer_text: str = ""
    custom_answer_text: str | None = None
    is_correct: bool = False
    answer_score: float = 0


class IspringTraining(TenantScoped, table=True):
    """A training (webinar or classroom event) with its sessions."""

    __tablename__ = "ispring_training"

    training_id: str = Field(primary_key=True, max_length=36)
    title: str
    organizer_id: str = Field(max_length=36)
    type: str = Field(max_length=40)


class IspringTrainingSession(TenantScoped, table=True):
    __tablename__ = "ispring_training_session"

    session_id: str = Field(primary_key=True, max_length=36)
    training_id: str = Field(index=True, max_length=36)
    title: str
    start_time: datetime
    duration: int  # seconds
    instructor: str | None = None
    # Registered participants (user IDs), in registration order.
    participants: list[str] = Field(default_factory=list, sa_column=Column(JSON))


class IspringTrainingDay(TenantScoped, table=True):
    __tablename__ = "ispring_training_day"

    day_id: str = Field(primary_key=True, max_length=36)
    session_id: str = Field(index=True, max_length=36)
    start_time: datetime
    duration: int | None = None  # seconds
    location: str | None = None
    url: str | None = None
    # Attendance by participant: {"<userId>": {"isAttended": bool, "duration": int | None}}.
    attendance: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class IspringTask(TenantScoped, table=True):
    """An asynchronous statistics task; applied at once, so it is complete when read (D22)."""

    __tablename__ = "ispring_task"

    task_id: int = Field(primary_key=True)
    status: str = Field(default="complete", max_length=20)
    created_at: datetime


class IspringWebhookSubscriber(TenantScoped, table=True):
    """A webhook subscriber (`POST /webhook/register`), named uniquely within the account."""

    __tablename__ = "ispring_webhook_subscriber"

    name: str = Field(primary_key=True, max_length=255)
    callback_url: str = Field(max_length=255)
    secret: str | None = None
    enabled: bool = True
    confirmed: bool = False
    # The latest confirmation code sent; only that one confirms.
    code: str | None = None
    created_at: datetime


class IspringWebhookSubscription(TenantScoped, table=True):
    """One event type a subscriber receives, with its filter parameters (D21: one per type)."""

    __tablename__ = "ispring_webhook_subscription"

    subscriber: str = Field(primary_key=True, max_length=255)
    type: str = Field(primary_key=True, max_length=60)
    # [{"name": "userIds", "value": "[\"…\"]"}] exactly as subscribed.
    params: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON))


class IspringWebhookEvent(TenantScoped, table=True):
    """The outbox: an event waiting for (or done with) delivery to one subscriber."""

    __tablename__ = "ispring_webhook_event"

    event_id: int = Field(primary_key=True)
    subscriber: str = Field(index=True, max_length=255)
    type: str = Field(max_length=60)
    payload: Any = Field(default=None, sa_column=Column(JSON))
    created_at: datetime
    attempts: int = 0
    # "pending" until a 2xx answer ("delivered") or a day of failures ("dropped").
    state: str = Field(default="pending", index=True, max_length=20)
    last_error: str | None = None


# -- competencies and job training


class IspringCompetencyScale(TenantScoped, table=True):
    """A rating scale of the competency library; its levels in order, each with a score."""

    __tablename__ = "ispring_competency_scale"

    scale_id: str = Field(primary_key=True, max_length=36)
    name: str
    # [{"levelId": str, "name": str, "score": float}] in the scale's order.
    levels: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))


class IspringCompetencyGroup(TenantScoped, table=True):
    """A folder of the competency library; the root group has no parent."""

    __tablename__ = "ispring_competency_group"

    group_id: str = Field(primary_key=True, max_length=36)
    name: str
    parent_id: str | None = Field(default=None, index=True, max_length=36)


class IspringCompetency(TenantScoped, table=True):
    __tablename__ = "ispring_competency"

    competency_id: str = Field(primary_key=True, max_length=36)
    name: str
    description: str = ""
    scale_id: str = Field(max_length=36)
    group_id: str = Field(index=True, max_length=36)
    review_method: str = Field(max_length=40)
    comments_requirement_level: str = Field(max_length=20)
    empty_answers_enabled: bool = False


class IspringCompetencyIndicator(TenantScoped, table=True):
    """A behavioural indicator of a competency, described per level of the competency's scale."""

    __tablename__ = "ispring_competency_indicator"

    indicator_id: str = Field(primary_key=True, max_length=36)
    competency_id: str = Field(index=True, max_length=36)
    name: str
    position: int  # creation order within the competency
    # [{"levelId": str, "description": str | None}]
    levels: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))


class IspringCompetencyProfile(TenantScoped, table=True):
    """A competency profile (a position's required levels); seeded, read-only over the API."""

    __tablename__ = "ispring_competency_profile"

    profile_id: str = Field(primary_key=True, max_length=36)
    name: str
    description: str = ""
    # [{"competencyId", "requiredLevelId"}] and [{"indicatorId", "requiredLevelId"}]
    competencies: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON))
    indicators: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON))


class IspringChecklist(TenantScoped, table=True):
    """An on-the-job training checklist: criterion groups, each with scored criteria."""

    __tablename__ = "ispring_checklist"

    checklist_id: str = Field(primary_key=True, max_length=36)
    title: str
    status: str = Field(max_length=20)  # PUBLISHED | HIDDEN
    # [{"groupId", "title", "criteria": [{"criterionId", "title", "points"}]}] in order.
    groups: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))


class IspringChecklistSession(TenantScoped, table=True):
    """One observation of an employee against a checklist by an observer."""

    __tablename__ = "ispring_checklist_session"

    session_id: str = Field(primary_key=True, max_length=36)
    checklist_id: str = Field(index=True, max_length=36)
    employee_id: str = Field(max_length=36)
    observer_id: str = Field(max_length=36)
    status: str = Field(max_length=20)  # NOT_STARTED | IN_PROGRESS | PASSED
    start_date: datetime
    actual_start_date: datetime | None = None
    completion_date: datetime | None = None
    # Marks by criterion: {"<criterionId>": {"points": float, "skipped": bool}}.
    marks: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


# -- appraisal sessions


class IspringAppraisalSession(TenantScoped, table=True):
    """A performance appraisal session: NOT_STARTED → IN_PROGRESS → COMPLETED (and restarts)."""

    __tablename__ = "ispring_appraisal_session"

    session_id: str = Field(primary_key=True, max_length=36)
    name: str
    description: str = ""
    instruction: str = ""
    self_review_instruction: str = ""
    manager_id: str = Field(max_length=36)
    # A competency profile ID, stored as given (profiles live with the competencies).
    profile_id: str | None = Field(default=None, max_length=36)
    status: str = Field(default="NOT_STARTED", max_length=20)
    created_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    permitted_user_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # {"dailyReviewersNotificationDay": int, "dailyReviewersNotificationTimeMilli": int}
    notification: dict[str, int] | None = Field(default=None, sa_column=Column(JSON))
    # The profile's competencies and scales as the session reviews them, in the wire's own
    # shape ({"competencies": […], "scales": […]}); a snapshot, so later profile edits keep
    # a running session's form.
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class IspringAppraisalQuestion(TenantScoped, table=True):
    """An open question of a session's review form, for the listed reviewer roles."""

    __tablename__ = "ispring_appraisal_question"

    question_id: str = Field(primary_key=True, max_length=36)
    session_id: str = Field(index=True, max_length=36)
    text: str
    is_required: bool = False
    target_roles: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    position: int = 0


class IspringAppraisalCard(TenantScoped, table=True):
    """An employee appraised in a session, with the reviewers who review them."""

    __tablename__ = "ispring_appraisal_card"

    session_id: str = Field(primary_key=True, max_length=36)
    employee_id: str = Field(primary_key=True, max_length=36)
    # [{"reviewerId": …, "role": "REVIEWER_ROLE_…"}] in the order given.
    reviewers: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON))
    position: int = 0


class IspringAppraisalReview(TenantScoped, table=True):
    """One reviewer's review of one employee in a started session."""

    __tablename__ = "ispring_appraisal_review"

    review_id: str = Field(primary_key=True, max_length=36)
    session_id: str = Field(index=True, max_length=36)
    employee_id: str = Field(max_length=36)
    reviewer_id: str = Field(max_length=36)
    status: str = Field(default="NOT_STARTED", max_length=20)
    completed_at: datetime | None = None
    # {"competencies": {id: score}, "indicators": {id: score}} of a submitted review.
    scores: dict[str, dict[str, float]] = Field(default_factory=dict, sa_column=Column(JSON))
