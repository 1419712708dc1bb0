"""`ecoute analyze` and `ecoute sentiment train`: what Écoute understands, and teaching it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer

from ecoute.cli._context import err, fail, out
from ecoute.settings import default_db_path

sentiment_app = typer.Typer(help="Teach the sentiment model your own labels.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze_texts)
    app.add_typer(sentiment_app, name="sentiment")


def analyze_texts(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="One text per line; default: standard input.",
            exists=True,
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    tier: Annotated[
        str, typer.Option(help="Sentiment tier: accurate (embeddings) or fast (lexicon + linear).")
    ] = "accurate",
) -> None:
    """Print one JSON object per input line: lang, sentiment, score, explanation, keywords.

    The quickest way to see what Écoute understands of a post. Each object also
    holds the customer-care signals, the near-duplicate story (the line number of
    the first copy) and the stage versions.
    """
    from ecoute.enrich.chain import analyze

    stream = file.open(encoding="utf-8", errors="replace") if file else sys.stdin
    try:
        lines = (line.rstrip("\r\n") for line in stream)
        try:
            for result in analyze(lines, tier):  # type: ignore[arg-type]
                sys.stdout.write(orjson.dumps(result).decode() + "\n")
        except ValueError as exc:
            fail(str(exc))
    finally:
        if file:
            stream.close()


@sentiment_app.command("train")
def train(
    directory: Annotated[
        Path,
        typer.Argument(
            help="A folder of label<TAB>text files: train*.tsv to learn, val*.tsv to choose on.",
            exists=True,
            file_okay=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to save the model (.npz).", show_default=False),
    ] = None,
) -> None:
    """Retrain the fast sentiment model on your own labelled posts (your agents' corrections).

    Labels are negative, neutral or positive. The new model is saved and its
    validation macro-F1 printed; point the setting stages.sentiment.model at it
    to use it for new mentions, then `ecoute enrich` relabels the old ones.
    """
    try:
        from ecoute.enrich.training import TrainingError, train_sentiment
    except ImportError as exc:
        fail(f"training needs the 'train' extra (pip install 'ecoute[train]'): {exc}")
    out_path = output or default_db_path().with_name(f"sentiment-{directory.name}.npz")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    err.print(f"training on {directory} ...", markup=False)
    try:
        trained = train_sentiment(directory, out_path)
    except TrainingError as exc:
        fail(str(exc))
    scores = ", ".join(f"{group} {value:.3f}" for group, value in trained.metrics.items())
    out.print(f"saved {trained.path}; validation macro-F1: {scores}", markup=False)
    out.print(
        f'use it: ECOUTE_STAGES=\'{{"sentiment": {{"model": "{trained.path}"}}}}\' '
        "or [stages.sentiment] model = ... in ecoute.toml",
        markup=False,
    )
