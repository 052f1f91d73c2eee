"""Thrive authentication: HTTP Basic (tenant id + API secret) and OAuth bearer tokens."""

from __future__ import annotations

import base64
import binascii

from fastapi import Request
from sqlmodel import Session


def basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def identify_tenant(session: Session, request: Request) -> str | None:
    basic = basic_credentials(request)
    return basic[0] if basic else None
