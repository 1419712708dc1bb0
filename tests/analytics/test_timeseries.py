"""Mention volumes over time: gapless UTC buckets, split by sentiment or another dimension."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ecoute.analytics.timeseries import (
    PeriodTooLong,
    choose_bucket,
    count_over_time,
    floor,
)
from ecoute.model import Mention, Sentiment
from ecoute.store.base import Filter
from ecoute.store.duckdb import DuckDBStore
from tests import factories


def mention(native_id: str, created: datetime, **fields: object) -> Mention:
    return factories.mention(native_id, created_at=created, collected_at=created, **fields)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_weeks_start_on_monday_in_utc() -> None:
    # Sunday 23:30 in Paris is Sunday 21:30 UTC: still the week of Monday the 3rd.
    sunday_night = datetime.fromisoformat("2024-06-09T23:30:00+02:00")

    assert floor(sunday_night, "week") == utc(2024, 6, 3)
    assert floor(sunday_night, "day") == utc(2024, 6, 9)
    assert floor(sunday_night, "hour") == utc(2024, 6, 9, 21)


@pytest.mark.parametrize(
    ("span", "bucket"),
    [
        (timedelta(0), "hour"),
        (timedelta(days=2), "hour"),
        (timedelta(days=2, hours=1), "day"),
        (timedelta(days=400), "day"),
        (timedelta(days=401), "week"),
    ],
)
def test_the_bucket_follows_the_span(span: timedelta, bucket: str) -> None:
    assert choose_bucket(span) == bucket


def test_weekly_counts_sum_the_days(store: DuckDBStore) -> None:
    store.upsert(
        [
            mention("a", utc(2024, 6, 3, 1), sentiment=Sentiment.NEGATIVE),  # Monday
            mention("b", utc(2024, 6, 9, 23), sentiment=Sentiment.NEGATIVE),  # Sunday
            mention("c", utc(2024, 6, 10), sentiment=Sentiment.POSITIVE),  # next Monday
            mention("d", utc(2024, 6, 26), sentiment=Sentiment.NEUTRAL),
        ]
    )

    series = count_over_time(store, bucket="week")

    assert series.starts == [utc(2024, 6, 3), utc(2024, 6, 10), utc(2024, 6, 17), utc(2024, 6, 24)]
    assert series.series == {
        "negative": [2, 0, 0, 0],
        "neutral": [0, 0, 0, 1],
        "positive": [0, 1, 0, 0],
    }
    assert series.totals() == [2, 1, 0, 1]


def test_the_period_bounds_the_buckets_and_until_is_excluded(store: DuckDBStore) -> None:
    store.upsert([mention("a", utc(2024, 6, 2, 5)), mention("b", utc(2024, 6, 5))])

    series = count_over_time(
        store, Filter(since=utc(2024, 6, 1), until=utc(2024, 6, 5)), bucket="day", by=None
    )

    assert series.starts == [utc(2024, 6, d) for d in (1, 2, 3, 4)]
    assert series.series == {"mentions": [0, 1, 0, 0]}


def test_split_by_query_counts_a_mention_in_each_query(store: DuckDBStore) -> None:
    store.upsert(
        [
            mention("a", utc(2024, 6, 1), queries=["acme", "rival"]),
            mention("b", utc(2024, 6, 1), queries=["acme"]),
        ]
    )

    series = count_over_time(store, bucket="day", by="query")

    assert series.series == {"acme": [2], "rival": [1]}


def test_a_far_outlier_is_refused_rather_than_charted(store: DuckDBStore) -> None:
    store.upsert([mention("old", utc(1970, 1, 1)), mention("new", utc(2024, 6, 1))])

    with pytest.raises(
        PeriodTooLong, match=r"1969-12-29 00:00 to 2024-05-27 00:00 UTC holds 2,840 week buckets"
    ):
        count_over_time(store)
    narrowed = count_over_time(store, Filter(since=utc(2024, 1, 1)))
    assert narrowed.bucket == "day"
    assert sum(narrowed.totals()) == 1


def test_an_empty_workspace_has_no_buckets(store: DuckDBStore) -> None:
    series = count_over_time(store)

    assert series.starts == []
    assert series.series == {"negative": [], "neutral": [], "positive": []}
