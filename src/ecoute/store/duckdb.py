"""The embedded default store: one DuckDB file, no server.

Batches travel to DuckDB as Arrow tables, are split against what is stored into
new, changed and deleted posts, and written with a few set-based statements each,
so an import costs a few microseconds per post.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import msgspec
import orjson
import pyarrow as pa

from ecoute.model import (
    Author,
    DeletedBy,
    Mention,
    Query,
    QueryKind,
    Sentiment,
    SourceSpec,
    heard_columns,
)
from ecoute.store import _duckdb_measures as measures
from ecoute.store._duckdb_alerts import AlertStoreMixin
from ecoute.store.base import (
    DIMENSIONS,
    MEASURES,
    Aggregate,
    Filter,
    KeyColumns,
    Measure,
    SavedCursor,
    StoreError,
    Table,
    UpsertCounts,
)

log = logging.getLogger(__name__)

ROLLUPS_VERSION = 3  # the migration creating the rollups, filled from the mentions when applied

# Columns written on ingest, in table order; the store adds the bookkeeping ones.
_CONTENT = (
    "platform", "native_id", "url", "author_handle", "author_id", "author_name",
    "author_followers", "text", "created_at", "collected_at", "likes", "reposts",
    "replies", "views", "thread_id", "parent_id", "raw", "lang", "lang_by", "sentiment",
    "sentiment_score", "sentiment_by", "sentiment_explanation", "keywords", "keywords_by",
    "care", "care_by", "story_id", "story_by", "reach", "influence", "is_vip", "influence_by",
)  # fmt: skip
_ARROW_SCHEMA = pa.schema(
    [
        ("platform", pa.string()), ("native_id", pa.string()), ("url", pa.string()),
        ("author_handle", pa.string()), ("author_id", pa.string()),
        ("author_name", pa.string()), ("author_followers", pa.int64()),
        ("text", pa.string()), ("created_at", pa.timestamp("us")),
        ("collected_at", pa.timestamp("us")), ("likes", pa.int64()),
        ("reposts", pa.int64()), ("replies", pa.int64()), ("views", pa.int64()),
        ("thread_id", pa.string()), ("parent_id", pa.string()), ("raw", pa.string()),
        ("lang", pa.string()), ("lang_by", pa.string()), ("sentiment", pa.string()),
        ("sentiment_score", pa.float64()), ("sentiment_by", pa.string()),
        ("sentiment_explanation", pa.list_(pa.string())),
        ("keywords", pa.list_(pa.string())), ("keywords_by", pa.string()),
        ("care", pa.list_(pa.string())), ("care_by", pa.string()),
        ("story_id", pa.string()), ("story_by", pa.string()), ("reach", pa.int64()),
        ("influence", pa.float64()), ("is_vip", pa.bool_()), ("influence_by", pa.string()),
        ("is_deleted", pa.bool_()), ("deleted_by", pa.string()),
        ("seen_at", pa.timestamp("us")),
    ]
)  # fmt: skip
_ENRICHMENT = _CONTENT[_CONTENT.index("lang") :]
_UPDATABLE = [c for c in _CONTENT if c not in ("platform", "native_id")] + ["content_hash"]
_SELECT = ", ".join(_CONTENT)

# What a post says, to tell an edit from a replay: the fields a network can change,
# not ``collected_at``. Computed by DuckDB from the row itself, for batches of
# mentions and heard tables alike; DuckDB's hash is pinned with DuckDB, and
# migration 0005 recomputes the stored ones (keep the two expressions equal).
_HASHED = (
    "text", "url", "likes", "reposts", "replies", "views", "thread_id", "parent_id",
    "author_id", "author_name", "author_followers",
)  # fmt: skip


def content_hash_sql(table: str = "") -> str:
    """The SQL of a row's content hash, its columns read from `table` (an alias) if given."""
    t = f"{table}." if table else ""
    columns = ", ".join(t + c for c in _HASHED)
    return f"hash({columns}, CASE WHEN {t}lang_by = 'source' THEN {t}lang END)"


CONTENT_HASH = content_hash_sql()

_STORED_VERSIONS = f"""
SELECT b.platform, b.native_id, m.content_hash, m.collected_at, m.is_deleted,
       {content_hash_sql("b")}
FROM batch b JOIN mentions m USING (platform, native_id)
"""

_INSERT_NEW = f"""
INSERT INTO mentions ({_SELECT}, content_hash, first_seen_at, is_deleted, deleted_by, deleted_at)
SELECT {_SELECT}, {CONTENT_HASH}, seen_at, is_deleted, deleted_by,
       CASE WHEN is_deleted THEN seen_at END
FROM rows
"""

_UPSERT_LIVE = f"""
INSERT INTO mentions ({_SELECT}, content_hash, first_seen_at)
SELECT {_SELECT}, {CONTENT_HASH}, seen_at FROM rows
ON CONFLICT (platform, native_id) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in _UPDATABLE)}
WHERE NOT mentions.is_deleted
"""

# A tombstone may arrive before the post it deletes: it is inserted hidden, so
# the post stays hidden when it shows up. An author's deletion forgets content.
_UPSERT_TOMBSTONES = f"""
INSERT INTO mentions ({_SELECT}, content_hash, first_seen_at, is_deleted, deleted_by, deleted_at)
SELECT {_SELECT}, {CONTENT_HASH}, seen_at, true, deleted_by, seen_at FROM rows
ON CONFLICT (platform, native_id) DO UPDATE SET
    is_deleted = true,
    deleted_by = excluded.deleted_by,
    deleted_at = excluded.deleted_at,
    text = CASE WHEN excluded.deleted_by = 'author' THEN '' ELSE mentions.text END,
    raw = CASE WHEN excluded.deleted_by = 'author' THEN NULL ELSE mentions.raw END,
    keywords = CASE WHEN excluded.deleted_by = 'author' THEN NULL ELSE mentions.keywords END
WHERE NOT mentions.is_deleted
"""

