"""`ecoute plugins`: what is installed and enabled."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer
from rich.table import Table

from ecoute.cli._context import Context, out
from ecoute.plugins import describe


def register(app: typer.Typer) -> None:
    app.command("plugins")(list_plugins)


def list_plugins(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the installed stores, sources and enrichment stages (ECOUTE_PLUGINS limits them)."""
    context: Context = ctx.obj
    only = context.settings().plugins
    rows = describe(None if only is None else set(only))
    if as_json:
        for row in rows:
            out.print(orjson.dumps(row).decode(), markup=False)
        return
    table = Table("kind", "name", "enabled", "target", "package")
    for r in rows:
        table.add_row(r["kind"], r["name"], r["enabled"], r["target"], r["package"])
    out.print(table)
