"""`ecoute serve`: the web app and its API over one workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from ecoute.cli._context import Context, err
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
    """Serve the dashboard and the JSON API (OpenAPI at /docs) until Ctrl-C."""
    context: Context = ctx.obj
    settings = context.settings(host=host, port=port)
    with context.store(settings) as store:
        run_web(store, settings.host, settings.port)


def run_web(store: DuckDBStore, host: str, port: int) -> None:
    """Run the web app in the foreground on `host:port`."""
    import uvicorn

    from ecoute.web.app import create_app

    err.print(f"Écoute is listening on http://{host}:{port}  (Ctrl-C to stop)", markup=False)
    uvicorn.run(create_app(store), host=host, port=port, log_level="warning")
