"""Thrive's errors: `{"status": <number>, "error": "<reason phrase>", "message": "<string>"}`.

The token endpoint is the exception: it answers OAuth-style `{"error": "<code>"}` bodies
(`OAuthError` and its subclasses), like the Cognito endpoint it is modelled on.
"""

from __future__ import annotations

from http import HTTPStatus

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from emulator.core.errors import EmulatorError, validation_message

# The reason phrases Thrive documents (422 is "Unprocessable Content", RFC 9110's wording).
REASONS = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    409: "Conflict", 413: "Payload Too Large", 414: "URI Too Long",
    422: "Unprocessable Content", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
    500: "Internal Server Error", 503: "Service Unavailable",
}

# RFC 6749 §5.1: token responses, errors included, must not be cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class ThriveError(EmulatorError):
    """Base of every Thrive error."""


class BadRequest(ThriveError):
    """The body is not JSON, or not the JSON type (object or array) the endpoint takes."""

    status = 400
    default_message = "Bad Request"


class Unauthorized(ThriveError):
    status = 401
    default_message = "Unauthorized"


class Forbidden(ThriveError):
    status = 403
    default_message = "Forbidden"


class NotFound(ThriveError):
    status = 404
    default_message = "Not Found"


class Conflict(ThriveError):
    status = 409
    default_message = "Conflict"


class Unprocessable(ThriveError):
    status = 422
    default_message = "Unprocessable Content"


class TooManyRequests(ThriveError):
    """Only ever from a rate-limit fault: Thrive documents no limits."""

    status = 429
    default_message = "Too Many Requests"


class OAuthError(ThriveError):
    """A token-endpoint failure: always 400 with `{"error": code}`."""

    status = 400
    code = "invalid_request"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.code, headers=dict(NO_STORE))


class InvalidRequest(OAuthError):
    code = "invalid_request"


class InvalidClient(OAuthError):
    code = "invalid_client"


class InvalidScope(OAuthError):
    code = "invalid_scope"


class UnsupportedGrantType(OAuthError):
    code = "unsupported_grant_type"


class UnauthorizedClient(OAuthError):
    code = "unauthorized_client"


def reason(status: int) -> str:
    if status in REASONS:
        return REASONS[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def render(request: Request, error: EmulatorError) -> Response:
    if isinstance(error, OAuthError):
        return JSONResponse({"error": error.code}, status_code=error.status,
                            headers=error.headers)
    body = {"status": error.status, "error": reason(error.status), "message": error.message}
    return JSONResponse(body, status_code=error.status, headers=error.headers)


def from_validation(exc: RequestValidationError) -> EmulatorError:
    return Unprocessable(validation_message(exc))


def from_http(request: Request, exc: StarletteHTTPException) -> EmulatorError:
    # Thrive documents no 405: a known path with another method is an unknown route.
    if exc.status_code in (404, 405):
        path = request.scope["path"][len(request.scope.get("root_path", "")):]
        return NotFound(f"No route for {request.method} {path}")
    return ThriveError(str(exc.detail), status=exc.status_code)
