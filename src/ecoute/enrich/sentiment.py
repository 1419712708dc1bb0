"""Sentiment of a post: negative, neutral or positive, with a score and why.

The fast tier stacks a bilingual lexicon with social-media rules (emojis and
emoticons, negation, intensifiers, « nuuuul », capitals, "but", irony markers) under
a linear model trained on word and character n-grams of French and English tweets
(data/sentiment-fast.npz, its card in docs/enrichment.md). It scores thousands of
posts per second on one core with numpy alone, so backfills and bulk re-analysis
use it, and so do stored mentions until the accurate tier relabels them.

The score is P(positive) - P(negative), in [-1, 1]. The explanation lists the
lexicon's hits and rules, then the words the model leaned on most.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import ClassVar, NamedTuple

import numpy as np

from ecoute.enrich.features import dense
from ecoute.enrich.keywords import STOP_WORDS
from ecoute.enrich.lexicon import Valence, score
from ecoute.enrich.linear import Batch, LinearModel
from ecoute.enrich.tokens import SHARED, BatchText, Token, tokenize
from ecoute.enrich.vectorizer import Vectorizer
from ecoute.model import Mention, Sentiment

log = logging.getLogger(__name__)

MODEL_FILE = "data/sentiment-fast.npz"
_EXPLAINED_FEATURES = 3
MAX_TEXT = 5_000  # longer posts are articles; their first 5,000 characters set the tone


class Verdict(NamedTuple):
    """One post's sentiment: label, score in [-1, 1], explanation, and the tier that said so."""

    label: Sentiment
    score: float
    explanation: list[str]
    by: str


@cache
def default_model() -> LinearModel:
    """Return the fast model shipped with Écoute, loaded once per process."""
    with as_file(files("ecoute.enrich").joinpath(MODEL_FILE)) as path:
        return LinearModel.load(Path(path))


class FastSentiment:
    """The fast tier: lexicon and rules stacked under a linear n-gram model."""

    tier: ClassVar[str] = "fast"

    def __init__(self, model: LinearModel | None = None) -> None:
        self.model = model or default_model()
        self.by = f"fast/{self.model.version}"
        self._vectorizer = Vectorizer(self.model)
        self._labels = [Sentiment(label) for label in self.model.labels]
        self._positive = self.model.labels.index(Sentiment.POSITIVE.value)
        self._negative = self.model.labels.index(Sentiment.NEGATIVE.value)
        self._neutral = self.model.labels.index(Sentiment.NEUTRAL.value)
        # Words, negated words, emojis and emoticons explain; n-grams of letters do not.
        self._explains = np.fromiter(
            (
                name[1:2] == "|" and name[0] in "wneo" and name[2:] not in STOP_WORDS
                for name in self.model.vocabulary
            ),
            dtype=bool,
            count=len(self.model.vocabulary),
        )

    def _batch(self, posts: Sequence[list[Token]]) -> tuple[Batch, list[Valence]]:
        """Return the distinct feature ids of each post, and what the lexicon found in it."""
        return self._vectorizer.batch(posts), list(map(score, posts))

    def judge(self, texts: Sequence[str]) -> list[Verdict]:
        """Return one verdict per text, in order."""
        return self.judge_tokens([tokenize(text[:MAX_TEXT]) for text in texts])

    def judge_tokens(self, posts: Sequence[list[Token]]) -> list[Verdict]:
        """Return one verdict per post given as its tokens, in order."""
        if not posts:
            return []
        batch, valences = self._batch(posts)
        rows = np.array([dense(v) for v in valences], dtype=np.float64)
        logits = self.model.score(batch, rows)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        best = probs.argmax(axis=1)
        scores = probs[:, self._positive] - probs[:, self._negative]
        # Neutral posts need no words to say why; -1 leaves them out of the explanation.
        leaned = self.model.explain(
            batch, np.where(best == self._neutral, -1, best), self._explains, _EXPLAINED_FEATURES
        )
        labels, by = self._labels, self.by
        verdicts = []
        for label, value, valence, names in zip(
            best.tolist(), scores.tolist(), valences, leaned, strict=True
        ):
            why = valence.explanation
            if names:
                why.append("model: " + ", ".join(map(_readable, names)))
            verdicts.append(Verdict(labels[label], round(value, 4), why, by))
        return verdicts


def _readable(feature: str) -> str:
    kind, _, value = feature.partition("|")
    return f"not {value}" if kind == "n" else value


class SentimentStage:
    """Label each mention with the fast tier and record the model version that did it."""

    name: ClassVar[str] = "sentiment"
    version: ClassVar[str] = "fast"

    def __init__(self, model: LinearModel | None = None, text: BatchText = SHARED) -> None:
        self.scorer = FastSentiment(model)
        self.version = self.scorer.by  # type: ignore[misc]  # the model's version is the stage's
        self.text = text

    def apply(self, mentions: list[Mention]) -> list[Mention]:
        posts = self.text.tokens([m.text[:MAX_TEXT] for m in mentions])
        for m, verdict in zip(mentions, self.scorer.judge_tokens(posts), strict=True):
            m.sentiment = verdict.label
            m.sentiment_score = verdict.score
            m.sentiment_explanation = verdict.explanation
            m.sentiment_by = verdict.by
        return mentions
