"""DMTD assessments of a learner: `POST`, `GET` and `PATCH /1/assessment` (iFrame beta).

Only a user who may assess the learner (its owner or an authorized user, D14) reads or changes
its assessments; scores come from fixture packs (there is no scoring endpoint).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import Field, PlainValidator
from sqlmodel import Session, col, select

from emulator.core.clock import iso
from emulator.dmtd import content
from emulator.dmtd.auth import IframeOrg, Principal, iframe_principal
from emulator.dmtd.errors import BadRequest, NotFound, NotPermitted
from emulator.dmtd.models import DmtdAssessment, DmtdLearner, DmtdScore, DmtdUser
from emulator.dmtd.params import (
    NEEDS_VBMAPP,
    ContentLocale,
    RequiredLearner,
    RequiredUser,
    integer,
    json_body,
)
from emulator.dmtd.schemas import OptionalText, Ref, WireIn, full_name, parse_datetime
from emulator.dmtd.store import (
    Operations,
    can_assess,
    find,
    find_learner,
    find_user,
    new_id,
    operations,
)

# D22: a query flag is on when its value is `true` or `1`; anything else is off, not an error.
FLAG_ON = ("true", "1")


# ------------------------------------------------------------------------------------- wire

def _start_date(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string")
    return parse_datetime(value)


class AssessmentIn(WireIn):
    """`POST` and `PATCH /1/assessment` (§5.7, §5.9); `null` counts as not given."""

    start_date: Annotated[datetime | None, PlainValidator(_start_date)] = Field(
        default=None, alias="startDate")
    color: OptionalText = None


@dataclass(frozen=True)
class AssessmentFlags:
    """The Boolean query flags of `GET /1/assessment` (D22)."""

    scores: bool = False
    grids: bool = False
    grid_scores: bool = False
    iep: bool = False


async def assessment_flags(
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


async def assessment_id(
    value: Annotated[str | None, Query(alias="assessmentId")] = None,
) -> int:
    if value is None:
        raise BadRequest("assessmentId is required")
    return integer("assessmentId", value)


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


# ------------------------------------------------------------------------------- operations

def _names(session: Session, tenant_id: str, user_ids: set[int]) -> dict[int, str | None]:
    users = session.exec(select(DmtdUser).where(DmtdUser.tenant_id == tenant_id,
                                                col(DmtdUser.id).in_(user_ids)))
    return {u.id: full_name(u.first_name, u.last_name) for u in users}


class AssessmentsOps(Operations):
    def _assessable(self, session: Session, org: Principal, learner_ref: Ref,
                    user_ref: Ref) -> tuple[DmtdLearner, DmtdUser]:
        learner = find_learner(session, org, learner_ref)
        user = find_user(session, org, user_ref)
        return learner, user

    @staticmethod
    def _ensure_permission(session: Session, learner: DmtdLearner, user: DmtdUser) -> None:
        if not can_assess(session, learner, user):
            raise NotPermitted(f"User {user.id} does not have permission to assess learner "
                               f"{learner.id}")

    def create_assessment(self, org: Principal, learner_ref: Ref, user_ref: Ref,
                          data: AssessmentIn) -> DmtdAssessment:
        with self.ctx.db.transaction() as session:
            learner, user = self._assessable(session, org, learner_ref, user_ref)
            self._ensure_permission(session, learner, user)
            now = self.ctx.now(session, org.tenant_id)
            assessment = DmtdAssessment(
                tenant_id=org.tenant_id, id=new_id(session, "assessment"),
                learner_id=learner.id, assessor_id=user.id,
                start_date=data.start_date or now.replace(microsecond=0), color=data.color,
                created_at=now, updated_at=now)
            session.add(assessment)
            return assessment

    def list_assessments(self, org: Principal, learner_ref: Ref, user_ref: Ref,
                         ) -> list[tuple[DmtdAssessment, str | None, list[DmtdScore]]]:
        """D22: (assessment, assessor name, scores), ordered by start date then id."""
        with self.ctx.db.transaction() as session:
            learner, user = self._assessable(session, org, learner_ref, user_ref)
            self._ensure_permission(session, learner, user)
            assessments = session.exec(select(DmtdAssessment).where(
                DmtdAssessment.tenant_id == org.tenant_id,
                DmtdAssessment.learner_id == learner.id,
            ).order_by(col(DmtdAssessment.start_date), col(DmtdAssessment.id))).all()
            ids = [a.id for a in assessments]
            scores: dict[int, list[DmtdScore]] = {i: [] for i in ids}
            for score in session.exec(select(DmtdScore).where(
                    DmtdScore.tenant_id == org.tenant_id,
                    col(DmtdScore.assessment_id).in_(ids),
            ).order_by(col(DmtdScore.timestamp), col(DmtdScore.seq))):
                scores[score.assessment_id].append(score)
            assessors = _names(session, org.tenant_id,
                               {a.assessor_id for a in assessments if a.assessor_id})
            return [(a, assessors.get(a.assessor_id or 0), scores[a.id]) for a in assessments]

    def update_assessment(self, org: Principal, learner_ref: Ref, user_ref: Ref,
                          assessment_id: int, data: AssessmentIn) -> DmtdAssessment:
        """D22: only the fields sent change; an assessment of another learner is unknown."""
        with self.ctx.db.transaction() as session:
            learner, user = self._assessable(session, org, learner_ref, user_ref)
            assessment = find(session, DmtdAssessment, org.tenant_id,
                              Ref("assessmentId", id=assessment_id))
            if assessment is None or assessment.learner_id != learner.id:
                raise NotFound(f"No assessment with assessmentId {assessment_id} could be "
                               f"located for learner {learner.id}")
            self._ensure_permission(session, learner, user)
            if data.start_date is not None:
                assessment.start_date = data.start_date
            if "color" in data.model_fields_set:
                assessment.color = data.color
            assessment.updated_at = self.ctx.now(session, org.tenant_id)
            session.add(assessment)
            return assessment


# ----------------------------------------------------------------------------------- routes

router = APIRouter(dependencies=[Depends(iframe_principal)])
Ops = Annotated[AssessmentsOps, Depends(operations(AssessmentsOps))]


@router.post("/1/assessment", dependencies=NEEDS_VBMAPP)
def create_assessment(
    org: IframeOrg, ops: Ops, user: RequiredUser, learner: RequiredLearner,
    body: Annotated[AssessmentIn, Depends(json_body(AssessmentIn))],
) -> JSONResponse:
    """Create an assessment for a learner the acting user may assess.

    DMTD "/1/assessment - POST" [C] beta (fact sheet §5.7, D14, D22). Not emulated: the
    [R] wrapped response (`defaultCalendar`, score totals); no purchase is required (D21).
    """
    return JSONResponse(assessment_out(ops.create_assessment(org, learner, user, body)))


@router.get("/1/assessments", dependencies=NEEDS_VBMAPP)
@router.get("/1/assessment", dependencies=NEEDS_VBMAPP)
def get_assessments(
    org: IframeOrg, ops: Ops, user: RequiredUser, learner: RequiredLearner,
    flags: Annotated[AssessmentFlags, Depends(assessment_flags)],
    locale: ContentLocale,
) -> JSONResponse:
    """Read a learner's assessments (scores, grids, grid scores, IEP on request).

    DMTD "/1/assessment - GET" [C] beta in the [R] envelope (fact sheet §5.8, D22).
    Not emulated: grid contents (always `[]`), computed IEP values.
    """
    items = ops.list_assessments(org, learner, user)
    iep = content.iep_template(locale) if flags.iep else []
    return JSONResponse(assessments_out(items, flags, iep))


@router.patch("/1/assessment", dependencies=NEEDS_VBMAPP)
def update_assessment(
    org: IframeOrg, ops: Ops, user: RequiredUser, learner: RequiredLearner,
    assessment: Annotated[int, Depends(assessment_id)],
    body: Annotated[AssessmentIn, Depends(json_body(AssessmentIn))],
) -> JSONResponse:
    """Change an assessment's start date or colour.

    DMTD "/1/assessment - PATCH" [C] (fact sheet §5.9, D22); the response is the POST
    shape (inferred). Not emulated: re-scoring after a reorder.
    """
    return JSONResponse(assessment_out(
        ops.update_assessment(org, learner, user, assessment, body)))