# An author's profile is the newest heard (a NULL never erases what is known), one
# row per (platform, handle), found by key_hash (migration 0010: no index to keep).
_HEARD_AUTHORS = """
CREATE OR REPLACE TEMP TABLE heard_authors AS
SELECT platform, author_handle AS handle, arg_max(author_id, collected_at) AS native_id,
       arg_max(author_name, collected_at) AS name,
       arg_max(author_followers, collected_at) AS followers,
       max(collected_at) AS last_seen_at, hash(platform, author_handle) AS key_hash
FROM batch WHERE NOT is_deleted GROUP BY platform, author_handle
"""
_SAME_AUTHOR = "a.key_hash = h.key_hash AND a.platform = h.platform AND a.handle = h.handle"
_UPDATE_AUTHORS = f"""
UPDATE authors a SET
    native_id = coalesce(h.native_id, a.native_id),
    name = coalesce(h.name, a.name),
    followers = coalesce(h.followers, a.followers),
    last_seen_at = h.last_seen_at
FROM heard_authors h
WHERE {_SAME_AUTHOR} AND h.last_seen_at >= a.last_seen_at
"""
_INSERT_AUTHORS = f"""
INSERT INTO authors (platform, handle, native_id, name, followers, last_seen_at, key_hash)
SELECT h.platform, h.handle, h.native_id, h.name, h.followers, h.last_seen_at, h.key_hash
FROM heard_authors h ANTI JOIN authors a ON {_SAME_AUTHOR}
"""


# Posts heard in bulk (`upsert_heard`): live and not yet understood, so the
# columns they lack take the values of a Mention's defaults.
_HEARD = frozenset(heard_columns().names)
_DEFAULTS = {"sentiment_explanation": "[]", "keywords": "[]", "care": "[]", "is_vip": "false"}
_HEARD_VALUES = [c if c in _HEARD else _DEFAULTS.get(c, "NULL") for c in _CONTENT]
_HEARD_SELECT = ", ".join(_HEARD_VALUES)
_INSERT_HEARD = f"""
INSERT INTO mentions ({_SELECT}, content_hash, first_seen_at, is_deleted)
SELECT {_HEARD_SELECT}, {CONTENT_HASH}, seen_at, false FROM rows
"""
_UPSERT_HEARD = f"""
INSERT INTO mentions ({_SELECT}, content_hash, first_seen_at, is_deleted)
SELECT {_HEARD_SELECT}, {CONTENT_HASH}, seen_at, false FROM rows
ON CONFLICT (platform, native_id) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in _UPDATABLE)}
WHERE NOT mentions.is_deleted
"""
# The rows of a registered heard table ``fresh`` as `_INSERT_HEARD` stores them, and
# their query matches: the rollups' sums of posts just inserted, read from the batch.
_FRESH = (
    "(SELECT "
    + ", ".join(f"{v} AS {c}" for v, c in zip(_HEARD_VALUES, _CONTENT, strict=True))
    + ", false AS is_deleted FROM fresh)",
    "(SELECT DISTINCT platform, native_id, unnest(queries) AS query FROM fresh)",
)
_HAS_REPEATS = "SELECT count(*) > count(DISTINCT (platform, native_id)) FROM batch"
_NEWEST_PER_KEY = """
FROM batch
QUALIFY row_number() OVER (
    PARTITION BY platform, native_id ORDER BY collected_at DESC, ord DESC
) = 1
"""
_FORGET_MATCHES = """
DELETE FROM mention_queries mq USING rows r
WHERE mq.platform = r.platform AND mq.native_id = r.native_id
"""
_INSERT_MATCHES = """
INSERT INTO mention_queries (platform, native_id, query, created_at)
SELECT DISTINCT platform, native_id, unnest(queries), created_at FROM rows WHERE len(queries) > 0
"""

# DuckDB's memory during a bulk load, unless the setting memory_limit says otherwise.
# What it writes is on disk, so memory buys little speed, and a batch's Arrow tables
# are held besides: the batches run in the first, the merge at the end, which holds
# no batch, in the second (BENCHMARKS.md).
BULK_MEMORY_LIMITS = ("64MB", "128MB")

_naive_utc = measures.naive_utc
_where = measures.where_sql


