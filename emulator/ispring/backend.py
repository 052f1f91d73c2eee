"""`IspringBackend`: the shared base plus every resource's operations; seeding, credentials.

Every operation is usable without HTTP; each resource module holds its own operations mixin
(`<Resource>Ops`), and this class puts them together over one `ctx.db`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel

from emulator.core.ids import token
from emulator.core.secrets import stored_secret
from emulator.ispring.appraisal_cards import AppraisalCardsOps
from emulator.ispring.appraisals import AppraisalsOps
from emulator.ispring.base import INHERIT
from emulator.ispring.competencies import CompetenciesOps
from emulator.ispring.content import ContentOps
from emulator.ispring.departments import DepartmentsOps
from emulator.ispring.enrollments import EnrollmentsOps
from emulator.ispring.gamification import GamificationOps
from emulator.ispring.groups import GroupsOps
from emulator.ispring.job_training import JobTrainingOps
from emulator.ispring.models import (
    IspringApiKey,
    IspringAppraisalCard,
    IspringAppraisalQuestion,
    IspringAppraisalReview,
    IspringAppraisalSession,
    IspringAssignmentAttempt,
    IspringChecklist,
    IspringChecklistSession,
    IspringCompetency,
    IspringCompetencyGroup,
    IspringCompetencyIndicator,
    IspringCompetencyProfile,
    IspringCompetencyScale,
    IspringContent,
    IspringCourseField,
    IspringDepartment,
    IspringEnrollment,
    IspringGroup,
    IspringGroupMember,
    IspringModule,
    IspringModuleResult,
    IspringProfileField,
    IspringQuizAnswer,
    IspringRole,
    IspringTraining,
    IspringTrainingDay,
    IspringTrainingSession,
    IspringUser,
)
from emulator.ispring.packs import AppraisalSessionFixture
from emulator.ispring.quizzes import QuizzesOps
from emulator.ispring.results import ResultsOps
from emulator.ispring.schemas import IspringFixture, UserFixture
from emulator.ispring.smart_groups import SmartGroupsOps
from emulator.ispring.statistics import StatisticsOps
from emulator.ispring.tokens import TokensOps
from emulator.ispring.trainings import TrainingsOps
from emulator.ispring.user_lifecycle import UserLifecycleOps
from emulator.ispring.users import UsersOps
from emulator.ispring.webhooks import WebhooksOps


def fresh_credentials(tenant_id: str) -> dict[str, Any]:
    return {"accountUrl": f"https://{tenant_id}",
            "apiKeys": [{"clientId": str(uuid.uuid4()), "clientSecret": token(32)}]}


def fixture_credentials(tenant_id: str, fixture: IspringFixture) -> dict[str, Any]:
    return {"accountUrl": fixture.account_url,
            "apiKeys": [k.model_dump(by_alias=True) for k in fixture.api_keys],
            "users": _login_credentials(fixture)}


def _login_credentials(fixture: IspringFixture) -> list[dict[str, Any]]:
    return [{"login": u.login, "password": u.password, "role": _fixture_role_type(fixture, u)}
            for u in fixture.users]


def seed(session: Session, tenant_id: str, fixture: IspringFixture, now: datetime,
         credentials: dict[str, Any] | None) -> dict[str, Any]:
    """Write a pack's rows for one account: plain rows, one bulk INSERT per table.

    ORM objects are skipped on purpose: building ~100 SQLModel instances costs more than the
    inserts themselves, and a fresh account must be ready in a few milliseconds.
    """
    creds: dict[str, Any] = dict(credentials) if credentials else fixture_credentials(
        tenant_id, fixture)
    creds["users"] = _login_credentials(fixture)
    rows: dict[type[SQLModel], list[dict[str, Any]]] = {}

    def add(model: type[SQLModel], **values: Any) -> None:
        rows.setdefault(model, []).append({"tenant_id": tenant_id, **values})

    for k in creds["apiKeys"]:
        add(IspringApiKey, client_id=k["clientId"], client_secret=stored_secret(k["clientSecret"]))
    for d in fixture.departments:
        add(IspringDepartment, department_id=d.id, name=d.name, parent_id=d.parent_id,
            code=d.code, subordination=INHERIT, co_subordination=INHERIT)
    for role in fixture.roles:
        add(IspringRole, role_id=role.id, type=role.type, title=role.title,
            description=role.description, rights=list(role.rights))
    for i, cf in enumerate(fixture.course_fields):
        add(IspringCourseField, field_id=cf.id, custom_id=cf.custom_id, label=cf.label,
            position=i)
    for i, f in enumerate(fixture.profile_fields):
        add(IspringProfileField, field_id=f.id, name=f.name, label=f.label, type=f.type,
            is_unique=f.is_unique, is_required=f.is_required, order_priority=i,
            values=list(f.values))
    field_keys = fixture.field_keys()
    for u in fixture.users:
        fields = {field_keys[k.upper()]: v for k, v in u.fields.items()}
        fields["LOGIN"] = u.login
        if u.email:
            fields["EMAIL"] = u.email
        add(IspringUser, user_id=u.id, login=u.login, email=u.email,
            password=stored_secret(u.password),
            department_id=u.department_id, status=u.status, fields=fields,
            roles=[{"roleId": r.role_id,
                    "manageableDepartmentIds": list(r.manageable_department_ids)}
                   for r in u.roles],
            subordination=INHERIT, co_subordination=INHERIT, added_at=u.added_date,
            last_login_at=u.last_login_date, points=u.points)
    for g in fixture.groups:
        add(IspringGroup, group_id=g.id, name=g.name, is_smart=g.rules is not None,
            rules=g.rules)
        for member in g.user_ids:
            add(IspringGroupMember, group_id=g.id, user_id=member)
    for c in fixture.content:
        add(IspringContent, content_id=c.id, title=c.title, subtitle=c.subtitle,
            description=c.description, type=c.type, author_id=c.author_id,
            added_at=c.added_date, view_slug=c.view_slug, passing_score=c.passing_score,
            default_due_period=c.default_due_period, certificate=c.certificate,
            quiz_id=c.quiz_id, course_ids=list(c.course_ids), field_values=dict(c.field_values),
            instructor_id=c.instructor_id)
        for i, m in enumerate(c.modules):
            add(IspringModule, module_id=m.id, course_id=c.id, item_id=m.item_id,
                title=m.title, description=m.description, type=m.type,
                author_id=c.author_id, added_at=c.added_date, position=i + 1,
                training_type=m.training_type)
    for e in fixture.enrollments:
        add(IspringEnrollment, enrollment_id=e.id, course_id=e.course_id,
            learner_id=e.learner_id, access_at=e.access_date, due_date_type=e.due_date_type,
            due_date=e.due_date, lock_after_due_date=e.lock_after_due_date,
            type_group=e.type_group, created_at=e.access_date, status_override=e.course_status,
            override_at=e.completion_date, override_score=e.course_score,
            time_spent=e.time_spent, views=e.views, last_view_at=e.last_view_date,
            certificate_id=e.certificate_id, certificate_at=e.certificate_date)
        for r in e.module_results:
            add(IspringModuleResult, enrollment_id=e.id, module_id=r.module_id,
                status=r.status, score=r.score, completed_at=r.completion_date,
                time_spent=r.time_spent, views=r.views, last_view_at=r.last_view_date)
    for tr in fixture.trainings:
        add(IspringTraining, training_id=tr.id, title=tr.title, organizer_id=tr.organizer_id,
            type=tr.type)
        for ses in tr.sessions:
            add(IspringTrainingSession, session_id=ses.id, training_id=tr.id,
                title=ses.title, start_time=ses.start_time, duration=ses.duration,
                instructor=ses.instructor, participants=list(ses.participants))
            for day in ses.days:
                add(IspringTrainingDay, day_id=day.id, session_id=ses.id,
                    start_time=day.start_time, duration=day.duration, location=day.location,
                    url=day.url, attendance={})
    learner_of = {e.id: e.learner_id for e in fixture.enrollments}
    for q in fixture.quiz_answers:
        add(IspringQuizAnswer, answer_id=q.id, quiz_item_id=q.quiz_item_id,
            enrollment_id=q.enrollment_id, user_id=learner_of[q.enrollment_id],
            quiz_version=q.quiz_version, attempt_date=q.attempt_date,
            attempt_passed=q.is_attempt_passed, attempt_score=q.attempt_score,
            passing_score=q.passing_score, question_number=q.question_number,
            question_title=q.question_title, question_type=q.question_type,
            question_score=q.question_score, question_group=q.question_group,
            statement_title=q.statement_title, answer_text=q.answer_text,
            custom_answer_text=q.custom_answer_text, is_correct=q.is_answer_correct,
            answer_score=q.answer_score)
    for a in fixture.assignment_attempts:
        add(IspringAssignmentAttempt, attempt_id=a.id, assignment_id=a.assignment_id,
            enrollment_id=a.enrollment_id, user_id=learner_of[a.enrollment_id],
            comment=a.comment, attachments=[x.model_dump(by_alias=True) for x in a.attachments],
            submitted_at=a.submitted_date)
    _seed_performance(add, fixture, tenant_id)
    _seed_appraisals(add, fixture.appraisal_sessions)
    for model, values in rows.items():
        _bulk_insert(session, model, values)
    return creds


def _seed_performance(add: Callable[..., None], fixture: IspringFixture, tenant_id: str) -> None:
    """The competency library and job-training checklists; a library always has a root group."""
    for sc in fixture.competency_scales:
        add(IspringCompetencyScale, scale_id=sc.id, name=sc.name,
            levels=[{"levelId": lv.id, "name": lv.name, "score": lv.score} for lv in sc.levels])
    if not any(g.parent_id is None for g in fixture.competency_groups):
        # Derived from the account so a fresh account's root ID is stable across resets.
        add(IspringCompetencyGroup, group_id=str(uuid.uuid5(uuid.NAMESPACE_URL, tenant_id)),
            name="Competencies", parent_id=None)
    for g in fixture.competency_groups:
        add(IspringCompetencyGroup, group_id=g.id, name=g.name, parent_id=g.parent_id)
    for c in fixture.competencies:
        add(IspringCompetency, competency_id=c.id, name=c.name, description=c.description,
            scale_id=c.scale_id, group_id=c.group_id, review_method=c.review_method,
            comments_requirement_level=c.comments_requirement_level,
            empty_answers_enabled=c.empty_answers_enabled)
        for i, ind in enumerate(c.indicators):
            add(IspringCompetencyIndicator, indicator_id=ind.id, competency_id=c.id,
                name=ind.name, position=i,
                levels=[{"levelId": k, "description": v} for k, v in ind.levels.items()])
    for pr in fixture.competency_profiles:
        add(IspringCompetencyProfile, profile_id=pr.id, name=pr.name, description=pr.description,
            competencies=[{"competencyId": k, "requiredLevelId": v}
                          for k, v in pr.competencies.items()],
            indicators=[{"indicatorId": k, "requiredLevelId": v}
                        for k, v in pr.indicators.items()])
    for cl in fixture.checklists:
        add(IspringChecklist, checklist_id=cl.id, title=cl.title, status=cl.status,
            groups=[{"groupId": g.id, "title": g.title, "criteria": [
                {"criterionId": cr.id, "title": cr.title, "points": cr.points}
                for cr in g.criteria]} for g in cl.groups])
        for ses in cl.sessions:
            add(IspringChecklistSession, session_id=ses.id, checklist_id=cl.id,
                employee_id=ses.employee_id, observer_id=ses.observer_id, status=ses.status,
                start_date=ses.start_date, actual_start_date=ses.actual_start_date,
                completion_date=ses.completion_date,
                marks={k: m.model_dump() for k, m in ses.marks.items()})


def _seed_appraisals(add: Callable[..., None],
                     sessions: Sequence[AppraisalSessionFixture]) -> None:
    """Appraisal sessions with their questions, cards and reviews, as the pack lists them."""
    for ap in sessions:
        add(IspringAppraisalSession, session_id=ap.id, name=ap.name, description=ap.description,
            instruction=ap.instruction, self_review_instruction=ap.self_review_instruction,
            manager_id=ap.manager_id, profile_id=ap.profile_id, status=ap.status,
            created_at=ap.created_date, started_at=ap.start_date, completed_at=ap.end_date,
            permitted_user_ids=list(ap.permitted_user_ids), notification=ap.notification,
            content=ap.content.model_dump(by_alias=True, exclude_none=True))
        for i, q in enumerate(ap.questions, start=1):
            add(IspringAppraisalQuestion, question_id=q.id, session_id=ap.id, text=q.text,
                is_required=q.is_required, target_roles=list(q.target_roles), position=i)
        for i, c in enumerate(ap.cards, start=1):
            add(IspringAppraisalCard, session_id=ap.id, employee_id=c.employee_id,
                reviewers=[r.model_dump(by_alias=True) for r in c.reviewers], position=i)
        for r in ap.reviews:
            add(IspringAppraisalReview, review_id=r.id, session_id=ap.id,
                employee_id=r.employee_id, reviewer_id=r.reviewer_id, status=r.status,
                completed_at=r.completion_date, scores=r.scores)


def _bulk_insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """One INSERT for many rows; columns a row leaves out get the model's defaults."""
    table = SQLModel.metadata.tables[str(model.__tablename__)]
    defaults: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            defaults[name] = info.default_factory
        elif not info.is_required():
            defaults[name] = info.default
    filled = [{**{k: (v() if k not in row and callable(v) else v)
                  for k, v in defaults.items() if k not in row}, **row} for row in rows]
    session.execute(insert(table), filled)


def _fixture_role_type(fixture: IspringFixture, user: UserFixture) -> str:
    types = {r.id: r.type for r in fixture.roles}
    return _primary([types.get(r.role_id, "learner") for r in user.roles])


def _primary(role_types: Sequence[str]) -> str:
    return next((t for t in role_types if t != "learner"), "learner")


class IspringBackend(TokensOps, UsersOps, UserLifecycleOps, DepartmentsOps, GroupsOps,
                     SmartGroupsOps, ContentOps, QuizzesOps, EnrollmentsOps, ResultsOps,
                     StatisticsOps, GamificationOps, TrainingsOps, WebhooksOps,
                     JobTrainingOps, CompetenciesOps,
                     AppraisalsOps, AppraisalCardsOps):
    """Every iSpring operation: vendor rules and persistence over `ctx.db`."""
