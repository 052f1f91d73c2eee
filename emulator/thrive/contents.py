"""Thrive content and activity records: content is fixture data; activities come from fixtures,
enrolments and completions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Response
from sqlmodel import col

from emulator.thrive.base import Body, ThriveBase, at_least, at_most, each, one_of
from emulator.thrive.models import ThriveActivity, ThriveContent
from emulator.thrive.routing import V1, Auth, Query, api_router, endpoint, ok, operations
from emulator.thrive.schemas import CONTENT_TYPES, Paging, stamp

# ---------------------------------------------------------------------------------------------
# Wire shapes
# ---------------------------------------------------------------------------------------------


def content(row: ThriveContent) -> dict[str, Any]:
    return {
        "id": row.id, "title": row.title, "description": row.description,
        "tags": list(row.tags), "type": row.type, "createdAt": stamp(row.created_at),
        "updatedAt": stamp(row.updated_at), "author": row.author, "isOfficial": row.is_official,
        "duration": row.duration, "contentHistory": list(row.content_history),
    }


def activity(row: ThriveActivity) -> dict[str, Any]:
    return {
        "id": row.id, "user": row.user_id, "type": row.type, "name": row.name,
        "date": stamp(row.date), "contextId": row.context_id, "contextType": row.context_type,
        "contentType": row.content_type, "data": row.data, "with": row.with_,
    }


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


class ContentsOps(ThriveBase):
    """Content and activity reads."""

    def query_contents(self, tenant: str, paging: Paging, *, types: list[str] | None,
                       omit_types: list[str] | None, updated_since: datetime | None) -> Body:
        with self.unit(tenant) as u:
            return self._enveloped(u, ThriveContent, paging, each(content), (
                one_of(ThriveContent.type, types, omit_types),
                at_least(ThriveContent.updated_at, updated_since)), (col(ThriveContent.id),))

    def get_content(self, tenant: str, content_id: str) -> Body:
        with self.unit(tenant) as u:
            return content(self._found(u, ThriveContent, content_id, "Content"))

    def query_activities(self, tenant: str, paging: Paging, *, actions: list[str] | None,
                         omit_actions: list[str] | None, content_ids: list[str] | None,
                         content_type: str | None, start: datetime | None,
                         end: datetime | None) -> Body:
        # The documented example value of `contentType` is `content`, a context type; real
        # records also carry the content's own type: either matches.
        of_type = None if content_type is None else (
            (col(ThriveActivity.context_type) == content_type)
            | (col(ThriveActivity.content_type) == content_type))
        with self.unit(tenant) as u:
            return self._enveloped(u, ThriveActivity, paging, each(activity), (
                one_of(ThriveActivity.type, actions, omit_actions),
                one_of(ThriveActivity.context_id,
                       None if content_ids is None else [c.lower() for c in content_ids]),
                of_type, at_least(ThriveActivity.date, start), at_most(ThriveActivity.date, end)),
                (col(ThriveActivity.date), col(ThriveActivity.id)))

    def get_activity(self, tenant: str, activity_id: str) -> Body:
        with self.unit(tenant) as u:
            return activity(self._found(u, ThriveActivity, activity_id, "Activity"))


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


router = api_router()
Backend = Annotated[ContentsOps, operations(ContentsOps)]


@endpoint(router, "GET", f"{V1}/contents")
def query_contents(principal: Auth, backend: Backend, q: Query) -> Response:
    """Query content records.

    Doc: fact sheet T1 (`types`/`omitTypes`, `updatedSince`). Content is fixture data.
    """
    types, omit = q.include_omit("types", "omitTypes", CONTENT_TYPES)
    return ok(backend.query_contents(principal.tenant_id, q.paging("contents"), types=types,
                                     omit_types=omit, updated_since=q.instant("updatedSince")))


@endpoint(router, "GET", f"{V1}/contents/{{contentId}}")
def get_content(principal: Auth, backend: Backend,
                content_id: Annotated[str, Path(alias="contentId")]) -> Response:
    """Returns a content record.

    Doc: fact sheet T2.
    """
    return ok(backend.get_content(principal.tenant_id, content_id))


@endpoint(router, "GET", f"{V1}/activities")
def query_activities(principal: Auth, backend: Backend, q: Query) -> Response:
    """Query activity records.

    Doc: /apidocs/query-activity-records. Activities come from fixtures, completions and
    enrolments opened by the emulator.
    """
    actions, omit = q.include_omit("actions", "omitActions")
    return ok(backend.query_activities(
        principal.tenant_id, q.paging("activities"), actions=actions, omit_actions=omit,
        content_ids=q.csv("contentIds"), content_type=q.text("contentType"),
        start=q.instant("timestampFrom"), end=q.instant("timestampTo", upper=True)))


@endpoint(router, "GET", f"{V1}/activity/{{activityId}}")
def get_activity(principal: Auth, backend: Backend,
                 activity_id: Annotated[str, Path(alias="activityId")]) -> Response:
    """Returns an activity record.

    Doc: fact sheet V2 (singular `activity`).
    """
    return ok(backend.get_activity(principal.tenant_id, activity_id))
