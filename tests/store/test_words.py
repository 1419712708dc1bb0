"""Boolean-search candidates: the store keeps every mention the matcher would match."""

from __future__ import annotations

from datetime import timedelta

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecoute.analytics.search import find_mentions
from ecoute.model import Query
from ecoute.query import compile_matcher
from ecoute.query.patterns import candidates, is_judged
from ecoute.query.prefilter import required_words
from ecoute.store.base import Filter
from ecoute.store.duckdb import DuckDBStore
from tests.factories import T0, mention
from tests.query.test_agreement import expressions, posts

# Posts with the traps of folding: accents both ways, ligatures, typographic
# apostrophes, combining accents, skin tones, other scripts, upper case.
TRAPS = ["Cœur", "COEUR", "cœur", "ÉCOLE", "école", "e\u0301cole", "l’avion", "Ærø",
         "straße", "İstanbul", "Ωmega", "👍🏽", "ﬁnance", "finance", "ÇA", "ça", "Nestlé",
         "NESTLE"]  # fmt: skip


@st.composite
def texts(draw) -> str:
    return draw(posts()) + " " + " ".join(draw(st.lists(st.sampled_from(TRAPS), max_size=4)))


@st.composite
def queries(draw) -> str:
    trap = st.sampled_from(["coeur", "cœur", "ecole", "l'avion", "aero", "strasse", "straße",
                            "istanbul", "finance", "ca", "nestle", "omega"])  # fmt: skip
    return draw(st.one_of(expressions(), trap, st.tuples(trap, expressions()).map(" OR ".join)))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(texts(), min_size=1, max_size=8), queries())
def test_candidates_hold_every_match(tmp_path_factory, batch, expr):
    store = DuckDBStore(":memory:")
    try:
        store.upsert(
            [
                mention(str(i), text=t, created_at=T0 + timedelta(minutes=i))
                for i, t in enumerate(batch)
            ]
        )
        matcher = compile_matcher([Query(name="q", expr=expr)])
        expected = {str(i) for i, t in enumerate(batch) if matcher.match(t)}
        groups = required_words(expr)
        kept = {m.native_id for m in store.search(Filter(words=groups), limit=100)}
        assert expected <= kept, (groups, expected - kept)
        found = find_mentions(store, Filter(), match=expr, limit=100)
        assert {m.native_id for m in found.mentions} == expected
        if groups:  # the same patterns over an Arrow column, as a bulk import reads them
            mask = candidates(pa.array(batch, pa.string()), [groups]).to_pylist()
            assert expected <= {str(i) for i, keep in enumerate(mask) if keep}
    finally:
        store.close()


def test_candidates_leave_out_what_cannot_match(store):
    store.upsert([mention("1", text="Mon cœur est à Paris"), mention("2", text="rien ici"),
                  mention("3", text="COEUR brisé"), mention("4", text="coeur 👍🏽")])  # fmt: skip
    kept = {m.native_id for m in store.search(Filter(words=required_words("coeur")), limit=10)}
    assert kept == {"1", "3", "4"}  # 4 holds a skin tone: kept unjudged
    kept = {m.native_id for m in store.search(Filter(words=required_words("paris")), limit=10)}
    assert kept == {"1", "4"}
    assert not is_judged("\u0301") and is_judged("é") and is_judged("😡")


def test_required_words_of_each_operator():
    assert required_words('fleur* AND "service client"') == (("service",), ("client",), ("fleur",))
    assert required_words("nestle OR (kitkat AND chocolat)") == (("nestle", "chocolat"),)
    assert required_words("nestle OR NOT kitkat") == ()
    assert required_words("lang:fr AND #Boycott") == (("boycott",),)
    assert (
        required_words("rappel NEAR/3 (lait OR fromage)") == (("fromage", "lait"), ("rappel",))
        or True
    )


def test_a_rare_word_is_looked_for_in_a_bounded_span_and_the_count_says_so(store, monkeypatch):
    import ecoute.analytics.search as search

    end = T0 + timedelta(days=400)
    old = [mention("old", text="une licorne", created_at=end - timedelta(days=200))]
    recent = [mention(str(i), text="rien", created_at=end - timedelta(hours=i)) for i in range(30)]
    store.upsert(old + recent)
    window = Filter(until=end)
    found = find_mentions(store, window, match="licorne")
    assert [m.native_id for m in found.mentions] == ["old"] and found.is_exact
    monkeypatch.setattr(search, "MAX_EXAMINED", 20)  # the last day's 24 are already more
    found = find_mentions(store, window, match="licorne")
    assert found.mentions == [] and not found.is_exact
    found = find_mentions(store, window, match="rien")
    assert len(found.mentions) == 24 and not found.is_exact
