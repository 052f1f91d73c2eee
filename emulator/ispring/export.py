"""An iSpring account's current state as a fixture pack (`IspringFixture`), the reverse of `seed`.

Ids (UUIDs) are kept, so ids a client saw stay valid in an account made from the pack. The
API keys are those the account hands to clients (`core_tenant.credentials`); user passwords
are exported as the account holds them. Not in the pack format, so not exported: issued
access tokens, subordination and co-subordination settings (seeded as "inherit"), work
leaves and scheduled deactivation or termination, assignment grades, training attendance,
course-field types, background tasks, webhook subscribers and their delivery queue.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col

from emulator.core.fixtures import tenant_rows
from emulator.core.models import Tenant
from emulator.ispring.models import (
    IspringAssignmentAttempt,
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

# Profile fields `seed` derives from the user's own columns.
_DERIVED_FIELDS = ("LOGIN", "EMAIL")


def _grouped(rows: list[Any], key: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for row in rows:
        out.setdefault(getattr(row, key), []).append(row)
    return out


def _user(u: IspringUser) -> dict[str, Any]:
    fields = {k: v for k, v in u.fields.items()
              if k not in _DERIVED_FIELDS or (k == "EMAIL" and v != u.email)}
    return {"id": u.user_id, "login": u.login, "email": u.email, "password": u.password,
            "departmentId": u.department_id, "status": u.status, "roles": u.roles,
            "fields": fields, "addedDate": u.added_at, "lastLoginDate": u.last_login_at,
            "points": u.points}


def _content(c: IspringContent, modules: list[IspringModule]) -> dict[str, Any]:
    return {"id": c.content_id, "title": c.title, "subtitle": c.subtitle,
            "description": c.description, "type": c.type, "authorId": c.author_id,
            "addedDate": c.added_at, "viewSlug": c.view_slug, "passingScore": c.passing_score,
            "defaultDuePeriod": c.default_due_period, "certificate": c.certificate,
            "quizId": c.quiz_id, "courseIds": c.course_ids, "fieldValues": c.field_values,
            "instructorId": c.instructor_id,
            "modules": [{"id": m.module_id, "itemId": m.item_id, "title": m.title,
                         "description": m.description, "type": m.type,
                         "trainingType": m.training_type} for m in modules]}


def _enrollment(e: IspringEnrollment, results: list[IspringModuleResult]) -> dict[str, Any]:
    return {"id": e.enrollment_id, "courseId": e.course_id, "learnerId": e.learner_id,
            "accessDate": e.access_at, "dueDateType": e.due_date_type, "dueDate": e.due_date,
            "lockAfterDueDate": e.lock_after_due_date, "enrollmentTypeGroup": e.type_group,
            "courseStatus": e.status_override, "courseScore": e.override_score,
            "completionDate": e.override_at, "timeSpent": e.time_spent, "views": e.views,
            "lastViewDate": e.last_view_at, "certificateId": e.certificate_id,
            "certificateDate": e.certificate_at,
            "moduleResults": [{"moduleId": r.module_id, "status": r.status, "score": r.score,
                               "completionDate": r.completed_at, "timeSpent": r.time_spent,
                               "views": r.views, "lastViewDate": r.last_view_at}
                              for r in results]}


def _quiz_answer(q: IspringQuizAnswer) -> dict[str, Any]:
    return {"id": q.answer_id, "quizItemId": q.quiz_item_id, "enrollmentId": q.enrollment_id,
            "quizVersion": q.quiz_version, "attemptDate": q.attempt_date,
            "isAttemptPassed": q.attempt_passed, "attemptScore": q.attempt_score,
            "passingScore": q.passing_score, "questionNumber": q.question_number,
            "questionTitle": q.question_title, "questionType": q.question_type,
            "questionScore": q.question_score, "questionGroup": q.question_group,
            "statementTitle": q.statement_title, "answerText": q.answer_text,
            "customAnswerText": q.custom_answer_text, "isAnswerCorrect": q.is_correct,
            "answerScore": q.answer_score}


def export(session: Session, tenant_id: str) -> dict[str, Any]:
    tenant = session.get(Tenant, tenant_id)
    assert tenant is not None

    def rows(model: Any, *order: Any) -> list[Any]:
        return tenant_rows(session, model, tenant_id, *order)

    members = _grouped(rows(IspringGroupMember, col(IspringGroupMember.user_id)), "group_id")
    modules = _grouped(rows(IspringModule, col(IspringModule.position)), "course_id")
    results = _grouped(rows(IspringModuleResult, col(IspringModuleResult.module_id)),
                       "enrollment_id")
    sessions = _grouped(rows(IspringTrainingSession, col(IspringTrainingSession.start_time),
                             col(IspringTrainingSession.session_id)), "training_id")
    days = _grouped(rows(IspringTrainingDay, col(IspringTrainingDay.start_time),
                         col(IspringTrainingDay.day_id)), "session_id")
    return {
        "accountUrl": tenant.credentials["accountUrl"],
        "apiKeys": tenant.credentials["apiKeys"],
        "departments": [{"id": d.department_id, "name": d.name, "parentId": d.parent_id,
                         "code": d.code}
                        for d in rows(IspringDepartment, col(IspringDepartment.department_id))],
        "roles": [{"id": r.role_id, "type": r.type, "title": r.title,
                   "description": r.description, "rights": r.rights}
                  for r in rows(IspringRole, col(IspringRole.role_id))],
        "profileFields": [{"id": f.field_id, "name": f.name, "label": f.label, "type": f.type,
                           "isUnique": f.is_unique, "isRequired": f.is_required,
                           "values": f.values}
                          for f in rows(IspringProfileField,
                                        col(IspringProfileField.order_priority))],
        "users": [_user(u) for u in rows(IspringUser, col(IspringUser.user_id))],
        "groups": [{"id": g.group_id, "name": g.name, "rules": g.rules} if g.is_smart else
                   {"id": g.group_id, "name": g.name,
                    "userIds": [m.user_id for m in members.get(g.group_id, [])]}
                   for g in rows(IspringGroup, col(IspringGroup.group_id))],
        "courseFields": [{"id": f.field_id, "customId": f.custom_id, "label": f.label}
                         for f in rows(IspringCourseField, col(IspringCourseField.position))],
        "content": [_content(c, modules.get(c.content_id, []))
                    for c in rows(IspringContent, col(IspringContent.content_id))],
        "enrollments": [_enrollment(e, results.get(e.enrollment_id, []))
                        for e in rows(IspringEnrollment, col(IspringEnrollment.enrollment_id))],
        "assignmentAttempts": [
            {"id": a.attempt_id, "assignmentId": a.assignment_id,
             "enrollmentId": a.enrollment_id, "comment": a.comment,
             "attachments": a.attachments, "submittedDate": a.submitted_at}
            for a in rows(IspringAssignmentAttempt, col(IspringAssignmentAttempt.attempt_id))],
        "quizAnswers": [_quiz_answer(q)
                        for q in rows(IspringQuizAnswer, col(IspringQuizAnswer.answer_id))],
        "trainings": [
            {"id": t.training_id, "title": t.title, "organizerId": t.organizer_id,
             "type": t.type,
             "sessions": [{"id": s.session_id, "title": s.title, "startTime": s.start_time,
                           "duration": s.duration, "instructor": s.instructor,
                           "participants": s.participants,
                           "days": [{"id": d.day_id, "startTime": d.start_time,
                                     "duration": d.duration, "location": d.location,
                                     "url": d.url} for d in days.get(s.session_id, [])]}
                          for s in sessions.get(t.training_id, [])]}
            for t in rows(IspringTraining, col(IspringTraining.training_id))],
    }
