"""DmtdBackend: every DMTD resource's operations in one object (usable without HTTP), and the
fixture side of a tenant: `seed()` writes a pack, `fresh_credentials()` makes a new token.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, SQLModel

from emulator.core.clock import as_utc
from emulator.core.secrets import stored_token
from emulator.dmtd.assessments import AssessmentsOps
from emulator.dmtd.authorizations import AuthorizationsOps
from emulator.dmtd.learners import LearnersOps
from emulator.dmtd.models import (
    DmtdAssessment,
    DmtdAuthorization,
    DmtdLearner,
    DmtdOrganization,
    DmtdPurchase,
    DmtdScore,
    DmtdUser,
)
from emulator.dmtd.protocol import ProtocolOps
from emulator.dmtd.purchases import PurchasesOps
from emulator.dmtd.schemas import DmtdFixture
from emulator.dmtd.store import new_id, new_ids
from emulator.dmtd.users import UsersOps

GROUPLESS_SCORE_AREAS = ("barriers", "transitions")


class DmtdBackend(UsersOps, LearnersOps, AuthorizationsOps, AssessmentsOps, PurchasesOps,
                  ProtocolOps):
    """The DMTD operations of one emulator (bound to its `Context`)."""


# ------------------------------------------------------------------------------- fixtures

def fresh_credentials(tenant_id: str) -> dict[str, Any]:
    # Real tokens are 24 characters of base64 over 16 random bytes.
    return {"token": base64.b64encode(secrets.token_bytes(16)).decode()}


def _allocate(session: Session, kind: str, keys: Sequence[str]) -> dict[str, int]:
    return dict(zip(keys, new_ids(session, kind, len(keys)), strict=True))


def fixture_credentials(tenant_id: str, fixture: DmtdFixture) -> dict[str, Any]:
    return {"token": fixture.token}


def seed(session: Session, tenant_id: str, fixture: DmtdFixture, now: datetime,
         credentials: dict[str, Any] | None) -> dict[str, Any]:
    """Write one organization from its pack; fixture keys become fresh server-wide ids."""
    creds = fixture_credentials(tenant_id, fixture) if credentials is None else dict(credentials)
    org_id = new_id(session, "organization")
    session.add(DmtdOrganization(tenant_id=tenant_id, id=org_id,
                                 token_hash=stored_token(creds["token"]),
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
