"""One matcher for all standing queries, run on every batch at ingest.

Reading a post. Its text is split on white space (in C); every chunk is cut
into words exactly as haystack says, and each word is looked up once in a
table of the *word conditions* that the query terms ask for: "nestle", "#nestle",
"Orange" in exact case, the prefix "contamin". A chunk's answer is remembered:
real text is made of few distinct chunks, so most posts are read with a few
dictionary look-ups done in C, and normalizing and cutting are paid once per
new chunk. A single-word term is found when its condition is; a phrase, when
its words are found in a row; NEAR counts word positions, which are only
gathered for the posts that need them.

Picking the queries. Each query is also reduced to *clauses* that must hold
for it to match: sets of terms one of which must occur (``a AND (b OR c)``
needs {a} and {b, c}; ``a OR (b AND c)`` needs {a, b} and {a, c}; NOT and
field filters need nothing). A query is filed under each term of its rarest
clause, with its next rarest clause, rarity being how many queries share
their terms: it is looked at only when one of those terms occurred and the
second clause holds (one set operation in C). A query made only of AND and
OR over terms is exactly its clauses and is not evaluated any further; the
others run their compiled tree. So "nestle AND rappel" costs nothing on the posts
that name Nestlé without "rappel", even when Nestlé is in most posts. Queries
that need nothing (only field filters, or only NOT) are evaluated on every post.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import chain, product, repeat

from ecoute.model import Mention, Query
from ecoute.query.haystack import Word, bare, cut, normalize, sigil
from ecoute.query.syntax import And, Field, Near, Node, Not, Or, QueryError, Term, parse
from ecoute.text import fold

log = logging.getLogger(__name__)

__all__ = ["Matcher", "QueryError", "compile_matcher"]

# Chunks remembered per matcher, then forgotten all at once. A few thousand
# distinct chunks make most of any language's running text; the bound keeps
# memory flat (about 10 MB when full) under hostile or never-repeating input.
MAX_REMEMBERED = 100_000
# Verdicts remembered over all terms (see Matcher._settle), then forgotten all at once.
MAX_SETTLED = 200_000
MAX_BY_HITS = 10_000  # answers remembered by the set of word conditions a text holds
LONGEST_REMEMBERED = 48  # characters; longer chunks (links, junk) are read every time
MAX_CLAUSES = 16  # an OR of ANDs expands to at most this many clauses, else it is coarsened

_NO_WORD: frozenset[int] = frozenset()
_ONE_BLANK = (_NO_WORD,)  # shared by every one-word chunk that no term asks for


class _Lexicon:
    """The word conditions of all terms, and which ones each chunk of text satisfies."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str, bool, bool], int] = {}  # (text, sigil, case, prefix)
        # (exact case, prefix) -> text -> [(id, sigil required or "")], for the look-ups.
        self.tables: dict[tuple[bool, bool], dict[str, list[tuple[int, str]]]] = {}
        self.prefix_lengths: dict[bool, list[int]] = {False: [], True: []}  # by exact case
        self.found: dict[str, tuple[int, ...]] = {}  # chunk -> ids its words satisfy
        self.words: dict[str, tuple[frozenset[int], ...]] = {}  # chunk -> ids, word by word

    def condition(self, word: Word, *, exact_case: bool, prefix: bool, next_id: int) -> int:
        """Return the id of a word condition, registering it under `next_id` if new."""
        key = (word.text, word.sigil, exact_case, prefix)
        if key not in self.ids:
            self.ids[key] = next_id
            table = self.tables.setdefault((exact_case, prefix), {})
            table.setdefault(word.text, []).append((next_id, word.sigil))
            lengths = self.prefix_lengths[exact_case]
            if prefix and len(word.text) not in lengths:
                lengths.append(len(word.text))
        return self.ids[key]

    def read(self, chunks: list[str]) -> set[int]:
        """Return the ids of the conditions some word of `chunks` satisfies."""
        try:
            return set(chain.from_iterable(map(self.found.__getitem__, chunks)))
        except KeyError:
            found: set[int] = set()
            for chunk in chunks:
                known = self.found.get(chunk)
                found.update(self.learn(chunk)[0] if known is None else known)
            return found

    def positions(self, chunks: list[str]) -> list[frozenset[int]]:
        """Return, word by word, the ids of the conditions each word of `chunks` satisfies."""
        words = self.words
        return list(
            chain.from_iterable(words[c] if c in words else self.learn(c)[1] for c in chunks)
        )

    def learn(self, chunk: str) -> tuple[tuple[int, ...], tuple[frozenset[int], ...]]:
        """Cut a chunk into words, look each up, and remember the answer if the chunk is short."""
        text = normalize(chunk)
        if text.isalnum():  # one plain word, as most chunks are: no need for the tokenizer
            per_word: tuple[frozenset[int], ...] = (self.satisfied(text, ""),)
        else:
            per_word = tuple(self.satisfied(bare(t), sigil(t)) for t in cut(text))
        found = tuple(set().union(*per_word))
        if not found:
            per_word = _ONE_BLANK if len(per_word) == 1 else per_word
        if len(chunk) <= LONGEST_REMEMBERED:
            if len(self.found) >= MAX_REMEMBERED:
                self.found.clear()
                self.words.clear()
            self.found[chunk] = found
            self.words[chunk] = per_word
        return found, per_word

    def satisfied(self, cased: str, mark: str) -> frozenset[int]:
        """Return the ids of the conditions one word (without its sigil `mark`) satisfies."""
        folded = cased.lower()
        found = []
        for (exact, prefix), table in self.tables.items():
            text = cased if exact else folded
            if prefix:
                keys = [text[:n] for n in self.prefix_lengths[exact] if n <= len(text)]
            else:
                keys = [text]
            for key in keys:
                for wid, needed in table.get(key, ()):
                    if not needed or needed == mark:
                        found.append(wid)
        return frozenset(found) if found else _NO_WORD


