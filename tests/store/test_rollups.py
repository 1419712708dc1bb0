"""Measures read from rollups agree with a plain scan, before and after every kind of write."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta

import duckdb
import msgspec
import pytest

from ecoute.analytics.measures import scan
from ecoute.model import Author, DeletedBy, Mention, Sentiment
from ecoute.store.base import Aggregate, Filter, Measure
from ecoute.store.duckdb import DuckDBStore

START = datetime(2024, 3, 25, tzinfo=UTC)  # ten days across a month's end
ROLLUP_TABLES = (
    "rollup_hourly",
    "rollup_daily",
    "rollup_author_daily",
    "rollup_author_monthly",
    "rollup_keyword_daily",
    "rollup_keyword_monthly",
    "rollup_author_total",
)


def posts(n: int, seed: int = 7) -> list[Mention]:
    """`n` mentions over ten days with every field the measures read, some left unknown."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        platform = rng.choice(["bluesky", "mastodon", "reddit"])
        handle = f"user{rng.randrange(12)}"
        out.append(
            Mention(
                platform=platform,
                native_id=str(i),
                text=f"post {i}",
                created_at=START + timedelta(minutes=rng.randrange(10 * 24 * 60)),
                collected_at=START + timedelta(days=11),
                author=Author(
                    platform=platform,
                    handle=handle,
                    name=f"{handle} v{rng.randrange(3)}",
                    followers=rng.choice([None, 10, 500]),
                ),
                likes=rng.choice([None, 0, 3]),
                reposts=rng.choice([None, 1]),
                replies=rng.choice([None, 2]),
                reach=rng.choice([None, None, 1000]),
                lang=rng.choice(["fr", "en", None]),
                sentiment=rng.choice([*Sentiment, None]),
                keywords=rng.sample(["livraison", "#promo", "fleurs", "retard"], rng.randrange(3)),
                queries=rng.sample(["acme", "rival", "bikes"], rng.randrange(3)),
            )
        )
    return out


PERIODS = [
    Filter(),
    Filter(since=START + timedelta(days=2, hours=5, minutes=17)),
    Filter(until=START + timedelta(days=6, minutes=1)),
    Filter(since=START + timedelta(days=1, hours=3), until=START + timedelta(days=7, hours=22)),
    Filter(since=START + timedelta(days=3), until=START + timedelta(days=5)),
    Filter(since=datetime(2024, 3, 1, tzinfo=UTC), until=datetime(2024, 5, 1, tzinfo=UTC)),
    Filter(since=datetime(2024, 3, 31, 23, 30, tzinfo=UTC), until=START + timedelta(days=9)),
    Filter(
        since=START + timedelta(days=4, minutes=10), until=START + timedelta(days=4, minutes=50)
    ),
]
SHAPES = [
    Measure(),
    Measure(by=("day", "sentiment")),
    Measure(by=("hour",)),
    Measure(by=("query",), order="reach"),
    Measure(by=("platform", "lang")),
    Measure(by=("author",), order="reach", limit=5),
    Measure(by=("author",), where=Filter(query="acme", sentiment="negative")),
    Measure(by=("keyword",), where=Filter(platform="mastodon")),
    Measure(by=("query", "keyword"), order="engagement"),
    Measure(where=Filter(query="rival", lang="fr")),
    Measure(by=("author",), where=Filter(sentiment="positive", platform="reddit"), limit=3),
    Measure(by=("author",), where=Filter(author="user3"), order="engagement"),
    Measure(by=("author",), where=Filter(query="bikes", sentiment="neutral"), order="reach"),
    Measure(by=("author",), where=Filter(lang="en")),  # no rollup has the language: a scan
    Measure(by=("platform",), where=Filter(text="post 1")),
]


def specs() -> list[Measure]:
    out = []
    for shape in SHAPES:
        for period in PERIODS:
            where = dataclasses.replace(shape.where, since=period.since, until=period.until)
            out.append(Measure(by=shape.by, where=where, order=shape.order, limit=shape.limit))
    return out


def assert_agrees(store: DuckDBStore) -> None:
    for spec in specs():
        assert store.measure(spec).rows == scan(store, spec).rows, spec


