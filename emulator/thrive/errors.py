"""Thrive's errors: `{"status": <number>, "error": "<reason phrase>", "message": "<string>"}`."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from emulator.core.errors import EmulatorError, validation_message

# The reason phrases Thrive documents (422 is "Unprocessable Content", RFC 9110's wording).
REASONS = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    409: "Conflict", 413: "Payload Too Large", 414: "URI Too Long",
    422: "Unprocessable Content", 431: "Request Header Fields Too Large",
    500: "Internal Server Error", 503: "Service Unavailable",
}


class ThriveError(EmulatorError):
    """Base of every Thrive error."""


class BadRequest(ThriveError):
    status = 400
    default_message = "Request body is not valid JSON"


class Unauthorized(ThriveError):
    status = 401
    default_message = "Unauthorized"


class Forbidden(ThriveError):
    status = 403
    default_message = "Forbidden"


class NotFound(ThriveError):
    status = 404
    default_message = "Not found"


class Conflict(ThriveError):
    status = 409
    default_message = "Conflict"


class Unprocessable(ThriveError):
    status = 422
    default_message = "Unprocessable Content"


def reason(status: int) -> str:
    if status in REASONS:
        return REASONS[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def render(request: Request, error: EmulatorError) -> Response:
    body = {"status": error.status, "error": reason(error.status), "message": error.message}
    return JSONResponse(body, status_code=error.status, headers=error.headers)


def from_validation(exc: RequestValidationError) -> EmulatorError:
    return Unprocessable(validation_message(exc))
