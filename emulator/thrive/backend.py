"""`ThriveBackend`: every resource's operations on one shared base; seeding and credentials.

The operations live with their resource (`users`, `tags`, `audiences`, `assignments`,
`enrolments`, `completions`, `contents`, `cpd`, `webhooks`, `tokens`, and `auth` for the
credential checks); `base.ThriveBase` holds the unit of work and the shared look-ups.

Fact-sheet rules marked "(inferred)" and where they live:
- `audiences._writable_audience`: audiences that are not API-controlled are read-only (403).
- `audiences.delete_audience`: an audience with child audiences is not deleted (409).
- `assignments._check_unassigned`: the same primary content assigned twice to one audience is
  a 422.
- `completions.create_completion`: unknown user or content is a 422; the answer is 201
  `{statementId}`.
- `webhooks.provision`: HR events are applied synchronously; a repeated envelope id is not
  re-applied.

Decisions where the fact sheet is silent (also in docs/thrive.md):
- `base.new_ids`: ids are the creation second then a server-wide counter, so id order is
  creation order even within one second.
- `tokens.TOKEN_LIFETIME`: 3600 s on the tenant's emulator clock; expired tokens are pruned
  when the tenant is issued a new one.
- `enrolments.ASSIGNED_ACTIVITY`: every enrolment that opens (assignment created, member added,
  archived member back) records an `assigned` activity for its user, next to the `completed`
  activity of each completion.
- `enrolments._enrol`: suspended members are enrolled like active ones (memberships are kept on
  suspension, so are new enrolments).
- `audiences._set_managers`: adding an existing manager replaces their permissions.
- `enrolments._catch_up`: a `scheduled` enrolment (fixtures only) opens when the clock reaches
  its `availableDate`.
- `enrolments._transition`: stamps never go backwards; a transition due before the enrolment's
  last change is stamped at that change.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel

from emulator.core.clock import as_utc
from emulator.core.ids import token
from emulator.core.secrets import stored_secret
from emulator.thrive.assignments import AssignmentsOps
from emulator.thrive.audiences import AudiencesOps
from emulator.thrive.auth import BASIC, CredentialsOps
from emulator.thrive.base import EPOCH
from emulator.thrive.completions import CompletionsOps
from emulator.thrive.contents import ContentsOps
from emulator.thrive.cpd import CpdOps
from emulator.thrive.enrolments import history_entry
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
from emulator.thrive.schemas import ThriveFixture
from emulator.thrive.tags import TagsOps
from emulator.thrive.tokens import TokensOps
from emulator.thrive.webhooks import WebhooksOps


class ThriveBackend(CredentialsOps, TokensOps, WebhooksOps, TagsOps, AudiencesOps, AssignmentsOps,
                    CompletionsOps, ContentsOps, CpdOps):
    """Every Thrive operation, usable without HTTP (one instance per app)."""


# ---------------------------------------------------------------------------------------------
# Tenants: credentials and fixture seeding
# ---------------------------------------------------------------------------------------------


def fresh_credentials(tenant_id: str) -> dict[str, Any]:
    return {
        "tenantId": tenant_id,
        "apiSecret": token(24),
        "oauthClients": [
            {"clientId": f"client-{token(6)}", "clientSecret": token(24),
             "scopes": ["api/all", "api/read", "api/write", "api/webhooks"]},
            {"clientId": f"readonly-{token(6)}", "clientSecret": token(24),
             "scopes": ["api/read"]},
        ],
    }


def fixture_credentials(tenant_id: str, fixture: ThriveFixture) -> dict[str, Any]:
    return {
        "tenantId": tenant_id,
        "apiSecret": fixture.api_secret,
        "oauthClients": [c.model_dump(by_alias=True, exclude={"client_credentials"})
                         for c in fixture.oauth_clients],
    }


def seed(session: Session, tenant_id: str, fixture: ThriveFixture, now: datetime,
         credentials: dict[str, Any] | None) -> dict[str, Any]:
    """Write the pack's rows with one bulk insert per table (a fresh tenant is cheap)."""
    grant_disabled = {c.client_id for c in fixture.oauth_clients if not c.client_credentials}
    creds = credentials or fixture_credentials(tenant_id, fixture)
    rows = SeedRows(tenant_id)
    rows.add(ThriveCredential, client_id=BASIC, secret=stored_secret(creds["apiSecret"]))
    for client in creds["oauthClients"]:
        rows.add(ThriveCredential, client_id=client["clientId"],
                 secret=stored_secret(client["clientSecret"]),
                 scopes=client["scopes"], client_credentials=credentials is not None
                 or client["clientId"] not in grant_disabled)
    _seed_rows(rows, fixture)
    rows.write(session)
    return creds


