"""Tokens of a social post: words, hashtags, handles, links, emojis, emoticons, punctuation.

Every enrichment stage that reads words starts here, so « NUUUUL 😡 #arnaque » is cut
the same way for sentiment, care signals and keywords. A token keeps what the later
stages need to know about its surface (shouted, stretched, a hashtag) while its
``norm`` is folded and de-elongated so lexicons and n-gram models see one spelling.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Generic, NamedTuple, TypeVar

from ecoute.text import fold

T = TypeVar("T")

# Kinds of token, kept as short strings because they end up in feature names.
WORD = "w"
HASHTAG = "#"
HANDLE = "@"
URL = "u"
EMOJI = "e"
EMOTICON = "o"
PUNCT = "p"
NUMBER = "n"

_EMOJI_CHARS = (
    "\U0001f000-\U0001faff"  # pictographs, faces, gestures, symbols and flags
    "\u2600-\u27bf"  # miscellaneous symbols and dingbats (❤ ✨ ☀ ✅)
    "\u2b50\u2b55\u2b06\u2b07\u2b05\u27a1\u2934\u2935\u3030\u303d\u3297\u3299"
    "\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf\u23e9-\u23fa"
)
# Emoticons are matched before words so ":D" and "xD" are not read as letters.
_EMOTICON = (
    r"(?:[<>]?[:;=8][\-o*']?[)\](\[dDpP/\\|@3*]+(?![\w]))"  # :) ;-) :D :'( :p :/
    r"|(?:[)\](\[dDpP/\\]+[\-o*']?[:;=8](?![\w]))"  # (: and friends
    r"|(?:<3+|</3)"
    r"|(?:\^\^|\^_\^|-_-|xD+|XD+|o_O|O_o|T_T)(?!\w)"
)
# Leading blanks are eaten by the same match: without them every space would be a failed
# attempt at each of the alternatives, which cost as much as the tokens themselves.
_TOKEN = re.compile(
    r"\s*(?:"
    rf"(?P<url>https?://\S+|https?(?=\s|$)|www\.\S+)"
    rf"|(?P<emoticon>{_EMOTICON})"
    rf"|(?P<handle>@\w+)"
    rf"|(?P<hashtag>#\w+)"
    r"|(?P<number>\d+(?:[.,]\d+)*%?)"
    r"|(?P<word>\w+(?:['’]\w+)*)"
    rf"|(?P<emoji>[{_EMOJI_CHARS}])"
    r"|(?P<punct>[!?]+|\.{3,}|…)"
    r")",
)
# Three or more of the same letter in a row is emphasis: « nuuuul », "sooo goood".
_STRETCH = re.compile(r"(\w)\1{2,}")
_ELISIONS = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu"})
_KINDS = {
    "url": URL,
    "emoticon": EMOTICON,
    "handle": HANDLE,
    "hashtag": HASHTAG,
    "number": NUMBER,
    "word": WORD,
    "emoji": EMOJI,
    "punct": PUNCT,
}
_SURFACE_CACHE_LIMIT = 200_000
# Per kind of match, the tokens each surface yields.
_SURFACES: dict[str, dict[str, tuple[Token, ...]]] = {group: {} for group in _KINDS}


class Token(NamedTuple):
    """One token: its kind, its surface as written and its folded, de-stretched form."""

    kind: str
    text: str
    norm: str
    is_shouted: bool
    is_stretched: bool


def tokenize(text: str) -> list[Token]:
    """Cut `text` into tokens; a French elision (« l'avion ») yields the word alone."""
    # Source exports sometimes keep JSON escapes such as "\u2019" in the text.
    if "\\u" in text:
        text = _decode_escapes(text)
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("’", "'")
    tokens: list[Token] = []
    add = tokens.extend
    # A token depends only on its kind and surface, and surfaces repeat across posts far
    # more than posts do, so each distinct one is analysed once.
    surfaces = _SURFACES
    for match in _TOKEN.finditer(text):
        group = match.lastgroup or "punct"
        surface = match.group(group)
        known = surfaces[group]
        found = known.get(surface)
        if found is None:
            if len(known) >= _SURFACE_CACHE_LIMIT:
                known.clear()  # bounded memory; frequent surfaces come back at once
            found = known[surface] = _analyse(_KINDS[group], surface)
        add(found)
    return tokens


def _analyse(kind: str, surface: str) -> tuple[Token, ...]:
    if kind in (WORD, HASHTAG):
        norm = fold(surface)
        stretched = _STRETCH.search(norm) is not None
        if stretched:
            norm = _STRETCH.sub(r"\1\1", norm)
        shouted = len(surface) > 2 and surface.isupper()
        if kind == WORD and "'" in norm:
            head, tail = norm.split("'", 1)
            if head in _ELISIONS and tail:
                word = Token(kind, surface, tail, shouted, stretched)
                if head == "n":
                    # « n'aime » carries the negation that « pas » completes later.
                    return (Token(WORD, "n'", "ne", False, False), word)
                return (word,)
        return (Token(kind, surface, norm, shouted, stretched),)
    if kind == PUNCT:
        norm = "!" if "!" in surface else "?" if "?" in surface else "..."
        if "!" in surface and "?" in surface:
            norm = "?!"
        return (Token(kind, surface, norm, False, len(surface) > 1),)
    if kind in (HANDLE, EMOTICON):
        return (Token(kind, surface, surface.lower(), False, False),)
    return (Token(kind, surface, surface, False, False),)


class _LastBatch(Generic[T]):
    """`compute` of each text, remembering the last batch asked for."""

    def __init__(self, compute: Callable[[str], T]) -> None:
        self.compute = compute
        self._last: tuple[list[str], list[T]] = ([], [])

    def __call__(self, texts: list[str]) -> list[T]:
        compute = self.compute
        # One read of the pair: a concurrent batch replaces it whole, never half of it.
        last_texts, last_results = self._last
        if len(last_texts) == len(texts):
            out = [
                result if old is text else compute(text)
                for old, text, result in zip(last_texts, texts, last_results, strict=True)
            ]
        else:
            out = [compute(text) for text in texts]
        self._last = (texts, out)
        return out


class BatchText:
    """The tokens and folded texts of the batch last asked for, so stages share them.

    Sentiment and keywords both ask for the tokens of the same mentions' texts; the
    second call finds each text (the very same string object) at its position and
    reuses its tokens. Care signals and near-duplicates share folded texts the same
    way. Any other text is computed afresh, so a stage used alone, or a text changed
    in between, still gets the right answer.
    """

    def __init__(self) -> None:
        self._tokens = _LastBatch(tokenize)
        self._folded = _LastBatch(fold)

    def tokens(self, texts: list[str]) -> list[list[Token]]:
        """Return the tokens of each text, in order."""
        return self._tokens(texts)

    def folded(self, texts: list[str]) -> list[str]:
        """Return each text folded (`ecoute.text.fold`), in order."""
        return self._folded(texts)


# Shared by default between the stages of a process; a chain built by hand may pass its own.
SHARED = BatchText()


def unstretch(norm: str) -> str:
    """Reduce every doubled letter left by tokenize to one: "nuul" -> "nul"."""
    return _DOUBLE.sub(r"\1", norm)


_DOUBLE = re.compile(r"(\w)\1")


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _decode_escapes(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
