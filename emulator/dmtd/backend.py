"""DMTD rules and persistence, usable without HTTP."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime
from typing import Any

from sqlmodel import Session

from emulator.core.ids import next_int
from emulator.dmtd.models import DmtdOrganization
from emulator.dmtd.schemas import DmtdFixture


def fresh_credentials(tenant_id: str) -> dict[str, Any]:
    # Real tokens are 24 characters of base64 over 16 random bytes.
    return {"token": base64.b64encode(secrets.token_bytes(16)).decode()}


def seed(session: Session, tenant_id: str, fixture: DmtdFixture, now: datetime,
         credentials: dict[str, Any] | None) -> dict[str, Any]:
    creds = {"token": fixture.token} if credentials is None else dict(credentials)
    org_id = next_int(session, "dmtd.organization")
    session.add(DmtdOrganization(tenant_id=tenant_id, id=org_id, token=creds["token"],
                                 kind=fixture.kind))
    return {**creds, "kind": fixture.kind, "organizationId": org_id}
