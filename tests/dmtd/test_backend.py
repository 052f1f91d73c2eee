"""Seeding an organization from a fixture pack: ids from the server-wide counters."""

from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import col, select

from emulator.core import tenancy
from emulator.dmtd.models import DmtdLearner, DmtdUser


def test_fresh_tenants_take_ids_from_the_server_wide_counters(emulator_app: FastAPI) -> None:
    # Seeding speed (<= 20 ms per tenant) is measured by bench/run.py, not asserted here.
    ctx = emulator_app.state.ctx
    created = []
    for _ in range(11):
        with ctx.db.transaction() as session:
            created.append(tenancy.create_tenant(ctx, session, "dmtd", None)[0].id)
    with ctx.db.transaction() as session:
        user_ids = session.exec(select(DmtdUser.id).where(
            col(DmtdUser.tenant_id).in_(created))).all()
        learner_ids = session.exec(select(DmtdLearner.id).where(
            col(DmtdLearner.tenant_id).in_(created))).all()
        for tenant_id in created:
            tenancy.delete_tenant(session, tenant_id)
    assert len(set(user_ids)) == len(user_ids) == 33
    assert len(set(learner_ids)) == len(learner_ids) == 33
