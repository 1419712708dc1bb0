"""A local transformer sentiment classifier, for users who have one, run with ONNX Runtime.

The folder is a Hugging Face-format sequence classifier exported to ONNX, as the
Optimum exporter writes it: ``config.json`` (its ``id2label`` names the classes),
``tokenizer.json`` (a fast tokenizer) and ``model.onnx`` (or ``onnx/model.onnx``)
taking ``input_ids`` and ``attention_mask`` (``token_type_ids`` when it asks) and
returning logits first. Nothing is ever downloaded: the folder is read as it is.

ONNX Runtime and tokenizers (the ``local-model`` extra, about 90 MB installed) run
such a model on CPU; PyTorch with transformers would need well over a gigabyte for
the same forward pass. Classes are matched to negative/neutral/positive by name
(``neg``, ``LABEL_0`` and the like are refused: a wrong guess would invert every verdict).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ecoute.enrich.accurate import MAX_TEXT, verdicts
from ecoute.enrich.linear import ModelError
from ecoute.enrich.sentiment import FastSentiment, Verdict
from ecoute.model import Sentiment

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'ecoute[local-model]'"
BATCH = 32
_NAMES = {
    "negative": Sentiment.NEGATIVE,
    "neg": Sentiment.NEGATIVE,
    "neutral": Sentiment.NEUTRAL,
    "neu": Sentiment.NEUTRAL,
    "positive": Sentiment.POSITIVE,
    "pos": Sentiment.POSITIVE,
}


def _read_config(folder: Path) -> dict[str, Any]:
    path = folder / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelError(f"{path}: cannot be read ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(config, dict) or not isinstance(config.get("id2label"), dict):
        raise ModelError(f"{path}: no id2label mapping; is it a sequence classifier?")
    return config


def class_order(id2label: dict[str, str], path: Path) -> list[Sentiment | None]:
    """Map each output column to a sentiment by its label name; None for a column to ignore."""
    try:
        columns = sorted((int(i), str(name)) for i, name in id2label.items())
    except ValueError:
        raise ModelError(f"{path}: id2label keys must be class numbers") from None
    if [i for i, _ in columns] != list(range(len(columns))):
        raise ModelError(f"{path}: id2label must number its classes 0..{len(columns) - 1}")
    order = [_NAMES.get(name.strip().lower()) for _, name in columns]
    if Sentiment.NEGATIVE not in order or Sentiment.POSITIVE not in order:
        names = ", ".join(name for _, name in columns)
        raise ModelError(
            f"{path}: cannot tell negative from positive among the classes {names}; "
            "name them negative/neutral/positive in id2label"
        )
    if len({s for s in order if s is not None}) != len([s for s in order if s is not None]):
        raise ModelError(f"{path}: two classes have the same sentiment")
    return order


def _model_file(folder: Path) -> Path:
    for candidate in (folder / "model.onnx", folder / "onnx" / "model.onnx"):
        if candidate.is_file():
            return candidate
    raise ModelError(f"{folder}: no model.onnx (nor onnx/model.onnx); export the model to ONNX")


def _digest(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:10]


class LocalSentiment:
    """Sentiment from a local ONNX sequence classifier; the lexicon still explains."""

    tier = "local"

    def __init__(
        self, folder: Path, fast: FastSentiment | None = None, *, threads: int | None = None
    ) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelError(f"a local transformer model needs onnxruntime and tokenizers: "
                             f"{INSTALL_HINT}") from exc  # fmt: skip
        if not folder.is_dir():
            raise ModelError(f"{folder}: not a folder")
        config = _read_config(folder)
        self.order = class_order(config["id2label"], folder / "config.json")
        model_path = _model_file(folder)
        tokenizer_path = folder / "tokenizer.json"
        try:
            self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        except Exception as exc:  # tokenizers raises a bare Exception on a bad file
            raise ModelError(f"{tokenizer_path}: not a tokenizers file ({exc})") from None
        limit = int(config.get("max_position_embeddings", 514))
        # RoBERTa-style models reserve two positions past the padding index.
        self.tokenizer.enable_truncation(max_length=max(8, min(512, limit - 2)))
        pad_id = config.get("pad_token_id")
        self.tokenizer.enable_padding(pad_id=int(pad_id) if isinstance(pad_id, int) else 0)
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        try:
            self.session = onnxruntime.InferenceSession(
                str(model_path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime's errors share no public base class
            raise ModelError(f"{model_path}: ONNX Runtime cannot load it ({exc})") from None
        self.inputs = {i.name for i in self.session.get_inputs()}
        if not {"input_ids", "attention_mask"} <= self.inputs:
            raise ModelError(
                f"{model_path}: expects inputs {sorted(self.inputs)}, "
                "not input_ids and attention_mask"
            )
        self.fast = fast or FastSentiment()
        self.by = f"local/{folder.resolve().name}-{_digest(model_path, folder / 'config.json')}"
        log.info("local sentiment model %s loaded from %s", self.by, folder)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Return (n, 3) probabilities in `Sentiment` order, batch by batch."""
        out = np.zeros((len(texts), len(Sentiment)), dtype=np.float64)
        # Texts of similar length share a batch, so padding costs little.
        ranked = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(ranked), BATCH):
            chunk = ranked[start : start + BATCH]
            encoded = self.tokenizer.encode_batch([texts[i][:MAX_TEXT] for i in chunk])
            feed = {
                "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            }
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
            logits = np.asarray(self.session.run(None, feed)[0], dtype=np.float64)
            if logits.shape != (len(chunk), len(self.order)):
                raise ModelError(
                    f"the model returned logits of shape {logits.shape}, "
                    f"expected ({len(chunk)}, {len(self.order)})"
                )
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
            for column, sentiment in enumerate(self.order):
                if sentiment is not None:
                    out[chunk, list(Sentiment).index(sentiment)] += probs[:, column]
        return out

    def judge(self, texts: Sequence[str]) -> list[Verdict]:
        """Return one verdict per text, in order."""
        if not texts:
            return []
        return verdicts(self.probabilities(texts), self.fast.judge(texts), self.by)
