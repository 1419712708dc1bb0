"""The stream matcher, history search and a plain reading of the language agree.

The oracle below cuts each post into words (haystack.cut) and evaluates each
query's tree over that word list, one query at a time: the obvious reading of
docs/queries.md. The matcher cuts chunk by chunk and remembers each chunk's
words, compiles all queries together and looks only at those whose clauses
hold; history search compiles one query at a time. Hypothesis looks for a
post and a set of queries where any two differ.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecoute.model import Author, Mention, Query, Sentiment
from ecoute.query import compile_matcher, match_history, parse
from ecoute.query.haystack import bare, cut, normalize, sigil
from ecoute.query.matcher import _field_test
from ecoute.query.syntax import And, Field, Near, Node, Not, Or, Term

T0 = datetime(2026, 5, 1, tzinfo=UTC)

# Few words, so that generated queries and posts meet often, with the traps:
# accents, case, elisions, possessives, prefixes of one another, emojis.
WORDS = ["nestle", "Nestlé", "NESTLE", "nest", "nestles", "rappel", "Rappel", "recall",
         "l'avion", "avion", "aujourd'hui", "hui", "apple's", "apple", "pineapple",
         "or", "café", "cafe", "😡", "🔥", "🇫🇷", "x", "s"]  # fmt: skip
GLUE = [" ", " ", " ", ", ", "-", "'", "’", "#", " #", " @", "@", "!", "\n", "", "  ", "👍🏽"]
TERM_WORDS = ["nestle", "Nestlé", "nest", "rappel", "recall", "avion", "aujourd'hui",
              "apple", "or", "cafe", "😡", "🔥", "🇫🇷", "l'avion", "apple's"]  # fmt: skip


@st.composite
def posts(draw) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(GLUE), st.sampled_from(WORDS)), max_size=12))
    return "".join(g + w for g, w in parts) + draw(st.sampled_from(GLUE))


@st.composite
def terms(draw) -> str:
    words = draw(st.lists(st.sampled_from(TERM_WORDS), min_size=1, max_size=3))
    words[0] = draw(st.sampled_from(["", "", "", "#", "@"])) + words[0]
    text = " ".join(words)
    if draw(st.booleans()) and words[-1].isalpha() and len(words[-1]) >= 3:
        text = text[:-1] + "*" if len(words[-1]) > 3 else text + "*"
    if len(words) > 1 or draw(st.booleans()):
        text = f'"{text}"'
    if draw(st.integers(0, 5)) == 0:
        text = f"case:{text}"
    return text


def expressions() -> st.SearchStrategy[str]:
    fields = st.sampled_from(["lang:fr", "followers:>100", "sentiment:negative", "author:bob*"])
    leaves = st.one_of(terms(), terms(), terms(), fields)

    def extend(children):
        near = st.tuples(terms(), st.integers(0, 4), st.booleans(), terms()).map(
            lambda t: f"{t[0]} NEAR/{t[1]}{'f' if t[2] else ''} {t[3]}"
        )
        return st.one_of(
            st.tuples(children, st.sampled_from([" AND ", " OR ", " "]), children).map(
                lambda t: f"({t[0]}{t[1]}{t[2]})"
            ),
            children.map(lambda c: f"NOT {c}"),
            near,
        )

    return st.recursive(leaves, extend, max_leaves=6)


class Words:
    def __init__(self, text: str) -> None:
        tokens = cut(normalize(text))
        self.cased = [bare(t) for t in tokens]
        self.folded = [w.lower() for w in self.cased]
        self.sigils = [sigil(t) for t in tokens]


def spans(term: Term, post: Words) -> list[tuple[int, int]]:
    seq = post.cased if term.exact_case else post.folded
    n = len(term.words)
    found = []
    for i in range(len(seq) - n + 1):
        for k, word in enumerate(term.words):
            here = seq[i + k]
            last_prefix = term.prefix and k == n - 1
            if not (here.startswith(word.text) if last_prefix else here == word.text):
                break
            if word.sigil and post.sigils[i + k] != word.sigil:
                break
        else:
            found.append((i, i + n - 1))
    return found


def oracle(node: Node, post: Words, mention: Mention) -> bool:
    if isinstance(node, Term):
        return bool(spans(node, post))
    if isinstance(node, And):
        return all(oracle(c, post, mention) for c in node.children)
    if isinstance(node, Or):
        return any(oracle(c, post, mention) for c in node.children)
    if isinstance(node, Not):
        return not oracle(node.child, post, mention)
    if isinstance(node, Field):
        return _field_test(node)(mention)
    assert isinstance(node, Near)
    lefts = [s for t in node.left for s in spans(t, post)]
    rights = [s for t in node.right for s in spans(t, post)]
    return any(
        (b < c and c - b - 1 <= node.distance)
        or (not node.ordered and d < a and a - d - 1 <= node.distance)
        for a, b in lefts
        for c, d in rights
    )


def make_mention(i: int, text: str, lang: str, followers: int | None) -> Mention:
    return Mention(
        platform="mastodon", native_id=str(i), text=text, created_at=T0, collected_at=T0,
        author=Author(platform="mastodon", handle="bobby" if i % 2 else "alice",
                      followers=followers),
        lang=lang, sentiment=Sentiment.NEGATIVE if i % 3 == 0 else Sentiment.POSITIVE,
    )  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    exprs=st.lists(expressions(), min_size=1, max_size=8),
    texts=st.lists(
        st.tuples(posts(), st.sampled_from(["fr", "en"]), st.sampled_from([None, 50, 5000])),
        min_size=1,
        max_size=8,
    ),
)
def test_stream_history_and_oracle_agree(exprs, texts):
    queries = [Query(name=f"q{i}", expr=e) for i, e in enumerate(exprs)]
    batch = [make_mention(i, *t) for i, t in enumerate(texts)]
    compile_matcher(queries).tag(batch)
    for q in queries:
        tree = parse(q.expr)
        expected = [m.key for m in batch if oracle(tree, Words(m.text), m)]
        streamed = [m.key for m in batch if q.name in m.queries]
        assert streamed == expected, (q.expr, [m.text for m in batch])
        assert match_history([batch[:3], batch[3:]], q) == expected


@settings(max_examples=300, deadline=None)
@given(text=posts(), term=terms())
def test_one_term_agrees_with_the_oracle(text, term):
    tree = parse(term)
    post = Words(text)
    found = compile_matcher([Query(name="q", expr=term)]).match(text) == ["q"]
    assert found == oracle(tree, post, make_mention(0, text, "fr", None)), (term, text)
