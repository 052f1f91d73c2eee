"""The DMTD sub-app: error handlers, the backend, and every resource module's routes.

The iFrame beta resources come first, then those open to every organization (the order the
coverage listing shows). `GET /javascripts/iframe_support.js` needs no auth (D25).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Response
from fastapi.routing import APIRoute

from emulator.core.errors import install_error_handlers
from emulator.core.vendor import Context
from emulator.dmtd import (
    assessments,
    authorizations,
    errors,
    learners,
    protocol,
    purchases,
    users,
)
from emulator.dmtd.auth import Credentials
from emulator.dmtd.backend import DmtdBackend

IFRAME_SUPPORT_JS = Path(__file__).with_name("iframe_support.js")
ROUTERS = (users.router, authorizations.router, assessments.router, learners.router,
           purchases.router, protocol.router)


def _register(app: FastAPI, router: APIRouter) -> None:
    """Put the router's routes, with the router-level auth dependency, on the app itself.

    This FastAPI's `include_router` nests a router in one wrapper route, which the control
    plane's coverage listing (top-level `APIRoute`s only) does not look into.
    """
    for route in router.routes:
        assert isinstance(route, APIRoute)
        app.router.add_api_route(route.path, route.endpoint, methods=sorted(route.methods or ()),
                                 dependencies=route.dependencies, name=route.name,
                                 response_model=None)


def iframe_support_js() -> Response:
    """Serve the browser script that opens the VB-MAPP iFrame screens.

    From client code (fact sheet §5.15, D25): the four functions render a placeholder
    naming the screen and its arguments. Not emulated: the real frame URLs.
    """
    return Response(IFRAME_SUPPORT_JS.read_bytes(), media_type="application/javascript")


def build_app(ctx: Context) -> FastAPI:
    app = FastAPI(title="DMTD VB-MAPP (emulated)", openapi_url=None, docs_url=None,
                  redoc_url=None)
    install_error_handlers(app, errors.render, on_validation=errors.from_validation,
                           on_http=errors.from_http)
    app.state.ctx = ctx
    app.state.backend = DmtdBackend(ctx)
    app.state.credentials = Credentials(ctx)
    for router in ROUTERS:
        _register(app, router)
    app.add_api_route("/javascripts/iframe_support.js", iframe_support_js, methods=["GET"])
    return app
