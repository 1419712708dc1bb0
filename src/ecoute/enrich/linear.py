"""A linear classifier over named sparse features, scored in batches with numpy alone.

The model file is a compressed ``.npz`` holding the vocabulary, the inverse document
frequencies, the weights and a JSON card (labels, version, what it was trained on,
its validation scores). Scoring needs no machine-learning runtime: a batch's feature
ids are gathered once and summed per post with ``np.bincount``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Batch:
    """The feature ids of a batch of posts, flattened once: which id, owned by which post."""

    size: int
    flat: np.ndarray  # (n_ids,) int64
    owner: np.ndarray  # (n_ids,) int64, the post each id belongs to, in order

    @classmethod
    def of(cls, ids: Sequence[Sequence[int]]) -> Batch:
        """Flatten one id list per post."""
        size = len(ids)
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=size)
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
        return cls(size, flat, np.repeat(np.arange(size), lengths))

    @classmethod
    def distinct(cls, flat: Iterable[int], lengths: Sequence[int], vocabulary: int) -> Batch:
        """Build a batch from ids laid end to end, `lengths[k]` of them for post k.

        Each id is kept once per post, and negative ids (unknown features) are dropped.
        """
        size = len(lengths)
        owner = np.repeat(np.arange(size, dtype=np.int64), lengths)
        ids = np.fromiter(flat, dtype=np.int64, count=int(owner.size))
        return cls.pairs(ids, owner, size, vocabulary)

    @classmethod
    def pairs(cls, ids: np.ndarray, owner: np.ndarray, size: int, vocabulary: int) -> Batch:
        """Build a batch of `size` posts from parallel arrays: id `ids[j]` is in post `owner[j]`.

        Each id is kept once per post, and negative ids (unknown features) are dropped.
        """
        known = ids >= 0
        keys = owner[known].astype(np.int64) * vocabulary + ids[known]
        if size * vocabulary < 2**31:
            keys = keys.astype(np.int32)  # sorts faster, and a batch's keys usually fit
        keys.sort()  # a sort then a neighbour test beats np.unique's hashing here by far
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys
        keys = keys.astype(np.int64, copy=False)
        return cls(size, keys % vocabulary, keys // vocabulary)


class ModelError(Exception):
    """A model file is missing, unreadable or not a linear sentiment model."""


@dataclass(slots=True)
class LinearModel:
    """Multiclass logistic regression over idf-weighted, L2-normalised binary features."""

    vocabulary: list[str]
    idf: np.ndarray  # (n_sparse,) float32
    weights: np.ndarray  # (n_sparse, n_labels) float32
    dense_weights: np.ndarray  # (n_dense, n_labels) float32
    bias: np.ndarray  # (n_labels,) float32
    labels: list[str]
    card: dict[str, Any] = field(default_factory=dict)
    index: dict[str, int] = field(init=False, repr=False)
    pulls: np.ndarray = field(init=False, repr=False)  # idf x weights, what a feature adds

    def __post_init__(self) -> None:
        self.index = {name: i for i, name in enumerate(self.vocabulary)}
        n = len(self.vocabulary)
        if self.idf.shape != (n,) or self.weights.shape != (n, len(self.labels)):
            raise ModelError("model arrays do not match its vocabulary and labels")
        self.pulls = self.idf[:, None] * self.weights

    @property
    def version(self) -> str:
        return str(self.card.get("version", "unversioned"))

    def ids(self, features: Sequence[str]) -> list[int]:
        """Return the vocabulary ids of the known features among `features`."""
        get = self.index.get
        return [i for i in map(get, features) if i is not None]

    def logits(self, ids: Sequence[Sequence[int]], dense: np.ndarray) -> np.ndarray:
        """Return (n_posts, n_labels) scores for posts given as id lists plus dense rows."""
        return self.score(Batch.of(ids), dense)

    def score(self, batch: Batch, dense: np.ndarray) -> np.ndarray:
        """Return (n_posts, n_labels) scores for a batch of id lists plus dense rows."""
        n_posts, flat, owner = batch.size, batch.flat, batch.owner
        idf = self.idf[flat]
        norms = np.sqrt(np.bincount(owner, weights=idf * idf, minlength=n_posts))
        norms[norms == 0] = 1.0
        out = np.zeros((n_posts, len(self.labels)), dtype=np.float64)
        # Owners come in order, so each post's rows are one run: sum the runs in one pass.
        counts = np.bincount(owner, minlength=n_posts)
        starts = np.cumsum(counts) - counts
        some = counts > 0
        if some.any():
            out[some] = np.add.reduceat(self.pulls[flat], starts[some], axis=0, dtype=np.float64)
        out /= norms[:, None]
        out += dense @ self.dense_weights + self.bias
        return out

    def explain(
        self, batch: Batch, labels: np.ndarray, among: np.ndarray, top: int
    ) -> list[list[str]]:
        """Return, per post, up to `top` feature names pulling hardest towards its label.

        A post whose entry in `labels` is -1 gets none. Only ids marked True in
        the boolean array `among` are considered, so an explanation can name words and
        emojis rather than character n-grams. One pass over the batch, not one per post.
        """
        out: list[list[str]] = [[] for _ in range(batch.size)]
        flat, owner = batch.flat, batch.owner
        keep = among[flat] & (labels[owner] >= 0)
        flat, owner = flat[keep], owner[keep]
        pull = self.pulls[flat, labels[owner]]
        keep = pull > 0
        flat, owner, pull = flat[keep], owner[keep], pull[keep]
        if not len(flat):
            return out
        # Strongest first within each post; the rank inside a post is the distance to
        # the post's first row once sorted.
        order = np.lexsort((-pull, owner))
        owner = owner[order]
        first = np.searchsorted(owner, owner, side="left")
        chosen = (np.arange(len(owner)) - first) < top
        vocabulary = self.vocabulary
        for post, feature in zip(owner[chosen].tolist(), flat[order][chosen].tolist(), strict=True):
            out[post].append(vocabulary[feature])
        return out

    def strongest(
        self, ids: Sequence[int], label: int, among: np.ndarray, top: int
    ) -> list[tuple[str, float]]:
        """Return up to `top` features of one post pulling hardest towards `label`.

        Only ids marked True in the boolean array `among` are considered, so an
        explanation can name words and emojis rather than character n-grams.
        """
        arr = np.asarray(ids, dtype=np.int64)
        arr = arr[among[arr]] if len(arr) else arr
        if not len(arr):
            return []
        pull = self.idf[arr] * self.weights[arr, label]
        order = np.argsort(-pull)[:top]
        return [(self.vocabulary[arr[k]], float(pull[k])) for k in order if pull[k] > 0]

    def save(self, path: Path) -> Path:
        """Write the model to `path` (a .npz file) and return the path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                vocabulary=np.frombuffer("\n".join(self.vocabulary).encode("utf-8"), np.uint8),
                idf=self.idf.astype(np.float16),
                weights=self.weights.astype(np.float16),
                dense_weights=self.dense_weights.astype(np.float32),
                bias=self.bias.astype(np.float32),
                card=np.frombuffer(
                    json.dumps({**self.card, "labels": self.labels}).encode(), np.uint8
                ),
            )
        return path

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        """Read a model written by `save`; raise ModelError with the reason if it is not one."""
        try:
            with np.load(path, allow_pickle=False) as data:
                card = json.loads(bytes(data["card"]).decode())
                vocabulary = bytes(data["vocabulary"]).decode("utf-8").split("\n")
                model = cls(
                    vocabulary=vocabulary,
                    idf=data["idf"].astype(np.float32),
                    weights=data["weights"].astype(np.float32),
                    dense_weights=data["dense_weights"].astype(np.float32),
                    bias=data["bias"].astype(np.float32),
                    labels=list(card.pop("labels")),
                    card=card,
                )
        except FileNotFoundError as exc:
            raise ModelError(f"no model file at {path}") from exc
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{path} is not a sentiment model file: {exc}") from exc
        log.debug("loaded %s: %d features", path, len(vocabulary))
        return model
