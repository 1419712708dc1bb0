"""`ecoute source ...` and `ecoute listen`: configure collectors and run them."""

from __future__ import annotations

import threading
import time
from typing import Annotated

import orjson
import typer
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from ecoute.cli._context import Context, err, fail, out
from ecoute.model import SourceSpec
from ecoute.pipeline import (
    Collector,
    CollectorGroup,
    ConfigError,
    build_source,
    shown_config,
    source_classes,
    validate_source,
)
from ecoute.sources.base import SourceError, StreamingSource
from ecoute.sources.http import make_client
from ecoute.store.base import Store

source_app = typer.Typer(
    help="Configure the collectors that listen to networks (see docs/sources.md).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(source_app, name="source")
    app.command("listen")(listen)


def _parse_settings(pairs: list[str]) -> dict[str, object]:
    config: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail(f"--set takes KEY=VALUE, not {pair!r}")
        key = key.strip()
        # A key given twice makes a list: --set feed=a --set feed=b
        if key in config:
            held = config[key]
            config[key] = [*held, value] if isinstance(held, list) else [held, value]
        else:
            config[key] = value
    return config


@source_app.command("add")
def add(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="The network: see `ecoute source kinds`.")],
    name: Annotated[str, typer.Argument(help="A unique name for this collector.")],
    settings: Annotated[
        list[str] | None,
        typer.Option("--set", "-s", help="A setting as KEY=VALUE; repeat a key for a list."),
    ] = None,
) -> None:
    """Add (or replace) a collector; its settings are checked before it is saved."""
    spec = SourceSpec(name=name.strip(), kind=kind, config=_parse_settings(settings or []))
    if not spec.name:
        fail("a source needs a name")
    try:
        config = validate_source(spec)
    except ConfigError as exc:
        fail(str(exc))
    # Store what validation made of the settings (types, defaults), secrets included.
    spec.config = orjson.loads(_dump_with_secrets(config))
    context: Context = ctx.obj
    with context.store() as store:
        store.save_source(spec)
    out.print(f"source {escape(spec.name)!r} ({kind}) saved; run `ecoute listen` to start it")


def _dump_with_secrets(config: object) -> bytes:
    from pydantic import SecretStr

    data = config.model_dump(mode="python")  # type: ignore[attr-defined]
    revealed = {
        k: (v.get_secret_value() if isinstance(v, SecretStr) else v) for k, v in data.items()
    }
    return orjson.dumps(revealed, default=str)


