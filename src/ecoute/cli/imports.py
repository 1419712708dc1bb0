"""`ecoute import`: bring files of posts into the workspace."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from ecoute.cli._context import Context, bulk_load, err, fail, out
from ecoute.hookspecs import close_hooks, plugin_manager
from ecoute.pipeline import Pipeline, stages_for
from ecoute.sources.base import Page
from ecoute.sources.files import FORMATS, FileFormatError, read_file
from ecoute.sources.payloads import PAYLOAD_KINDS, is_own_format, read_payload
from ecoute.store.base import UpsertCounts


def register(app: typer.Typer) -> None:
    app.command("import")(import_files)


def import_files(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Files to import: our JSONL/CSV or a network's recorded payload, gzipped or not.",
            exists=True,
            dir_okay=False,
            readable=True,
            show_default=False,
        ),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=f"Read as our own format ({' or '.join(FORMATS)}) whatever the file's name.",
        ),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            "-p",
            help="Read as this network's recorded API payload instead of detecting it: "
            + ", ".join(k for k in PAYLOAD_KINDS if k != "ecoute")
            + ".",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON summary per file instead of text.")
    ] = False,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")
    ] = True,
    enrich: Annotated[
        bool,
        typer.Option(
            "--enrich/--no-enrich",
            help="Understand posts as they are stored (default), or store them as heard "
            "for a fast bulk load and run `ecoute enrich` afterwards.",
        ),
    ] = True,
) -> None:
    """Import posts from files, once each: re-importing a file changes nothing.

    A file is either in our own format (JSONL or CSV, docs/import-format.md) or a
    recorded API payload of a network (a Mastodon statuses array, Jetstream JSON
    lines, a Reddit listing, an RSS/Atom feed, an X archive...; docs/sources.md),
    told apart by its content. Each post is identified by (platform, id): a newer
    version updates it, a deletion hides it, and a bad record is reported on
    stderr as FILE:LINE: reason and skipped, never stopping the good ones.
    The author rankings are brought up to date once, after the last file.
    """
    context: Context = ctx.obj
    settings = context.settings()
    if fmt is not None and fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose among {', '.join(FORMATS)}")
    if platform is not None and platform not in PAYLOAD_KINDS:
        fail(f"unknown platform {platform!r}; choose among {', '.join(PAYLOAD_KINDS)}")
    total = UpsertCounts()
    failed = False
    with context.store(settings) as store:
        stages = stages_for(settings) if enrich else []
        hooks = plugin_manager(settings)
        pipeline = Pipeline(store, stages, hooks=hooks)
        try:
            with bulk_load(store):
                for path in files:
                    started = time.perf_counter()
                    try:
                        batch = settings.batch_size if enrich else store.bulk_rows
                        pages = _pages(path, fmt, platform, batch, bulk=not enrich)
                        counts = _import_one(pipeline, path, pages, progress, enrich)
                    except (FileFormatError, OSError) as exc:
                        err.print(f"{escape(str(path))}: [red]cannot import:[/] {escape(str(exc))}")
                        failed = True
                        continue
                    seconds = time.perf_counter() - started
                    total += counts
                    if as_json:
                        summary = {"file": str(path), **counts.as_dict(), "seconds": seconds}
                        out.print(orjson.dumps(summary).decode(), markup=False)
                    else:
                        out.print(f"{escape(str(path))}: {_summary(counts)} in {seconds:.1f} s")
                merging = time.perf_counter()
            merged = time.perf_counter() - merging
            if merged >= 1 and not as_json:
                err.print(f"author rankings brought up to date in {merged:.1f} s")
        finally:
            close_hooks(hooks)  # alert deliveries already queued are handed over or kept
    if len(files) > 1 and not as_json:
        out.print(f"total: {_summary(total)}")
    if not enrich and total.added + total.updated:
        err.print("run `ecoute enrich` to understand the posts stored without enrichment")
    if failed:
        raise typer.Exit(1)


def _pages(
    path: Path, fmt: str | None, platform: str | None, batch_size: int, *, bulk: bool
) -> Iterator[Page]:
    if fmt is not None or (platform in (None, "ecoute") and is_own_format(path)):
        # Posts stored as heard travel as Arrow tables, not one object each.
        return read_file(path, fmt, chunk_lines=batch_size, bulk=bulk)
    return read_payload(path, platform)


def _import_one(
    pipeline: Pipeline, path: Path, pages: Iterator[Page], show: bool, enrich: bool
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
        for page in pages:
            for rejected in page.rejected:
                line = rejected.where.removeprefix("line ")
                err.print(f"{escape(str(path))}:{line}: {escape(rejected.reason)}")
            counts += pipeline.ingest(page, enriched=enrich)
            if isinstance(page.cursor, int) and page.cursor:
                bar.update(task, completed=min(page.cursor, size))
            del page  # not held while the next page is read: a bulk page is ~80 MB
    return counts


def _summary(c: UpsertCounts) -> str:
    return (
        f"{c.added:,} added, {c.updated:,} updated, {c.unchanged:,} unchanged, "
        f"{c.deleted:,} deleted, {c.rejected:,} rejected"
    )
