"""Who speaks: top influencers, most engaged fans, detractors, and one author's profile.

An author is ``platform:handle``. Rankings are computed over the whole period of
the filter, not over a page of mentions, so the tenth author is really tenth.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ecoute.analytics.measures import Measure, measure
from ecoute.analytics.periods import net_sentiment
from ecoute.store.base import Filter, Store

RANKINGS: tuple[str, ...] = ("influencers", "fans", "detractors")


@dataclass(frozen=True, slots=True)
class AuthorRow:
    """An author's weight within a filter."""

    key: str
    platform: str
    handle: str
    name: str | None
    followers: int | None
    mentions: int
    reach: int
    engagement: int
    negative: int
    positive: int

    @property
    def net_sentiment(self) -> float | None:
        return net_sentiment(self.positive, self.negative)


def split_key(key: str) -> tuple[str, str]:
    """Split ``platform:handle`` (a handle may itself hold colons)."""
    platform, _, handle = key.partition(":")
    return platform, handle


def rank_authors(store: Store, where: Filter, ranking: str, *, limit: int = 10) -> list[AuthorRow]:
    """One ranking of authors over the filter.

    influencers: most estimated reach; fans: most positive mentions, then their
    engagement; detractors: most negative mentions.
    """
    if ranking not in RANKINGS:
        raise ValueError(f"unknown ranking {ranking!r}; choose among {list(RANKINGS)}")
    if ranking == "influencers":
        spec = Measure(by=("author",), where=where, order="reach", limit=limit)
    else:
        sentiment = "positive" if ranking == "fans" else "negative"
        if where.sentiment not in (None, sentiment):
            return []  # fans among the negative mentions: there are none
        scoped = dataclasses.replace(where, sentiment=sentiment)
        spec = Measure(by=("author",), where=scoped, order="mentions", limit=limit)
    return [_row(r) for r in measure(store, spec).as_dicts()]


def author_totals(store: Store, where: Filter, platform: str, handle: str) -> AuthorRow | None:
    """One author's figures within the filter; None if they wrote nothing in it."""
    mine = dataclasses.replace(where, platform=platform, author=handle)
    rows = measure(store, Measure(by=("author",), where=mine)).as_dicts()
    return _row(rows[0]) if rows else None


def same_handle_elsewhere(store: Store, platform: str, handle: str) -> list[AuthorRow]:
    """Authors with exactly this handle on other platforms: likely, not surely, the same person."""
    rows = measure(store, Measure(by=("author",), where=Filter(author=handle))).as_dicts()
    return [_row(r) for r in rows if not r["author"].startswith(platform + ":")]


def _row(r: dict[str, object]) -> AuthorRow:
    platform, handle = split_key(str(r["author"]))
    followers = r.get("followers")
    return AuthorRow(
        key=str(r["author"]),
        platform=platform,
        handle=handle,
        name=None if r.get("name") is None else str(r["name"]),
        followers=None if followers is None else int(followers),  # type: ignore[call-overload]
        mentions=int(r["mentions"]),  # type: ignore[call-overload]
        reach=int(r["reach"]),  # type: ignore[call-overload]
        engagement=int(r["engagement"]),  # type: ignore[call-overload]
        negative=int(r["negative"]),  # type: ignore[call-overload]
        positive=int(r["positive"]),  # type: ignore[call-overload]
    )
