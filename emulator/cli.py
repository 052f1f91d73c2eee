"""Command line: `lms-emulator serve | reset | version | coverage [--url] | export`."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import ValidationError
from sqlalchemy.exc import DatabaseError

from emulator import __version__
from emulator.core.db import DatabaseSetupError
from emulator.core.fixtures import FixtureError
from emulator.core.settings import Settings

if TYPE_CHECKING:
    from emulator.core.vendor import Context, Vendor

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


def _workers(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if count < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return count


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lms-emulator",
        description="Local emulator of the Thrive Learning, iSpring Learn and DMTD REST APIs.")
    parser.add_argument("--version", action="version", version=f"lms-emulator {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def storage(p: argparse.ArgumentParser) -> None:
        group = p.add_mutually_exclusive_group()
        group.add_argument("--db", type=Path, help="SQLite database file (default lms-emulator.db)")
        group.add_argument("--memory", action="store_true", default=None,
                           help="keep state in memory only")
        group.add_argument("--database-url", help="any SQLAlchemy database URL")
        p.add_argument("--fixtures", type=Path,
                       help="directory of <vendor>/<name>.json packs (default: built-in demo)")

    serve = sub.add_parser("serve", help="start the server with the demo data")
    serve.add_argument("--host", help="listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default 8800)")
    storage(serve)
    serve.add_argument("--reset", action="store_true", default=None,
                       help="reload the fixtures before serving: tenants, journal, faults and "
                            "clock start over; named snapshots are kept")
    serve.add_argument("--log-level", choices=["critical", "error", "warning", "info", "debug"])
    serve.add_argument("--workers", type=_workers, default=1,
                       help="worker processes sharing the database (default 1)")
    serve.add_argument("--quiet", action="store_true",
                       help="no start-up summary of base URLs and credentials")
    serve.add_argument("--admin-token",
                       help="require `Authorization: Bearer <token>` on the control plane")
    serve.add_argument("--vendors", type=lambda text: [v.strip() for v in text.split(",")],
                       help="mount only these vendors, e.g. thrive,ispring (default: all)")

    reset = sub.add_parser("reset", help="put the database back to the fixtures, then exit")
    storage(reset)
    sub.add_parser("version", help="print the version")
    cov = sub.add_parser("coverage", help="print the emulated operations as a Markdown table; "
                                          "with --url, what a running server's callers exercised")
    cov.add_argument("--vendor", help="only this vendor")
    cov.add_argument("--url", help="a running emulator: report the operations called there")
    cov.add_argument("--tenant", help="with --url: only this tenant's calls")
    cov.add_argument("--since", help="with --url: only calls at or after this ISO 8601 time")
    cov.add_argument("--json", action="store_true", help="with --url: the report as JSON")
    cov.add_argument("--token", help="with --url: the control plane's admin bearer token")
    exp = sub.add_parser("export", help="print a tenant of a running server as a fixture pack")
    exp.add_argument("--tenant", required=True, help="the tenant id")
    exp.add_argument("--url", default="http://127.0.0.1:8800",
                     help="the running server (default http://127.0.0.1:8800)")
    exp.add_argument("--token", help="the control plane's admin bearer token")
    return parser


def _settings(args: argparse.Namespace, **extra: Any) -> Settings:
    flags = {name: getattr(args, name, None) for name in
             ("host", "port", "db", "memory", "database_url", "fixtures", "reset", "log_level",
              "admin_token", "vendors")}
    overrides = {k: v for k, v in {**flags, **extra}.items() if v is not None}
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise CliError(f"invalid setting {'.'.join(map(str, err['loc']))}: {err['msg']}") from None


def _check_fixtures(settings: Settings, vendors: Sequence[Vendor]) -> None:
    """A fixture path without any pack would start an emulator with no tenant at all."""
    directory = settings.fixtures
    if directory.is_file():
        raise CliError(f"fixtures path {directory} is a file; it must be a directory of "
                       "<vendor>/<name>.json packs")
    packs = (pack for v in vendors for pack in (directory / v.name).glob("*.json"))
    if directory.is_dir() and next(packs, None) is None:
        expected = ", ".join(f"{v.name}/" for v in vendors)
        raise CliError(f"fixture directory {directory} holds no pack: expected one of "
                       f"{expected} with <name>.json files")


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
        # Typical of a bind-mounted host directory owned by another user (Docker).
        raise CliError(f"database path {settings.db} is not writable by user id {os.getuid()}")


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


class _UvicornName(logging.Filter):
    """uvicorn logs its ordinary lines (started, stopping) as `uvicorn.error`; call it `uvicorn`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.error":
            record.name = "uvicorn"
        return True