def rollups(store: DuckDBStore) -> dict[str, list[tuple[object, ...]]]:
    return {t: sorted(store.sql(f"SELECT * FROM {t}")) for t in ROLLUP_TABLES}


@pytest.fixture
def heard(store: DuckDBStore) -> DuckDBStore:
    store.upsert(posts(400))
    return store


def test_measures_from_rollups_agree_with_a_plain_scan(heard: DuckDBStore) -> None:
    assert_agrees(heard)


def test_rollups_hold_whole_periods_so_reads_skip_the_mentions(heard: DuckDBStore) -> None:
    total = heard.sql("SELECT sum(mentions) FROM rollup_hourly WHERE query = ''")[0][0]
    tagged = heard.sql("SELECT count(*) FROM mention_queries")[0][0]

    assert total == 400
    assert heard.sql("SELECT sum(mentions) FROM rollup_hourly WHERE query <> ''")[0][0] == tagged


def test_edits_deletions_and_reenrichment_keep_rollups_exact(heard: DuckDBStore) -> None:
    later = START + timedelta(days=12)
    edited = [
        msgspec.structs.replace(m, text=m.text + " edited", likes=40, collected_at=later,
                                keywords=["retard"], queries=["bikes"])
        for m in posts(400)[:60]
    ]  # fmt: skip
    heard.upsert(edited)
    tombstones = [
        msgspec.structs.replace(m, is_deleted=True, deleted_by=DeletedBy.AUTHOR, collected_at=later)
        for m in posts(400)[60:90]
    ]
    heard.upsert(tombstones)
    reenriched = [
        msgspec.structs.replace(m, sentiment=Sentiment.NEGATIVE, reach=7, queries=["acme"])
        for m in posts(400)[90:200]
    ]
    assert heard.update_enrichment(reenriched) == 110

    assert_agrees(heard)
    maintained = rollups(heard)
    heard.rebuild_rollups()
    assert rollups(heard) == maintained


def test_retagging_and_removing_a_query_keep_rollups_exact(heard: DuckDBStore) -> None:
    keys = [(m.platform, m.native_id) for m in posts(400)[::3]]

    heard.set_query_matches("acme", keys)
    assert_agrees(heard)
    heard.remove_query("rival")
    assert_agrees(heard)
    assert heard.sql("SELECT count(*) FROM rollup_author_daily WHERE query = 'rival'") == [(0,)]
    maintained = rollups(heard)
    heard.rebuild_rollups()
    assert rollups(heard) == maintained


def test_an_empty_workspace_measures_nothing(store: DuckDBStore) -> None:
    assert store.measure(Measure()).rows == []
    assert store.measure(Measure(by=("author",))).rows == []
    assert store.aggregate(Aggregate(by=())).rows == [(0,)]


def test_aggregate_reads_the_rollups_with_the_same_counts(heard: DuckDBStore) -> None:
    where = Filter(since=START + timedelta(days=1, hours=7), until=START + timedelta(days=8))
    days = heard.aggregate(Aggregate(by=("day", "sentiment"), where=where)).rows
    expected = scan(heard, Measure(by=("day", "sentiment"), where=where)).rows

    assert days == sorted(
        ((d, s, n) for d, s, n, *_ in expected), key=lambda r: (r[0], r[1] is None, r[1] or "")
    )


def test_a_workspace_from_before_the_rollups_gets_them_filled(tmp_path) -> None:
    path = tmp_path / "old.duckdb"
    store = DuckDBStore(path)
    store.upsert(posts(50))
    expected = rollups(store)
    store.sql("DELETE FROM schema_migrations WHERE version >= 3")  # as if written before them
    for table in ROLLUP_TABLES:
        store.sql(f"DROP TABLE {table}")
    store.close()

    reopened = DuckDBStore(path)
    try:
        assert rollups(reopened) == expected
    finally:
        reopened.close()


def test_a_workspace_from_before_the_author_totals_gets_them_from_its_rollups(tmp_path) -> None:
    path = tmp_path / "old.duckdb"
    store = DuckDBStore(path)
    store.upsert(posts(80))
    expected = rollups(store)["rollup_author_total"]
    store.sql("DELETE FROM schema_migrations WHERE version >= 4")  # as if written before it
    store.sql("DROP TABLE rollup_author_total")
    store.close()

    reopened = DuckDBStore(path)
    try:
        assert rollups(reopened)["rollup_author_total"] == expected
        assert_agrees(reopened)
    finally:
        reopened.close()


