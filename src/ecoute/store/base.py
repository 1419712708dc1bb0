"""The Store protocol: the one door through which features reach data.

DuckDB is the embedded default; a PostgreSQL store and a distributed one
implement the same protocol and pass the same conformance tests.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from ecoute.model import Mention, Query, SourceSpec

# Dimensions a caller may group by. ``day`` and ``hour`` are UTC buckets of ``created_at``.
Dimension = Literal["platform", "lang", "sentiment", "query", "day", "hour", "author"]
DIMENSIONS: tuple[str, ...] = ("platform", "lang", "sentiment", "query", "day", "hour", "author")


class StoreError(Exception):
    """A store could not be opened or written; the message says why and what to do."""


@dataclass(slots=True)
class UpsertCounts:
    """What one ingest did, by outcome. ``rejected`` is filled by readers, not stores."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
    # Keys of the live mentions this batch added or changed; not summed by +=.
    changed: Sequence[tuple[str, str]] = field(default_factory=list, repr=False, compare=False)

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.rejected += other.rejected
        return self

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged + self.deleted + self.rejected

    def as_dict(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "rejected": self.rejected,
        }


class KeyColumns(Sequence[tuple[str, str]]):
    """(platform, native id) keys held in two Arrow string columns, tuples only when read.

    A bulk load's batch changes 122,880 posts: as tuples their keys cost 30 MB
    that no one reads unless a hook looks at the posts.
    """

    def __init__(self, platforms: Any, native_ids: Any) -> None:
        self._columns = (platforms, native_ids)

    def __len__(self) -> int:
        return len(self._columns[0])

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return list(self)[index]
        platforms, native_ids = self._columns
        return (platforms[index].as_py(), native_ids[index].as_py())

    def __iter__(self) -> Iterator[tuple[str, str]]:
        platforms, native_ids = self._columns
        return zip(platforms.to_pylist(), native_ids.to_pylist(), strict=True)


@dataclass(frozen=True, slots=True)
class SavedCursor:
    """A source's position, saved in the same transaction as the mentions it produced."""

    source_key: str
    cursor: Any  # small JSON-able value, opaque to everyone but its source


@dataclass(frozen=True, slots=True)
class Filter:
    """Which mentions a read is about. Deleted mentions are never returned."""

    platform: str | None = None
    lang: str | None = None
    sentiment: str | None = None
    query: str | None = None
    author: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None  # case-insensitive substring
    # Candidates for a boolean search: every group needs one of its words in the
    # text folded as the matcher folds it (ecoute.query.prefilter). A store may
    # skip the mentions that fail it and must keep any it cannot judge, so reads
    # with it return a superset of the matches, to be checked by the matcher.
    words: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Aggregate:
    """Count mentions grouped by some dimensions, e.g. ``by=("day", "sentiment")``."""

    by: tuple[str, ...]
    where: Filter = field(default_factory=Filter)
    limit: int | None = None  # keep the largest groups only


# What a Measure sums per group; see `Measure`.
MEASURES: tuple[str, ...] = ("mentions", "reach", "engagement", "negative", "neutral", "positive")
MEASURE_DIMENSIONS: tuple[str, ...] = (*DIMENSIONS, "keyword")
# Extra columns after the measures when grouping by author: the author's display
# name and follower count as last seen (their profile), whatever the period.
AUTHOR_COLUMNS: tuple[str, ...] = ("name", "followers")
Order = Literal["mentions", "reach", "engagement", "negative", "neutral", "positive"]


@dataclass(frozen=True, slots=True)
class Measure:
    """Group visible mentions matching `where` by `by`; keep the `limit` largest by `order`.

    Per group: ``mentions`` (a mention counts once per query when grouped by
    ``query``, once per distinct keyword when grouped by ``keyword``), ``reach``
    (the enrichment's reach, else the author's followers, else 0), ``engagement``
    (likes + reposts + replies) and the ``negative``/``neutral``/``positive``
    counts; grouped by ``author`` (``platform:handle``), also the author's ``name``
    and ``followers`` as last seen (`Store.author_profiles`). Rows come largest `order`
    first, then by the group values ascending, NULLs last.
    """

    by: tuple[str, ...] = ()
    where: Filter = field(default_factory=Filter)
    order: Order = "mentions"
    limit: int | None = None

    def columns(self) -> tuple[str, ...]:
        """The result's columns: the dimensions, the measures, then the author's if grouped so."""
        extra = AUTHOR_COLUMNS if "author" in self.by else ()
        return (*self.by, *MEASURES, *extra)

    def check(self) -> None:
        """Raise ValueError naming what is wrong with this spec."""
        unknown = [d for d in self.by if d not in MEASURE_DIMENSIONS]
        if unknown:
            raise ValueError(f"cannot group by {unknown}; choose among {list(MEASURE_DIMENSIONS)}")
        if self.order not in MEASURES:
            raise ValueError(f"cannot order by {self.order!r}; choose among {list(MEASURES)}")
        if self.limit is not None and self.limit < 0:
            raise ValueError(f"limit must be 0 or more, not {self.limit}")


