"""Measures per group: mentions, estimated reach, engagement and sentiment, in one read.

Every chart and ranking of the dashboard is a `Measure`: group the visible
mentions matching a filter by some dimensions, sum what they weigh, keep the
largest groups. Definitions (docs/web.md repeats them for users):

* **mentions**: visible mentions; with ``by=("query",)`` a mention counts once per
  query it matched, with ``by=("keyword",)`` once per keyword it carries.
* **reach**: estimated people reached, the sum over mentions of the enrichment's
  ``reach`` or, until an influence stage sets it, the author's followers when the
  post was heard (0 when neither is known): an upper bound, as in every tool.
* **engagement**: likes + reposts + replies (views are not engagement).
* **negative / neutral / positive**: mentions with that sentiment.

A store that answers `Measure` itself (method ``measure``, as the DuckDB store
does from its rollups) is used as is; any other store by `scan`, a plain Python
pass that also defines the semantics the store's SQL must match.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, runtime_checkable

from ecoute.model import Mention, Sentiment, utc
from ecoute.store.base import (
    AUTHOR_COLUMNS,
    MEASURE_DIMENSIONS,
    MEASURES,
    Filter,
    Measure,
    Order,
    Store,
    Table,
)

__all__ = [
    "AUTHOR_COLUMNS",
    "MEASURES",
    "MEASURE_DIMENSIONS",
    "Measurable",
    "Measure",
    "Order",
    "measure",
    "measure_mentions",
    "scan",
    "totals",
]

SCAN_LIMIT = 1_000_000  # a store without `measure` is read whole; past this it must implement it


@runtime_checkable
class Measurable(Protocol):
    """A store that computes a Measure itself (the fast path asked of every store)."""

    def measure(self, spec: Measure) -> Table: ...


def measure(store: Store, spec: Measure) -> Table:
    """Compute `spec` over `store` with the fastest implementation available."""
    spec.check()
    if isinstance(store, Measurable):
        return store.measure(spec)
    return scan(store, spec)


def totals(store: Store, where: Filter) -> dict[str, int]:
    """The measures of every mention matching `where`, as one dict."""
    rows = measure(store, Measure(where=where)).rows
    values = rows[0] if rows else (0,) * len(MEASURES)
    return {name: int(value or 0) for name, value in zip(MEASURES, values, strict=True)}


def scan(store: Store, spec: Measure) -> Table:
    """Compute `spec` by reading the matching mentions: slow, obviously right."""
    found = store.search(spec.where, limit=SCAN_LIMIT)
    table = measure_mentions(found, spec)
    if "author" not in spec.by or not table.rows:
        return table
    at = spec.by.index("author")
    profiles = store.author_profiles([str(r[at]) for r in table.rows])
    width = len(spec.by) + len(MEASURES)
    rows = [(*r[:width], *profiles.get(str(r[at]), (None, None))) for r in table.rows]
    return Table(columns=table.columns, rows=rows)


def measure_mentions(mentions: Iterable[Mention], spec: Measure) -> Table:
    """Compute `spec` over mentions already in memory (`spec.where` is not applied).

    Grouped by author, the name and followers are those of the newest of the
    mentions given (no profile is at hand here); `scan` replaces them by the profile.
    """
    groups: dict[tuple[object, ...], list[int]] = {}
    authors: dict[tuple[object, ...], tuple[datetime, str | None, int | None]] = {}
    for m in mentions:
        reach = m.reach if m.reach is not None else (m.author.followers or 0)
        engagement = (m.likes or 0) + (m.reposts or 0) + (m.replies or 0)
        sentiment = (
            m.sentiment == Sentiment.NEGATIVE,
            m.sentiment == Sentiment.NEUTRAL,
            m.sentiment == Sentiment.POSITIVE,
        )
        for key in _keys(m, spec.by):
            sums = groups.setdefault(key, [0] * len(MEASURES))
            sums[0] += 1
            sums[1] += reach
            sums[2] += engagement
            for i, hit in enumerate(sentiment):
                sums[3 + i] += hit
            if "author" in spec.by:
                authors[key] = _newest_name(authors.get(key), m)
    order = MEASURES.index(spec.order)
    keys = sorted(groups, key=lambda k: (-groups[k][order], *(_sortable(v) for v in k)))
    if spec.limit is not None:
        keys = keys[: spec.limit]
    rows: list[tuple[object, ...]] = []
    for key in keys:
        row: tuple[object, ...] = (*key, *groups[key])
        if "author" in spec.by:
            row = (*row, authors[key][1], authors[key][2])
        rows.append(row)
    return Table(columns=spec.columns(), rows=rows)


def _newest_name(
    seen: tuple[datetime, str | None, int | None] | None, m: Mention
) -> tuple[datetime, str | None, int | None]:
    """(newest post's time, its author name, most followers) after seeing `m`."""
    at = utc(m.created_at)
    followers = m.author.followers
    if seen is None:
        return (at, m.author.name, followers)
    most = max((f for f in (seen[2], followers) if f is not None), default=None)
    if at >= seen[0]:
        return (at, m.author.name, most)
    return (seen[0], seen[1], most)


def _keys(m: Mention, by: tuple[str, ...]) -> list[tuple[object, ...]]:
    """The groups one mention counts in: several when grouped by query or keyword."""
    keys: list[tuple[object, ...]] = [()]
    for dimension in by:
        values = _values(m, dimension)
        keys = [(*key, value) for key in keys for value in values]
    return keys


def _values(m: Mention, dimension: str) -> list[object]:
    created = utc(m.created_at).replace(tzinfo=None)
    if dimension == "query":
        return list(dict.fromkeys(m.queries))
    if dimension == "keyword":
        return list(dict.fromkeys(m.keywords))
    if dimension == "day":
        return [created.replace(hour=0, minute=0, second=0, microsecond=0)]
    if dimension == "hour":
        return [created.replace(minute=0, second=0, microsecond=0)]
    if dimension == "author":
        return [f"{m.platform}:{m.author.handle}"]
    if dimension == "sentiment":
        return [None if m.sentiment is None else str(m.sentiment)]
    return [getattr(m, dimension)]


def _sortable(value: object) -> tuple[bool, str]:
    # Groups tie on their measure more often than not; a total order keeps pages stable.
    return (value is None, "" if value is None else str(value))
