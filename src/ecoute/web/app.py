"""The web app: the analyst's pages, the JSON API and its documentation, over one workspace.

``create_app(store)`` builds it; ``ecoute serve`` runs it with uvicorn on
127.0.0.1. It reads mentions only through the Store protocol and never writes
them, so the same app can sit on DuckDB today and PostgreSQL later; the only
thing it writes is the ROI ledger the user fills in.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from importlib import metadata, resources
from pathlib import Path
from typing import Literal

import jinja2
import pluggy
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from starlette.middleware.trustedhost import TrustedHostMiddleware

from ecoute.model import now
from ecoute.store.base import Store
from ecoute.web import api, breakdowns, exports, live, overview, people, reports, roi, stream
from ecoute.web.filters import translator
from ecoute.web.messages import Translator
from ecoute.web.security import LOOPBACK_HOSTS, SecurityHeaders

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
DOCS_PATH = "/docs"
DESCRIPTION = """\
Read-only access to an Écoute workspace: what is said about the brand and its
competitors, measured.

* Times are UTC; `since` is included and `until` excluded.
* Reach is estimated: the sum of each mention's reach or, until an influence
  stage sets it, its author's followers. Engagement is likes + reposts + replies.
* Deleted mentions are never returned nor counted.
* A mention that matches two queries counts once in totals and once per query
  in `by_query`.
"""


class Health(BaseModel):
    status: Literal["ok"]


def create_app(
    store: Store,
    *,
    clock: Callable[[], datetime] = now,
    allowed_hosts: Sequence[str] | None = LOOPBACK_HOSTS,
    hooks: pluggy.PluginManager | None = None,
    ledger_path: Path | None = None,
    reports_dir: Path | None = None,
) -> FastAPI:
    """Build the web app over `store`.

    `clock` gives "now" for relative periods such as the last 7 days.
    `allowed_hosts` are the host names the app answers to (loopback by default,
    against DNS rebinding); pass the public name when serving beyond this
    machine, or None to answer any host. `hooks` is the plugin manager the
    collectors' pipeline fires ``mentions_stored`` on: the live counter listens
    there. `ledger_path` is the JSON file of the ROI efforts (in memory if None);
    with `reports_dir`, last week's report is written there every week.
    """
    version = _version()
    feed = live.LiveFeed()
    if hooks is not None:
        hooks.register(feed)
    env = _environment(version)
    weekly = (
        reports.WeeklyReports(store, env, reports_dir, t=Translator("en"), clock=clock)
        if reports_dir is not None
        else None
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if weekly is not None:
            weekly.start()
        try:
            yield
        finally:
            if weekly is not None:
                weekly.stop()
            if hooks is not None:
                hooks.unregister(feed)

    app = FastAPI(
        lifespan=lifespan,
        title="Écoute",
        version=version,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url="/openapi.json",
    )
    app.state.store = store
    app.state.clock = clock
    app.state.templates = Jinja2Templates(env=env)
    app.state.live = feed
    app.state.ledger = roi.Ledger(ledger_path)
    app.state.reports_dir = reports_dir
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Swagger UI's files come from a package so the documentation works offline.
    swagger = resources.files("fastapi_offline") / "static"
    app.mount(f"{DOCS_PATH}/assets", StaticFiles(directory=str(swagger)), name="docs-assets")
    for module in (overview, stream, people, breakdowns, live, roi, reports, api, exports):
        app.include_router(module.router)

    @app.get("/healthz", response_model=Health, tags=["health"], summary="Liveness")
    def healthz() -> Health | JSONResponse:
        """Answer ok when the workspace can be read."""
        try:
            store.list_queries()
        except Exception:
            log.exception("health check: the workspace cannot be read")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return Health(status="ok")

    @app.get(DOCS_PATH, include_in_schema=False, response_class=HTMLResponse)
    def docs(request: Request) -> HTMLResponse:
        t = translator(request)
        return app.state.templates.TemplateResponse(
            request, "docs.html", {"t": t, "locale": t.locale, "openapi_url": app.openapi_url}
        )

    # The last added runs first: refuse foreign hosts, then stamp headers on everything.
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(SecurityHeaders, docs_path=DOCS_PATH)
    return app


def _environment(version: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ecoute.web", "templates"),
        # Every template, whatever its name: post content reaches all of them.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["asset_version"] = version
    env.globals["vendor"] = _vendor_versions()
    return env


def _version() -> str:
    try:
        return metadata.version("ecoute")
    except metadata.PackageNotFoundError:
        return "0"


def _vendor_versions() -> dict[str, str]:
    """Versions of the npm packages shipped in static/vendor (web-assets/build.mjs writes it)."""
    import json

    path = HERE / "static" / "vendor" / "versions.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
