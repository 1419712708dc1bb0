"""The `ecoute` command: one Typer app, one module per command group."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Annotated

import typer

from ecoute.cli import (
    alerts,
    demo,
    enrich,
    imports,
    plugins,
    queries,
    serve,
    sources,
    stats,
    understand,
)
from ecoute.cli._context import Context

app = typer.Typer(
    name="ecoute",
    help=(
        "Écoute listens to what people say about a brand on social networks, measures it "
        "and helps answer them. Every command works on one workspace: a DuckDB file "
        "chosen with --db or ECOUTE_DB (default: ~/.local/share/ecoute/ecoute.duckdb)."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _main(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="ECOUTE_DB",
            help="The workspace file (DuckDB); created if missing.",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="Log more (-v info, -vv debug).")
    ] = 0,
) -> None:
    _arrow_memory_pool()
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = Context(db=db)


def _arrow_memory_pool() -> None:
    """Let Arrow allocate through jemalloc, which gives freed memory back to the system.

    Its default, mimalloc, kept about 100 MB more resident while a million posts
    were read in Arrow tables of 80 MB each (BENCHMARKS.md).
    """
    import pyarrow as pa

    with contextlib.suppress(NotImplementedError):  # a pyarrow built without jemalloc
        pa.set_memory_pool(pa.jemalloc_memory_pool())


imports.register(app)
enrich.register(app)
understand.register(app)
queries.register(app)
stats.register(app)
demo.register(app)
serve.register(app)
sources.register(app)
plugins.register(app)
alerts.register(app)


def main() -> None:
    """Run the `ecoute` command."""
    app()
