"""`Measure` in one SQL statement on the DuckDB store, until the store answers it itself.

This is the SQL the store owner is asked to move behind a ``Store.measure``
method (docs/web.md, "What the store is asked for"); it reuses the store's own
filter translation so both read exactly the same mentions.
"""

from __future__ import annotations

from typing import Any

from ecoute.analytics.measures import MEASURES, Measure
from ecoute.store.base import Store, Table

_DIMENSION_SQL = {
    "platform": "m.platform",
    "lang": "m.lang",
    "sentiment": "m.sentiment",
    "query": "mq.query",
    "day": "date_trunc('day', m.created_at)",
    "hour": "date_trunc('hour', m.created_at)",
    "author": "m.platform || ':' || m.author_handle",
    "keyword": "k.keyword",
}
_MEASURE_SQL = (
    "count(*)",
    "coalesce(sum(coalesce(m.reach, m.author_followers, 0)), 0)",
    "coalesce(sum(coalesce(m.likes, 0) + coalesce(m.reposts, 0) + coalesce(m.replies, 0)), 0)",
    "count(*) FILTER (WHERE m.sentiment = 'negative')",
    "count(*) FILTER (WHERE m.sentiment = 'neutral')",
    "count(*) FILTER (WHERE m.sentiment = 'positive')",
)
_AUTHOR_SQL = ("arg_max(m.author_name, m.created_at)", "max(m.author_followers)")


def serves(store: Store) -> bool:
    """Whether `store` is the DuckDB store this module reads."""
    from ecoute.store.duckdb import DuckDBStore

    return isinstance(store, DuckDBStore)


def measure(store: Any, spec: Measure) -> Table:
    """Run `spec` as one grouped query."""
    from ecoute.store.duckdb import _where

    sql, params = _where(spec.where)
    joins = ""
    if "query" in spec.by:
        joins += " JOIN mention_queries mq USING (platform, native_id)"
    if "keyword" in spec.by:
        # DISTINCT: a keyword listed twice in one post counts once, as in the scan.
        joins += " CROSS JOIN (SELECT DISTINCT unnest(m.keywords) AS keyword) AS k"
    select = [f"{_DIMENSION_SQL[d]} AS {d}" for d in spec.by]
    select += [f"{expr} AS {name}" for expr, name in zip(_MEASURE_SQL, MEASURES, strict=True)]
    if "author" in spec.by:
        pairs = zip(_AUTHOR_SQL, ("name", "followers"), strict=True)
        select += [f"{expr} AS {name}" for expr, name in pairs]
    text = f"SELECT {', '.join(select)} FROM mentions m{joins} WHERE {sql}"
    if spec.by:
        text += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(spec.by)))
        # Ties broken by the group's values, NULLs last, as in the scan.
        keys = ", ".join(f"{i + 1} ASC NULLS LAST" for i in range(len(spec.by)))
        text += f" ORDER BY {spec.order} DESC, {keys}"
    if spec.limit is not None:
        text += f" LIMIT {int(spec.limit)}"
    rows = store.sql(text, params)
    return Table(columns=spec.columns(), rows=[tuple(r) for r in rows])