class SeedRows:
    """Rows as plain dicts, grouped by table: building model instances costs more than the
    insert itself, and a fresh tenant must be created in milliseconds."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self.tables: dict[type[SQLModel], list[dict[str, Any]]] = defaultdict(list)

    def add(self, model: type[SQLModel], **values: Any) -> None:
        row: dict[str, Any] = {"tenant_id": self.tenant}
        for name, info in model.model_fields.items():
            if name in values:
                row[name] = values[name]
            elif info.default_factory is not None:
                row[name] = info.default_factory()  # type: ignore[call-arg]
            elif name != "tenant_id":
                row[name] = info.default
        self.tables[model].append(row)

    def write(self, session: Session) -> None:
        # Core inserts: one executemany per table (ORM bulk inserts split by null pattern).
        for model, rows in self.tables.items():
            session.execute(insert(SQLModel.metadata.tables[str(model.__tablename__)]), rows)


def _seed_rows(rows: SeedRows, pack: ThriveFixture) -> None:
    tag_ids = {tag.tag: tag.id for tag in pack.tags}
    contents = {c.id: c for c in pack.contents}
    for user in pack.users:
        fields = user.model_dump(exclude={"skills", "created_at", "updated_at", "start_date",
                                          "end_date", "first_login", "last_login"})
        rows.add(ThriveUser, **fields, created_at=as_utc(user.created_at),
                 updated_at=as_utc(user.updated_at or user.created_at),
                 start_date=_utc(user.start_date), end_date=_utc(user.end_date),
                 first_login=_utc(user.first_login), last_login=_utc(user.last_login))
        for name in dict.fromkeys(user.skills):
            rows.add(ThriveUserSkill, user_id=user.id, tag_id=tag_ids[name])
    for tag in pack.tags:
        rows.add(ThriveTag, id=tag.id, name=tag.tag, contents=tag.contents,
                 campaigns=tag.campaigns, interests=tag.interests,
                 created_at=as_utc(tag.created_at),
                 updated_at=as_utc(tag.updated_at or tag.created_at))
    for level in pack.skill_levels:
        rows.add(ThriveSkillLevel, value=level.value, name=level.name,
                 is_enabled=level.is_enabled)
    for aud in pack.audiences:
        created = as_utc(aud.created_at)
        rows.add(ThriveAudience, id=aud.id, name=aud.name, reference=aud.reference,
                 category=aud.category, type=aud.type, api_controlled=aud.api_controlled,
                 parent_id=aud.parent_id, created_at=created,
                 updated_at=as_utc(aud.updated_at or aud.created_at))
        for member_id in dict.fromkeys(aud.members):
            rows.add(ThriveMember, audience_id=aud.id, user_id=member_id, added_at=created)
        for boss in aud.managers:
            rows.add(ThriveManager, audience_id=aud.id, user_id=boss.user_id, added_at=created,
                     permissions=boss.permissions.wire(structure=aud.category == "structure"))
    for c in pack.contents:
        rows.add(ThriveContent, id=c.id, title=c.title, description=c.description, tags=c.tags,
                 type=c.type, author=c.author, is_official=c.is_official, duration=c.duration,
                 content_history=c.content_history, created_at=as_utc(c.created_at),
                 updated_at=as_utc(c.updated_at or c.created_at))
    for a in pack.assignments:
        rows.add(ThriveAssignment, id=a.id, audience_id=a.audience_id,
                 primary_content_id=a.primary_content_id,
                 alternative_content_ids=a.alternative_content_ids,
                 hide_alternative_content=a.hide_alternative_content,
                 completion_period=a.completion_period, recurrence=a.recurrence,
                 is_active=not a.is_deleted, is_deleted=a.is_deleted,
                 created_at=as_utc(a.created_at), deleted_at=_utc(a.deleted_at),
                 updated_at=as_utc(a.updated_at or a.deleted_at or a.created_at))
    for e in pack.enrolments:
        history = [history_entry(h.type, h.previous_status, h.next_status,
                                      h.created_at, h.completion_id) for h in e.history]
        last = e.history[-1].created_at if e.history else e.available_date
        rows.add(ThriveEnrolment, id=e.id, assignment_id=e.assignment_id, user_id=e.user_id,
                 status=e.status, available_date=as_utc(e.available_date),
                 due_date=as_utc(e.due_date), last_completed_at=_utc(e.last_completed_at),
                 history=history, updated_at=as_utc(e.updated_at or last))
    for done in pack.completions:
        rows.add(ThriveCompletion, id=done.id, user_id=done.user_id, content_id=done.content_id,
                 content_version=done.content_version,
                 skills=done.skills if done.skills is not None else contents[done.content_id].tags,
                 completion_type=done.completion_type, had_due_date=done.had_due_date,
                 is_rpl=done.is_rpl, completed_at=as_utc(done.completed_at),
                 active_until=_utc(done.active_until))
    for act in pack.activities:
        rows.add(ThriveActivity, id=act.id, user_id=act.user, type=act.type, name=act.name,
                 date=as_utc(act.date), context_id=act.context_id, context_type=act.context_type,
                 content_type=act.content_type, data=act.data, with_=act.with_)
    for cat in pack.cpd_categories:
        rows.add(ThriveCpdCategory, id=cat.category_id, name=cat.name,
                 updated_at=as_utc(cat.updated_at or EPOCH))
    for entry in pack.cpd_entries:
        rows.add(ThriveCpdEntry, id=entry.log_entry_id, user_id=entry.user_id,
                 activity=entry.activity, category_id=entry.category_id,
                 entry_date=as_utc(entry.entry_date), duration_minutes=entry.duration_minutes,
                 description=entry.description, is_verified=entry.is_verified)
    for req in pack.cpd_requirement_summaries:
        rows.add(ThriveCpdRequirement, id=req.audience_requirement_id,
                 audience_id=req.audience_id, required_minutes=req.required_minutes,
                 created_at=as_utc(req.created_at), updated_at=_utc(req.updated_at))


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)
