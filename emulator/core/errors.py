"""Typed errors and the mechanism that renders them in each vendor's own shape.

Vendor code raises subclasses of `EmulatorError` named after the vendor's error meanings. Each
vendor sub-app installs one renderer; FastAPI's and Starlette's own errors (validation, unknown
route, wrong method) are translated into `EmulatorError`s first, so their default bodies never
reach a client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import Scope


class EmulatorError(Exception):
    """An error response: `status` and a human-readable `message`, rendered by the vendor."""

    status: int = 400
    default_message: str = "Bad Request"

    def __init__(self, message: str | None = None, *, status: int | None = None,
                 headers: dict[str, str] | None = None, **details: Any) -> None:
        self.message = message if message is not None else self.default_message
        if status is not None:
            self.status = status
        self.headers = headers or {}
        self.details = details
        super().__init__(self.message)


class MalformedBody(EmulatorError):
    status = 400
    default_message = "Malformed request body"


class BodyTooLarge(EmulatorError):
    status = 413
    default_message = "Request body too large"


class RouteNotFound(EmulatorError):
    status = 404
    default_message = "Not Found"


class MethodNotAllowed(EmulatorError):
    status = 405
    default_message = "Method Not Allowed"


class InjectedFault(EmulatorError):
    """A vendor error requested through the control plane's fault injection."""


class InternalError(EmulatorError):
    status = 500
    default_message = "Internal Server Error"


ErrorRenderer = Callable[[Request, EmulatorError], Response]
ValidationTranslator = Callable[[RequestValidationError], EmulatorError]


def validation_message(exc: RequestValidationError) -> str:
    """A one-line summary of FastAPI's validation errors, for vendors that need a string."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "header"))
        parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg")))
    return "; ".join(parts) or "Invalid request"


def allowed_methods(app: FastAPI, scope: Scope) -> str:
    """Every method some route of `app` serves on this request's path, for `Allow`."""
    methods: set[str] = set()
    for route in app.router.routes:
        match, _child = route.matches({**scope, "method": "\x00"})
        if match is not Match.NONE and isinstance(route, BaseRoute):
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def install_error_handlers(
    app: FastAPI,
    render: ErrorRenderer,
    *,
    on_validation: ValidationTranslator,
    on_http: Callable[[Request, StarletteHTTPException], EmulatorError] | None = None,
) -> None:
    """Route every error of a vendor sub-app through that vendor's one renderer."""

    async def emulator_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, EmulatorError)
        return render(request, exc)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return render(request, on_validation(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        error: EmulatorError
        if on_http is not None:
            error = on_http(request, exc)
        elif exc.status_code == 404:
            error = RouteNotFound()
        elif exc.status_code == 405:
            error = MethodNotAllowed()
        else:
            error = EmulatorError(str(exc.detail), status=exc.status_code)
        if error.status == 405:
            # RFC 9110 §15.5.6: a 405 names the methods the path does allow.
            error.headers = {**error.headers, "Allow": allowed_methods(app, request.scope)}
        return render(request, error)

    async def unexpected(request: Request, exc: Exception) -> Response:
        # Starlette sends this from its outermost layer and then re-raises; the vendor gate
        # sees the answer complete and only logs the exception.
        return render(request, InternalError())

    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(EmulatorError, emulator_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
