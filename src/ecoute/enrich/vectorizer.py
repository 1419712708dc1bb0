"""A batch of posts, as tokens, turned into a linear model's feature ids with numpy.

`features.names` spells out what the model counts in a post: each word and its
letter n-grams, hashtags, emojis, emoticons, punctuation, negated words and the
bigram of every two neighbouring tokens. Building those strings token by token in
Python cost more than all the rest of the fast tier. Here each distinct token is
described once (its own feature ids, the unit its bigrams use, whether it is a
word, a negation or a sentence break) and a post becomes a run of token numbers;
negation reach and bigrams are then found for the whole batch at once by array
arithmetic, and every id is looked up in numpy. The ids are exactly those of
`features.names`, which the tests check on the shared tweets.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ecoute.enrich.features import NEGATION_REACH, word_features
from ecoute.enrich.lexicon import NEGATIONS
from ecoute.enrich.linear import Batch, LinearModel
from ecoute.enrich.tokens import EMOJI, EMOTICON, HANDLE, HASHTAG, NUMBER, PUNCT, URL, WORD, Token

CACHE_LIMIT = 200_000  # distinct tokens or words remembered before starting afresh
_BEGIN, _END = "^", "$"  # the units that open and close every post's bigrams
_SHIFT = np.int64(32)  # a bigram's key is its first unit's number << 32 | its second's


class Ragged:
    """Lists of ints laid end to end in one growing numpy pool; a batch's are gathered at once."""

    def __init__(self) -> None:
        self._pool = np.empty(1 << 16, dtype=np.int32)
        self._starts = np.empty(1 << 12, dtype=np.int64)
        self._counts = np.empty(1 << 12, dtype=np.int64)
        self._used = 0
        self._rows = 0

    def append(self, values: Sequence[int]) -> int:
        """Store `values` and return their row number."""
        row = self._rows
        if row == len(self._starts):
            self._starts = np.resize(self._starts, 2 * row)
            self._counts = np.resize(self._counts, 2 * row)
        end = self._used + len(values)
        if end > len(self._pool):
            self._pool = np.resize(self._pool, max(2 * len(self._pool), end))
        self._pool[self._used : end] = values
        self._starts[row], self._counts[row] = self._used, len(values)
        self._used = end
        self._rows = row + 1
        return row

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the values of `rows` laid end to end, and how many each row has."""
        counts = self._counts[rows]
        ends = np.cumsum(counts)
        # Position j of the result reads pool[start of its row + its rank within the row].
        offsets = np.repeat(self._starts[rows] - (ends - counts), counts)
        return self._pool[offsets + np.arange(int(ends[-1]) if len(ends) else 0)], counts


class Column:
    """One growing numpy array of int64, filled one value at a time."""

    def __init__(self) -> None:
        self.values = np.empty(1 << 12, dtype=np.int64)
        self._size = 0

    def append(self, value: int) -> None:
        """Add `value` at the end."""
        if self._size == len(self.values):
            self.values = np.resize(self.values, 2 * self._size)
        self.values[self._size] = value
        self._size += 1


class Vectorizer:
    """The feature ids of each post of a batch, as `features.names` would count them."""

    def __init__(self, model: LinearModel) -> None:
        self.model = model
        index = model.index
        self._get = index.get
        self._shout, self._stretch = self._get("f|shout", -1), self._get("f|stretch", -1)
        self._url, self._handle = self._get("f|url", -1), self._get("f|handle", -1)
        # Units that some bigram of the model holds are numbered first, for good.
        units: dict[str, int] = {_BEGIN: 0, _END: 1}
        keys: list[int] = []
        ids: list[int] = []
        for name, i in index.items():
            if name.startswith("b|"):
                first, _, second = name[2:].partition(" ")
                a = units.setdefault(first, len(units))
                b = units.setdefault(second, len(units))
                keys.append(a << 32 | b)
                ids.append(i)
        order = np.argsort(np.array(keys, dtype=np.int64), kind="stable")
        self._bigram_keys = np.array(keys, dtype=np.int64)[order]
        self._bigram_ids = np.array(ids, dtype=np.int64)[order]
        self._known_units = units
        self.clear()

    def __len__(self) -> int:
        return len(self._tokens)

    def clear(self) -> None:
        """Forget every token and word met so far."""
        self._units = dict(self._known_units)
        self._tokens: dict[Token, int] = {}
        self._words: dict[str, int] = {}
        self._word_ids = Ragged()  # per word slot: itself and its letter n-grams
        self._own_ids = Ragged()  # per token: the features it brings wherever it stands
        self._unit = Column()  # per token: the number of its bigram unit
        self._slot = Column()  # per token: its word slot, -1 if not a word or hashtag
        self._negated_id = Column()  # per token: the id of "n|word", -1 if none
        self._negates = Column()  # per token: 1 if a negation word
        self._breaks = Column()  # per token: 1 if punctuation, which ends a negation's reach

    def batch(self, posts: Sequence[list[Token]]) -> Batch:
        """Return the distinct feature ids of each post."""
        if len(self._tokens) >= CACHE_LIMIT or len(self._words) >= CACHE_LIMIT:
            self.clear()  # bounded memory; the common tokens come back at once
        number = self._tokens.get
        add = self._add
        flat: list[int] = []
        lengths: list[int] = []
        for tokens in posts:
            found = list(map(number, tokens))  # in C: one dictionary lookup per token
            if None in found:
                found = [add(t) if f is None else f for t, f in zip(tokens, found, strict=True)]
            flat += found
            lengths.append(len(found))
        size = len(posts)
        counts = np.array(lengths, dtype=np.int64)
        tokens = np.array(flat, dtype=np.int64)
        post = np.repeat(np.arange(size, dtype=np.int64), counts)
        at = np.arange(len(tokens), dtype=np.int64)
        first = np.repeat(np.cumsum(counts) - counts, counts)  # each token's post's first
        slot = self._slot.values[tokens]
        word = slot >= 0

        own, own_counts = self._own_ids.gather(tokens)
        letters, letter_counts = self._word_ids.gather(slot[word])
        # A word is negated when the last negation before it in its post is at most
        # NEGATION_REACH tokens back, with no punctuation in between.
        last_negation = _last_before(np.where(self._negates.values[tokens] == 1, at, -1))
        last_break = _last_before(np.where(self._breaks.values[tokens] == 1, at, -1))
        negated = (
            word
            & (last_negation >= first)
            & (at - last_negation <= NEGATION_REACH)
            & (last_break < last_negation)
        )
        # Bigrams: each token with the one before it in its post, then the last with the end.
        unit = self._unit.values[tokens]
        before = np.empty_like(unit)
        before[1:] = unit[:-1]
        before[at == first] = 0
        filled = np.flatnonzero(counts)
        ends = np.cumsum(counts)[filled] - 1
        pairs = np.concatenate(
            ((before << _SHIFT) | unit, (unit[ends] << _SHIFT) | self._known_units[_END])
        )
        place = np.searchsorted(self._bigram_keys, pairs)
        place[place == len(self._bigram_keys)] = 0
        bigrams = np.where(self._bigram_keys[place] == pairs, self._bigram_ids[place], -1)

        ids = np.concatenate(
            (own, letters, self._negated_id.values[tokens[negated]], bigrams.astype(np.int64))
        )
        owner = np.concatenate(
            (
                np.repeat(post, own_counts),
                np.repeat(post[word], letter_counts),
                post[negated],
                post,
                filled,
            )
        )
        return Batch.pairs(ids, owner, size, len(self.model.vocabulary))

    def _add(self, token: Token) -> int:
        """Describe a token never met before and return its number."""
        found = self._tokens.get(token)
        if found is not None:  # met twice in the post that introduced it
            return found
        kind, text, norm, shouted, stretched = token
        get = self._get
        own: list[int] = []
        slot = negated_id = -1
        negates = breaks = 0
        if kind in (WORD, HASHTAG):
            word = norm[1:] if kind == HASHTAG else norm
            if kind == HASHTAG:
                own.append(get(f"h|{word}", -1))
            if shouted:
                own.append(self._shout)
            if stretched:
                own.append(self._stretch)
            slot = self._word_slot(word)
            negated_id = get(f"n|{word}", -1)
            negates = int(word in NEGATIONS)
            unit = word
        elif kind == EMOJI:
            unit = text
            own.append(get(f"e|{unit}", -1))
        elif kind == EMOTICON:
            unit = norm
            own.append(get(f"o|{unit}", -1))
        elif kind == PUNCT:
            unit = norm
            own.append(get(f"p|{unit}+" if stretched else f"p|{unit}", -1))
            breaks = 1
        elif kind == URL:
            unit = "<url>"
            own.append(self._url)
        elif kind == HANDLE:
            unit = "<user>"
            own.append(self._handle)
        elif kind == NUMBER:
            unit = "<num>"
        else:
            raise ValueError(f"unknown kind of token {kind!r}")
        number = len(self._tokens)
        self._own_ids.append([i for i in own if i >= 0])
        self._unit.append(self._units.setdefault(unit, len(self._units)))
        self._slot.append(slot)
        self._negated_id.append(negated_id)
        self._negates.append(negates)
        self._breaks.append(breaks)
        self._tokens[token] = number
        return number

    def _word_slot(self, word: str) -> int:
        found = self._words.get(word)
        if found is None:
            found = self._words[word] = self._word_ids.append(self.model.ids(word_features(word)))
        return found


def _last_before(marks: np.ndarray) -> np.ndarray:
    """Return, at each position, the largest mark strictly before it (-1 if none)."""
    out = np.empty_like(marks)
    if len(marks):
        out[0] = -1
        np.maximum.accumulate(marks[:-1], out=out[1:])
    return out
