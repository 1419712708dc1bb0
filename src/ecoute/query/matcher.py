"""One matcher for all standing queries, run on every batch at ingest.

Compiling turns the first word of every distinct term of every query into a
key of one Aho-Corasick automaton (two when some terms ask for exact case).
Tagging a post is one pass of the automaton over its normalized text, in C,
whatever the number of queries; each hit is then checked to sit on word
boundaries (apple is not in pineapple) and, for a phrase, to be followed by
its other words. Only the queries *anchored* on a term that occurred are
evaluated.

A query's anchor is a set of terms one of which must occur for it to match:
a term anchors itself, ``a OR b`` needs the anchors of both sides, and
``a AND b`` needs only one side's, so it takes the side whose terms the fewest
queries share. That choice matters when one brand's name is in most posts:
"nestle AND rappel" is then looked at only when "rappel" occurs. Queries with
no anchor (only field filters, or only NOT) are evaluated on every post.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import ahocorasick

from ecoute.model import Mention, Query
from ecoute.query.haystack import ELISIONS, EMOJI, TOKEN, Word, bare, normalize, sigil
from ecoute.query.syntax import And, Field, Near, Node, Not, Or, QueryError, Term, parse
from ecoute.text import fold

log = logging.getLogger(__name__)

__all__ = ["Matcher", "QueryError", "compile_matcher"]


class _Context:
    """What one post offers to the queries: the terms found, where, and the mention."""

    __slots__ = ("hits", "mention", "spans", "texts")

    def __init__(self, mention: Mention | None) -> None:
        self.hits: set[int] = set()
        # NEAR terms only: term id -> [(text, start, end)] in characters; words
        # are counted only when both sides of a NEAR occurred.
        self.spans: dict[int, list[tuple[str, int, int]]] = {}
        self.mention = mention


Test = Callable[[_Context], bool]


@dataclass(frozen=True, slots=True)
class _Atom:
    """A distinct term, shared by every query that uses it."""

    id: int
    words: tuple[Word, ...]
    prefix: bool
    wants_span: bool  # used by a NEAR, so its word positions are needed


@dataclass(slots=True)
class _Keys:
    """The automaton over one form of the text (folded or cased) and what each key stands for."""

    atoms: dict[str, list[_Atom]] = field(default_factory=dict)
    automaton: ahocorasick.Automaton | None = None

    def build(self) -> None:
        if not self.atoms:
            return
        automaton = ahocorasick.Automaton()
        for key, atoms in self.atoms.items():
            # Whole single words with no sigil need no check past the word
            # boundaries: they are set apart, to be added at once.
            simple = tuple(
                a.id
                for a in atoms
                if len(a.words) == 1 and not (a.prefix or a.words[0].sigil or a.wants_span)
            )
            atoms = [a for a in atoms if a.id not in simple]
            emoji = EMOJI.fullmatch(key) is not None
            automaton.add_word(key, (len(key), emoji, simple, tuple(atoms)))
        automaton.make_automaton()
        self.automaton = automaton


class Matcher:
    """Tags mentions with the names of the standing queries they match, in query order."""

    def __init__(self, queries: Sequence[Query]) -> None:
        self.queries = list(queries)
        self.names = [q.name for q in self.queries]
        trees = _parse_all(self.queries)
        self._atoms: dict[tuple[object, ...], int] = {}
        self._spanned: set[int] = set()
        for tree in trees:
            self._collect(tree, in_near=False)
        self._folded = _Keys()
        self._cased = _Keys()
        for (words, prefix, exact_case), atom_id in self._atoms.items():
            self._add_key(atom_id, words, prefix, exact_case)
        self._folded.build()
        self._cased.build()

        uses: Counter[int] = Counter()
        for tree in trees:
            uses.update(set(self._term_ids(tree)))
        self._tests: list[Test] = [self._compile(tree) for tree in trees]
        anchored: dict[int, list[int]] = {}
        self._unanchored: list[int] = []
        for index, tree in enumerate(trees):
            anchor = self._anchor(tree, uses)
            if anchor is None:
                self._unanchored.append(index)
            else:
                for atom_id in anchor:
                    anchored.setdefault(atom_id, []).append(index)
        self._anchored = {atom: tuple(queries) for atom, queries in anchored.items()}
        log.debug(
            "compiled %d queries: %d terms, %d evaluated on every post",
            len(trees),
            len(self._atoms),
            len(self._unanchored),
        )

    # -- matching ----------------------------------------------------------------------------
    def match(self, text: str) -> list[str]:
        """Return the names of the queries a plain text matches; field filters never match."""
        return self._names(text, None)

    def tag(self, mentions: list[Mention]) -> list[Mention]:
        """Set ``queries`` on each live mention of the batch and return the batch."""
        for m in mentions:
            if not m.is_deleted:
                m.queries = self._names(m.text, m)
        return mentions

    def matches(self, mention: Mention) -> list[str]:
        """Return the names of the queries a mention matches; a tombstone matches none."""
        return [] if mention.is_deleted else self._names(mention.text, mention)

    def _names(self, text: str, mention: Mention | None) -> list[str]:
        context = _Context(mention)
        cased = normalize(text)
        self._scan(self._folded, cased.lower(), context)
        self._scan(self._cased, cased, context)
        candidates = set(self._unanchored)
        anchored = self._anchored
        for atom_id in context.hits:
            candidates.update(anchored.get(atom_id, ()))
        if not candidates:
            return []
        tests = self._tests
        names = self.names
        return [names[i] for i in sorted(candidates) if tests[i](context)]

    def _scan(self, keys: _Keys, text: str, context: _Context) -> None:
        if keys.automaton is None:
            return
        hits = context.hits
        for last, (length, emoji, simple, atoms) in keys.automaton.iter(text):
            begin = last - length + 1
            if emoji:
                place: tuple[int, int, str, bool] | None = (begin, last + 1, "", True)
            else:
                place = locate(text, begin, last + 1)
            if place is None:
                continue
            if place[3]:
                hits.update(simple)
                if not atoms:
                    continue
            start, end, mark, whole = place
            for atom in atoms:
                words = atom.words
                if words[0].sigil and words[0].sigil != mark:
                    continue
                if len(words) == 1:
                    if not (whole or atom.prefix):
                        continue
                    stop = end
                    if atom.prefix and atom.wants_span and not whole:
                        stop = TOKEN.match(text, start).end()  # type: ignore[union-attr]
                elif not whole:
                    continue
                else:
                    found = _follow(text, end, words[1:], atom.prefix)
                    if found is None:
                        continue
                    stop = found
                hits.add(atom.id)
                if atom.wants_span:
                    context.spans.setdefault(atom.id, []).append((text, start, stop))

    # -- compiling ---------------------------------------------------------------------------
    def _collect(self, node: Node, *, in_near: bool) -> None:
        if isinstance(node, Term):
            atom_id = self._atoms.setdefault(_term_key(node), len(self._atoms))
            if in_near:
                self._spanned.add(atom_id)
        elif isinstance(node, Near):
            for term in node.left + node.right:
                self._collect(term, in_near=True)
        elif isinstance(node, Not):
            self._collect(node.child, in_near=in_near)
        elif isinstance(node, And | Or):
            for child in node.children:
                self._collect(child, in_near=in_near)

    def _add_key(self, atom_id: int, words: tuple[Word, ...], prefix: bool, exact: bool) -> None:
        keys = self._cased if exact else self._folded
        atom = _Atom(atom_id, words, prefix, atom_id in self._spanned)
        keys.atoms.setdefault(words[0].text, []).append(atom)

    def _term_ids(self, node: Node) -> Iterator[int]:
        if isinstance(node, Term):
            yield self._atoms[_term_key(node)]
        elif isinstance(node, Near):
            for term in node.left + node.right:
                yield from self._term_ids(term)
        elif isinstance(node, Not):
            yield from self._term_ids(node.child)
        elif isinstance(node, And | Or):
            for child in node.children:
                yield from self._term_ids(child)

    def _anchor(self, node: Node, uses: Counter[int]) -> frozenset[int] | None:
        if isinstance(node, Term):
            return frozenset((self._atoms[_term_key(node)],))
        if isinstance(node, Near):
            left = frozenset(self._atoms[_term_key(t)] for t in node.left)
            right = frozenset(self._atoms[_term_key(t)] for t in node.right)
            return min(left, right, key=lambda ids: sum(uses[i] for i in ids))
        if isinstance(node, Or):
            union: set[int] = set()
            for child in node.children:
                anchor = self._anchor(child, uses)
                if anchor is None:
                    return None
                union |= anchor
            return frozenset(union)
        if isinstance(node, And):
            options = [a for c in node.children if (a := self._anchor(c, uses)) is not None]
            if not options:
                return None
            return min(options, key=lambda ids: sum(uses[i] for i in ids))
        return None  # a field filter or a NOT can hold without any word occurring

    def _compile(self, node: Node) -> Test:
        # Plain terms under AND, OR and NOT become one set operation, done in C.
        if isinstance(node, Term):
            atom_id = self._atoms[_term_key(node)]
            return lambda c: atom_id in c.hits
        if isinstance(node, Near):
            left = tuple(self._atoms[_term_key(t)] for t in node.left)
            right = tuple(self._atoms[_term_key(t)] for t in node.right)
            distance, ordered = node.distance, node.ordered
            return lambda c: _near(c, left, right, distance, ordered)
        if isinstance(node, Field):
            check = _field_test(node)
            return lambda c: c.mention is not None and check(c.mention)
        if isinstance(node, Not):
            inner = self._compile(node.child)
            return lambda c: not inner(c)
        terms = frozenset(self._atoms[_term_key(n)] for n in node.children if isinstance(n, Term))
        rest = tuple(self._compile(n) for n in node.children if not isinstance(n, Term))
        if isinstance(node, And):
            return _all_of(terms, rest)
        return _any_of(terms, rest)


def _all_of(terms: frozenset[int], rest: tuple[Test, ...]) -> Test:
    if not rest:
        return lambda c: terms <= c.hits
    if len(rest) == 1:
        (first,) = rest
        return lambda c: terms <= c.hits and first(c)
    if len(rest) == 2:
        first, second = rest
        return lambda c: terms <= c.hits and first(c) and second(c)
    return lambda c: terms <= c.hits and all(t(c) for t in rest)


def _any_of(terms: frozenset[int], rest: tuple[Test, ...]) -> Test:
    if not rest:
        return lambda c: not terms.isdisjoint(c.hits)
    if len(rest) == 1:
        (first,) = rest
        return lambda c: not terms.isdisjoint(c.hits) or first(c)
    return lambda c: not terms.isdisjoint(c.hits) or any(t(c) for t in rest)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def locate(text: str, begin: int, end: int) -> tuple[int, int, str, bool] | None:
    """Tell whether text[begin:end] starts a word as haystack.cut reads it, and how it ends.

    Return None when it does not; else (word start, word end, sigil, whole),
    where the word spans its elision and possessive ("l'" of l'avion, "'s"
    of apple's) but not its sigil, and `whole` says the word ends at `end`.
    """
    start = begin
    if begin > 0:
        before = text[begin - 1]
        if before == "'":
            i = begin - 1
            while i > 0 and _is_word(text[i - 1]):
                i -= 1
            if i < begin - 1:
                # x'apple is one word; l'apple is "apple" with its elision.
                if text[i : begin - 1].lower() not in ELISIONS:
                    return None
                if i > 1 and text[i - 1] == "'" and _is_word(text[i - 2]):
                    return None
                start = i
        elif _is_word(before):
            return None
    mark = text[start - 1] if start > 0 and text[start - 1] in "#@" else ""
    n = len(text)
    if end == n:
        return start, end, mark, True
    after = text[end]
    if _is_word(after):
        return start, end, mark, False
    if after == "'" and end + 1 < n and _is_word(text[end + 1]):
        tail = end + 2
        if text[end + 1] in "sS" and not _continues(text, tail):
            return start, tail, mark, True
        return start, end, mark, False
    return start, end, mark, True


def _continues(text: str, at: int) -> bool:
    """Whether a word goes on at `at`: a word character, or an apostrophe before one."""
    if at >= len(text):
        return False
    char = text[at]
    return _is_word(char) or (char == "'" and at + 1 < len(text) and _is_word(text[at + 1]))


def _follow(text: str, end: int, words: tuple[Word, ...], prefix: bool) -> int | None:
    """Check that `words` are the next words after `end`; return where the last one ends."""
    for k, word in enumerate(words):
        found = TOKEN.search(text, end)
        if found is None:
            return None
        token = found.group()
        plain = bare(token)
        if k == len(words) - 1 and prefix:
            if not plain.startswith(word.text):
                return None
        elif plain != word.text:
            return None
        if word.sigil and sigil(token) != word.sigil:
            return None
        end = found.end()
    return end


def _term_key(term: Term) -> tuple[object, ...]:
    return (term.words, term.prefix, term.exact_case)


def _near(
    c: _Context, left: tuple[int, ...], right: tuple[int, ...], distance: int, ordered: bool
) -> bool:
    firsts = [s for a in left for s in c.spans.get(a, ())]
    if not firsts:
        return False
    seconds = [s for a in right for s in c.spans.get(a, ())]
    for text1, start1, end1 in firsts:
        for text2, start2, end2 in seconds:
            # Spans found in the folded and the cased text are compared in the
            # cased one: both have the same words at the same places.
            if end1 <= start2 and _gap(text2, end1, start2) <= distance:
                return True
            if not ordered and end2 <= start1 and _gap(text1, end2, start1) <= distance:
                return True
    return False


def _gap(text: str, end: int, start: int) -> int:
    """Count the words between a span ending at `end` and one starting at `start`."""
    return len(TOKEN.findall(text, end, start))


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