@dataclass(frozen=True, slots=True)
class Table:
    """A small result table: column names and rows."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@runtime_checkable
class Store(Protocol):
    """Persistence for mentions, queries and source cursors."""

    #: Posts per `upsert_heard` batch this store writes fastest, for bulk loads.
    bulk_rows: int

    def upsert(
        self, mentions: Sequence[Mention], *, cursor: SavedCursor | None = None
    ) -> UpsertCounts:
        """Store a batch idempotently by (platform, native_id), with the cursor, atomically."""
        ...

    def upsert_heard(
        self,
        heard: Any,
        queries: Sequence[Sequence[str]],
        *,
        cursor: SavedCursor | None = None,
    ) -> UpsertCounts:
        """Store live posts heard in bulk, as `upsert` does, from one Arrow table.

        `heard` has the columns of ``ecoute.model.heard_columns()``; ``queries[i]``
        names the standing queries its row ``i`` matched.
        """
        ...

    def bulk_load(self) -> AbstractContextManager[None]:
        """A block of writes the store may finish faster together (an import, a backfill).

        A store may put off the upkeep of derived data to one pass when the block
        ends; reads inside the block stay exact, and what an interrupted block put
        off is caught up when the store is next opened.
        """
        ...

    def load_cursor(self, source_key: str) -> Any | None:
        """Return the cursor saved for a source, or None."""
        ...

    def search(
        self, where: Filter, *, limit: int, offset: int = 0, with_raw: bool = True
    ) -> list[Mention]:
        """Return visible mentions matching `where`, newest first.

        Without `with_raw` the payload as received is left out (``raw`` is None):
        lists and exports read several times faster.
        """
        ...

    def aggregate(self, spec: Aggregate) -> Table:
        """Count visible mentions grouped by `spec.by`."""
        ...

    def author_profiles(self, authors: Sequence[str]) -> dict[str, tuple[str | None, int | None]]:
        """The name and followers of each author (``platform:handle``) as last seen.

        Authors never seen are left out. A profile keeps the newest known value of
        each field: a post heard without a follower count does not erase it.
        """
        ...

    def measure(self, spec: Measure) -> Table:
        """Sum the visible mentions matching `spec.where` per group (see `Measure`)."""
        ...

    def iter_mentions(
        self, *, batch_size: int = 5000, since: datetime | None = None
    ) -> Iterator[list[Mention]]:
        """Yield visible mentions (posted since `since`) in batches, for re-tagging."""
        ...

    def iter_stale(
        self,
        stamps: dict[str, str],
        *,
        since: datetime | None = None,
        everything: bool = False,
        batch_size: int = 5000,
    ) -> Iterator[list[Mention]]:
        """Yield visible mentions whose version columns differ from `stamps` (or all)."""
        ...

    def update_enrichment(self, mentions: Sequence[Mention]) -> int:
        """Rewrite the enrichment fields and query tags of stored mentions; content is untouched."""
        ...

    def set_query_matches(self, query: str, keys: Sequence[tuple[str, str]]) -> int:
        """Replace the mentions tagged with `query` by `keys`; return how many are tagged."""
        ...

    def save_query(self, query: Query) -> None: ...

    def remove_query(self, name: str) -> bool: ...

    def list_queries(self) -> list[Query]: ...

    def save_source(self, spec: SourceSpec) -> None: ...

    def list_sources(self) -> list[SourceSpec]: ...

    def remove_source(self, name: str) -> bool:
        """Remove a collector and its cursor; the mentions it heard stay."""
        ...

    def close(self) -> None: ...