def test_a_workspace_from_before_the_unindexed_authors_keeps_every_row(tmp_path) -> None:
    # Migrations 0010 and 0011 copy the profiles, author rollups and mentions into
    # tables without the author indexes and with compressed payloads.
    path = tmp_path / "old.duckdb"
    store = DuckDBStore(path)
    store.upsert([msgspec.structs.replace(m, raw=msgspec.Raw(b'{"id": 1}')) for m in posts(120)])
    tables = ("mentions", "authors", *ROLLUP_TABLES)
    expected = {t: sorted(store.sql(f"SELECT * FROM {t}")) for t in tables}
    store.sql("DELETE FROM schema_migrations WHERE version >= 10")  # as if written before
    store.close()

    reopened = DuckDBStore(path)
    try:
        assert {t: sorted(reopened.sql(f"SELECT * FROM {t}")) for t in tables} == expected
        assert reopened.sql("SELECT max(version) FROM schema_migrations") == [(11,)]
        reopened.sql("CHECKPOINT")
        assert reopened.sql(
            "SELECT DISTINCT compression FROM pragma_storage_info('mentions') "
            "WHERE column_name = 'raw' AND segment_type = 'VARCHAR'"
        ) == [("ZSTD",)]
        with pytest.raises(duckdb.ConstraintException):  # a post is still stored once
            reopened.sql("INSERT INTO mentions SELECT * FROM mentions LIMIT 1")
        assert_agrees(reopened)
        reopened.upsert(posts(150, seed=8))  # merged by joins into the copied tables
        assert_agrees(reopened)
    finally:
        reopened.close()


def test_an_all_time_ranking_reads_one_row_per_author(heard: DuckDBStore) -> None:
    rows = heard.sql(
        "SELECT count(*), count(DISTINCT (platform, author_handle)) FROM rollup_author_total "
        "WHERE query = '' AND sentiment = '*'"
    )
    authors = heard.sql("SELECT count(DISTINCT (platform, author_handle)) FROM mentions")

    assert rows == [(authors[0][0], authors[0][0])]


def test_lists_can_leave_the_raw_payload_out(store: DuckDBStore) -> None:
    m = msgspec.structs.replace(posts(1)[0], raw=msgspec.Raw(b'{"big": "payload"}'))
    store.upsert([m])

    (light,) = store.search(Filter(), limit=1, with_raw=False)
    (full,) = store.search(Filter(), limit=1)

    assert light.raw is None and bytes(full.raw) == b'{"big": "payload"}'
    assert msgspec.structs.replace(light, raw=full.raw) == full


_KEYS = {
    "rollup_hourly": "hour, query, platform, lang, sentiment",
    "rollup_daily": "day, query, platform, lang, sentiment",
    "rollup_author_daily": "day, query, platform, author_handle, sentiment",
    "rollup_author_monthly": "month, query, platform, author_handle, sentiment",
    "rollup_keyword_daily": "day, query, platform, keyword, sentiment",
    "rollup_keyword_monthly": "month, query, platform, keyword, sentiment",
    "rollup_author_total": "query, sentiment, platform, author_handle",
}


def test_batches_merge_into_one_row_per_key(store: DuckDBStore) -> None:
    # Many small batches of the same twelve authors and ten days, edits and deletions
    # among them, leave one row per key, equal to a rebuild.
    everything = posts(300)
    for start in range(0, 300, 7):
        store.upsert(everything[start : start + 7])
    later = START + timedelta(days=12)
    store.upsert(
        [msgspec.structs.replace(m, likes=99, collected_at=later) for m in everything[:50:3]]
    )
    store.upsert(
        [
            msgspec.structs.replace(m, is_deleted=True, deleted_by=DeletedBy.AUTHOR)
            for m in everything[50:80]
        ]
    )
    for table, key in _KEYS.items():
        assert store.sql(f"SELECT count(*) = count(DISTINCT ({key})) FROM {table}") == [(True,)]
    assert store.sql("SELECT count(*) FROM rollup_author_daily") > [(12,)]
    maintained = rollups(store)
    store.rebuild_rollups()
    assert rollups(store) == maintained
    assert_agrees(store)


