"""Small helpers shared by tests (credentials of the demo tenants, header builders)."""

from __future__ import annotations

import base64
from typing import Any

THRIVE_TENANT = "eu-west-2_EmuDemo01"
THRIVE_SECRET = "thrive-demo-secret"
ISPRING_ACCOUNT = "demo.ispringlearn.com"
DMTD_IFRAME_TENANT = "dmtd-demo-iframe"


# Credential fields that hold a secret: a per-test tenant's are handed out once, at creation.
SECRET_FIELDS = ("apiSecret", "clientSecret", "password", "token")


def as_listed(value: Any) -> Any:
    """A created tenant as the control plane lists it afterwards: its secrets shown as null."""
    if isinstance(value, dict):
        return {k: None if k in SECRET_FIELDS else as_listed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_listed(v) for v in value]
    return value


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


THRIVE_AUTH = basic(THRIVE_TENANT, THRIVE_SECRET)
# A Thrive path that no route serves: answered 404 in Thrive's shape once authenticated.
THRIVE_UNKNOWN = "/thrive/rest/v1/no-such-resource"