class DuckDBStore(AlertStoreMixin):
    """A workspace in one DuckDB file (or ``:memory:``)."""

    name = "duckdb"
    # One DuckDB row group: a smaller batch leaves a partial row group that every
    # checkpoint rewrites (50,000-post batches made a million-post import 2x slower).
    bulk_rows = 122_880

    def __init__(
        self, path: str | Path, *, memory_limit: str | None = None, threads: int | None = None
    ) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(self.path)
        except duckdb.IOException as exc:
            raise StoreError(
                f"cannot open the workspace {self.path}: {exc}. Another ecoute process "
                "may be using it; stop it or choose another file with --db."
            ) from exc
        self._con.execute("SET TimeZone = 'UTC'")
        # DuckDB draws a progress bar on stdout for long statements (a migration, a
        # rebuild): our commands print their own output, JSON included.
        self._con.execute("SET enable_progress_bar = false")
        self._memory_limit = memory_limit
        try:
            if memory_limit:
                self._con.execute("SET memory_limit = ?", [memory_limit])
            if threads:
                self._con.execute("SET threads = ?", [threads])
        except duckdb.Error as exc:
            self._con.close()
            raise StoreError(f"invalid DuckDB setting: {exc}") from exc
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._bulk = 0  # bulk loads under way (`bulk_load`)
        if ROLLUPS_VERSION in migrate(self._con):
            # A workspace written before the rollups existed: fill them once.
            self.rebuild_rollups()
        elif measures.has_pending(self._con):
            # A bulk load stopped before merging its author rollup changes.
            try:
                log.info("merged %s pending author rollup rows", self.merge_pending())
            except StoreError:
                self._con.close()
                raise

    # -- connections -------------------------------------------------------------------
    def _cursor(self) -> duckdb.DuckDBPyConnection:
        # A DuckDB connection is not safe to share between threads; a cursor per
        # thread is (the web app answers requests from a thread pool).
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def close(self) -> None:
        self._con.close()

    # -- writes ------------------------------------------------------------------------
    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Put off the author rollups' upkeep to one merge when the block ends.

        Every write in the block (from any thread) appends its author rollup changes
        to the pending ones instead of merging them into the author rollups, each a
        row per author and day, month or all time. Reads stay exact meanwhile (author
        rankings scan the mentions). Interrupted (KeyboardInterrupt, SystemExit), the
        block leaves its changes pending for the next open to merge. Unless a memory
        limit was given, DuckDB works within `BULK_MEMORY_LIMITS` meanwhile.
        """
        with self._write_lock:
            self._bulk += 1
            if self._bulk == 1 and not self._memory_limit:
                self._con.execute("SET memory_limit = ?", [BULK_MEMORY_LIMITS[0]])
        interrupted = False
        try:
            yield
        except BaseException as exc:
            interrupted = not isinstance(exc, Exception)
            raise
        finally:
            with self._write_lock:
                self._bulk -= 1
                last = not self._bulk
            try:
                if last and not interrupted:
                    if not self._memory_limit:
                        self._con.execute("SET memory_limit = ?", [BULK_MEMORY_LIMITS[1]])
                    self.merge_pending()
            finally:
                if last and not self._memory_limit:
                    with self._write_lock:
                        self._con.execute("RESET memory_limit")

    def merge_pending(self) -> int:
        """Merge the pending author rollup changes; return how many rows there were."""
        with self._write_lock:
            con = self._cursor()
            con.execute("BEGIN")
            try:
                rows = measures.merge_pending(con)
                con.execute("COMMIT")
            except duckdb.OutOfMemoryException as exc:
                con.execute("ROLLBACK")
                raise StoreError(
                    "not enough memory to merge the author rankings' changes "
                    f"({_first_line(exc)}); everything imported is kept and the changes "
                    "wait: raise the setting memory_limit (ECOUTE_MEMORY_LIMIT) and open the "
                    "workspace again"
                ) from exc
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return rows

    def upsert(
        self, mentions: Sequence[Mention], *, cursor: SavedCursor | None = None
    ) -> UpsertCounts:
        counts = UpsertCounts()
        winners = _newest_per_key(mentions, counts)
        now = _naive_utc(datetime.now(UTC))
        table = _to_arrow(winners, now)
        with self._write_lock:
            con = self._cursor()
            con.execute("BEGIN")
            try:
                con.register("batch", table)
                # Plain INSERTs are several times faster than INSERT ... ON CONFLICT, so
                # the batch is first split against what is stored; the primary key
                # still guards uniqueness.
                stored = _stored_versions(con)
                new, changed, deleted = _classify(winners, stored, counts)
                # The rows already stored; the new ones are summed from the batch.
                con.register("touched", _keys_table(winners, changed + deleted))
                measures.begin_delta(con)
                if changed or deleted:
                    measures.add_contributions(con, "touched", -1)
                if new:
                    _insert_where(con, table, new, _INSERT_NEW)
                if changed:
                    _insert_where(con, table, changed, _UPSERT_LIVE)
                if deleted:
                    _insert_where(con, table, deleted, _UPSERT_TOMBSTONES)
                _write_authors(con)
                counts.changed = [
                    (winners[i].platform, winners[i].native_id)
                    for i in new + changed
                    if not winners[i].is_deleted
                ]
                tagged = self._write_matches(con, winners, set(counts.changed))
                if changed or deleted:
                    measures.add_contributions(con, "touched", +1)
                if new:
                    # The matches just written; the join keeps the new posts' own.
                    con.register("fresh", table.take(pa.array(new, pa.int64())))
                    con.register("fresh_matches", tagged)
                    measures.add_contributions(con, None, +1, source=("fresh", "fresh_matches"))
                measures.apply_delta(con, defer_authors=self._bulk > 0)
                if cursor is not None:
                    _save_cursor(con, cursor, now)
                con.execute("COMMIT")
            except duckdb.OutOfMemoryException as exc:
                con.execute("ROLLBACK")
                raise _out_of_memory(exc, len(winners)) from exc
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                for name in ("batch", "touched", "fresh", "fresh_matches"):
                    con.unregister(name)
        return counts

    def upsert_heard(
        self,
        heard: pa.Table,
        queries: Sequence[Sequence[str]],
        *,
        cursor: SavedCursor | None = None,
    ) -> UpsertCounts:
        counts = UpsertCounts()
        if not heard.num_rows:
            if cursor is not None:
                with self._write_lock:
                    _save_cursor(self._cursor(), cursor, _naive_utc(datetime.now(UTC)))
            return counts
        table = _heard_batch(heard, queries, _naive_utc(datetime.now(UTC)))
        with self._write_lock:
            con = self._cursor()
            con.execute("BEGIN")
            try:
                con.register("batch", table)
                if con.execute(_HAS_REPEATS).fetchall()[0][0]:
                    # Several versions of a post in one batch: the newest collected
                    # wins (the later line on a tie); the others count as unchanged.
                    winners = con.sql(_NEWEST_PER_KEY).to_arrow_table()
                    counts.unchanged += table.num_rows - winners.num_rows
                    table = winners.sort_by("ord")
                    con.unregister("batch")
                    con.register("batch", table)
                new, changed = _classify_heard(table, _stored_versions(con), counts)
                keys = table.select(["platform", "native_id"])
                written = keys.take(pa.array(new + changed, pa.int64()))
                # The rows already stored; the new ones are summed from the batch.
                con.register("touched", keys.take(pa.array(changed, pa.int64())))
                measures.begin_delta(con)
                if changed:
                    measures.add_contributions(con, "touched", -1)
                if new:
                    _insert_where(con, table, new, _INSERT_HEARD)
                if changed:
                    _insert_where(con, table, changed, _UPSERT_HEARD)
                _write_authors(con)
                counts.changed = KeyColumns(written.column("platform"), written.column("native_id"))
                if changed:
                    _insert_where(con, table, changed, _FORGET_MATCHES)
                _insert_where(con, table, new + changed, _INSERT_MATCHES)
                if changed:
                    measures.add_contributions(con, "touched", +1)
                if new:
                    con.register("fresh", table if not changed else table.take(new))
                    measures.add_contributions(
                        con, None, +1, source=_FRESH, keywords=False, defer_authors=self._bulk > 0
                    )
                measures.apply_delta(con, defer_authors=self._bulk > 0)
                if cursor is not None:
                    _save_cursor(con, cursor, _naive_utc(datetime.now(UTC)))
                con.execute("COMMIT")
            except duckdb.OutOfMemoryException as exc:
                con.execute("ROLLBACK")
                raise _out_of_memory(exc, heard.num_rows) from exc
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                for name in ("batch", "touched", "fresh"):
                    con.unregister(name)
        return counts

    def _write_matches(
        self,
        con: duckdb.DuckDBPyConnection,
        mentions: Sequence[Mention],
        changed: set[tuple[str, str]],
    ) -> pa.Table:
        """Re-tag the mentions whose content changed with the queries they matched now.

        Return the matches written (`_matches_table`).
        """
        if not changed:
            return _matches_table([])
        keys = pa.table({"platform": [k[0] for k in changed], "native_id": [k[1] for k in changed]})
        con.register("changed_keys", keys)
        try:
            con.execute(
                "DELETE FROM mention_queries mq USING changed_keys c "
                "WHERE mq.platform = c.platform AND mq.native_id = c.native_id"
            )
        finally:
            con.unregister("changed_keys")
        tagged = _matches_table([m for m in mentions if (m.platform, m.native_id) in changed])
        if tagged.num_rows:
            con.register("tagged", tagged)
            try:
                con.execute(
                    "INSERT INTO mention_queries (platform, native_id, query, created_at) "
                    "SELECT platform, native_id, query, created_at FROM tagged"
                )
            finally:
                con.unregister("tagged")
        return tagged

    def update_enrichment(self, mentions: Sequence[Mention]) -> int:
        """Rewrite the enrichment fields and query tags of stored mentions; return how many."""
        if not mentions:
            return 0
        table = _to_arrow(mentions, _naive_utc(datetime.now(UTC)))
        sets = ", ".join(f"{c} = b.{c}" for c in _ENRICHMENT)
        with self._write_lock:
            con = self._cursor()
            con.execute("BEGIN")
            try:
                con.register("batch", table)
                con.register("touched", _keys_table(mentions, range(len(mentions))))
                measures.begin_delta(con)
                measures.add_contributions(con, "touched", -1)
                updated = con.execute(
                    f"UPDATE mentions SET {sets} FROM batch b WHERE mentions.platform = b.platform "
                    "AND mentions.native_id = b.native_id AND NOT mentions.is_deleted "
                    "RETURNING mentions.platform, mentions.native_id"
                ).fetchall()
                self._write_matches(con, mentions, {(p, n) for p, n in updated})
                measures.add_contributions(con, "touched", +1)
                measures.apply_delta(con, defer_authors=self._bulk > 0)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                con.unregister("batch")
                con.unregister("touched")
        return len(updated)

    def set_query_matches(self, query: str, keys: Sequence[tuple[str, str]]) -> int:
        with self._write_lock:
            con = self._cursor()
            con.execute("BEGIN")
            try:
                con.execute("DELETE FROM mention_queries WHERE query = ?", [query])
                if keys:
                    table = pa.table(
                        {
                            "platform": [k[0] for k in keys],
                            "native_id": [k[1] for k in keys],
                        }
                    )
                    con.register("matched", table)
                    try:
                        con.execute(
                            "INSERT INTO mention_queries (platform, native_id, query, created_at) "
                            "SELECT DISTINCT k.platform, k.native_id, $q, m.created_at "
                            "FROM matched k JOIN mentions m USING (platform, native_id)",
                            {"q": query},
                        )
                    finally:
                        con.unregister("matched")
                measures.rebuild(con, query=query)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return len(set(keys))

    def save_query(self, query: Query) -> None:
        now = _naive_utc(datetime.now(UTC))
        with self._write_lock:
            self._cursor().execute(
                'INSERT INTO queries (name, expr, kind, "group", created_at, updated_at) '
                "VALUES ($name, $expr, $kind, $group, $now, $now) "
                "ON CONFLICT (name) DO UPDATE SET expr = excluded.expr, kind = excluded.kind, "
                '"group" = excluded."group", updated_at = excluded.updated_at',
                {
                    "name": query.name,
                    "expr": query.expr,
                    "kind": str(query.kind),
                    "group": query.group,
                    "now": now,
                },
            )

    def remove_query(self, name: str) -> bool:
        with self._write_lock:
            con = self._cursor()
            con.execute("BEGIN")
            try:
                gone = con.execute(
                    "DELETE FROM queries WHERE name = ? RETURNING name", [name]
                ).fetchall()
                con.execute("DELETE FROM mention_queries WHERE query = ?", [name])
                measures.forget_query(con, name)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return bool(gone)

    def save_source(self, spec: SourceSpec) -> None:
        now = _naive_utc(datetime.now(UTC))
        with self._write_lock:
            self._cursor().execute(
                "INSERT INTO sources VALUES ($name, $kind, $config, $enabled, $now, $now) "
                "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, config = excluded.config, "
                "enabled = excluded.enabled, updated_at = excluded.updated_at",
                {
                    "name": spec.name,
                    "kind": spec.kind,
                    "config": orjson.dumps(spec.config).decode(),
                    "enabled": spec.enabled,
                    "now": now,
                },
            )

    def list_sources(self) -> list[SourceSpec]:
        rows = (
            self._cursor()
            .execute("SELECT name, kind, config, enabled FROM sources ORDER BY name")
            .fetchall()
        )
        return [
            SourceSpec(name=n, kind=k, config=orjson.loads(c), enabled=e) for n, k, c, e in rows
        ]

    def remove_source(self, name: str) -> bool:
        with self._write_lock:
            con = self._cursor()
            con.execute("BEGIN")
            try:
                gone = con.execute(
                    "DELETE FROM sources WHERE name = ? RETURNING name", [name]
                ).fetchall()
                con.execute("DELETE FROM cursors WHERE source_key = ?", [name])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return bool(gone)

    # -- reads -------------------------------------------------------------------------
    def list_queries(self) -> list[Query]:
        rows = (
            self._cursor()
            .execute('SELECT name, expr, kind, "group" FROM queries ORDER BY name')
            .fetchall()
        )
        return [Query(name=n, expr=e, kind=QueryKind(k), group=g) for n, e, k, g in rows]

    def load_cursor(self, source_key: str) -> Any | None:
        rows = (
            self._cursor()
            .execute("SELECT cursor FROM cursors WHERE source_key = ?", [source_key])
            .fetchall()
        )
        return orjson.loads(rows[0][0]) if rows else None

    def search(
        self, where: Filter, *, limit: int, offset: int = 0, with_raw: bool = True
    ) -> list[Mention]:
        """The newest mentions matching `where`, read in growing windows back from its end.

        A window holding `offset` + `limit` matches holds the newest ones: older
        rows are not read, and DuckDB skips the row groups outside the window.
        """
        columns = _READ_COLUMNS if with_raw else _READ_COLUMNS_NO_RAW
        cur = self._cursor()
        rows: list[Any] = []
        windows = (
            measures.windows_back(where, _naive_utc(datetime.now(UTC)))
            if offset + limit <= measures.WINDOWED_ROWS
            else [where]
        )
        for window in windows:
            sql, params = measures.where_sql(window)
            rows = cur.execute(
                f"SELECT {columns} FROM mentions m WHERE {sql} "
                "ORDER BY m.created_at DESC, m.platform, m.native_id LIMIT $limit OFFSET $offset",
                {**params, "limit": limit, "offset": offset},
            ).fetchall()
            if len(rows) == limit:
                break
        return self._with_queries([_from_row(r) for r in rows])

    def count(self, where: Filter) -> int:
        return int(self.aggregate(Aggregate(by=(), where=where)).rows[0][0])

    def aggregate(self, spec: Aggregate) -> Table:
        unknown = [d for d in spec.by if d not in DIMENSIONS]
        if unknown:
            raise ValueError(f"cannot group by {unknown}; choose among {list(DIMENSIONS)}")
        n = len(spec.by)
        groups = ", ".join(f"{i + 1} ASC NULLS LAST" for i in range(n))
        order = f"mentions DESC, {groups}" if spec.limit else groups
        with self._snapshot() as (cur, authors):
            sql, params = measures.measure_sql(
                Measure(by=spec.by, where=spec.where, limit=spec.limit),
                order=order or None,
                authors=authors,
            )
            rows = cur.execute(sql, params).fetchall()
        if not spec.by and rows and not rows[0][0]:
            rows = [(0,)]
        return Table(columns=(*spec.by, "mentions"), rows=[(*r[:n], r[n]) for r in rows])

    def measure(self, spec: Measure) -> Table:
        """Sum the visible mentions matching `spec.where` per group; rollups where they can."""
        spec.check()
        with self._snapshot() as (cur, authors):
            rows = self._bounded_ranking(cur, spec) if authors else None
            if rows is None:
                sql, params = measures.measure_sql(spec, authors=authors)
                rows = [tuple(r) for r in cur.execute(sql, params).fetchall()]
        if not spec.by and rows and not rows[0][0]:
            rows = []  # no mention, no group: as a scan of nothing gives
        if "author" in spec.by and rows:
            at = spec.by.index("author")
            profiles = self.author_profiles([str(r[at]) for r in rows])
            rows = [(*r, *profiles.get(str(r[at]), (None, None))) for r in rows]
        return Table(columns=spec.columns(), rows=rows)

    @staticmethod
    def _bounded_ranking(
        cur: duckdb.DuckDBPyConnection, spec: Measure
    ) -> list[tuple[Any, ...]] | None:
        """A period's top authors from the all-time leaders, when that proves exact."""
        bounded = measures.bounded_ranking_sql(spec)
        if bounded is None:
            return None
        found = cur.execute(*bounded).fetchall()
        if not found or not found[0][-1]:
            return None  # unproven, or none of the leaders wrote then: rank the usual way
        names = measures.authors_by_key(cur, [r[0] for r in found])
        if names is None:
            return None  # two authors share a key: their sums were one
        order = MEASURES.index(spec.order) + 1
        rows = sorted(((names[r[0]], *r[1:-1]) for r in found), key=lambda r: (-r[order], r[0]))
        return rows[: spec.limit]

    @contextmanager
    def _snapshot(self) -> Iterator[tuple[duckdb.DuckDBPyConnection, bool]]:
        """This thread's cursor in a read transaction, and whether the author rollups are
        current in it (no change pending from a bulk load)."""
        cur = self._cursor()
        cur.execute("BEGIN")
        try:
            yield cur, not measures.has_pending(cur)
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")

    def author_profiles(self, authors: Sequence[str]) -> dict[str, tuple[str | None, int | None]]:
        return measures.author_profiles(self._cursor(), authors)

    def rebuild_rollups(self) -> None:
        """Recompute every rollup from the mentions (after a bulk load that went around upsert)."""
        with self._write_lock:
            con = self._cursor()
            con.execute("BEGIN")
            try:
                measures.rebuild(con)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def iter_mentions(
        self, *, batch_size: int = 5000, since: datetime | None = None
    ) -> Iterator[list[Mention]]:
        cur = self._con.cursor()
        try:
            result = cur.execute(
                f"SELECT {_READ_COLUMNS} FROM mentions m WHERE NOT m.is_deleted "
                "AND m.created_at >= $since ORDER BY m.platform, m.native_id",
                {"since": _naive_utc(since) if since else datetime(1, 1, 1)},
            )
            while rows := result.fetchmany(batch_size):
                yield [_from_row(r) for r in rows]
        finally:
            cur.close()

    def iter_stale(
        self,
        stamps: dict[str, str],
        *,
        since: datetime | None = None,
        everything: bool = False,
        batch_size: int = 5000,
    ) -> Iterator[list[Mention]]:
        """Yield visible mentions whose enrichment is missing or from another stage version.

        `stamps` maps a version column (``sentiment_by``) to the version a stage
        writes now; with `everything`, every visible mention is yielded.
        """
        unknown = set(stamps) - {c for c in _ENRICHMENT if c.endswith("_by")}
        if unknown:
            raise ValueError(f"not version columns: {sorted(unknown)}")
        clauses = ["NOT m.is_deleted"]
        params: dict[str, Any] = {}
        if since is not None:
            clauses.append("m.created_at >= $since")
            params["since"] = _naive_utc(since)
        if not everything and stamps:
            stale = []
            for i, (column, version) in enumerate(sorted(stamps.items())):
                # "source" marks a value the network gave (its language): never stale.
                stale.append(
                    f"(m.{column} IS DISTINCT FROM $v{i} AND m.{column} IS DISTINCT FROM 'source')"
                )
                params[f"v{i}"] = version
            clauses.append("(" + " OR ".join(stale) + ")")
        # One short read per batch, each starting after the last key read: a cursor
        # held open across the caller's writes would keep every row it rewrites
        # alive in DuckDB's undo buffers (gigabytes for a million-post backfill).
        where = " AND ".join(clauses)
        after = ""
        while True:
            rows = (
                self._cursor()
                .execute(
                    f"SELECT {_READ_COLUMNS} FROM mentions m WHERE {where}{after} "
                    f"ORDER BY m.created_at, m.platform, m.native_id LIMIT {int(batch_size)}",
                    params,
                )
                .fetchall()
            )
            if not rows:
                return
            batch = [_from_row(r) for r in rows]
            last = batch[-1]
            params = {
                **params,
                "k_at": _naive_utc(last.created_at),
                "k_platform": last.platform,
                "k_id": last.native_id,
            }
            after = (
                " AND m.created_at >= $k_at AND (m.created_at, m.platform, m.native_id) "
                "> ($k_at, $k_platform, $k_id)"
            )
            yield batch
            if len(rows) < batch_size:
                return

    def _with_queries(self, mentions: list[Mention]) -> list[Mention]:
        if not mentions:
            return mentions
        keys = pa.table(
            {
                "platform": [m.platform for m in mentions],
                "native_id": [m.native_id for m in mentions],
            }
        )
        times = [_naive_utc(m.created_at) for m in mentions]
        cur = self._cursor()
        cur.register("wanted", keys)
        try:
            # Bounded by the mentions' times, which their matches share: DuckDB reads
            # only the row groups of that span, not every match of the workspace.
            rows = cur.execute(
                "SELECT mq.platform, mq.native_id, list(mq.query ORDER BY mq.query) "
                "FROM mention_queries mq JOIN wanted USING (platform, native_id) "
                "WHERE mq.created_at BETWEEN $first AND $last GROUP BY 1, 2",
                {"first": min(times), "last": max(times)},
            ).fetchall()
        finally:
            cur.unregister("wanted")
        found = {(p, n): qs for p, n, qs in rows}
        for m in mentions:
            m.queries = found.get((m.platform, m.native_id), [])
        return mentions

    def sql(self, text: str, params: Any = None) -> list[tuple[Any, ...]]:
        """Run read-only SQL; for diagnostics and tests, not for features."""
        return self._cursor().execute(text, params or []).fetchall()


