"""`ecoute query ...`: the standing queries every mention is matched against."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from ecoute.cli._context import Context, err, fail, out
from ecoute.enrich.base import enrich
from ecoute.model import Author, Mention, Query, QueryKind, now
from ecoute.pipeline import default_stages, retag_history
from ecoute.query.history import preview
from ecoute.query.matcher import QueryError, compile_matcher
from ecoute.sources.files import read_file

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
    _compile(query)
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


def _compile(query: Query):
    try:
        return compile_matcher([query])
    except QueryError as exc:
        pointer = exc.pointer() if hasattr(exc, "pointer") else ""
        fail(f"query {query.name!r}: {exc}" + (f"\n{pointer}" if pointer else ""))


_NEEDS_ENRICHMENT = ("lang:", "sentiment:")


@query_app.command("match")
def match(
    expr: Annotated[
        str, typer.Argument(help="The query to try, e.g. '\"service client\" NEAR/3 nul'.")
    ],
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Posts to read: one text per line, or our JSONL. Default: standard input.",
            exists=True,
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the posts of FILE (or stdin) that EXPR matches, to tune a query before saving it.

    Plain text is read one post per line and matching lines are printed as they
    are; our JSONL format (docs/import-format.md) is read as posts, so field
    filters such as platform: or followers: apply, and matching lines are printed.
    """
    matcher = _compile(Query(name="cli", expr=expr))
    stages = default_stages() if any(f in expr.lower() for f in _NEEDS_ENRICHMENT) else []
    found = 0
    for mentions, lines in _posts(file):
        enrich(mentions, stages)
        for mention, line in zip(mentions, lines, strict=True):
            if matcher.matches(mention):
                found += 1
                out.print(line, markup=False, highlight=False)
    err.print(f"{found:,} matching", markup=False)


def _posts(file: Path | None, chunk: int = 5000):
    """Yield (mentions, printable lines) from text lines or our JSONL, in chunks."""
    if file is not None and _is_jsonl(file):
        for page in read_file(file, "jsonl", chunk_lines=chunk):
            yield page.mentions, [bytes(m.raw).decode("utf-8", "replace") for m in page.mentions]
        return
    stream = open(file, encoding="utf-8", errors="replace") if file else sys.stdin  # noqa: SIM115
    moment = now()
    try:
        mentions: list[Mention] = []
        lines: list[str] = []
        for number, line in enumerate(stream, 1):
            text = line.rstrip("\r\n")
            mentions.append(
                Mention(platform="text", native_id=str(number), text=text, created_at=moment,
                        collected_at=moment, author=Author(platform="text", handle=""))
            )  # fmt: skip
            lines.append(text)
            if len(mentions) >= chunk:
                yield mentions, lines
                mentions, lines = [], []
        yield mentions, lines
    finally:
        if file:
            stream.close()


def _is_jsonl(file: Path) -> bool:
    with file.open("rb") as fh:
        first = fh.readline(1 << 20).lstrip(b"\xef\xbb\xbf").strip()
    return first.startswith(b"{") and b'"platform"' in first


@query_app.command("test")
def test(
    ctx: typer.Context,
    expr: Annotated[str, typer.Argument(help="The query to try on stored mentions.")],
    since: Annotated[str, typer.Option(help="Period to look at: 30d, 12h, 2w, or a date.")] = "30d",
    samples: Annotated[int, typer.Option(min=0, max=100, help="Newest matches to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Show how many stored mentions EXPR would match over a period, with samples, before saving."""
    from ecoute.cli.enrich import parse_since

    query = Query(name="test", expr=expr)
    _compile(query)
    try:
        start = parse_since(since)
    except ValueError as exc:
        fail(str(exc))
    context: Context = ctx.obj
    with context.store() as store:
        result = preview(store.iter_mentions(since=start), query, since=start, samples=samples)
    if as_json:
        data = {
            "scanned": result.scanned,
            "matched": result.matched,
            "samples": [
                {"platform": m.platform, "id": m.native_id, "author": m.author.handle,
                 "created_at": m.created_at.isoformat(), "text": m.text}
                for m in result.samples
            ],
        }  # fmt: skip
        out.print(orjson.dumps(data).decode(), markup=False)
        return
    share = f" ({result.matched / result.scanned:.1%})" if result.scanned else ""
    out.print(f"{result.matched:,} of {result.scanned:,} mentions since {start:%Y-%m-%d %H:%M} "
              f"UTC match{share}", markup=False)  # fmt: skip
    for m in result.samples:
        out.print(f"  {m.created_at:%Y-%m-%d %H:%M} {escape(m.platform)} "
                  f"@{escape(m.author.handle)}: {escape(m.text[:120])}")  # fmt: skip
