"""The matcher over every standing query: one table row per behaviour a user relies on."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from ecoute.model import Author, Mention, Query, Sentiment
from ecoute.query import QueryError, compile_matcher

T0 = datetime(2026, 5, 1, tzinfo=UTC)

# (query, text, matches?)
TEXT_CASES = [
    # terms, accents and case
    ("nestle", "Nestlé rappelle ses pizzas", True),
    ("Nestlé", "NESTLE rappelle ses pizzas", True),
    ("NESTLÉ", "chez nestle", True),
    ("nestle", "Nestlé’s new ad", True),
    ("creme brulee", "une crème brûlée", True),
    ("oeuf", "un Œuf cassé", True),
    ("sœur", "ma soeur", True),
    ("café", "Cafe\u0301 du matin", True),  # decomposed accents (macOS) fold the same
    # word boundaries
    ("apple", "I love pineapple", False),
    ("apple", "Apple's new phone", True),
    ("apple", "apples are red", False),
    ("apple", "#apple rocks", True),
    ("apple", "cc @apple", True),
    ("apple", "apple_support says hi", False),
    ("apple", "apple-watch", True),
    ("apple", "x'apple", False),
    ("avion", "l'avion est en retard", True),
    ("avion", "L’AVION est en retard", True),
    ("oreal", "L'Oréal Paris", True),
    ("L'Oréal", "l'oreal paris", True),
    ("aujourd'hui", "c'est aujourd’hui", True),
    ("hui", "c'est aujourd'hui", False),
    ("don't", "I don't like it", True),
    ("iphone 15", "iPhone-15 Pro", True),
    # phrases
    ('"service client"', "le Service  Client ne répond pas", True),
    ('"service client"', "le service après-vente, client mécontent", False),
    ('"service client"', "client service", False),
    ('"air france"', "#Air France encore en grève", True),
    ('"l\'oréal paris"', "L'Oréal-Paris", True),
    # wildcards
    ("fromag*", "Fromagerie du coin", True),
    ("fromag*", "du fromage", True),
    ("fromag*", "le bon formage", False),
    ("fromag*", "#fromages", True),
    ('"apple watch*"', "my Apple Watches", True),
    ('"apple watch*"', "my apple swatch", False),
    # hashtags and handles
    ("#apple", "#Apple rocks", True),
    ("#apple", "apple rocks", False),
    ("#apple", "@apple rocks", False),
    ("#apple", "pomme#apple", True),
    ("@sncf", "merci @SNCF", True),
    ("@sncf", "merci SNCF", False),
    ("#boycott*", "#BoycottNestle maintenant", True),
    ('"#nestle rappel"', "#nestle rappel", True),
    ('"#nestle rappel"', "nestle rappel", False),
    # emojis
    ("🔥", "trop bien🔥🔥🔥", True),
    ("🔥", "trop bien", False),
    ("👍", "ok 👍🏽", True),
    ("❤", "love ❤️ it", True),
    ("🇫🇷", "allez les bleus 🇫🇷", True),
    ("nestle AND 😡", "Nestlé 😡😡", True),
    ("nestle AND 😡", "Nestlé 😍", False),
    # exact case
    ("case:Orange", "Orange augmente ses prix", True),
    ("case:Orange", "une orange pressée", False),
    ("case:Orange", "ORANGE", False),
    ("case:Orange", "Orangé", True),  # case, not accents
    ('case:"Air France"', "air france", False),
    # AND, OR, NOT, parentheses
    ("nestle AND rappel", "rappel chez Nestlé", True),
    ("nestle rappel", "rappel chez Nestlé", True),
    ("nestle AND rappel", "Nestlé", False),
    ("nestle OR danone", "Danone", True),
    ("nestle OR danone", "Lactalis", False),
    ("nestle NOT emploi", "Nestlé recrute", True),
    ("nestle NOT emploi", "Nestlé emploi", False),
    ("NOT nestle", "Danone", True),
    ("NOT nestle", "Nestlé", False),
    ("(nestle OR danone) AND (rappel OR recall)", "Danone recall", True),
    ("(nestle OR danone) AND (rappel OR recall)", "Danone yogurt", False),
    ("nestle OR danone AND recall", "Nestlé yogurt", True),
    ("nestle AND NOT (emploi OR job)", "Nestlé job offer", False),
    ("a or b", "or", False),  # French "or" is a word here, so all three are needed
    ("or", "tout ce qui brille n'est pas or", True),
    # NEAR, English and French
    ("nestle NEAR/2 recall", "Nestle issues a recall", True),
    ("nestle NEAR/1 recall", "Nestle issues a recall", False),
    ("nestle NEAR/2 recall", "recall of Nestle pizzas", True),
    ("nestle NEAR/2f recall", "recall of Nestle pizzas", False),
    ("nestle NEAR/0 recall", "Nestlé's recall", True),
    ("nestle NEAR/3 rappel", "Nestlé annonce un rappel", True),
    ("nestle NEAR/3 rappel", "rappel massif chez Nestlé", True),
    ("nestle NEAR/3 rappel", "Nestlé, l'entreprise, annonce aujourd'hui un rappel", False),
    ("nestle NEAR/4 rappel", "Nestlé, l'entreprise, annonce aujourd'hui un rappel", True),
    ("nestle NEAR/0f rappel", "Nestlé: rappel!", True),
    ("nestle NEAR/0f rappel", "rappel: Nestlé!", False),
    ('"service client" NEAR/2 (nul OR honte)', "le service client est nul", True),
    ('"service client" NEAR/1 (nul OR honte)', "le service client est vraiment nul", False),
    ("(nestle OR danone) NEAR/1 (rappel OR recall)", "danone RAPPEL", True),
    ("nestle NEAR/1 🔥", "Nestlé 🔥", True),
    ("nestle NEAR/1 nestle", "Nestlé", False),  # needs two occurrences
    ("nestle NEAR/1 nestle", "Nestlé et Nestlé", True),
    ("nestle NEAR/2 #rappel", "nestle annonce #rappel", True),
    ("nestle NEAR/2 #rappel", "nestle annonce rappel", False),
    ("fromag* NEAR/1 lait", "fromagerie au lait cru", True),
    ("case:Orange NEAR/1 prix", "Orange: les prix", True),
    ("case:Orange NEAR/1 prix", "orange: les prix", False),
    ("nestle NEAR/2 rappel AND NOT emploi", "Nestlé rappel emploi", False),
]


@pytest.mark.parametrize(("expr", "text", "expected"), TEXT_CASES,
                         ids=[f"{e} | {t}" for e, t, _ in TEXT_CASES])  # fmt: skip
def test_query_matches_text_as_documented(expr, text, expected):
    matcher = compile_matcher([Query(name="q", expr=expr)])
    assert (matcher.match(text) == ["q"]) is expected


def mention(text: str = "Nestlé", **fields) -> Mention:
    author = Author(platform="mastodon", handle=fields.pop("handle", "@Alice@piaille.fr"),
                    followers=fields.pop("followers", None))  # fmt: skip
    return Mention(platform=fields.pop("platform", "mastodon"), native_id=fields.pop("id", "1"),
                   text=text, created_at=T0, collected_at=T0, author=author, **fields)  # fmt: skip


FIELD_CASES = [
    ("nestle AND lang:fr", {"lang": "fr"}, True),
    ("nestle AND lang:fr", {"lang": "fr-CA"}, True),
    ("nestle AND lang:fr", {"lang": "en"}, False),
    ("nestle AND lang:fr", {}, False),
    ("nestle AND NOT lang:fr", {}, True),
    ("nestle AND platform:mastodon", {}, True),
    ("nestle AND platform:bluesky", {}, False),
    ("nestle AND sentiment:negative", {"sentiment": Sentiment.NEGATIVE}, True),
    ("nestle AND sentiment:negative", {"sentiment": Sentiment.POSITIVE}, False),
    ("nestle AND followers:>1000", {"followers": 1001}, True),
    ("nestle AND followers:>1000", {"followers": 1000}, False),
    ("nestle AND followers:>=1k", {"followers": 1000}, True),
    ("nestle AND followers:<500", {"followers": 12}, True),
    ("nestle AND followers:>1000", {}, False),  # unknown audience is not "more than"
    ("author:alice", {}, False),  # the handle is alice@piaille.fr
    ("author:alice@piaille.fr", {}, True),
    ("author:ALICE*", {}, True),
    ("author:bob*", {}, False),
    ("lang:fr", {"lang": "fr"}, True),  # a query of filters alone looks at every post
    ("lang:fr OR nestle", {"lang": "en"}, True),
    ("(lang:fr OR lang:en) AND followers:>100", {"lang": "en", "followers": 200}, True),
]


@pytest.mark.parametrize(("expr", "fields", "expected"), FIELD_CASES,
                         ids=[f"{e} | {f}" for e, f, _ in FIELD_CASES])  # fmt: skip
def test_field_filter_reads_the_mention(expr, fields, expected):
    matcher = compile_matcher([Query(name="q", expr=expr)])
    [m] = matcher.tag([mention(**fields)])
    assert (m.queries == ["q"]) is expected


def test_country_filter_matches_only_where_the_country_is_known():
    class Located(Mention, kw_only=True):
        country: str | None = None

    base = msgspec.structs.asdict(mention("Nestlé"))
    matcher = compile_matcher([Query(name="fr", expr="nestle country:FR")])
    assert matcher.matches(Located(**base, country="fr")) == ["fr"]
    assert matcher.matches(Located(**base, country="BE")) == []
    assert matcher.matches(mention("Nestlé")) == []


def test_field_filters_never_match_a_plain_text():
    matcher = compile_matcher([Query(name="q", expr="nestle AND NOT lang:fr"),
                               Query(name="r", expr="nestle AND lang:fr")])  # fmt: skip
    assert matcher.match("Nestlé") == ["q"]


def test_texts_holding_the_same_words_are_answered_alike_only_when_the_words_decide():
    # match() remembers answers by the word conditions a text holds, but a query that
    # must look into the post (here, how far apart its words are) is asked every time.
    near = compile_matcher([Query(name="recall", expr="nestle NEAR/1 rappel")])
    assert near.match("Nestlé annonce un rappel") == []
    assert near.match("Nestlé rappel") == ["recall"]
    assert near.match("Nestlé annonce un rappel") == []
    plain = compile_matcher([Query(name="brand", expr="nestle AND NOT danone"),
                             Query(name="rival", expr="danone")])  # fmt: skip
    for _ in range(2):  # the second time from what was remembered
        assert plain.match("Nestlé, vraiment") == ["brand"]
        assert plain.match("nestle ou Danone ?") == ["rival"]
        assert plain.match("rien") == []
    assert plain.match("Nestlé, vraiment") is not plain.match("Nestlé, vraiment")  # copies


def test_tag_sets_every_matching_query_in_query_order():
    queries = [
        Query(name="z-crisis", expr="nestle AND (rappel OR recall)"),
        Query(name="a-brand", expr="nestle OR #nestle"),
        Query(name="m-rival", expr="danone"),
        Query(name="b-care", expr='"service client"'),
    ]
    batch = [mention("#Nestlé rappel, pas Danone", id="1"), mention("Rien à voir", id="2")]
    compile_matcher(queries).tag(batch)
    assert batch[0].queries == ["z-crisis", "a-brand", "m-rival"]
    assert batch[1].queries == []


def test_tag_leaves_tombstones_alone():
    gone = mention("", id="9", is_deleted=True, queries=["old"])
    compile_matcher([Query(name="q", expr="NOT nestle")]).tag([gone])
    assert gone.queries == ["old"]


def test_shared_terms_across_queries_are_found_for_each():
    queries = [Query(name=f"q{i}", expr=expr) for i, expr in enumerate(
        ["nestle", "#nestle", "nestle*", '"nestle waters"', "nestle NEAR/1 waters",
         "case:Nestle", "nestle AND waters", "NOT nestle"])]  # fmt: skip
    matcher = compile_matcher(queries)
    assert matcher.match("#Nestle Waters") == [f"q{i}" for i in range(7)]
    assert matcher.match("nestlé waters") == ["q0", "q2", "q3", "q4", "q6"]
    assert matcher.match("nestleé") == ["q2", "q7"]


def test_invalid_query_is_named_with_its_position():
    with pytest.raises(QueryError) as caught:
        compile_matcher([Query(name="ok", expr="nestle"), Query(name="bad", expr="nestle AND")])
    assert caught.value.query == "bad"
    assert caught.value.position == 10
    assert str(caught.value).startswith("query 'bad': at position 10:")


def test_two_queries_with_one_name_are_refused():
    with pytest.raises(QueryError, match="used by two queries"):
        compile_matcher([Query(name="q", expr="a"), Query(name="q", expr="b")])


def test_no_query_matches_nothing():
    assert compile_matcher([]).match("Nestlé") == []


def test_long_and_hostile_texts_are_matched_safely():
    matcher = compile_matcher([Query(name="q", expr="nestle NEAR/3 rappel")])
    text = ("'" * 5000) + " l'" * 5000 + "#@" * 5000 + " Nestlé " + "🔥" * 5000 + " rappel"
    assert matcher.match(text) == []
    assert matcher.match("x " * 50_000 + "Nestlé rappel") == ["q"]


def test_what_the_matcher_remembers_never_changes_an_answer(monkeypatch):
    queries = [Query(name=f"q{i}", expr=expr) for i, (expr, _, _) in enumerate(TEXT_CASES)]
    texts = [text for _, text, _ in TEXT_CASES]
    expected = [compile_matcher(queries).match(text) for text in texts]  # each read afresh
    assert sum(map(len, expected)) > len(texts)
    # A tiny memory: long chunks are never kept and the rest is forgotten every few chunks.
    monkeypatch.setattr("ecoute.query.matcher.MAX_REMEMBERED", 3)
    monkeypatch.setattr("ecoute.query.matcher.LONGEST_REMEMBERED", 6)
    matcher = compile_matcher(queries)
    for _ in range(2):
        assert [matcher.match(text) for text in texts] == expected
