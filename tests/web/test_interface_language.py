"""French and English interfaces: chosen from Accept-Language, switched with ?lang=."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from ecoute.web.messages import MESSAGES, Translator, negotiate_locale


def test_french_readers_get_the_french_interface(client: TestClient) -> None:
    response = client.get("/?period=all", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})

    html = response.text
    assert response.headers["content-language"] == "fr"
    assert "Accept-Language" in response.headers["vary"]
    assert '<html lang="fr" data-tz="UTC">' in html
    assert "Vue d’ensemble de l’écoute" in html
    assert "Tonalité nette" in html
    assert "Mentions par jour selon la tonalité, du 1 juin 2024 au 10 juin 2024" in html
    assert "10 juin 2024 à 11:00" in html
    assert "−43" in html  # net sentiment, with a true minus sign
    for label in ("Négative", "Neutre", "Positive", "Non analysée", "Jour (UTC)"):
        assert label in html
    assert "Latest mentions" not in html


def test_english_readers_get_the_english_interface(client: TestClient) -> None:
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).text

    assert '<html lang="en" data-tz="UTC">' in html
    assert "Listening overview" in html
    assert "10 Jun 2024, 11:00" in html
    assert "Tonalité nette" not in html


def test_the_switch_wins_over_the_browser_and_keeps_the_filters(client: TestClient) -> None:
    response = client.get(
        "/?lang=en&platform=bluesky&sentiment=negative", headers={"Accept-Language": "fr"}
    )

    html = response.text
    assert "Listening overview" in html
    switch = re.search(r'<a href="([^"]+)" lang="fr" hreflang="fr">FR</a>', html)
    assert switch is not None
    assert switch.group(1) == "/?lang=fr&amp;platform=bluesky&amp;sentiment=negative"
    # The chosen language rides along when the filters are applied again.
    assert '<input type="hidden" name="lang" value="en">' in html


def test_an_unknown_switch_value_falls_back_to_the_browser(client: TestClient) -> None:
    html = client.get("/?lang=de", headers={"Accept-Language": "fr"}).text

    assert '<html lang="fr" data-tz="UTC">' in html
    assert 'name="lang"' not in html


def test_error_messages_are_translated(client: TestClient) -> None:
    html = client.get("/?lang=fr&since=hier").text

    assert "Du : « hier » n’est pas une date comme 2024-05-31." in html


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("fr", "fr"),
        ("fr-CA", "fr"),
        ("de-DE,de;q=0.9", "en"),
        ("de,fr;q=0.7,en;q=0.3", "fr"),
        ("en;q=0.5, fr;q=0.9", "fr"),
        ("fr;q=0, en", "en"),
        ("en, fr", "en"),
        ("FR;q=0.8, es", "fr"),
        ("fr;q=bogus, en;q=0.1", "en"),
        ("*", "en"),
    ],
)
def test_accept_language_is_negotiated(header: str | None, expected: str) -> None:
    assert negotiate_locale(None, header) == expected


def test_both_catalogues_say_the_same_things() -> None:
    english, french = MESSAGES["en"], MESSAGES["fr"]

    assert set(english) == set(french)
    for key in english:
        names = [f[1] for f in string.Formatter().parse(english[key]) if f[1]]
        assert sorted(names) == sorted(
            f[1] for f in string.Formatter().parse(french[key]) if f[1]
        ), key


def test_numbers_and_times_follow_the_locale() -> None:
    en, fr = Translator("en"), Translator("fr")
    moment = datetime(2024, 8, 2, 7, 5, tzinfo=UTC)

    assert en.number(1234567) == "1,234,567"
    assert fr.number(1234567) == "1\u202f234\u202f567"
    assert en.percent(0.456) == "46%"
    assert fr.percent(0.056) == "5,6\u202f%"
    assert en.percent(0.0004) == "<0.1%"
    assert en.percent(0) == "0%"
    assert en.moment(moment) == "2 Aug 2024, 07:05"
    assert fr.moment(moment) == "2 août 2024 à 07:05"
    assert fr.language("en") == "anglais"
    assert en.language("xx") == "xx"
    assert fr.sentiment("negative") == "Négative"
    paris = Translator("fr", ZoneInfo("Europe/Paris"))
    # Summer time in Paris is UTC+2: the reader sees their own clock.
    assert paris.moment(moment) == "2 août 2024 à 09:05"
    assert paris("times_in_utc") == "Les heures sont à l’heure de Europe/Paris."
    assert fr.signed(-42.9) == "−43"
    assert en.decimal(1234.5, 2) == "1,234.50"
    assert fr.decimal(1234.5, 2) == "1\u202f234,50"
