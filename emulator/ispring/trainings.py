"""iSpring trainings: trainings, their sessions and days, session participants and attendance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Self

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BeforeValidator, Field, model_validator
from sqlmodel import Session, col, select

from emulator.ispring.auth import (
    ContentRead,
    Principal,
    ResultsRead,
    Right,
    StatisticsWrite,
    authenticate,
    operations,
)
from emulator.ispring.base import BackendBase, decode_page_token, encode_page_token, page_size
from emulator.ispring.errors import BadRequest, NotFound, PermissionDenied, PlainNotFound
from emulator.ispring.fields import Id, OptInt, OptText, _flag
from emulator.ispring.models import IspringTraining, IspringTrainingDay, IspringTrainingSession
from emulator.ispring.schemas import (
    Page,
    PageParams,
    RequestModel,
    _pre_items,
    ids,
    iso_offset,
    page_params,
)
from emulator.ispring.wire import Body, Entity, Items, Query, Tree, empty, ok


class UpdateDay(RequestModel):
    url: OptText = None  # the document marks nothing required: without it nothing changes


class AttendanceIn(RequestModel):
    participant_id: Id = Field(alias="participantId")
    is_attended: Annotated[bool, BeforeValidator(_flag)] = Field(alias="isAttended")
    duration: OptInt = None

    @model_validator(mode="after")
    def _not_negative(self) -> Self:
        if self.duration is not None and self.duration < 0:
            raise ValueError("duration must not be negative")
        return self


class DayAttendance(RequestModel):
    participants_attendance: Annotated[list[AttendanceIn], BeforeValidator(_pre_items)] = Field(
        alias="participantsAttendance", min_length=1)


def training_tree(training: IspringTraining, session_ids: Sequence[str]) -> Tree:
    return {"title": training.title, "organizer": training.organizer_id,
            "sessions": ids(session_ids), "type": training.type}


def training_session_tree(session: IspringTrainingSession, day_ids: Sequence[str]) -> Tree:
    return {"id": session.session_id, "title": session.title,
            "startTime": iso_offset(session.start_time), "duration": session.duration,
            "instructor": session.instructor, "dayIds": ids(day_ids)}


def training_day_tree(day: IspringTrainingDay, training_id: str) -> Tree:
    return {"dayId": day.day_id, "sessionId": day.session_id, "trainingId": training_id,
            "startTime": iso_offset(day.start_time), "duration": day.duration,
            "location": day.location, "url": day.url}


class TrainingsOps(BackendBase):
    """Trainings, sessions, days, participants and attendance."""

    @staticmethod
    def _day_ids(session: Session, tenant_id: str, session_ids: Sequence[str],
                 ) -> dict[str, list[str]]:
        days: dict[str, list[str]] = {i: [] for i in session_ids}
        for day in session.exec(select(IspringTrainingDay).where(
                IspringTrainingDay.tenant_id == tenant_id,
                col(IspringTrainingDay.session_id).in_(session_ids)).order_by(
                col(IspringTrainingDay.start_time), col(IspringTrainingDay.day_id))).all():
            days[day.session_id].append(day.day_id)
        return days

    @staticmethod
    def _sessions_of(session: Session, tenant_id: str, training_id: str,
                     ) -> list[IspringTrainingSession]:
        return list(session.exec(select(IspringTrainingSession).where(
            IspringTrainingSession.tenant_id == tenant_id,
            IspringTrainingSession.training_id == training_id).order_by(
            col(IspringTrainingSession.start_time), col(IspringTrainingSession.session_id))).all())

    def get_training(self, p: Principal, training_id: str) -> tuple[IspringTraining, list[str]]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            training = session.get(IspringTraining, (p.tenant_id, training_id.lower()))
            if training is None:
                raise NotFound("Unknown training")
            sessions = self._sessions_of(session, p.tenant_id, training.training_id)
            return training, [x.session_id for x in sessions]

    def training_sessions(self, p: Principal, training_id: str,
                          ) -> list[tuple[IspringTrainingSession, list[str]]]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            training = session.get(IspringTraining, (p.tenant_id, training_id.lower()))
            if training is None:
                raise NotFound("Session not found")  # the OAS's 404 text for this operation
            sessions = self._sessions_of(session, p.tenant_id, training.training_id)
            days = self._day_ids(session, p.tenant_id, [x.session_id for x in sessions])
            return [(x, days[x.session_id]) for x in sessions]

    def _training_session(self, session: Session, p: Principal, session_id: str,
                          not_found: NotFound) -> IspringTrainingSession:
        row = session.get(IspringTrainingSession, (p.tenant_id, session_id.lower()))
        if row is None:
            raise not_found
        return row

    def get_training_session(self, p: Principal, session_id: str,
                             ) -> tuple[IspringTrainingSession, list[str]]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._training_session(session, p, session_id,
                                         PlainNotFound("Training session not found"))
            return row, self._day_ids(session, p.tenant_id, [row.session_id])[row.session_id]

    def session_participants(self, p: Principal, session_id: str, params: PageParams,
                             ) -> Page[str]:
        """Participants the caller may see, keyed by user ID (D19 applied, inferred)."""
        p.require(Right.RESULTS_READ)
        size = page_size(params.page_size)
        start = decode_page_token(params.page_token)
        with self._unit(p.tenant_id) as (session, _now):
            row = self._training_session(session, p, session_id, NotFound("Session not found"))
            users = self._users_by_id(session, p.tenant_id, row.participants)
            visible = sorted(u for u in row.participants
                             if u in users and p.covers(users[u].department_id)
                             and (start is None or u >= start))
            if len(visible) > size:
                return Page(visible[:size], encode_page_token(visible[size]))
            return Page(visible, None)

    def _day(self, session: Session, p: Principal, day_id: str, not_found: NotFound,
             ) -> IspringTrainingDay:
        day = session.get(IspringTrainingDay, (p.tenant_id, day_id.lower()))
        if day is None:
            raise not_found
        return day

    def get_training_day(self, p: Principal, day_id: str) -> tuple[IspringTrainingDay, str]:
        p.require(Right.CONTENT_READ)
        with self._unit(p.tenant_id) as (session, _now):
            day = self._day(session, p, day_id, PlainNotFound("Day not found"))
            owner = session.get(IspringTrainingSession, (p.tenant_id, day.session_id))
            return day, owner.training_id if owner else ""

    def update_training_day(self, p: Principal, day_id: str, body: UpdateDay) -> None:
        p.require(Right.STATISTICS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            day = self._day(session, p, day_id, NotFound("Day not found"))
            if body.url is not None:
                day.url = body.url
                session.add(day)

    def update_attendance(self, p: Principal, day_id: str, body: DayAttendance) -> None:
        """Attendance of the day's session participants; others are a 400 (inferred)."""
        p.require(Right.STATISTICS_WRITE)
        with self._unit(p.tenant_id) as (session, _now):
            day = self._day(session, p, day_id, NotFound("Day not found"))
            owner = session.get(IspringTrainingSession, (p.tenant_id, day.session_id))
            registered = set(owner.participants if owner else [])
            users = self._users_by_id(session, p.tenant_id,
                                      [a.participant_id for a in body.participants_attendance])
            if any(not p.covers(u.department_id) for u in users.values()):
                raise PermissionDenied()
            attendance = dict(day.attendance)
            for item in body.participants_attendance:
                if item.participant_id not in registered:
                    raise BadRequest(f"Wrong parameters: {item.participant_id} is not a "
                                     f"participant of session {day.session_id}")
                attendance[item.participant_id] = {"isAttended": item.is_attended,
                                                   "duration": item.duration}
            day.attendance = attendance
            session.add(day)


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[TrainingsOps, operations(TrainingsOps)]


