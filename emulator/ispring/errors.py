"""iSpring's ErrorResponse: `{"code", "message"}` / `<response><code/><message/></response>`."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError

from emulator.core.codec import JSON_TYPE, media_types, render_json, render_xml
from emulator.core.errors import EmulatorError


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


class MethodNotAllowed(IspringError):
    status = 405
    default_message = "Method not allowed"


def wants_json(request: Request) -> bool:
    """D16: JSON only when Accept is exactly `application/json`; anything else gets XML."""
    return media_types(request.headers.get("accept")) == [JSON_TYPE]


def render(request: Request, error: EmulatorError) -> Response:
    body = {"code": error.status, "message": error.message}
    if wants_json(request):
        return Response(render_json(body), status_code=error.status,
                        media_type="application/json", headers=error.headers)
    return Response(render_xml("response", body), status_code=error.status,
                    media_type="application/xml", headers=error.headers)


def from_validation(exc: RequestValidationError) -> EmulatorError:
    return BadRequest()
