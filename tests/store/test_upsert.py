"""The DuckDB store: idempotent upsert, updates, deletions, cursors and migrations."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest

from ecoute.model import DeletedBy, Query, QueryKind
from ecoute.store.base import Aggregate, Filter, SavedCursor, StoreError
from ecoute.store.duckdb import DuckDBStore
from tests.factories import T0, mention, tombstone


def test_first_upsert_adds_and_replay_changes_nothing(store):
    batch = [mention(str(i)) for i in range(5)]
    assert store.upsert(batch).as_dict() == {
        "added": 5, "updated": 0, "unchanged": 0, "deleted": 0, "rejected": 0,
    }  # fmt: skip
    again = [mention(str(i), collected_at=T0 + timedelta(days=1)) for i in range(5)]
    assert store.upsert(again).as_dict()["unchanged"] == 5
    assert store.count(Filter()) == 5


def test_newer_version_updates_counts_and_text(store):
    store.upsert([mention("1", likes=1)])
    counts = store.upsert(
        [mention("1", text="édité", likes=40, collected_at=T0 + timedelta(hours=2))]
    )
    assert (counts.updated, counts.added) == (1, 0)
    (stored,) = store.search(Filter(), limit=10)
    assert (stored.text, stored.likes) == ("édité", 40)


def test_older_version_does_not_overwrite_newer(store):
    store.upsert([mention("1", likes=40, collected_at=T0 + timedelta(hours=2))])
    counts = store.upsert([mention("1", likes=1, collected_at=T0 + timedelta(hours=1))])
    assert counts.unchanged == 1
    assert store.search(Filter(), limit=1)[0].likes == 40


def test_same_key_twice_in_one_batch_keeps_the_newest(store):
    counts = store.upsert(
        [
            mention("1", likes=5, collected_at=T0 + timedelta(hours=3)),
            mention("1", likes=2, collected_at=T0 + timedelta(hours=1)),
        ]
    )
    assert (counts.added, counts.unchanged) == (1, 1)
    assert store.search(Filter(), limit=1)[0].likes == 5


def test_author_deletion_hides_and_forgets_content(store):
    store.upsert([mention("1", text="mon numéro est 06 12 34 56 78"), mention("2")])
    counts = store.upsert([tombstone("1")])
    assert counts.deleted == 1
    assert [m.native_id for m in store.search(Filter(), limit=10)] == ["2"]
    assert store.aggregate(Aggregate(by=())).rows == [(1,)]
    text, raw, deleted_by = store.sql(
        "SELECT text, raw, deleted_by FROM mentions WHERE native_id = '1'"
    )[0]
    assert (text, raw, deleted_by) == ("", None, "author")


def test_moderator_deletion_hides_but_keeps_the_story(store):
    store.upsert([mention("1", text="Mes fleurs ne sont jamais arrivées")])
    store.upsert([tombstone("1", by=DeletedBy.MODERATOR)])
    assert store.search(Filter(), limit=10) == []
    assert store.sql("SELECT text FROM mentions")[0][0] == "Mes fleurs ne sont jamais arrivées"


def test_post_and_its_moderator_deletion_in_one_batch_keep_the_text(store):
    for batch in (
        [mention("1", text="Remboursez-moi"), tombstone("1", by=DeletedBy.MODERATOR)],
        [tombstone("2", by=DeletedBy.MODERATOR), mention("2", text="Remboursez-moi")],
    ):
        assert store.upsert(batch).deleted == 1
    assert store.search(Filter(), limit=10) == []
    assert store.sql("SELECT text FROM mentions ORDER BY native_id") == [("Remboursez-moi",)] * 2


def test_tombstone_before_post_keeps_it_hidden(store):
    assert store.upsert([tombstone("9")]).deleted == 1
    counts = store.upsert([mention("9", collected_at=T0 + timedelta(days=2))])
    assert counts.unchanged == 1
    assert store.search(Filter(), limit=10) == []


def test_second_deletion_is_unchanged(store):
    store.upsert([mention("1"), tombstone("1")])
    assert store.upsert([tombstone("1")]).as_dict()["unchanged"] == 1


def test_cursor_is_saved_with_the_batch(store):
    store.upsert([mention("1")], cursor=SavedCursor("mastodon:home", {"since_id": "1"}))
    assert store.load_cursor("mastodon:home") == {"since_id": "1"}
    assert store.load_cursor("other") is None


def test_failed_batch_saves_neither_mentions_nor_cursor(store, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_write_matches", boom)
    with pytest.raises(RuntimeError):
        store.upsert([mention("1")], cursor=SavedCursor("src", 42))
    assert store.count(Filter()) == 0
    assert store.load_cursor("src") is None


def test_search_filters_and_orders_newest_first(store):
    store.upsert(
        [
            mention("1", created_at=T0, lang="fr"),
            mention("2", created_at=T0 + timedelta(hours=1), lang="en"),
            mention("3", text="autre chose", created_at=T0 + timedelta(hours=2), lang="fr"),
        ]
    )
    assert [m.native_id for m in store.search(Filter(), limit=10)] == ["3", "2", "1"]
    assert [m.native_id for m in store.search(Filter(lang="fr"), limit=10)] == ["3", "1"]
    assert [m.native_id for m in store.search(Filter(text="FLEURISSIMO"), limit=10)] == ["2", "1"]
    since = store.search(Filter(since=T0 + timedelta(minutes=30)), limit=10)
    assert [m.native_id for m in since] == ["3", "2"]


def test_raw_payload_and_times_round_trip(store):
    import msgspec

    raw = msgspec.Raw(b'{"id":"1","content":"<p>Bonjour \\u00e9</p>"}')
    store.upsert([mention("1", raw=raw)])
    (stored,) = store.search(Filter(), limit=1)
    assert bytes(stored.raw) == bytes(raw)
    assert stored.created_at == T0


def test_queries_tag_mentions_and_aggregate_by_query(store):
    store.save_query(Query(name="brand", expr="Fleurissimo", kind=QueryKind.BRAND))
    store.upsert([mention("1", queries=["brand"]), mention("2")])
    table = store.aggregate(Aggregate(by=("query",)))
    assert table.rows == [("brand", 1)]
    assert store.search(Filter(query="brand"), limit=5)[0].queries == ["brand"]
    assert store.set_query_matches("brand", [("mastodon", "1"), ("mastodon", "2")]) == 2
    assert store.count(Filter(query="brand")) == 2
    assert store.remove_query("brand") is True
    assert store.count(Filter(query="brand")) == 0
    assert store.remove_query("brand") is False


def test_edit_retags_with_the_new_matches(store):
    store.upsert([mention("1", queries=["a"])])
    store.upsert([mention("1", text="new", queries=["b"], collected_at=T0 + timedelta(hours=1))])
    assert store.search(Filter(), limit=1)[0].queries == ["b"]


def test_update_enrichment_rewrites_only_derived_fields(store):
    store.upsert([mention("1", likes=3)])
    (m,) = store.search(Filter(), limit=1)
    m.sentiment_by = "test-2"
    m.keywords = ["fleurs"]
    m.queries = ["q"]
    m.likes = 999  # content is not the enrichment's to change
    assert store.update_enrichment([m]) == 1
    (after,) = store.search(Filter(), limit=1)
    assert (after.sentiment_by, after.keywords, after.queries, after.likes) == (
        "test-2", ["fleurs"], ["q"], 3,
    )  # fmt: skip


def test_aggregate_by_day_and_platform(store):
    store.upsert(
        [
            mention("1", created_at=T0),
            mention("2", created_at=T0 + timedelta(days=1)),
            mention("3", platform="bluesky", created_at=T0 + timedelta(days=1)),
        ]
    )
    days = store.aggregate(Aggregate(by=("day",))).rows
    assert [count for _, count in days] == [1, 2]
    top = store.aggregate(Aggregate(by=("platform",), limit=1)).rows
    assert top == [("mastodon", 2)]
    with pytest.raises(ValueError, match="cannot group by"):
        store.aggregate(Aggregate(by=("text",)))


def test_authors_keep_the_latest_profile(store):
    from ecoute.model import Author

    store.upsert([mention("1", author=Author(platform="mastodon", handle="al", followers=5))])
    store.upsert(
        [
            mention(
                "2",
                author=Author(platform="mastodon", handle="al", name="Al", followers=50),
                collected_at=T0 + timedelta(days=1),
            )
        ]
    )
    assert store.sql("SELECT handle, name, followers FROM authors") == [("al", "Al", 50)]
    older = Author(platform="mastodon", handle="al", name="Old", followers=1)
    store.upsert([mention("3", author=older, collected_at=T0 + timedelta(hours=1))])
    assert store.sql("SELECT handle, name, followers FROM authors") == [("al", "Al", 50)]


def test_reopening_keeps_data_and_does_not_remigrate(tmp_path):
    path = tmp_path / "w.duckdb"
    first = DuckDBStore(path)
    first.upsert([mention("1")])
    first.close()
    second = DuckDBStore(path)
    assert second.count(Filter()) == 1
    assert second.sql("SELECT count(*) FROM schema_migrations")[0][0] >= 1
    second.close()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "w.duckdb"
    DuckDBStore(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', now())")
    con.close()
    with pytest.raises(StoreError, match="newer Écoute"):
        DuckDBStore(path)


def test_bad_setting_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="invalid DuckDB setting"):
        DuckDBStore(tmp_path / "w.duckdb", memory_limit="lots")


def test_query_matches_keep_their_mention_time_through_every_write(store):
    def drift():
        return store.sql(
            "SELECT count(*) FROM mention_queries q JOIN mentions m USING (platform, native_id) "
            "WHERE q.created_at IS DISTINCT FROM m.created_at"
        )[0][0]

    store.upsert(
        [mention(str(i), created_at=T0 + timedelta(hours=i), queries=["a"]) for i in range(4)]
    )
    (m,) = store.search(Filter(author="alice", since=T0 + timedelta(hours=3)), limit=1)
    m.queries = ["a", "b"]
    store.update_enrichment([m])
    store.set_query_matches("c", [("mastodon", "0"), ("mastodon", "2")])
    assert store.sql("SELECT count(*) FROM mention_queries")[0][0] == 7
    assert drift() == 0
    # A query's mentions of a period: bounded by the match time as by the mention's.
    week = Filter(query="a", since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=3))
    assert [x.native_id for x in store.search(week, limit=10)] == ["2", "1"]
    assert store.count(Filter(query="c", until=T0 + timedelta(hours=1))) == 1


def test_a_workspace_from_before_match_times_gets_them(tmp_path):
    path = tmp_path / "old.duckdb"
    old = DuckDBStore(path)
    old.upsert(
        [mention(str(i), created_at=T0 + timedelta(days=i), queries=["a"]) for i in range(3)]
    )
    old.sql("DELETE FROM schema_migrations WHERE version = 6")  # as if written before it
    old.sql("CREATE TABLE mq_old AS SELECT platform, native_id, query FROM mention_queries")
    old.sql("DROP TABLE mention_queries")
    old.sql("ALTER TABLE mq_old RENAME TO mention_queries")
    old.close()
    reopened = DuckDBStore(path)
    try:
        rows = reopened.sql("SELECT native_id, created_at FROM mention_queries ORDER BY 1")
        assert [(n, t.day) for n, t in rows] == [("0", 1), ("1", 2), ("2", 3)]
        assert reopened.count(Filter(query="a", since=T0 + timedelta(days=1))) == 2
    finally:
        reopened.close()


def test_stale_mentions_are_read_page_by_page_once_each_while_rewritten(store):
    # Ties on the creation time and a page smaller than a tie: the key carries on.
    store.upsert([mention(str(i), created_at=T0 + timedelta(minutes=i // 10)) for i in range(25)])
    seen = []
    for batch in store.iter_stale({"sentiment_by": "test-1"}, batch_size=4):
        seen += [m.native_id for m in batch]
        for m in batch:
            m.sentiment_by = "test-1"
        store.update_enrichment(batch)
    assert sorted(seen) == sorted(str(i) for i in range(25)) and len(seen) == 25
    assert list(store.iter_stale({"sentiment_by": "test-1"}, batch_size=4)) == []
    everything = [m for b in store.iter_stale({}, everything=True, batch_size=7) for m in b]
    assert len(everything) == 25
