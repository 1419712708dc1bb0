"""Retraining the fast tier from a user's own labelled TSV files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecoute.enrich.linear import LinearModel, ModelError
from ecoute.enrich.sentiment import SentimentStage
from ecoute.enrich.training import TrainingError, train_sentiment
from ecoute.model import Sentiment
from tests.factories import mention

POSITIVE = [
    "livraison rapide merci",
    "service impeccable bravo",
    "produit génial je recommande",
    "great support thank you",
    "love the new app",
    "super accueil en boutique",
]
NEGATIVE = [
    "colis jamais arrivé honte",
    "service client injoignable",
    "produit cassé remboursez",
    "terrible support never again",
    "app crashes all the time",
    "facture fausse arnaque",
]
NEUTRAL = ["ouverture du magasin lundi", "nouvelle collection en ligne", "horaires de la boutique",
           "store opens at nine", "new catalogue online", "update released today"]  # fmt: skip


def _write(path: Path, rows: list[tuple[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("label\ttext\n" + "".join(f"{lab}\t{t}\n" for lab, t in rows), "utf-8")


def _rows(k: int) -> list[tuple[str, str]]:
    rows = []
    for i in range(k):
        rows += [("positive", f"{POSITIVE[i % 6]} {i}"), ("negative", f"{NEGATIVE[i % 6]} {i}"),
                 ("neutral", f"{NEUTRAL[i % 6]} {i}")]  # fmt: skip
    return rows


def test_retrained_model_is_saved_scored_and_usable(tmp_path):
    _write(tmp_path / "data/train.tsv", _rows(30))
    _write(tmp_path / "data/val.tsv", _rows(6))
    trained = train_sentiment(tmp_path / "data", tmp_path / "model.npz", version="shop-1")
    assert trained.metrics["all"] > 0.9
    model = LinearModel.load(trained.path)
    assert model.version == "shop-1"
    m = mention(text="colis jamais arrivé, service client injoignable")
    stage = SentimentStage(model)
    stage.apply([m])
    assert m.sentiment is Sentiment.NEGATIVE and m.sentiment_by == "fast/shop-1"


def test_without_val_file_a_tenth_is_held_out(tmp_path):
    _write(tmp_path / "fr/train.tsv", _rows(30))
    trained = train_sentiment(tmp_path, tmp_path / "m.npz")
    assert set(trained.metrics) == {"fr"}


def test_bad_label_names_file_and_line(tmp_path):
    _write(tmp_path / "train.tsv", [*_rows(3), ("angry", "grr")])
    with pytest.raises(TrainingError, match=r"train.tsv:11: unknown label 'angry'"):
        train_sentiment(tmp_path, tmp_path / "m.npz")


def test_empty_folder_is_refused(tmp_path):
    with pytest.raises(TrainingError, match="no training"):
        train_sentiment(tmp_path, tmp_path / "m.npz")


def test_broken_model_file_is_reported(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a sentiment model"):
        LinearModel.load(path)
