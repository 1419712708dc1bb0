"""Text folding and tokens shared by enrichment and query matching."""

from __future__ import annotations

import re
import unicodedata


def _accent_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)
        stripped = "".join(c for c in base if not unicodedata.combining(c))
        if stripped and stripped != char:
            table[code] = stripped
    table.update({ord("œ"): "oe", ord("Œ"): "OE", ord("æ"): "ae", ord("Æ"): "AE", ord("’"): "'"})
    return table


_ACCENTS = _accent_table()

# Combining accents (after NFD), variation selectors and emoji skin tones.
_MARKS = re.compile("[\u0300-\u036f\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]+")
# Letters that carry their accent without decomposing, and typographic apostrophes.
_LETTERS = {"’": "'", "ʼ": "'", "œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O",
            "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"}  # fmt: skip
_LETTER = re.compile("[" + "".join(_LETTERS) + "]")
_LETTER_TABLE = str.maketrans(_LETTERS)


def normalize(text: str) -> str:
    """Strip accents, emoji skin tones and variation selectors; keep case and length order."""
    if text.isascii():
        return text
    # NFD then dropping the marks is several times faster than a translate
    # table, and strips every Latin, Greek and Cyrillic diacritic alike.
    text = _MARKS.sub("", unicodedata.normalize("NFD", text))
    if _LETTER.search(text):
        text = text.translate(_LETTER_TABLE)
    return text


def match_fold(text: str) -> str:
    """The text query words are looked for in: `normalize`, then lower case.

    A word a query matches in a post is a substring of this, which lets a store
    skip the posts that hold none of a query's words (`ecoute.query.prefilter`).
    """
    return normalize(text).lower()


def fold(text: str) -> str:
    """Lower-case and strip Latin accents: « Nestlé » and « NESTLE » fold to "nestle"."""
    return text.lower().translate(_ACCENTS)


WORD = re.compile(r"[#@]?\w+(?:'\w+)?")
ELONGATION = re.compile(r"(\w)\1{2,}")


_ELISIONS = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu"})


def words(folded: str) -> list[str]:
    """Split folded text into words, hashtags and handles.

    « nuuuul » becomes "nul" and French elisions drop their article: « l'avion »
    gives "avion", while English "don't" stays whole for negation.
    """
    found = WORD.findall(ELONGATION.sub(r"\1", folded))
    for i, token in enumerate(found):
        if "'" in token:
            head, tail = token.split("'", 1)
            if head in _ELISIONS:
                found[i] = tail
    return found
