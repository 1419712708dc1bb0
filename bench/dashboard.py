"""Dashboard speed: every API read at N mentions, from the rollups and by a plain scan, in one run.

Generates N mentions over a year straight into a DuckDB workspace with SQL
(vectorised: authors drawn from a skewed distribution, French and English words,
keywords, six saved queries tagged by what the text names, sentiment, reach and
engagement), then lets the store build its rollups with the same code that keeps
them on every write (``DuckDBStore.rebuild_rollups``). Each dashboard API call
goes through the FastAPI app (TestClient) with varied periods and filters:

  - ours: the store's ``measure`` reading whole hours and days from the rollups;
  - baseline: the same calls with the rollups switched off, so every measure is
    one grouped SQL scan of the mentions (what the app did before).

Prints p50/p95 in ms per endpoint for both, the ratio, the 1-minute load average
while each ran (the machine is shared: compare ratios, not absolute times), and
the machine. Usage:

    python bench/dashboard.py [--mentions 1000000] [--calls 10] [--db kept.duckdb] [--no-scan]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from ecoute.model import Query, QueryKind
from ecoute.store import _duckdb_measures
from ecoute.store.duckdb import DuckDBStore
from ecoute.web.app import create_app

END = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 365
BRANDS = [
    ("acme", QueryKind.BRAND, "flowers"),
    ("florette", QueryKind.COMPETITOR, "flowers"),
    ("bouquetly", QueryKind.COMPETITOR, "flowers"),
    ("velo", QueryKind.BRAND, "bikes"),
    ("roule", QueryKind.COMPETITOR, "bikes"),
    ("livraison", QueryKind.TOPIC, None),
]
WORDS = (
    "livraison commande fleurs bouquet jamais reçu merci super nul service client remboursement "
    "délai magnifique rapide déçue colis delivery order flowers never arrived thanks great awful "
    "customer refund late beautiful fast disappointed parcel #promo #fail #love vélo roue selle "
    "magasin boutique prix cher pascher qualité retard annulé paris lyon marseille weekend"
).split()

GENERATE = """
CREATE TEMP TABLE gen AS
SELECT i,
    ['bluesky', 'mastodon', 'reddit', 'rss', 'x'][1 + floor(pow(random(), 1.5) * 5)::INT]
        AS platform,
    'u' || floor(pow(random(), 3) * $authors)::BIGINT AS handle,
    $end - to_microseconds(floor(random() * $span)::BIGINT) AS created_at,
    [w[1 + floor(random() * len(w))::INT] FOR x IN range(8)] AS words,
    CASE WHEN random() < 0.45 THEN [b[1 + floor(pow(random(), 2) * len(b))::INT]] ELSE [] END
        AS brand,
    random() AS r
FROM range($n) t(i), (SELECT $words AS w, $brands AS b)
"""

INSERT = """
INSERT INTO mentions
    (platform, native_id, url, author_handle, author_id, author_name, author_followers, text,
     created_at, collected_at, likes, reposts, replies, views, lang, lang_by, sentiment,
     sentiment_score, sentiment_by, keywords, keywords_by, reach, content_hash, first_seen_at)
SELECT platform, i::VARCHAR, 'https://example.org/p/' || i, handle, handle, upper(handle),
    (hash(handle) % 100000)::BIGINT, array_to_string(brand || words, ' '), created_at,
    created_at + INTERVAL 5 MINUTE, floor(r * 40)::BIGINT, floor(r * 7)::BIGINT,
    floor(r * 3)::BIGINT, NULL,
    CASE WHEN r < 0.55 THEN 'fr' WHEN r < 0.9 THEN 'en' WHEN r < 0.95 THEN 'es' END, 'bench',
    CASE WHEN (r * 1000) % 1 < 0.25 THEN 'negative' WHEN (r * 1000) % 1 < 0.7 THEN 'neutral'
         WHEN (r * 1000) % 1 < 0.95 THEN 'positive' END,
    (r * 1000) % 1, 'bench', list_distinct(words[1:3]), 'bench',
    CASE WHEN r < 0.1 THEN floor(r * 1e6)::BIGINT END, hash(i), created_at
