"""iSpring competency library: rating scales, competency groups, competencies, indicators, profiles.

Fourteen operations under `/performance-management/competencies` (vendor OAS). Decisions where the
document is silent (also in `docs/ispring.md`):
- Rights: `competencies.read` for the lists, `competencies.write` for every change; the library
  is account-wide, so there is no department scoping.
- Creates answer 200 with the new ID (`<response>id</response>`, JSON a string), changes 200
  with no body, as the document declares. Lists are bare, in ID order, never paged.
- Unknown IDs: a path ID → 404 with the OAS's text (`Scale not found`, `Group not found`,
  `Competency not found`, `Indicator not found`; an indicator of another competency is not
  found), except where the document lists no 404: `indicator/create` answers an unknown
  competency with 400 `Competency not found` (its listed statuses win); the two batch moves
  name their groups in the body and answer 404 `Group not found` as the OAS says; any other
  referenced ID (a scale or group of a new competency, a competency to move) is a 400 (D14).
  List filters only narrow.
- Scales: at least one level. A change lists the scale's levels as they should be: a known
  `levelId` is updated, a new one added with that ID (a level ID of another scale is a 400),
  a left-out one removed, unless a competency profile requires it (400); indicator
  descriptions of removed levels go with them.
- Groups: the library has one root group (empty `parentId`), seeded with the account; it cannot
  be moved, and no group can move into itself or below itself (400).
- Competencies: `description` may be empty and is kept when a change omits it. A new scale
  drops indicator descriptions of levels not on it; a competency required by a profile keeps
  its scale (400). Indicator levels must be levels of the competency's scale, each once (400).
- Profiles are read-only here (the document has no operation that writes them); they come from
  the fixture pack.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BeforeValidator, Field
from sqlmodel import Session, SQLModel, col, select

from emulator.core.ids import time_uuid
from emulator.ispring.auth import (
    CompetenciesRead,
    CompetenciesWrite,
    Principal,
    Right,
    authenticate,
    operations,
)
from emulator.ispring.base import BackendBase
from emulator.ispring.competency_library import (
    competencies_by_id,
    competency_tree,
    indicators_of,
    scale_tree,
    scales_by_id,
)
from emulator.ispring.errors import BadRequest, NotFound
from emulator.ispring.fields import (
    Amount,
    Id,
    IdList,
    Name,
    OptText,
    RequiredIds,
    Text,
    _choice,
    _flag,
)
from emulator.ispring.models import (
    IspringCompetency,
    IspringCompetencyGroup,
    IspringCompetencyIndicator,
    IspringCompetencyProfile,
    IspringCompetencyScale,
)
from emulator.ispring.schemas import RequestModel, _pre_items, ids
from emulator.ispring.wire import Body, Items, OptionalBody, Tree, empty, ok

M = TypeVar("M", bound=SQLModel)

REVIEW_METHODS = ("INDICATORS_INDIVIDUALLY", "COMPETENCY_ENTIRELY")
COMMENT_LEVELS = ("DISABLED", "OPTIONAL", "REQUIRED")
Flag = Annotated[bool, BeforeValidator(_flag)]
ReviewMethod = Annotated[str, BeforeValidator(_choice(*REVIEW_METHODS))]
CommentsLevel = Annotated[str, BeforeValidator(_choice(*COMMENT_LEVELS))]


class NewLevel(RequestModel):
    name: Name
    score: Amount


class ScaleLevel(NewLevel):
    level_id: Id = Field(alias="levelId")


class NewScale(RequestModel):
    name: Name
    levels: Annotated[list[NewLevel], BeforeValidator(_pre_items)] = Field(min_length=1)


class ScaleChange(RequestModel):
    name: Name
    levels: Annotated[list[ScaleLevel], BeforeValidator(_pre_items)] = Field(min_length=1)


class NewGroup(RequestModel):
    name: Name
    parent_id: Id = Field(alias="parentId")


class GroupName(RequestModel):
    name: Name


class GroupsMove(RequestModel):
    parent_group_id: Id = Field(alias="parentGroupId")
    group_ids: RequiredIds = Field(alias="groupIds")


class CompetenciesMove(RequestModel):
    group_id: Id = Field(alias="groupId")
    competency_ids: RequiredIds = Field(alias="competencyIds")


class CompetencyFilter(RequestModel):
    competency_ids: IdList = Field(default_factory=list, alias="competencyIds")


class ProfileFilter(RequestModel):
    profile_ids: IdList = Field(default_factory=list, alias="profileIds")


class CompetencySettings(RequestModel):
    """What a create and a change share; `description` is required on create only."""

    name: Name
    scale_id: Id = Field(alias="scaleId")
    review_method: ReviewMethod = Field(alias="reviewMethod")
    comments_requirement_level: CommentsLevel = Field(alias="commentsRequirementLevel")
    empty_answers_enabled: Flag = Field(alias="emptyAnswersEnabled")


class CompetencyChange(CompetencySettings):
    description: OptText = None


class NewCompetency(CompetencySettings):
    description: Text
    group_id: Id = Field(alias="groupId")


class IndicatorLevel(RequestModel):
    level_id: Id = Field(alias="levelId")
    description: OptText = None


class IndicatorIn(RequestModel):
    name: Name
    levels: Annotated[list[IndicatorLevel], BeforeValidator(_pre_items)]


def _row(session: Session, model: type[M], tenant_id: str, key: str, message: str,
         missing: type[NotFound] | type[BadRequest] = NotFound) -> M:
    """A row named in the path (case-insensitive ID), or the operation's 404 (or its 400)."""
    row = session.get(model, (tenant_id, key.strip().lower()))
    if row is None:
        raise missing(message)
    return row


