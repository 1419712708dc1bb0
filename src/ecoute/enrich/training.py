"""Train the fast sentiment model from labelled TSV files, choosing it on validation files.

A training folder holds ``label<TAB>text`` files (a ``label<TAB>text`` header is
optional; labels are negative, neutral or positive). Files whose name starts with
``val`` are for choosing the model, every other ``.tsv`` is for training; a file in a
sub-folder (``fr/train.tsv``) belongs to the group named by that folder, and each
group weighs the same in training and is scored on its own. Without a validation
file, one training row in ten is held out instead.

Training needs scikit-learn (the ``train`` extra); using the model does not.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ecoute.enrich.features import DENSE, dense, names
from ecoute.enrich.lexicon import score
from ecoute.enrich.linear import LinearModel
from ecoute.enrich.tokens import tokenize
from ecoute.model import Sentiment

log = logging.getLogger(__name__)

LABELS = [s.value for s in Sentiment]
# Regularisation strengths tried on the validation files; the best mean macro-F1 wins.
C_GRID = (0.5, 1.0, 3.0)
MIN_DF = 2
MAX_TEXT = 10_000


class TrainingError(Exception):
    """The training folder or one of its files cannot be used; the message says where."""


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text and the group (language, corpus) it is balanced and scored in."""

    text: str
    label: str
    group: str = "all"


@dataclass(slots=True)
class Trained:
    """What a training run produced: the model file and its validation macro-F1 per group."""

    path: Path
    metrics: dict[str, float]
    card: dict[str, Any] = field(default_factory=dict)


