"""iSpring on-the-job training: checklists, their observation sessions and the sessions' results.

The vendor document gives four read operations, all `POST` with an optional filter body and a
bare list answer (no paging). Decisions where it is silent (also in `docs/ispring.md`):
- Right `jobtraining.read`; a department-scoped caller sees only sessions whose employee is in
  its departments; checklists themselves are account-wide.
- Filters only narrow (D14): unknown IDs match nothing; malformed IDs are a 400; an empty body
  (or none) is no filter. With `sessionIds`, checklists without one of them are left out.
- Scores: a criterion is worth its points; skipped criteria count for nothing; `totalPoints` is
  the sum over the non-skipped criteria, `points` what the employee got, `result` the
  percentage (two decimals). Session scores are given for `PASSED` sessions only; the two
  `completed-session` operations list `PASSED` sessions only.
- Order: by checklist ID, then session ID, then the checklist's own order of groups/criteria.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BeforeValidator, Field
from sqlmodel import Session, col, select

from emulator.ispring.auth import JobTrainingRead, Principal, Right, authenticate, operations
from emulator.ispring.base import BackendBase
from emulator.ispring.errors import BadRequest
from emulator.ispring.fields import IdList, OptId, _choice, _optional
from emulator.ispring.models import IspringChecklist, IspringChecklistSession
from emulator.ispring.schemas import RequestModel, ids, iso_offset, number
from emulator.ispring.wire import Items, OptionalBody, Tree, ok

SESSION_STATUSES = ("NOT_STARTED", "IN_PROGRESS", "PASSED")


class JobTrainingFilter(RequestModel):
    """The union of the four operations' filters; each route admits only its own keys."""

    checklist_ids: IdList = Field(default_factory=list, alias="checklistIds")
    checklist_id: OptId = Field(default=None, alias="checklistId")
    session_status: Annotated[str | None, BeforeValidator(_optional(_choice(*SESSION_STATUSES)))
                              ] = Field(default=None, alias="sessionStatus")
    session_ids: IdList = Field(default_factory=list, alias="sessionIds")
    group_ids: IdList = Field(default_factory=list, alias="groupIds")
    criterion_ids: IdList = Field(default_factory=list, alias="criterionIds")


def parse_filter(body: Tree, allowed: Sequence[str]) -> JobTrainingFilter:
    """The operation's filter: a key of another job-training operation is unknown here too."""
    extra = next((k for k in body if k not in allowed), None)
    if extra is not None:
        raise BadRequest(f"Wrong parameters: unknown parameter {extra}")
    return JobTrainingFilter.parse(body)


@dataclass(frozen=True)
class Observation:
    """A session with its checklist: what every result row is built from."""

    session: IspringChecklistSession
    checklist: IspringChecklist


def _criteria(groups: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for g in groups for c in g["criteria"]]


def _score(criteria: Iterable[dict[str, Any]], marks: dict[str, Any]) -> Tree:
    total = points = 0.0
    for criterion in criteria:
        mark = marks.get(criterion["criterionId"], {})
        if mark.get("skipped"):
            continue
        total += float(criterion["points"])
        points += float(mark.get("points", 0))
    return {"result": number(points * 100 / total if total else 0),
            "totalPoints": number(total), "points": number(points)}


def _people(o: Observation) -> Tree:
    return {"employeeId": o.session.employee_id, "observerId": o.session.observer_id}


def session_result_tree(o: Observation) -> Tree:
    s = o.session
    tree: Tree = {"checklistId": o.checklist.checklist_id, "checklistTitle": o.checklist.title,
                  "sessionId": s.session_id, "sessionStatus": s.status,
                  "startDate": iso_offset(s.start_date),
                  "actualStartDate": s.actual_start_date and iso_offset(s.actual_start_date),
                  "completionDate": s.completion_date and iso_offset(s.completion_date)}
    if s.status == "PASSED":
        tree.update(_score(_criteria(o.checklist.groups), s.marks))
    return {**tree, **_people(o)}


def group_result_trees(o: Observation, group_ids: Sequence[str]) -> list[Tree]:
    return [{"groupId": g["groupId"], "checklistId": o.checklist.checklist_id,
             "groupTitle": g["title"], "sessionId": o.session.session_id,
             **_score(g["criteria"], o.session.marks), **_people(o)}
            for g in o.checklist.groups if not group_ids or g["groupId"] in group_ids]


def criterion_result_trees(o: Observation, group_ids: Sequence[str],
                           criterion_ids: Sequence[str]) -> list[Tree]:
    out: list[Tree] = []
    for g in o.checklist.groups:
        if group_ids and g["groupId"] not in group_ids:
            continue
        for c in g["criteria"]:
            if criterion_ids and c["criterionId"] not in criterion_ids:
                continue
            mark = o.session.marks.get(c["criterionId"], {})
            skipped = bool(mark.get("skipped"))
            out.append({"criterionId": c["criterionId"], "groupId": g["groupId"],
                        "checklistId": o.checklist.checklist_id, "criterionTitle": c["title"],
                        "sessionId": o.session.session_id, "skipped": skipped,
                        "totalPoints": number(float(c["points"])),
                        "points": None if skipped else number(float(mark.get("points", 0))),
                        **_people(o)})
    return out


