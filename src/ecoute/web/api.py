"""The JSON API under /api: totals, volumes over time, mentions and queries.

Every read takes the same filters as the overview page and goes through the
Store protocol; the figures come from ecoute.analytics, like the command line's.
Bad parameters get a 422 whose ``detail`` names the parameter and says why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from ecoute.analytics.authors import RANKINGS, author_totals, rank_authors, same_handle_elsewhere
from ecoute.analytics.measures import Measure, measure
from ecoute.analytics.periods import headline, net_sentiment
from ecoute.analytics.search import find_mentions
from ecoute.analytics.stats import workspace_stats
from ecoute.analytics.timeseries import (
    MAX_BUCKETS,
    Bucket,
    PeriodTooLong,
    SeriesDimension,
    count_over_time,
)
from ecoute.analytics.topics import topics
from ecoute.analytics.voices import compared_queries, share_of_voice
from ecoute.model import QueryKind, Sentiment, utc
from ecoute.query import QueryError
from ecoute.store.base import Aggregate, Filter, Store

router = APIRouter(prefix="/api", tags=["api"])

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
MAX_TEXT = 200


def get_store(request: Request) -> Store:
    """The workspace the app was created over."""
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]


def mention_filter(
    query: Annotated[
        str | None, Query(max_length=MAX_TEXT, description="Name of a saved query.")
    ] = None,
    platform: Annotated[
        str | None, Query(max_length=MAX_TEXT, description="Platform, e.g. `mastodon`.")
    ] = None,
    lang: Annotated[
        str | None, Query(max_length=35, description="Language of the mention, e.g. `fr`.")
    ] = None,
    sentiment: Annotated[Sentiment | None, Query(description="Sentiment of the mention.")] = None,
    author: Annotated[
        str | None, Query(max_length=MAX_TEXT, description="Author handle, exactly.")
    ] = None,
    since: Annotated[
        datetime | None,
        Query(
            description="Created at or after this moment: ISO 8601 such as `2024-05-01` or "
            "`2024-05-01T08:00:00+02:00`; without a zone, UTC."
        ),
    ] = None,
    until: Annotated[
        datetime | None,
        Query(description="Created before this moment (excluded); same format as `since`."),
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=MAX_TEXT, description="Text contains this, case-insensitive."),
    ] = None,
) -> Filter:
    """Read the filters shared by every API read; empty values mean "any"."""
    since_utc = utc(since) if since else None
    until_utc = utc(until) if until else None
    if since_utc and until_utc and until_utc <= since_utc:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("query", "until"),
                    "msg": f"until ({until_utc.isoformat()}) must be later than "
                    f"since ({since_utc.isoformat()})",
                    "input": until.isoformat() if until else None,
                }
            ]
        )
    return Filter(
        query=query or None,
        platform=platform or None,
        lang=lang or None,
        sentiment=str(sentiment) if sentiment else None,
        author=author or None,
        since=since_utc,
        until=until_utc,
        text=q or None,
    )


FilterDep = Annotated[Filter, Depends(mention_filter)]


def boolean_match(
    match: Annotated[
        str,
        Query(
            max_length=MAX_TEXT,
            description="A boolean query in the listening language (docs/queries.md): "
            '`acme AND (livraison OR delivery) NOT "merci"`.',
        ),
    ] = "",
) -> str:
    """The boolean search, checked early so a mistake gets a 422 naming its position."""
    if match.strip():
        from ecoute.query import parse

        try:
            parse(match)
        except QueryError as exc:
            raise RequestValidationError(
                [
                    {
                        "type": "value_error",
                        "loc": ("query", "match"),
                        "msg": str(exc),
                        "input": match,
                    }
                ]
            ) from exc
    return match


MatchDep = Annotated[str, Depends(boolean_match)]


class Stats(BaseModel):
    """Totals: the same object as `ecoute stats --json`."""

    mentions: int = Field(description="Visible mentions matching the filters.")
    by_platform: dict[str, int] = Field(description="Mentions per platform, largest first.")
    by_lang: dict[str, int] = Field(description='Mentions per language; `"unknown"` if not set.')
    by_sentiment: dict[str, int] = Field(
        description='negative, neutral, positive, then `"unknown"` for mentions not analysed.'
    )
    by_query: dict[str, int] = Field(
        description="Mentions per saved query (zero included); a mention may match several."
    )
    by_day: dict[str, int] = Field(description="Mentions per UTC day (YYYY-MM-DD), oldest first.")


class TimeSeriesOut(BaseModel):
    """Counts per bucket: `series[name][i]` mentions in the bucket starting at `buckets[i]`."""

    bucket: Bucket
    by: SeriesDimension | None
    buckets: list[datetime] = Field(description="Start of each bucket in UTC, no gaps.")
    series: dict[str, list[int]]


class AuthorOut(BaseModel):
    platform: str
    handle: str
    native_id: str | None = None
    name: str | None = None
    followers: int | None = None


class MentionOut(BaseModel):
    """A mention as the API shows it: content, engagement and enrichment, not the raw payload."""

    platform: str
    native_id: str
    url: str | None = Field(
        description="Link to the original as the network gave it; check the scheme before "
        "following it."
    )
    author: AuthorOut
    text: str
    created_at: datetime
    collected_at: datetime
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    views: int | None = None
    thread_id: str | None = None
    parent_id: str | None = None
    lang: str | None = None
    sentiment: Sentiment | None = None
    sentiment_score: float | None = None
    sentiment_explanation: list[str] = []
    keywords: list[str] = []
    care: list[str] = []
    story_id: str | None = None
    reach: int | None = None
    influence: float | None = None
    is_vip: bool = False
    queries: list[str] = Field(description="Saved queries this mention matched.")


class MentionPage(BaseModel):
    total: int = Field(description="Mentions matching the filters, on every page.")
    is_exact: bool = Field(
        description="False when a boolean search stopped scanning and `total` is a lower bound."
    )
    limit: int
    offset: int
    items: list[MentionOut] = Field(description="Newest first.")


class QueryOut(BaseModel):
    name: str
    expr: str
    kind: QueryKind
    group: str | None = None
    mentions: int = Field(description="Visible mentions this query matched.")


@router.get("/stats", response_model=Stats, summary="Totals and breakdowns")
def get_stats(store: StoreDep, where: FilterDep) -> dict[str, Any]:
    """Count mentions matching the filters, by platform, language, sentiment, query and day."""
    return workspace_stats(store, where)


@router.get(
    "/timeseries",
    response_model=TimeSeriesOut,
    summary="Mentions over time",
    responses={422: {"description": "Bad parameter, or a period too long for the bucket."}},
)
def get_timeseries(
    store: StoreDep,
    where: FilterDep,
    bucket: Annotated[
        Bucket | None,
        Query(
            description="Bucket size in UTC; weeks start on Monday. Default: hour up to 2 days, "
            f"day up to 400, else week. At most {MAX_BUCKETS['hour']} hours, "
            f"{MAX_BUCKETS['day']} days or {MAX_BUCKETS['week']} weeks."
        ),
    ] = None,
    by: Annotated[
        Literal["sentiment", "platform", "lang", "query", "none"],
        Query(description="One series per value of this; `none` gives one series `mentions`."),
    ] = "sentiment",
) -> TimeSeriesOut:
    """Count mentions matching the filters per bucket, from `since` to `until` without gaps."""
    try:
        series = count_over_time(store, where, bucket=bucket, by=None if by == "none" else by)
    except PeriodTooLong as exc:
        raise HTTPException(
            status_code=422,
            detail=[{"type": "value_error", "loc": ["query", "bucket"], "msg": str(exc)}],
        ) from exc
    return TimeSeriesOut(
        bucket=series.bucket, by=series.by, buckets=series.starts, series=series.series
    )


@router.get("/mentions", response_model=MentionPage, summary="Mentions, newest first")
def get_mentions(
    store: StoreDep,
    where: FilterDep,
    match: MatchDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Mentions per page.")] = 50,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="Mentions to skip, for paging.")
    ] = 0,
) -> MentionPage:
    """List the mentions matching the filters and `match`, newest first, a page at a time."""
    found = find_mentions(store, where, match=match, limit=limit, offset=offset)
    return MentionPage(
        total=found.total,
        is_exact=found.is_exact,
        limit=limit,
        offset=offset,
        items=[MentionOut.model_validate(m, from_attributes=True) for m in found.mentions],
    )


@router.get("/queries", response_model=list[QueryOut], summary="Saved queries")
def get_queries(store: StoreDep) -> list[QueryOut]:
    """List the saved queries with how many visible mentions each matched."""
    counts = dict(store.aggregate(Aggregate(by=("query",))).rows)
    return [
        QueryOut(
            name=q.name, expr=q.expr, kind=q.kind, group=q.group, mentions=counts.get(q.name, 0)
        )
        for q in store.list_queries()
    ]


class FigureOut(BaseModel):
    value: float | None = Field(description="This period; null when it cannot be computed.")
    previous: float | None = Field(description="The period of equal length just before.")
    change: float | None = Field(description="Relative change, 0.25 = +25 %.")


class HeadlineOut(BaseModel):
    """Headline figures of the filters' period against the previous period of equal length."""

    mentions: FigureOut
    reach: FigureOut = Field(description="Estimated reach: followers (or reach) summed.")
    engagement: FigureOut = Field(description="Likes + reposts + replies.")
    net_sentiment: FigureOut = Field(
        description="(positive - negative) / (positive + negative) x 100."
    )
    sentiment: dict[str, int]
    previous_since: datetime | None
    previous_until: datetime | None