class _Facts:
    """The distinct field filters of all queries, and which of them a mention satisfies.

    A filter is a fact about the mention, read once per post however many queries
    name it: equality filters are one dictionary look-up per field, and only the
    fields some query filters on are read.
    """

    def __init__(self) -> None:
        self.ids: dict[Field, int] = {}
        # field name -> the mention's value(s) for it -> ids of the filters it satisfies
        self.tables: dict[str, dict[str, list[int]]] = {}
        self.checks: list[tuple[Callable[[Mention], bool], int]] = []  # author*, followers
        self.readers: list[tuple[Callable[[Mention], Iterable[str]], dict[str, list[int]]]] = []

    def fact(self, node: Field, next_id: int) -> int:
        """Return the id of a filter, registering it under `next_id` if new."""
        if node in self.ids:
            return self.ids[node]
        self.ids[node] = next_id
        if node.name == "followers" or (node.name == "author" and node.prefix):
            self.checks.append((_field_test(node), next_id))
        else:
            if node.name not in self.tables:
                self.tables[node.name] = {}
                self.readers.append((_READERS[node.name], self.tables[node.name]))
            self.tables[node.name].setdefault(node.value, []).append(next_id)
        return next_id

    def of(self, mention: Mention | None) -> frozenset[int]:
        """Return the ids of the filters `mention` satisfies; a plain text satisfies none."""
        if mention is None:
            return _NO_WORD
        found: list[int] = []
        for read, table in self.readers:
            for value in read(mention):
                found += table.get(value, ())
        for check, fid in self.checks:
            if check(mention):
                found.append(fid)
        return frozenset(found)


def _languages(mention: Mention) -> Iterable[str]:
    # lang:fr holds for "fr" and "fr-CA": the tag and each of its shorter prefixes before a "-".
    if mention.lang is None:
        return ()
    lang = mention.lang.lower()
    return [lang, *(lang[:i] for i, c in enumerate(lang) if c == "-")]


_READERS: dict[str, Callable[[Mention], Iterable[str]]] = {
    "lang": _languages,
    "platform": lambda m: (m.platform.lower(),),
    "sentiment": lambda m: () if m.sentiment is None else (m.sentiment,),
    "country": lambda m: ((getattr(m, "country", None) or "").upper(),),
    "author": lambda m: (fold(m.author.handle).lstrip("@"),),
}


