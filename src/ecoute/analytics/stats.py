"""Workspace totals: how many mentions, by platform, language, sentiment, query and day.

One function feeds both ``ecoute stats --json`` and the API's ``/api/stats``, so
the two always agree. Keys are strings (JSON object keys); a mention whose
language or sentiment is not known yet is counted under ``"unknown"``.
"""

from __future__ import annotations

from typing import Any

from ecoute.model import Sentiment
from ecoute.store.base import Aggregate, Filter, Store

UNKNOWN = "unknown"
SENTIMENTS: tuple[str, ...] = tuple(str(s) for s in Sentiment)


def workspace_stats(store: Store, where: Filter | None = None) -> dict[str, Any]:
    """Count the visible mentions matching `where`: the total and its breakdowns.

    Returns ``{"mentions": int, "by_platform": {...}, "by_lang": {...},
    "by_sentiment": {...}, "by_query": {...}, "by_day": {...}}``. Breakdowns are
    ordered largest first, except ``by_sentiment`` (negative, neutral, positive,
    then unknown if any) and ``by_day`` (oldest first, ``YYYY-MM-DD`` in UTC,
    days without mentions left out). ``by_query`` lists every saved query, even
    those that matched nothing; a mention that matches two queries counts in
    both, so its values may add up to more than ``mentions``.
    """
    where = where or Filter()
    days = store.aggregate(Aggregate(by=("day",), where=where)).rows
    return {
        "mentions": count_mentions(store, where),
        "by_platform": _largest_first(store, "platform", where),
        "by_lang": _largest_first(store, "lang", where),
        "by_sentiment": _by_sentiment(store, where),
        "by_query": _by_query(store, where),
        "by_day": {day.date().isoformat(): n for day, n in sorted(days)},
    }


def count_mentions(store: Store, where: Filter | None = None) -> int:
    """Count the visible mentions matching `where`."""
    rows = store.aggregate(Aggregate(by=(), where=where or Filter())).rows
    return int(rows[0][0]) if rows else 0


def negative_share(by_sentiment: dict[str, int]) -> float | None:
    """Share of negative mentions among those with a sentiment, or None if there are none.

    Mentions not analysed yet are left out: counting them as "not negative" would
    make a backlog of unenriched posts look like good news.
    """
    judged = sum(by_sentiment.get(s, 0) for s in SENTIMENTS)
    if not judged:
        return None
    return by_sentiment.get(str(Sentiment.NEGATIVE), 0) / judged


def _largest_first(store: Store, dimension: str, where: Filter) -> dict[str, int]:
    rows = store.aggregate(Aggregate(by=(dimension,), where=where)).rows
    counts: dict[str, int] = {}
    for key, n in rows:
        name = UNKNOWN if key is None else str(key)
        counts[name] = counts.get(name, 0) + int(n)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _by_sentiment(store: Store, where: Filter) -> dict[str, int]:
    found = _largest_first(store, "sentiment", where)
    counts = {s: found.pop(s, 0) for s in SENTIMENTS}
    # Anything left is either not analysed yet or a label a newer stage introduced.
    counts.update(found)
    return counts


def _by_query(store: Store, where: Filter) -> dict[str, int]:
    counts = dict.fromkeys((q.name for q in store.list_queries()), 0)
    counts.update(_largest_first(store, "query", where))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