FROM gen ORDER BY created_at
"""


def generate(store: DuckDBStore, n: int) -> float:
    """Fill `store` with `n` mentions and their query tags; return the seconds it took."""
    started = time.perf_counter()
    for name, kind, group in BRANDS:
        store.save_query(Query(name=name, expr=name, kind=kind, group=group))
    con = store._cursor()  # the bench writes around upsert on purpose: 10M posts in SQL
    con.execute(
        GENERATE,
        {
            "n": n,
            "authors": max(n // 20, 10),
            "end": END.replace(tzinfo=None),
            "span": DAYS * 86_400 * 1_000_000,
            "words": WORDS,
            "brands": [b for b, _, _ in BRANDS],
        },
    )
    con.execute(INSERT)
    con.execute(
        "INSERT INTO mention_queries (platform, native_id, query, created_at) "
        "SELECT platform, i::VARCHAR, brand[1], created_at FROM gen "
        "WHERE len(brand) > 0 ORDER BY created_at"
    )
    con.execute(
        "INSERT INTO authors SELECT platform, handle, handle, upper(handle), "
        "(hash(handle) % 100000)::BIGINT, max(created_at), hash(platform, handle) "
        "FROM gen GROUP BY ALL"
    )
    con.execute("DROP TABLE gen")
    con.execute("CHECKPOINT")
    return time.perf_counter() - started


def calls(count: int, seed: int) -> list[tuple[str, dict[str, str]]]:
    """Dashboard reads with periods and filters drawn as a person would use them."""
    rng = random.Random(seed)
    periods = [timedelta(days=1), timedelta(days=7), timedelta(days=30), timedelta(days=90), None]
    out = []
    for _ in range(count):
        params: dict[str, str] = {}
        span = rng.choice(periods)
        if span is not None:
            # A period ending now, or a past one ending at an odd minute.
            until = END - rng.choice([timedelta(0), timedelta(days=rng.randrange(200), minutes=7)])
            params["since"] = (until - span).isoformat()
            params["until"] = until.isoformat()
        if rng.random() < 0.3:
            params["query"] = rng.choice(BRANDS)[0]
        if rng.random() < 0.2:
            params["platform"] = rng.choice(["bluesky", "mastodon", "reddit"])
        if rng.random() < 0.15:
            params["sentiment"] = rng.choice(["negative", "positive"])
        out.append(("", params))
    return out


ENDPOINTS: list[tuple[str, dict[str, str]]] = [
    ("/api/headline", {}),
    ("/api/stats", {}),
    ("/api/timeseries", {}),
    ("/api/share-of-voice", {}),
    ("/api/authors", {"ranking": "influencers"}),
    ("/api/authors", {"ranking": "fans"}),
    ("/api/authors", {"ranking": "detractors"}),
    ("/api/topics", {}),
    ("/api/platforms", {}),
    ("/api/queries", {}),
    ("/api/mentions", {}),
    ("/api/mentions", {"q": "remboursement"}),
    ("/api/mentions", {"match": "acme AND (livraison OR delivery) NOT merci"}),
]


def run(client: TestClient, count: int, seed: int) -> dict[str, tuple[float, float, float]]:
    """Call every endpoint `count` times; return p50, p95 (ms) and the load average per label."""
    results = {}
    for path, extra in ENDPOINTS:
        label = path + "".join(f" {k}={v}" for k, v in extra.items() if k != "match")
        label += " match=…" if "match" in extra else ""
        times = []
        drawn = calls(count, seed)
        client.get(path, params={**drawn[0][1], **extra})  # warm the caches, not timed
        for _, params in drawn:
            if path == "/api/timeseries" and "since" not in params:
                params = {**params, "bucket": "week"}
            started = time.perf_counter()
            response = client.get(path, params={**params, **extra})
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path} {params}: {response.status_code} {response.text[:300]}")
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        results[label] = (statistics.median(times), p95, os.getloadavg()[0])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=10, help="calls per endpoint, each way")
    parser.add_argument("--db", type=Path, help="keep the workspace here (reused if it exists)")
    parser.add_argument(
        "--no-scan", action="store_true", help="skip the baseline (every measure a scan)"
    )
    args = parser.parse_args()

    folder = tempfile.TemporaryDirectory()
    path = args.db or Path(folder.name) / "bench.duckdb"
    fresh = not path.exists()
    store = DuckDBStore(path)
    if fresh:
        seconds = generate(store, args.mentions)
        print(f"generated {args.mentions:,} mentions in {seconds:.1f} s")
        started = time.perf_counter()
        store.rebuild_rollups()
        print(f"built the rollups in {time.perf_counter() - started:.1f} s")
    sizes = {
        t: store.sql(f"SELECT count(*) FROM {t}")[0][0]
        for t in (
            "mentions",
            "rollup_hourly",
            "rollup_daily",
            "rollup_author_daily",
            "rollup_author_monthly",
            "rollup_keyword_daily",
            "rollup_keyword_monthly",
            "rollup_author_total",
        )
    }
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in sizes.items()))
    client = TestClient(create_app(store, clock=lambda: END), base_url="http://127.0.0.1")

    ours = run(client, args.calls, seed=1)
    scan = {}
    if not args.no_scan:
        choose, totals = _duckdb_measures._rollup_for, _duckdb_measures._totals_answer
        # Every measure scans the mentions.
        _duckdb_measures._rollup_for = lambda spec: None
        _duckdb_measures._totals_answer = lambda spec: False
        try:
            scan = run(client, args.calls, seed=1)
        finally:
            _duckdb_measures._rollup_for, _duckdb_measures._totals_answer = choose, totals
    store.close()

    print(
        f"\n{sizes['mentions']:,} mentions; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    print(f"{'endpoint':48} {'p50':>7} {'p95':>7} {'load':>5} | {'scan p50':>8} {'p95':>7} "
          f"{'load':>5} | {'p95 ratio':>9}")  # fmt: skip
    for label, (p50, p95, load) in ours.items():
        s50, s95, sload = scan.get(label, (float("nan"),) * 3)
        print(
            f"{label:48} {p50:7.0f} {p95:7.0f} {load:5.1f} | {s50:8.0f} {s95:7.0f} {sload:5.1f} "
            f"| {s95 / p95:8.1f}x"
        )


if __name__ == "__main__":
    main()
