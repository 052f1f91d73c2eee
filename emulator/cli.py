"""Command line: `lms-emulator serve | reset | version | coverage | export`."""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from emulator import __version__
from emulator.core.db import DatabaseSetupError
from emulator.core.fixtures import FixtureError
from emulator.core.settings import Settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lms-emulator",
        description="Local emulator of the Thrive Learning, iSpring Learn and DMTD REST APIs.")
    sub = parser.add_subparsers(dest="command", required=True)

    def storage(p: argparse.ArgumentParser) -> None:
        group = p.add_mutually_exclusive_group()
        group.add_argument("--db", type=Path, help="SQLite database file (default lms-emulator.db)")
        group.add_argument("--memory", action="store_true", default=None,
                           help="keep state in memory only")
        group.add_argument("--database-url", help="any SQLAlchemy database URL")
        p.add_argument("--fixtures", type=Path, help="fixture directory (default: built-in demo)")

    serve = sub.add_parser("serve", help="start the server with the demo data")
    serve.add_argument("--host", help="listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default 8800)")
    storage(serve)
    serve.add_argument("--reset", action="store_true", default=None,
                       help="discard stored state and reload the fixtures before serving")
    serve.add_argument("--log-level", choices=["critical", "error", "warning", "info", "debug"])
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes sharing the database (default 1)")

    reset = sub.add_parser("reset", help="put the database back to the fixtures, then exit")
    storage(reset)
    sub.add_parser("version", help="print the version")
    cov = sub.add_parser("coverage", help="print the emulated operations as a Markdown table")
    cov.add_argument("--vendor", help="only this vendor")
    exp = sub.add_parser("export", help="print a tenant of a running server as a fixture pack")
    exp.add_argument("--tenant", required=True, help="the tenant id")
    exp.add_argument("--url", default="http://127.0.0.1:8800",
                     help="the running server (default http://127.0.0.1:8800)")
    return parser


def _settings(args: argparse.Namespace, **extra: Any) -> Settings:
    flags = {name: getattr(args, name, None) for name in
             ("host", "port", "db", "memory", "database_url", "fixtures", "reset", "log_level")}
    overrides = {k: v for k, v in {**flags, **extra}.items() if v is not None}
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise CliError(f"invalid setting {'.'.join(map(str, err['loc']))}: {err['msg']}") from None


def _check_db_path(settings: Settings) -> None:
    if settings.database_url or settings.memory:
        return
    path = settings.db.resolve()
    if path.is_dir():
        raise CliError(f"database path {settings.db} is a directory")
    parent = path.parent
    if not parent.is_dir():
        raise CliError(f"database directory {parent} does not exist")
    target = path if path.exists() else parent
    if not os.access(target, os.W_OK):
        raise CliError(f"database path {settings.db} is not writable")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CliError(f"port {port} on {host} is already in use") from None
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class _QuietFaultDisconnect(logging.Filter):
    """An injected dropped connection is not a server error: keep its traceback out of logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        from emulator.core.middleware import FaultDisconnect

        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, FaultDisconnect)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format=LOG_FORMAT, stream=sys.stderr, force=True)
    logging.getLogger("uvicorn.error").addFilter(_QuietFaultDisconnect())


def _protocol(settings: Settings) -> dict[str, Any]:
    """HTTP/1.1 by h11, whose header buffer is bounded: httptools would buffer a header block
    of any size before the app could answer 431."""
    return {"http": "h11", "h11_max_incomplete_event_size": settings.max_header_bytes * 2}


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def serve(settings: Settings, workers: int = 1) -> int:
    import uvicorn

    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal; with this handler in
    # place that ends in SystemExit(0), so the database is closed and the exit status is 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)

    from emulator.app import build_context, create_app

    _check_db_path(settings)
    configure_logging(settings.log_level)
    if workers > 1 and settings.memory:
        raise CliError("--workers needs a database file or URL (memory is per process)")
    sock = _bind(settings.host, settings.port)
    ctx = build_context(settings)
    log = logging.getLogger("emulator")
    log.info("LMS emulator %s on %s (database %s)", __version__, settings.public_base,
             settings.where)
    if workers > 1:
        # Each worker builds its own app on the shared database (state, clock, faults and the
        # journal all live there).
        from uvicorn.supervisors import Multiprocess

        os.environ.update({f"EMULATOR_{k.upper()}": json.dumps(v) if isinstance(v, list)
                           else str(v) for k, v in
                           settings.model_dump(mode="json", exclude_none=True).items()
                           if k != "reset"})
        config = uvicorn.Config("emulator.app:create_app", factory=True, workers=workers,
                                log_config=None, access_log=False, **_protocol(settings))
        Multiprocess(config, sockets=[sock]).run()
        return 0
    app = create_app(settings, ctx=ctx)
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off",
                            timeout_graceful_shutdown=5, **_protocol(settings))
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        ctx.db.dispose()
        log.info("stopped; state is in %s", "memory (discarded)" if settings.memory
                 else settings.where)
    return 0


def reset(settings: Settings) -> int:
    from emulator.app import build_context

    _check_db_path(settings)
    ctx = build_context(settings.model_copy(update={"reset": True}))
    ctx.db.dispose()
    print(f"reset {settings.where} to the fixtures in {settings.fixtures}")
    return 0


def coverage(vendor: str | None) -> int:
    from emulator.app import create_app
    from emulator.control.routes import coverage_markdown

    app = create_app(Settings(memory=True, access_log=False))
    print(coverage_markdown(app.state.ctx, app.state.vendor_apps, vendor))
    return 0


def export(url: str, tenant: str) -> int:
    import httpx

    target = f"{url.rstrip('/')}/_emulator/tenants/{quote(tenant, safe='')}/export"
    try:
        answer = httpx.get(target, timeout=60)
    except httpx.HTTPError as exc:
        raise CliError(f"cannot reach {url}: {exc}") from None
    if answer.status_code != 200:
        try:
            message = answer.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = answer.text[:200]
        raise CliError(f"export of {tenant!r} failed ({answer.status_code}): {message}")
    print(json.dumps(answer.json(), indent=1, ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "version":
            print(f"lms-emulator {__version__}")
            return 0
        if args.command == "coverage":
            return coverage(args.vendor)
        if args.command == "export":
            return export(args.url, args.tenant)
        if args.command == "reset":
            return reset(_settings(args))
        return serve(_settings(args), workers=max(1, args.workers))
    except OperationalError as exc:
        print(f"lms-emulator: error: database: {exc.orig}", file=sys.stderr)
        return 2
    except (CliError, FixtureError, DatabaseSetupError) as exc:
        print(f"lms-emulator: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