class _Post:
    """What one post offers to the queries: the terms found, their places, and the mention."""

    __slots__ = ("_facts", "_places", "_spans", "chunks", "hits", "matcher", "mention")

    def __init__(
        self, hits: set[int], chunks: list[str], matcher: Matcher, mention: Mention | None
    ) -> None:
        self.hits = hits
        self.chunks = chunks
        self.matcher = matcher
        self.mention = mention
        self._facts: frozenset[int] | None = None
        self._places: list[frozenset[int]] | None = None
        self._spans: dict[int, list[tuple[int, int]]] | None = None

    def facts(self) -> frozenset[int]:
        """Return the field filters the mention satisfies, read once per post."""
        if self._facts is None:
            self._facts = self.matcher._facts.of(self.mention)
        return self._facts

    def places(self) -> list[frozenset[int]]:
        """Return the conditions satisfied at each word position, read once per post."""
        if self._places is None:
            self._places = self.matcher._lexicon.positions(self.chunks)
        return self._places

    def spans(self, atom: int, words: tuple[int, ...]) -> list[tuple[int, int]]:
        """Return the (first, last) word positions where the term of conditions `words` occurs."""
        if self._spans is None:
            self._spans = {}
        if atom not in self._spans:
            places = self.places()
            first, rest = words[0], words[1:]
            last = len(places) - len(rest)
            self._spans[atom] = [
                (i, i + len(rest))
                for i in range(last)
                if first in places[i] and all(w in places[i + 1 + k] for k, w in enumerate(rest))
            ]
        return self._spans[atom]


Test = Callable[[_Post], bool]
_Filed = tuple[int, frozenset[int], bool]  # query, the other clauses it needs, exact
_Verdict = tuple[tuple[int, ...], tuple[int, ...]]  # queries matched, queries still to evaluate
_Filing = tuple[frozenset[int], dict[frozenset[int], _Verdict], tuple[_Filed, ...]]