class JobTrainingOps(BackendBase):
    """Checklists and their sessions, read with the caller's department scope."""

    def _observations(self, session: Session, p: Principal, f: JobTrainingFilter,
                      passed_only: bool = False) -> list[Observation]:
        checklist_ids = [*f.checklist_ids, *([f.checklist_id] if f.checklist_id else [])]
        stmt = self._scoped_users(select(IspringChecklistSession).where(
            IspringChecklistSession.tenant_id == p.tenant_id), p,
            IspringChecklistSession.employee_id)
        if checklist_ids:
            stmt = stmt.where(col(IspringChecklistSession.checklist_id).in_(checklist_ids))
        if f.session_ids:
            stmt = stmt.where(col(IspringChecklistSession.session_id).in_(f.session_ids))
        status = "PASSED" if passed_only else f.session_status
        if status is not None:
            stmt = stmt.where(IspringChecklistSession.status == status)
        rows = session.exec(stmt).all()
        checklists = self._checklists(session, p.tenant_id, {r.checklist_id for r in rows})
        found = [Observation(r, checklists[r.checklist_id]) for r in rows
                 if r.checklist_id in checklists]
        return sorted(found, key=lambda o: (o.checklist.checklist_id, o.session.session_id))

    @staticmethod
    def _checklists(session: Session, tenant_id: str, checklist_ids: Iterable[str] | None,
                    ) -> dict[str, IspringChecklist]:
        stmt = select(IspringChecklist).where(IspringChecklist.tenant_id == tenant_id)
        if checklist_ids is not None:
            stmt = stmt.where(col(IspringChecklist.checklist_id).in_(list(checklist_ids)))
        return {c.checklist_id: c for c in session.exec(stmt).all()}

    def checklist_sessions(self, p: Principal, f: JobTrainingFilter,
                           ) -> list[tuple[IspringChecklist, list[str]]]:
        p.require(Right.JOB_TRAINING_READ)
        with self._unit(p.tenant_id) as (session, _now):
            observations = self._observations(session, p, f)
            sessions: dict[str, list[str]] = {}
            for o in observations:
                sessions.setdefault(o.checklist.checklist_id, []).append(o.session.session_id)
            wanted = f.checklist_ids or None
            checklists = self._checklists(session, p.tenant_id, wanted)
            return [(checklists[k], sessions.get(k, [])) for k in sorted(checklists)
                    if k in sessions or not f.session_ids]

    def sessions_result(self, p: Principal, f: JobTrainingFilter) -> list[Observation]:
        p.require(Right.JOB_TRAINING_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._observations(session, p, f)

    def completed_sessions(self, p: Principal, f: JobTrainingFilter) -> list[Observation]:
        p.require(Right.JOB_TRAINING_READ)
        with self._unit(p.tenant_id) as (session, _now):
            return self._observations(session, p, f, passed_only=True)


def checklist_sessions_tree(checklist: IspringChecklist, session_ids: list[str]) -> Tree:
    return {"checklistId": checklist.checklist_id, "checklistTitle": checklist.title,
            "checklistStatus": checklist.status, "sessionIds": ids(session_ids)}


router = APIRouter(dependencies=[Depends(authenticate)])
Backend = Annotated[JobTrainingOps, operations(JobTrainingOps)]


@router.post("/job-training/checklist/sessions/list")
def list_checklist_sessions(request: Request, caller: JobTrainingRead, body: OptionalBody,
                            backend: Backend) -> Response:
    """List checklists with their sessions.

    Vendor OAS: ListChecklistsSessionsRequest `{checklistIds?, sessionIds?}` →
    ChecklistSessionsData[] (XML items `<checklistSessions>`, `sessionIds` as `<id>` items like
    every ID list).
    """
    f = parse_filter(body, ("checklistIds", "sessionIds"))
    rows = backend.checklist_sessions(caller, f)
    return ok(request, Items("checklistSessions",
                             [checklist_sessions_tree(c, s) for c, s in rows]))


@router.post("/job-training/sessions/result/list")
def list_sessions_result(request: Request, caller: JobTrainingRead, body: OptionalBody,
                         backend: Backend) -> Response:
    """List job-training sessions with their results.

    Vendor OAS: ListSessionsResultRequest `{checklistId?, sessionStatus?, sessionIds?}` →
    JobTrainingSessionResultData[] (XML items `<jobTrainingSessionResult>`).
    """
    f = parse_filter(body, ("checklistId", "sessionStatus", "sessionIds"))
    rows = backend.sessions_result(caller, f)
    return ok(request, Items("jobTrainingSessionResult", [session_result_tree(o) for o in rows]))


@router.post("/job-training/completed-session/criterion-group/result/list")
def list_criterion_groups_result(request: Request, caller: JobTrainingRead, body: OptionalBody,
                                 backend: Backend) -> Response:
    """List criterion-group results of completed job-training sessions.

    Vendor OAS: ListCriterionGroupsResultRequest `{checklistId?, sessionIds?, groupIds?}` →
    CriterionGroupResultData[] (XML items `<criterionGroupResultData>`).
    """
    f = parse_filter(body, ("checklistId", "sessionIds", "groupIds"))
    rows = backend.completed_sessions(caller, f)
    return ok(request, Items("criterionGroupResultData",
                             [t for o in rows for t in group_result_trees(o, f.group_ids)]))


@router.post("/job-training/completed-session/criterion/result/list")
def list_criterion_result(request: Request, caller: JobTrainingRead, body: OptionalBody,
                          backend: Backend) -> Response:
    """List criterion results of completed job-training sessions.

    Vendor OAS: ListCriterionResultRequest `{checklistId?, sessionIds?, groupIds?,
    criterionIds?}` → CriterionResultData[] (XML items `<criterionResultData>`).
    """
    f = parse_filter(body, ("checklistId", "sessionIds", "groupIds", "criterionIds"))
    rows = backend.completed_sessions(caller, f)
    return ok(request, Items("criterionResultData", [
        t for o in rows for t in criterion_result_trees(o, f.group_ids, f.criterion_ids)]))
