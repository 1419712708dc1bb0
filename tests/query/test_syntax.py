"""The query language's parser: what it builds and how it reports mistakes."""

from __future__ import annotations

import pytest

from ecoute.query import QueryError, parse
from ecoute.query.haystack import Word
from ecoute.query.syntax import And, Field, Near, Not, Or, Term


def term(*words: str, prefix: bool = False) -> tuple[tuple[Word, ...], bool]:
    return tuple(Word(w.lstrip("#@"), w[0] if w[0] in "#@" else "") for w in words), prefix


def shape(node):
    """The tree without positions, to compare with the expected one."""
    if isinstance(node, Term):
        return ("case" if node.exact_case else "term", node.words, node.prefix)
    if isinstance(node, Near):
        return ("near", tuple(shape(t) for t in node.left), tuple(shape(t) for t in node.right),
                node.distance, node.ordered)  # fmt: skip
    if isinstance(node, Not):
        return ("not", shape(node.child))
    if isinstance(node, And | Or):
        return (type(node).__name__.lower(), tuple(shape(c) for c in node.children))
    assert isinstance(node, Field)
    return ("field", node.name, node.op, node.value if node.name != "followers" else node.number)


def t(*words: str, prefix: bool = False, case: bool = False):
    ws, p = term(*words, prefix=prefix)
    return ("case" if case else "term", ws, p)


PARSES = [
    ("Nestlé", t("nestle")),
    ("NESTLÉ", t("nestle")),
    ('"service client"', t("service", "client")),
    ("coca-cola", t("coca", "cola")),
    ("L'Oréal", t("oreal")),
    ("aujourd'hui", t("aujourd'hui")),
    ("fromag*", t("fromag", prefix=True)),
    ('"apple watch*"', t("apple", "watch", prefix=True)),
    ("#apple", t("#apple")),
    ("@nestle_fr", t("@nestle_fr")),
    ("🔥", t("🔥")),
    ("👍🏽", t("👍")),
    ("case:Orange", t("Orange", case=True)),
    ('case:"Air France"', t("Air", "France", case=True)),
    ("a b", ("and", (t("a"), t("b")))),
    ("a AND b", ("and", (t("a"), t("b")))),
    ("a or b", ("and", (t("a"), t("or"), t("b")))),  # lower-case "or" is the French word
    ("a OR b AND c", ("or", (t("a"), ("and", (t("b"), t("c")))))),
    ("(a OR b) c", ("and", (("or", (t("a"), t("b"))), t("c")))),
    ("NOT a", ("not", t("a"))),
    ("a NOT b", ("and", (t("a"), ("not", t("b"))))),
    ("NOT NOT a", ("not", ("not", t("a")))),
    ("a NEAR/3 b", ("near", (t("a"),), (t("b"),), 3, False)),
    ("a NEAR/0f b", ("near", (t("a"),), (t("b"),), 0, True)),
    ('(a OR b) NEAR/2 (c OR "d e")', ("near", (t("a"), t("b")), (t("c"), t("d", "e")), 2, False)),
    ("NOT a NEAR/2 b", ("not", ("near", (t("a"),), (t("b"),), 2, False))),
    ("lang:FR", ("field", "lang", "=", "fr")),
    ("author:@Nestle", ("field", "author", "=", "nestle")),
    ("platform:mastodon", ("field", "platform", "=", "mastodon")),
    ("sentiment:Negative", ("field", "sentiment", "=", "negative")),
    ("country:fr", ("field", "country", "=", "FR")),
    ("followers:>1000", ("field", "followers", ">", 1000)),
    ("followers:>=10k", ("field", "followers", ">=", 10_000)),
    ("followers:<1.5M", ("field", "followers", "<", 1_500_000)),
]


@pytest.mark.parametrize(("expr", "expected"), PARSES, ids=[p[0] for p in PARSES])
def test_expression_parses_to_the_expected_tree(expr, expected):
    assert shape(parse(expr)) == expected


ERRORS = [
    ("", 0, "the query is empty"),
    ("   ", 3, "the query is empty"),
    ("nestle AND", 10, "expected a term"),
    ("AND nestle", 0, "found 'AND'"),
    ("nestle OR OR danone", 10, "found 'OR'"),
    ("(nestle OR danone", 17, "expected ')' to close the '(' at position 0"),
    ("nestle)", 6, "closes no '('"),
    ("()", 1, "empty parentheses"),
    ('nestle "rappel', 7, "never closed"),
    ("langue:fr", 0, "unknown field 'langue'"),
    ("lang:", 5, "expected a value after lang:"),
    ("sentiment:angry", 10, "positive, neutral or negative"),
    ("followers:1000", 10, "expected a comparison and a number"),
    ("followers:>lots", 10, "expected a comparison and a number"),
    ("country:France", 8, "two-letter country code"),
    ("nestle NEAR/x rappel", 7, "expected a distance"),
    ("nestle NEAR/500 rappel", 7, "at most 100"),
    ("(a AND b) NEAR/3 c", 0, "on this side of NEAR"),
    ("a NEAR/3 NOT b", 9, "found 'NOT'"),
    ("a NEAR/2 b NEAR/2 c", 11, "NEAR joins two sides only"),
    ("f*", 1, "at least 2 letters"),
    ("fro*mage", 3, "may only end a term"),
    ('"fro* mage"', 4, "may only end a term"),
    ("-palm", 0, "write NOT palm"),
    ("!!!", 0, "has no word in it"),
    ('""', 1, "has no word in it"),
    ("platform:mast*", 9, "wildcard may only end an author:"),
]


@pytest.mark.parametrize(
    ("expr", "position", "message"), ERRORS, ids=[e[0] or "empty" for e in ERRORS]
)
def test_syntax_error_points_at_the_position_and_says_what_was_expected(expr, position, message):
    with pytest.raises(QueryError) as caught:
        parse(expr)
    assert caught.value.position == position
    assert message in str(caught.value)


def test_error_pointer_puts_a_caret_under_the_position():
    with pytest.raises(QueryError) as caught:
        parse("nestle AND (rappel OR")
    assert caught.value.pointer() == "nestle AND (rappel OR\n" + " " * 21 + "^"


def test_deep_nesting_is_refused_not_a_crash():
    with pytest.raises(QueryError, match="nests deeper"):
        parse("(" * 500 + "a" + ")" * 500)
    with pytest.raises(QueryError, match="nests deeper"):
        parse("NOT " * 500 + "a")


def test_overlong_query_is_refused():
    with pytest.raises(QueryError, match="limited to"):
        parse("a " * 6000)
