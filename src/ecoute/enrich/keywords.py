"""Keywords of a post, and the terms emerging over a period.

A post's keywords are its hashtags, the handles it names, the sites it links to,
its emojis, then its content words lemmatised in the post's language (simplemma:
« livraisons » and « livrée » both count as « livraison » / « livrer »), with
French and English stop words and social filler (rt, lol, mdr) left out.

`emerging_terms` compares two periods' keywords and ranks what rose, with a
smoothed log-ratio so a term seen twice instead of once does not top the list.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from ecoute.enrich.tokens import (
    EMOJI,
    HANDLE,
    HASHTAG,
    SHARED,
    URL,
    WORD,
    BatchText,
    Token,
    tokenize,
)
from ecoute.model import Mention

STOP_WORDS = frozenset(
    # French
    "a au aux avec ce ces cet cette ceci cela ca dans de des du elle elles en et eux il ils "
    "je j la le les leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par "
    "pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d "
    "l m n s t y ete etre avoir ai as avons avez ont eu suis es est sommes etes sont fait "
    "faire fais font etait etais ete sera serait tout tous toute toutes tres trop plus moins "
    "aussi encore deja bien alors donc car si comme quand dont quoi ici la-bas oui non "
    "rien peu beaucoup apres avant depuis pendant chez sans sous entre vers voila cest "
    "jai quil quon ya va vais vont peut peux faut dit dire fois jour aujourd'hui hui "
    # English
    "a about above after again against all am an and any are as at be because been before "
    "being below between both but by can could did do does doing down during each few for "
    "from further had has have having he her here hers herself him himself his how i if in "
    "into is it its itself just me more most my myself no nor not now of off on once only "
    "or other our ours out over own same she should so some such than that the their theirs "
    "them then there these they this those through to too under until up very was we were "
    "what when where which while who whom why will with would you your yours yourself "
    "im i'm it's don't doesn't didn't can't won't isn't that's you're we're they're i've "
    "i'll let's get got go going gonna one also really still even much many like "
    # Social filler
    "rt via amp lol mdr ptdr xd http https www com fr".split()
)
MAX_KEYWORDS = 16
_MIN_LENGTH = 3
_LEMMA_LANGUAGES = frozenset({"fr", "en", "es", "it", "de", "pt", "nl"})
_LEMMA_CACHE_LIMIT = 100_000
_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?([^/\s?#:]+)", re.IGNORECASE)


class Lemmas:
    """simplemma lemmas with a bounded per-process cache: words repeat across posts."""

    def __init__(self) -> None:
        self._cache: dict[str, dict[str, str]] = {lang: {} for lang in _LEMMA_LANGUAGES}

    def __call__(self, word: str, lang: str | None) -> str:
        if lang not in _LEMMA_LANGUAGES:
            return word
        found = self._cache[lang].get(word)
        if found is None:
            from simplemma import lemmatize

            cache = self._cache[lang]
            if len(cache) >= _LEMMA_CACHE_LIMIT:
                cache.clear()
            found = cache[word] = lemmatize(word, lang=lang).lower()
        return found

    def known(self, lang: str | None) -> dict[str, str] | None:
        """Return the lemmas already found in `lang`, or None if `lang` is not lemmatised."""
        return self._cache.get(lang) if lang else None


def extract_keywords(text: str, lang: str | None = None, lemmas: Lemmas | None = None) -> list[str]:
    """Return hashtags, @handles, linked sites, emojis, then lemmatised content words."""
    return keywords_of(tokenize(text), lang, lemmas or Lemmas())


def keywords_of(tokens: list[Token], lang: str | None, lemma: Lemmas) -> list[str]:
    """Return the keywords of a post already cut into tokens, as `extract_keywords` does."""
    tags: list[str] = []
    plain: list[str] = []
    known = lemma.known(lang)
    # Unpacking the tuple is much cheaper than reading NamedTuple attributes by name.
    for kind, text, norm, _, _ in tokens:
        if kind == WORD:
            if len(norm) >= _MIN_LENGTH and norm not in STOP_WORDS:
                word = norm if known is None else (known.get(norm) or lemma(norm, lang))
                if word not in STOP_WORDS and not word.isdigit():
                    plain.append(word)
        elif (kind == HASHTAG and len(norm) > 1) or (kind == HANDLE and norm != "@user"):
            tags.append(norm)
        elif kind == URL:
            domain = _DOMAIN.match(text)
            if domain and "." in domain.group(1):
                tags.append(domain.group(1).lower())
        elif kind == EMOJI and text not in "\u200d\ufe0f":
            tags.append(text)
    return list(dict.fromkeys(tags + plain))[:MAX_KEYWORDS]


class KeywordStage:
    """Keep up to sixteen distinct keywords per mention, tags first, lemmas after."""

    name: ClassVar[str] = "keywords"
    version: ClassVar[str] = "lemmas-2"

    def __init__(self, text: BatchText = SHARED) -> None:
        self._lemmas = Lemmas()
        self.text = text

    def apply(self, mentions: list[Mention]) -> list[Mention]:
        posts = self.text.tokens([m.text for m in mentions])
        for m, tokens in zip(mentions, posts, strict=True):
            m.keywords = keywords_of(tokens, m.lang, self._lemmas)
            m.keywords_by = self.version
        return mentions


@dataclass(frozen=True, slots=True)
class Emerging:
    """A term that rose: its counts in both periods and how strongly it rose (log-ratio)."""

    term: str
    count: int
    before: int
    lift: float


def emerging_terms(
    recent: Iterable[Iterable[str]],
    baseline: Iterable[Iterable[str]],
    *,
    min_count: int = 3,
    top: int = 20,
) -> list[Emerging]:
    """Rank the terms of `recent` posts by how much more often they occur than in `baseline`.

    Each argument holds one keyword list per post; rates are per post, so periods of
    different volume compare fairly, and one pseudo-count keeps rare terms modest.
    """
    now = Counter()
    n_recent = 0
    for keywords in recent:
        now.update(set(keywords))
        n_recent += 1
    before = Counter()
    n_before = 0
    for keywords in baseline:
        before.update(set(keywords))
        n_before += 1
    if not n_recent:
        return []
    found = []
    for term, count in now.items():
        if count < min_count:
            continue
        lift = math.log((count + 1) / (n_recent + 1)) - math.log(
            (before[term] + 1) / (n_before + 1)
        )
        if lift > 0:
            found.append(Emerging(term, count, before[term], round(lift, 4)))
    found.sort(key=lambda e: (-e.lift, -e.count, e.term))
    return found[:top]
