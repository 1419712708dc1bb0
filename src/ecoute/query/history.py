"""Queries over stored history, with exactly the semantics of the stream matcher.

History is read through the small protocol below (the store implements it),
and each mention goes through a matcher compiled for the one query, the very
code that tags the stream: a query tested or re-tagged on history selects
the mentions that ingest would have tagged.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ecoute.model import Mention, Query, utc
from ecoute.query.matcher import compile_matcher

log = logging.getLogger(__name__)


class History(Protocol):
    """The part of a store that re-tagging needs."""

    def iter_mentions(self, *, batch_size: int = 5000) -> Iterator[list[Mention]]: ...

    def set_query_matches(self, query: str, keys: Sequence[tuple[str, str]]) -> int: ...


def iter_matches(batches: Iterable[list[Mention]], query: Query) -> Iterator[Mention]:
    """Yield the live mentions of `batches` that `query` matches."""
    matcher = compile_matcher([query])
    for batch in batches:
        for mention in batch:
            if matcher.matches(mention):
                yield mention


def match_history(batches: Iterable[list[Mention]], query: Query) -> list[tuple[str, str]]:
    """Return the keys of the mentions in `batches` that the stream would tag with `query`."""
    return [m.key for m in iter_matches(batches, query)]


def retag(history: History, query: Query) -> int:
    """Replace the history tagged with `query` by what it matches now; return the count."""
    keys = match_history(history.iter_mentions(), query)
    tagged = history.set_query_matches(query.name, keys)
    log.info("re-tagged query %r: %d mentions", query.name, tagged)
    return tagged


@dataclass(slots=True)
class Preview:
    """What a query would match on history, before it is saved."""

    scanned: int = 0  # live mentions considered (inside the time window)
    matched: int = 0
    samples: list[Mention] = field(default_factory=list)  # the newest matches, newest first


def preview(
    batches: Iterable[list[Mention]],
    query: Query,
    *,
    since: datetime | None = None,
    samples: int = 10,
) -> Preview:
    """Count the mentions created since `since` that `query` matches, keeping the newest few."""
    matcher = compile_matcher([query])
    after = utc(since) if since is not None else None
    result = Preview()
    newest: list[tuple[datetime, int, Mention]] = []
    for batch in batches:
        for mention in batch:
            if mention.is_deleted or (after is not None and utc(mention.created_at) < after):
                continue
            result.scanned += 1
            if not matcher.matches(mention):
                continue
            result.matched += 1
            # The counter breaks ties between equal times without comparing mentions.
            item = (utc(mention.created_at), result.matched, mention)
            if len(newest) < samples:
                heapq.heappush(newest, item)
            elif samples:
                heapq.heappushpop(newest, item)
    result.samples = [m for _, _, m in sorted(newest, key=lambda t: (t[0], t[1]), reverse=True)]
    return result
