"""Language detection on short social posts: French and English precisely, others named."""

from __future__ import annotations

import pytest

from ecoute.enrich.language import LanguageStage, detect_language
from tests.factories import mention


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("la SNCF encore en retard ce matin", "fr"),
        ("Merci !", "fr"),
        ("c'est pas le colis que j'ai commandé", "fr"),
        ("the app is down again", "en"),
        ("Thanks!", "en"),
        ("@user I can't log in since yesterday http://t.co/x", "en"),
        ("¿Dónde está mi pedido? Llevo una semana esperando", "es"),
        ("Il servizio clienti non risponde da giorni, che vergogna", "it"),
        ("Ich habe das Paket immer noch nicht bekommen", "de"),
        ("Спасибо за быструю доставку", "ru"),
        ("配送が遅すぎる", "ja"),
    ],
)
def test_language_is_named(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "👍👍", "http://example.com", "@someone", "42"])
def test_post_without_letters_gets_no_language(text):
    assert detect_language(text) is None


def test_network_label_is_kept():
    m = mention(text="the app is down again", lang="de", lang_by="source")
    other = mention(native_id="2", text="la livraison est arrivée en avance")
    LanguageStage().apply([m, other])
    assert (m.lang, m.lang_by) == ("de", "source")
    assert other.lang == "fr" and other.lang_by == LanguageStage.version


def test_shared_french_and_english_tweets_are_recognised(shared):
    for lang in ("fr", "en"):
        lines = (shared / f"data/sentiment/{lang}/val.tsv").read_text("utf-8").splitlines()[1:]
        found = [detect_language(line.split("\t", 1)[1]) for line in lines]
        assert found.count(lang) / len(found) > 0.95


def test_long_article_is_judged_on_its_opening():
    article = "Hola a todos, hoy hablamos del nuevo servicio de entregas en Madrid. " * 2000
    assert detect_language(article) == "es"