@router.get("/headline", response_model=HeadlineOut, summary="Headline figures")
def get_headline(store: StoreDep, where: FilterDep) -> HeadlineOut:
    """Volume, estimated reach, engagement and net sentiment, each beside the previous period."""
    head = headline(store, where)
    figures = {
        name: FigureOut(value=f.value, previous=f.previous, change=f.change)
        for name, f in head.figures.items()
    }
    return HeadlineOut(
        **figures,
        sentiment=head.sentiment,
        previous_since=head.previous_since,
        previous_until=head.previous_until,
    )


class VoiceOut(BaseModel):
    query: str
    kind: QueryKind
    mentions: int
    share: float | None = Field(description="Share of the compared voices, 0 to 1.")
    negative: int
    positive: int
    reach: int


@router.get("/share-of-voice", response_model=list[VoiceOut], summary="Share of voice")
def get_share_of_voice(
    store: StoreDep,
    where: FilterDep,
    group: Annotated[
        str | None, Query(max_length=MAX_TEXT, description="Compare only this query group.")
    ] = None,
) -> list[VoiceOut]:
    """Each brand's and competitor's mentions and share over the filters, largest first."""
    compared = compared_queries(store.list_queries(), group or None)
    return [
        VoiceOut.model_validate(v, from_attributes=True)
        for v in share_of_voice(store, where, compared)
    ]


