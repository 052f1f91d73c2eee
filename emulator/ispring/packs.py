"""Fixture-pack models of iSpring's performance management: the competency library, job-training
checklists and appraisal sessions (the account-wide pack is `schemas.IspringFixture`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Pack(BaseModel):
    """Every fixture-pack model: unknown keys refused, fields by wire name or Python name."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ScaleLevelFixture(Pack):
    id: str
    name: str
    score: float


class CompetencyScaleFixture(Pack):
    id: str
    name: str
    levels: list[ScaleLevelFixture] = Field(min_length=1)


class CompetencyGroupFixture(Pack):
    id: str
    name: str
    parent_id: str | None = Field(default=None, alias="parentId")  # None: the library's root


class IndicatorFixture(Pack):
    id: str
    name: str
    levels: dict[str, str] = Field(default_factory=dict)  # levelId -> description


class CompetencyFixture(Pack):
    id: str
    name: str
    description: str = ""
    scale_id: str = Field(alias="scaleId")
    group_id: str = Field(alias="groupId")
    review_method: Literal["INDICATORS_INDIVIDUALLY", "COMPETENCY_ENTIRELY"] = Field(
        alias="reviewMethod")
    comments_requirement_level: Literal["DISABLED", "OPTIONAL", "REQUIRED"] = Field(
        alias="commentsRequirementLevel")
    empty_answers_enabled: bool = Field(default=False, alias="emptyAnswersEnabled")
    indicators: list[IndicatorFixture] = Field(default_factory=list)


class CompetencyProfileFixture(Pack):
    id: str
    name: str
    description: str = ""
    competencies: dict[str, str] = Field(default_factory=dict)  # competencyId -> levelId
    indicators: dict[str, str] = Field(default_factory=dict)  # indicatorId -> levelId


class CriterionFixture(Pack):
    id: str
    title: str
    points: float = Field(ge=0)


class CriterionGroupFixture(Pack):
    id: str
    title: str
    criteria: list[CriterionFixture] = Field(default_factory=list)


class CriterionMarkFixture(Pack):
    points: float = Field(default=0, ge=0)
    skipped: bool = False


class ChecklistSessionFixture(Pack):
    id: str
    employee_id: str = Field(alias="employeeId")
    observer_id: str = Field(alias="observerId")
    status: Literal["NOT_STARTED", "IN_PROGRESS", "PASSED"]
    start_date: datetime = Field(alias="startDate")
    actual_start_date: datetime | None = Field(default=None, alias="actualStartDate")
    completion_date: datetime | None = Field(default=None, alias="completionDate")
    marks: dict[str, CriterionMarkFixture] = Field(default_factory=dict)  # by criterion ID


class ChecklistFixture(Pack):
    id: str
    title: str
    status: Literal["PUBLISHED", "HIDDEN"] = "PUBLISHED"
    groups: list[CriterionGroupFixture] = Field(default_factory=list)
    sessions: list[ChecklistSessionFixture] = Field(default_factory=list)


ReviewerRole = Literal["REVIEWER_ROLE_SELF_REVIEW", "REVIEWER_ROLE_DIRECT_MANAGER",
                      "REVIEWER_ROLE_PEER", "REVIEWER_ROLE_DIRECT_REPORT",
                      "REVIEWER_ROLE_CUSTOMER", "REVIEWER_ROLE_EXPERT"]


class AppraisalReviewerFixture(Pack):
    reviewer_id: str = Field(alias="reviewerId")
    role: ReviewerRole


class AppraisalCardFixture(Pack):
    employee_id: str = Field(alias="employeeId")
    reviewers: list[AppraisalReviewerFixture] = Field(default_factory=list)


class RequiredLevelFixture(Pack):
    name: str
    score: int | float


class SessionIndicatorFixture(Pack):
    indicator_id: str = Field(alias="indicatorId")
    name: str
    required_level: RequiredLevelFixture | None = Field(default=None, alias="requiredLevel")


class SessionCompetencyFixture(Pack):
    competency_id: str = Field(alias="competencyId")
    name: str
    scale_id: str = Field(alias="scaleId")
    required_level: RequiredLevelFixture | None = Field(default=None, alias="requiredLevel")
    review_method: Literal["INDICATORS_INDIVIDUALLY", "COMPETENCY_ENTIRELY"] = Field(
        alias="reviewMethod")
    indicators: list[SessionIndicatorFixture] = Field(default_factory=list)
    comments_requirement_level: Literal["DISABLED", "OPTIONAL", "REQUIRED"] = Field(
        alias="commentsRequirementLevel")
    empty_answers_enabled: bool = Field(alias="emptyAnswersEnabled")


class SessionScaleLevelFixture(Pack):
    level_id: str = Field(alias="levelId")
    score: int | float


class SessionScaleFixture(Pack):
    scale_id: str = Field(alias="scaleId")
    levels: list[SessionScaleLevelFixture] = Field(default_factory=list)


class SessionContentFixture(Pack):
    """AppraisalSessionContentCompetencies: what a session reviews, as the API returns it."""

    competencies: list[SessionCompetencyFixture] = Field(default_factory=list)
    scales: list[SessionScaleFixture] = Field(default_factory=list)


class AppraisalQuestionFixture(Pack):
    id: str
    text: str
    is_required: bool = Field(default=False, alias="isRequired")
    target_roles: list[str] = Field(alias="targetRoles", min_length=1)


class AppraisalReviewFixture(Pack):
    id: str
    employee_id: str = Field(alias="employeeId")
    reviewer_id: str = Field(alias="reviewerId")
    status: Literal["NOT_STARTED", "IN_PROGRESS", "SUBMITTED"] = "NOT_STARTED"
    completion_date: datetime | None = Field(default=None, alias="completionDate")
    # {"competencies": {id: score}, "indicators": {id: score}} of a submitted review.
    scores: dict[str, dict[str, float]] = Field(default_factory=dict)


class AppraisalSessionFixture(Pack):
    id: str
    name: str
    description: str = ""
    instruction: str = ""
    self_review_instruction: str = Field(default="", alias="selfReviewInstruction")
    manager_id: str = Field(alias="managerId")
    profile_id: str | None = Field(default=None, alias="profileId")
    status: Literal["NOT_STARTED", "IN_PROGRESS", "COMPLETED"] = "NOT_STARTED"
    created_date: datetime = Field(alias="createdDate")
    start_date: datetime | None = Field(default=None, alias="startDate")
    end_date: datetime | None = Field(default=None, alias="endDate")
    permitted_user_ids: list[str] = Field(default_factory=list, alias="permittedUserIds")
    notification: dict[str, int] | None = None
    content: SessionContentFixture = Field(default_factory=SessionContentFixture)
    questions: list[AppraisalQuestionFixture] = Field(default_factory=list)
    cards: list[AppraisalCardFixture] = Field(default_factory=list)
    reviews: list[AppraisalReviewFixture] = Field(default_factory=list)

    def people(self) -> list[str]:
        return [self.manager_id, *self.permitted_user_ids,
                *(u for c in self.cards for u in (c.employee_id,
                                                  *(r.reviewer_id for r in c.reviewers))),
                *(u for r in self.reviews for u in (r.employee_id, r.reviewer_id))]
