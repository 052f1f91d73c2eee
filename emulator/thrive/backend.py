"""Thrive rules and persistence, usable without HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from emulator.core.ids import token
from emulator.thrive.models import ThriveCredential
from emulator.thrive.schemas import ThriveFixture

BASIC = "__basic__"


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
    creds = credentials or {
        "tenantId": tenant_id,
        "apiSecret": fixture.api_secret,
        "oauthClients": [c.model_dump(by_alias=True) for c in fixture.oauth_clients],
    }
    session.add(ThriveCredential(tenant_id=tenant_id, client_id=BASIC, secret=creds["apiSecret"]))
    for client in creds["oauthClients"]:
        session.add(ThriveCredential(tenant_id=tenant_id, client_id=client["clientId"],
                                     secret=client["clientSecret"], scopes=client["scopes"]))
    return creds
