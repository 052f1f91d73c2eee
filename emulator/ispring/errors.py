"""iSpring's ErrorResponse: `{"code", "message"}` / `<response><code/><message/></response>`.

Also the one content-negotiation rule every iSpring body follows (D15, D16), since errors and
successes must agree on it.
"""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from emulator.core.codec import JSON_TYPE, XML_TYPES, media_types, render_json, render_xml
from emulator.core.errors import EmulatorError, MalformedBody

TOKEN_PATH = "/api/v3/token"


class IspringError(EmulatorError):
    """Base of every iSpring error."""


class BadRequest(IspringError):
    status = 400
    default_message = "Wrong parameters"


class Unauthorized(IspringError):
    status = 401
    default_message = "Authorization failed"


class PermissionDenied(IspringError):
    status = 403
    default_message = "Permission denied"


class NotFound(IspringError):
    status = 404
    default_message = "Not found"


class PlainNotFound(NotFound):
    """The few operations whose 404 body is a bare `text/plain` string (fact sheet §4.10)."""


class MethodNotAllowed(IspringError):
    status = 405
    default_message = "Method not allowed"


class TooManyRequests(IspringError):
    """Only ever from a rate-limit fault: iSpring documents no limits (fact sheet §4.8)."""

    status = 429
    default_message = "Too many requests"


def is_token_request(request: Request) -> bool:
    return str(request.scope.get("path", "")).rstrip("/").endswith(TOKEN_PATH)


def wants_json(request: Request) -> bool:
    """Whether the body of this response is JSON rather than XML.

    D16: data endpoints answer JSON only when `Accept` is exactly `application/json`.
    D15: the token endpoint answers JSON unless `Accept` asks for XML only.
    """
    accepted = media_types(request.headers.get("accept"))
    if is_token_request(request):
        return not accepted or not all(t in XML_TYPES for t in accepted)
    return accepted == [JSON_TYPE]


def render(request: Request, error: EmulatorError) -> Response:
    if isinstance(error, PlainNotFound):
        return Response(error.message, status_code=error.status, media_type="text/plain",
                        headers=error.headers)
    if isinstance(error, MalformedBody):
        # The core's parser names what was wrong; the vendor prefixes it like its own 400s.
        error = BadRequest(f"Wrong parameters: {error.message}")
    body = {"code": error.status, "message": error.message}
    if wants_json(request):
        return Response(render_json(body), status_code=error.status,
                        media_type="application/json", headers=error.headers)
    return Response(render_xml("response", body), status_code=error.status,
                    media_type="application/xml", headers=error.headers)


def from_validation(exc: RequestValidationError) -> EmulatorError:
    return BadRequest()


def from_http(request: Request, exc: StarletteHTTPException) -> EmulatorError:
    """D20: unknown paths are a 404 ErrorResponse, a wrong method a 405 ErrorResponse."""
    if exc.status_code == 404:
        return NotFound()
    if exc.status_code == 405:
        return MethodNotAllowed()
    if exc.status_code == 400:
        return BadRequest()
    return IspringError(str(exc.detail), status=exc.status_code)