@source_app.command("list")
def list_sources(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the collectors with their settings (secrets masked) and cursors."""
    context: Context = ctx.obj
    with context.store() as store:
        specs = store.list_sources()
        cursors = {s.name: store.load_cursor(s.name) for s in specs}
    classes = source_classes()
    rows = [
        {"name": s.name, "kind": s.kind, "enabled": s.enabled,
         "config": shown_config(s, classes), "cursor": cursors[s.name]}
        for s in specs
    ]  # fmt: skip
    if as_json:
        for row in rows:
            out.print(orjson.dumps(row).decode(), markup=False)
        return
    if not rows:
        out.print("no source yet: add one with `ecoute source add KIND NAME --set KEY=VALUE`")
        return
    table = Table("name", "kind", "settings", "cursor")
    for r in rows:
        table.add_row(
            escape(r["name"]),
            r["kind"],
            escape(orjson.dumps(r["config"]).decode()),
            escape(str(r["cursor"])[:60]),
        )
    out.print(table)


@source_app.command("remove")
def remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The collector.")]) -> None:
    """Remove a collector and its cursor; what it heard stays in the workspace."""
    context: Context = ctx.obj
    with context.store() as store:
        if not store.remove_source(name):
            fail(f"no source named {name!r}")
    out.print(f"source {escape(name)!r} removed")


@source_app.command("kinds")
def kinds() -> None:
    """List the networks a collector can listen to, with their settings."""
    for kind, cls in sorted(source_classes().items()):
        fields = ", ".join(
            f"{n}{'' if f.is_required() else '?'}" for n, f in cls.Config.model_fields.items()
        )
        doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        out.print(f"[bold]{kind}[/]: {escape(doc)}\n    settings: {escape(fields)}")


@source_app.command("test")
def test(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The collector to try.")],
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a first page.")] = 30.0,
) -> None:
    """Fetch one page from a collector and show what it heard; nothing is stored."""
    context: Context = ctx.obj
    settings = context.settings()
    with context.store(settings) as store:
        spec = _find(store, name)
        cursor = store.load_cursor(name)
    with make_client(allow_private=settings.allow_private_urls) as http:
        try:
            source = build_source(spec, http)
            page = _first_page(source, cursor, timeout)
        except (ConfigError, SourceError) as exc:
            fail(f"source {name!r}: {exc}")
    out.print(
        f"source {escape(name)!r}: {len(page.mentions)} mentions, "
        f"{len(page.rejected)} refused; cursor {escape(str(page.cursor)[:80])}"
    )
    for m in page.mentions[:5]:
        out.print(f"  {m.created_at:%Y-%m-%d %H:%M} @{escape(m.author.handle)}: "
                  f"{escape(m.text[:100])}", markup=True)  # fmt: skip
    for r in page.rejected[:5]:
        err.print(f"  refused {escape(r.where)}: {escape(r.reason)}")


def _first_page(source: object, cursor: object, timeout: float):
    if isinstance(source, StreamingSource):
        timer = threading.Timer(timeout, source.stop)
        timer.start()
        try:
            for page in source.stream(cursor):
                source.stop()
                return page
        finally:
            timer.cancel()
        raise SourceError(f"no event within {timeout:.0f} s")
    return source.fetch(cursor)  # type: ignore[attr-defined]


def _find(store: Store, name: str) -> SourceSpec:
    for spec in store.list_sources():
        if spec.name == name:
            return spec
    fail(f"no source named {name!r}; see `ecoute source list`")


def listen(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None, typer.Argument(help="Collectors to run (default: every enabled one).")
    ] = None,
    duration: Annotated[
        float | None, typer.Option(help="Stop after this many seconds (default: until Ctrl-C).")
    ] = None,
) -> None:
    """Run the collectors in the foreground with live counters, until Ctrl-C.

    Each page is stored with its cursor in one transaction: stopping or killing
    this command at any moment and starting it again loses nothing and stores
    nothing twice.
    """
    context: Context = ctx.obj
    settings = context.settings()
    with context.store(settings) as store:
        try:
            group = CollectorGroup.start(store, settings, names)
        except ConfigError as exc:
            fail(str(exc))
        running = group.running
        if not running:
            fail("no source to listen to: add one with `ecoute source add`")
        started = time.monotonic()
        try:
            with Live(_table(running), console=err, refresh_per_second=2,
                      transient=not err.is_terminal) as live:  # fmt: skip
                while duration is None or time.monotonic() - started < duration:
                    time.sleep(0.5)
                    live.update(_table(running))
                    if all(not t.is_alive() for _, t in running):
                        break
        except KeyboardInterrupt:
            pass
        finally:
            group.stop()
        for collector, _ in running:
            c = collector.state.counts
            out.print(f"{escape(collector.spec.name)}: {c.added:,} added, {c.updated:,} updated, "
                      f"{c.deleted:,} deleted, {c.rejected:,} refused, "
                      f"{collector.state.errors} errors")  # fmt: skip


def _table(running: list[tuple[Collector, threading.Thread]]) -> Table:
    table = Table("source", "kind", "status", "pages", "added", "updated", "deleted", "errors")
    for collector, _ in running:
        s = collector.state
        table.add_row(escape(s.name), s.kind, escape(s.status), f"{s.pages:,}",
                      f"{s.counts.added:,}", f"{s.counts.updated:,}", f"{s.counts.deleted:,}",
                      str(s.errors))  # fmt: skip
    return table
