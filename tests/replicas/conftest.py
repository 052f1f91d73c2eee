"""Three emulator processes on free loopback ports sharing one database: PostgreSQL, or one
SQLite file (the first replica with two worker processes). Started together, as replicas
behind a load balancer are; stopped by pid at the end of the module."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends import BACKENDS, database_url
from tests.hardening.live import Server

REPLICAS = 3


def start_together(servers: list[Server]) -> None:
    errors: list[BaseException] = []

    def start(server: Server) -> None:
        try:
            server.start()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(s,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        for server in servers:
            server.stop()
        raise errors[0]


@pytest.fixture(scope="module", params=BACKENDS)
def cluster(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    tmp = tmp_path_factory.mktemp(f"replicas-{request.param}")
    db = tmp / "shared.db"
    url = database_url(request.param, tmp_path_factory, "replicas")
    env = {"EMULATOR_DATABASE_URL": url} if url else {}
    servers = [Server(db, *(["--workers", "2"] if request.param == "sqlite" and i == 0 else []),
                      "--log-level", "info", env=env, log=tmp / f"replica{i}.log")
               for i in range(REPLICAS)]
    start_together(servers)
    yield servers
    for server in servers:
        server.stop()


def log_of(server: Server) -> str:
    return Path(server.log).read_text(errors="replace")
