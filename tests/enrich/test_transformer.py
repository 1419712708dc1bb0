"""Loading a local ONNX sentiment classifier, with a tiny model and tokenizer built in the test."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.pre_tokenizers import Whitespace

from ecoute.enrich.accurate import AccurateSentimentStage
from ecoute.enrich.linear import ModelError
from ecoute.enrich.transformer import LocalSentiment
from ecoute.model import Sentiment
from tests.factories import mention

VOCAB = ["[PAD]", "[UNK]", "awful", "great", "tuesday", "not"]
# Output columns in an unusual order, as a real export may have them: the loader must
# follow id2label, not assume negative/neutral/positive.
ID2LABEL = {"0": "Positive", "1": "NEGATIVE", "2": "neutral"}
# Per-token logits for (positive, negative, neutral).
TOKEN_LOGITS = {
    "[PAD]": (9.0, 0.0, 0.0),  # would turn short posts positive if the mask were ignored
    "[UNK]": (0.0, 0.0, 0.2),
    "awful": (0.0, 3.0, 0.0),
    "great": (3.0, 0.0, 0.0),
    "tuesday": (0.0, 0.0, 1.0),
    "not": (0.0, 0.0, 0.0),
}


def write_model(
    folder: Path, *, id2label: dict[str, str] = ID2LABEL, onnx_dir: bool = False
) -> Path:
    """Write a bag-of-embeddings classifier with a transformer's inputs and outputs."""
    folder.mkdir(parents=True, exist_ok=True)
    table = np.array([TOKEN_LOGITS[t] for t in VOCAB], dtype=np.float32)
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["per_token"]),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "axis2"], ["mask3"]),
        helper.make_node("Mul", ["per_token", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["logits"], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny-sentiment",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])],
        initializer=[
            helper.make_tensor("table", TensorProto.FLOAT, table.shape, table.flatten()),
            helper.make_tensor("axis1", TensorProto.INT64, [1], [1]),
            helper.make_tensor("axis2", TensorProto.INT64, [1], [2]),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    target = folder / "onnx" / "model.onnx" if onnx_dir else folder / "model.onnx"
    target.parent.mkdir(exist_ok=True)
    onnx.save(model, str(target))
    tokenizer = Tokenizer(WordLevel({t: i for i, t in enumerate(VOCAB)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = Whitespace()
    tokenizer.save(str(folder / "tokenizer.json"))
    config = {"id2label": id2label, "pad_token_id": 0, "max_position_embeddings": 16}
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


def test_local_model_labels_posts_through_its_own_class_names(tmp_path):
    local = LocalSentiment(write_model(tmp_path / "tiny"))
    verdicts = local.judge(["great great", "awful", "tuesday", "great awful awful"])
    assert [v.label for v in verdicts] == [
        Sentiment.POSITIVE,
        Sentiment.NEGATIVE,
        Sentiment.NEUTRAL,
        Sentiment.NEGATIVE,
    ]
    # One "awful": logits (0, 3, 0) -> P(neg) - P(pos) = (e^3 - 1) / (e^3 + 2)
    assert verdicts[1].score == pytest.approx(-(np.e**3 - 1) / (np.e**3 + 2), abs=1e-4)
    assert all(v.by.startswith("local/tiny-") for v in verdicts)


def test_padding_in_a_mixed_batch_changes_no_verdict(tmp_path):
    local = LocalSentiment(write_model(tmp_path / "tiny"))
    texts = ["great", "tuesday tuesday tuesday awful awful awful awful tuesday", "awful"]
    together = local.probabilities(texts)
    alone = np.vstack([local.probabilities([t]) for t in texts])
    assert np.allclose(together, alone)


def test_long_posts_are_truncated_to_the_models_positions(tmp_path):
    local = LocalSentiment(write_model(tmp_path / "tiny"))
    # 14 positions: the leading "great"s decide, the "awful"s past the limit are cut.
    (verdict,) = local.judge([" ".join(["great"] * 10 + ["awful"] * 50)])
    assert verdict.label is Sentiment.POSITIVE


def test_model_in_an_onnx_subfolder_is_found_and_its_version_follows_the_weights(tmp_path):
    one = LocalSentiment(write_model(tmp_path / "a", onnx_dir=True))
    other = LocalSentiment(
        write_model(tmp_path / "b", id2label={"0": "negative", "1": "neutral", "2": "positive"})
    )
    assert one.by.split("-")[-1] != other.by.split("-")[-1]


def test_stage_uses_a_local_model_folder_when_given_one(tmp_path):
    stage = AccurateSentimentStage(model_dir=str(write_model(tmp_path / "tiny")))
    batch = [mention("1", "awful awful"), mention("2", "great")]
    stage.apply(batch)
    assert [m.sentiment for m in batch] == [Sentiment.NEGATIVE, Sentiment.POSITIVE]
    assert {m.sentiment_by for m in batch} == {stage.version}


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: (d / "model.onnx").unlink(), "no model.onnx"),
        (lambda d: (d / "config.json").write_text("{", encoding="utf-8"), "not valid JSON"),
        (lambda d: (d / "config.json").write_text("{}", encoding="utf-8"), "no id2label"),
        (lambda d: (d / "tokenizer.json").write_text("[]", encoding="utf-8"), "tokenizers file"),
        (lambda d: (d / "model.onnx").write_bytes(b"\x00garbage"), "ONNX Runtime cannot load"),
    ],
)
def test_broken_model_folder_is_refused_with_the_reason(tmp_path, breakage, message):
    folder = write_model(tmp_path / "tiny")
    breakage(folder)
    with pytest.raises(ModelError, match=message):
        LocalSentiment(folder)


def test_anonymous_class_names_are_refused_rather_than_guessed(tmp_path):
    folder = write_model(
        tmp_path / "tiny", id2label={"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"}
    )
    with pytest.raises(ModelError, match="cannot tell negative from positive"):
        LocalSentiment(folder)
