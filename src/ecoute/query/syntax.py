"""The listening-query language: a recursive-descent parser from text to a tree.

Precedence, loosest first: ``OR``, ``AND`` (also written by juxtaposition),
``NOT``, ``NEAR/n``. Operators are upper-case words, so the French word "or"
and the English "and" stay searchable terms. Every error carries the 0-based
character position where it was noticed and says what was expected there;
the full grammar with examples is in docs/queries.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from ecoute.model import Sentiment
from ecoute.query.haystack import Word, split_term

MAX_QUERY_CHARS = 10_000  # a query is typed by a person; this bounds parser work on hostile input
MAX_DEPTH = 64  # nesting of parentheses and NOTs
MAX_NEAR = 100
MIN_PREFIX = 2  # `a*` would hit nearly every post

FIELDS = ("author", "lang", "platform", "sentiment", "country", "followers")
_COMPARISONS = (">=", "<=", ">", "<", "=")


class QueryError(ValueError):
    """A query cannot be understood; ``position`` is the 0-based offset where it went wrong."""

    def __init__(
        self, message: str, position: int, expr: str = "", query: str | None = None
    ) -> None:
        self.reason = message
        self.position = position
        self.expr = expr
        self.query = query
        where = f"query {query!r}: " if query is not None else ""
        super().__init__(f"{where}at position {position}: {message}")

    def pointer(self) -> str:
        """Return the expression with a caret under the position, for terminals."""
        line = self.expr.replace("\n", " ").replace("\t", " ")
        return f"{line}\n{' ' * self.position}^"

    def naming(self, query: str) -> QueryError:
        """Return the same error, told as belonging to the query named `query`."""
        return QueryError(self.reason, self.position, self.expr, query)


# -- the tree --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Term:
    """A word, hashtag, handle, emoji or "phrase"; ``prefix`` when it ends with ``*``."""

    words: tuple[Word, ...]
    prefix: bool = False
    exact_case: bool = False
    position: int = 0


@dataclass(frozen=True, slots=True)
class Near:
    """Some of ``left`` within ``distance`` words of some of ``right``; in order if ``ordered``."""

    left: tuple[Term, ...]
    right: tuple[Term, ...]
    distance: int
    ordered: bool = False


@dataclass(frozen=True, slots=True)
class Field:
    """A filter on what is known of the mention rather than on its words."""

    name: str
    value: str
    op: str = "="  # only followers compares; the others test equality
    number: int = 0
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Near | Field | Not | And | Or


# -- tokens ----------------------------------------------------------------------------------
Kind = Literal["(", ")", "AND", "OR", "NOT", "NEAR", "PHRASE", "WORD", "END"]


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Kind
    text: str
    position: int


_NEAR = re.compile(r"NEAR/(\d+)(f?)\Z")
_BARE = re.compile(r"[^\s()\"]+")
_FIELD = re.compile(r"([A-Za-z]+):")


def _lex(expr: str) -> Iterator[_Token]:
    i = 0
    n = len(expr)
    while i < n:
        char = expr[i]
        if char.isspace():
            i += 1
        elif char in "()":
            yield _Token(char, char, i)  # type: ignore[arg-type]
            i += 1
        elif char == '"':
            end = expr.find('"', i + 1)
            if end < 0:
                raise QueryError("this phrase is never closed: expected a closing '\"'", i, expr)
            yield _Token("PHRASE", expr[i + 1 : end], i)
            i = end + 1
        else:
            bare = _BARE.match(expr, i)
            assert bare is not None
            text = bare.group()
            field = _FIELD.match(text)
            if field and bare.end() < n and expr[bare.end()] == '"':
                # case:"Apple Watch" and author:"..." take a quoted value.
                end = expr.find('"', bare.end() + 1)
                if end < 0:
                    raise QueryError(
                        "this phrase is never closed: expected a closing '\"'", bare.end(), expr
                    )
                yield _Token("WORD", expr[i : end + 1], i)
                i = end + 1
                continue
            if text in ("AND", "OR", "NOT") or text.startswith("NEAR/"):
                kind: Kind = "NEAR" if text.startswith("NEAR/") else text  # type: ignore[assignment]
                yield _Token(kind, text, i)
            else:
                yield _Token("WORD", text, i)
            i = bare.end()
    yield _Token("END", "", n)


def _describe(token: _Token) -> str:
    if token.kind == "END":
        return "the end of the query"
    if token.kind == "PHRASE":
        return "a phrase"
    return repr(token.text)


# -- the parser ------------------------------------------------------------------------------
def parse(expr: str) -> Node:
    """Parse a query expression into a tree, or raise QueryError saying where and what."""
    if len(expr) > MAX_QUERY_CHARS:
        raise QueryError(f"a query is limited to {MAX_QUERY_CHARS:,} characters", 0, expr)
    return _Parser(expr).parse()


_OPERAND = "a term, a \"phrase\", a field filter such as lang:fr, or '('"


class _Parser:
    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.tokens = list(_lex(expr))
        self.i = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.i]

    def fail(self, message: str, position: int | None = None) -> QueryError:
        return QueryError(message, self.token.position if position is None else position, self.expr)

    def parse(self) -> Node:
        if self.token.kind == "END":
            raise self.fail(f"the query is empty: expected {_OPERAND}")
        node = self.parse_or()
        if self.token.kind == ")":
            raise self.fail("this ')' closes no '('")
        if self.token.kind != "END":  # pragma: no cover - parse_or consumes every other token
            raise self.fail(f"expected AND, OR or the end, found {_describe(self.token)}")
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while self.token.kind == "OR":
            self.i += 1
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_not()]
        while self.token.kind not in ("OR", ")", "END"):
            if self.token.kind == "AND":
                self.i += 1
            children.append(self.parse_not())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_not(self) -> Node:
        if self.token.kind == "NOT":
            self.i += 1
            with self.nested():
                return Not(self.parse_not())
        return self.parse_near()

    def parse_near(self) -> Node:
        start = self.token.position
        node = self.parse_operand()
        if self.token.kind != "NEAR":
            return node
        near = self.token
        distance, ordered = self.near_distance(near)
        left = self.near_side(node, start)
        self.i += 1
        right_start = self.token.position
        right = self.near_side(self.parse_operand(), right_start)
        if self.token.kind == "NEAR":
            raise self.fail(
                "NEAR joins two sides only: expected AND, OR or ')' here; "
                "write (a NEAR/3 b) AND (b NEAR/3 c)"
            )
        return Near(left, right, distance, ordered)

    def near_distance(self, token: _Token) -> tuple[int, bool]:
        found = _NEAR.match(token.text)
        if not found:
            raise self.fail("expected a distance in words after NEAR/, as in NEAR/3 or NEAR/3f")
        distance = int(found.group(1))
        if distance > MAX_NEAR:
            raise self.fail(f"a NEAR distance is at most {MAX_NEAR} words")
        return distance, bool(found.group(2))

    def near_side(self, node: Node, position: int) -> tuple[Term, ...]:
        if isinstance(node, Term):
            return (node,)
        if isinstance(node, Or) and all(isinstance(c, Term) for c in node.children):
            return tuple(node.children)  # type: ignore[arg-type]
        raise self.fail(
            "expected a term, a phrase or a (a OR b) group of them on this side of NEAR",
            position,
        )

    def parse_operand(self) -> Node:
        token = self.token
        if token.kind == "(":
            self.i += 1
            if self.token.kind == ")":
                raise self.fail(f"empty parentheses: expected {_OPERAND}")
            with self.nested():
                node = self.parse_or()
            if self.token.kind != ")":
                raise self.fail(
                    f"expected ')' to close the '(' at position {token.position}, "
                    f"found {_describe(self.token)}"
                )
            self.i += 1
            return node
        if token.kind == "PHRASE":
            self.i += 1
            return self.term(token.text, token.position + 1, quoted=True)
        if token.kind == "WORD":
            self.i += 1
            return self.word(token)
        if token.kind == ")":
            raise self.fail(f"this ')' closes no '(': expected {_OPERAND}")
        raise self.fail(f"expected {_OPERAND}, found {_describe(token)}")

    def nested(self) -> _Depth:
        return _Depth(self)

    def word(self, token: _Token) -> Node:
        text = token.text
        field = _FIELD.match(text)
        if field:
            name = field.group(1)
            value = text[field.end() :]
            value_at = token.position + field.end()
            if name == "case":
                if value.startswith('"'):
                    return self.term(value[1:-1], value_at + 1, quoted=True, exact_case=True)
                return self.term(value, value_at, quoted=False, exact_case=True)
            if name not in FIELDS:
                raise self.fail(
                    f"unknown field {name!r}: expected one of {', '.join(FIELDS)} or case: "
                    "(to search for the text itself, put it in quotes)",
                    token.position,
                )
            return self.field(name, value.strip('"'), value_at)
        if text.startswith("-") and len(text) > 1:
            raise self.fail(f"to leave out a term write NOT {text[1:]}, not {text}", token.position)
        return self.term(text, token.position, quoted=False)

    def term(self, text: str, position: int, *, quoted: bool, exact_case: bool = False) -> Term:
        prefix = text.endswith("*")
        body = text[:-1] if prefix else text
        star = body.find("*")
        if star >= 0:
            raise self.fail("a wildcard '*' may only end a term, as in fromag*", position + star)
        words = split_term(body, exact_case=exact_case)
        if not words:
            what = "phrase" if quoted else "term"
            raise self.fail(
                f"this {what} has no word in it: expected letters, digits, a #hashtag, "
                "an @handle or an emoji",
                position,
            )
        if prefix and (not body[-1:].isalnum() or len(words[-1].text) < MIN_PREFIX):
            raise self.fail(
                f"a wildcard needs at least {MIN_PREFIX} letters right before it, as in fromag*",
                position + len(body),
            )
        return Term(tuple(words), prefix, exact_case, position)

    def field(self, name: str, value: str, position: int) -> Field:
        if not value:
            raise self.fail(f"expected a value after {name}:, as in {_EXAMPLES[name]}", position)
        if name == "followers":
            return self.followers(value, position)
        if name == "sentiment":
            if value.lower() not in {s.value for s in Sentiment}:
                raise self.fail("expected positive, neutral or negative after sentiment:", position)
            return Field(name, value.lower())
        if name == "country":
            if not re.fullmatch(r"[A-Za-z]{2}", value):
                raise self.fail(
                    "expected a two-letter country code after country:, as in country:FR", position
                )
            return Field(name, value.upper())
        prefix = value.endswith("*")
        value = value.rstrip("*")
        if "*" in value or (prefix and name != "author"):
            raise self.fail("a wildcard may only end an author:, as in author:nestle*", position)
        if name == "author":
            value = value.lstrip("@").lower()
        return Field(name, value.lower(), prefix=prefix)

    def followers(self, value: str, position: int) -> Field:
        op = next((c for c in _COMPARISONS if value.startswith(c)), None)
        number = _count(value[len(op) :]) if op else None
        if op is None or number is None:
            raise self.fail(
                "expected a comparison and a number after followers:, "
                "as in followers:>1000 or followers:<=10k",
                position,
            )
        return Field("followers", value, op, number)


_EXAMPLES = {
    "author": "author:nestle",
    "lang": "lang:fr",
    "platform": "platform:mastodon",
    "sentiment": "sentiment:negative",
    "country": "country:FR",
    "followers": "followers:>1000",
}


def _count(text: str) -> int | None:
    found = re.fullmatch(r"(\d+(?:[.,]\d+)?)([kKmM]?)", text)
    if not found:
        return None
    number = float(found.group(1).replace(",", "."))
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[found.group(2).lower()]
    return int(number * scale)


class _Depth:
    def __init__(self, parser: _Parser) -> None:
        self.parser = parser

    def __enter__(self) -> None:
        self.parser.depth += 1
        if self.parser.depth > MAX_DEPTH:
            raise self.parser.fail(f"the query nests deeper than {MAX_DEPTH} levels")

    def __exit__(self, *exc: object) -> None:
        self.parser.depth -= 1
