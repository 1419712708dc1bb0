"""Queries over stored history: testing a query before saving it, and re-tagging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from ecoute.model import Author, Mention, Query
from ecoute.query import compile_matcher, match_history, preview, retag
from ecoute.store.base import Filter

NOW = datetime(2026, 5, 31, tzinfo=UTC)


def mention(i: int, text: str, days_ago: int = 0, **fields) -> Mention:
    moment = NOW - timedelta(days=days_ago)
    return Mention(platform="mastodon", native_id=str(i), text=text, created_at=moment,
                   collected_at=moment, author=Author(platform="mastodon", handle=f"u{i}"),
                   **fields)  # fmt: skip


HISTORY = [
    mention(1, "Nestlé annonce un rappel de pizzas", days_ago=1, lang="fr"),
    mention(2, "nestle recall, again", days_ago=3, lang="en"),
    mention(3, "I love pineapple", days_ago=2),
    mention(4, "#Nestle rappel massif", days_ago=45, lang="fr"),
    mention(5, "Nestlé recrute", days_ago=5, lang="fr"),
]


def test_history_matches_what_the_stream_tagged():
    query = Query(name="crisis", expr="nestle NEAR/3 (rappel OR recall)")
    copies = [msgspec.structs.replace(m) for m in HISTORY]
    streamed = compile_matcher([query, Query(name="other", expr="pineapple")]).tag(copies)
    assert match_history([HISTORY[:2], HISTORY[2:]], query) == [
        m.key for m in streamed if "crisis" in m.queries
    ]
    assert match_history([HISTORY], query) == [("mastodon", "1"), ("mastodon", "2"),
                                               ("mastodon", "4")]  # fmt: skip


def test_history_skips_deleted_mentions():
    gone = mention(9, "Nestlé rappel", is_deleted=True)
    assert match_history([[gone]], Query(name="q", expr="nestle")) == []


def test_preview_counts_inside_the_window_and_shows_newest_first():
    query = Query(name="q", expr="nestle")
    result = preview([HISTORY], query, since=NOW - timedelta(days=30), samples=2)
    assert (result.scanned, result.matched) == (4, 3)
    assert [m.native_id for m in result.samples] == ["1", "2"]
    everything = preview([HISTORY], query)
    assert everything.matched == 4
    assert [m.native_id for m in everything.samples] == ["1", "2", "5", "4"]


def test_preview_reads_field_filters():
    result = preview([HISTORY], Query(name="q", expr="nestle AND lang:fr"))
    assert result.matched == 3


def test_retag_replaces_what_the_store_had_for_the_query(store):
    store.upsert(HISTORY)
    old = Query(name="brand", expr="pineapple")
    assert retag(store, old) == 1
    new = Query(name="brand", expr="nestle AND NOT recrute")
    assert retag(store, new) == 3
    found = store.search(Filter(query="brand"), limit=10)
    assert sorted(m.native_id for m in found) == ["1", "2", "4"]
    assert all("brand" in m.queries for m in found)
