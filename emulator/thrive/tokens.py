"""Thrive OAuth 2.0 tokens: the client-credentials grant at `/oauth2/token/{tenantId}`."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlmodel import col, delete

from emulator.core.codec import content_type
from emulator.core.secrets import token_digest, verify_secret
from emulator.core.vendor import set_request_tenant
from emulator.thrive.auth import BASIC, basic_credentials
from emulator.thrive.base import EPOCH, Body, ThriveBase
from emulator.thrive.errors import (
    NO_STORE,
    InvalidClient,
    InvalidRequest,
    InvalidScope,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from emulator.thrive.models import ThriveCredential, ThriveToken
from emulator.thrive.routing import endpoint, ok, operations

TOKEN_LIFETIME = 3600
FORM = "application/x-www-form-urlencoded"


# ---------------------------------------------------------------------------------------------
# Wire shapes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenGrant:
    """What a token request carries, as parsed from its form body and Authorization header."""

    grant_type: str | None
    scope: str | None
    client_id: str | None
    client_secret: str | None


async def token_grant(request: Request) -> TokenGrant:
    """The token request: form fields, client authenticated by Basic header or form fields."""
    set_request_tenant(request, str(request.path_params.get("tenantId", "")))
    if content_type(request.headers.get("content-type")) != FORM:
        raise InvalidRequest("The body must be application/x-www-form-urlencoded")
    try:
        fields = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        raise InvalidRequest("The body is not form-encoded") from None
    client_id, client_secret = fields.get("client_id"), fields.get("client_secret")
    if request.headers.get("authorization"):
        basic = basic_credentials(request)
        if basic is None:
            raise InvalidClient()
        client_id, client_secret = basic
    return TokenGrant(grant_type=fields.get("grant_type") or None,
                      scope=fields.get("scope") or None,
                      client_id=client_id or None, client_secret=client_secret)


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


def token_response(access_token: str, expires_in: int) -> dict[str, Any]:
    return {"access_token": access_token, "expires_in": expires_in, "token_type": "Bearer"}


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


class TokensOps(ThriveBase):
    """Token issuing."""

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
                    not verify_secret(client.secret, grant.client_secret):
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
            u.session.add(ThriveToken(tenant_id=tenant, token_hash=token_digest(access_token),
                                      client_id=client.client_id, scopes=scopes,
                                      issued_at=u.now, expires_at=expires))
            return token_response(access_token, TOKEN_LIFETIME)


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


router = APIRouter()
Backend = Annotated[TokensOps, operations(TokensOps)]


@endpoint(router, "POST", "/oauth2/token/{tenantId}")
def create_access_token(backend: Backend, grant: Annotated[TokenGrant, Depends(token_grant)],
                        tenant_id: Annotated[str, Path(alias="tenantId")]) -> Response:
    """Issue an access token (OAuth 2.0 client credentials).

    Doc: /apidocs/oauth-api-authentication (token hosts, scopes, 1 h lifetime). The request
    format is Cognito's (form body, client by Basic header or form fields). Not emulated: other
    grant types, refresh tokens.
    """
    return ok(backend.issue_token(tenant_id, grant), headers=NO_STORE)