class Matcher:
    """Tags mentions with the names of the standing queries they match, in query order."""

    def __init__(self, queries: Sequence[Query]) -> None:
        self.queries = list(queries)
        self.names = [q.name for q in self.queries]
        trees = _parse_all(self.queries)
        self._lexicon = _Lexicon()
        self._facts = _Facts()
        self._terms: dict[tuple[object, ...], int] = {}  # term key -> id
        self._words: dict[int, tuple[int, ...]] = {}  # term id -> its word conditions, in order
        self._next_id = 0
        for tree in trees:
            for term in _terms_of(tree):
                self._add_term(term)
        # Phrases are checked in place only when all their words occurred.
        self._phrases: dict[int, list[tuple[int, frozenset[int]]]] = {}
        for atom, words in self._words.items():
            if len(words) > 1:
                self._phrases.setdefault(words[0], []).append((atom, frozenset(words)))

        uses: Counter[int] = Counter()
        for tree in trees:
            uses.update({self._terms[_term_key(t)] for t in _terms_of(tree)})
        self._file(trees, uses)
        self._tests: list[Test] = [self._residue(tree) for tree in trees]
        # Plain texts' answers by the word conditions they hold (see `_names`), unless a
        # phrase or an unanchored query reads every post; forgotten at once when full.
        self._by_hits: dict[frozenset[int], tuple[str, ...]] | None = (
            None if self._phrases or self._unanchored else {}
        )
        log.debug(
            "compiled %d queries: %d terms, %d evaluated on every post",
            len(trees),
            len(self._terms),
            len(self._unanchored),
        )

    # -- matching ----------------------------------------------------------------------------
    def match(self, text: str) -> list[str]:
        """Return the names of the queries a plain text matches; field filters never match."""
        return self._names(text, None)

    def tag(self, mentions: list[Mention]) -> list[Mention]:
        """Set ``queries`` on each live mention of the batch and return the batch."""
        if not self.queries:  # nothing to listen for: no post needs reading
            for m in mentions:
                if not m.is_deleted:
                    m.queries = []
            return mentions
        for m in mentions:
            if not m.is_deleted:
                m.queries = self._names(m.text, m)
        return mentions

    def matches(self, mention: Mention) -> list[str]:
        """Return the names of the queries a mention matches; a tombstone matches none."""
        return [] if mention.is_deleted else self._names(mention.text, mention)

    def _names(self, text: str, mention: Mention | None) -> list[str]:
        chunks = text.split()
        hits = self._lexicon.read(chunks)
        if self._by_hits is not None and mention is None:
            # Which queries a text matches follows from the word conditions it holds,
            # unless some query had to look into the post (a proximity, exact case...).
            key = frozenset(hits)
            known = self._by_hits.get(key)
            if known is None:
                names, looked = self._names_of(chunks, hits, None)
                known = tuple(names)
                if not looked:
                    if len(self._by_hits) >= MAX_BY_HITS:
                        self._by_hits.clear()
                    self._by_hits[key] = known
            return list(known)
        return self._names_of(chunks, hits, mention)[0]

    def _names_of(
        self, chunks: list[str], hits: set[int], mention: Mention | None
    ) -> tuple[list[str], bool]:
        """The names of the queries matched, and whether some query looked into the post."""
        post = None  # made only for the posts some query must look into
        if self._phrases:
            for first in self._phrases.keys() & hits:
                for atom, words in self._phrases[first]:
                    if words <= hits:
                        post = post or _Post(hits, chunks, self, mention)
                        if post.spans(atom, self._words[atom]):
                            hits.add(atom)
        anchors = self._filed.keys() & hits
        if not anchors and not self._unanchored:
            return [], post is not None
        # The clauses that hold, over all queries: a clause such as (prix OR price OR
        # store) is shared by every brand's "price" query and is settled once.
        held = set(chain.from_iterable(map(self._held_by.get, hits, repeat(()))))
        matched: set[int] = set()
        tests = self._tests
        filed = self._filed
        for atom in anchors:
            clauses, settled, _ = filed[atom]
            # Which queries filed here match, or are left to evaluate, depends only on
            # which of their other clauses hold: worked out once per combination.
            key = clauses.intersection(held)
            verdict = settled.get(key) or self._settle(atom, key)
            sure, unsure = verdict
            matched.update(sure)
            for query in unsure:
                # A query filed under two terms that both occurred is looked at twice.
                if query not in matched:
                    post = post or _Post(hits, chunks, self, mention)
                    if tests[query](post):
                        matched.add(query)
        if self._unanchored:
            post = post or _Post(hits, chunks, self, mention)
            for query in self._unanchored:
                if tests[query](post):
                    matched.add(query)
        return list(map(self.names.__getitem__, sorted(matched))), post is not None

    def _settle(self, atom: int, held: frozenset[int]) -> _Verdict:
        """Sort the queries filed under `atom` by what the clauses `held` decide; remember it."""
        _, settled, entries = self._filed[atom]
        sure = []
        unsure = []
        for query, needed, exact in entries:
            if needed <= held:
                (sure if exact else unsure).append(query)
        verdict = (tuple(sure), tuple(unsure))
        self._settled += 1
        if self._settled > MAX_SETTLED:
            for _, memory, _ in self._filed.values():
                memory.clear()
            self._settled = 1
        settled[held] = verdict
        return verdict

    # -- compiling ---------------------------------------------------------------------------
    def _add_term(self, term: Term) -> None:
        key = _term_key(term)
        if key in self._terms:
            return
        last = len(term.words) - 1
        words = []
        for k, word in enumerate(term.words):
            wid = self._lexicon.condition(
                word, exact_case=term.exact_case, prefix=term.prefix and k == last,
                next_id=self._next_id,
            )  # fmt: skip
            self._next_id = max(self._next_id, wid + 1)
            words.append(wid)
        # A one-word term is its word condition; a phrase gets an id of its own.
        atom = words[0] if len(words) == 1 else self._next_id
        self._next_id = max(self._next_id, atom + 1)
        self._terms[key] = atom
        self._words[atom] = tuple(words)

    def _file(self, trees: list[Node], uses: Counter[int]) -> None:
        """File each query under every term of its rarest clause, with its next rarest."""

        def rarity(clause: frozenset[int]) -> int:
            return sum(uses[a] for a in clause)

        filed: dict[int, list[_Filed]] = {}
        clause_ids: dict[frozenset[int], int] = {}
        self._unanchored: list[int] = []
        for index, tree in enumerate(trees):
            clauses, exact = self._clauses(tree)
            clauses = sorted(_minimal(clauses), key=lambda c: (rarity(c), sorted(c)))
            if not clauses:
                self._unanchored.append(index)
                continue
            # A clause is known by a number; a term tells which clauses it makes hold.
            needed = frozenset(
                clause_ids.setdefault(clause, len(clause_ids)) for clause in clauses[1:]
            )
            for atom in clauses[0]:
                filed.setdefault(atom, []).append((index, needed, exact))
        held_by: dict[int, list[int]] = {}
        for clause, cid in clause_ids.items():
            for atom in clause:
                held_by.setdefault(atom, []).append(cid)
        self._held_by = {atom: tuple(cids) for atom, cids in held_by.items()}
        # Per term: the clauses its queries need besides it, the verdicts worked out so far
        # for what of those holds, and the queries (query, clauses needed, exact).
        self._filed: dict[int, _Filing] = {
            atom: (frozenset().union(*(n for _, n, _ in entries)), {}, tuple(entries))
            for atom, entries in filed.items()
        }
        self._settled = 0

    def _residue(self, tree: Node) -> Test:
        """Compile what is left to check of a query once all its clauses hold.

        The children of a top-level AND that are exactly their clauses hold
        by then; only the others (NEAR, NOT, filters...) are evaluated.
        """
        if not isinstance(tree, And):
            return self._compile(tree)
        left = [c for c in tree.children if not self._clauses(c)[1]]
        if not left:
            return lambda p: True
        return self._compile(left[0] if len(left) == 1 else And(tuple(left)))

    def _clauses(self, node: Node) -> tuple[list[frozenset[int]], bool]:
        """Return sets of term ids one of each must occur for `node` to hold, and whether
        that is also enough (the node is exactly the AND of its clauses)."""
        if isinstance(node, Term):
            return [frozenset((self._terms[_term_key(node)],))], True
        if isinstance(node, Near):
            left = frozenset(self._terms[_term_key(t)] for t in node.left)
            right = frozenset(self._terms[_term_key(t)] for t in node.right)
            return [left, right], False
        if isinstance(node, And):
            clauses: list[frozenset[int]] = []
            exact = True
            for child in node.children:
                more, child_exact = self._clauses(child)
                clauses += more
                exact &= child_exact
            return clauses, exact
        if isinstance(node, Or):
            options = [self._clauses(child) for child in node.children]
            if any(not more for more, _ in options):
                return [], False  # a side that needs no word lets the OR hold without one
            exact = all(child_exact for _, child_exact in options)
            sides = [more for more, _ in options]
            if math.prod(map(len, sides)) <= MAX_CLAUSES:
                # (a AND b) OR c is (a OR c) AND (b OR c): one clause per choice.
                return [frozenset().union(*pick) for pick in product(*sides)], exact
            # Too many choices: keep one clause that still must hold, and evaluate.
            return [frozenset().union(*(more[0] for more in sides))], False
        return [], False  # a field filter or a NOT can hold without any word occurring

    def _compile(self, node: Node) -> Test:
        # Plain terms under AND, OR and NOT become one set operation, done in C.
        if isinstance(node, Term):
            atom = self._terms[_term_key(node)]
            return lambda p: atom in p.hits
        if isinstance(node, Near):
            left = tuple((a, self._words[a]) for a in self._ids(node.left))
            right = tuple((a, self._words[a]) for a in self._ids(node.right))
            distance, ordered = node.distance, node.ordered
            return lambda p: _near(p, left, right, distance, ordered)
        if isinstance(node, Field):
            return _on_mention((_field_test(node),))
        if isinstance(node, Not):
            inner = self._compile(node.child)
            return lambda p: not inner(p)
        terms = frozenset(self._ids(n for n in node.children if isinstance(n, Term)))
        fields = tuple(_field_test(n) for n in node.children if isinstance(n, Field))
        rest = tuple(self._compile(n) for n in node.children if not isinstance(n, Term | Field))
        if isinstance(node, And):
            if fields:
                rest = (_on_mention(fields), *rest)
            return _all_of(terms, rest)
        if fields:
            rest = (_on_mention(fields, any_of=True), *rest)
        return _any_of(terms, rest)

    def _fact(self, node: Field) -> int:
        fact = self._facts.fact(node, self._next_id)
        self._next_id = max(self._next_id, fact + 1)
        return fact

    def _ids(self, terms: Iterable[Node]) -> list[int]:
        return [self._terms[_term_key(t)] for t in terms if isinstance(t, Term)]


