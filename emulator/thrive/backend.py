"""Thrive rules and persistence, usable without HTTP.

Each public method of `ThriveBackend` is one vendor operation and one unit of work: it opens
`ctx.db.transaction()`, reads the tenant's clock once, and either returns the wire body or raises
a typed error (the transaction then rolls back, so a failed request writes nothing).

Fact-sheet rules marked "(inferred)" and where they live:
- `_writable_audience`: audiences that are not API-controlled are read-only (403).
- `delete_audience`: an audience with child audiences is not deleted (409).
- `_check_unassigned`: the same primary content assigned twice to one audience is a 422.
- `create_completion`: unknown user or content is a 422; the answer is 201 `{statementId}`.
- `provision`: HR events are applied synchronously; a repeated envelope id is not re-applied.

Decisions where the fact sheet is silent (also in docs/thrive.md):
- `new_ids`: ids are the creation second then a server-wide counter, so id order is creation
  order even within one second.
- `TOKEN_LIFETIME`: 3600 s on the tenant's emulator clock; expired tokens are pruned when the
  tenant is issued a new one.
- `ASSIGNED_ACTIVITY`: every enrolment that opens (assignment created, member added, archived
  member back) records an `assigned` activity for its user, next to the `completed` activity of
  each completion.
- `_enrol`: suspended members are enrolled like active ones (memberships are kept on
  suspension, so are new enrolments).
- `_set_managers`: adding an existing manager replaces their permissions.
- `_catch_up`: a `scheduled` enrolment (fixtures only) opens when the clock reaches its
  `availableDate`.
- `_transition`: stamps never go backwards; a transition due before the enrolment's last
  change is stamped at that change.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, insert
from sqlmodel import Session, SQLModel, col, delete, select
from sqlmodel.sql.expression import SelectOfScalar

from emulator.core.clock import as_utc
from emulator.core.ids import token
from emulator.core.models import Counter
from emulator.core.vendor import Context
from emulator.thrive import schemas as wire
from emulator.thrive.errors import (
    Conflict,
    Forbidden,
    InvalidClient,
    InvalidRequest,
    InvalidScope,
    NotFound,
    UnauthorizedClient,
    Unprocessable,
    UnsupportedGrantType,
)
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
    ThriveToken,
    ThriveUser,
    ThriveUserSkill,
    ThriveWebhookEvent,
)
from emulator.thrive.schemas import Paging, ThriveFixture, plus_days

BASIC = "__basic__"
TOKEN_LIFETIME = 3600
ID_COUNTER = "thrive.object"
ASSIGNED_ACTIVITY = "assigned"
COMPLETED_ACTIVITY = "completed"
LIVE = ("open", "overdue")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

T = TypeVar("T", bound=SQLModel)
Body = dict[str, Any]


@dataclass
class Unit:
    """One operation's session, tenant and emulator time (UTC)."""

    session: Session
    tenant: str
    now: datetime


@dataclass(frozen=True)
class TokenGrant:
    """What a token request carries, as parsed from its form body and Authorization header."""

    grant_type: str | None
    scope: str | None
    client_id: str | None
    client_secret: str | None


def new_ids(u: Unit, count: int = 1) -> list[str]:
    """ObjectId-style ids: creation second (8 hex), server-wide counter (10 hex), noise (6 hex)."""
    counter = u.session.get(Counter, ID_COUNTER) or Counter(name=ID_COUNTER, value=0)
    first = counter.value + 1
    counter.value += count
    u.session.add(counter)
    seconds = int((u.now - EPOCH).total_seconds()) & 0xFFFFFFFF
    return [f"{seconds:08x}{(first + i) & 0xFFFFFFFFFF:010x}{secrets.token_hex(3)}"
            for i in range(count)]


