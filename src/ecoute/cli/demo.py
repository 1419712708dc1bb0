"""`ecoute demo`: build a workspace from the bundled replay and serve it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ecoute.cli._context import Context, err, fail, out
from ecoute.cli.serve import HOST_HELP, run_web
from ecoute.pipeline import Pipeline, stages_for
from ecoute.settings import default_demo_db_path
from ecoute.sources.files import read_file
from ecoute.store.base import UpsertCounts


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard once built.")
    ] = True,
    host: Annotated[str | None, typer.Option(help=HOST_HELP, show_default="127.0.0.1")] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on.", show_default="8000")
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Seed of the replay; the same seed, the same posts.")
    ] = 7,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild even a --db file that is not a demo's.")
    ] = False,
) -> None:
    """Listen to a 30-day replay of realistic posts about fictional brands, then serve it.

    The workspace is rebuilt from scratch each time, by default in
    ~/.local/share/ecoute/demo.duckdb so it never touches your real one.
    The replay's last post is one minute old: the dashboard looks live.
    """
    from ecoute.demo import DEMO_QUERIES, write_jsonl

    context: Context = ctx.obj
    db = context.db or default_demo_db_path()
    if context.db is not None and db.exists() and not force and not _is_demo(db):
        fail(f"{db} exists and was not built by `ecoute demo`; pass --force to rebuild it")
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    settings = context.settings(db=db, host=host, port=port)
    replay = db.with_name(db.stem + "-replay.jsonl")
    replay.parent.mkdir(parents=True, exist_ok=True)  # the store would make it, but later
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    started = time.perf_counter()
    lines = write_jsonl(replay, end=end, seed=seed)
    with context.store(settings) as store:
        for query in DEMO_QUERIES:
            store.save_query(query)
        pipeline = Pipeline(store, stages_for(settings))
        counts = UpsertCounts()
        for page in read_file(replay):
            counts += pipeline.ingest(page)
        out.print(
            f"demo workspace {db}: {lines:,} replayed posts, {counts.added:,} mentions, "
            f"{counts.updated:,} updated, {counts.deleted:,} deleted, {counts.rejected:,} "
            f"rejected, {len(DEMO_QUERIES)} queries, in {time.perf_counter() - started:.1f} s",
            markup=False,
        )
        if serve:
            run_web(store, settings, collect=False)
        else:
            err.print(f"serve it with: ecoute --db {db} serve", markup=False)


def _is_demo(db: Path) -> bool:
    return db.with_name(db.stem + "-replay.jsonl").exists()
