"""Near-duplicates: copies, retweets with a comment, copy-paste campaigns and spam share a story.

Each post is reduced to what a copier keeps (folded text without links, handles,
"RT" and digits), cut into 5-byte shingles, and summarised by a 64-value
MinHash computed for the whole batch at once with numpy. Locality-sensitive
hashing over 16 bands of 4 values finds earlier posts whose shingle sets likely
overlap; a candidate whose estimated Jaccard similarity reaches 0.5 lends its
story id, which is the key (``platform:native_id``) of the first copy seen.

The index lives as long as the stage, so copies are found across batches within
a process; it keeps the first copy of at most `max_stories` stories and forgets
the oldest beyond that, so memory stays bounded on an endless stream.
"""

from __future__ import annotations

import re
from typing import ClassVar

import numpy as np

from ecoute.enrich.tokens import SHARED, BatchText
from ecoute.model import Mention
from ecoute.text import fold

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.5
SHINGLE = 5
# Below this many characters a text is too common to call a copy ("merci", "lol").
MIN_CHARS = 24
MAX_STORIES = 100_000
_MASK = np.uint64(0xFFFFFFFF)
_FEW = 4  # candidates compared one by one; beyond, all at once
_CHUNK = 64  # posts per numpy pass: keeps the (permutations x shingles) matrix in cache
# Joins a batch's texts so the regular expressions run once per batch; a blank to them,
# so a link or handle never runs on into the next text.
_SEPARATOR = "\x1e"
_KEPT_SEPARATOR = "1"

# "rt" standing alone; its leading word boundary is tested after the letters, so every
# alternative starts with a literal and the engine skips ahead to h, w, @ or r.
_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+|rt(?<!\wrt)\b")
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")


def _permutations(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    # Multiply-add-shift hashing (Dietzfelbinger): ((a*x + b) mod 2^64) >> 32 with odd a
    # maps 32-bit shingles to 32-bit values with no division, which numpy does slowly.
    a = rng.integers(0, 1 << 63, size=(NUM_PERM, 1), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 1 << 63, size=(NUM_PERM, 1), dtype=np.uint64)
    return a, b


_A, _B = _permutations()
# Mixes a band's four values and its number into one 64-bit dictionary key; a rare
# collision only adds a candidate that the full-signature comparison then rejects.
_BAND_MIX = np.random.default_rng(2).integers(1, 1 << 63, size=ROWS + 1, dtype=np.uint64) | 1


def normalise(text: str) -> str:
    """Return the part of a post that copies keep: folded words, no links, handles or digits."""
    return normalise_folded([fold(text)])[0]


def normalise_folded(folded: list[str]) -> list[str]:
    """Return `normalise` of each already folded text, each regular expression run once."""
    joined = _SEPARATOR.join(folded)
    if joined.count(_SEPARATOR) != len(folded) - 1:  # a text holds the separator itself
        return [normalise(t.replace(_SEPARATOR, " ")) for t in folded]
    plain = _DIGITS.sub("0", _NOISE.sub(" ", joined))
    # Every digit is now "0", so "1" can stand for the separator through _NON_WORD, whose
    # plain [\W_]+ is much faster than a class that spares the separator.
    plain = _NON_WORD.sub(" ", plain.replace(_SEPARATOR, _KEPT_SEPARATOR))
    return [part.strip() for part in plain.split(_KEPT_SEPARATOR)]


def signatures(texts: list[str]) -> np.ndarray:
    """Return the (len(texts), NUM_PERM) MinHash signatures of normalised texts."""
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint64)
    for start in range(0, len(texts), _CHUNK):
        chunk = [t.encode("utf-8") for t in texts[start : start + _CHUNK]]
        chunk = [b if len(b) >= SHINGLE else b.ljust(SHINGLE, b"\0") for b in chunk]
        lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
        raw = np.frombuffer(b"".join(chunk), dtype=np.uint8).astype(np.uint64)
        # Five bytes folded into 32 bits at every position of the whole chunk at once ...
        n = len(raw) - SHINGLE + 1
        rolling = np.zeros(n, dtype=np.uint64)
        for k in range(SHINGLE):
            rolling = (rolling * np.uint64(257) + raw[k : k + n]) & _MASK
        # ... of which each text keeps the positions whose five bytes are all its own.
        counts = lengths - SHINGLE + 1
        firsts = np.cumsum(counts) - counts
        begins = np.cumsum(lengths) - lengths
        shingles = rolling[np.repeat(begins - firsts, counts) + np.arange(int(counts.sum()))]
        hashed = shingles * _A  # (NUM_PERM, n_shingles), wrapping modulo 2^64
        hashed += _B
        # The top 32 bits of the smallest value are the smallest top 32 bits: shift after.
        lowest = np.minimum.reduceat(hashed, firsts, axis=1)
        out[start : start + len(chunk)] = (lowest >> np.uint64(32)).T
    return out


