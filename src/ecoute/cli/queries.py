"""`ecoute query ...`: the standing queries every mention is matched against."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from ecoute.cli._context import Context, fail, out
from ecoute.model import Query, QueryKind
from ecoute.pipeline import retag_history
from ecoute.query.matcher import QueryError, compile_matcher

query_app = typer.Typer(
    help="Add, list and remove the standing queries that tag every mention.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(query_app, name="query")


@query_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A short unique name, e.g. 'fleurissimo'.")],
    expr: Annotated[
        str, typer.Argument(help="What to listen for, e.g. 'Fleurissimo' (see docs/queries.md).")
    ],
    kind: Annotated[
        QueryKind, typer.Option("--kind", "-k", help="brand, competitor or topic.")
    ] = QueryKind.BRAND,
    group: Annotated[
        str | None,
        typer.Option("--group", "-g", help="Brand family, for share of voice (default: none)."),
    ] = None,
) -> None:
    """Save a query (or replace the one of that name) and tag the stored mentions it matches."""
    context: Context = ctx.obj
    query = Query(name=name.strip(), expr=expr, kind=kind, group=group)
    if not query.name:
        fail("a query needs a name")
    try:
        compile_matcher([query])
    except QueryError as exc:
        fail(f"query {name!r}: {exc}")
    with context.store() as store:
        store.save_query(query)
        tagged = retag_history(store, query)
    out.print(f"query {escape(name)!r} saved; {tagged:,} stored mentions match it")


@query_app.command("list")
def list_queries(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the saved queries."""
    context: Context = ctx.obj
    with context.store() as store:
        queries = store.list_queries()
    if as_json:
        for q in queries:
            out.print(orjson.dumps({"name": q.name, "expr": q.expr, "kind": str(q.kind),
                                    "group": q.group}).decode(), markup=False)  # fmt: skip
        return
    if not queries:
        out.print("no query yet: add one with `ecoute query add NAME EXPR`", markup=False)
        return
    table = Table("name", "kind", "group", "expression")
    for q in queries:
        table.add_row(escape(q.name), str(q.kind), escape(q.group or ""), escape(q.expr))
    out.print(table)


@query_app.command("remove")
def remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The query's name.")]
) -> None:
    """Remove a query and its tags; the mentions themselves stay."""
    context: Context = ctx.obj
    with context.store() as store:
        if not store.remove_query(name):
            fail(f"no query named {name!r}")
    out.print(f"query {escape(name)!r} removed")