def _minimal(clauses: list[frozenset[int]]) -> list[frozenset[int]]:
    """Drop repeated clauses and those implied by a smaller one ({a, b} when {a} is needed)."""
    kept: list[frozenset[int]] = []
    for clause in sorted(set(clauses), key=len):
        if not any(k <= clause for k in kept):
            kept.append(clause)
    return kept


def _terms_of(node: Node) -> Iterable[Term]:
    if isinstance(node, Term):
        yield node
    elif isinstance(node, Near):
        yield from node.left + node.right
    elif isinstance(node, Not):
        yield from _terms_of(node.child)
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from _terms_of(child)


def _on_mention(checks: tuple[Callable[[Mention], bool], ...], *, any_of: bool = False) -> Test:
    """Join field filters: all of them, or any of them, on the post's mention."""
    if len(checks) == 1:
        (check,) = checks
        return lambda p: p.mention is not None and check(p.mention)
    if len(checks) == 2 and not any_of:
        first, second = checks
        return lambda p: (m := p.mention) is not None and first(m) and second(m)
    join = any if any_of else all
    return lambda p: (m := p.mention) is not None and join(c(m) for c in checks)


def _all_of(terms: frozenset[int], rest: tuple[Test, ...]) -> Test:
    if not terms:
        return rest[0] if len(rest) == 1 else lambda p: all(t(p) for t in rest)
    if not rest:
        return lambda p: terms <= p.hits
    if len(rest) == 1:
        (first,) = rest
        return lambda p: terms <= p.hits and first(p)
    if len(rest) == 2:
        first, second = rest
        return lambda p: terms <= p.hits and first(p) and second(p)
    return lambda p: terms <= p.hits and all(t(p) for t in rest)


