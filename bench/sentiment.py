"""Sentiment tiers against packaged baselines on the shared validation splits, in one run.

Usage: taskset -c 0 python bench/sentiment.py [--shared ../shared]

Prints macro-F1 per language and posts/s on one core for: Écoute's fast and accurate tiers,
VADER (English) and its French port vaderSentiment-fr, and a TF-IDF (word 1-2 +
char 2-5 grams) + logistic-regression baseline trained on the same training files
as the fast tier. Only the val splits are scored; the test splits are never read.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

from ecoute.enrich.sentiment import FastSentiment
from ecoute.enrich.training import macro_f1, read_labelled

REPO = Path(__file__).resolve().parents[1]
TRAIN = {
    "fr": ["fr/train.tsv", "extra/fr_deft2015_polarity.tsv"],
    "en": ["en/train.tsv", "extra/en_semeval2013_2016_train.tsv", "extra/en_tweeteval_val.tsv"],
}
REPEAT = 5  # val splits are small; score them several times for a steadier rate


def vader(lang: str) -> Callable[[list[str]], list[str]]:
    if lang == "fr":
        from vaderSentiment_fr.vaderSentiment import SentimentIntensityAnalyzer
    else:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    analyzer = SentimentIntensityAnalyzer()

    def label(texts: list[str]) -> list[str]:
        out = []
        for t in texts:
            c = analyzer.polarity_scores(t)["compound"]
            out.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
        return out

    return label


def tfidf(data: Path) -> Callable[[list[str]], list[str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    rows = [e for paths in TRAIN.values() for p in paths for e in read_labelled(data / p)]
    model = make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        ),
        LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced"),
    )
    model.fit([e.text for e in rows], [e.label for e in rows])
    return lambda texts: list(model.predict(texts))


def fast() -> Callable[[list[str]], list[str]]:
    scorer = FastSentiment()
    return lambda texts: [v.label.value for v in scorer.judge(texts)]


def accurate() -> Callable[[list[str]], list[str]]:
    from ecoute.enrich.accurate import AccurateSentiment

    scorer = AccurateSentiment()
    return lambda texts: [v.label.value for v in scorer.judge(texts)]


def measure(
    name: str,
    label: Callable[[list[str]], list[str]],
    texts: list[str],
    truth: list[str],
    repeat: int = REPEAT,
) -> None:
    predicted = label(texts)  # also warms caches
    started = time.perf_counter()
    for _ in range(repeat):
        label(texts)
    rate = repeat * len(texts) / (time.perf_counter() - started)
    print(f"  {name:<28} macro-F1 {macro_f1(truth, predicted):.3f}   {rate:>9,.0f} posts/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    data = args.shared / "data/sentiment"
    affinity = len(os.sched_getaffinity(0))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"running on {affinity}; python {platform.python_version()}")  # fmt: skip
    print("training the TF-IDF + LR baseline ...", flush=True)
    baseline = tfidf(data)
    ours = fast()
    precise = accurate()
    for lang in ("fr", "en"):
        val = read_labelled(data / f"{lang}/val.tsv")
        texts, truth = [e.text for e in val], [e.label for e in val]
        print(f"{lang}: {len(texts)} val posts")
        measure("ecoute fast tier", ours, texts, truth)
        measure("ecoute accurate tier", precise, texts, truth, repeat=1)  # e5: tens of posts/s
        measure(f"VADER{'-fr' if lang == 'fr' else ''} (lexicon)", vader(lang), texts, truth)
        measure("TF-IDF + logistic regression", baseline, texts, truth)


if __name__ == "__main__":
    main()
