"""`ecoute import`: bring files of posts into the workspace."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from ecoute.cli._context import Context, err, fail, out
from ecoute.pipeline import Pipeline, default_stages
from ecoute.sources.files import FORMATS, FileFormatError, read_file
from ecoute.store.base import UpsertCounts


def register(app: typer.Typer) -> None:
    app.command("import")(import_files)


def import_files(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Files to import: JSONL (.jsonl, .ndjson) or CSV (.csv, .tsv), gzipped or not.",
            exists=True,
            dir_okay=False,
            readable=True,
            show_default=False,
        ),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help=f"Force the format ({' or '.join(FORMATS)}) instead of the name."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON summary per file instead of text.")
    ] = False,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")
    ] = True,
) -> None:
    """Import posts from files, once each: re-importing a file changes nothing.

    Each post is identified by (platform, id). A newer version of a stored post
    updates it, a line with "deleted": true hides it, and a bad line is reported
    on stderr as FILE:LINE: reason and skipped, never stopping the good ones.
    The formats are described in docs/import-format.md.
    """
    context: Context = ctx.obj
    settings = context.settings()
    if fmt is not None and fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose among {', '.join(FORMATS)}")
    total = UpsertCounts()
    failed = False
    with context.store(settings) as store:
        pipeline = Pipeline(store, default_stages())
        for path in files:
            started = time.perf_counter()
            try:
                counts = _import_one(pipeline, path, fmt, settings.batch_size, progress)
            except (FileFormatError, OSError) as exc:
                err.print(f"{escape(str(path))}: [red]cannot import:[/] {escape(str(exc))}")
                failed = True
                continue
            seconds = time.perf_counter() - started
            total += counts
            if as_json:
                out.print_json(
                    orjson.dumps(
                        {"file": str(path), **counts.as_dict(), "seconds": seconds}
                    ).decode()
                )
            else:
                out.print(f"{escape(str(path))}: {_summary(counts)} in {seconds:.1f} s")
    if len(files) > 1 and not as_json:
        out.print(f"total: {_summary(total)}")
    if failed:
        raise typer.Exit(1)


def _import_one(
    pipeline: Pipeline, path: Path, fmt: str | None, batch_size: int, show: bool
) -> UpsertCounts:
    counts = UpsertCounts()
    size = path.stat().st_size
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not show or not err.is_terminal,
    )
    with bar:
        task = bar.add_task(path.name, total=size)
        for page in read_file(path, fmt, chunk_lines=batch_size):
            for rejected in page.rejected:
                line = rejected.where.removeprefix("line ")
                err.print(f"{escape(str(path))}:{line}: {escape(rejected.reason)}")
            counts += pipeline.ingest(page)
            if isinstance(page.cursor, int) and page.cursor:
                bar.update(task, completed=min(page.cursor, size))
    return counts


def _summary(c: UpsertCounts) -> str:
    return (
        f"{c.added:,} added, {c.updated:,} updated, {c.unchanged:,} unchanged, "
        f"{c.deleted:,} deleted, {c.rejected:,} rejected"
    )