# -- migrations ---------------------------------------------------------------------------
def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations this file has not seen yet, each in its own transaction."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    done = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied: list[int] = []
    folder = resources.files("ecoute.store") / "migrations" / "duckdb"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".sql"):
            continue
        version = int(entry.name.split("_", 1)[0])
        if version in done:
            continue
        con.execute("BEGIN")
        try:
            con.execute(entry.read_text(encoding="utf-8"))
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [version, entry.name, _naive_utc(datetime.now(UTC))],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        log.info("applied migration %s", entry.name)
        applied.append(version)
    newest = max(done | set(applied), default=0)
    known = max(
        (int(e.name.split("_", 1)[0]) for e in folder.iterdir() if e.name.endswith(".sql")),
        default=0,
    )
    if newest > known:
        raise StoreError(
            f"this workspace was written by a newer Écoute (schema {newest}, "
            f"this version knows {known}); upgrade Écoute to open it"
        )
    return applied


# -- conversions --------------------------------------------------------------------------
def _newest_per_key(mentions: Sequence[Mention], counts: UpsertCounts) -> list[Mention]:
    """Keep one mention per key: the newest collected (the later one on a tie).

    DuckDB refuses one INSERT that conflicts with itself, and a file may hold
    several versions of a post; the superseded ones count as unchanged.
    """
    seen: dict[tuple[str, str], int] = {}
    winners: list[Mention] = []
    for m in mentions:
        key = (m.platform, m.native_id)
        at = seen.get(key)
        if at is None:
            seen[key] = len(winners)
            winners.append(m)
            continue
        counts.unchanged += 1
        held = winners[at]
        if held.is_deleted and m.is_deleted:
            continue
        if held.is_deleted or m.is_deleted:
            tomb, live = (held, m) if held.is_deleted else (m, held)
            # A moderator's deletion keeps the story: the post heard in the same
            # batch becomes the hidden row, text and payload included.
            if tomb.deleted_by == DeletedBy.MODERATOR:
                tomb = msgspec.structs.replace(live, is_deleted=True, deleted_by=tomb.deleted_by)
            winners[at] = tomb
        elif m.collected_at >= held.collected_at:
            winners[at] = m
    return winners