@router.get("/training/{training_id}")
def get_training_by_id(request: Request, training_id: str, caller: ContentRead,
                       backend: Backend) -> Response:
    """Get a training.

    Vendor doc: §5.11 Training `{title, organizer, sessions, type}`; XML `<training>`, JSON bare
    (D1); unknown → 404 "Unknown training" (D11).
    """
    training, sessions = backend.get_training(caller, training_id)
    return ok(request, Entity("training", training_tree(training, sessions)))


@router.get("/training/{training_id}/sessions")
def list_sessions_by_training_id(request: Request, training_id: str, caller: ContentRead,
                                 backend: Backend) -> Response:
    """Get a training's sessions.

    Vendor doc: §5.11 TrainingSession[]; XML items `<trainingSession>`; unknown training → 404
    "Session not found" (the OAS's text).
    """
    sessions = backend.training_sessions(caller, training_id)
    return ok(request, Items("trainingSession", [training_session_tree(x, days)
                                                 for x, days in sessions]))


@router.get("/training/session/{training_session_id}")
def get_training_session(request: Request, training_session_id: str, caller: ContentRead,
                         backend: Backend) -> Response:
    """Get a training session.

    Vendor doc: §5.11; unknown → 404 text/plain "Training session not found" (§4.10).
    """
    row, days = backend.get_training_session(caller, training_session_id)
    return ok(request, Entity("trainingSession", training_session_tree(row, days)))


@router.get("/training/session/participants/{session_id}")
def list_session_participants(request: Request, session_id: str, caller: ResultsRead,
                              q: Query, backend: Backend) -> Response:
    """List a session's participants (paged user IDs).

    Vendor doc: §5.11 ParticipantsPage `{participants, nextPageToken}` (inferred over the bare
    array the operation declares, since it pages); unknown → 404 "Session not found".
    """
    page = backend.session_participants(caller, session_id, page_params(q))
    return ok(request, {"participants": ids(page.items), "nextPageToken": page.next_token})


@router.get("/training/day/{day_id}")
def get_day(request: Request, day_id: str, caller: ContentRead, backend: Backend) -> Response:
    """Get a session day.

    Vendor doc: §5.11 Day (XML element `<Day>`, as the OAS names it); unknown → 404 text/plain
    "Day not found".
    """
    day, training_id = backend.get_training_day(caller, day_id)
    return ok(request, Entity("Day", training_day_tree(day, training_id)))


@router.post("/training/day/{day_id}")
def update_day(request: Request, day_id: str, caller: StatisticsWrite, body: Body,
               backend: Backend) -> Response:
    """Change a session day's URL.

    Vendor doc: §5.11 UpdateDay `{url}` (optional: without it nothing changes); 200 empty;
    unknown → 404 "Day not found".
    """
    backend.update_training_day(caller, day_id, UpdateDay.parse(body))
    return empty(request)


@router.post("/training/day/{day_id}/participants/attendance/update")
def update_day_participants_attendance(request: Request, day_id: str, caller: StatisticsWrite,
                                       body: Body, backend: Backend) -> Response:
    """Record participants' attendance of a session day.

    Vendor doc: §5.11 `{participantsAttendance: [{participantId, isAttended, duration?}]}`;
    unknown day → 404 "Day not found"; a non-participant → 400 (inferred).
    """
    backend.update_attendance(caller, day_id, DayAttendance.parse(body))
    return empty(request)
