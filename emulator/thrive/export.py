"""A Thrive tenant's current state as a fixture pack (`ThriveFixture`), the reverse of `seed`.

Ids (24-hex ObjectIds) are kept, so ids a client saw stay valid in a tenant made from the pack.
Credentials are those the tenant hands to clients (`core_tenant.credentials`), with each OAuth
client's grant switch from its table. Not in the pack format, so not exported: issued access
tokens, processed webhook envelope ids, a user's skill levels (`level`, `targetLevel`), when a
member or manager joined an audience (seeded as the audience's creation time), and an
assignment's `isActive` apart from `isDeleted`.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col

from emulator.core.fixtures import tenant_rows
from emulator.core.models import Tenant
from emulator.thrive.auth import BASIC
from emulator.thrive.models import (
    ThriveActivity,
    ThriveAssignment,
    ThriveAudience,
    ThriveCompletion,
    ThriveContent,
    ThriveCpdCategory,
    ThriveCpdEntry,
    ThriveCpdRequirement,
    ThriveCredential,
    ThriveEnrolment,
    ThriveManager,
    ThriveMember,
    ThriveSkillLevel,
    ThriveTag,
    ThriveUser,
    ThriveUserSkill,
)
from emulator.thrive.schemas import ContentPack, UserPack

_HISTORY_FIELDS = ("type", "completionId", "previousStatus", "nextStatus", "createdAt")


def _columns(row: Any, pack: type[UserPack | ContentPack], *skip: str) -> dict[str, Any]:
    """The pack fields that are also the row's columns, under the same name."""
    return {name: getattr(row, name) for name in pack.model_fields if name not in skip}


def export(session: Session, tenant_id: str) -> dict[str, Any]:
    tenant = session.get(Tenant, tenant_id)
    assert tenant is not None
    creds = tenant.credentials

    def rows(model: Any, *order: Any) -> list[Any]:
        return tenant_rows(session, model, tenant_id, *order)

    grants = {c.client_id: c.client_credentials
              for c in rows(ThriveCredential, col(ThriveCredential.client_id))
              if c.client_id != BASIC}
    tags = rows(ThriveTag, col(ThriveTag.id))
    tag_names = {t.id: t.name for t in tags}
    skills: dict[str, list[str]] = {}
    for skill in rows(ThriveUserSkill, col(ThriveUserSkill.user_id), col(ThriveUserSkill.tag_id)):
        skills.setdefault(skill.user_id, []).append(tag_names[skill.tag_id])
    members: dict[str, list[str]] = {}
    for m in rows(ThriveMember, col(ThriveMember.added_at), col(ThriveMember.user_id)):
        members.setdefault(m.audience_id, []).append(m.user_id)
    managers: dict[str, list[dict[str, Any]]] = {}
    for boss in rows(ThriveManager, col(ThriveManager.added_at), col(ThriveManager.user_id)):
        managers.setdefault(boss.audience_id, []).append(
            {"userId": boss.user_id, "permissions": boss.permissions})
    return {
        "tenantId": tenant_id,
        "apiSecret": creds["apiSecret"],
        "oauthClients": [{**client, "clientCredentials": grants.get(client["clientId"], True)}
                         for client in creds["oauthClients"]],
        "users": [{**_columns(u, UserPack, "skills"), "skills": skills.get(u.id, [])}
                  for u in rows(ThriveUser, col(ThriveUser.id))],
        "tags": [{"id": t.id, "tag": t.name, "contents": t.contents, "campaigns": t.campaigns,
                  "interests": t.interests, "createdAt": t.created_at,
                  "updatedAt": t.updated_at} for t in tags],
        "skillLevels": [{"value": s.value, "name": s.name, "isEnabled": s.is_enabled}
                        for s in rows(ThriveSkillLevel, col(ThriveSkillLevel.value))],
        "audiences": [{"id": a.id, "name": a.name, "reference": a.reference,
                       "category": a.category, "type": a.type,
                       "apiControlled": a.api_controlled, "parentId": a.parent_id,
                       "createdAt": a.created_at, "updatedAt": a.updated_at,
                       "members": members.get(a.id, []), "managers": managers.get(a.id, [])}
                      for a in rows(ThriveAudience, col(ThriveAudience.id))],
        "contents": [_columns(c, ContentPack) for c in rows(ThriveContent, col(ThriveContent.id))],
        "assignments": [{"id": a.id, "audienceId": a.audience_id,
                         "primaryContentId": a.primary_content_id,
                         "alternativeContentIds": a.alternative_content_ids,
                         "hideAlternativeContent": a.hide_alternative_content,
                         "completionPeriod": a.completion_period, "recurrence": a.recurrence,
                         "isDeleted": a.is_deleted, "createdAt": a.created_at,
                         "deletedAt": a.deleted_at, "updatedAt": a.updated_at}
                        for a in rows(ThriveAssignment, col(ThriveAssignment.id))],
        "enrolments": [{"id": e.id, "assignmentId": e.assignment_id, "userId": e.user_id,
                        "status": e.status, "availableDate": e.available_date,
                        "dueDate": e.due_date, "lastCompletedAt": e.last_completed_at,
                        "history": [{k: h[k] for k in _HISTORY_FIELDS} for h in e.history],
                        "updatedAt": e.updated_at}
                       for e in rows(ThriveEnrolment, col(ThriveEnrolment.id))],
        "completions": [{"id": c.id, "userId": c.user_id, "contentId": c.content_id,
                         "contentVersion": c.content_version,
                         "completionType": c.completion_type, "hadDueDate": c.had_due_date,
                         "isRPL": c.is_rpl, "completedAt": c.completed_at,
                         "activeUntil": c.active_until, "skills": c.skills}
                        for c in rows(ThriveCompletion, col(ThriveCompletion.id))],
        "activities": [{"id": a.id, "user": a.user_id, "type": a.type, "name": a.name,
                        "date": a.date, "contextId": a.context_id,
                        "contextType": a.context_type, "contentType": a.content_type,
                        "data": a.data, "with": a.with_}
                       for a in rows(ThriveActivity, col(ThriveActivity.id))],
        "cpdCategories": [{"categoryId": c.id, "name": c.name, "updatedAt": c.updated_at}
                          for c in rows(ThriveCpdCategory, col(ThriveCpdCategory.id))],
        "cpdEntries": [{"logEntryId": e.id, "userId": e.user_id, "activity": e.activity,
                        "categoryId": e.category_id, "entryDate": e.entry_date,
                        "durationMinutes": e.duration_minutes, "description": e.description,
                        "isVerified": e.is_verified}
                       for e in rows(ThriveCpdEntry, col(ThriveCpdEntry.id))],
        "cpdRequirementSummaries": [
            {"audienceRequirementId": r.id, "audienceId": r.audience_id,
             "requiredMinutes": r.required_minutes, "createdAt": r.created_at,
             "updatedAt": r.updated_at}
            for r in rows(ThriveCpdRequirement, col(ThriveCpdRequirement.id))],
    }
