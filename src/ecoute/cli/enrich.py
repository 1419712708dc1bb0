"""`ecoute enrich`: understand stored mentions again when a stage is new or improved."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from ecoute.cli._context import Context, err, fail, out
from ecoute.pipeline import enrich_history, stages_for

_PERIOD = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def register(app: typer.Typer) -> None:
    app.command("enrich")(enrich)


def parse_since(value: str, *, now: datetime | None = None) -> datetime:
    """Read "30d", "12h", "2w", "90m" or an ISO 8601 date as the start of a period (UTC)."""
    value = value.strip()
    match = _PERIOD.match(value.lower())
    if match:
        amount, unit = int(match.group(1)), _UNITS[match.group(2)]
        return (now or datetime.now(UTC)) - timedelta(**{unit: amount})
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is neither a period such as 30d, 12h, 2w nor a date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def enrich(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(help="Only mentions posted since: a period (30d, 12h, 2w) or a date."),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Enrich every mention again, even up-to-date ones.")
    ] = False,
    fast: Annotated[
        bool,
        typer.Option(
            "--fast",
            help="Label sentiment with the fast tier (thousands of posts/s) to clear a large "
            "backlog now; a later run without --fast relabels with the accurate tier.",
        ),
    ] = False,
) -> None:
    """Enrich the stored mentions that the current stages have not seen.

    A mention is enriched again when one of its results is missing (imported
    with --no-enrich) or was computed by another version of its stage, and is
    re-tagged with the standing queries. Run it after an upgrade, or after a
    bulk import with --no-enrich.
    """
    context: Context = ctx.obj
    settings = context.settings()
    try:
        start = parse_since(since) if since else None
    except ValueError as exc:
        fail(str(exc))
    if fast:
        sentiment = {**settings.stages.get("sentiment", {}), "tier": "fast"}
        settings = settings.model_copy(
            update={"stages": {**settings.stages, "sentiment": sentiment}}
        )
    stages = stages_for(settings)
    started = time.perf_counter()
    with context.store(settings) as store:
        done = enrich_history(
            store,
            stages,
            since=start,
            everything=everything,
            progress=lambda n: err.print(f"\r{n:,} enriched", end="") if err.is_terminal else None,
        )
    if err.is_terminal and done:
        err.print()
    seconds = time.perf_counter() - started
    rate = f" ({done / seconds:,.0f}/s)" if done and seconds > 0 else ""
    versions = ", ".join(f"{s.name} {s.version}" for s in stages)
    out.print(f"{done:,} mentions enriched in {seconds:.1f} s{rate} by {versions}", markup=False)
