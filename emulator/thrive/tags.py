"""Thrive tags and skills: the tag catalogue, skill levels, a learner's tags and skills."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Response
from pydantic import Field
from sqlmodel import col, select

from emulator.thrive.base import Body, ThriveBase, Unit, at_least
from emulator.thrive.errors import Unprocessable
from emulator.thrive.models import ThriveSkillLevel, ThriveTag, ThriveUser, ThriveUserSkill
from emulator.thrive.routing import (
    V1,
    Auth,
    Query,
    UserId,
    api_router,
    endpoint,
    json_body,
    ok,
    operations,
)
from emulator.thrive.schemas import Level, Paging, RequestBody, Text

# ---------------------------------------------------------------------------------------------
# Wire shapes
# ---------------------------------------------------------------------------------------------


class TagsAdd(RequestBody):
    tags: list[Text] = Field(min_length=1, max_length=100)


class TagsRemove(RequestBody):
    op: Literal["remove"]
    path: Literal["tags"]
    value: list[Text] = Field(min_length=1, max_length=100)


class SkillUpdate(RequestBody):
    tag_name: Text
    level: Level | None = None
    target_level: Level | None = None


class SkillsUpdate(RequestBody):
    op: Literal["update"]
    path: Literal["skills"]
    value: list[SkillUpdate] = Field(min_length=1, max_length=100)


def tag(row: ThriveTag, skilled: list[str]) -> dict[str, Any]:
    return {"tag": row.name, "id": row.id, "contents": list(row.contents),
            "campaigns": list(row.campaigns), "interests": list(row.interests),
            "skills": skilled}


def skill_level(row: ThriveSkillLevel) -> dict[str, Any]:
    return {"name": row.name, "isEnabled": row.is_enabled, "value": row.value}


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


class TagsOps(ThriveBase):
    """Tags, skill levels and the tags a learner is skilled in."""

    def _tags_named(self, u: Unit, names: Iterable[str], field: str) -> list[ThriveTag]:
        wanted = list(dict.fromkeys(names))
        rows = self._all(u, select(ThriveTag).where(ThriveTag.tenant_id == u.tenant,
                                                    col(ThriveTag.name).in_(wanted)))
        by_name = {r.name: r for r in rows}
        unknown = [n for n in wanted if n not in by_name]
        if unknown:
            raise Unprocessable(f"{field}: unknown tag(s): {', '.join(unknown)}")
        return [by_name[n] for n in wanted]

    def _skills_of(self, u: Unit, user_id: str) -> dict[str, ThriveUserSkill]:
        rows = self._all(u, select(ThriveUserSkill).where(
            ThriveUserSkill.tenant_id == u.tenant, ThriveUserSkill.user_id == user_id))
        return {r.tag_id: r for r in rows}

    @staticmethod
    def _touch(u: Unit, *rows: ThriveUser | ThriveTag) -> None:
        for row in rows:
            row.updated_at = u.now

    def add_user_tags(self, tenant: str, user_id: str, body: TagsAdd) -> Body:
        with self.unit(tenant) as u:
            user = self._live_user(u, user_id)
            tags = self._tags_named(u, body.tags, "tags")
            have = self._skills_of(u, user.id)
            for row in tags:
                if row.id not in have:
                    u.session.add(ThriveUserSkill(tenant_id=tenant, user_id=user.id,
                                                  tag_id=row.id))
                    self._touch(u, user, row)
            return {"status": 200,
                    "message": f"{len(tags)} tag(s) added successfully to the learner."}

    def remove_user_tags(self, tenant: str, user_id: str, body: TagsRemove) -> Body:
        with self.unit(tenant) as u:
            user = self._live_user(u, user_id)
            tags = self._tags_named(u, body.value, "value")
            have = self._skills_of(u, user.id)
            for row in tags:
                if row.id in have:
                    u.session.delete(have[row.id])
                    self._touch(u, user, row)
            return {"status": 200,
                    "message": f"{len(tags)} tag(s) removed successfully from the learner."}

    def update_user_skills(self, tenant: str, user_id: str, body: SkillsUpdate) -> Body:
        with self.unit(tenant) as u:
            user = self._live_user(u, user_id)
            tags = {t.name: t for t in self._tags_named(
                u, [item.tag_name for item in body.value], "value")}
            have = self._skills_of(u, user.id)
            for item in body.value:
                row = tags[item.tag_name]
                skill = have.get(row.id)
                if skill is None:
                    skill = have[row.id] = ThriveUserSkill(tenant_id=tenant, user_id=user.id,
                                                           tag_id=row.id)
                sent = item.model_fields_set
                if "level" in sent:
                    skill.level = item.level
                if "target_level" in sent:
                    skill.target_level = item.target_level
                u.session.add(skill)
                self._touch(u, user, row)
            return {"status": 200,
                    "message": f"{len(tags)} skill(s) updated successfully for the learner."}

    def _tag_views(self, u: Unit, rows: list[ThriveTag]) -> list[Body]:
        skilled: dict[str, list[str]] = defaultdict(list)
        if rows:
            for skill in self._all(u, select(ThriveUserSkill).where(
                    ThriveUserSkill.tenant_id == u.tenant,
                    col(ThriveUserSkill.tag_id).in_([r.id for r in rows]))
                    .order_by(col(ThriveUserSkill.user_id))):
                skilled[skill.tag_id].append(skill.user_id)
        return [tag(r, skilled[r.id]) for r in rows]

    def list_tags(self, tenant: str, paging: Paging, *, updated_since: datetime | None) -> Body:
        with self.unit(tenant) as u:
            return self._enveloped(u, ThriveTag, paging, self._tag_views,
                                   (at_least(ThriveTag.updated_at, updated_since),),
                                   (col(ThriveTag.id),))

    def get_tag(self, tenant: str, tag_id: str) -> Body:
        with self.unit(tenant) as u:
            return self._tag_views(u, [self._found(u, ThriveTag, tag_id, "Tag")])[0]

    def list_skill_levels(self, tenant: str) -> list[Body]:
        with self.unit(tenant) as u:
            rows = self._all(u, select(ThriveSkillLevel).where(
                ThriveSkillLevel.tenant_id == tenant).order_by(col(ThriveSkillLevel.value)))
            return [skill_level(r) for r in rows]


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


router = api_router()
Backend = Annotated[TagsOps, operations(TagsOps)]


@endpoint(router, "POST", f"{V1}/users/{{userId}}/tags")
def add_user_tags(principal: Auth, backend: Backend, user_id: UserId,
                  body: Annotated[TagsAdd, json_body(TagsAdd)]) -> Response:
    """Add existing tag(s) to an existing learner.

    Doc: /apidocs/add-existing-tags-to-an-existing-learner.
    """
    return ok(backend.add_user_tags(principal.tenant_id, user_id, body))


@endpoint(router, "PATCH", f"{V1}/users/{{userId}}/tags")
def remove_user_tags(principal: Auth, backend: Backend, user_id: UserId,
                     body: Annotated[TagsRemove, json_body(TagsRemove)]
                     ) -> Response:
    """Remove existing tag(s) from an existing learner.

    Doc: /apidocs/remove-existing-tags-from-an-existing-learner.
    """
    return ok(backend.remove_user_tags(principal.tenant_id, user_id, body))


@endpoint(router, "PATCH", f"{V1}/users/{{userId}}/skills")
def update_user_skills(principal: Auth, backend: Backend, user_id: UserId,
                       body: Annotated[SkillsUpdate, json_body(SkillsUpdate)]
                       ) -> Response:
    """Update level and/or targetLevel for skill(s) of an existing learner.

    Doc: /apidocs/update-level-andor-targetlevel-for-skillss-for-an-existing-learner. The
    levels are stored; no documented read returns them.
    """
    return ok(backend.update_user_skills(principal.tenant_id, user_id, body))


@endpoint(router, "GET", f"{V1}/tags")
def list_tags(principal: Auth, backend: Backend, q: Query) -> Response:
    """Returns tags (envelope; paged as integrations page it).

    Doc: fact sheet G1. The documented endpoint takes no paging parameters; they are applied.
    """
    return ok(backend.list_tags(principal.tenant_id, q.paging("tags"),
                                updated_since=q.instant("updatedSince")))


@endpoint(router, "GET", f"{V1}/tags/{{tagId}}")
def get_tag(principal: Auth, backend: Backend,
            tag_id: Annotated[str, Path(alias="tagId")]) -> Response:
    """Returns a tag with its content, campaigns, interested and skilled users.

    Doc: fact sheet G2.
    """
    return ok(backend.get_tag(principal.tenant_id, tag_id))


@endpoint(router, "GET", f"{V1}/skills/levels")
def list_skill_levels(principal: Auth, backend: Backend) -> Response:
    """Returns the skill levels (bare array, not paged).

    Doc: fact sheet G3. Fixture data.
    """
    return ok(backend.list_skill_levels(principal.tenant_id))
