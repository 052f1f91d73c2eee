"""The Thrive sub-app: error handlers, every resource router, and the 404 for anything else.

Vendor docs followed: https://docs.thrivelearning.com (the `/apidocs/...` and `/v1-api/apidocs/...`
pages listed in the fact sheet, §8); each route's docstring names its page. Anything that is not
a route is a 404 in Thrive's shape after the credential and scope checks (Thrive documents no
405). The token endpoint is the only route without the authentication dependency.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.routing import APIRoute

from emulator.core.errors import install_error_handlers
from emulator.core.vendor import Context
from emulator.thrive import (
    assignments,
    audiences,
    completions,
    contents,
    cpd,
    enrolments,
    errors,
    tags,
    tokens,
    users,
    webhooks,
)
from emulator.thrive.auth import vendor_path
from emulator.thrive.backend import ThriveBackend
from emulator.thrive.errors import NotFound
from emulator.thrive.routing import api_router

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

# Registered last: it matches every path.
fallback = api_router()


@fallback.api_route("/{path:path}", methods=ALL_METHODS, include_in_schema=False)
def unknown_route(request: Request) -> Response:
    """Any other path or method: 404 in Thrive's shape, after the router's auth dependency."""
    raise NotFound(f"No route for {request.method} {vendor_path(request)}")


ROUTERS = (tokens.router, users.router, tags.router, audiences.router, assignments.router,
           enrolments.router, completions.router, contents.router, cpd.router, webhooks.router,
           fallback)


def build_app(ctx: Context) -> FastAPI:
    app = FastAPI(title="Thrive Learning (emulated)", openapi_url=None, docs_url=None,
                  redoc_url=None)
    app.state.thrive_backend = ThriveBackend(ctx)
    install_error_handlers(app, errors.render, on_validation=errors.from_validation,
                           on_http=errors.from_http)
    for router in ROUTERS:
        _register(app, router)
    return app


def _register(app: FastAPI, router: APIRouter) -> None:
    """Put the router's routes (router-level auth dependency included) on the app itself.

    `include_router` would nest them in one wrapper route that the control plane's coverage
    listing, which reads the app's top-level `APIRoute`s, does not look into.
    """
    for route in router.routes:
        assert isinstance(route, APIRoute)
        app.router.add_api_route(route.path, route.endpoint, methods=sorted(route.methods or ()),
                                 dependencies=route.dependencies, name=route.name,
                                 include_in_schema=route.include_in_schema,
                                 response_model=None)
