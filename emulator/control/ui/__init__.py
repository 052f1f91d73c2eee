"""The dashboard at `/_emulator/ui`: server-rendered page shells plus plain JavaScript.

The pages carry no data: every figure on them comes from the control-plane API, fetched by the
browser (with the admin bearer token the user typed, when one is set). So a page can be loaded
without credentials, the data calls are what a token protects, and the dashboard shows the same
thing whichever worker or replica serves it. Everything ships inside the package: no CDN, no
build step.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from emulator import __version__

HERE = Path(__file__).parent
# (path below /ui, page name, navigation title)
PAGES = [("", "tenants", "Tenants"), ("/journal", "journal", "Journal"),
         ("/faults", "faults", "Faults"), ("/clock", "clock", "Clock"),
         ("/snapshots", "snapshots", "Snapshots"), ("/coverage", "coverage", "Coverage")]
# Scripts and styles only from the dashboard's own files: a journal body that slipped past
# escaping still could not run.
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

_templates = Environment(loader=PackageLoader("emulator.control.ui", "templates"),
                         autoescape=select_autoescape(default=True, default_for_string=True))


def install_ui(app: FastAPI) -> None:
    """Serve the dashboard's pages at `/ui...` and its files at `/ui/static` on `app`."""
    app.mount("/ui/static", StaticFiles(directory=HERE / "static"), name="ui-static")
    router = APIRouter(include_in_schema=False)
    for path, page, _title in PAGES:
        router.add_api_route(f"/ui{path}", _page_handler(page), methods=["GET"],
                             response_class=HTMLResponse, name=f"ui_{page}")
    app.include_router(router)


def _page_handler(page: str) -> Callable[[Request], HTMLResponse]:
    template = _templates.get_template(f"{page}.html")

    def show(request: Request) -> HTMLResponse:
        # root_path is where the control plane is mounted ("/_emulator"): the API's base.
        base = request.scope.get("root_path", "")
        html = template.render(api=base, static=f"{base}/ui/static", page=page, pages=PAGES,
                               version=__version__)
        return HTMLResponse(html, headers={"Content-Security-Policy": _CSP,
                                           "Cache-Control": "no-cache",
                                           "X-Content-Type-Options": "nosniff"})

    return show
