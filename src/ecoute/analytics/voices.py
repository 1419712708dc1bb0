"""Share of voice: each brand's part of what is said about it and its competitors.

A query's voice is the number of mentions it matched. Shares are of the sum of
the voices compared, so a post naming two brands counts in both and the shares
still add up to 100 %; that is how the commercial tools count it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecoute.analytics.measures import Measure, measure
from ecoute.model import Query, QueryKind
from ecoute.store.base import Filter, Store


@dataclass(frozen=True, slots=True)
class Voice:
    """One query's mentions and their share, with sentiment for the share of negative voice."""

    query: str
    kind: str
    mentions: int
    share: float | None
    negative: int
    positive: int
    reach: int


def compared_queries(queries: list[Query], group: str | None = None) -> list[Query]:
    """The brands and competitors to compare: those of `group`, else every one."""
    chosen = [q for q in queries if q.kind in (QueryKind.BRAND, QueryKind.COMPETITOR)]
    if group:
        chosen = [q for q in chosen if q.group == group]
    return chosen


def share_of_voice(store: Store, where: Filter, queries: list[Query]) -> list[Voice]:
    """Each query's voice over the filter's period, largest first; every query listed."""
    rows = measure(store, Measure(by=("query",), where=where)).as_dicts()
    found = {r["query"]: r for r in rows}
    names = {q.name for q in queries}
    total = sum(found[n]["mentions"] for n in names if n in found)
    voices = []
    for q in queries:
        r = found.get(q.name, {})
        n = int(r.get("mentions", 0))
        voices.append(
            Voice(
                query=q.name,
                kind=str(q.kind),
                mentions=n,
                share=n / total if total else None,
                negative=int(r.get("negative", 0)),
                positive=int(r.get("positive", 0)),
                reach=int(r.get("reach", 0)),
            )
        )
    return sorted(voices, key=lambda v: (-v.mentions, v.query))
