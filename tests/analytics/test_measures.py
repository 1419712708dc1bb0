"""Measures, headline figures, rankings, topics and share of voice on a known workspace."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ecoute.analytics.authors import rank_authors, same_handle_elsewhere
from ecoute.analytics.measures import Measure, measure, scan
from ecoute.analytics.periods import headline, net_sentiment, previous_filter
from ecoute.analytics.roi import Effort, summarise
from ecoute.analytics.search import find_mentions
from ecoute.analytics.topics import topics
from ecoute.analytics.voices import compared_queries, share_of_voice
from ecoute.model import Author, Mention, Query, QueryKind, Sentiment
from ecoute.query import QueryError
from ecoute.store.base import Filter
from ecoute.store.duckdb import DuckDBStore

DAY = datetime(2024, 6, 1, tzinfo=UTC)


def said(
    i: int, day: int, *, text: str, handle: str = "ann", platform: str = "bluesky", **extra: object
) -> Mention:
    return Mention(
        platform=platform,
        native_id=str(i),
        text=text,
        created_at=datetime(2024, 6, day, 10, i % 60, tzinfo=UTC),
        collected_at=datetime(2024, 6, day, 11, tzinfo=UTC),
        author=Author(
            platform=platform, handle=handle, name=handle.title(), followers=100 * (i % 3)
        ),
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def talk(store: DuckDBStore) -> DuckDBStore:
    store.save_query(Query(name="acme", expr="acme", kind=QueryKind.BRAND, group="flowers"))
    store.save_query(Query(name="rival", expr="rival", kind=QueryKind.COMPETITOR, group="flowers"))
    store.save_query(Query(name="bikes", expr="bike", kind=QueryKind.BRAND, group="bikes"))
    neg, pos = Sentiment.NEGATIVE, Sentiment.POSITIVE
    store.upsert(
        [
            # Week 1 (1-7 June): calm.
            said(
                1, 2, text="acme fine", sentiment=pos, queries=["acme"], keywords=["fine"], likes=3
            ),
            said(2, 3, text="rival ok", handle="bob", queries=["rival"], keywords=["ok"]),
            # Week 2 (8-14 June): a delivery crisis on acme.
            *[
                said(
                    10 + i,
                    9,
                    text="acme livraison jamais arrivée #scandale",
                    handle=f"angry{i % 2}",
                    platform="mastodon" if i % 2 else "bluesky",
                    sentiment=neg,
                    queries=["acme"],
                    keywords=["livraison", "#scandale", "livraison"],
                    likes=i,
                    reposts=1,
                    reach=1000 if i == 0 else None,
                )
                for i in range(6)
            ],
            said(
                20,
                10,
                text="rival and acme both fine",
                handle="bob",
                sentiment=pos,
                queries=["acme", "rival"],
                keywords=["fine"],
            ),
            said(21, 10, text="bike ride", handle="ann", platform="mastodon", queries=["bikes"]),
        ]
    )
    return store


SPECS = [
    Measure(),
    Measure(by=("platform",)),
    Measure(by=("query",), where=Filter(since=datetime(2024, 6, 8, tzinfo=UTC))),
    Measure(by=("keyword",)),
    Measure(by=("author",), order="reach"),
    Measure(by=("author",), order="engagement", limit=2),
    Measure(by=("day", "sentiment")),
    Measure(by=("query", "keyword"), where=Filter(sentiment="negative")),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: "-".join(s.by) or "total")
def test_the_store_query_agrees_with_a_plain_scan(talk: DuckDBStore, spec: Measure) -> None:
    assert measure(talk, spec).rows == scan(talk, spec).rows


def test_measures_define_reach_engagement_and_sentiment(talk: DuckDBStore) -> None:
    crisis = Filter(since=datetime(2024, 6, 9, tzinfo=UTC), until=datetime(2024, 6, 10, tzinfo=UTC))
    (row,) = measure(talk, Measure(where=crisis)).as_dicts()

    # Reach: the stage's estimate where set (1000), else the author's followers.
    followers = sum(100 * ((10 + i) % 3) for i in range(1, 6))
    assert row == {
        "mentions": 6,
        "reach": 1000 + followers,
        "engagement": sum(range(6)) + 6,  # likes + one repost each
        "negative": 6,
        "neutral": 0,
        "positive": 0,
    }


def test_a_keyword_listed_twice_counts_once_per_mention(talk: DuckDBStore) -> None:
    rows = dict(measure(talk, Measure(by=("keyword",))).rows[i][:2] for i in range(3))

    assert rows["livraison"] == 6
    assert rows["#scandale"] == 6


def test_headline_compares_with_the_week_before(talk: DuckDBStore) -> None:
    week2 = Filter(since=datetime(2024, 6, 8, tzinfo=UTC), until=datetime(2024, 6, 15, tzinfo=UTC))

    head = headline(talk, week2)

    assert head.previous_since == datetime(2024, 6, 1, tzinfo=UTC)
    assert head.figures["mentions"].value == 8
    assert head.figures["mentions"].previous == 2
    assert head.figures["mentions"].change == 3.0
    assert head.figures["net_sentiment"].value == net_sentiment(1, 6) == -71.4
    assert head.figures["net_sentiment"].previous == 100.0
    assert head.sentiment == {"negative": 6, "neutral": 0, "positive": 1}
    assert previous_filter(Filter()) is None
    assert headline(talk, Filter()).figures["mentions"].change is None


def test_rankings_cover_the_whole_period(talk: DuckDBStore) -> None:
    detractors = rank_authors(talk, Filter(), "detractors", limit=5)
    fans = rank_authors(talk, Filter(), "fans", limit=5)
    influencers = rank_authors(talk, Filter(), "influencers", limit=1)

    assert [(a.key, a.negative) for a in detractors] == [
        ("bluesky:angry0", 3),
        ("mastodon:angry1", 3),
    ]
    assert {a.key for a in fans} == {"bluesky:ann", "bluesky:bob"}
    assert influencers[0].key == "bluesky:angry0"  # the 1000-reach post
    assert rank_authors(talk, Filter(sentiment="negative"), "fans") == []
    assert [a.key for a in same_handle_elsewhere(talk, "bluesky", "ann")] == ["mastodon:ann"]


def test_emerging_terms_rise_against_the_period_before(talk: DuckDBStore) -> None:
    week2 = Filter(since=datetime(2024, 6, 8, tzinfo=UTC), until=datetime(2024, 6, 15, tzinfo=UTC))

    found = topics(talk, week2)

    assert [t.term for t in found.hashtags] == ["#scandale"]
    assert found.words[0].term == "livraison"
    assert found.emerging is not None
    assert {t.term: t.previous for t in found.emerging} == {"livraison": 0, "#scandale": 0}
    assert topics(talk, Filter()).emerging is None


def test_share_of_voice_compares_a_group(talk: DuckDBStore) -> None:
    flowers = compared_queries(talk.list_queries(), "flowers")

    voices = share_of_voice(talk, Filter(), flowers)

    assert [(v.query, v.mentions) for v in voices] == [("acme", 8), ("rival", 2)]
    assert [v.share for v in voices] == [0.8, 0.2]
    assert sum(v.negative for v in voices) == 6


def test_boolean_search_uses_the_listening_language(talk: DuckDBStore) -> None:
    found = find_mentions(talk, Filter(), match='acme AND (livraison OR "both fine") NOT mastodon')

    assert found.total == 7
    assert found.is_exact
    assert len(find_mentions(talk, Filter(), match="acme NOT livraison", limit=1).mentions) == 1
    with pytest.raises(QueryError):
        find_mentions(talk, Filter(), match="acme AND (")


def test_roi_counts_time_as_a_cost() -> None:
    efforts = [
        Effort(id="a", day=DAY.date(), hours=Decimal(10), hourly_cost=Decimal(40), leads=4),
        Effort(id="b", day=DAY.date(), hours=Decimal("2.5"), spend=Decimal(100), answered=5),
    ]

    result = summarise(efforts, measured_mentions=12)

    assert result.cost == Decimal(500)
    assert result.hours == Decimal("12.5")
    assert result.per("leads") == Decimal("125.00")
    assert result.per("answered") == Decimal("100.00")
    assert result.per("reach") is None
    assert result.time_share == 0.8
    with pytest.raises(ValueError, match="currencies"):
        summarise([efforts[0], Effort(id="c", day=DAY.date(), hours=Decimal(1), currency="USD")])
