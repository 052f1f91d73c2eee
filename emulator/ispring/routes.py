"""iSpring routes: thin handlers that parse, call the backend and return the vendor body."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from emulator.core.errors import install_error_handlers
from emulator.core.vendor import Context
from emulator.ispring import errors

if TYPE_CHECKING:
    from emulator.ispring import IspringVendor


def build_app(ctx: Context, vendor: IspringVendor) -> FastAPI:
    app = FastAPI(title="iSpring Learn (emulated)", openapi_url=None, docs_url=None,
                  redoc_url=None)
    install_error_handlers(app, errors.render, on_validation=errors.from_validation)
    return app
