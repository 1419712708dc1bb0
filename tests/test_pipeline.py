"""The pipeline: a page is enriched, tagged with the standing queries and stored once."""

from __future__ import annotations

from ecoute.model import Query, QueryKind
from ecoute.pipeline import Pipeline, default_stages, retag_history
from ecoute.sources.base import Page, Rejected
from ecoute.store.base import Filter
from tests.factories import mention


def test_page_is_enriched_tagged_and_stored_with_its_cursor(store):
    store.save_query(Query(name="fleurissimo", expr="Fleurissimo", kind=QueryKind.BRAND))
    pipeline = Pipeline(store, default_stages())
    page = Page(
        mentions=[mention("1", text="Je suis très déçue par Fleurissimo, jamais livrée 😡")],
        cursor={"offset": 10},
        rejected=[Rejected("line 2", "invalid JSON")],
    )
    counts = pipeline.ingest(page, source_key="file:demo")
    assert (counts.added, counts.rejected) == (1, 1)
    (m,) = store.search(Filter(), limit=1)
    assert m.queries == ["fleurissimo"]
    assert m.lang == "fr" and m.lang_by
    assert m.sentiment == "negative" and m.sentiment_by
    assert m.keywords and m.keywords_by
    assert store.load_cursor("file:demo") == {"offset": 10}


def test_query_added_later_tags_history(store):
    pipeline = Pipeline(store, default_stages())
    pipeline.ingest(Page(mentions=[mention("1"), mention("2", text="rien à voir")], cursor=None))
    query = Query(name="f", expr="fleurissimo")
    store.save_query(query)
    assert retag_history(store, query) == 1
    assert store.count(Filter(query="f")) == 1
    pipeline.reload_queries()
    pipeline.ingest(Page(mentions=[mention("3", text="FLEURISSIMO encore")], cursor=None))
    assert store.count(Filter(query="f")) == 2


def test_default_stages_run_language_first():
    names = [s.name for s in default_stages()]
    assert names[:3] == ["language", "sentiment", "keywords"]


def test_stored_hook_sees_added_and_changed_mentions_only(store):
    from datetime import timedelta

    from ecoute.hookspecs import hookimpl, plugin_manager
    from tests.factories import T0, tombstone

    seen: list[list[str]] = []

    class Recorder:
        @hookimpl
        def mentions_stored(self, store, mentions):
            seen.append(sorted(m.native_id for m in mentions))

    hooks = plugin_manager(load_entry_points=False)
    hooks.register(Recorder())
    pipeline = Pipeline(store, [], hooks=hooks)
    pipeline.ingest(Page(mentions=[mention("1"), mention("2")], cursor=None))
    pipeline.ingest(Page(mentions=[mention("1")], cursor=None))  # a replay: no event
    later = T0 + timedelta(hours=1)
    edited = mention("2", text="edited", collected_at=later)
    pipeline.ingest(Page(mentions=[edited, tombstone("1")], cursor=None))
    assert seen == [["1", "2"], ["2"]]


def test_a_bulk_batch_builds_for_alerts_only_the_tagged_recent_posts(store, tmp_path):
    from datetime import UTC, datetime, timedelta

    from ecoute.hookspecs import hookimpl, plugin_manager
    from ecoute.sources.files import read_file
    from tests.factories import post, write_jsonl

    now = datetime.now(UTC)
    old = (now - timedelta(days=400)).isoformat()
    fresh = (now - timedelta(hours=1)).isoformat()
    records = [
        post(1, text="Fleurissimo a perdu mon colis", created_at=old),
        post(2, text="Fleurissimo a encore perdu mon colis", created_at=fresh),
        post(3, text="rien à voir", created_at=fresh),
        post(2, text="Fleurissimo, colis perdu (édité)", created_at=fresh,
             collected_at=(now + timedelta(minutes=1)).isoformat()),
    ]  # fmt: skip
    seen: list[tuple[int, list[tuple[str, str]]]] = []

    class Recorder:
        @hookimpl
        def mentions_stored(self, store, mentions):
            picked = mentions.tagged_since(now - timedelta(days=30))
            seen.append((len(mentions), [(m.native_id, m.text) for m in picked]))
            assert all(m.queries == ["brand"] for m in picked)

    store.save_query(Query(name="brand", expr="Fleurissimo", kind=QueryKind.BRAND))
    hooks = plugin_manager(load_entry_points=False)
    hooks.register(Recorder())
    pipeline = Pipeline(store, [], hooks=hooks)
    for page in read_file(write_jsonl(tmp_path / "a.jsonl", records), bulk=True):
        pipeline.ingest(page, enriched=False)
    assert seen == [(3, [("2", "Fleurissimo, colis perdu (édité)")])]
