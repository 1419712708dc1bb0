"""Typed records that flow through Écoute: mentions, authors, queries.

This module imports nothing of ours, so every other room may use it.
Records are msgspec structs: decoding and validating a post costs about a
microsecond, which is what lets an import run at tens of thousands of posts
per second on one core.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import msgspec

if TYPE_CHECKING:
    import pyarrow as pa

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


# -- posts heard in bulk -------------------------------------------------------------------
# A file import stores hundreds of thousands of posts a minute: building a Python
# object per post would cost more than storing it. Such a batch travels as one Arrow
# table of these columns instead: the columnar twin of a live, not yet enriched
# Mention (`raw` is the post's payload as received; timestamps are UTC).
@cache
def heard_columns() -> pa.Schema:
    """Return the Arrow schema of a batch of posts heard in bulk."""
    import pyarrow as pa  # here, not above: most users of the model never need Arrow

    return pa.schema(
        [
            ("platform", pa.string()),
            ("native_id", pa.string()),
            ("url", pa.string()),
            ("author_handle", pa.string()),
            ("author_id", pa.string()),
            ("author_name", pa.string()),
            ("author_followers", pa.int64()),
            ("text", pa.string()),
            ("created_at", pa.timestamp("us", tz="UTC")),
            ("collected_at", pa.timestamp("us", tz="UTC")),
            ("likes", pa.int64()),
            ("reposts", pa.int64()),
            ("replies", pa.int64()),
            ("views", pa.int64()),
            ("thread_id", pa.string()),
            ("parent_id", pa.string()),
            ("raw", pa.binary()),
            ("lang", pa.string()),
            ("lang_by", pa.string()),
        ]
    )


def heard_mentions(table: pa.Table) -> list[Mention]:
    """Return the mentions of a table of ``heard_columns()``, for code that works post by post."""
    c = {name: table.column(name).to_pylist() for name in table.column_names if name not in _TIMES}
    for name in _TIMES:
        c[name] = _utc_times(table.column(name))
    authors = [
        Author(platform=p, handle=h, native_id=i, name=n, followers=f)
        for p, h, i, n, f in zip(
            c["platform"], c["author_handle"], c["author_id"], c["author_name"],
            c["author_followers"], strict=True,
        )
    ]  # fmt: skip
    return [
        Mention(
            platform=p, native_id=i, url=u, author=a, text=t, created_at=ca, collected_at=co,
            likes=li, reposts=re, replies=rp, views=v, thread_id=th, parent_id=pa_,
            raw=None if r is None else msgspec.Raw(r), lang=la, lang_by=lb,
        )
        for p, i, u, a, t, ca, co, li, re, rp, v, th, pa_, r, la, lb in zip(
            c["platform"], c["native_id"], c["url"], authors, c["text"], c["created_at"],
            c["collected_at"], c["likes"], c["reposts"], c["replies"], c["views"],
            c["thread_id"], c["parent_id"], c["raw"], c["lang"], c["lang_by"], strict=True,
        )
    ]  # fmt: skip


_TIMES = ("created_at", "collected_at")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _utc_times(column: pa.ChunkedArray) -> list[datetime | None]:
    # Arrow builds an aware datetime through zoneinfo, several microseconds each;
    # adding microseconds to the epoch is a tenth of that.
    import pyarrow as pa

    micros = column.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()).to_pylist()
    return [None if us is None else _EPOCH + timedelta(microseconds=us) for us in micros]
