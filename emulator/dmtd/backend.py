"""DMTD rules and persistence, usable without HTTP.

Every operation is one unit of work (`ctx.db.transaction()`): validation that needs the
database, then lookups, then the permission check, then the write — in the order of D10 — so
a refused request writes nothing. Times come from the emulator clock.

Where the fact sheet infers, the decision is a named constant or function here:
- `FIRST_IDS`: user ids start at 1234, so that DMTD's own `POST /1/authorize` example
  (`X-LearnerId: 1`, `{"userId": 1234}`) works verbatim against a fresh server's demo iFrame
  organization;
- `SIGNIN_TTL` (24 h) and `signin()`: a new sign-in token replaces the user's previous one;
- `ensure_learner_header_rule()`: D19's iFrame/standard rule for X-UserId/X-UserCode;
- `can_assess()`: D14's ownership model (owner or authorized user);
- `learner_locale()`: D21, the locale of the learner's most recent purchase (default `en`);
- `REGRANT_KEEPS_ROLE`: a repeated `POST /1/authorize` is a 202 that changes nothing.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, select

from emulator.core.clock import as_utc
from emulator.core.ids import next_int, token
from emulator.core.models import Counter, TenantScoped
from emulator.core.vendor import Context
from emulator.dmtd import content
from emulator.dmtd.auth import Principal
from emulator.dmtd.errors import (
    BadRequest,
    DuplicateCode,
    NotFound,
    NotPermitted,
    OwnerCannotBeRemoved,
)
from emulator.dmtd.models import (
    DmtdAssessment,
    DmtdAuthorization,
    DmtdLearner,
    DmtdOrganization,
    DmtdPurchase,
    DmtdScore,
    DmtdUser,
)
from emulator.dmtd.schemas import (
    AssessmentIn,
    DmtdFixture,
    LearnerIn,
    PurchaseIn,
    Ref,
    UserIn,
    full_name,
)

SIGNIN_TTL = timedelta(hours=24)
FIRST_IDS = {"dmtd.user": 1234}
REGRANT_KEEPS_ROLE = True
GROUPLESS_SCORE_AREAS = ("barriers", "transitions")
_MAX_ID = 2**63 - 1  # SQLite's integer range; larger ids are simply unknown

T = TypeVar("T", bound=TenantScoped)


def new_id(session: Session, kind: str) -> int:
    """D4: one server-wide counter per resource kind, so tenants never share an id."""
    name = f"dmtd.{kind}"
    return next_int(session, name, start=FIRST_IDS.get(name, 1))


def new_ids(session: Session, kind: str, count: int) -> list[int]:
    """`count` consecutive ids of one kind in one counter update (keeps seeding fast)."""
    if count == 0:
        return []
    first = new_id(session, kind)
    if count > 1:
        counter = session.get(Counter, f"dmtd.{kind}")
        assert counter is not None
        counter.value += count - 1
        session.add(counter)
    return list(range(first, first + count))


# ------------------------------------------------------------------------- shared look-ups

def _find(session: Session, table: type[T], tenant_id: str, ref: Ref) -> T | None:
    column = "id" if ref.id is not None else "code"
    value = ref.id if ref.id is not None else ref.code
    if ref.id is not None and not 0 < ref.id <= _MAX_ID:
        return None
    stmt = select(table).where(table.tenant_id == tenant_id,
                               getattr(table, column) == value)
    return session.exec(stmt).first()


def find_learner(session: Session, org: Principal, ref: Ref) -> DmtdLearner:
    learner = _find(session, DmtdLearner, org.tenant_id, ref)
    if learner is None:
        raise NotFound(f"No learner with {ref.describe()} could be located")
    return learner


def find_user(session: Session, org: Principal, ref: Ref) -> DmtdUser:
    user = _find(session, DmtdUser, org.tenant_id, ref)
    if user is None:
        raise NotFound(f"No user with {ref.describe()} could be located")
    return user


def _grant(session: Session, tenant_id: str, learner_id: int,
           user_id: int) -> DmtdAuthorization | None:
    return session.exec(select(DmtdAuthorization).where(
        DmtdAuthorization.tenant_id == tenant_id, DmtdAuthorization.learner_id == learner_id,
        DmtdAuthorization.user_id == user_id)).first()


def can_assess(session: Session, learner: DmtdLearner, user: DmtdUser) -> bool:
    """D14: the learner's owner, or a user granted access with `POST /1/authorize`."""
    return learner.owner_id == user.id or _grant(
        session, learner.tenant_id, learner.id, user.id) is not None


