"""The competency library read by several resources: scales and competencies, as rows and trees.

Competencies (`competencies.py`) and appraisal sessions both show library entries, and resource
modules do not import each other, so the look-ups and the vendor shapes (CompetencyScale,
Competency with its indicators) live here once, with what an appraisal session takes from a
competency profile when it starts (`profile_content`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from emulator.ispring.models import (
    IspringCompetency,
    IspringCompetencyIndicator,
    IspringCompetencyProfile,
    IspringCompetencyScale,
)
from emulator.ispring.schemas import number
from emulator.ispring.wire import Items, Tree


def scales_by_id(session: Session, tenant_id: str, scale_ids: Iterable[str] | None = None,
                 ) -> dict[str, IspringCompetencyScale]:
    """The account's scales (all of them when `scale_ids` is None), by ID."""
    stmt = select(IspringCompetencyScale).where(IspringCompetencyScale.tenant_id == tenant_id)
    if scale_ids is not None:
        stmt = stmt.where(col(IspringCompetencyScale.scale_id).in_(list(scale_ids)))
    return {s.scale_id: s for s in session.exec(stmt).all()}


def competencies_by_id(session: Session, tenant_id: str,
                       competency_ids: Iterable[str] | None = None,
                       ) -> dict[str, IspringCompetency]:
    """The account's competencies (all of them when `competency_ids` is None), by ID."""
    stmt = select(IspringCompetency).where(IspringCompetency.tenant_id == tenant_id)
    if competency_ids is not None:
        stmt = stmt.where(col(IspringCompetency.competency_id).in_(list(competency_ids)))
    return {c.competency_id: c for c in session.exec(stmt).all()}


def indicators_of(session: Session, tenant_id: str, competency_ids: Iterable[str],
                  ) -> dict[str, list[IspringCompetencyIndicator]]:
    """Each competency's indicators in creation order."""
    wanted = list(competency_ids)
    found: dict[str, list[IspringCompetencyIndicator]] = {c: [] for c in wanted}
    for row in session.exec(select(IspringCompetencyIndicator).where(
            IspringCompetencyIndicator.tenant_id == tenant_id,
            col(IspringCompetencyIndicator.competency_id).in_(wanted)).order_by(
            col(IspringCompetencyIndicator.position))).all():
        found[row.competency_id].append(row)
    return found


def scale_tree(scale: IspringCompetencyScale) -> Tree:
    """CompetencyScale: XML `<levels>` of `<competencyScaleLevel>` items."""
    return {"scaleId": scale.scale_id, "name": scale.name,
            "levels": Items("competencyScaleLevel", [
                {"levelId": lv["levelId"], "name": lv["name"], "score": number(lv["score"])}
                for lv in scale.levels])}


def indicator_tree(indicator: IspringCompetencyIndicator) -> Tree:
    return {"indicatorId": indicator.indicator_id, "name": indicator.name,
            "levels": Items("competencyIndicatorLevel", [
                {"levelId": lv["levelId"], "description": lv.get("description")}
                for lv in indicator.levels])}


def competency_tree(competency: IspringCompetency,
                    indicators: Iterable[IspringCompetencyIndicator]) -> Tree:
    """Competency: XML `<indicators>` of `<competencyIndicator>` items."""
    return {"competencyId": competency.competency_id, "name": competency.name,
            "description": competency.description, "scaleId": competency.scale_id,
            "reviewMethod": competency.review_method,
            "indicators": Items("competencyIndicator", [indicator_tree(i) for i in indicators]),
            "commentsRequirementLevel": competency.comments_requirement_level,
            "emptyAnswersEnabled": competency.empty_answers_enabled}


def profile_content(session: Session, tenant_id: str, profile: IspringCompetencyProfile,
                    ) -> dict[str, Any]:
    """AppraisalSessionContentCompetencies of a profile as the library holds it now: the
    profile's competencies in its order, each with its indicators, the required levels the
    profile sets (name and score), and the scales they use (level IDs and scores).

    A started session keeps this snapshot, so later library changes do not alter its reviews.
    """
    wanted = [c["competencyId"] for c in profile.competencies]
    found = competencies_by_id(session, tenant_id, wanted)
    competencies = [found[c] for c in wanted if c in found]
    indicators = indicators_of(session, tenant_id, [c.competency_id for c in competencies])
    used = list(dict.fromkeys(c.scale_id for c in competencies))  # in order of first use
    scales = scales_by_id(session, tenant_id, used)
    levels = {lv["levelId"]: lv for s in scales.values() for lv in s.levels}
    required = {**{c["competencyId"]: c["requiredLevelId"] for c in profile.competencies},
                **{i["indicatorId"]: i["requiredLevelId"] for i in profile.indicators}}

    def with_level(item_id: str, tree: dict[str, Any]) -> dict[str, Any]:
        level = levels.get(required.get(item_id, ""))
        if level is not None:
            tree["requiredLevel"] = {"name": level["name"], "score": number(level["score"])}
        return tree

    return {
        "competencies": [{
            **with_level(c.competency_id, {"competencyId": c.competency_id, "name": c.name,
                                           "scaleId": c.scale_id}),
            "reviewMethod": c.review_method,
            "indicators": [with_level(i.indicator_id, {"indicatorId": i.indicator_id,
                                                       "name": i.name})
                           for i in indicators[c.competency_id]],
            "commentsRequirementLevel": c.comments_requirement_level,
            "emptyAnswersEnabled": c.empty_answers_enabled} for c in competencies],
        "scales": [{"scaleId": s.scale_id,
                    "levels": [{"levelId": lv["levelId"], "score": number(lv["score"])}
                               for lv in s.levels]}
                   for s in (scales[i] for i in used if i in scales)],
    }
