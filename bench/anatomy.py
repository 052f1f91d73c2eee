"""Where one vendor request's time goes, stage by stage (a benchmark, not a test).

Builds the app on a fresh database file, drives it in process through ASGI (no socket, so the
HTTP layer is left out: see `bench/httpbench.py` for that), and times the request path's stages
by wrapping them: the gate, the operation, the authentication dependency, the journal commit,
the unit's start and end. Per call it prints the mean wall and CPU time of a whole request and
of each stage (stages nest: the operation is inside the gate).

    .venv/bin/python bench/anatomy.py                 # the demo by-id and list reads
    .venv/bin/python bench/anatomy.py --requests 5000
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import importlib
import inspect
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator.app import create_app
from emulator.core.settings import Settings

THRIVE = [(b"authorization", b"Basic " + base64.b64encode(
    b"eu-west-2_EmuDemo01:thrive-demo-secret"))]
ISPRING = [(b"x-auth-account-url", b"https://demo.ispringlearn.com"),
           (b"x-auth-email", b"owner@demo.example"), (b"x-auth-password", b"demo-owner-pass")]
DMTD = [(b"authorization", b"Bearer dmtd-demo-iframe-token")]
CALLS = {
    "thrive by id": ("/thrive/rest/v1/user/68b552800000000001000001", THRIVE),
    "thrive list 10": ("/thrive/rest/v1/users?limit=10", THRIVE),
    "ispring by id": ("/ispring/user/1c6a1a10-5cff-11e9-9e6a-0a580af40692", ISPRING),
    "ispring list 10": ("/ispring/enrollments?pageSize=10", ISPRING),
    "dmtd list": ("/dmtd/1/learner", DMTD),
}
# (module, qualified name, label): the stages timed.
STAGES = [
    ("emulator.core.middleware", "VendorGate._run", "vendor app (incl. below)"),
    ("emulator.core.middleware", "VendorGate._open", "unit start + control state"),
    ("emulator.core.unit", "RequestUnit.end", "unit end"),
    ("fastapi.dependencies.utils", "solve_dependencies", "dependencies (incl. auth)"),
    ("emulator.core.principals", "PrincipalCache.resolve", "authentication"),
    ("starlette.concurrency", "run_in_threadpool", "endpoint in its worker thread"),
    ("emulator.core.journal_writer", "JournalWriter.write", "journal commit"),
    ("emulator.core.codec", "render_xml", "XML rendering"),
]


class Stages:
    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    def wrap(self, module: str, qualname: str, label: str) -> None:
        owner: Any = importlib.import_module(module)
        *path, name = qualname.split(".")
        for part in path:
            owner = getattr(owner, part)
        original: Callable[..., Any] = getattr(owner, name)
        if inspect.iscoroutinefunction(original):
            @functools.wraps(original)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    self._add(label, started)
            setattr(owner, name, timed_async)
        else:
            @functools.wraps(original)
            def timed(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    self._add(label, started)
            setattr(owner, name, timed)
        # Modules that imported the function by name call their own reference.
        for other in ("fastapi.routing", "starlette.routing", "fastapi.dependencies.utils",
                      "fastapi.telemetry._api"):
            try:
                imported = importlib.import_module(other)
            except ImportError:
                continue
            if getattr(imported, name, None) is original:
                setattr(imported, name, getattr(owner, name))

    def _add(self, label: str, started: float) -> None:
        self.seconds[label] += time.perf_counter() - started
        self.calls[label] += 1

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()


async def request(app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    route, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": route, "raw_path": route.encode(),
             "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), *headers],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8800)}
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, send)
    return status


async def measure(app: Any, stages: Stages, count: int) -> None:
    for name, (path, headers) in CALLS.items():
        for _ in range(100):
            status = await request(app, path, headers)
        stages.reset()
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            await request(app, path, headers)
        wall = (time.perf_counter() - wall) / count * 1e6
        cpu = (time.process_time() - cpu) / count * 1e6
        print(f"\n{name} ({path}) -> {status}: {wall:.0f} µs wall, {cpu:.0f} µs CPU per request")
        for label in (label for _, _, label in STAGES):
            if stages.calls[label]:
                print(f"  {stages.seconds[label] / count * 1e6:7.0f} µs  "
                      f"x{stages.calls[label] / count:.1f}  {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    stages = Stages()
    for module, qualname, label in STAGES:
        stages.wrap(module, qualname, label)
    with tempfile.TemporaryDirectory() as directory:
        app = create_app(Settings(db=Path(directory) / "anatomy.db", access_log=False))
        try:
            asyncio.run(measure(app, stages, args.requests))
        finally:
            app.state.ctx.db.dispose()


if __name__ == "__main__":
    main()