def _ensure_code_free(session: Session, table: type[DmtdUser] | type[DmtdLearner],
                      tenant_id: str, code: str | None, what: str) -> None:
    """D13: codes are unique per organization and kind, compared case-sensitively."""
    if code is not None and _find(session, table, tenant_id, Ref("code", code=code)):
        raise DuplicateCode(f"The body of the request was invalid: code {code!r} is already "
                            f"used by another {what}")


def ensure_learner_header_rule(org: Principal, owner: Ref | None, *, required: bool) -> None:
    """D18/D19: iFrame organizations name the user (required when creating a learner); all
    other customers must omit the header."""
    if org.is_iframe and owner is None and required:
        raise BadRequest("X-UserId or X-UserCode is required for iFrame customers")
    if not org.is_iframe and owner is not None:
        raise BadRequest("X-UserId and X-UserCode must be omitted by customers outside the "
                         "iFrame programme")


def learner_locale(session: Session, learner: DmtdLearner) -> str:
    """D21: the content locale is that of the learner's most recent purchase.

    "Most recent" is the last recorded (highest id), so a clock moved backwards by a test
    cannot make an older purchase win.
    """
    purchase = session.exec(select(DmtdPurchase).where(
        DmtdPurchase.tenant_id == learner.tenant_id, DmtdPurchase.learner_id == learner.id,
    ).order_by(col(DmtdPurchase.id).desc())).first()
    return purchase.locale if purchase else content.DEFAULT_LOCALE


@dataclass(frozen=True)
class Authorizations:
    learner: DmtdLearner
    organization_name: str
    entries: list[tuple[DmtdAuthorization, DmtdUser]]


@dataclass(frozen=True)
class ProtocolAnswer:
    group: content.Group
    questions: list[content.Question]
    locale: str


