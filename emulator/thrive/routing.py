"""Thrive route plumbing shared by every resource router: registration, bodies, answers.

Every path is served with and without a trailing slash (`endpoint`). Resource routers carry the
authentication dependency (`api_router`); the token endpoint's router is the only one without.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import JSONResponse

from emulator.core import bodies
from emulator.thrive import schemas
from emulator.thrive.auth import Principal, authenticate, backend_of
from emulator.thrive.schemas import QueryArgs

F = TypeVar("F", bound=Callable[..., Any])
Ops = TypeVar("Ops")

V1 = "/rest/v1"
V2 = "/rest/v2"


def json_body(model: type[Any]) -> Any:
    """A dependency reading the body as `model` (400 not JSON / wrong type, 422 invalid).

    Parsed in a worker thread: a 10 MiB body of small items takes a second to decode and
    validate, which on the event loop would stall every other client for as long."""

    async def read(request: Request) -> Any:
        return await bodies.decode(schemas.parse_body, model, await request.body())

    return Depends(read)


def optional_json_body(model: type[Any]) -> Any:
    """Like `json_body`, but an empty body is None (DELETE may or may not carry one)."""

    async def read(request: Request) -> Any:
        raw = await request.body()
        if not raw.strip():
            return None
        return await bodies.decode(schemas.parse_body, model, raw)

    return Depends(read)


async def query_args(request: Request) -> QueryArgs:
    return QueryArgs(request.query_params)


Auth = Annotated[Principal, Depends(authenticate)]
Query = Annotated[QueryArgs, Depends(query_args)]
UserId = Annotated[str, Path(alias="userId")]
AudienceId = Annotated[str, Path(alias="audienceId")]
AssignmentId = Annotated[str, Path(alias="assignmentId")]


def api_router() -> APIRouter:
    """A resource router: every route behind the credential and scope checks."""
    return APIRouter(dependencies=[Depends(authenticate)])


def operations(kind: type[Ops]) -> Any:
    """A dependency giving the app's backend typed as one resource's operations."""

    async def get(request: Request) -> Ops:
        return backend_of(request, kind)

    return Depends(get)


def endpoint(router: APIRouter, method: str, path: str) -> Callable[[F], F]:
    """Register a handler at `path` and, hidden from the coverage list, at `path/`."""

    def register(handler: F) -> F:
        router.add_api_route(path, handler, methods=[method], response_model=None)
        router.add_api_route(f"{path}/", handler, methods=[method], response_model=None,
                             include_in_schema=False)
        return handler

    return register


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def empty(status: int = 204) -> Response:
    return Response(status_code=status)


def batch(outcome: tuple[int, dict[str, Any]]) -> JSONResponse:
    """A member or manager list change: 200, or 207 when an item failed."""
    status, body = outcome
    return ok(body, status)
