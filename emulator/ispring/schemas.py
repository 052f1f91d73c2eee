"""iSpring wire shapes and the fixture-pack model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Pack(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ApiKeyFixture(_Pack):
    client_id: str = Field(alias="clientId", min_length=1)
    client_secret: str = Field(alias="clientSecret", min_length=1)


class IspringFixture(_Pack):
    """A fixture pack: one account's credentials and seed data."""

    account_url: str = Field(alias="accountUrl", min_length=1)
    api_keys: list[ApiKeyFixture] = Field(default_factory=list, alias="apiKeys")
