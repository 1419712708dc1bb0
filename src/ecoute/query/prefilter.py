"""The words a post must hold for a boolean query to match it: a store's first cut.

A boolean search over history reads mentions newest first and runs the matcher
on each. When the query's words are rare, most of what is read cannot match:
`required_words` says, from the query's tree alone, which words a matching post
must contain, as groups of which every group needs one of its words somewhere in
the post's text folded by `ecoute.text.match_fold` (as a substring: a matched word
always is one). The store skips the other posts; the matcher still decides.

It is a necessary condition, never a sufficient one: NOT, field filters and words
the store cannot fold as we do leave a branch unconstrained, and an OR keeps one
group per branch, so the condition only ever lets more posts through.
"""

from __future__ import annotations

from ecoute.query.syntax import And, Field, Near, Node, Not, Or, Term, parse

Groups = tuple[tuple[str, ...], ...]
MAX_GROUPS = 8  # beyond this a few words already say enough; the rest cost time


def required_words(expr: str) -> Groups:
    """Return the word groups any post matching `expr` contains (see the module)."""
    groups = _groups(parse(expr))
    # The longest words first: the rarest, most often, and the first a store tests.
    ranked = sorted(dict.fromkeys(groups), key=lambda g: -min(len(w) for w in g))
    return tuple(ranked[:MAX_GROUPS])


def _groups(node: Node) -> list[tuple[str, ...]]:
    if isinstance(node, Term):
        return [(w,) for w in _words(node)]
    if isinstance(node, Near):
        return [*_any_of(node.left), *_any_of(node.right)]
    if isinstance(node, And):
        return [g for child in node.children for g in _groups(child)]
    if isinstance(node, Or):
        picked: list[str] = []
        for child in node.children:
            found = _groups(child)
            if not found:
                return []  # one branch needs no word: neither does the OR
            picked.extend(max(found, key=lambda g: min(len(w) for w in g)))
        return [tuple(dict.fromkeys(picked))]
    if isinstance(node, Not | Field):
        return []
    raise TypeError(f"unknown query node {node!r}")


def _any_of(terms: tuple[Term, ...]) -> list[tuple[str, ...]]:
    """One group for a NEAR side: some word of one of its terms."""
    picked: list[str] = []
    for term in terms:
        words = _words(term)
        if not words:
            return []
        picked.append(max(words, key=len))
    return [tuple(dict.fromkeys(picked))]


def _words(term: Term) -> list[str]:
    # Exact-case words are looked for folded too: a superset of what they match.
    return [w.text.lower() for w in term.words if w.text]