def band_keys(signed: np.ndarray) -> list[list[int]]:
    """Return the BANDS dictionary keys of each signature, as plain ints."""
    bands = signed.reshape(len(signed), BANDS, ROWS) * _BAND_MIX[:ROWS]
    mixed = bands.sum(axis=2, dtype=np.uint64) + np.arange(BANDS, dtype=np.uint64) * _BAND_MIX[ROWS]
    return mixed.tolist()


class StoryIndex:
    """Banded LSH over the MinHash of each story's first copy; the oldest is forgotten first.

    Signatures sit in one numpy array, a ring of `max_stories` rows, so a post that
    shares bands with many stories (a copy-paste campaign, a bot's template) is
    compared with all of them in one operation.
    """

    def __init__(self, max_stories: int = MAX_STORIES) -> None:
        if max_stories < 1:
            raise ValueError(f"max_stories must be 1 or more, not {max_stories}")
        self.max_stories = max_stories
        self._bands: dict[int, int] = {}  # band key -> row of the first story holding it
        self._signatures = np.empty((min(max_stories, 1024), NUM_PERM), dtype=np.uint32)
        self._keys: list[str] = []  # row -> story id
        self._row_bands: list[list[int]] = []  # row -> its band keys
        self._next = 0  # row the next story takes, once the ring is full

    def __len__(self) -> int:
        return len(self._keys)

    def assign(self, key: str, signature: np.ndarray, bands: list[int] | None = None) -> str:
        """Return the story of the most similar earlier post, or start one named `key`."""
        if bands is None:
            bands = band_keys(signature[None, :])[0]
        candidates = set(map(self._bands.get, bands))
        candidates.discard(None)
        if candidates:
            # A tie goes to the lowest row, whatever order the set yields.
            rows = sorted(candidates)
            if len(rows) <= _FEW:
                similarity = [np.count_nonzero(self._signatures[r] == signature) for r in rows]
            else:
                similarity = np.count_nonzero(self._signatures[rows] == signature, axis=1).tolist()
            best = max(similarity)
            if best >= THRESHOLD * NUM_PERM:
                return self._keys[rows[similarity.index(best)]]
        self._store(key, signature, bands)
        return key

    def _store(self, key: str, signature: np.ndarray, bands: list[int]) -> None:
        if len(self._keys) < self.max_stories:
            row = len(self._keys)
            if row == len(self._signatures):
                grown = min(2 * row, self.max_stories)
                self._signatures = np.resize(self._signatures, (grown, NUM_PERM))
            self._keys.append(key)
            self._row_bands.append(bands)
        else:
            row = self._next
            self._next = (row + 1) % self.max_stories
            for k in self._row_bands[row]:  # forget the oldest story
                if self._bands.get(k) == row:
                    del self._bands[k]
            self._keys[row] = key
            self._row_bands[row] = bands
        self._signatures[row] = signature
        setdefault = self._bands.setdefault
        for k in bands:
            setdefault(k, row)


class DuplicateStage:
    """Give each mention a story id shared by its near-duplicates seen in this process."""

    name: ClassVar[str] = "duplicates"
    version: ClassVar[str] = "minhash-2"

    def __init__(self, max_stories: int = MAX_STORIES, text: BatchText = SHARED) -> None:
        self.index = StoryIndex(max_stories)
        self.text = text

    def apply(self, mentions: list[Mention]) -> list[Mention]:
        folded = self.text.folded([m.text for m in mentions])
        texts = normalise_folded(folded) if mentions else []
        long_enough = [i for i, t in enumerate(texts) if len(t) >= MIN_CHARS]
        signed = signatures([texts[i] for i in long_enough])
        keys = band_keys(signed)
        row = dict(zip(long_enough, range(len(long_enough)), strict=True))
        assign = self.index.assign
        for i, m in enumerate(mentions):
            key = f"{m.platform}:{m.native_id}"
            r = row.get(i)
            m.story_id = key if r is None else assign(key, signed[r], keys[r])
            m.story_by = self.version
        return mentions
