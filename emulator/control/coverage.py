"""API coverage: every vendor operation the emulator serves, and what a client's calls exercised.

The operations come from the routes each vendor app registered. What was exercised comes from
the journal (so it sees only what the journal still keeps: `EMULATOR_JOURNAL_MAX` entries).
The error statuses each operation documents are data in `documented_errors.json`, keyed by
vendor and operation name, read from the vendor docs (iSpring: its OpenAPI document's
responses; Thrive: the status column of its operation tables plus the 401/403 every
token-authorised call can answer; DMTD: its vendor-wide error table, 400/401/404).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import func, select
from sqlmodel import Session
from starlette.routing import BaseRoute, compile_path

from emulator.core.models import JournalEntry
from emulator.core.vendor import Context

_DOCUMENTED = Path(__file__).with_name("documented_errors.json")


@cache
def documented_errors() -> dict[str, dict[str, list[int]]]:
    """{vendor: {operation: [error statuses the vendor documents for it]}}."""
    data: dict[str, dict[str, list[int]]] = json.loads(_DOCUMENTED.read_text(encoding="utf-8"))
    return data


def _api_routes(routes: Sequence[BaseRoute], prefix: str = "",
                shown: bool = True) -> Iterator[tuple[str, APIRoute, bool]]:
    """(full path, route, in schema) for every APIRoute, including those of included routers.

    FastAPI >= 0.16x keeps `include_router` routers as one lazily expanded route that carries
    the original router and its include options; older versions copy APIRoutes into the app.
    """
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route, shown and route.include_in_schema
        elif hasattr(route, "original_router") and hasattr(route, "include_context"):
            context = route.include_context
            yield from _api_routes(route.original_router.routes,
                                   prefix + getattr(context, "prefix", ""),
                                   shown and bool(getattr(context, "include_in_schema", True)))


def coverage(ctx: Context, apps: dict[str, FastAPI]) -> dict[str, Any]:
    """Operations per vendor, read from the routes each vendor app registered."""
    out: dict[str, Any] = {}
    for name, app in apps.items():
        ops: dict[tuple[str, str], dict[str, Any]] = {}
        for path, route, shown in _api_routes(app.routes):
            if not shown:
                continue
            doc = (route.endpoint.__doc__ or "").strip().splitlines()
            for method in sorted((route.methods or set()) - {"HEAD"}):
                entry = ops.setdefault((route.name, method), {
                    "operation": route.name, "method": method, "paths": [],
                    "summary": doc[0] if doc else "",
                })
                if path not in entry["paths"]:
                    entry["paths"].append(path)
        out[name] = {"title": ctx.vendors[name].title, "basePath": f"/{name}",
                     "operations": sorted(ops.values(), key=lambda o: (o["paths"][0], o["method"]))}
    return out


def coverage_markdown(ctx: Context, apps: dict[str, FastAPI], only: str | None = None) -> str:
    """The README's coverage table, generated from the registered routes."""
    lines = []
    for name, info in coverage(ctx, apps).items():
        if only and name != only:
            continue
        lines += [f"#### {info['title']} (`/{name}`)", "",
                  "| Method | Path | Operation | Summary |", "|---|---|---|---|"]
        lines += [f"| {op['method']} | `{op['paths'][0]}` | `{op['operation']}` | {op['summary']} |"
                  for op in info["operations"]]
        lines.append("")
    return "\n".join(lines)


