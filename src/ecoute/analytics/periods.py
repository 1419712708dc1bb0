"""The headline figures of a period, each beside the same figure for the period before.

"Previous period" is the span of equal length that ends where the chosen one
starts: the last 7 days against the 7 days before them. A period open at either
end (all time) has no previous one, and its changes are None rather than 0.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

from ecoute.analytics.measures import totals
from ecoute.model import utc
from ecoute.store.base import Filter, Store

FIGURES: tuple[str, ...] = ("mentions", "reach", "engagement", "net_sentiment")


@dataclass(frozen=True, slots=True)
class Figure:
    """One headline figure now and before; `change` is relative (0.25 = +25 %)."""

    name: str
    value: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        """Relative change from the previous period; None when it cannot be said."""
        if self.value is None or self.previous is None or self.previous == 0:
            return None
        return (self.value - self.previous) / abs(self.previous)

    @property
    def difference(self) -> float | None:
        """Absolute change, used for scores where a ratio means little (net sentiment)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True, slots=True)
class Headline:
    """The figures of a period, its sentiment counts, and the bounds compared."""

    figures: dict[str, Figure]
    sentiment: dict[str, int]
    previous_since: datetime | None
    previous_until: datetime | None


def net_sentiment(positive: int, negative: int) -> float | None:
    """(positive - negative) / (positive + negative) x 100, from -100 to +100; None if neither.

    Neutral and unanalysed mentions are left out, so a flood of neutral news
    does not dilute a crisis, the way the commercial tools define it.
    """
    judged = positive + negative
    if not judged:
        return None
    return round((positive - negative) / judged * 100, 1)


def previous_filter(where: Filter) -> Filter | None:
    """The same filter over the period of equal length just before; None if open-ended."""
    if where.since is None or where.until is None:
        return None
    since, until = utc(where.since), utc(where.until)
    try:
        start = since - (until - since)
    except OverflowError:
        start = datetime.min.replace(tzinfo=UTC)  # a period of centuries: the calendar's start
    return dataclasses.replace(where, since=start, until=since)


def headline(store: Store, where: Filter) -> Headline:
    """Measure `where` and the period before it."""
    now = totals(store, where)
    before_where = previous_filter(where)
    before = totals(store, before_where) if before_where else None
    figures: dict[str, Figure] = {}
    for name in ("mentions", "reach", "engagement"):
        figures[name] = Figure(name, now[name], before[name] if before else None)
    figures["net_sentiment"] = Figure(
        "net_sentiment",
        net_sentiment(now["positive"], now["negative"]),
        net_sentiment(before["positive"], before["negative"]) if before else None,
    )
    return Headline(
        figures=figures,
        sentiment={s: now[s] for s in ("negative", "neutral", "positive")},
        previous_since=before_where.since if before_where else None,
        previous_until=before_where.until if before_where else None,
    )
