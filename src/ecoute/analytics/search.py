"""Mentions newest first, narrowed by filters, a text and a boolean query.

Filters and "text contains" run in the store. A boolean query (the listening
language: AND, OR, NOT, NEAR/n, "phrases", wildcards, fields) runs the same
matcher as ingest over the filtered mentions, newest first, in chunks; past
`MAX_SCANNED` mentions the count is a lower bound and says so. At 10 million
mentions this needs the store's full-text index (docs/web.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from ecoute.analytics.stats import count_mentions
from ecoute.model import Mention, Query
from ecoute.query import compile_matcher
from ecoute.store.base import Filter, Store

CHUNK = 2000
MAX_SCANNED = 200_000


@dataclass(frozen=True, slots=True)
class Found:
    """A page of mentions, how many match in all, and whether that count is exact."""

    mentions: list[Mention]
    total: int
    is_exact: bool


def find_mentions(
    store: Store, where: Filter, *, match: str = "", limit: int = 50, offset: int = 0
) -> Found:
    """Return one page of the mentions matching `where` and the boolean query `match`.

    Raises ecoute.query.QueryError, with the position of the mistake, when `match`
    is not a valid query.
    """
    if not match.strip():
        return Found(
            store.search(where, limit=limit, offset=offset), count_mentions(store, where), True
        )
    matcher = compile_matcher([Query(name="search", expr=match)])
    page: list[Mention] = []
    total = 0
    scanned = 0
    while scanned < MAX_SCANNED:
        chunk = store.search(where, limit=CHUNK, offset=scanned)
        scanned += len(chunk)
        for m in chunk:
            if matcher.matches(m):
                if offset <= total < offset + limit:
                    page.append(m)
                total += 1
        if len(chunk) < CHUNK:
            return Found(page, total, True)
    return Found(page, total, False)
