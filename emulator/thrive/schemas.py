"""Thrive wire shapes (request and response bodies) and the fixture-pack model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Pack(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class OAuthClientFixture(_Pack):
    client_id: str = Field(alias="clientId", min_length=1)
    client_secret: str = Field(alias="clientSecret", min_length=1)
    scopes: list[str] = Field(min_length=1)


class ThriveFixture(_Pack):
    """A fixture pack: one tenant's credentials and seed data."""

    tenant_id: str = Field(alias="tenantId", min_length=1)
    api_secret: str = Field(alias="apiSecret", min_length=1)
    oauth_clients: list[OAuthClientFixture] = Field(default_factory=list, alias="oauthClients")
