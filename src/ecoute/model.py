"""Typed records that flow through Écoute: mentions, authors, queries.

This module imports nothing of ours, so every other room may use it.
Records are msgspec structs: decoding and validating a post costs about a
microsecond, which is what lets an import run at tens of thousands of posts
per second on one core.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec

Count = Annotated[int, msgspec.Meta(ge=0)]


class QueryKind(StrEnum):
    """What a query listens to; share of voice compares brands with competitors."""

    BRAND = "brand"
    COMPETITOR = "competitor"
    TOPIC = "topic"


class Sentiment(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class DeletedBy(StrEnum):
    """Who removed a post from its network.

    An author's deletion is a privacy act: Écoute forgets the text and the raw
    payload and keeps only a tombstone so a replay cannot bring the post back.
    A moderator's deletion (a brand hiding a customer's post) is hidden from
    every view but kept, so the story can be told in a post-mortem.
    """

    AUTHOR = "author"
    MODERATOR = "moderator"


class Author(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A person or organisation as one platform knows them."""

    platform: str
    handle: str
    native_id: str | None = None
    name: str | None = None
    followers: Count | None = None


class Mention(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One post, comment or reply heard on a platform.

    Identity is ``(platform, native_id)``. Fields below ``raw`` are computed by
    Écoute; each enrichment result is stored with the version of the stage that
    produced it (``lang_by``, ``sentiment_by``, ``keywords_by``).
    """

    platform: str
    native_id: str
    text: str
    created_at: datetime
    author: Author
    collected_at: datetime
    url: str | None = None
    likes: Count | None = None
    reposts: Count | None = None
    replies: Count | None = None
    views: Count | None = None
    thread_id: str | None = None
    parent_id: str | None = None
    raw: msgspec.Raw | None = None
    is_deleted: bool = False
    deleted_by: DeletedBy | None = None
    # Enrichment, filled by ecoute.enrich stages.
    lang: str | None = None
    lang_by: str | None = None
    sentiment: Sentiment | None = None
    sentiment_score: float | None = None
    sentiment_by: str | None = None
    # The words, emojis and rules that drove the sentiment, e.g. ["nul(-1.0)", "negation: pas"].
    sentiment_explanation: list[str] = msgspec.field(default_factory=list)
    keywords: list[str] = msgspec.field(default_factory=list)
    keywords_by: str | None = None
    # Customer-care signals: any of "question", "complaint", "praise", "purchase_intent".
    care: list[str] = msgspec.field(default_factory=list)
    care_by: str | None = None
    # Near-duplicates share a story id (the key of the first copy seen), so volumes
    # and alerts can count stories rather than copies.
    story_id: str | None = None
    story_by: str | None = None
    # How far this mention may travel (estimated people reached) and how much its
    # author weighs (0..100); VIPs are surfaced in the inbox and alerts.
    reach: int | None = None
    influence: float | None = None
    is_vip: bool = False
    influence_by: str | None = None
    # Names of the standing queries this mention matched, set by ecoute.query.
    queries: list[str] = msgspec.field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.native_id)


class Query(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A standing listening query; every ingested mention is matched against it."""

    name: str
    expr: str
    kind: QueryKind = QueryKind.BRAND
    group: str | None = None


class SourceSpec(msgspec.Struct, kw_only=True):
    """A configured collector: which plugin (`kind`), its name and its settings."""

    name: str
    kind: str
    config: dict[str, Any] = msgspec.field(default_factory=dict)
    enabled: bool = True


def utc(moment: datetime) -> datetime:
    """Return `moment` as an aware UTC datetime; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def now() -> datetime:
    return datetime.now(UTC)
