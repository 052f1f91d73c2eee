"""DMTD's errors: JSON `{"success": false, "message": "<reason>"}` (decision D11)."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from emulator.core.errors import EmulatorError, validation_message


class DmtdError(EmulatorError):
    """Base of every DMTD error."""


class BadRequest(DmtdError):
    status = 400
    default_message = "The body of the request was invalid"


class Unauthorized(DmtdError):
    status = 401
    default_message = "You do not have permission to perform this operation"


class NotFound(DmtdError):
    status = 404
    default_message = "Not found"


class MethodNotAllowed(DmtdError):
    status = 405
    default_message = "Method not allowed"


def render(request: Request, error: EmulatorError) -> Response:
    return JSONResponse({"success": False, "message": error.message},
                        status_code=error.status, headers=error.headers)


def from_validation(exc: RequestValidationError) -> EmulatorError:
    return BadRequest(validation_message(exc))
