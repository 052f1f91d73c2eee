"""DMTD's errors: JSON `{"success": false, "message": "<reason>"}` (decision D11).

DMTD documents statuses only (400 invalid body, 401 no permission, 404 unknown record); the
error body is the emulator's inferred `{"success": false, ...}` mirror of the [R] success
bodies. 405 keeps the same body, except for the operations D26 lists as not served, which are
404 like any unknown path (`NOT_SERVED`).
"""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from emulator.core.errors import EmulatorError, validation_message


class DmtdError(EmulatorError):
    """Base of every DMTD error."""


class BadRequest(DmtdError):
    status = 400
    default_message = "The body of the request was invalid"


class DuplicateCode(BadRequest):
    """D13: a learner or user code already used in the organization (400, not 409)."""


class OwnerCannotBeRemoved(BadRequest):
    """D16: `DELETE /1/authorize` naming the learner's owner."""


class Unauthorized(DmtdError):
    status = 401
    default_message = ("The caller identified by the Bearer token does not have permission "
                       "to perform this operation")


class NotIframeCustomer(Unauthorized):
    """D9: a standard organization on an endpoint of the iFrame beta."""


class NotPermitted(Unauthorized):
    """D14: the acting user neither owns the learner nor is authorized for it."""


class NotFound(DmtdError):
    status = 404
    default_message = "Not found"


class MethodNotAllowed(DmtdError):
    status = 405
    default_message = "Method not allowed"


class TooManyRequests(DmtdError):
    """Only ever from a rate-limit fault: DMTD documents no limits."""

    status = 429
    default_message = "Too many requests"


# D26: operations that exist on no DMTD page answer 404, not 405, although the path is served.
NOT_SERVED: frozenset[tuple[str, str]] = frozenset({
    ("GET", "/1/user"), ("PUT", "/1/user"), ("DELETE", "/1/user"),
    ("PUT", "/1/learner"), ("PATCH", "/1/learner"), ("DELETE", "/1/learner"),
    ("DELETE", "/1/assessment"), ("DELETE", "/1/assessments"),
})


def render(request: Request, error: EmulatorError) -> Response:
    return JSONResponse({"success": False, "message": error.message},
                        status_code=error.status, headers=error.headers)


def from_validation(exc: RequestValidationError) -> EmulatorError:
    return BadRequest(validation_message(exc))


def from_http(request: Request, exc: StarletteHTTPException) -> EmulatorError:
    """Unknown paths and wrong methods, in DMTD's body."""
    path = request.url.path.removeprefix(request.scope.get("root_path", ""))
    if exc.status_code == 405 and (request.method, path) not in NOT_SERVED:
        return MethodNotAllowed(f"Method {request.method} is not allowed on {path}",
                                headers=dict(exc.headers or {}))
    if exc.status_code in (404, 405):
        return NotFound(f"No such endpoint: {request.method} {path}")
    return DmtdError(str(exc.detail), status=exc.status_code)
