"""`ecoute stats`: how many mentions, by platform, language, sentiment, query and day."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from ecoute.cli._context import Context, out


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)


def stats(
    ctx: typer.Context,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print one JSON object: `mentions` is the total, `by_*` fields break it down.",
        ),
    ] = False,
) -> None:
    """Count the visible mentions of the workspace (deleted ones are never counted)."""
    from ecoute.analytics.stats import workspace_stats

    context: Context = ctx.obj
    with context.store() as store:
        data = workspace_stats(store)
    if as_json:
        out.print(orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode(), markup=False)
        return
    out.print(f"[bold]{data['mentions']:,}[/] mentions")
    for field, title in (
        ("by_platform", "platform"),
        ("by_lang", "language"),
        ("by_sentiment", "sentiment"),
        ("by_query", "query"),
        ("by_day", "day (UTC)"),
    ):
        counts = data.get(field) or {}
        if not counts:
            continue
        table = Table(title, "mentions", title_justify="left")
        for key, value in counts.items():
            table.add_row(escape(str(key)), f"{value:,}")
        out.print(table)
