"""How a post's text is cut into words, the same way for posts and query terms.

The rules, which docs/queries.md states for users:
- accents are stripped (NFD, then the combining marks dropped; œ is oe);
  case is kept here, and lowered for every term not asked with case:;
- a word is letters and digits with inner apostrophes (aujourd'hui), an
  emoji or a flag; any other character separates words, so coca-cola is two
  words and the term coca-cola means the phrase "coca cola";
- a word's #hashtag or @handle sigil, its French elision (l', d', qu', ...)
  and its English possessive 's are not part of it, so "apple" is found in
  "#apple", "@apple" and "Apple's", and "oreal" in "L'Oréal"; the sigil is
  kept aside for the terms that require it (#apple);
- emoji skin tones and variation selectors are dropped: 👍🏽 is 👍.

The matcher cuts each white-space-separated chunk of a post with these
functions once and remembers the answer (no token spans white space, so a
post's words are its chunks' words in order); the property tests hold it to
a plain reading of the language over cut().
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ecoute.text import normalize

_EMOJI = (
    r"[\U0001F1E6-\U0001F1FF]{2}"  # a flag is a pair of regional indicators
    r"|[\u231A-\u23FF\u2600-\u27BF\u2B00-\u2BFF\U0001F000-\U0001FAFF]"
)
EMOJI = re.compile(_EMOJI)
# No look-behind before the sigil: "contact@nestle.com" reads "@nestle" as a handle.
TOKEN = re.compile(r"[#@]?\w+(?:'\w+)*|" + _EMOJI)
ELISIONS = frozenset("l d j m n s t c qu jusqu lorsqu puisqu quoiqu".split())
# Token-local (anchored on the spaces around one token).
_AFFIXES = re.compile(
    rf"(?<= )(?:[#@](?:(?:{'|'.join(ELISIONS)})')?|(?:{'|'.join(ELISIONS)})')|'s(?= )", re.I
)


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a query term: its matching form and the sigil it requires, if any."""

    text: str
    sigil: str = ""  # "#" or "@": only a hashtag or a handle will do


def cut(text: str) -> list[str]:
    """Return the words of normalized `text` as written: sigils, elisions and 's kept."""
    return TOKEN.findall(text)


def bare(token: str) -> str:
    """Return a word without its sigil, French elision or English possessive 's."""
    if "'" not in token and token[0] not in "#@":
        return token
    return _AFFIXES.sub("", f" {token} ")[1:-1]


def sigil(token: str) -> str:
    """Return "#" for a hashtag, "@" for a handle, "" otherwise."""
    return token[0] if token[0] in "#@" else ""


def split_term(text: str, *, exact_case: bool = False) -> list[Word]:
    """Cut a query term or phrase into words exactly as posts are cut."""
    words = []
    for token in cut(normalize(text)):
        word = bare(token)
        words.append(Word(word if exact_case else word.lower(), sigil(token)))
    return words
