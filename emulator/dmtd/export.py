"""A DMTD organization's current state as a fixture pack (`DmtdFixture`), the reverse of `seed`.

The pack names records by fixture-local keys, not ids: ids are server-wide counters (D4), so
a tenant made from the pack gets fresh ids, and the key of each record is its id in the
exported organization (`"101"`), which keeps the pack readable against what a client saw.
The token is the one the organization hands to clients. Not in the pack format, so not
exported: iFrame sign-in tokens, and creation / update / authorization times (a seeded
organization stamps them with the clock at seeding).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col

from emulator.core.fixtures import tenant_rows
from emulator.core.models import Tenant
from emulator.dmtd.models import (
    DmtdAssessment,
    DmtdAuthorization,
    DmtdLearner,
    DmtdOrganization,
    DmtdPurchase,
    DmtdScore,
    DmtdUser,
)


def _key(record_id: int | None) -> str | None:
    return None if record_id is None else str(record_id)


def export(session: Session, tenant_id: str) -> dict[str, Any]:
    tenant = session.get(Tenant, tenant_id)
    assert tenant is not None

    def rows(model: Any, *order: Any) -> list[Any]:
        return tenant_rows(session, model, tenant_id, *order)

    org: DmtdOrganization = rows(DmtdOrganization)[0]
    scores: dict[int, list[dict[str, Any]]] = {}
    for s in rows(DmtdScore, col(DmtdScore.assessment_id), col(DmtdScore.seq)):
        # Areas without groups are stored without one; the pack's default names them.
        group = {} if s.group is None else {"group": s.group}
        scores.setdefault(s.assessment_id, []).append(
            {"area": s.area, **group, "questionNum": s.question_num, "score": s.score,
             "timestamp": s.timestamp})
    return {
        "tenant": tenant_id,
        "token": tenant.credentials["token"],
        "kind": org.kind,
        "name": org.name,
        "users": [{"key": _key(u.id), "code": u.code, "firstName": u.first_name,
                   "lastName": u.last_name, "email": u.email, "locale": u.locale}
                  for u in rows(DmtdUser, col(DmtdUser.id))],
        "learners": [{"key": _key(f.id), "code": f.code, "color": f.color,
                      "dateOfBirth": f.date_of_birth, "firstName": f.first_name,
                      "lastName": f.last_name, "gender": f.gender,
                      "isActive": int(f.is_active) if f.is_active_numeric else f.is_active,
                      "owner": _key(f.owner_id)}
                     for f in rows(DmtdLearner, col(DmtdLearner.id))],
        "authorizations": [{"learner": _key(g.learner_id), "user": _key(g.user_id),
                            "role": g.role}
                           for g in rows(DmtdAuthorization, col(DmtdAuthorization.authorized_at),
                                         col(DmtdAuthorization.learner_id),
                                         col(DmtdAuthorization.user_id))],
        "purchases": [{"learner": _key(p.learner_id), "systemDomain": p.system_domain,
                       "productType": p.product_type, "locale": p.locale,
                       "trainingProduct": p.training_product}
                      for p in rows(DmtdPurchase, col(DmtdPurchase.id))],
        "assessments": [{"learner": _key(a.learner_id), "assessor": _key(a.assessor_id),
                         "startDate": a.start_date, "color": a.color,
                         "scores": scores.get(a.id, [])}
                        for a in rows(DmtdAssessment, col(DmtdAssessment.id))],
    }