def read_labelled(path: Path, group: str = "all") -> list[Example]:
    """Read one ``label<TAB>text`` file; raise TrainingError naming the first bad line."""
    examples: list[Example] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise TrainingError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise TrainingError(f"{path}: cannot be read ({exc.strerror})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip() or (number == 1 and line.lower().startswith("label\t")):
            continue
        label, tab, text = line.partition("\t")
        label = label.strip().lower()
        if not tab or not text.strip():
            raise TrainingError(f"{path}:{number}: expected label<TAB>text")
        if label not in LABELS:
            raise TrainingError(
                f"{path}:{number}: unknown label {label[:40]!r}; use one of {', '.join(LABELS)}"
            )
        examples.append(Example(text.strip()[:MAX_TEXT], label, group))
    return examples


def read_folder(directory: Path) -> tuple[list[Example], dict[str, list[Example]]]:
    """Read a training folder into training examples and validation examples per group."""
    if not directory.is_dir():
        raise TrainingError(f"{directory} is not a folder")
    train: list[Example] = []
    val: dict[str, list[Example]] = {}
    for path in sorted(directory.rglob("*.tsv")):
        relative = path.relative_to(directory)
        group = relative.parts[0] if len(relative.parts) > 1 else "all"
        examples = read_labelled(path, group)
        if path.name.startswith("val"):
            val.setdefault(group, []).extend(examples)
        else:
            train.extend(examples)
    if not train:
        raise TrainingError(f"{directory} holds no training .tsv file (label<TAB>text)")
    if not val:
        held = train[9::10]
        train = [e for i, e in enumerate(train) if i % 10 != 9]
        for e in held:
            val.setdefault(e.group, []).append(e)
        log.info("no val*.tsv file: %d training rows held out for validation", len(held))
    return train, val


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Return the macro-averaged F1 over the three sentiment labels."""
    scores = []
    for label in LABELS:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p == label)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if p == label and t != label)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


@dataclass(slots=True)
class _Rows:
    features: list[list[str]]
    dense: np.ndarray
    labels: list[str]
    groups: list[str]


def _describe(examples: Iterable[Example]) -> _Rows:
    features, dense_rows, labels, groups = [], [], [], []
    for e in examples:
        tokens = tokenize(e.text)
        features.append(names(tokens))
        dense_rows.append(dense(score(tokens)))
        labels.append(e.label)
        groups.append(e.group)
    return _Rows(features, np.array(dense_rows, dtype=np.float64).reshape(-1, len(DENSE)),
                 labels, groups)  # fmt: skip


def _matrix(rows: _Rows, index: dict[str, int], idf: np.ndarray) -> Any:
    from scipy import sparse

    indices: list[int] = []
    pointers = [0]
    for feats in rows.features:
        indices.extend(i for i in map(index.get, feats) if i is not None)
        pointers.append(len(indices))
    ind = np.asarray(indices, dtype=np.int64)
    values = idf[ind].astype(np.float64)
    owner = np.repeat(np.arange(len(rows.features)), np.diff(pointers))
    norms = np.sqrt(np.bincount(owner, weights=values**2, minlength=len(rows.features)))
    norms[norms == 0] = 1.0
    values /= norms[owner]
    x = sparse.csr_matrix((values, ind, pointers), shape=(len(rows.features), len(index)))
    return sparse.hstack([x, sparse.csr_matrix(rows.dense)]).tocsr()


def fit(
    train: Sequence[Example],
    val: dict[str, Sequence[Example]],
    *,
    card: dict[str, Any] | None = None,
    grid: Sequence[float] = C_GRID,
    min_df: int = MIN_DF,
) -> tuple[LinearModel, dict[str, float]]:
    """Fit one model per value of `grid` on `train`; return the best on `val` and its scores."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise TrainingError("training needs scikit-learn: pip install 'ecoute[train]'") from exc
    missing = set(LABELS) - {e.label for e in train}
    if missing:
        raise TrainingError(f"training data has no {', '.join(sorted(missing))} example")
    rows = _describe(train)
    df = Counter(f for feats in rows.features for f in feats)
    vocabulary = sorted(f for f, count in df.items() if count >= min_df)
    index = {f: i for i, f in enumerate(vocabulary)}
    n = len(rows.features)
    idf = np.array([math.log((1 + n) / (1 + df[f])) + 1 for f in vocabulary], dtype=np.float32)
    # Round through float16 now so that training sees the weights the saved model will use.
    idf = idf.astype(np.float16).astype(np.float32)
    x = _matrix(rows, index, idf)
    # Each (group, label) cell weighs the same: a big English corpus must not drown French,
    # and natural class imbalance must not teach the model that negative is rare.
    cells = Counter(zip(rows.groups, rows.labels, strict=True))
    weights = np.array(
        [n / (len(cells) * cells[(g, y)]) for g, y in zip(rows.groups, rows.labels, strict=True)]
    )
    val_rows = {g: _describe(examples) for g, examples in val.items() if examples}
    val_x = {g: _matrix(r, index, idf) for g, r in val_rows.items()}
    best: tuple[float, Any, dict[str, float], float] | None = None
    for c in grid:
        clf = LogisticRegression(C=c, max_iter=3000).fit(x, rows.labels, sample_weight=weights)
        metrics = {
            g: round(macro_f1(val_rows[g].labels, list(clf.predict(val_x[g]))), 4) for g in val_x
        }
        mean = sum(metrics.values()) / len(metrics)
        log.info("C=%s: validation macro-F1 %s", c, metrics)
        if best is None or mean > best[0]:
            best = (mean, clf, metrics, c)
    assert best is not None
    _, clf, metrics, c = best
    order = [list(clf.classes_).index(label) for label in LABELS]
    coef = clf.coef_[order].T.astype(np.float32)
    model = LinearModel(
        vocabulary=vocabulary,
        idf=idf,
        weights=coef[: len(vocabulary)],
        dense_weights=coef[len(vocabulary) :],
        bias=clf.intercept_[order].astype(np.float32),
        labels=list(LABELS),
        card={
            **(card or {}),
            "C": c,
            "min_df": min_df,
            "features": len(vocabulary),
            "train_rows": n,
            "train_rows_per_group": dict(Counter(rows.groups)),
            "val_macro_f1": metrics,
        },
    )
    return model, metrics


def train_sentiment(directory: Path, out: Path, *, version: str | None = None) -> Trained:
    """Train on the ``.tsv`` files of `directory`, save the chosen model to `out`, return it."""
    train, val = read_folder(directory)
    card = {
        "version": version or f"user-{directory.name}",
        "trained_on": f"{len(train)} labelled rows from {directory}",
    }
    model, metrics = fit(train, val, card=card)
    model.save(out)
    log.info("saved %s (%d features): %s", out, len(model.vocabulary), metrics)
    return Trained(out, metrics, model.card)
