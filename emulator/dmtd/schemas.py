"""DMTD wire shapes and the fixture-pack model."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Pack(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DmtdFixture(_Pack):
    """A fixture pack: one organization's token, kind and seed data."""

    tenant: str = Field(min_length=1, max_length=100)
    token: str = Field(min_length=1)
    kind: Literal["iframe", "standard"]
