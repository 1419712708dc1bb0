"""Source -> enrich -> query -> store: the one module that knows all four."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from ecoute.enrich.base import Stage, enrich
from ecoute.model import Query
from ecoute.plugins import load
from ecoute.query.matcher import Matcher, compile_matcher
from ecoute.sources.base import Page
from ecoute.store.base import SavedCursor, Store, UpsertCounts

log = logging.getLogger(__name__)

# Order matters: sentiment and keywords read the language, queries read them all.
DEFAULT_STAGES = ("language", "sentiment", "keywords")


def default_stages(only: set[str] | None = None) -> list[Stage]:
    """Instantiate the installed enrichment stages, built-ins first in their natural order."""
    found = load("stages", only)
    names = [n for n in DEFAULT_STAGES if n in found] + sorted(set(found) - set(DEFAULT_STAGES))
    return [found[n]() for n in names]


class Pipeline:
    """Ingests pages: enrich each batch, tag it with the standing queries, store it once."""

    def __init__(
        self, store: Store, stages: Sequence[Stage], queries: Sequence[Query] | None = None
    ) -> None:
        self.store = store
        self.stages = list(stages)
        self.matcher: Matcher = compile_matcher(
            store.list_queries() if queries is None else queries
        )

    def reload_queries(self) -> None:
        """Pick up queries added or changed since the pipeline started."""
        self.matcher = compile_matcher(self.store.list_queries())

    def ingest(self, page: Page, *, source_key: str | None = None) -> UpsertCounts:
        """Store one page atomically with its cursor (when a source key is given)."""
        mentions = enrich(page.mentions, self.stages)
        self.matcher.tag(mentions)
        cursor = None if source_key is None else SavedCursor(source_key, page.cursor)
        counts = (
            self.store.upsert(mentions, cursor=cursor) if mentions or cursor else UpsertCounts()
        )
        counts.rejected += len(page.rejected)
        return counts

    def ingest_all(self, pages: Iterable[Page]) -> UpsertCounts:
        """Ingest pages in order and return the summed counts."""
        total = UpsertCounts()
        for page in pages:
            total += self.ingest(page)
        return total


def retag_history(store: Store, query: Query) -> int:
    """Tag every stored mention that `query` matches, replacing its old tags; return the count."""
    matcher = compile_matcher([query])
    keys: list[tuple[str, str]] = []
    for batch in store.iter_mentions():
        for m in matcher.tag(batch):
            if m.queries:
                keys.append((m.platform, m.native_id))
    return store.set_query_matches(query.name, keys)
