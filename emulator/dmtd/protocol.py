"""DMTD's VB-MAPP content: the protocol (`GET /1/protocol`), the guide (`GET /1/guide`) and the
IEP report template (`GET /1/assessment_report/iep`), over the synthetic data of `content`.

`learner_locale()` is D21: a learner's content is in the locale of its most recent purchase
(default `en`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlmodel import Session, col, select

from emulator.dmtd import content
from emulator.dmtd.auth import Org, Principal, principal
from emulator.dmtd.errors import BadRequest, NotFound
from emulator.dmtd.models import DmtdLearner, DmtdPurchase
from emulator.dmtd.params import (
    NEEDS_VBMAPP,
    ContentLocale,
    LearnerHeader,
    RequiredLearner,
    integer,
    optional_system_domain,
)
from emulator.dmtd.schemas import Ref
from emulator.dmtd.store import Operations, find_learner, operations

# ------------------------------------------------------------------------------------- wire


@dataclass(frozen=True)
class ProtocolQuery:
    """`GET /1/protocol?area=&group=[&level=][&questionNum=]` (§5.12)."""

    learner: Ref
    area: str
    group: str
    level: str | None
    question_num: int | None


async def protocol_query(
    learner: LearnerHeader,
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


# ------------------------------------------------------------------------------- operations

def learner_locale(session: Session, learner: DmtdLearner) -> str:
    """D21: the content locale is that of the learner's most recent purchase.

    "Most recent" is the last recorded (highest id), so a clock moved backwards by a test
    cannot make an older purchase win.
    """
    purchase = session.exec(select(DmtdPurchase).where(
        DmtdPurchase.tenant_id == learner.tenant_id, DmtdPurchase.learner_id == learner.id,
    ).order_by(col(DmtdPurchase.id).desc())).first()
    return purchase.locale if purchase else content.DEFAULT_LOCALE


@dataclass(frozen=True)
class ProtocolAnswer:
    group: content.Group
    questions: list[content.Question]
    locale: str


class ProtocolOps(Operations):
    def protocol_query(self, org: Principal, learner_ref: Ref, area: str, group_name: str,
                       level: str | None, question_num: int | None) -> ProtocolAnswer:
        """§5.12: unknown area, group, level or question → 404; text in the learner's locale."""
        with self.ctx.db.transaction() as session:
            locale = learner_locale(session, find_learner(session, org, learner_ref))
        group = content.find_group(area, group_name)
        if group is None:
            raise NotFound(f"No protocol group {group_name!r} in area {area!r}")
        questions = list(group.questions)
        if level is not None:
            number = content.parse_level(level)
            if number is None or number not in group.levels:
                raise NotFound(f"No level {level!r} in {area}/{group_name}")
            questions = [q for q in questions if q.level == number]
        if question_num is not None:
            questions = [q for q in questions if q.num == question_num]
            if not questions:
                raise NotFound(f"No question {question_num} in {area}/{group_name}"
                               + (f" at {level}" if level else ""))
        return ProtocolAnswer(group, questions, locale)

    def report_locale(self, org: Principal, learner_ref: Ref) -> str:
        """The IEP report is in the learner's content locale (D21)."""
        with self.ctx.db.transaction() as session:
            return learner_locale(session, find_learner(session, org, learner_ref))


# ----------------------------------------------------------------------------------- routes

router = APIRouter(dependencies=[Depends(principal)])
Ops = Annotated[ProtocolOps, Depends(operations(ProtocolOps))]


@router.get("/1/protocol", dependencies=NEEDS_VBMAPP)
def get_protocol(
    org: Org, ops: Ops,
    query: Annotated[ProtocolQuery | None, Depends(protocol_query)],
) -> JSONResponse:
    """Read the protocol index, or the questions of one area and group.

    DMTD "/1/protocol - GET - Index" and "- Query" [C] (fact sheet §5.11, §5.12, D23),
    with synthetic placeholder content. Not emulated: the real VB-MAPP text and the
    unpublished question fields.
    """
    if query is None:
        return JSONResponse(protocol_index_out())
    answer = ops.protocol_query(org, query.learner, query.area, query.group, query.level,
                                query.question_num)
    return JSONResponse(protocol_query_out(answer.group, answer.questions, answer.locale))


@router.get("/1/guide", dependencies=[Depends(optional_system_domain)])
def get_guide(locale: ContentLocale) -> JSONResponse:
    """Read the whole VB-MAPP guide (chapters and sections).

    Named on DMTD's Getting Started page [C] (fact sheet §5.13, D23, inferred shape),
    with synthetic placeholder content. Not emulated: the real guide text.
    """
    return JSONResponse(content.guide(locale))


@router.get("/1/assessment_report/iep", dependencies=NEEDS_VBMAPP)
def get_iep_report(org: Org, ops: Ops, learner: RequiredLearner) -> JSONResponse:
    """Read the IEP report template for a learner.

    DMTD "/1/assessment_report/iep - GET" [C] (fact sheet §5.14, D23), synthetic
    paragraphs in the learner's content locale. Not emulated: filled-in values.
    """
    return JSONResponse(content.iep_template(ops.report_locale(org, learner)))