def _stored_versions(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], _Held]:
    """What the store holds of the registered ``batch``'s keys, with each row's new hash."""
    return {(p, n): (h, c, d, f) for p, n, h, c, d, f in con.execute(_STORED_VERSIONS).fetchall()}


# The stored hash, collected_at and deletion of a post, and the hash of the batch's row.
_Held = tuple[int, datetime, bool, int]


def _classify(
    winners: Sequence[Mention], stored: dict[tuple[str, str], _Held], counts: UpsertCounts
) -> tuple[list[int], list[int], list[int]]:
    """Split a batch into rows to insert, live rows to update and tombstones to apply."""
    new: list[int] = []
    changed: list[int] = []
    deleted: list[int] = []
    for i, m in enumerate(winners):
        held = stored.get((m.platform, m.native_id))
        if held is None:
            new.append(i)
            if m.is_deleted:
                counts.deleted += 1
            else:
                counts.added += 1
            continue
        held_hash, held_collected, held_deleted, fresh_hash = held
        if held_deleted:
            counts.unchanged += 1  # a deleted post stays deleted
        elif m.is_deleted:
            deleted.append(i)
            counts.deleted += 1
        elif fresh_hash != held_hash and _naive_utc(m.collected_at) >= held_collected:
            changed.append(i)
            counts.updated += 1
        else:
            counts.unchanged += 1
    return new, changed, deleted


