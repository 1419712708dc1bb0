"""Train the fast sentiment model shipped in src/ecoute/enrich/data/ from the shared data.

Usage: python scripts/train_sentiment.py [--shared ../shared] [--out PATH]

Trains on the UMSAB train splits plus the extra sets that allow training (see
shared/data/sentiment/extra/README.md) and chooses the model on the UMSAB val
splits only; the test splits are never read. The data stays out of the package:
only the weights ship, with a card naming what they were trained on.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from ecoute.enrich.training import fit, read_labelled

REPO = Path(__file__).resolve().parents[1]
TRAIN = {
    "fr": ["fr/train.tsv", "extra/fr_deft2015_polarity.tsv"],
    "en": ["en/train.tsv", "extra/en_semeval2013_2016_train.tsv", "extra/en_tweeteval_val.tsv"],
}
VAL = {"fr": "fr/val.tsv", "en": "en/val.tsv"}
VERSION = "fast-2"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument(
        "--out", type=Path, default=REPO / "src/ecoute/enrich/data/sentiment-fast.npz"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = args.shared / "data/sentiment"
    train = [
        e for lang, paths in TRAIN.items() for p in paths for e in read_labelled(data / p, lang)
    ]
    val = {lang: read_labelled(data / p, lang) for lang, p in VAL.items()}
    card = {
        "version": VERSION,
        "trained_on": {lang: paths for lang, paths in TRAIN.items()},
        "chosen_on": VAL,
        "data_terms": "research data (UMSAB/DEFT/SemEval, Twitter terms); the data is not shipped",
        "trained_at": time.strftime("%Y-%m-%d"),
    }
    started = time.perf_counter()
    model, metrics = fit(train, val, card=card)
    model.save(args.out)
    print(  # noqa: T201 - the script's report
        json.dumps(
            {
                "out": str(args.out),
                "val_macro_f1": metrics,
                "C": model.card["C"],
                "features": len(model.vocabulary),
                "bytes": args.out.stat().st_size,
                "seconds": round(time.perf_counter() - started, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
