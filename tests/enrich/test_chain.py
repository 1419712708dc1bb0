"""The ingest chain: analyze plain texts, and re-run improved stages on stored history."""

from __future__ import annotations

import gc

import pytest

from ecoute.enrich.base import enrich
from ecoute.enrich.chain import analyze, default_stages
from ecoute.pipeline import enrich_history
from ecoute.store.base import Filter
from tests.factories import mention


def test_analyze_keeps_input_order_and_fills_every_field():
    texts = ["Service client nul, colis perdu 😡", "I love this app :)", "",
             "Service client nul, colis perdu 😡 http://t.co/x"]  # fmt: skip
    results = list(analyze(texts))
    assert len(results) == 4
    assert results[0]["lang"] == "fr" and results[0]["sentiment"] == "negative"
    assert results[1]["lang"] == "en" and results[1]["sentiment"] == "positive"
    assert results[2]["lang"] is None
    assert results[3]["story"] == 1
    assert "complaint" in results[0]["care"]
    assert all({"score", "explanation", "keywords"} <= r.keys() for r in results)


def test_rerun_on_history_replaces_results_of_an_older_stage_version(store):
    stale = mention("1", "Quelle arnaque, remboursez-moi !", sentiment_by="lexicon-1",
                    lang="fr", lang_by="function-words-1")  # fmt: skip
    store.upsert([stale])
    stages = default_stages()
    assert enrich_history(store, stages) == 1
    (m,) = store.search(Filter(), limit=10)
    assert m.sentiment is not None and m.sentiment.value == "negative"
    assert m.sentiment_by == stages[1].version and m.lang_by == stages[0].version
    assert m.story_id == "mastodon:1" and m.care == ["complaint"]
    assert enrich_history(store, default_stages()) == 0  # nothing left to redo


def test_enrich_pauses_the_collector_and_always_restores_it():
    class Failing:
        name, version = "failing", "1"

        def apply(self, mentions):  # type: ignore[no-untyped-def]
            assert not gc.isenabled()
            raise RuntimeError("stage failed")

    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        enrich([mention("1", "Bonjour")], [Failing()])
    assert gc.isenabled()
    gc.disable()
    try:
        enrich([mention("1", "Bonjour")], default_stages())
        assert not gc.isenabled()  # the caller's choice is kept
    finally:
        gc.enable()
