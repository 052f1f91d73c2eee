"""Thrive test fixtures: the demo tenant's clock frozen at `support.NOW`."""

from __future__ import annotations

import httpx
import pytest

from tests.thrive.support import freeze


@pytest.fixture
def frozen(client: httpx.Client) -> httpx.Client:
    """The client, with the clock frozen after every demo date and before any demo due date."""
    freeze(client)
    return client