def _heard_batch(heard: pa.Table, queries: Sequence[Sequence[str]], seen_at: datetime) -> pa.Table:
    """A heard table as the store writes it: naive UTC times, text payloads, its queries."""
    n = heard.num_rows
    if len(queries) != n:
        raise ValueError(f"{len(queries)} lists of queries for {n} posts")
    naive = pa.timestamp("us")
    columns = {name: heard.column(name) for name in heard.column_names}
    # Cast here, not in DuckDB: DuckDB would convert an aware time to the session's zone.
    columns["created_at"] = columns["created_at"].cast(naive)
    columns["collected_at"] = columns["collected_at"].cast(naive)
    columns["raw"] = columns["raw"].cast(pa.string())
    columns["queries"] = pa.array(queries, pa.list_(pa.string()))
    columns["is_deleted"] = pa.nulls(n, pa.bool_()).fill_null(False)
    columns["seen_at"] = pa.nulls(n, naive).fill_null(pa.scalar(seen_at, naive))
    columns["ord"] = pa.array(range(n), pa.int64())
    return pa.table(columns)


def _classify_heard(
    table: pa.Table, stored: dict[tuple[str, str], _Held], counts: UpsertCounts
) -> tuple[list[int], list[int]]:
    """Split a heard batch into rows to insert and rows whose content changed."""
    if not stored:
        counts.added += table.num_rows
        return list(range(table.num_rows)), []
    new: list[int] = []
    changed: list[int] = []
    platforms = table.column("platform").to_pylist()
    ids = table.column("native_id").to_pylist()
    collected = table.column("collected_at").to_pylist()
    for i, key in enumerate(zip(platforms, ids, strict=True)):
        held = stored.get(key)
        if held is None:
            new.append(i)
            counts.added += 1
            continue
        held_hash, held_collected, held_deleted, fresh_hash = held
        if not held_deleted and fresh_hash != held_hash and collected[i] >= held_collected:
            changed.append(i)
            counts.updated += 1
        else:
            counts.unchanged += 1  # the same, older, or a post that stays deleted
    return new, changed


