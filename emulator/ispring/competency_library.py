"""The competency library read by several resources: scales and competencies, as rows and trees.

Competencies (`competencies.py`) and appraisal sessions both show library entries, and resource
modules do not import each other, so the look-ups and the vendor shapes (CompetencyScale,
Competency with its indicators) live here once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from emulator.ispring.models import (
    IspringCompetency,
    IspringCompetencyIndicator,
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
