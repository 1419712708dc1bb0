"""Stages of one chain cut and fold each post once per batch, and still work alone."""

from __future__ import annotations

from ecoute.enrich.care import CareStage
from ecoute.enrich.duplicates import DuplicateStage
from ecoute.enrich.keywords import KeywordStage, extract_keywords
from ecoute.enrich.sentiment import SentimentStage
from ecoute.enrich.tokens import URL, WORD, BatchText, tokenize
from ecoute.text import fold
from tests.factories import mention

POSTS = [
    "Colis toujours pas livré, service client injoignable 😡 #arnaque",
    "Thanks @acme, the refund arrived in two days 👏",
    "",
]


def counting(shared: BatchText) -> dict[str, int]:
    calls = {"tokenize": 0, "fold": 0}

    def tokens(text: str):  # type: ignore[no-untyped-def]
        calls["tokenize"] += 1
        return tokenize(text)

    def folded(text: str) -> str:
        calls["fold"] += 1
        return fold(text)

    shared._tokens.compute = tokens
    shared._folded.compute = folded
    return calls


def test_chain_tokenizes_and_folds_each_post_once_per_batch():
    shared = BatchText()
    calls = counting(shared)
    mentions = [mention(str(i), t) for i, t in enumerate(POSTS)]
    stages = [SentimentStage(text=shared), KeywordStage(text=shared), CareStage(text=shared),
              DuplicateStage(text=shared)]  # fmt: skip
    for stage in stages:
        stage.apply(mentions)
    assert calls == {"tokenize": len(POSTS), "fold": len(POSTS)}
    assert "complaint" in mentions[0].care and "#arnaque" in mentions[0].keywords


def test_text_changed_between_stages_is_read_afresh():
    shared = BatchText()
    m = mention("1", "Livraison en retard, colis perdu")
    SentimentStage(text=shared).apply([m])
    m.text = "Super concert hier soir #festival"
    KeywordStage(text=shared).apply([m])
    assert m.keywords == extract_keywords(m.text, m.lang)
    assert "#festival" in m.keywords


def test_next_batch_is_not_answered_from_the_last_one():
    shared = BatchText()
    first = [mention("1", "Merci pour la livraison rapide")]
    second = [mention("2", "Where is my refund? Still waiting")]
    KeywordStage(text=shared).apply(first)
    KeywordStage(text=shared).apply(second)
    assert "refund" in second[0].keywords and "livraison" not in second[0].keywords


def test_a_surface_keeps_the_kind_its_context_gives():
    # "https" alone is a link cut short; before a colon it is a word. Tokens are cached
    # per surface, so the cache must not let the first reading decide the second.
    assert [t.kind for t in tokenize("https")] == [URL]
    assert [t.kind for t in tokenize("https: x")] == [WORD, WORD]
    assert [t.kind for t in tokenize("https")] == [URL]