class AuthorRowOut(BaseModel):
    key: str = Field(description="`platform:handle`.")
    platform: str
    handle: str
    name: str | None
    followers: int | None
    mentions: int
    reach: int
    engagement: int
    negative: int
    positive: int
    net_sentiment: float | None


@router.get("/authors", response_model=list[AuthorRowOut], summary="Author rankings")
def get_authors(
    store: StoreDep,
    where: FilterDep,
    ranking: Annotated[
        Literal["influencers", "fans", "detractors"],
        Query(
            description="influencers: most reach; fans: most positive; detractors: most negative."
        ),
    ] = "influencers",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[AuthorRowOut]:
    """Rank the authors over the whole period of the filters."""
    assert ranking in RANKINGS
    return [_author_out(a) for a in rank_authors(store, where, ranking, limit=limit)]


class AuthorProfileOut(BaseModel):
    author: AuthorRowOut = Field(description="Within the filters (or ever, if silent in them).")
    elsewhere: list[AuthorRowOut] = Field(description="The same handle on other platforms.")


@router.get(
    "/authors/{network}/{handle}",
    response_model=AuthorProfileOut,
    summary="One author",
    responses={404: {"description": "No mention by this author."}},
)
def get_author(store: StoreDep, where: FilterDep, network: str, handle: str) -> AuthorProfileOut:
    """One author (`network` is their platform) within the filters, and their other accounts."""
    found = author_totals(store, where, network, handle) or author_totals(
        store, Filter(), network, handle
    )
    if found is None:
        raise HTTPException(status_code=404, detail="no mention by this author")
    return AuthorProfileOut(
        author=_author_out(found),
        elsewhere=[_author_out(a) for a in same_handle_elsewhere(store, network, handle)],
    )


def _author_out(a: Any) -> AuthorRowOut:
    return AuthorRowOut.model_validate(
        {
            **{f: getattr(a, f) for f in AuthorRowOut.model_fields if f != "net_sentiment"},
            "net_sentiment": a.net_sentiment,
        }
    )


class TermOut(BaseModel):
    term: str
    mentions: int
    negative: int
    positive: int
    previous: int | None = Field(None, description="Mentions in the period before.")


class TopicsOut(BaseModel):
    words: list[TermOut]
    hashtags: list[TermOut]
    emerging: list[TermOut] | None = Field(
        description="Terms said at least twice as often as before; null for an open period."
    )


@router.get("/topics", response_model=TopicsOut, summary="Keywords, hashtags, emerging terms")
def get_topics(
    store: StoreDep, where: FilterDep, limit: Annotated[int, Query(ge=1, le=200)] = 20
) -> TopicsOut:
    """Top keywords and hashtags over the filters, and terms emerging against the period before."""
    found = topics(store, where, limit=limit)

    def out(terms: list[Any]) -> list[TermOut]:
        return [TermOut.model_validate(t, from_attributes=True) for t in terms]

    return TopicsOut(
        words=out(found.words),
        hashtags=out(found.hashtags),
        emerging=None if found.emerging is None else out(found.emerging),
    )


class PlatformOut(BaseModel):
    platform: str
    mentions: int
    reach: int
    engagement: int
    negative: int
    neutral: int
    positive: int
    net_sentiment: float | None


@router.get("/platforms", response_model=list[PlatformOut], summary="Breakdown by platform")
def get_platforms(store: StoreDep, where: FilterDep) -> list[PlatformOut]:
    """Volume, reach, engagement and sentiment per platform, largest first."""
    rows = measure(store, Measure(by=("platform",), where=where)).as_dicts()
    return [
        PlatformOut(**r, net_sentiment=net_sentiment(r["positive"], r["negative"])) for r in rows
    ]