def new_id(u: Unit) -> str:
    return new_ids(u)[0]


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _compact(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def jwt_shaped(tenant: str, client_id: str, scopes: Sequence[str], issued: datetime,
               expires: datetime) -> str:
    """A Cognito-like access token; clients treat it as opaque, the emulator looks it up."""
    region = tenant.split("_", 1)[0] if "_" in tenant else "eu-west-2"
    iat = int((issued - EPOCH).total_seconds())
    claims = {"sub": client_id, "token_use": "access", "scope": " ".join(scopes),
              "auth_time": iat, "iss": f"https://cognito-idp.{region}.amazonaws.com/{tenant}",
              "exp": iat + int((expires - issued).total_seconds()), "iat": iat, "version": 2,
              "jti": str(uuid.uuid4()), "client_id": client_id}
    header = {"kid": "thrive-emulator", "alg": "RS256"}
    return ".".join((_b64(_compact(header)), _b64(_compact(claims)),
                     _b64(secrets.token_bytes(32))))


class ThriveBackend:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @contextmanager
    def unit(self, tenant: str) -> Iterator[Unit]:
        with self.ctx.db.transaction() as session:
            yield Unit(session, tenant, as_utc(self.ctx.now(session, tenant)))

    # -----------------------------------------------------------------------------------------
    # Credentials and tokens
    # -----------------------------------------------------------------------------------------

    def basic_scopes(self, tenant: str, secret: str) -> tuple[str, ...] | None:
        """Every scope when `secret` is the tenant's API secret, else None."""
        with self.ctx.db.transaction() as session:
            row = session.get(ThriveCredential, {"tenant_id": tenant, "client_id": BASIC})
            if row is None or not secrets.compare_digest(row.secret.encode(), secret.encode()):
                return None
            return wire.SCOPES

    def bearer_grant(self, access_token: str) -> tuple[str, tuple[str, ...], str] | None:
        """(tenant, scopes, client id) of a live token issued by this emulator, else None."""
        with self.ctx.db.transaction() as session:
            row = session.exec(select(ThriveToken).where(
                ThriveToken.token_hash == token_hash(access_token))).first()
            if row is None:
                return None
            if as_utc(self.ctx.now(session, row.tenant_id)) >= row.expires_at:
                return None
            return row.tenant_id, tuple(row.scopes), row.client_id

    def issue_token(self, tenant: str, grant: TokenGrant) -> Body:
        if not grant.grant_type:
            raise InvalidRequest("grant_type is required")
        if grant.grant_type != "client_credentials":
            raise UnsupportedGrantType()
        if not grant.client_id or grant.client_secret is None:
            raise InvalidClient()
        with self.unit(tenant) as u:
            client = u.session.get(ThriveCredential,
                                   {"tenant_id": tenant, "client_id": grant.client_id})
            if client is None or client.client_id == BASIC or client.scopes is None or \
                    not secrets.compare_digest(client.secret.encode(),
                                               grant.client_secret.encode()):
                raise InvalidClient()
            if not client.client_credentials:
                raise UnauthorizedClient()
            requested = grant.scope.split() if grant.scope else list(client.scopes)
            if not requested or any(s not in client.scopes for s in requested):
                raise InvalidScope()
            scopes = list(dict.fromkeys(requested))
            expires = u.now + timedelta(seconds=TOKEN_LIFETIME)
            access_token = jwt_shaped(tenant, client.client_id, scopes, u.now, expires)
            u.session.execute(delete(ThriveToken).where(
                col(ThriveToken.tenant_id) == tenant, col(ThriveToken.expires_at) <= u.now))
            u.session.add(ThriveToken(tenant_id=tenant, token_hash=token_hash(access_token),
                                      client_id=client.client_id, scopes=scopes,
                                      issued_at=u.now, expires_at=expires))
            return wire.token_response(access_token, TOKEN_LIFETIME)

    # -----------------------------------------------------------------------------------------
    # Shared look-ups
    # -----------------------------------------------------------------------------------------

    @staticmethod
    def _get(u: Unit, model: type[T], key: str) -> T | None:
        if not wire.is_object_id(key):
            return None
        return u.session.get(model, {"tenant_id": u.tenant, "id": key.lower()})

    def _found(self, u: Unit, model: type[T], key: str, what: str) -> T:
        row = self._get(u, model, key)
        if row is None:
            raise NotFound(f"{what} not found")
        return row

    @staticmethod
    def _all(u: Unit, stmt: SelectOfScalar[T]) -> list[T]:
        return list(u.session.exec(stmt).all())

    @staticmethod
    def _page(u: Unit, stmt: SelectOfScalar[T], paging: Paging,
              *order: Any) -> tuple[list[T], int]:
        total = u.session.exec(select(func.count()).select_from(stmt.subquery())).one()
        if paging.offset >= total:
            return [], total
        rows = u.session.exec(stmt.order_by(*order).offset(paging.offset)
                              .limit(paging.per_page)).all()
        return list(rows), total

    def _users_by_id(self, u: Unit, ids: Iterable[str]) -> dict[str, ThriveUser]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = self._all(u, select(ThriveUser).where(ThriveUser.tenant_id == u.tenant,
                                                     col(ThriveUser.id).in_(wanted)))
        return {r.id: r for r in rows}

    def _resolve_user(self, u: Unit, key: str) -> ThriveUser | None:
        """A live user by id, then `ref`, then email (case-insensitive)."""
        user = self._get(u, ThriveUser, key)
        if user is not None and not user.deleted:
            return user
        base = select(ThriveUser).where(ThriveUser.tenant_id == u.tenant,
                                        col(ThriveUser.deleted).is_(False))
        by_ref = u.session.exec(base.where(ThriveUser.ref == key).order_by(
            col(ThriveUser.id))).first()
        if by_ref is not None:
            return by_ref
        return u.session.exec(base.where(func.lower(ThriveUser.email) == key.lower()).order_by(
            col(ThriveUser.id))).first()

    def _live_user(self, u: Unit, user_id: str) -> ThriveUser:
        user = self._get(u, ThriveUser, user_id)
        if user is None or user.deleted:
            raise NotFound("User not found")
        return user

    def _user_by_ref(self, u: Unit, ref: str) -> ThriveUser:
        user = u.session.exec(select(ThriveUser).where(
            ThriveUser.tenant_id == u.tenant, ThriveUser.ref == ref,
            col(ThriveUser.deleted).is_(False))).first()
        if user is None:
            raise NotFound(f"User with ref '{ref}' not found")
        return user

    def _audience_by_key(self, u: Unit, key: str) -> ThriveAudience | None:
        """An audience by id or by reference (every `{audienceId}` accepts both)."""
        row = self._get(u, ThriveAudience, key)
        if row is not None:
            return row
        return u.session.exec(select(ThriveAudience).where(
            ThriveAudience.tenant_id == u.tenant, ThriveAudience.reference == key)).first()

    def _audience(self, u: Unit, key: str) -> ThriveAudience:
        row = self._audience_by_key(u, key)
        if row is None:
            raise NotFound("Audience not found")
        return row

    def _writable_audience(self, u: Unit, key: str) -> ThriveAudience:
        row = self._audience(u, key)
        if not row.api_controlled:
            # UI-made and smart audiences cannot be managed through the API (fact sheet §1.7).
            raise Forbidden("This audience is not API-controlled and cannot be changed through "
                            "the API")
        return row

    def _contents(self, u: Unit, ids: Iterable[str]) -> dict[str, ThriveContent]:
        wanted = sorted({i.lower() for i in ids if wire.is_object_id(i)})
        if not wanted:
            return {}
        rows = self._all(u, select(ThriveContent).where(ThriveContent.tenant_id == u.tenant,
                                                        col(ThriveContent.id).in_(wanted)))
        return {r.id: r for r in rows}

    def _tags_named(self, u: Unit, names: Iterable[str], field: str) -> list[ThriveTag]:
        wanted = list(dict.fromkeys(names))
        rows = self._all(u, select(ThriveTag).where(ThriveTag.tenant_id == u.tenant,
                                                    col(ThriveTag.name).in_(wanted)))
        by_name = {r.name: r for r in rows}
        unknown = [n for n in wanted if n not in by_name]
        if unknown:
            raise Unprocessable(f"{field}: unknown tag(s): {', '.join(unknown)}")
        return [by_name[n] for n in wanted]

    # -----------------------------------------------------------------------------------------
    # Users (v1 reads)
    # -----------------------------------------------------------------------------------------

    def _v1_views(self, u: Unit, users: list[ThriveUser]) -> list[Body]:
        ids = [x.id for x in users]
        audiences: dict[str, list[str]] = defaultdict(list)
        skills: dict[str, list[str]] = defaultdict(list)
        if ids:
            for m in self._all(u, select(ThriveMember).where(
                    ThriveMember.tenant_id == u.tenant, col(ThriveMember.user_id).in_(ids))
                    .order_by(col(ThriveMember.audience_id))):
                audiences[m.user_id].append(m.audience_id)
            pairs = u.session.exec(
                select(ThriveUserSkill.user_id, ThriveTag.name)
                .join(ThriveTag, (col(ThriveTag.tenant_id) == col(ThriveUserSkill.tenant_id))
                      & (col(ThriveTag.id) == col(ThriveUserSkill.tag_id)))
                .where(ThriveUserSkill.tenant_id == u.tenant,
                       col(ThriveUserSkill.user_id).in_(ids))
                .order_by(col(ThriveTag.name))).all()
            for user_id, name in pairs:
                skills[user_id].append(name)
        managers = self._managers_by_ref(u, [x.manager_ref for x in users])
        return [wire.user_v1(x, managers.get(x.manager_ref or ""), audiences[x.id], skills[x.id])
                for x in users]

    def _managers_by_ref(self, u: Unit, refs: Iterable[str | None]) -> dict[str, ThriveUser]:
        wanted = sorted({r for r in refs if r})
        if not wanted:
            return {}
        rows = self._all(u, select(ThriveUser).where(
            ThriveUser.tenant_id == u.tenant, col(ThriveUser.ref).in_(wanted),
            col(ThriveUser.deleted).is_(False)))
        return {r.ref: r for r in rows if r.ref}

    def search_users(self, tenant: str, paging: Paging, *, statuses: list[str] | None,
                     omit_statuses: list[str] | None, updated_since: datetime | None) -> Body:
        with self.unit(tenant) as u:
            stmt = select(ThriveUser).where(ThriveUser.tenant_id == tenant)
            if statuses is not None:
                stmt = stmt.where(col(ThriveUser.status).in_(statuses))
            elif omit_statuses:
                stmt = stmt.where(col(ThriveUser.status).not_in(omit_statuses))
            if updated_since is not None:
                stmt = stmt.where(col(ThriveUser.updated_at) >= updated_since)
            rows, total = self._page(u, stmt, paging, col(ThriveUser.id))
            return wire.envelope(self._v1_views(u, rows), total, paging)

    def get_user(self, tenant: str, user_id: str) -> Body:
        with self.unit(tenant) as u:
            user = self._found(u, ThriveUser, user_id, "User")
            return self._v1_views(u, [user])[0]

    def get_user_by_ref(self, tenant: str, ref: str) -> Body:
        with self.unit(tenant) as u:
            user = self._user_by_ref(u, ref)
            manager = self._managers_by_ref(u, [user.manager_ref]).get(user.manager_ref or "")
            return wire.basic_user(user, manager)

    # -----------------------------------------------------------------------------------------
    # Users (v2 lifecycle)
    # -----------------------------------------------------------------------------------------

    def _check_user(self, u: Unit, user: ThriveUser) -> None:
        """The rules every create and update result obeys: 422 first, then 409."""
        if user.login_method == "email" and not user.email:
            raise Unprocessable("email is required when loginMethod is email")
        others = select(ThriveUser).where(ThriveUser.tenant_id == u.tenant,
                                          ThriveUser.id != user.id)
        if user.ref is not None and u.session.exec(
                others.where(ThriveUser.ref == user.ref)).first() is not None:
            raise Conflict(f"A user with ref '{user.ref}' already exists")
        if user.email and u.session.exec(others.where(
                col(ThriveUser.deleted).is_(False),
                func.lower(ThriveUser.email) == user.email.lower())).first() is not None:
            raise Conflict(f"A user with email '{user.email}' already exists")

    def _new_user(self, u: Unit, body: wire.UserCreate) -> ThriveUser:
        user = ThriveUser(tenant_id=u.tenant, id=new_id(u), ref=body.ref,
                          created_at=u.now, updated_at=u.now)
        self._apply(user, body.sent())
        self._check_user(u, user)
        u.session.add(user)
        return user

    @staticmethod
    def _apply(user: ThriveUser, fields: dict[str, Any]) -> None:
        for name, value in fields.items():
            setattr(user, name, value)

    def _update_user(self, u: Unit, user: ThriveUser, fields: dict[str, Any]) -> None:
        fields.pop("ref", None)
        self._apply(user, fields)
        user.updated_at = u.now
        self._check_user(u, user)

    @staticmethod
    def _suspend(u: Unit, user: ThriveUser, end_date: datetime | None) -> None:
        """Suspending a suspended user changes nothing but a newly given end date."""
        changed = end_date is not None and end_date != user.end_date
        if user.active or user.status != "inactive":
            user.active, user.status, changed = False, "inactive", True
        if end_date is not None:
            user.end_date = end_date
        if changed:
            user.updated_at = u.now

    def _delete_user(self, u: Unit, user: ThriveUser) -> None:
        """Obfuscate, keep training history, leave every member and manager list."""
        user.first_name, user.last_name = "Deleted", "User"
        user.email = user.ref = None
        user.deleted, user.active, user.status = True, False, "inactive"
        user.updated_at = u.now
        self._refresh(u)
        self._archive(u, self._all(u, select(ThriveEnrolment).where(
            ThriveEnrolment.tenant_id == u.tenant, ThriveEnrolment.user_id == user.id,
            ThriveEnrolment.status != "archived")))
        for model in (ThriveMember, ThriveManager):
            u.session.execute(delete(model).where(col(model.tenant_id) == u.tenant,
                                                  col(model.user_id) == user.id))

    def create_user(self, tenant: str, body: wire.UserCreate) -> Body:
        with self.unit(tenant) as u:
            return wire.user_lifecycle(self._new_user(u, body))

    def update_user(self, tenant: str, ref: str, body: wire.UserUpdate) -> Body:
        with self.unit(tenant) as u:
            user = self._user_by_ref(u, ref)
            self._update_user(u, user, body.sent())
            return wire.user_lifecycle(user)

    def suspend_user(self, tenant: str, ref: str, body: wire.UserSuspend) -> Body:
        with self.unit(tenant) as u:
            user = self._user_by_ref(u, ref)
            self._suspend(u, user, body.end_date)
            return wire.user_lifecycle(user)

    def delete_user(self, tenant: str, ref: str) -> None:
        with self.unit(tenant) as u:
            self._delete_user(u, self._user_by_ref(u, ref))

    # -----------------------------------------------------------------------------------------
    # User tags and skills
    # -----------------------------------------------------------------------------------------

    def _skills_of(self, u: Unit, user_id: str) -> dict[str, ThriveUserSkill]:
        rows = self._all(u, select(ThriveUserSkill).where(
            ThriveUserSkill.tenant_id == u.tenant, ThriveUserSkill.user_id == user_id))
        return {r.tag_id: r for r in rows}

    @staticmethod
    def _touch(u: Unit, *rows: ThriveUser | ThriveTag) -> None:
        for row in rows:
            row.updated_at = u.now

    def add_user_tags(self, tenant: str, user_id: str, body: wire.TagsAdd) -> Body:
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

    def remove_user_tags(self, tenant: str, user_id: str, body: wire.TagsRemove) -> Body:
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

    def update_user_skills(self, tenant: str, user_id: str, body: wire.SkillsUpdate) -> Body:
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

    # -----------------------------------------------------------------------------------------
    # Audiences, members and managers
    # -----------------------------------------------------------------------------------------

    def _audience_view(self, u: Unit, row: ThriveAudience) -> Body:
        parent = self._get(u, ThriveAudience, row.parent_id) if row.parent_id else None
        return wire.audience(row, parent)

    def _parent_structure(self, u: Unit, key: str) -> ThriveAudience:
        parent = self._audience_by_key(u, key)
        if parent is None or parent.category != "structure" or not parent.api_controlled:
            raise Unprocessable(f"parentId: '{key}' is not an API-controlled structure")
        return parent

    def _unique_reference(self, u: Unit, reference: str, own_id: str | None = None) -> None:
        stmt = select(ThriveAudience).where(ThriveAudience.tenant_id == u.tenant,
                                            ThriveAudience.reference == reference)
        if own_id is not None:
            stmt = stmt.where(ThriveAudience.id != own_id)
        if u.session.exec(stmt).first() is not None:
            raise Conflict(f"An audience with reference '{reference}' already exists")

    def get_audiences(self, tenant: str, paging: Paging, *, api_controlled: bool | None,
                      updated_since: datetime | None) -> Body:
        with self.unit(tenant) as u:
            stmt = select(ThriveAudience).where(ThriveAudience.tenant_id == tenant)
            if api_controlled is not None:
                stmt = stmt.where(col(ThriveAudience.api_controlled).is_(api_controlled))
            if updated_since is not None:
                stmt = stmt.where(col(ThriveAudience.updated_at) >= updated_since)
            rows, total = self._page(u, stmt, paging, col(ThriveAudience.id))
            parents = {p.id: p for p in self._all(u, select(ThriveAudience).where(
                ThriveAudience.tenant_id == tenant,
                col(ThriveAudience.id).in_({r.parent_id for r in rows if r.parent_id})))}
            views = [wire.audience(r, parents.get(r.parent_id or "")) for r in rows]
            return wire.envelope(views, total, paging)

    def get_audience(self, tenant: str, key: str) -> Body:
        with self.unit(tenant) as u:
            return self._audience_view(u, self._audience(u, key))

    def add_audience(self, tenant: str, body: wire.AudienceCreate) -> Body:
        with self.unit(tenant) as u:
            category = body.category or ("audience" if body.parent_id else "structure")
            parent = None
            if category == "structure" and body.parent_id:
                raise Unprocessable("parentId: a structure cannot have a parent")
            if category == "audience":
                if not body.parent_id:
                    raise Unprocessable("parentId: an audience needs a parent structure")
                parent = self._parent_structure(u, body.parent_id)
            self._unique_reference(u, body.reference)
            row = ThriveAudience(tenant_id=tenant, id=new_id(u), name=body.name,
                                 reference=body.reference, category=category,
                                 parent_id=parent.id if parent else None,
                                 created_at=u.now, updated_at=u.now)
            u.session.add(row)
            return wire.audience(row, parent)

    def update_audience(self, tenant: str, key: str, body: wire.AudienceUpdate) -> Body:
        with self.unit(tenant) as u:
            row = self._writable_audience(u, key)
            sent = body.sent()
            if "parent_id" in sent:
                if row.category == "structure" and body.parent_id is not None:
                    raise Unprocessable("parentId: a structure cannot be moved")
                if row.category == "audience":
                    if body.parent_id is None:
                        raise Unprocessable("parentId: an audience needs a parent structure")
                    row.parent_id = self._parent_structure(u, body.parent_id).id
            if body.reference is not None:
                self._unique_reference(u, body.reference, row.id)
                row.reference = body.reference
            if body.name is not None:
                row.name = body.name
            row.updated_at = u.now
            # The move is applied at once, so there are never pending member operations.
            return {**self._audience_view(u, row), "memberOperations": None}

    def delete_audience(self, tenant: str, key: str) -> None:
        with self.unit(tenant) as u:
            row = self._writable_audience(u, key)
            children = self._all(u, select(ThriveAudience).where(
                ThriveAudience.tenant_id == tenant, ThriveAudience.parent_id == row.id)
                .order_by(col(ThriveAudience.id)))
            if children:
                # One call must not drop several audiences' members and assignments.
                raise Conflict("Audience has child audiences; delete them first: "
                               + ", ".join(c.reference for c in children))
            self._refresh(u)
            for assignment in self._live_assignments(u, row.id):
                self._retire(u, assignment)
            for model in (ThriveMember, ThriveManager):
                u.session.execute(delete(model).where(col(model.tenant_id) == tenant,
                                                      col(model.audience_id) == row.id))
            u.session.delete(row)

    def _member_ids(self, u: Unit, audience_id: str) -> list[str]:
        return list(u.session.exec(select(ThriveMember.user_id).where(
            ThriveMember.tenant_id == u.tenant, ThriveMember.audience_id == audience_id)).all())

    def get_audience_members(self, tenant: str, key: str, paging: Paging) -> Body:
        with self.unit(tenant) as u:
            row = self._audience(u, key)
            stmt = select(ThriveMember).where(ThriveMember.tenant_id == tenant,
                                              ThriveMember.audience_id == row.id)
            members, total = self._page(u, stmt, paging, col(ThriveMember.added_at),
                                        col(ThriveMember.user_id))
            users = self._users_by_id(u, [m.user_id for m in members])
            return wire.envelope([wire.member(users[m.user_id]) for m in members], total, paging)

    def _resolve_all(self, u: Unit, keys: list[str]) -> tuple[list[tuple[str, ThriveUser]],
                                                               list[tuple[str, str]]]:
        found: list[tuple[str, ThriveUser]] = []
        failed: list[tuple[str, str]] = []
        for key in keys:
            user = self._resolve_user(u, key)
            if user is None:
                failed.append((key, "User not found"))
            else:
                found.append((key, user))
        return found, failed

    def _join(self, u: Unit, audience: ThriveAudience, user_ids: Iterable[str]) -> None:
        current = set(self._member_ids(u, audience.id))
        joining = [i for i in dict.fromkeys(user_ids) if i not in current]
        for user_id in joining:
            u.session.add(ThriveMember(tenant_id=u.tenant, audience_id=audience.id,
                                       user_id=user_id, added_at=u.now))
        for assignment in self._live_assignments(u, audience.id):
            self._enrol(u, assignment, joining)

    def _leave(self, u: Unit, audience: ThriveAudience, user_ids: list[str]) -> None:
        if not user_ids:
            return
        u.session.execute(delete(ThriveMember).where(
            col(ThriveMember.tenant_id) == u.tenant, col(ThriveMember.audience_id) == audience.id,
            col(ThriveMember.user_id).in_(user_ids)))
        assignment_ids = [a.id for a in self._live_assignments(u, audience.id)]
        if assignment_ids:
            self._archive(u, self._all(u, select(ThriveEnrolment).where(
                ThriveEnrolment.tenant_id == u.tenant,
                col(ThriveEnrolment.assignment_id).in_(assignment_ids),
                col(ThriveEnrolment.user_id).in_(user_ids))))

    def add_audience_members(self, tenant: str, key: str,
                             body: wire.MemberList) -> tuple[int, Body]:
        with self.unit(tenant) as u:
            row = self._writable_audience(u, key)
            self._refresh(u)
            found, failed = self._resolve_all(u, body.root)
            self._join(u, row, [user.id for _, user in found])
            return (207 if failed else 200), wire.batch_result([k for k, _ in found], failed)

    def replace_audience_members(self, tenant: str, key: str,
                                 body: wire.MemberList) -> tuple[int, Body]:
        with self.unit(tenant) as u:
            row = self._writable_audience(u, key)
            self._refresh(u)
            found, failed = self._resolve_all(u, body.root)
            keep = {user.id for _, user in found}
            self._leave(u, row, [i for i in self._member_ids(u, row.id) if i not in keep])
            self._join(u, row, [user.id for _, user in found])
            return (207 if failed else 200), wire.batch_result([k for k, _ in found], failed)

    def remove_audience_member(self, tenant: str, key: str, user_key: str) -> None:
        with self.unit(tenant) as u:
            row = self._writable_audience(u, key)
            user = self._resolve_user(u, user_key)
            if user is None or user.id not in self._member_ids(u, row.id):
                raise NotFound("User is not a member of this audience")
            self._refresh(u)
            self._leave(u, row, [user.id])

    def _managers(self, u: Unit, audience_id: str) -> list[ThriveManager]:
        return self._all(u, select(ThriveManager).where(
            ThriveManager.tenant_id == u.tenant, ThriveManager.audience_id == audience_id)
            .order_by(col(ThriveManager.added_at), col(ThriveManager.user_id)))

    def get_audience_managers(self, tenant: str, key: str) -> list[Body]:
        with self.unit(tenant) as u:
            row = self._audience(u, key)
            managers = self._managers(u, row.id)
            users = self._users_by_id(u, [m.user_id for m in managers])
            return [wire.manager(users[m.user_id], m.permissions) for m in managers]

    def _set_managers(self, u: Unit, row: ThriveAudience, items: list[wire.ManagerInput],
                      *, replace: bool) -> tuple[int, Body]:
        found, failed = self._resolve_all(u, [item.reference for item in items])
        rights = {item.reference: item.permissions for item in items}
        current = {m.user_id: m for m in self._managers(u, row.id)}
        chosen: dict[str, dict[str, Any]] = {}
        for key, user in found:
            chosen[user.id] = rights[key].wire(structure=row.category == "structure")
        for user_id, manager in current.items():
            if replace and user_id not in chosen:
                u.session.delete(manager)
        for user_id, permissions in chosen.items():
            manager = current.get(user_id) or ThriveManager(
                tenant_id=u.tenant, audience_id=row.id, user_id=user_id, added_at=u.now)
            manager.permissions = permissions
            u.session.add(manager)
        return (207 if failed else 200), wire.batch_result([k for k, _ in found], failed)

    def add_audience_managers(self, tenant: str, key: str,
                              body: wire.ManagerList) -> tuple[int, Body]:
        with self.unit(tenant) as u:
            return self._set_managers(u, self._writable_audience(u, key), body.root,
                                      replace=False)

    def replace_audience_managers(self, tenant: str, key: str,
                                  body: wire.ManagerList) -> tuple[int, Body]:
        with self.unit(tenant) as u:
            return self._set_managers(u, self._writable_audience(u, key), body.root,
                                      replace=True)

    def remove_audience_manager(self, tenant: str, key: str, user_key: str) -> None:
        with self.unit(tenant) as u:
            row = self._writable_audience(u, key)
            user = self._resolve_user(u, user_key)
            current = {m.user_id: m for m in self._managers(u, row.id)}
            if user is None or user.id not in current:
                raise NotFound("User is not a manager of this audience")
            u.session.delete(current[user.id])

    # -----------------------------------------------------------------------------------------
    # Enrolment engine
    # -----------------------------------------------------------------------------------------

    @staticmethod
    def _transition(row: ThriveEnrolment, kind: str, status: str, at: datetime,
                    completion_id: str | None = None) -> None:
        at = max(at, row.updated_at)
        row.history = [*row.history, wire.history_entry(kind, row.status, status, at,
                                                        completion_id)]
        row.status = status
        row.updated_at = at

    def _catch_up(self, row: ThriveEnrolment, assignment: ThriveAssignment,
                  now: datetime) -> None:
        """Apply every clock-driven transition that has come due, each stamped when due."""
        if row.status == "scheduled" and row.available_date <= now:
            self._transition(row, "assigned", "open", row.available_date)
        if row.status == "complete" and assignment.recurrence and not assignment.is_deleted \
                and row.last_completed_at is not None:
            reopen = plus_days(row.last_completed_at, assignment.recurrence)
            if reopen <= now:
                self._transition(row, "recurred", "open", reopen)
                row.available_date = row.updated_at
                row.due_date = plus_days(row.available_date, assignment.completion_period)
        if row.status == "open" and row.due_date < now:
            self._transition(row, "overdue", "overdue", row.due_date)

    def _refresh(self, u: Unit) -> None:
        """Bring the tenant's enrolments up to date with the emulator clock."""
        stmt = select(ThriveEnrolment, ThriveAssignment).join(
            ThriveAssignment, (col(ThriveAssignment.tenant_id) == col(ThriveEnrolment.tenant_id))
            & (col(ThriveAssignment.id) == col(ThriveEnrolment.assignment_id))
        ).where(ThriveEnrolment.tenant_id == u.tenant, (
            ((col(ThriveEnrolment.status) == "open") & (col(ThriveEnrolment.due_date) < u.now))
            | ((col(ThriveEnrolment.status) == "scheduled")
               & (col(ThriveEnrolment.available_date) <= u.now))
            | ((col(ThriveEnrolment.status) == "complete")
               & col(ThriveAssignment.recurrence).is_not(None)
               & col(ThriveAssignment.is_deleted).is_(False))))
        for row, assignment in u.session.exec(stmt).all():
            self._catch_up(row, assignment, u.now)
            u.session.add(row)

    def _enrol(self, u: Unit, assignment: ThriveAssignment, user_ids: list[str]) -> None:
        """Open an enrolment per user: new, or an archived one reopened; live ones stay."""
        if not user_ids:
            return
        existing = {e.user_id: e for e in self._all(u, select(ThriveEnrolment).where(
            ThriveEnrolment.tenant_id == u.tenant, ThriveEnrolment.assignment_id == assignment.id,
            col(ThriveEnrolment.user_id).in_(user_ids)))}
        fresh = [i for i in user_ids if i not in existing]
        ids = iter(new_ids(u, len(fresh)) if fresh else [])
        opened: list[str] = []
        due = plus_days(u.now, assignment.completion_period)
        for user_id in user_ids:
            row = existing.get(user_id)
            if row is None:
                row = ThriveEnrolment(tenant_id=u.tenant, id=next(ids),
                                      assignment_id=assignment.id, user_id=user_id,
                                      status="unassigned", available_date=u.now, due_date=due,
                                      updated_at=u.now)
            elif row.status != "archived":
                continue
            self._transition(row, "assigned", "open", u.now)
            row.available_date, row.due_date = u.now, due
            u.session.add(row)
            opened.append(user_id)
        content = self._get(u, ThriveContent, assignment.primary_content_id)
        self._record_activities(u, ASSIGNED_ACTIVITY, opened, content, u.now,
                                {"assignmentId": assignment.id})

    def _archive(self, u: Unit, rows: Iterable[ThriveEnrolment]) -> None:
        for row in rows:
            if row.status != "archived":
                self._transition(row, "archived", "archived", u.now)
                u.session.add(row)

    def _live_assignments(self, u: Unit, audience_id: str) -> list[ThriveAssignment]:
        return self._all(u, select(ThriveAssignment).where(
            ThriveAssignment.tenant_id == u.tenant, ThriveAssignment.audience_id == audience_id,
            col(ThriveAssignment.is_deleted).is_(False)).order_by(col(ThriveAssignment.id)))

    def _retire(self, u: Unit, assignment: ThriveAssignment) -> None:
        """Soft delete: readable afterwards, every enrolment archived."""
        assignment.is_deleted, assignment.is_active = True, False
        assignment.deleted_at = assignment.updated_at = u.now
        u.session.add(assignment)
        self._archive(u, self._all(u, select(ThriveEnrolment).where(
            ThriveEnrolment.tenant_id == u.tenant,
            ThriveEnrolment.assignment_id == assignment.id)))

    def _record_activities(self, u: Unit, kind: str, user_ids: list[str],
                           content: ThriveContent | None, at: datetime,
                           data: dict[str, Any]) -> None:
        for user_id, activity_id in zip(user_ids, new_ids(u, len(user_ids)) if user_ids else [],
                                        strict=True):
            u.session.add(ThriveActivity(
                tenant_id=u.tenant, id=activity_id, user_id=user_id, type=kind,
                name=content.title if content else None, date=at,
                context_id=content.id if content else None, context_type="content",
                content_type=content.type if content else None, data=data, with_=None))

    # -----------------------------------------------------------------------------------------
    # Assignments and enrolments
    # -----------------------------------------------------------------------------------------

    def _body_audience(self, u: Unit, key: str) -> ThriveAudience:
        row = self._audience_by_key(u, key)
        if row is None:
            raise Unprocessable(f"audienceId: audience '{key}' not found")
        return row

    def _check_contents(self, u: Unit, primary: str | None,
                        alternatives: list[str] | None) -> None:
        wanted = ([primary] if primary else []) + (alternatives or [])
        known = self._contents(u, wanted)
        if primary and primary.lower() not in known:
            raise Unprocessable(f"contentId: content '{primary}' not found")
        unknown = [c for c in alternatives or [] if c.lower() not in known]
        if unknown:
            raise Unprocessable(f"alternativeContentIds: content not found: {', '.join(unknown)}")

    def _check_unassigned(self, u: Unit, audience_id: str, content_id: str,
                          own_id: str | None = None) -> None:
        stmt = select(ThriveAssignment).where(
            ThriveAssignment.tenant_id == u.tenant, ThriveAssignment.audience_id == audience_id,
            ThriveAssignment.primary_content_id == content_id,
            col(ThriveAssignment.is_deleted).is_(False))
        if own_id is not None:
            stmt = stmt.where(ThriveAssignment.id != own_id)
        if u.session.exec(stmt).first() is not None:
            # Thrive documents no 409 for assignments (fact sheet §1.8).
            raise Unprocessable("This content is already assigned to this audience")

    def _own_assignment(self, u: Unit, assignment_id: str) -> ThriveAssignment:
        row = self._found(u, ThriveAssignment, assignment_id, "Assignment")
        if row.is_deleted:
            raise NotFound("Assignment not found")
        return row

    def _check_audience_field(self, u: Unit, row: ThriveAssignment, key: str | None) -> None:
        if key is None:
            return
        named = self._audience_by_key(u, key)
        if named is None or named.id != row.audience_id:
            raise Unprocessable(f"audienceId: '{key}' is not this assignment's audience")

    def list_assignments(self, tenant: str, paging: Paging, *, audience: str | None,
                         updated_since: datetime | None) -> list[Body]:
        with self.unit(tenant) as u:
            stmt = select(ThriveAssignment).where(ThriveAssignment.tenant_id == tenant)
            if audience is not None:
                named = self._audience_by_key(u, audience)
                # A deleted audience's assignments stay readable under its id.
                stmt = stmt.where(ThriveAssignment.audience_id == (
                    named.id if named else audience.lower()))
            if updated_since is not None:
                stmt = stmt.where(col(ThriveAssignment.updated_at) >= updated_since)
            rows, _ = self._page(u, stmt, paging, col(ThriveAssignment.id))
            return [wire.assignment(r) for r in rows]

    def create_assignment(self, tenant: str, body: wire.AssignmentCreate) -> Body:
        with self.unit(tenant) as u:
            audience = self._body_audience(u, body.audience_id)
            primary = (body.primary or "").lower()
            self._check_contents(u, body.primary, body.alternative_content_ids)
            self._check_unassigned(u, audience.id, primary)
            self._refresh(u)
            row = ThriveAssignment(
                tenant_id=tenant, id=new_id(u), audience_id=audience.id,
                primary_content_id=primary,
                alternative_content_ids=[c.lower() for c in body.alternative_content_ids],
                hide_alternative_content=body.hide_alternative_content,
                completion_period=body.completion_period, recurrence=body.recurrence,
                created_at=u.now, updated_at=u.now)
            u.session.add(row)
            self._enrol(u, row, sorted(self._member_ids(u, audience.id)))
            return wire.assignment(row)

    def get_assignment(self, tenant: str, assignment_id: str) -> Body:
        with self.unit(tenant) as u:
            return wire.assignment(self._found(u, ThriveAssignment, assignment_id, "Assignment"))

    def update_assignment(self, tenant: str, assignment_id: str,
                          body: wire.AssignmentUpdate) -> Body:
        with self.unit(tenant) as u:
            row = self._own_assignment(u, assignment_id)
            self._check_audience_field(u, row, body.audience_id)
            self._check_contents(u, body.primary, body.alternative_content_ids)
            if body.primary is not None:
                self._check_unassigned(u, row.audience_id, body.primary.lower(), row.id)
                row.primary_content_id = body.primary.lower()
            if body.alternative_content_ids is not None:
                row.alternative_content_ids = [c.lower() for c in body.alternative_content_ids]
            if body.hide_alternative_content is not None:
                row.hide_alternative_content = body.hide_alternative_content
            if "recurrence" in body.model_fields_set:
                row.recurrence = body.recurrence
            self._refresh(u)
            if body.completion_period is not None and \
                    body.completion_period != row.completion_period:
                row.completion_period = body.completion_period
                self._reschedule(u, row)
            row.updated_at = u.now
            u.session.add(row)
            return wire.assignment(row)

    def _reschedule(self, u: Unit, assignment: ThriveAssignment) -> None:
        """A new completion period moves the due date of open and overdue enrolments."""
        for row in self._all(u, select(ThriveEnrolment).where(
                ThriveEnrolment.tenant_id == u.tenant,
                ThriveEnrolment.assignment_id == assignment.id,
                col(ThriveEnrolment.status).in_(LIVE))):
            row.due_date = plus_days(row.available_date, assignment.completion_period)
            reopened = row.status == "overdue" and row.due_date >= u.now
            self._transition(row, "rescheduled", "open" if reopened else row.status, u.now)
            self._catch_up(row, assignment, u.now)
            u.session.add(row)

    def delete_assignment(self, tenant: str, assignment_id: str,
                          body: wire.AssignmentDelete | None) -> None:
        with self.unit(tenant) as u:
            row = self._own_assignment(u, assignment_id)
            self._check_audience_field(u, row, body.audience_id if body else None)
            self._refresh(u)
            self._retire(u, row)

    def list_enrolments(self, tenant: str, assignment_id: str, paging: Paging, *,
                        status: list[str] | None, updated_from: datetime | None,
                        updated_to: datetime | None) -> list[Body]:
        with self.unit(tenant) as u:
            owner = self._found(u, ThriveAssignment, assignment_id, "Assignment")
            self._refresh(u)
            stmt = select(ThriveEnrolment).where(ThriveEnrolment.tenant_id == tenant,
                                                 ThriveEnrolment.assignment_id == owner.id)
            if status is not None:
                stmt = stmt.where(col(ThriveEnrolment.status).in_(status))
            if updated_from is not None:
                stmt = stmt.where(col(ThriveEnrolment.updated_at) >= updated_from)
            if updated_to is not None:
                stmt = stmt.where(col(ThriveEnrolment.updated_at) <= updated_to)
            rows, _ = self._page(u, stmt, paging, col(ThriveEnrolment.id))
            return [wire.enrolment(r, owner) for r in rows]

    def get_enrolment(self, tenant: str, assignment_id: str, enrolment_id: str) -> Body:
        with self.unit(tenant) as u:
            owner = self._found(u, ThriveAssignment, assignment_id, "Assignment")
            self._refresh(u)
            row = self._get(u, ThriveEnrolment, enrolment_id)
            if row is None or row.assignment_id != owner.id:
                raise NotFound("Enrolment not found")
            return wire.enrolment(row, owner)

    # -----------------------------------------------------------------------------------------
    # Learning completions
    # -----------------------------------------------------------------------------------------

    def list_completions(self, tenant: str, paging: Paging, *, content_id: str | None,
                         user_id: str | None, is_rpl: bool | None, start: datetime | None,
                         end: datetime | None) -> list[Body]:
        with self.unit(tenant) as u:
            stmt = select(ThriveCompletion).where(ThriveCompletion.tenant_id == tenant)
            if content_id is not None:
                stmt = stmt.where(ThriveCompletion.content_id == content_id.lower())
            if user_id is not None:
                stmt = stmt.where(ThriveCompletion.user_id == user_id.lower())
            if is_rpl is not None:
                stmt = stmt.where(col(ThriveCompletion.is_rpl).is_(is_rpl))
            if start is not None:
                stmt = stmt.where(col(ThriveCompletion.completed_at) >= start)
            if end is not None:
                stmt = stmt.where(col(ThriveCompletion.completed_at) <= end)
            rows, _ = self._page(u, stmt, paging, col(ThriveCompletion.id))
            return [wire.completion(r) for r in rows]

    def get_completion(self, tenant: str, completion_id: str) -> Body:
        with self.unit(tenant) as u:
            return wire.completion(self._found(u, ThriveCompletion, completion_id, "Completion"))

    def create_completion(self, tenant: str, body: wire.CompletionCreate) -> Body:
        with self.unit(tenant) as u:
            user = self._get(u, ThriveUser, body.user_id)
            if user is None or user.deleted:
                raise Unprocessable(f"userId: user '{body.user_id}' not found")
            content = self._get(u, ThriveContent, body.content_id)
            if content is None:
                raise Unprocessable(f"contentId: content '{body.content_id}' not found")
            self._refresh(u)
            row = ThriveCompletion(tenant_id=tenant, id=new_id(u), user_id=user.id,
                                   content_id=content.id, skills=list(content.tags),
                                   completed_at=body.completed_at)
            counting = [(e, a) for e, a in u.session.exec(
                select(ThriveEnrolment, ThriveAssignment).join(
                    ThriveAssignment,
                    (col(ThriveAssignment.tenant_id) == col(ThriveEnrolment.tenant_id))
                    & (col(ThriveAssignment.id) == col(ThriveEnrolment.assignment_id)))
                .where(ThriveEnrolment.tenant_id == tenant, ThriveEnrolment.user_id == user.id,
                       col(ThriveEnrolment.status).in_(LIVE),
                       col(ThriveAssignment.is_deleted).is_(False))
                .order_by(col(ThriveEnrolment.id))).all()
                if content.id in (a.primary_content_id, *a.alternative_content_ids)]
            row.had_due_date = bool(counting)
            recurrences = [a.recurrence for _, a in counting if a.recurrence]
            if recurrences:
                row.active_until = plus_days(body.completed_at, min(recurrences))
            u.session.add(row)
            for enrolment, assignment in counting:
                self._transition(enrolment, "completed", "complete", u.now, row.id)
                enrolment.last_completed_at = body.completed_at
                self._catch_up(enrolment, assignment, u.now)
                u.session.add(enrolment)
            self._record_activities(u, COMPLETED_ACTIVITY, [user.id], content,
                                    body.completed_at, {"completionId": row.id})
            return {"statementId": str(uuid.uuid4())}

    # -----------------------------------------------------------------------------------------
    # Content, activities, CPD, tags, skill levels (read-only fixture data)
    # -----------------------------------------------------------------------------------------

    def query_contents(self, tenant: str, paging: Paging, *, types: list[str] | None,
                       omit_types: list[str] | None, updated_since: datetime | None) -> Body:
        with self.unit(tenant) as u:
            stmt = select(ThriveContent).where(ThriveContent.tenant_id == tenant)
            if types is not None:
                stmt = stmt.where(col(ThriveContent.type).in_(types))
            elif omit_types:
                stmt = stmt.where(col(ThriveContent.type).not_in(omit_types))
            if updated_since is not None:
                stmt = stmt.where(col(ThriveContent.updated_at) >= updated_since)
            rows, total = self._page(u, stmt, paging, col(ThriveContent.id))
            return wire.envelope([wire.content(r) for r in rows], total, paging)

    def get_content(self, tenant: str, content_id: str) -> Body:
        with self.unit(tenant) as u:
            return wire.content(self._found(u, ThriveContent, content_id, "Content"))

    def query_activities(self, tenant: str, paging: Paging, *, actions: list[str] | None,
                         omit_actions: list[str] | None, content_ids: list[str] | None,
                         content_type: str | None, start: datetime | None,
                         end: datetime | None) -> Body:
        with self.unit(tenant) as u:
            stmt = select(ThriveActivity).where(ThriveActivity.tenant_id == tenant)
            if actions is not None:
                stmt = stmt.where(col(ThriveActivity.type).in_(actions))
            elif omit_actions:
                stmt = stmt.where(col(ThriveActivity.type).not_in(omit_actions))
            if content_ids is not None:
                stmt = stmt.where(col(ThriveActivity.context_id).in_(
                    [c.lower() for c in content_ids]))
            if content_type is not None:
                # The documented example value is `content`, a context type; real records also
                # carry the content's own type: either matches.
                stmt = stmt.where((col(ThriveActivity.context_type) == content_type)
                                  | (col(ThriveActivity.content_type) == content_type))
            if start is not None:
                stmt = stmt.where(col(ThriveActivity.date) >= start)
            if end is not None:
                stmt = stmt.where(col(ThriveActivity.date) <= end)
            rows, total = self._page(u, stmt, paging, col(ThriveActivity.date),
                                     col(ThriveActivity.id))
            return wire.envelope([wire.activity(r) for r in rows], total, paging)

    def get_activity(self, tenant: str, activity_id: str) -> Body:
        with self.unit(tenant) as u:
            return wire.activity(self._found(u, ThriveActivity, activity_id, "Activity"))

    def list_cpd_categories(self, tenant: str, paging: Paging, *,
                            updated_since: datetime | None) -> Body:
        with self.unit(tenant) as u:
            stmt = select(ThriveCpdCategory).where(ThriveCpdCategory.tenant_id == tenant)
            if updated_since is not None:
                stmt = stmt.where(col(ThriveCpdCategory.updated_at) >= updated_since)
            rows, total = self._page(u, stmt, paging, col(ThriveCpdCategory.id))
            return wire.envelope([wire.cpd_category(r) for r in rows], total, paging)

    def get_cpd_category(self, tenant: str, category_id: str) -> Body:
        with self.unit(tenant) as u:
            return wire.cpd_category(self._found(u, ThriveCpdCategory, category_id,
                                                 "CPD category"))

    def _entry_views(self, u: Unit, rows: list[ThriveCpdEntry]) -> list[Body]:
        categories = {c.id: c for c in self._all(u, select(ThriveCpdCategory).where(
            ThriveCpdCategory.tenant_id == u.tenant,
            col(ThriveCpdCategory.id).in_({r.category_id for r in rows if r.category_id})))}
        return [wire.cpd_entry(r, categories.get(r.category_id or "")) for r in rows]

    def query_cpd_entries(self, tenant: str, paging: Paging, *, start: datetime | None,
                          end: datetime | None) -> Body:
        with self.unit(tenant) as u:
            stmt = select(ThriveCpdEntry).where(ThriveCpdEntry.tenant_id == tenant)
            if start is not None:
                stmt = stmt.where(col(ThriveCpdEntry.entry_date) >= start)
            if end is not None:
                stmt = stmt.where(col(ThriveCpdEntry.entry_date) <= end)
            rows, total = self._page(u, stmt, paging, col(ThriveCpdEntry.entry_date),
                                     col(ThriveCpdEntry.id))
            return wire.envelope(self._entry_views(u, rows), total, paging)

    def get_cpd_entry(self, tenant: str, entry_id: str) -> Body:
        with self.unit(tenant) as u:
            return self._entry_views(u, [self._found(u, ThriveCpdEntry, entry_id,
                                                     "CPD entry")])[0]

    def list_cpd_requirements(self, tenant: str, paging: Paging, *,
                              updated_since: datetime | None) -> Body:
        with self.unit(tenant) as u:
            stmt = select(ThriveCpdRequirement).where(ThriveCpdRequirement.tenant_id == tenant)
            if updated_since is not None:
                # Never-updated requirements count from their creation.
                stmt = stmt.where(func.coalesce(col(ThriveCpdRequirement.updated_at),
                                                col(ThriveCpdRequirement.created_at))
                                  >= updated_since)
            rows, total = self._page(u, stmt, paging, col(ThriveCpdRequirement.id))
            return wire.envelope([wire.cpd_requirement(r) for r in rows], total, paging)

    def get_cpd_requirement(self, tenant: str, requirement_id: str) -> Body:
        with self.unit(tenant) as u:
            return wire.cpd_requirement(self._found(u, ThriveCpdRequirement, requirement_id,
                                                    "CPD requirement summary"))

    def cpd_user_summaries(self, tenant: str, paging: Paging, *, start: datetime,
                           end: datetime, user_ids: list[str] | None) -> Body:
        with self.unit(tenant) as u:
            stmt = select(ThriveCpdEntry.user_id, func.sum(ThriveCpdEntry.duration_minutes)) \
                .where(ThriveCpdEntry.tenant_id == tenant,
                       col(ThriveCpdEntry.entry_date) >= start,
                       col(ThriveCpdEntry.entry_date) <= end) \
                .group_by(col(ThriveCpdEntry.user_id))
            if user_ids is not None:
                stmt = stmt.where(col(ThriveCpdEntry.user_id).in_(user_ids))
            minutes = {uid: int(total or 0) for uid, total in u.session.exec(stmt).all()}
            order = user_ids if user_ids is not None else sorted(minutes)
            rows = [{"userId": uid, "durationMinutes": minutes.get(uid, 0)} for uid in order]
            page = rows[paging.offset:paging.offset + paging.per_page]
            return wire.envelope(page, len(rows), paging)

    def _tag_views(self, u: Unit, rows: list[ThriveTag]) -> list[Body]:
        skilled: dict[str, list[str]] = defaultdict(list)
        if rows:
            for skill in self._all(u, select(ThriveUserSkill).where(
                    ThriveUserSkill.tenant_id == u.tenant,
                    col(ThriveUserSkill.tag_id).in_([r.id for r in rows]))
                    .order_by(col(ThriveUserSkill.user_id))):
                skilled[skill.tag_id].append(skill.user_id)
        return [wire.tag(r, skilled[r.id]) for r in rows]

    def list_tags(self, tenant: str, paging: Paging, *, updated_since: datetime | None) -> Body:
        with self.unit(tenant) as u:
            stmt = select(ThriveTag).where(ThriveTag.tenant_id == tenant)
            if updated_since is not None:
                stmt = stmt.where(col(ThriveTag.updated_at) >= updated_since)
            rows, total = self._page(u, stmt, paging, col(ThriveTag.id))
            return wire.envelope(self._tag_views(u, rows), total, paging)

    def get_tag(self, tenant: str, tag_id: str) -> Body:
        with self.unit(tenant) as u:
            return self._tag_views(u, [self._found(u, ThriveTag, tag_id, "Tag")])[0]

    def list_skill_levels(self, tenant: str) -> list[Body]:
        with self.unit(tenant) as u:
            rows = self._all(u, select(ThriveSkillLevel).where(
                ThriveSkillLevel.tenant_id == tenant).order_by(col(ThriveSkillLevel.value)))
            return [wire.skill_level(r) for r in rows]

    # -----------------------------------------------------------------------------------------
    # Inbound HR provisioning webhook
    # -----------------------------------------------------------------------------------------

    def provision(self, tenant: str, event: wire.WebhookEvent) -> None:
        """Apply one HR event synchronously; a repeated envelope id is accepted, not re-applied."""
        with self.unit(tenant) as u:
            if u.session.get(ThriveWebhookEvent, {"tenant_id": tenant, "id": event.id}):
                return
            person = event.content.user
            if event.event_type == "user_joined":
                self._user_joined(u, person)
            else:
                user = self._user_by_ref(u, person.ref)
                if event.event_type == "user_updated":
                    self._update_user(u, user, person.sent())
                elif event.event_type == "user_suspended":
                    self._suspend(u, user, person.end_date)
                else:
                    self._delete_user(u, user)
            u.session.add(ThriveWebhookEvent(tenant_id=tenant, id=event.id,
                                             event_type=event.event_type, received_at=u.now))

    def _user_joined(self, u: Unit, person: wire.WebhookUser) -> None:
        existing = u.session.exec(select(ThriveUser).where(
            ThriveUser.tenant_id == u.tenant, ThriveUser.ref == person.ref,
            col(ThriveUser.deleted).is_(False))).first()
        if existing is None:
            data = person.model_dump(mode="json", by_alias=True, exclude_unset=True)
            self._new_user(u, wire.revalidate(wire.UserCreate, data, "content", "user"))
            return
        self._update_user(u, existing, person.sent())
        existing.active, existing.status = True, "active"


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


def seed(session: Session, tenant_id: str, fixture: ThriveFixture, now: datetime,
         credentials: dict[str, Any] | None) -> dict[str, Any]:
    """Write the pack's rows with one bulk insert per table (a fresh tenant is cheap)."""
    grant_disabled = {c.client_id for c in fixture.oauth_clients if not c.client_credentials}
    creds = credentials or {
        "tenantId": tenant_id,
        "apiSecret": fixture.api_secret,
        "oauthClients": [c.model_dump(by_alias=True, exclude={"client_credentials"})
                         for c in fixture.oauth_clients],
    }
    rows = SeedRows(tenant_id)
    rows.add(ThriveCredential, client_id=BASIC, secret=creds["apiSecret"])
    for client in creds["oauthClients"]:
        rows.add(ThriveCredential, client_id=client["clientId"], secret=client["clientSecret"],
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
        history = [wire.history_entry(h.type, h.previous_status, h.next_status,
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