class CompetenciesOps(BackendBase):
    """The competency library of an account."""

    # -- scales

    def list_competency_scales(self, p: Principal) -> list[IspringCompetencyScale]:
        p.require(Right.COMPETENCIES_READ)
        with self._unit(p.tenant_id) as (session, _now):
            found = scales_by_id(session, p.tenant_id)
            return [found[k] for k in sorted(found)]

    def create_competency_scale(self, p: Principal, body: NewScale) -> str:
        p.require(Right.COMPETENCIES_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            scale_id = time_uuid(now)
            session.add(IspringCompetencyScale(
                tenant_id=p.tenant_id, scale_id=scale_id, name=body.name,
                levels=[{"levelId": time_uuid(now), "name": lv.name, "score": lv.score}
                        for lv in body.levels]))
            return scale_id

    def change_competency_scale(self, p: Principal, scale_id: str, body: ScaleChange) -> None:
        p.require(Right.COMPETENCIES_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            scale = _row(session, IspringCompetencyScale, p.tenant_id, scale_id,
                         "Scale not found")
            kept = [lv.level_id for lv in body.levels]
            if len(set(kept)) != len(kept):
                raise BadRequest("Wrong parameters: levels repeat a levelId")
            others = {lv["levelId"] for s in scales_by_id(session, p.tenant_id).values()
                      if s.scale_id != scale.scale_id for lv in s.levels}
            taken = next((i for i in kept if i in others), None)
            if taken is not None:
                raise BadRequest(f"Wrong parameters: level {taken} belongs to another scale")
            removed = {lv["levelId"] for lv in scale.levels} - set(kept)
            required = self._required_levels(session, p.tenant_id) & removed
            if required:
                raise BadRequest(f"Wrong parameters: level {min(required)} is required by a "
                                 "competency profile")
            scale.name = body.name
            scale.levels = [{"levelId": lv.level_id, "name": lv.name, "score": lv.score}
                            for lv in body.levels]
            session.add(scale)
            rated = [c.competency_id for c in competencies_by_id(session, p.tenant_id).values()
                     if c.scale_id == scale.scale_id]
            self._keep_indicator_levels(session, p.tenant_id, rated, set(kept))

    @staticmethod
    def _competency_profiles(session: Session, tenant_id: str) -> list[IspringCompetencyProfile]:
        return list(session.exec(select(IspringCompetencyProfile).where(
            IspringCompetencyProfile.tenant_id == tenant_id).order_by(
            col(IspringCompetencyProfile.profile_id))).all())

    def _required_levels(self, session: Session, tenant_id: str) -> set[str]:
        return {ref["requiredLevelId"] for prof in self._competency_profiles(session, tenant_id)
                for ref in [*prof.competencies, *prof.indicators]}

    @staticmethod
    def _keep_indicator_levels(session: Session, tenant_id: str, competency_ids: Sequence[str],
                               levels: set[str]) -> None:
        """Drop indicator descriptions of levels the competency's scale no longer has."""
        for indicators in indicators_of(session, tenant_id, competency_ids).values():
            for indicator in indicators:
                indicator.levels = [lv for lv in indicator.levels if lv["levelId"] in levels]
                session.add(indicator)

    # -- groups

    @staticmethod
    def _competency_groups(session: Session, tenant_id: str) -> dict[str, IspringCompetencyGroup]:
        return {g.group_id: g for g in session.exec(select(IspringCompetencyGroup).where(
            IspringCompetencyGroup.tenant_id == tenant_id)).all()}

    def list_competency_groups(self, p: Principal,
                               ) -> list[tuple[IspringCompetencyGroup, list[str]]]:
        p.require(Right.COMPETENCIES_READ)
        with self._unit(p.tenant_id) as (session, _now):
            groups = self._competency_groups(session, p.tenant_id)
            members: dict[str, list[str]] = {g: [] for g in groups}
            for c in competencies_by_id(session, p.tenant_id).values():
                members.setdefault(c.group_id, []).append(c.competency_id)
            return [(groups[g], sorted(members[g])) for g in sorted(groups)]

    def create_competency_group(self, p: Principal, body: NewGroup) -> str:
        p.require(Right.COMPETENCIES_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            if session.get(IspringCompetencyGroup, (p.tenant_id, body.parent_id)) is None:
                raise BadRequest(f"Unknown competency group: {body.parent_id}")
            group_id = time_uuid(now)
            session.add(IspringCompetencyGroup(tenant_id=p.tenant_id, group_id=group_id,
                                               name=body.name, parent_id=body.parent_id))
            return group_id

    def rename_competency_group(self, p: Principal, group_id: str, body: GroupName) -> None:
        p.require(Right.COMPETENCIES_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            group = _row(session, IspringCompetencyGroup, p.tenant_id, group_id,
                         "Group not found")
            group.name = body.name
            session.add(group)

    def move_competency_groups(self, p: Principal, body: GroupsMove) -> None:
        p.require(Right.COMPETENCIES_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            groups = self._competency_groups(session, p.tenant_id)
            if any(g not in groups for g in [body.parent_group_id, *body.group_ids]):
                raise NotFound("Group not found")
            if any(groups[g].parent_id is None for g in body.group_ids):
                raise BadRequest("Wrong parameters: the root group cannot be moved")
            ancestor: str | None = body.parent_group_id
            while ancestor is not None:
                if ancestor in body.group_ids:
                    raise BadRequest("Wrong parameters: a group cannot be moved into itself or "
                                     "one of its subgroups")
                ancestor = groups[ancestor].parent_id
            for g in body.group_ids:
                groups[g].parent_id = body.parent_group_id
                session.add(groups[g])

    def move_competencies_to_group(self, p: Principal, body: CompetenciesMove) -> None:
        p.require(Right.COMPETENCIES_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            _row(session, IspringCompetencyGroup, p.tenant_id, body.group_id, "Group not found")
            rows = self._competencies_named(session, p.tenant_id, body.competency_ids)
            for row in rows:
                row.group_id = body.group_id
                session.add(row)

    @staticmethod
    def _competencies_named(session: Session, tenant_id: str, competency_ids: Sequence[str],
                            ) -> list[IspringCompetency]:
        found = competencies_by_id(session, tenant_id, competency_ids)
        missing = next((c for c in competency_ids if c not in found), None)
        if missing is not None:
            raise BadRequest(f"Unknown competency: {missing}")
        return [found[c] for c in competency_ids]

    # -- competencies and indicators

    def list_competencies(self, p: Principal, body: CompetencyFilter,
                          ) -> list[tuple[IspringCompetency, list[IspringCompetencyIndicator]]]:
        p.require(Right.COMPETENCIES_READ)
        with self._unit(p.tenant_id) as (session, _now):
            found = competencies_by_id(session, p.tenant_id, body.competency_ids or None)
            indicators = indicators_of(session, p.tenant_id, found)
            return [(found[c], indicators[c]) for c in sorted(found)]

    def _competency_scale(self, session: Session, tenant_id: str, scale_id: str,
                     ) -> IspringCompetencyScale:
        scale = session.get(IspringCompetencyScale, (tenant_id, scale_id))
        if scale is None:
            raise BadRequest(f"Unknown competency scale: {scale_id}")
        return scale

    def create_competency(self, p: Principal, body: NewCompetency) -> str:
        p.require(Right.COMPETENCIES_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            self._competency_scale(session, p.tenant_id, body.scale_id)
            if session.get(IspringCompetencyGroup, (p.tenant_id, body.group_id)) is None:
                raise BadRequest(f"Unknown competency group: {body.group_id}")
            competency_id = time_uuid(now)
            session.add(IspringCompetency(
                tenant_id=p.tenant_id, competency_id=competency_id, group_id=body.group_id,
                **self._competency_settings(body, body.description)))
            return competency_id

    @staticmethod
    def _competency_settings(body: CompetencySettings, description: str) -> dict[str, Any]:
        return {"name": body.name, "description": description, "scale_id": body.scale_id,
                "review_method": body.review_method,
                "comments_requirement_level": body.comments_requirement_level,
                "empty_answers_enabled": body.empty_answers_enabled}

    def change_competency(self, p: Principal, competency_id: str,
                          body: CompetencyChange) -> None:
        p.require(Right.COMPETENCIES_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            row = _row(session, IspringCompetency, p.tenant_id, competency_id,
                       "Competency not found")
            scale = self._competency_scale(session, p.tenant_id, body.scale_id)
            if scale.scale_id != row.scale_id:
                if self._competency_in_profile(session, p.tenant_id, row.competency_id):
                    raise BadRequest("Wrong parameters: the scale of a competency in a "
                                     "competency profile cannot change")
                self._keep_indicator_levels(session, p.tenant_id, [row.competency_id],
                                            {lv["levelId"] for lv in scale.levels})
            description = row.description if body.description is None else body.description
            for key, value in self._competency_settings(body, description).items():
                setattr(row, key, value)
            session.add(row)

    def _competency_in_profile(self, session: Session, tenant_id: str, competency_id: str) -> bool:
        indicators = {i.indicator_id for i in indicators_of(
            session, tenant_id, [competency_id])[competency_id]}
        profiles = self._competency_profiles(session, tenant_id)
        return any(ref["competencyId"] == competency_id
                   for prof in profiles for ref in prof.competencies) or any(
            ref["indicatorId"] in indicators for prof in profiles for ref in prof.indicators)

    def _indicator_levels(self, session: Session, tenant_id: str, competency: IspringCompetency,
                          body: IndicatorIn) -> list[dict[str, Any]]:
        scale = session.get(IspringCompetencyScale, (tenant_id, competency.scale_id))
        on_scale = {lv["levelId"] for lv in scale.levels} if scale else set()
        seen: set[str] = set()
        for lv in body.levels:
            if lv.level_id not in on_scale:
                raise BadRequest(f"Wrong parameters: level {lv.level_id} is not on the "
                                 "competency's scale")
            if lv.level_id in seen:
                raise BadRequest(f"Wrong parameters: level {lv.level_id} is described twice")
            seen.add(lv.level_id)
        return [{"levelId": lv.level_id, "description": lv.description} for lv in body.levels]

    def create_competency_indicator(self, p: Principal, competency_id: str,
                                    body: IndicatorIn) -> str:
        p.require(Right.COMPETENCIES_WRITE)
        with self._unit(p.tenant_id) as (session, now):
            # The document lists no 404 for this operation: an unknown competency is its 400.
            competency = _row(session, IspringCompetency, p.tenant_id, competency_id,
                              "Competency not found", BadRequest)
            levels = self._indicator_levels(session, p.tenant_id, competency, body)
            existing = indicators_of(session, p.tenant_id, [competency.competency_id])
            indicator_id = time_uuid(now)
            session.add(IspringCompetencyIndicator(
                tenant_id=p.tenant_id, indicator_id=indicator_id,
                competency_id=competency.competency_id, name=body.name,
                position=len(existing[competency.competency_id]), levels=levels))
            return indicator_id

    def change_competency_indicator(self, p: Principal, competency_id: str, indicator_id: str,
                         body: IndicatorIn) -> None:
        p.require(Right.COMPETENCIES_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            competency = _row(session, IspringCompetency, p.tenant_id, competency_id,
                              "Competency not found")
            indicator = _row(session, IspringCompetencyIndicator, p.tenant_id, indicator_id,
                             "Indicator not found")
            if indicator.competency_id != competency.competency_id:
                raise NotFound("Indicator not found")
            indicator.levels = self._indicator_levels(session, p.tenant_id, competency, body)
            indicator.name = body.name
            session.add(indicator)

    # -- profiles

    def list_competency_profiles(self, p: Principal, body: ProfileFilter,
                                 ) -> list[IspringCompetencyProfile]:
        p.require(Right.COMPETENCIES_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return [prof for prof in self._competency_profiles(session, p.tenant_id)
                    if not body.profile_ids or prof.profile_id in body.profile_ids]


def group_tree(group: IspringCompetencyGroup, competency_ids: list[str]) -> Tree:
    """CompetencyGroup; the root's `parentId` is empty, as the document says."""
    return {"groupId": group.group_id, "name": group.name, "parentId": group.parent_id or "",
            "competencyIds": ids(competency_ids)}


def profile_tree(profile: IspringCompetencyProfile) -> Tree:
    return {"profileId": profile.profile_id, "name": profile.name,
            "description": profile.description,
            "competencies": Items("profileCompetencyData", list(profile.competencies)),
            "indicators": Items("profileIndicatorData", list(profile.indicators))}


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[CompetenciesOps, operations(CompetenciesOps)]
PREFIX = "/performance-management/competencies"


@router.get(f"{PREFIX}/scale/list")
def list_competency_scales(request: Request, caller: CompetenciesRead,
                           backend: Backend) -> Response:
    """List competency scales.

    Vendor OAS: CompetencyScale[] (XML items `<competencyScale>`, levels as
    `<competencyScaleLevel>`); not paged.
    """
    return ok(request, Items("competencyScale",
                             [scale_tree(s) for s in backend.list_competency_scales(caller)]))


@router.post(f"{PREFIX}/scale/create")
def create_competency_scale(request: Request, caller: CompetenciesWrite, body: Body,
                            backend: Backend) -> Response:
    """Create a competency scale.

    Vendor OAS: CreateCompetencyScaleData `{name, levels: [{name, score}]}` → 200 with the ID.
    """
    return ok(request, backend.create_competency_scale(caller, NewScale.parse(body)))


@router.post(f"{PREFIX}/scale/{{scale_id}}/change")
def change_competency_scale(request: Request, scale_id: str, caller: CompetenciesWrite,
                            body: Body, backend: Backend) -> Response:
    """Change a competency scale's name and levels.

    Vendor OAS: ChangeCompetencyScaleRequest `{name, levels: [{levelId, name, score}]}`; 200
    empty; unknown → 404 "Scale not found".
    """
    backend.change_competency_scale(caller, scale_id, ScaleChange.parse(body))
    return empty(request)


@router.post(f"{PREFIX}/group/create")
def create_competency_group(request: Request, caller: CompetenciesWrite, body: Body,
                            backend: Backend) -> Response:
    """Create a competency group.

    Vendor OAS: CreateCompetencyGroupData `{name, parentId}` → 200 with the ID.
    """
    return ok(request, backend.create_competency_group(caller, NewGroup.parse(body)))


@router.post(f"{PREFIX}/group/{{group_id}}/rename")
def change_competency_group_name(request: Request, group_id: str, caller: CompetenciesWrite,
                                 body: Body, backend: Backend) -> Response:
    """Rename a competency group.

    Vendor OAS: `{name}`; 200 empty; unknown → 404 "Group not found".
    """
    backend.rename_competency_group(caller, group_id, GroupName.parse(body))
    return empty(request)


@router.post(f"{PREFIX}/group/batch-move")
def move_competency_groups(request: Request, caller: CompetenciesWrite, body: Body,
                           backend: Backend) -> Response:
    """Move competency groups to a parent group.

    Vendor OAS: MoveCompetencyGroupsToParentGroup `{parentGroupId, groupIds}`; 200 empty;
    an unknown group → 404 "Group not found".
    """
    backend.move_competency_groups(caller, GroupsMove.parse(body))
    return empty(request)


@router.post(f"{PREFIX}/competency/batch-move")
def move_competencies_to_group(request: Request, caller: CompetenciesWrite, body: Body,
                               backend: Backend) -> Response:
    """Move competencies to a group.

    Vendor OAS: MoveCompetenciesToGroup `{groupId, competencyIds}`; 200 empty; unknown group →
    404 "Group not found", unknown competency → 400 (D14).
    """
    backend.move_competencies_to_group(caller, CompetenciesMove.parse(body))
    return empty(request)


@router.get(f"{PREFIX}/group/list")
def list_competency_groups(request: Request, caller: CompetenciesRead,
                           backend: Backend) -> Response:
    """List competency groups with their competencies.

    Vendor OAS: CompetencyGroup[] (XML items `<competencyGroup>`); the root's parentId is empty.
    """
    rows = backend.list_competency_groups(caller)
    return ok(request, Items("competencyGroup", [group_tree(g, c) for g, c in rows]))


@router.post(f"{PREFIX}/competency/list")
def list_competencies(request: Request, caller: CompetenciesRead, body: OptionalBody,
                      backend: Backend) -> Response:
    """List competencies with their indicators.

    Vendor OAS: ListCompetenciesRequest `{competencyIds?}` → Competency[] (XML items
    `<competency>`); not paged.
    """
    rows = backend.list_competencies(caller, CompetencyFilter.parse(body))
    return ok(request, Items("competency", [competency_tree(c, i) for c, i in rows]))


@router.post(f"{PREFIX}/competency/create")
def create_competency(request: Request, caller: CompetenciesWrite, body: Body,
                      backend: Backend) -> Response:
    """Create a competency.

    Vendor OAS: CreateCompetencyData → 200 with the ID; unknown scale or group → 400 (D14).
    """
    return ok(request, backend.create_competency(caller, NewCompetency.parse(body)))


@router.post(f"{PREFIX}/competency/{{competency_id}}/change")
def change_competency(request: Request, competency_id: str, caller: CompetenciesWrite,
                      body: Body, backend: Backend) -> Response:
    """Change a competency.

    Vendor OAS: ChangeCompetencyData; 200 empty; unknown → 404 "Competency not found".
    """
    backend.change_competency(caller, competency_id, CompetencyChange.parse(body))
    return empty(request)


@router.post(f"{PREFIX}/competency/{{competency_id}}/indicator/create")
def create_competency_indicator(request: Request, competency_id: str, caller: CompetenciesWrite,
                                body: Body, backend: Backend) -> Response:
    """Create a competency indicator.

    Vendor OAS: CompetencyIndicatorData `{name, levels: [{levelId, description?}]}` → 200 with
    the ID; unknown competency → 400 "Competency not found" (the operation lists no 404).
    """
    new_id = backend.create_competency_indicator(caller, competency_id, IndicatorIn.parse(body))
    return ok(request, new_id)


@router.post(f"{PREFIX}/competency/{{competency_id}}/indicator/{{indicator_id}}/change")
def change_competency_indicator(request: Request, competency_id: str, indicator_id: str,
                                caller: CompetenciesWrite, body: Body,
                                backend: Backend) -> Response:
    """Change a competency indicator.

    Vendor OAS: CompetencyIndicatorData; 200 empty; unknown → 404 "Competency not found" /
    "Indicator not found".
    """
    backend.change_competency_indicator(caller, competency_id, indicator_id,
                                        IndicatorIn.parse(body))
    return empty(request)


@router.post(f"{PREFIX}/profile/list")
def list_competency_profiles(request: Request, caller: CompetenciesRead, body: OptionalBody,
                             backend: Backend) -> Response:
    """List competency profiles.

    Vendor OAS: ListCompetencyProfilesRequest `{profileIds?}` → CompetencyProfile[] (XML items
    `<competencyProfile>`); profiles come from the fixture pack.
    """
    rows = backend.list_competency_profiles(caller, ProfileFilter.parse(body))
    return ok(request, Items("competencyProfile", [profile_tree(x) for x in rows]))
