"""The fast sentiment tier on posts written for the purpose, in French and English."""

from __future__ import annotations

import pytest

from ecoute.enrich.lexicon import score
from ecoute.enrich.linear import Batch
from ecoute.enrich.sentiment import FastSentiment, SentimentStage
from ecoute.enrich.tokens import tokenize
from ecoute.model import Sentiment
from tests.factories import mention

NEG, NEU, POS = Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE


@pytest.fixture(scope="module")
def fast() -> FastSentiment:
    return FastSentiment()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Franchement ce service client est nul, trois semaines sans réponse 😡", NEG),
        ("Je n'aime pas du tout la nouvelle version", NEG),
        ("Le service est pas terrible depuis la mise à jour", NEG),
        ("NUUUUL !!! Plus jamais je commande chez vous", NEG),
        ("Trop bien le concert hier soir 😍😍", POS),
        ("Merci pour la livraison super rapide, au top 👍", POS),
        ("This update is terrible, the app crashes all the time", NEG),
        ("I don't like the new design at all", NEG),
        ("Absolutely love my new headphones ❤️", POS),
        ("not bad at all, the support fixed it in ten minutes :)", POS),
    ],
)
def test_clear_posts_get_their_obvious_label(fast, text, expected):
    assert fast.judge([text])[0].label is expected


def test_negation_turns_praise_into_criticism(fast):
    plain, negated = fast.judge(["Ce produit est bon", "Ce produit n'est pas bon du tout"])
    assert negated.score < plain.score
    assert any(why.startswith("negation") for why in negated.explanation)


def test_pas_terrible_and_not_bad_are_read_as_phrases():
    assert score(tokenize("pas terrible")).total < 0
    assert score(tokenize("not bad")).total > 0


def test_emoji_alone_sets_the_tone(fast):
    angry, happy = fast.judge(["😡😡😡", "🥰🥰🥰"])
    assert angry.label is NEG and happy.label is POS
    assert "😡(-2.0)" in angry.explanation


def test_elongation_and_capitals_strengthen_a_word():
    assert score(tokenize("NUUUUL")).total < score(tokenize("nul")).total


def test_irony_marker_is_flagged_in_the_explanation(fast):
    verdict = fast.judge(["Génial, encore une panne de réseau #ironie 🙃"])[0]
    assert "irony: #ironie" in verdict.explanation
    assert verdict.label is not POS


def test_contrast_gives_the_last_clause_more_weight():
    assert score(tokenize("nice app but it is useless")).total < 0


def test_score_is_bounded_and_order_is_kept(fast):
    texts = ["super", "nul", "Le colis est arrivé mardi.", ""]
    verdicts = fast.judge(texts)
    assert len(verdicts) == len(texts)
    assert all(-1 <= v.score <= 1 for v in verdicts)
    assert verdicts[0].label is POS and verdicts[1].label is NEG


def test_stage_stamps_tier_and_model_version():
    stage = SentimentStage()
    m = mention(text="Quelle arnaque, je veux être remboursé")
    stage.apply([m])
    assert m.sentiment is NEG
    assert m.sentiment_by == stage.version
    assert stage.version.startswith("fast/")
    assert m.sentiment_explanation


def test_a_batch_is_judged_as_each_post_alone(fast):
    texts = [
        "Franchement nul nul nul, service client nul 😡",
        "Ce produit n'est pas bon du tout",
        "Absolutely love my new headphones ❤️ love love",
        "Le colis est arrivé mardi.",
        "",
        "😍",
    ]
    together = fast.judge(texts)
    alone = [fast.judge([t])[0] for t in texts]
    assert [(v.label, v.score, v.explanation) for v in together] == [
        (v.label, v.score, v.explanation) for v in alone
    ]


def test_explanation_names_the_words_the_model_leaned_on(fast):
    verdict = fast.judge(["Quelle arnaque, service client nul et injoignable"])[0]
    assert verdict.label is NEG
    leaned = [why for why in verdict.explanation if why.startswith("model: ")]
    assert len(leaned) == 1 and 1 <= len(leaned[0].removeprefix("model: ").split(", ")) <= 3


def test_batch_keeps_each_known_feature_once_per_post():
    batch = Batch.distinct([3, 1, 3, -1, 2, 2], [4, 2], vocabulary=5)
    assert batch.flat.tolist() == [1, 3, 2]
    assert batch.owner.tolist() == [0, 0, 1]