def _keys_table(mentions: Sequence[Mention], rows: Sequence[int] | range) -> pa.Table:
    """The keys of `rows` of `mentions`, for joins."""
    return pa.table(
        {
            "platform": pa.array([mentions[i].platform for i in rows], pa.string()),
            "native_id": pa.array([mentions[i].native_id for i in rows], pa.string()),
        }
    )


def _matches_table(mentions: Sequence[Mention]) -> pa.Table:
    """The query matches of live `mentions`, one row per query, as mention_queries holds them."""
    rows = [
        (m.platform, m.native_id, q, _naive_utc(m.created_at))
        for m in mentions
        if m.queries and not m.is_deleted
        for q in dict.fromkeys(m.queries)
    ]
    return pa.table(
        {
            "platform": pa.array([r[0] for r in rows], pa.string()),
            "native_id": pa.array([r[1] for r in rows], pa.string()),
            "query": pa.array([r[2] for r in rows], pa.string()),
            "created_at": pa.array([r[3] for r in rows], pa.timestamp("us")),
        }
    )


def _out_of_memory(exc: duckdb.OutOfMemoryException, posts: int) -> StoreError:
    return StoreError(
        f"not enough memory to store a batch of {posts:,} posts ({_first_line(exc)}); the batches "
        "stored before it are kept: raise the setting memory_limit (ECOUTE_MEMORY_LIMIT)"
    )