class _QuietFaultDisconnect(logging.Filter):
    """An injected dropped connection is not a server error: keep its traceback out of logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        from emulator.core.middleware import FaultDisconnect

        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, FaultDisconnect)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format=LOG_FORMAT, stream=sys.stderr, force=True)
    logging.getLogger("uvicorn.error").addFilter(_QuietFaultDisconnect())
    for handler in logging.getLogger().handlers:
        handler.addFilter(_UvicornName())


def worker_app() -> Any:
    """The app of one `--workers` process: settings from the environment the parent filled in,
    and the parent's logging (a spawned worker starts with none, which hid its access log)."""
    from emulator.app import create_app

    settings = Settings()
    configure_logging(settings.log_level)
    return create_app(settings)


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may well be reachable from elsewhere


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _start_over(ctx: Context) -> list[str]:
    """A reset beyond the fixtures reloaded by `build_context`: the journal, faults and clock
    changes go too. Named snapshots are deliberate saves and stay; returns their names."""
    from sqlalchemy import delete
    from sqlmodel import col, select

    from emulator.core import journal
    from emulator.core.models import ClockState, Fault, Snapshot

    with ctx.db.transaction() as session:
        journal.clear(session)
        session.execute(delete(Fault))
        session.execute(delete(ClockState))
        names = session.exec(select(Snapshot.name).order_by(col(Snapshot.created_at))).all()
    return [name for name in names if not name.startswith("__")]


def _kept(snapshots: list[str]) -> str:
    return f"named snapshots kept: {', '.join(snapshots)}" if snapshots else "no named snapshot"


def _banner(settings: Settings, vendors: Sequence[Vendor]) -> str:
    """What a new user needs first: where each vendor is, the dashboard, the credentials."""
    base = settings.public_base
    width = max(len(v.title) for v in vendors)
    lines = [f"LMS emulator {__version__} is listening on {base}"]
    lines += [f"  {v.title:<{width}}  {base}/{v.name}" for v in vendors]
    lines += [f"  {'Dashboard':<{width}}  {base}/_emulator/ui",
              f"  {'Credentials':<{width}}  {base}/_emulator/tenants (every tenant's); the demo "
              f"ones are listed in the README and stored in {settings.fixtures}"]
    return "\n".join(lines)


def serve(settings: Settings, workers: int = 1, quiet: bool = False) -> int:
    import uvicorn

    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal; with this handler in
    # place that ends in SystemExit(0), so the database is closed and the exit status is 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)

    from emulator.app import all_vendors, build_context, create_app
    from emulator.core.serving import server_protocol

    vendors = all_vendors()
    _check_db_path(settings)
    _check_fixtures(settings, vendors)
    configure_logging(settings.log_level)
    if workers > 1 and settings.memory:
        raise CliError("--workers needs a database file or URL (memory is per process)")
    sock = _bind(settings.host, settings.port)
    # `--port 0` picks a free port: report the one the socket got.
    settings = settings.model_copy(update={"port": sock.getsockname()[1]})
    ctx = build_context(settings)
    log = logging.getLogger("emulator")
    if settings.admin_token is None and not _is_loopback(settings.host):
        log.warning("listening on %s without an admin token: anyone who can reach the port can "
                    "reset, delete and read every tenant through /_emulator (set --admin-token)",
                    settings.host)
    log.info("LMS emulator %s on %s (database %s)", __version__, settings.public_base,
             settings.where)
    if settings.reset:
        log.info("reset to the fixtures in %s; %s", settings.fixtures, _kept(_start_over(ctx)))
    if not quiet:
        print(_banner(settings, vendors), flush=True)
    if workers > 1:
        # Each worker builds its own app on the shared database (state, clock, faults and the
        # journal all live there).
        from uvicorn.supervisors import Multiprocess

        os.environ.update({f"EMULATOR_{k.upper()}": json.dumps(v) if isinstance(v, list)
                           else str(v) for k, v in
                           settings.model_dump(mode="json", exclude_none=True).items()
                           if k != "reset"})
        config = uvicorn.Config("emulator.cli:worker_app", factory=True, workers=workers,
                                log_config=None, access_log=False, **server_protocol(settings))
        run = Multiprocess(config, sockets=[sock]).run
    else:
        app = create_app(settings, ctx=ctx)
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off",
                                timeout_graceful_shutdown=5, **server_protocol(settings))
        server = uvicorn.Server(config)

        def run() -> None:
            server.run(sockets=[sock])
    try:
        run()
    finally:
        ctx.db.dispose()
        log.info("stopped; state is in %s", "memory (discarded)" if settings.memory
                 else settings.where)
    return 0


