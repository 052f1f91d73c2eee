"""iSpring rules and persistence, usable without HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session

from emulator.core.ids import token
from emulator.ispring.models import IspringApiKey
from emulator.ispring.schemas import IspringFixture


def account_host(url: str) -> str:
    """The account an `X-Auth-Account-Url` names: its host, lower case (scheme/path ignored)."""
    text = url.strip()
    parsed = urlsplit(text if "//" in text else f"//{text}")
    return (parsed.hostname or "").rstrip(".").lower()


def fresh_credentials(tenant_id: str) -> dict[str, Any]:
    return {"accountUrl": f"https://{tenant_id}",
            "apiKeys": [{"clientId": str(uuid.uuid4()), "clientSecret": token(32)}]}


def seed(session: Session, tenant_id: str, fixture: IspringFixture, now: datetime,
         credentials: dict[str, Any] | None) -> dict[str, Any]:
    creds = credentials or {
        "accountUrl": fixture.account_url,
        "apiKeys": [k.model_dump(by_alias=True) for k in fixture.api_keys],
    }
    for key in creds["apiKeys"]:
        session.add(IspringApiKey(tenant_id=tenant_id, client_id=key["clientId"],
                                  client_secret=key["clientSecret"]))
    return creds