def _any_of(terms: frozenset[int], rest: tuple[Test, ...]) -> Test:
    if not rest:
        return lambda p: not terms.isdisjoint(p.hits)
    if len(rest) == 1:
        (first,) = rest
        return lambda p: not terms.isdisjoint(p.hits) or first(p)
    return lambda p: not terms.isdisjoint(p.hits) or any(t(p) for t in rest)


def _term_key(term: Term) -> tuple[object, ...]:
    return (term.words, term.prefix, term.exact_case)


Side = tuple[tuple[int, tuple[int, ...]], ...]  # (term id, its word conditions) per term


def _near(post: _Post, left: Side, right: Side, distance: int, ordered: bool) -> bool:
    hits = post.hits
    firsts = [s for atom, words in left if atom in hits for s in post.spans(atom, words)]
    if not firsts:
        return False
    seconds = [s for atom, words in right if atom in hits for s in post.spans(atom, words)]
    # Positions count words: the gap is the number of words strictly between.
    return any(
        (b < c and c - b - 1 <= distance) or (not ordered and d < a and a - d - 1 <= distance)
        for a, b in firsts
        for c, d in seconds
    )


def _field_test(node: Field) -> Callable[[Mention], bool]:
    value = node.value
    if node.name == "author":
        if node.prefix:
            return lambda m: fold(m.author.handle).lstrip("@").startswith(value)
        return lambda m: fold(m.author.handle).lstrip("@") == value
    if node.name == "lang":
        dash = value + "-"
        return lambda m: (
            m.lang is not None and ((lang := m.lang.lower()) == value or lang.startswith(dash))
        )
    if node.name == "platform":
        return lambda m: m.platform.lower() == value
    if node.name == "sentiment":
        return lambda m: m.sentiment is not None and m.sentiment == value
    if node.name == "country":
        # Mentions carry a country only where a source knows one (a geotagged
        # post); elsewhere the filter does not match.
        return lambda m: (getattr(m, "country", None) or "").upper() == value
    number = node.number
    compare: Callable[[int], bool] = {
        ">": lambda f: f > number,
        ">=": lambda f: f >= number,
        "<": lambda f: f < number,
        "<=": lambda f: f <= number,
        "=": lambda f: f == number,
    }[node.op]
    return lambda m: m.author.followers is not None and compare(m.author.followers)


def _parse_all(queries: Sequence[Query]) -> list[Node]:
    trees = []
    seen: set[str] = set()
    for q in queries:
        if q.name in seen:
            raise QueryError(f"the name {q.name!r} is used by two queries", 0, q.expr, q.name)
        seen.add(q.name)
        try:
            trees.append(parse(q.expr))
        except QueryError as exc:
            raise exc.naming(q.name) from None
    return trees


def compile_matcher(queries: Sequence[Query]) -> Matcher:
    """Check every query and build the matcher that runs them all at once."""
    return Matcher(queries)