def reset(settings: Settings) -> int:
    from emulator.app import all_vendors, build_context

    _check_db_path(settings)
    _check_fixtures(settings, all_vendors())
    ctx = build_context(settings.model_copy(update={"reset": True}))
    try:
        kept = _kept(_start_over(ctx))
    finally:
        ctx.db.dispose()
    print(f"reset {settings.where} to the fixtures in {settings.fixtures}; {kept}")
    return 0


def coverage(vendor: str | None) -> int:
    from emulator.app import create_app
    from emulator.control.routes import coverage_markdown

    app = create_app(Settings(memory=True, access_log=False))
    if vendor is not None and vendor not in app.state.vendor_apps:
        known = ", ".join(app.state.vendor_apps)
        raise CliError(f"unknown vendor {vendor!r} (known: {known})")
    print(coverage_markdown(app.state.ctx, app.state.vendor_apps, vendor))
    return 0


def _control_get(url: str, path: str, token: str | None,
                 params: dict[str, str] | None = None) -> Any:
    """GET a running emulator's control-plane call; any failure is one line (CliError)."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        answer = httpx.get(f"{url.rstrip('/')}/_emulator{path}", params=params,
                           headers=headers, timeout=60)
    except httpx.HTTPError as exc:
        raise CliError(f"cannot reach {url}: {exc}") from None
    if answer.status_code != 200:
        try:
            message = answer.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = answer.text[:300]
        raise CliError(f"{url} answered {answer.status_code}: {message}")
    return answer.json()


def remote_coverage(args: argparse.Namespace) -> int:
    """What the server at --url saw its callers exercise (GET /_emulator/coverage)."""
    from emulator.control.coverage import report_text

    params = {k: v for k in ("vendor", "tenant", "since") if (v := getattr(args, k))}
    report = _control_get(args.url, "/coverage", args.token, params)
    print(json.dumps(report, indent=2) if args.json else report_text(report))
    return 0


def export(url: str, tenant: str, token: str | None) -> int:
    """A running server's tenant as a fixture pack, on stdout."""
    pack = _control_get(url, f"/tenants/{quote(tenant, safe='')}/export", token)
    print(json.dumps(pack, indent=1, ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings: Settings | None = None
    try:
        if args.command == "version":
            print(f"lms-emulator {__version__}")
            return 0
        if args.command == "coverage" and args.url:
            return remote_coverage(args)
        if args.command == "coverage":
            return coverage(args.vendor)
        if args.command == "export":
            return export(args.url, args.tenant, args.token)
        settings = _settings(args)
        if args.command == "reset":
            return reset(settings)
        return serve(settings, workers=args.workers, quiet=args.quiet)
    except DatabaseError as exc:
        where = f" {settings.where}" if settings else ""
        print(f"lms-emulator: error: database{where}: {exc.orig}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader stopped early (`lms-emulator coverage | head`): not an error. Point
        # stdout at nothing so the interpreter's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (CliError, FixtureError, DatabaseSetupError) as exc:
        print(f"lms-emulator: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
