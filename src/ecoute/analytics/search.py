"""Mentions newest first, narrowed by filters, a text and a boolean query.

Filters and "text contains" run in the store; the payload as received is not
read (nothing shown or exported from here uses it). A boolean query (the listening
language: AND, OR, NOT, NEAR/n, "phrases", wildcards, fields) runs the same
matcher as ingest over the filtered mentions, newest first, in chunks, and stops
once the page is full or past `MAX_SCANNED` mentions: the count is then a lower
bound and says so. The store first keeps only the candidates, the mentions holding
the words the query cannot match without (ecoute.query.prefilter), so a rare word
costs a scan in the store, not a Python pass per mention; that scan is bounded to
the newest span of at most `MAX_EXAMINED` mentions, beyond which the count is again
a lower bound. A full-text index (docs/web.md) would remove the scan too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ecoute.analytics.stats import count_mentions
from ecoute.model import Mention, Query
from ecoute.query import compile_matcher
from ecoute.query.prefilter import required_words
from ecoute.store.base import Filter, Store

CHUNK = 2000
MAX_SCANNED = 200_000  # mentions run through the matcher, at most
MAX_EXAMINED = 2_000_000  # mentions the store tests for a boolean search's words, at most


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

    Without a text or boolean search the total comes from the store's counts. With
    one, mentions are read newest first a chunk at a time, each chunk starting
    where the last ended (never re-reading what was skipped), until the page is
    full: the total is then a lower bound (``is_exact`` False) unless every
    candidate was read. Raises ecoute.query.QueryError, with the position of the
    mistake, when `match` is not a valid query.
    """
    if not match.strip() and not where.text:
        return Found(
            store.search(where, limit=limit, offset=offset, with_raw=False),
            count_mentions(store, where),
            True,
        )
    matcher = compile_matcher([Query(name="search", expr=match)]) if match.strip() else None
    page: list[Mention] = []
    total = 0
    scanned = 0
    window, skip = where, 0
    capped = False
    if matcher is not None:
        groups = required_words(match)
        if groups:
            # The store reads only candidates; the period it examines is bounded instead.
            window, capped = _bounded(store, dataclasses.replace(where, words=groups))
    while scanned < MAX_SCANNED:
        chunk = store.search(window, limit=CHUNK, offset=skip, with_raw=False)
        scanned += len(chunk)
        for m in chunk:
            if matcher is None or matcher.matches(m):
                if offset <= total < offset + limit:
                    page.append(m)
                total += 1
        if len(chunk) < CHUNK:
            return Found(page, total, not capped)
        if total >= offset + limit:
            return Found(page, total, False)
        window, skip = _after(window, skip, chunk)
    return Found(page, total, False)


def _bounded(store: Store, where: Filter) -> tuple[Filter, bool]:
    """`where` cut to its newest span holding at most MAX_EXAMINED mentions; whether cut.

    Spans of a day, a week, a month, a quarter, a year and ten years back from its
    end are counted (from the rollups, quickly); the longest within the budget is
    read, or the day when even that holds more.
    """
    end = where.until or datetime.now(UTC)
    best: Filter | None = None
    for span in _SPANS:
        since = end - span
        if where.since is not None and since <= where.since:
            break
        cut = dataclasses.replace(where, since=since, words=())
        if best is not None and count_mentions(store, cut) > MAX_EXAMINED:
            return dataclasses.replace(best, words=where.words), True
        best = cut
    if best is None or count_mentions(store, dataclasses.replace(where, words=())) <= MAX_EXAMINED:
        return where, False
    return dataclasses.replace(best, words=where.words), True


_SPANS = [timedelta(days=d) for d in (1, 7, 30, 91, 365, 3650)]


def _after(window: Filter, skip: int, chunk: list[Mention]) -> tuple[Filter, int]:
    """The window and offset that read on from the end of `chunk`, newest first.

    The next window ends just after the oldest moment read; the mentions of that
    moment already read come first in it (same order) and are skipped.
    """
    oldest = chunk[-1].created_at
    until = oldest + timedelta(microseconds=1)
    at_edge = sum(1 for m in chunk if m.created_at == oldest)
    if window.until is not None and until == window.until:
        return window, skip + len(chunk)  # a whole chunk of one moment: page inside it
    return dataclasses.replace(window, until=until), at_edge
