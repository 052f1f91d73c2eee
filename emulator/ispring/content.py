"""iSpring content: items, courses tree, learning tracks, modules, course fields, new content."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field
from sqlmodel import Session, col, select

from emulator.core.ids import time_uuid
from emulator.ispring.auth import (
    ContentRead,
    ContentWrite,
    Principal,
    Right,
    authenticate,
    operations,
)
from emulator.ispring.base import BackendBase
from emulator.ispring.errors import BadRequest, NotFound
from emulator.ispring.fields import Id, Name, StrList
from emulator.ispring.models import IspringContent, IspringCourseField, IspringModule, IspringUser
from emulator.ispring.schemas import (
    CONTENT_TYPES,
    Page,
    PageParams,
    RequestModel,
    iso_offset,
    page_params,
    page_tree,
)
from emulator.ispring.wire import Body, Entity, Items, OptionalBody, Query, Tree, created, ok


class CreateContent(RequestModel):
    folder_id: Id
    title: Name


class ContentFilter(PageParams):
    content_item_ids: StrList = Field(default_factory=list, alias="contentItemIds")
    content_types: StrList = Field(default_factory=list, alias="contentTypes")


def view_url(account_host: str, content: IspringContent) -> str:
    return f"https://{account_host}/view/{content.view_slug}"


def content_tree(content: IspringContent, account_host: str) -> Tree:
    values = [{"fieldId": f, "fieldValue": v} for f, v in sorted(content.field_values.items())]
    return {
        "contentItemId": content.content_id,
        "title": content.title,
        "subtitle": content.subtitle,
        "description": content.description,
        "userId": content.author_id,
        "addedDate": iso_offset(content.added_at),
        "viewUrl": view_url(account_host, content),
        "type": content.type,
        "contentItemType": content.type,
        "courseFields": Items("courseField", values) if values else None,
    }


def course_tree_item(content: IspringContent, parent_id: str | None,
                     account_host: str) -> Tree:
    """`GET /courses_tree` item; top-level items carry no parentId (inferred)."""
    return {
        "contentItemId": content.content_id,
        "title": content.title,
        "type": content.type,
        "description": content.description,
        "addedDate": iso_offset(content.added_at),
        "viewUrl": view_url(account_host, content),
        "parentId": parent_id,
        "isShared": False,
    }


def course_field_tree(field: IspringCourseField) -> Tree:
    return {"fieldId": field.field_id, "fieldCustomId": field.custom_id,
            "fieldLabel": field.label, "fieldType": field.type}


def course_module_tree(module: IspringModule, item: IspringContent | None,
                       account_host: str) -> Tree:
    """`GET /course/{id}/modules`: the CourseModule schema (§5.5)."""
    material = module.type == "material"
    return {
        "moduleId": module.module_id,
        "itemId": module.item_id,
        "courseId": module.course_id,
        "title": module.title,
        "description": module.description,
        "authorId": module.author_id if material else None,
        "addedDate": iso_offset(module.added_at),
        "type": module.type,
        "sequentialNumber": module.position,
        "trainingType": module.training_type if not material else None,
        "viewUrl": view_url(account_host, item) if material and item is not None else None,
    }


def courses_module_tree(module: IspringModule, item: IspringContent | None,
                        account_host: str) -> Tree:
    """`GET /courses/modules`: the CoursesModule schema (§5.5)."""
    return {
        "moduleId": module.module_id,
        "contentItemId": module.item_id,
        "courseId": module.course_id,
        "title": module.title,
        "description": module.description,
        "authorId": module.author_id,
        "addedDate": iso_offset(module.added_at),
        "viewUrl": view_url(account_host, item) if item is not None else None,
    }


class ContentOps(BackendBase):
    """Content items, the courses tree, learning tracks, modules, course fields, creation."""

    def list_content(self, p: Principal, types: Sequence[str]) -> list[IspringContent]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return list(session.exec(self._content_query(p, types).order_by(
                col(IspringContent.content_id))).all())

    def page_content(self, p: Principal, flt: ContentFilter) -> Page[IspringContent]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._keyset(session, self._content_query(p, flt.content_types,
                                                             flt.content_item_ids),
                                IspringContent.content_id, lambda c: c.content_id,
                                flt.page_size, flt.page_token)

    def get_content(self, p: Principal, content_id: str) -> IspringContent:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._content(session, p, content_id)

    def course_modules(self, p: Principal, course_id: str,
                       ) -> list[tuple[IspringModule, IspringContent | None]]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            course = self._content(session, p, course_id)
            if course.type != "Course":
                raise NotFound("Unknown content item")
            modules = session.exec(select(IspringModule).where(
                IspringModule.tenant_id == p.tenant_id,
                IspringModule.course_id == course.content_id).order_by(
                col(IspringModule.position))).all()
            return self._with_items(session, p.tenant_id, modules)

    def page_modules(self, p: Principal, course_ids: Sequence[str], params: PageParams,
                     ) -> Page[tuple[IspringModule, IspringContent | None]]:
        """`GET /courses/modules`: D10, courseIds optional (absent: modules of every course)."""
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            visible = select(IspringContent.content_id).where(
                IspringContent.tenant_id == p.tenant_id)
            if p.is_publisher:
                visible = visible.where(IspringContent.author_id == p.user_id)
            stmt = select(IspringModule).where(
                IspringModule.tenant_id == p.tenant_id, IspringModule.type == "material",
                col(IspringModule.course_id).in_(visible))
            if course_ids:
                stmt = stmt.where(col(IspringModule.course_id).in_([c.lower() for c in course_ids]))
            page = self._keyset(session, stmt, IspringModule.module_id, lambda m: m.module_id,
                                params.page_size, params.page_token)
            return Page(self._with_items(session, p.tenant_id, page.items), page.next_token)

    @staticmethod
    def _with_items(session: Session, tenant_id: str, modules: Sequence[IspringModule],
                    ) -> list[tuple[IspringModule, IspringContent | None]]:
        items = {c.content_id: c for c in session.exec(select(IspringContent).where(
            IspringContent.tenant_id == tenant_id,
            col(IspringContent.content_id).in_([m.item_id for m in modules]))).all()}
        return [(m, items.get(m.item_id)) for m in modules]

    def courses_tree(self, p: Principal, content_ids: Sequence[str],
                     ) -> list[tuple[IspringContent, str | None]]:
        """(item, parent ID): courses with their materials below them (§5.5, inferred).

        Without `contentItemIds` the roots are every item that is not a course module.
        """
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            items = {c.content_id: c for c in session.exec(self._content_query(p, ())).all()}
            children: dict[str, list[str]] = {}
            for m in session.exec(select(IspringModule).where(
                    IspringModule.tenant_id == p.tenant_id, IspringModule.type == "material")
                    .order_by(col(IspringModule.course_id), col(IspringModule.position))).all():
                children.setdefault(m.course_id, []).append(m.item_id)
            nested = {i for kids in children.values() for i in kids}
            roots = ([i.lower() for i in content_ids] if content_ids
                     else sorted(i for i in items if i not in nested))
            out: list[tuple[IspringContent, str | None]] = []
            for root in dict.fromkeys(roots):
                if root in items:
                    out.append((items[root], None))
                    out += [(items[kid], root) for kid in children.get(root, []) if kid in items]
            return out

    def learning_track_courses(self, p: Principal, track_ids: Sequence[str],
                               ) -> list[tuple[str, str]]:
        p.require(Right.CONTENT_READ)
        if not track_ids:
            raise BadRequest("Wrong parameters: learningTrackIds is required")
        with self._unit(p.tenant_id) as (session, _now):
            tracks = {t.content_id: t for t in session.exec(
                self._content_query(p, ["LearningTrack"], track_ids)).all()}
            return [(t, c) for t in dict.fromkeys(i.lower() for i in track_ids) if t in tracks
                    for c in tracks[t].course_ids]

    def course_fields(self, p: Principal) -> list[IspringCourseField]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return list(session.exec(select(IspringCourseField).where(
                IspringCourseField.tenant_id == p.tenant_id).order_by(
                col(IspringCourseField.position))).all())

    def create_content(self, p: Principal, content_type: str, body: CreateContent) -> str:
        """An empty content item in the library; folders are not modelled, so any folder ID
        is accepted (inferred)."""
        p.require(Right.CONTENT_WRITE)
        if content_type not in CONTENT_TYPES:
            raise BadRequest(f"Wrong parameters: unknown content type {content_type[:64]}")
        with self._unit(p.tenant_id) as (session, now):
            author = p.user_id or self._owner_id(session, p.tenant_id)
            content_id = time_uuid(now)
            session.add(IspringContent(tenant_id=p.tenant_id, content_id=content_id,
                                       title=body.title, type=content_type, author_id=author,
                                       added_at=now, view_slug=content_id))
            return content_id

    def _owner_id(self, session: Session, tenant_id: str) -> str:
        roles = self._roles(session, tenant_id)
        users = session.exec(select(IspringUser).where(IspringUser.tenant_id == tenant_id)
                             .order_by(col(IspringUser.user_id))).all()
        return next((u.user_id for u in users if self._is_owner(u, roles)), "")


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[ContentOps, operations(ContentOps)]


def host_of(caller: Principal) -> str:
    return caller.tenant_id  # the tenant id is the account's host name


@router.get("/content")
def get_content(request: Request, caller: ContentRead, q: Query, backend: Backend) -> Response:
    """Get the content items (un-paged).

    Vendor doc: "Getting a List of Courses" (§5.5); `contentTypes` filter. Not emulated:
    title localization by `X-Target-Locale` (accepted, ignored).
    """
    items = backend.list_content(caller, q.strings("contentTypes"))
    host = host_of(caller)
    return ok(request, Items("contentItem", [content_tree(c, host) for c in items]))


@router.get("/contents")
def list_content(request: Request, caller: ContentRead, q: Query, backend: Backend) -> Response:
    """List content items (paged).

    Vendor doc: §5.5, ContentItemsInformationPage; `contentItemIds[]`, `contentTypes`.
    """
    flt = ContentFilter.parse({"pageSize": q.integer("pageSize"),
                                 "pageToken": q.text("pageToken"),
                                 "contentItemIds": q.strings("contentItemIds"),
                                 "contentTypes": q.strings("contentTypes")})
    return _content_page(request, caller, backend, flt)


@router.post("/contents")
def list_content_by_post(request: Request, caller: ContentRead, body: OptionalBody, q: Query,
                         backend: Backend) -> Response:
    """List content items with the filters in the body.

    Vendor doc: §5.5; pageSize/pageToken in the body or the query (inferred).
    """
    merged: Tree = {"pageSize": q.integer("pageSize"), "pageToken": q.text("pageToken"), **body}
    return _content_page(request, caller, backend, ContentFilter.parse(merged))


def _content_page(request: Request, caller: Principal, backend: ContentOps,
                  flt: ContentFilter) -> Response:
    page = backend.page_content(caller, flt)
    host = host_of(caller)
    return ok(request, page_tree("contentItems", "contentItem",
                                   [content_tree(c, host) for c in page.items],
                                   page.next_token))


@router.get("/content/{content_id}")
def get_content_item(request: Request, content_id: str, caller: ContentRead,
                     backend: Backend) -> Response:
    """Get a content item.

    Vendor doc: "Getting Course Info" (§5.5); XML `<contentItem>`, JSON bare (D1); unknown →
    404 "Unknown content item" (D11).
    """
    item = backend.get_content(caller, content_id)
    return ok(request, Entity("contentItem", content_tree(item, host_of(caller))))


@router.get("/courses_tree")
def get_courses_tree(request: Request, caller: ContentRead, q: Query,
                     backend: Backend) -> Response:
    """Get the tree of courses and their materials.

    Vendor doc: §5.5 CourseTreeItem; items `<contentItem>`, `parentId` absent at the top
    (inferred); `contentItemIds` picks the roots. Not emulated: shared items (isShared is false).
    """
    items = backend.courses_tree(caller, q.strings("contentItemIds"))
    host = host_of(caller)
    return ok(request, Items("contentItem", [course_tree_item(c, parent, host)
                                             for c, parent in items]))


@router.get("/learning_track/courses")
def list_learning_tracks_courses(request: Request, caller: ContentRead, q: Query,
                                 backend: Backend) -> Response:
    """Get the courses of learning tracks.

    Vendor doc: §5.5; `learningTrackIds` (comma list, required); items `learningTracksCourse`.
    """
    pairs = backend.learning_track_courses(caller, q.strings("learningTrackIds"))
    return ok(request, Items("learningTracksCourse", [
        {"learningTrackId": track, "courseId": course} for track, course in pairs]))


@router.get("/course_fields")
def list_course_fields(request: Request, caller: ContentRead, backend: Backend) -> Response:
    """Get the account's custom course fields.

    Vendor doc: §5.5 CourseFields; values appear on content items as `courseFields`.
    """
    fields = backend.course_fields(caller)
    return ok(request, {"courseFields": Items("courseField",
                                              [course_field_tree(f) for f in fields])})


@router.post("/content/create/{content_type}")
def create_content(request: Request, content_type: str, caller: ContentWrite, body: Body,
                   backend: Backend) -> Response:
    """Create an empty content item.

    Vendor doc: §5.5 CreateCourseRequest `{folder_id, title}`; 201 with the new ID. Not
    emulated: library folders (any folder ID is accepted) and content upload. The document
    declares only a JSON answer, so the new ID is a JSON string whatever `Accept` says (errors
    are negotiated as everywhere: the document gives them in both formats).
    """
    new_id = backend.create_content(caller, content_type, CreateContent.parse(body))
    return created(request, new_id, json_only=True)


@router.get("/courses/modules")
def list_courses_modules(request: Request, caller: ContentRead, q: Query,
                         backend: Backend) -> Response:
    """List the modules of courses (paged).

    Vendor doc: §5.5 (deprecated by the vendor); `courseIds[]` optional (D10); the token field
    is `nextPageToken`. Not emulated: none (trainings are excluded, as documented).
    """
    page = backend.page_modules(caller, q.strings("courseIds"), page_params(q))
    host = host_of(caller)
    return ok(request, page_tree("modules", "module",
                                   [courses_module_tree(m, i, host) for m, i in page.items],
                                   page.next_token))


@router.get("/course/{course_id}/modules")
def list_course_modules(request: Request, course_id: str, caller: ContentRead,
                        backend: Backend) -> Response:
    """Get the modules of a course.

    Vendor doc: "Getting a List of Course Content and Trainings" (§5.5), CourseModule; unknown
    course → 404 ErrorResponse "Unknown content item".
    """
    modules = backend.course_modules(caller, course_id)
    host = host_of(caller)
    return ok(request, {"modules": Items("module", [course_module_tree(m, i, host)
                                                    for m, i in modules])})
