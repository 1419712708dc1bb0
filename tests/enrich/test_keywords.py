"""Keywords: tags, handles, sites, emojis and lemmas; emerging terms over two periods."""

from __future__ import annotations

from ecoute.enrich.keywords import KeywordStage, emerging_terms, extract_keywords
from tests.factories import mention


def test_french_keywords_are_lemmatised_without_stop_words():
    found = extract_keywords(
        "Les livraisons de @SNCF sont en retard 😡 #greve https://www.sncf.com/x", "fr"
    )
    assert found[:4] == ["@sncf", "😡", "#greve", "sncf.com"]
    assert "livraison" in found and "retard" in found
    assert not {"les", "de", "sont", "en"} & set(found)


def test_english_keywords_are_lemmatised():
    found = extract_keywords("The deliveries were delayed again", "en")
    assert "delivery" in found and "the" not in found


def test_unknown_language_keeps_words_as_written():
    assert "pedido" in extract_keywords("mi pedido no llega", None)


def test_stage_uses_the_mention_language():
    m = mention(text="Les chevaux galopent", lang="fr")
    KeywordStage().apply([m])
    assert "cheval" in m.keywords and m.keywords_by == KeywordStage.version


def test_emerging_terms_rank_what_rose():
    baseline = [["livraison"], ["livraison", "prix"], ["prix"]] * 10
    recent = [["panne", "livraison"], ["panne"], ["panne", "prix"], ["livraison"]]
    found = emerging_terms(recent, baseline, min_count=2)
    assert found[0].term == "panne"
    assert "prix" not in [e.term for e in found]