def _first_line(exc: Exception) -> str:
    return str(exc).strip().split("\n", 1)[0]


def _write_authors(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the profiles of the registered ``batch``'s authors up to date."""
    con.execute(_HEARD_AUTHORS)
    con.execute(_UPDATE_AUTHORS)
    con.execute(_INSERT_AUTHORS)
    con.execute("DROP TABLE heard_authors")  # on a failure, the rollback drops it


def _insert_where(
    con: duckdb.DuckDBPyConnection, table: pa.Table, rows: list[int], statement: str
) -> None:
    subset = table if len(rows) == table.num_rows else table.take(pa.array(rows, pa.int64()))
    con.register("rows", subset)
    try:
        con.execute(statement)
    finally:
        con.unregister("rows")


def _to_arrow(mentions: Sequence[Mention], seen_at: datetime) -> pa.Table:
    # One comprehension per column: several times faster than appending row by row.
    ms = mentions
    authors = [m.author for m in ms]
    raws = [m.raw for m in ms]
    columns: dict[str, list[Any]] = {
        "platform": [m.platform for m in ms],
        "native_id": [m.native_id for m in ms],
        "url": [m.url for m in ms],
        "author_handle": [a.handle for a in authors],
        "author_id": [a.native_id for a in authors],
        "author_name": [a.name for a in authors],
        "author_followers": [a.followers for a in authors],
        "text": [m.text for m in ms],
        # Arrow converts aware datetimes to UTC for a zone-less timestamp column.
        "created_at": [m.created_at for m in ms],
        "collected_at": [m.collected_at for m in ms],
        "likes": [m.likes for m in ms],
        "reposts": [m.reposts for m in ms],
        "replies": [m.replies for m in ms],
        "views": [m.views for m in ms],
        "thread_id": [m.thread_id for m in ms],
        "parent_id": [m.parent_id for m in ms],
        "raw": [None if r is None else bytes(r) for r in raws],
        "lang": [m.lang for m in ms],
        "lang_by": [m.lang_by for m in ms],
        "sentiment": [m.sentiment for m in ms],
        "sentiment_score": [m.sentiment_score for m in ms],
        "sentiment_by": [m.sentiment_by for m in ms],
        "sentiment_explanation": [m.sentiment_explanation for m in ms],
        "keywords": [m.keywords for m in ms],
        "keywords_by": [m.keywords_by for m in ms],
        "care": [m.care for m in ms],
        "care_by": [m.care_by for m in ms],
        "story_id": [m.story_id for m in ms],
        "story_by": [m.story_by for m in ms],
        "reach": [m.reach for m in ms],
        "influence": [m.influence for m in ms],
        "is_vip": [m.is_vip for m in ms],
        "influence_by": [m.influence_by for m in ms],
        "is_deleted": [m.is_deleted for m in ms],
        "deleted_by": [m.deleted_by for m in ms],
        "seen_at": [seen_at] * len(ms),
    }
    return pa.Table.from_pydict(columns, schema=_ARROW_SCHEMA)


_READ_COLUMNS = ", ".join(f"m.{c}" for c in _CONTENT) + ", m.is_deleted, m.deleted_by"
# The same columns with NULL for the payload: `raw` is most of a row's bytes.
_READ_COLUMNS_NO_RAW = _READ_COLUMNS.replace("m.raw,", "NULL AS raw,")


def _from_row(row: tuple[Any, ...]) -> Mention:
    (platform, native_id, url, handle, author_id, author_name, followers, text, created_at,
     collected_at, likes, reposts, replies, views, thread_id, parent_id, raw, lang, lang_by,
     sentiment, sentiment_score, sentiment_by, sentiment_explanation, keywords, keywords_by,
     care, care_by, story_id, story_by, reach, influence, is_vip, influence_by, is_deleted,
     deleted_by) = row  # fmt: skip
    return Mention(
        platform=platform,
        native_id=native_id,
        url=url,
        author=Author(
            platform=platform,
            handle=handle,
            native_id=author_id,
            name=author_name,
            followers=followers,
        ),
        text=text,
        created_at=created_at.replace(tzinfo=UTC),
        collected_at=collected_at.replace(tzinfo=UTC),
        likes=likes,
        reposts=reposts,
        replies=replies,
        views=views,
        thread_id=thread_id,
        parent_id=parent_id,
        raw=None if raw is None else msgspec.Raw(raw.encode()),
        lang=lang,
        lang_by=lang_by,
        sentiment=None if sentiment is None else Sentiment(sentiment),
        sentiment_score=sentiment_score,
        sentiment_by=sentiment_by,
        sentiment_explanation=list(sentiment_explanation or ()),
        keywords=list(keywords or ()),
        keywords_by=keywords_by,
        care=list(care or ()),
        care_by=care_by,
        story_id=story_id,
        story_by=story_by,
        reach=reach,
        influence=influence,
        is_vip=is_vip,
        influence_by=influence_by,
        is_deleted=is_deleted,
        deleted_by=None if deleted_by is None else DeletedBy(deleted_by),
    )


def _save_cursor(con: duckdb.DuckDBPyConnection, cursor: SavedCursor, now: datetime) -> None:
    con.execute(
        "INSERT INTO cursors VALUES (?, ?, ?) ON CONFLICT (source_key) DO UPDATE "
        "SET cursor = excluded.cursor, updated_at = excluded.updated_at",
        [cursor.source_key, orjson.dumps(cursor.cursor).decode(), now],
    )