class DmtdBackend:
    """The DMTD operations of one emulator (bound to its `Context`)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # ------------------------------------------------------------------------------ users

    def create_user(self, org: Principal, data: UserIn) -> DmtdUser:
        with self.ctx.db.transaction() as session:
            _ensure_code_free(session, DmtdUser, org.tenant_id, data.code, "user")
            now = self.ctx.now(session, org.tenant_id)
            user = DmtdUser(tenant_id=org.tenant_id, id=new_id(session, "user"), code=data.code,
                            first_name=data.first_name, last_name=data.last_name,
                            email=data.email, locale=data.locale, created_at=now,
                            updated_at=now)
            session.add(user)
            return user

    def signin(self, org: Principal, user_ref: Ref) -> DmtdUser:
        """D20: a fresh 24-hour token; the user's previous one stops working."""
        with self.ctx.db.transaction() as session:
            user = find_user(session, org, user_ref)
            user.signin_token = token(24)
            user.signin_expires_at = self.ctx.now(session, org.tenant_id) + SIGNIN_TTL
            session.add(user)
            return user

    def signed_in_user(self, tenant_id: str, signin_token: str) -> DmtdUser | None:
        """The user a sign-in token currently identifies (None once replaced or expired)."""
        with self.ctx.db.transaction() as session:
            user = session.exec(select(DmtdUser).where(
                DmtdUser.tenant_id == tenant_id, DmtdUser.signin_token == signin_token)).first()
            if user is None or user.signin_expires_at is None:
                return None
            expired = as_utc(user.signin_expires_at) <= self.ctx.now(session, tenant_id)
            return None if expired else user

    # ---------------------------------------------------------------------------- learners

    def create_learner(self, org: Principal, owner_ref: Ref | None,
                       data: LearnerIn) -> DmtdLearner:
        ensure_learner_header_rule(org, owner_ref, required=True)
        with self.ctx.db.transaction() as session:
            _ensure_code_free(session, DmtdLearner, org.tenant_id, data.code, "learner")
            owner = find_user(session, org, owner_ref) if owner_ref is not None else None
            now = self.ctx.now(session, org.tenant_id)
            learner = DmtdLearner(
                tenant_id=org.tenant_id, id=new_id(session, "learner"), code=data.code,
                color=data.color, date_of_birth=data.date_of_birth,
                first_name=data.first_name, last_name=data.last_name, gender=data.gender,
                is_active=bool(data.is_active),
                is_active_numeric=not isinstance(data.is_active, bool),
                owner_id=owner.id if owner else None, created_at=now, updated_at=now)
            session.add(learner)
            return learner

    def list_learners(self, org: Principal, user_ref: Ref | None) -> list[DmtdLearner]:
        """D18: all the organization's learners, or those the named user may assess."""
        ensure_learner_header_rule(org, user_ref, required=False)
        with self.ctx.db.transaction() as session:
            stmt = select(DmtdLearner).where(DmtdLearner.tenant_id == org.tenant_id)
            if user_ref is not None:
                user = find_user(session, org, user_ref)
                granted = select(DmtdAuthorization.learner_id).where(
                    DmtdAuthorization.tenant_id == org.tenant_id,
                    DmtdAuthorization.user_id == user.id)
                stmt = stmt.where((col(DmtdLearner.owner_id) == user.id)
                                  | col(DmtdLearner.id).in_(granted))
            return list(session.exec(stmt.order_by(col(DmtdLearner.id))))

    # ----------------------------------------------------------------------- authorizations

    def authorize(self, org: Principal, learner_ref: Ref, user_ref: Ref, role: str) -> bool:
        """D15: True when permission was granted now, False when it was already held."""
        with self.ctx.db.transaction() as session:
            learner = find_learner(session, org, learner_ref)
            user = find_user(session, org, user_ref)
            if can_assess(session, learner, user):
                return False
            session.add(DmtdAuthorization(
                tenant_id=org.tenant_id, learner_id=learner.id, user_id=user.id, role=role,
                authorized_at=self.ctx.now(session, org.tenant_id)))
            return True

    def deauthorize(self, org: Principal, learner_ref: Ref, user_ref: Ref) -> bool:
        """D16: True when a permission was removed, False when there was none."""
        with self.ctx.db.transaction() as session:
            learner = find_learner(session, org, learner_ref)
            user = find_user(session, org, user_ref)
            if learner.owner_id == user.id:
                raise OwnerCannotBeRemoved(
                    f"User {user.id} owns learner {learner.id}; the owner's permission cannot "
                    "be removed")
            grant = _grant(session, org.tenant_id, learner.id, user.id)
            if grant is None:
                return False
            session.delete(grant)
            return True

    def authorizations(self, org: Principal, learner_ref: Ref) -> Authorizations:
        """D17: the users granted access (the owner is not listed), oldest first."""
        with self.ctx.db.transaction() as session:
            learner = find_learner(session, org, learner_ref)
            rows = session.exec(
                select(DmtdAuthorization, DmtdUser)
                .where(DmtdAuthorization.tenant_id == org.tenant_id,
                       DmtdAuthorization.learner_id == learner.id,
                       DmtdUser.tenant_id == DmtdAuthorization.tenant_id,
                       DmtdUser.id == DmtdAuthorization.user_id)
                .order_by(col(DmtdAuthorization.authorized_at), col(DmtdAuthorization.user_id)))
            return Authorizations(learner, org.name, [(grant, user) for grant, user in rows])

    # -------------------------------------------------------------------------- assessments

    def _assessable(self, session: Session, org: Principal, learner_ref: Ref,
                    user_ref: Ref) -> tuple[DmtdLearner, DmtdUser]:
        learner = find_learner(session, org, learner_ref)
        user = find_user(session, org, user_ref)
        return learner, user

    @staticmethod
    def _ensure_permission(session: Session, learner: DmtdLearner, user: DmtdUser) -> None:
        if not can_assess(session, learner, user):
            raise NotPermitted(f"User {user.id} does not have permission to assess learner "
                               f"{learner.id}")

    def create_assessment(self, org: Principal, learner_ref: Ref, user_ref: Ref,
                          data: AssessmentIn) -> DmtdAssessment:
        with self.ctx.db.transaction() as session:
            learner, user = self._assessable(session, org, learner_ref, user_ref)
            self._ensure_permission(session, learner, user)
            now = self.ctx.now(session, org.tenant_id)
            assessment = DmtdAssessment(
                tenant_id=org.tenant_id, id=new_id(session, "assessment"),
                learner_id=learner.id, assessor_id=user.id,
                start_date=data.start_date or now.replace(microsecond=0), color=data.color,
                created_at=now, updated_at=now)
            session.add(assessment)
            return assessment

    def list_assessments(self, org: Principal, learner_ref: Ref, user_ref: Ref,
                         ) -> list[tuple[DmtdAssessment, str | None, list[DmtdScore]]]:
        """D22: (assessment, assessor name, scores), ordered by start date then id."""
        with self.ctx.db.transaction() as session:
            learner, user = self._assessable(session, org, learner_ref, user_ref)
            self._ensure_permission(session, learner, user)
            assessments = session.exec(select(DmtdAssessment).where(
                DmtdAssessment.tenant_id == org.tenant_id,
                DmtdAssessment.learner_id == learner.id,
            ).order_by(col(DmtdAssessment.start_date), col(DmtdAssessment.id))).all()
            ids = [a.id for a in assessments]
            scores: dict[int, list[DmtdScore]] = {i: [] for i in ids}
            for score in session.exec(select(DmtdScore).where(
                    DmtdScore.tenant_id == org.tenant_id,
                    col(DmtdScore.assessment_id).in_(ids),
            ).order_by(col(DmtdScore.timestamp), col(DmtdScore.seq))):
                scores[score.assessment_id].append(score)
            assessors = _names(session, org.tenant_id,
                               {a.assessor_id for a in assessments if a.assessor_id})
            return [(a, assessors.get(a.assessor_id or 0), scores[a.id]) for a in assessments]

    def update_assessment(self, org: Principal, learner_ref: Ref, user_ref: Ref,
                          assessment_id: int, data: AssessmentIn) -> DmtdAssessment:
        """D22: only the fields sent change; an assessment of another learner is unknown."""
        with self.ctx.db.transaction() as session:
            learner, user = self._assessable(session, org, learner_ref, user_ref)
            assessment = _find(session, DmtdAssessment, org.tenant_id,
                               Ref("assessmentId", id=assessment_id))
            if assessment is None or assessment.learner_id != learner.id:
                raise NotFound(f"No assessment with assessmentId {assessment_id} could be "
                               f"located for learner {learner.id}")
            self._ensure_permission(session, learner, user)
            if data.start_date is not None:
                assessment.start_date = data.start_date
            if "color" in data.model_fields_set:
                assessment.color = data.color
            assessment.updated_at = self.ctx.now(session, org.tenant_id)
            session.add(assessment)
            return assessment

    # ---------------------------------------------------------------------------- purchases

    def create_purchase(self, org: Principal, learner_ref: Ref | None,
                        data: PurchaseIn) -> DmtdPurchase:
        """D21: a learner is required for an assessment purchase, optional for training."""
        if data.product_type == "assessment" and learner_ref is None:
            raise BadRequest("X-LearnerId or X-LearnerCode is required when productType is "
                             "'assessment'")
        with self.ctx.db.transaction() as session:
            learner = find_learner(session, org, learner_ref) if learner_ref else None
            now = self.ctx.now(session, org.tenant_id)
            purchase = DmtdPurchase(
                tenant_id=org.tenant_id, id=new_id(session, "purchase"),
                learner_id=learner.id if learner else None, system_domain=data.system_domain,
                product_type=data.product_type, locale=data.locale,
                training_product=data.training_product, created_at=now, updated_at=now)
            session.add(purchase)
            return purchase

    # ------------------------------------------------------------------------------ content

    def protocol_query(self, org: Principal, learner_ref: Ref, area: str, group_name: str,
                       level: str | None, question_num: int | None) -> ProtocolAnswer:
        """§5.12: unknown area, group, level or question → 404; text in the learner's locale."""
        with self.ctx.db.transaction() as session:
            locale = learner_locale(session, find_learner(session, org, learner_ref))
        group = content.find_group(area, group_name)
        if group is None:
            raise NotFound(f"No protocol group {group_name!r} in area {area!r}")
        questions = list(group.questions)
        if level is not None:
            number = content.parse_level(level)
            if number is None or number not in group.levels:
                raise NotFound(f"No level {level!r} in {area}/{group_name}")
            questions = [q for q in questions if q.level == number]
        if question_num is not None:
            questions = [q for q in questions if q.num == question_num]
            if not questions:
                raise NotFound(f"No question {question_num} in {area}/{group_name}"
                               + (f" at {level}" if level else ""))
        return ProtocolAnswer(group, questions, locale)

    def report_locale(self, org: Principal, learner_ref: Ref) -> str:
        """The IEP report is in the learner's content locale (D21)."""
        with self.ctx.db.transaction() as session:
            return learner_locale(session, find_learner(session, org, learner_ref))


