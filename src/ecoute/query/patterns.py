"""Candidates for a query in a store or an Arrow column: does a text hold these folded words?

The matcher folds a post with `ecoute.text.match_fold` (accents stripped, then lower
case) and finds words in that. Folding every text in DuckDB costs more than the
search saves, so each word becomes a pattern over the text as written, accepting
every character that folds to each of its letters: "cafe" is ``[cCçÇ…][aA…][fF][eEéÉ…]``,
and "coeur" also matches « CŒUR ». That is exact for a text made only of characters
that fold to one character each (ASCII, Latin letters, punctuation, emoji: the
ranges below, checked here one by one); a text holding any other (a combining
accent, a skin tone, a variation selector, another script) is kept as a
candidate, unjudged, for the matcher to decide. The patterns are RE2's syntax,
which DuckDB and Arrow both use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from ecoute.text import match_fold

# Where characters are tried; those folding to one character (or to oe, ae) are kept.
_RANGES = (
    (0x09, 0x0D), (0x20, 0x7E), (0xA0, 0x24F), (0x2010, 0x2027), (0x2030, 0x205E),
    (0x20A0, 0x20C0), (0x2100, 0x214F), (0x2190, 0x21FF), (0x2600, 0x27BF),
    (0x1F300, 0x1F3FA), (0x1F400, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F900, 0x1F9FF),
)  # fmt: skip
# Letters written as one which fold to two: œ Œ, æ Æ.
_PAIRS = {"oe": "[\\x{153}\\x{152}]", "ae": "[\\x{e6}\\x{c6}]"}


@cache
def _alphabet() -> tuple[str, dict[str, str]]:
    """The negated class of the characters judged exactly, and each folded letter's class."""
    safe: list[int] = []
    classes: dict[str, list[int]] = {}
    for lo, hi in _RANGES:
        for code in range(lo, hi + 1):
            char = chr(code)
            folded = match_fold(char)
            if len(folded) == 1:
                classes.setdefault(folded, []).append(code)
            elif folded not in _PAIRS:
                continue  # folds to nothing or to several letters: left unjudged
            safe.append(code)
    negated = "[^" + _ranges(safe) + "]"
    return negated, {k: "[" + _ranges(sorted(v)) + "]" for k, v in classes.items()}


def _ranges(codes: list[int]) -> str:
    """A character class body for sorted code points, runs written as ranges."""
    out: list[str] = []
    start = prev = codes[0]
    for code in [*codes[1:], -1]:
        if code == prev + 1:
            prev = code
            continue
        first, last = _escape(chr(start)), _escape(chr(prev))
        out.append(first if start == prev else f"{first}-{last}")
        start = prev = code
    return "".join(out)


def _escape(char: str) -> str:
    return f"\\x{{{ord(char):x}}}"


def _pattern(word: str, classes: dict[str, str]) -> str:
    """A regular expression over the text as written, found in every text folding to hold `word`."""
    out: list[str] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        if pair in _PAIRS:
            both = "".join(classes.get(c, _escape(c)) for c in pair)
            out.append(f"(?:{both}|{_PAIRS[pair]})")
            i += 2
            continue
        out.append(classes.get(word[i], _escape(word[i])))
        i += 1
    return "".join(out)


def group_patterns(groups: Sequence[Sequence[str]]) -> tuple[str, list[str]]:
    """The class of characters not judged, and one pattern per group (any of its words).

    A text is a candidate when it holds a character of the first, or matches every
    one of the others. The patterns hold only ASCII (escapes), so they can be written
    into a SQL statement as they are.
    """
    negated, classes = _alphabet()
    return negated, ["|".join(_pattern(w, classes) for w in group) for group in groups]


def words_sql(groups: Sequence[Sequence[str]]) -> str:
    """The SQL condition (over ``mentions m``) keeping the candidates of `groups`.

    The patterns are written into the statement, so DuckDB compiles each once.
    """
    if not groups:
        return "true"
    negated, patterns = group_patterns(groups)
    tests = [f"regexp_matches(m.text, '{p}')" for p in patterns]
    return f"(regexp_matches(m.text, '{negated}') OR ({' AND '.join(tests)}))"


def candidates(texts: Any, queries: Sequence[Sequence[Sequence[str]]]) -> Any:
    """The Arrow mask of `texts` (a string array) that some query's groups may match."""
    import pyarrow as pa  # here: only bulk reads need Arrow
    import pyarrow.compute as pc

    negated, _ = _alphabet()
    mask = pc.match_substring_regex(texts, negated)
    for groups in queries:
        _, patterns = group_patterns(groups)
        hit = pa.scalar(True)
        for pattern in patterns:
            hit = pc.and_(hit, pc.match_substring_regex(texts, pattern))
        mask = pc.or_(mask, hit)
    return pc.fill_null(mask, True)


def is_judged(char: str) -> bool:
    """Whether a text holding `char` is judged exactly (for tests)."""
    negated, _ = _alphabet()
    return re.fullmatch(_python_class(negated), char) is None


def _python_class(pattern: str) -> str:
    return re.sub(r"\\x\{([0-9a-f]+)\}", lambda m: f"\\U{int(m[1], 16):08x}", pattern)
