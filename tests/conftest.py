"""Shared test fixtures: one in-memory emulator per test session, reset before every test.

Tests drive the wire: `client` is an httpx client speaking ASGI to the real application stack
(host routing, journal, vendor gate, vendor app), so nothing but the socket is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from emulator.app import create_app
from emulator.core.settings import Settings
from emulator.testing.transport import in_process_client

# The PostgreSQL pass: its hooks take effect by being in this module's namespace.
from tests.backends import (  # noqa: F401
    database_url,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_generate_tests,
    pytest_unconfigure,
)

pytest_plugins = ["pytester"]
# Shared test helpers get pytest's detailed assertion messages; registered here, before any
# test module (the contract tests included) imports them.
pytest.register_assert_rewrite("tests.ispring.support")


@pytest.fixture(scope="session")
def emulator_app(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """In-memory SQLite, or PostgreSQL for the tests `tests.backends` runs on both."""
    url = database_url(getattr(request, "param", "sqlite"), tmp_path_factory)
    # Outbound webhook deliveries (iSpring) may only reach this machine.
    app = create_app(Settings(memory=True, database_url=url, access_log=False,
                              webhook_hosts=["127.0.0.1", "localhost", "::1"]))
    yield app
    app.state.ctx.db.dispose()


@pytest.fixture(scope="module")
def emulator_with() -> Iterator[Callable[..., httpx.Client]]:
    """Fresh in-memory emulators with other settings or vendors, closed with the module:
    `emulator_with(journal_max=3)`, `emulator_with(vendors=[...])`."""
    with ExitStack() as stack:
        def make(*, vendors: list[Any] | None = None, **settings: Any) -> httpx.Client:
            app = create_app(Settings(memory=True, access_log=False, **settings),
                             vendors=vendors)
            return stack.enter_context(in_process_client(app))

        yield make


@pytest.fixture
def client(emulator_app: FastAPI) -> Iterator[httpx.Client]:
    with in_process_client(emulator_app) as test_client:
        for call in (("POST", "/_emulator/reset"), ("DELETE", "/_emulator/journal"),
                     ("DELETE", "/_emulator/faults"), ("POST", "/_emulator/clock")):
            body = {"real": True} if call[1].endswith("clock") else None
            response = test_client.request(*call, json=body)
            assert response.status_code == 200, response.text
        yield test_client