def _pending(store: DuckDBStore) -> int:
    return store.sql("SELECT count(*) FROM rollup_author_pending")[0][0]


def test_a_bulk_load_keeps_reads_exact_and_merges_the_author_rollups_at_its_end(
    store: DuckDBStore,
) -> None:
    everything = posts(300)
    later = START + timedelta(days=12)
    with store.bulk_load():
        for start in range(0, 300, 50):
            store.upsert(everything[start : start + 50])
        assert _pending(store) > 0
        # Behind, the author rollups are not read: every answer comes from the mentions.
        assert store.sql("SELECT count(*) FROM rollup_author_total") == [(0,)]
        assert_agrees(store)
        store.upsert(
            [msgspec.structs.replace(m, likes=99, collected_at=later) for m in everything[:40]]
        )
        store.upsert(
            [
                msgspec.structs.replace(m, is_deleted=True, deleted_by=DeletedBy.AUTHOR)
                for m in everything[40:70]
            ]
        )
        reenriched = [
            msgspec.structs.replace(m, sentiment=Sentiment.POSITIVE, queries=["rival"])
            for m in everything[70:120]
        ]
        assert store.update_enrichment(reenriched) == 50
        assert_agrees(store)
        keys = [(m.platform, m.native_id) for m in everything[::4]]
        store.set_query_matches("acme", keys)
        store.remove_query("bikes")
        assert_agrees(store)
    assert _pending(store) == 0
    assert store.sql("SELECT count(*) FROM rollup_author_total") > [(0,)]
    assert_agrees(store)
    merged = rollups(store)
    store.rebuild_rollups()
    assert rollups(store) == merged


@pytest.mark.parametrize("before", [0, 100], ids=["into-empty-rollups", "into-filled-ones"])
def test_a_bulk_load_merged_a_share_of_the_authors_at_a_time_is_exact(
    store: DuckDBStore, monkeypatch: pytest.MonkeyPatch, before: int
) -> None:
    from ecoute.store import _duckdb_measures

    everything = posts(400)
    store.upsert(everything[:before])
    monkeypatch.setattr(_duckdb_measures, "_MERGED_AT_ONCE", 20)  # many shares
    with store.bulk_load():
        store.upsert(everything[before:])
        store.upsert(
            [msgspec.structs.replace(m, is_deleted=True) for m in everything[before : before + 30]]
        )
        assert _pending(store) > 3 * 20
    assert _pending(store) == 0
    assert_agrees(store)
    merged = rollups(store)
    store.rebuild_rollups()
    assert rollups(store) == merged


def test_a_bulk_load_merges_what_it_wrote_when_the_block_fails(store: DuckDBStore) -> None:
    with pytest.raises(ValueError), store.bulk_load():
        store.upsert(posts(100))
        raise ValueError("a file the import could not read")
    assert _pending(store) == 0
    merged = rollups(store)
    store.rebuild_rollups()
    assert rollups(store) == merged


def test_an_interrupted_bulk_load_is_merged_when_the_workspace_is_next_opened(tmp_path) -> None:
    path = tmp_path / "cut.duckdb"
    store = DuckDBStore(path)
    with pytest.raises(KeyboardInterrupt), store.bulk_load():
        store.upsert(posts(200))
        raise KeyboardInterrupt
    assert _pending(store) > 0
    assert_agrees(store)  # exact while behind
    store.close()

    reopened = DuckDBStore(path)
    try:
        assert _pending(reopened) == 0
        merged = rollups(reopened)
        reopened.rebuild_rollups()
        assert rollups(reopened) == merged
        assert_agrees(reopened)
    finally:
        reopened.close()


def test_nested_bulk_loads_merge_once_when_the_outer_one_ends(store: DuckDBStore) -> None:
    with store.bulk_load():
        with store.bulk_load():
            store.upsert(posts(50))
        assert _pending(store) > 0
    assert _pending(store) == 0
