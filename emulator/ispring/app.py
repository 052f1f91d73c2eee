"""The iSpring sub-app: error handlers, vendor path normalisation, every resource's routes.

Every handler is named after the vendor OpenAPI operationId in snake_case. The same routes answer
at the vendor root, under `/api/v2` and under `/index.php/api/v2` (§2), the token endpoint also
under `/index.php`, and a trailing slash is accepted (§6): `vendor_path` maps all of these onto
one set of routes before routing. Authentication is a router-level dependency of every resource
router; each handler declares the right it needs, so a 403 comes before any body parsing (D18).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.core.errors import install_error_handlers
from emulator.core.vendor import Context
from emulator.ispring import (
    appraisal_cards,
    appraisals,
    competencies,
    content,
    departments,
    enrollments,
    errors,
    gamification,
    groups,
    job_training,
    quizzes,
    results,
    smart_groups,
    statistics,
    tokens,
    trainings,
    user_lifecycle,
    users,
    webhooks,
)
from emulator.ispring.backend import IspringBackend

ROUTERS: tuple[APIRouter, ...] = (
    tokens.router, users.router, user_lifecycle.router, departments.router,
    # Smart-group paths (`/group/smart...`) must match before `/group/{group_id}`.
    smart_groups.router, groups.router, content.router, quizzes.router, enrollments.router,
    results.router, statistics.router, gamification.router, trainings.router, webhooks.router,
    job_training.router, competencies.router,
    appraisals.router, appraisal_cards.router,
)


def vendor_path(path: str) -> str:
    """The operation path of a request path: prefixes and a trailing slash dropped.

    The same operations answer at the root, under `/api/v2` and under `/index.php/api/v2`, and
    the token also under `/index.php` (§2); `/enrollment/` is `/enrollment` (§6: clients append
    slashes, and a redirect would lose POSTs). Normalising here registers every route once.
    """
    if path.startswith("/index.php/api/"):
        path = path[len("/index.php"):]
    if path == "/api/v2" or path.startswith("/api/v2/"):
        path = path[len("/api/v2"):] or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path


class VendorPaths:
    """ASGI layer applying `vendor_path` before routing (the journal keeps the path as sent)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # Below a mount the path still starts with the mount's root_path (/ispring).
            root = scope.get("root_path", "")
            full: str = scope.get("path", "")
            inner = full[len(root):] if root and full.startswith(root) else full
            path = root + vendor_path(inner)
            if path != full:
                scope = dict(scope)
                scope["path"] = path
                scope["raw_path"] = path.encode()
        await self.app(scope, receive, send)


def build_app(ctx: Context) -> FastAPI:
    app = FastAPI(title="iSpring Learn (emulated)", openapi_url=None, docs_url=None,
                  redoc_url=None, redirect_slashes=False)
    app.state.backend = IspringBackend(ctx)
    install_error_handlers(app, errors.render, on_validation=errors.from_validation,
                           on_http=errors.from_http)
    for source in ROUTERS:
        _add_routes(app, source)
    app.add_middleware(VendorPaths)
    return app


def _add_routes(app: FastAPI, source: APIRouter) -> None:
    """Copy a router's routes (with its auth dependency) onto the app.

    This FastAPI's `include_router` nests a router in one wrapper route, which the control
    plane's coverage (reading the app's top-level `APIRoute`s) would not see.
    """
    for route in source.routes:
        assert isinstance(route, APIRoute)
        app.router.add_api_route(route.path, route.endpoint,
                                 methods=sorted(route.methods or ()),
                                 dependencies=route.dependencies, name=route.name,
                                 response_model=None)
