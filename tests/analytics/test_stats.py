"""Workspace totals shared by `ecoute stats --json` and /api/stats."""

from __future__ import annotations

from datetime import UTC, datetime

from ecoute.analytics.stats import count_mentions, negative_share, workspace_stats
from ecoute.model import DeletedBy, Mention, Query, QueryKind, Sentiment
from ecoute.store.base import Filter
from ecoute.store.duckdb import DuckDBStore
from tests import factories


def mention(native_id: str, day: int, **fields: object) -> Mention:
    created = datetime(2024, 3, day, 12, tzinfo=UTC)
    return factories.mention(native_id, created_at=created, collected_at=created, **fields)


def test_an_empty_workspace_has_zero_everywhere(store: DuckDBStore) -> None:
    assert workspace_stats(store) == {
        "mentions": 0,
        "by_platform": {},
        "by_lang": {},
        "by_sentiment": {"negative": 0, "neutral": 0, "positive": 0},
        "by_query": {},
        "by_day": {},
    }


def test_breakdowns_are_ordered_for_reading(store: DuckDBStore) -> None:
    store.save_query(Query(name="acme", expr="acme"))
    store.save_query(Query(name="zeta", expr="zeta", kind=QueryKind.COMPETITOR))
    store.save_query(Query(name="quiet", expr="nothing matches"))
    store.upsert(
        [
            mention("1", 3, lang="fr", sentiment=Sentiment.POSITIVE, queries=["zeta"]),
            mention("2", 1, lang="en", sentiment=Sentiment.NEGATIVE, queries=["acme", "zeta"]),
            mention("3", 1, platform="reddit", lang="en", queries=["acme"]),
            mention("4", 2, platform="reddit", lang=None, queries=["acme"]),
        ]
    )

    stats = workspace_stats(store)

    assert stats["mentions"] == 4
    assert list(stats["by_platform"].items()) == [("mastodon", 2), ("reddit", 2)]
    assert list(stats["by_lang"].items()) == [("en", 2), ("fr", 1), ("unknown", 1)]
    assert list(stats["by_sentiment"].items()) == [
        ("negative", 1),
        ("neutral", 0),
        ("positive", 1),
        ("unknown", 2),
    ]
    # One mention matched two queries: it counts in both.
    assert list(stats["by_query"].items()) == [("acme", 3), ("zeta", 2), ("quiet", 0)]
    assert list(stats["by_day"].items()) == [
        ("2024-03-01", 2),
        ("2024-03-02", 1),
        ("2024-03-03", 1),
    ]


def test_filters_and_deletions_narrow_the_counts(store: DuckDBStore) -> None:
    store.upsert([mention(str(i), 1 + i % 3, lang="fr" if i % 2 else "en") for i in range(9)])
    store.upsert([mention("0", 1, is_deleted=True, deleted_by=DeletedBy.AUTHOR)])

    assert count_mentions(store) == 8
    assert count_mentions(store, Filter(lang="fr")) == 4
    assert workspace_stats(store, Filter(lang="en"))["by_day"] == {
        "2024-03-01": 1,
        "2024-03-02": 1,
        "2024-03-03": 2,
    }


def test_negative_share_leaves_out_mentions_not_analysed() -> None:
    assert negative_share({"negative": 1, "neutral": 2, "positive": 1, "unknown": 96}) == 0.25
    assert negative_share({"negative": 0, "neutral": 0, "positive": 0, "unknown": 5}) is None
    assert negative_share({}) is None
