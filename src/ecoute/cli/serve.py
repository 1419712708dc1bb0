"""`ecoute serve`: the web app and its API over one workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from ecoute.cli._context import Context, err
from ecoute.hookspecs import plugin_manager
from ecoute.pipeline import CollectorGroup
from ecoute.settings import Settings
from ecoute.store.duckdb import DuckDBStore

HOST_HELP = "Address to listen on. Keep 127.0.0.1 until accounts arrive: the app has no login yet."


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help=HOST_HELP, show_default="127.0.0.1")] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on.", show_default="8000")
    ] = None,
) -> None:
    """Serve the dashboard and the JSON API (OpenAPI at /docs), and run the collectors.

    Every enabled source (`ecoute source list`) collects in the background while
    the app is up; Ctrl-C stops both.
    """
    context: Context = ctx.obj
    settings = context.settings(host=host, port=port)
    with context.store(settings) as store:
        run_web(store, settings)


def run_web(store: DuckDBStore, settings: Settings, *, collect: bool = True) -> None:
    """Run the web app in the foreground, with the collectors in background threads."""
    import uvicorn

    from ecoute.web.app import create_app
    from ecoute.web.security import LOOPBACK_HOSTS

    hooks = plugin_manager(settings)
    group = CollectorGroup.start(store, settings, hooks=hooks) if collect else None
    heard = f", {len(group.running)} collectors running" if group and group.running else ""
    err.print(
        f"Écoute is listening on http://{settings.host}:{settings.port}{heard}  (Ctrl-C to stop)",
        markup=False,
    )
    # The app refuses unknown Host headers (DNS rebinding); a non-loopback
    # address the user chose to listen on is a host name it must accept.
    hosts = LOOPBACK_HOSTS
    if settings.host not in LOOPBACK_HOSTS:
        hosts = None if settings.host in ("0.0.0.0", "::") else (*LOOPBACK_HOSTS, settings.host)  # noqa: S104
    workspace = settings.db
    app = create_app(
        store,
        allowed_hosts=hosts,
        hooks=hooks,
        ledger_path=workspace.with_name(workspace.stem + ".roi.json"),
        reports_dir=settings.reports_dir or workspace.with_name(workspace.stem + "-reports"),
    )
    try:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    finally:
        if group is not None:
            group.stop()
