"""What is talked about: top keywords, hashtags, and terms emerging against the period before.

Terms are the keywords the enrichment extracted (folded words, ``#hashtags``
kept with their sign). A term emerges when it is said clearly more than in the
previous period of equal length, or for the first time, and often enough to matter.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecoute.analytics.measures import Measure, measure
from ecoute.analytics.periods import previous_filter
from ecoute.store.base import Filter, Store

MIN_EMERGING = 5  # mentions in the period before a term may be called emerging
MIN_GROWTH = 2.0  # at least twice the (smoothed) count of the period before


@dataclass(frozen=True, slots=True)
class Term:
    """A keyword or hashtag, how often it was said, and how its tone leans."""

    term: str
    mentions: int
    negative: int
    positive: int
    previous: int | None = None  # mentions in the period before, when compared

    @property
    def growth(self) -> float | None:
        """Smoothed ratio to the period before (+1 each side, so new terms stay finite)."""
        if self.previous is None:
            return None
        return (self.mentions + 1) / (self.previous + 1)


@dataclass(frozen=True, slots=True)
class Topics:
    words: list[Term]
    hashtags: list[Term]
    emerging: list[Term] | None  # None: the period is open-ended, nothing to compare with


def topics(store: Store, where: Filter, *, limit: int = 20) -> Topics:
    """Top words, top hashtags and emerging terms over the filter's period."""
    now = _terms(store, where)
    words = [t for t in now if not t.term.startswith("#")][:limit]
    hashtags = [t for t in now if t.term.startswith("#")][:limit]
    before_where = previous_filter(where)
    emerging = None
    if before_where is not None:
        before = {t.term: t.mentions for t in _terms(store, before_where)}
        compared = [
            Term(t.term, t.mentions, t.negative, t.positive, previous=before.get(t.term, 0))
            for t in now
            if t.mentions >= MIN_EMERGING
        ]
        emerging = sorted(
            (t for t in compared if (t.growth or 0) >= MIN_GROWTH),
            key=lambda t: (-(t.growth or 0), -t.mentions, t.term),
        )[:limit]
    return Topics(words=words, hashtags=hashtags, emerging=emerging)


def _terms(store: Store, where: Filter) -> list[Term]:
    rows = measure(store, Measure(by=("keyword",), where=where)).as_dicts()
    return [
        Term(str(r["keyword"]), int(r["mentions"]), int(r["negative"]), int(r["positive"]))
        for r in rows
        if r["keyword"]
    ]