def exercised(ctx: Context, apps: dict[str, FastAPI], session: Session, *,
              vendor: str | None = None, tenant: str | None = None,
              since: datetime | None = None) -> dict[str, Any]:
    """Per vendor operation: called or not, how often, the statuses seen, and the documented
    error statuses no call has produced yet. Only the journal entries of `tenant` (any tenant
    when None) at or after `since` count."""
    t = JournalEntry.__table__.c  # type: ignore[attr-defined]
    keys = (t.vendor, t.operation, t.method, t.status)
    stmt = select(*keys, func.count())
    if vendor:
        stmt = stmt.where(t.vendor == vendor)
    if tenant:
        stmt = stmt.where(t.tenant == tenant)
    if since is not None:
        stmt = stmt.where(t.at >= since)
    seen: dict[tuple[str, str, str], dict[int, int]] = {}
    rows: list[tuple[Any, ...]] = [tuple(row) for row in session.connection().execute(
        stmt.where(t.operation.is_not(None)).group_by(*keys))]
    # An injected fault answers before the vendor routes the request, so its entry names no
    # operation: the operation is found again from the method and path.
    unrouted = (t.vendor, t.method, t.path, t.status)
    stmt = stmt.with_only_columns(*unrouted, func.count()).where(t.operation.is_(None))
    for v, method, path, status, n in session.connection().execute(
            stmt.where(t.fault.is_not(None)).group_by(*unrouted)):
        op = _route_of(apps[v], method, path) if v in apps else None
        if op is not None:
            rows.append((v, op, method, status, n))
    for v, op, method, status, n in rows:
        per_status = seen.setdefault((v, op, method), {})
        per_status[status] = per_status.get(status, 0) + int(n)
    out: dict[str, Any] = {}
    for name, info in coverage(ctx, apps).items():
        if vendor and name != vendor:
            continue
        documented = documented_errors().get(name, {})
        for op in info["operations"]:
            statuses = seen.get((name, op["operation"], op["method"]), {})
            errors = documented.get(op["operation"], [])
            op.update(called=bool(statuses), calls=sum(statuses.values()),
                      statuses=sorted(statuses), documentedErrors=errors,
                      unexercisedErrors=[s for s in errors if s not in statuses])
        info["called"] = sum(op["called"] for op in info["operations"])
        info["total"] = len(info["operations"])
        out[name] = info
    return out


def _route_of(app: FastAPI, method: str, path: str) -> str | None:
    """The operation of `app` that serves `method path`, if one does."""
    for full, route, _shown in _api_routes(app.routes):
        if method in (route.methods or ()) and compile_path(full)[0].fullmatch(path):
            return route.name
    return None


def report_text(report: dict[str, Any]) -> str:
    """A plain-text summary of `exercised()` for terminals: per vendor, the operations never
    called and the documented error statuses never seen."""
    lines: list[str] = []
    for info in report.values():
        ops = info["operations"]
        if not any(op["called"] for op in ops):
            continue
        lines.append(f"{info['title']}: {info['called']}/{info['total']} operations called")
        lines += [f"  never called: {op['method']} {info['basePath']}{op['paths'][0]} "
                  f"({op['operation']})" for op in ops if not op["called"]]
        lines += [f"  no {', '.join(map(str, op['unexercisedErrors']))} seen: {op['method']} "
                  f"{info['basePath']}{op['paths'][0]} ({op['operation']})"
                  for op in ops if op["called"] and op["unexercisedErrors"]]
    return "\n".join(lines) if lines else "no vendor operation was called"


def merge(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """One report out of several of `exercised()` (parallel test workers, each with its own
    emulator): calls add up, statuses join, and what stays unexercised is recomputed."""
    out: dict[str, Any] = {}
    for report in reports:
        for name, info in report.items():
            if name not in out:
                out[name] = {**info, "operations": [dict(op) for op in info["operations"]]}
                continue
            by_key = {(op["operation"], op["method"]): op for op in out[name]["operations"]}
            for op in info["operations"]:
                target = by_key[(op["operation"], op["method"])]
                target["calls"] += op["calls"]
                target["statuses"] = sorted(set(target["statuses"]) | set(op["statuses"]))
    for info in out.values():
        for op in info["operations"]:
            op["called"] = op["calls"] > 0
            op["unexercisedErrors"] = [s for s in op["documentedErrors"]
                                       if s not in op["statuses"]]
        info["called"] = sum(op["called"] for op in info["operations"])
    return out