def _names(session: Session, tenant_id: str, user_ids: set[int]) -> dict[int, str | None]:
    users = session.exec(select(DmtdUser).where(DmtdUser.tenant_id == tenant_id,
                                                col(DmtdUser.id).in_(user_ids)))
    return {u.id: full_name(u.first_name, u.last_name) for u in users}


# ------------------------------------------------------------------------------- fixtures

def fresh_credentials(tenant_id: str) -> dict[str, Any]:
    # Real tokens are 24 characters of base64 over 16 random bytes.
    return {"token": base64.b64encode(secrets.token_bytes(16)).decode()}


def _allocate(session: Session, kind: str, keys: Sequence[str]) -> dict[str, int]:
    return dict(zip(keys, new_ids(session, kind, len(keys)), strict=True))


def seed(session: Session, tenant_id: str, fixture: DmtdFixture, now: datetime,
         credentials: dict[str, Any] | None) -> dict[str, Any]:
    """Write one organization from its pack; fixture keys become fresh server-wide ids."""
    creds = {"token": fixture.token} if credentials is None else dict(credentials)
    org_id = new_id(session, "organization")
    session.add(DmtdOrganization(tenant_id=tenant_id, id=org_id, token=creds["token"],
                                 kind=fixture.kind, name=fixture.name))
    users = _allocate(session, "user", [u.key for u in fixture.users])
    learners = _allocate(session, "learner", [learner.key for learner in fixture.learners])
    rows: list[SQLModel] = [
        DmtdUser(tenant_id=tenant_id, id=users[u.key], code=u.code, first_name=u.first_name,
                 last_name=u.last_name, email=u.email, locale=u.locale, created_at=now,
                 updated_at=now)
        for u in fixture.users
    ]
    rows += [
        DmtdLearner(tenant_id=tenant_id, id=learners[f.key], code=f.code, color=f.color,
                    date_of_birth=f.date_of_birth, first_name=f.first_name,
                    last_name=f.last_name, gender=f.gender, is_active=bool(f.is_active),
                    is_active_numeric=not isinstance(f.is_active, bool),
                    owner_id=users[f.owner] if f.owner else None, created_at=now,
                    updated_at=now)
        for f in fixture.learners
    ]
    rows += [
        DmtdAuthorization(tenant_id=tenant_id, learner_id=learners[g.learner],
                          user_id=users[g.user], role=g.role, authorized_at=now)
        for g in fixture.authorizations
    ]
    rows += [
        DmtdPurchase(tenant_id=tenant_id, id=purchase_id,
                     learner_id=learners[p.learner] if p.learner else None,
                     system_domain=p.system_domain, product_type=p.product_type,
                     locale=p.locale, training_product=p.training_product, created_at=now,
                     updated_at=now)
        for p, purchase_id in zip(fixture.purchases,
                                  new_ids(session, "purchase", len(fixture.purchases)),
                                  strict=True)
    ]
    assessment_ids = new_ids(session, "assessment", len(fixture.assessments))
    for a, assessment_id in zip(fixture.assessments, assessment_ids, strict=True):
        rows.append(DmtdAssessment(
            tenant_id=tenant_id, id=assessment_id, learner_id=learners[a.learner],
            assessor_id=users[a.assessor] if a.assessor else None,
            start_date=as_utc(a.start_date), color=a.color, created_at=now, updated_at=now))
        rows += [
            DmtdScore(tenant_id=tenant_id, assessment_id=assessment_id, seq=seq, area=s.area,
                      group=None if s.area in GROUPLESS_SCORE_AREAS else s.group,
                      question_num=s.question_num, score=s.score,
                      timestamp=as_utc(s.timestamp))
            for seq, s in enumerate(a.scores, start=1)
        ]
    session.add_all(rows)
    return {**creds, "kind": fixture.kind, "organizationId": org_id}
