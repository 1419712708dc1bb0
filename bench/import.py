"""Import speed and memory: `ecoute import` against row-by-row inserts, in one run.

Generates N JSONL posts shaped like a listening tool's export, then:
  - baseline: json.loads + one INSERT per post into DuckDB, all in one
    transaction (what a first version would do), on the first BASELINE posts;
  - ours, each in a child process pinned to one core with one DuckDB thread,
    reporting posts/s and the child's peak RSS:
      1. `ecoute import --no-enrich` of the whole file (stored as heard, matched
         against a standing query): the bulk-load path;
      2. the same file again (idempotent re-import: everything unchanged);
      3. `ecoute enrich`: the stored posts understood afterwards;
      4. `ecoute import` with enrichment on, into a fresh workspace, on the
         first ENRICHED posts.

Usage: python bench/import.py [--posts 1000000] [--baseline 3000] [--enriched 100000]
       [--skip-enrich]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

WORDS_FR = (
    "livraison commande fleurs bouquet jamais reçu merci super nul service client "
    "remboursement délai magnifique rapide déçue colis"
).split()
WORDS_EN = (
    "delivery order flowers never arrived thanks great awful customer service refund late "
    "beautiful fast disappointed parcel"
).split()


def write_posts(path: Path, n: int, seed: int = 1) -> None:
    """Write `n` JSONL posts with realistic field sizes."""
    rng = random.Random(seed)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            words = WORDS_FR if rng.random() < 0.6 else WORDS_EN
            text = " ".join(rng.choice(words) for _ in range(rng.randint(6, 30)))
            if rng.random() < 0.3:
                text += " @Fleurissimo #fleurs"
            post = {
                "platform": rng.choice(("mastodon", "bluesky", "reddit", "twitter")),
                "id": str(10**15 + i),
                "text": text,
                "created_at": (start + timedelta(seconds=i * 2)).isoformat(),
                "author": f"user{rng.randint(1, n // 5 + 1)}",
                "author_followers": int(rng.paretovariate(1.2) * 50),
                "likes": rng.randint(0, 50),
                "reposts": rng.randint(0, 10),
                "url": f"https://example.social/@u/{10**15 + i}",
            }
            fh.write(json.dumps(post, ensure_ascii=False) + "\n")


def baseline(path: Path, limit: int, db: Path) -> float:
    """Row-by-row: parse each line and INSERT it on its own; return posts/s."""
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE m (platform VARCHAR, native_id VARCHAR, text VARCHAR, created_at TIMESTAMP,"
        " author VARCHAR, followers BIGINT, likes BIGINT, reposts BIGINT, url VARCHAR,"
        " PRIMARY KEY (platform, native_id))"
    )
    started = time.perf_counter()
    con.execute("BEGIN")
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n >= limit:
                break
            p = json.loads(line)
            con.execute(
                "INSERT INTO m VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [p["platform"], p["id"], p["text"], p["created_at"], p["author"],
                 p["author_followers"], p["likes"], p["reposts"], p["url"]],
            )  # fmt: skip
    con.execute("COMMIT")
    rate = limit / (time.perf_counter() - started)
    con.close()
    return rate


def run_ecoute(db: Path, *args: str) -> tuple[float, float, str]:
    """Run one `ecoute` command in a child on one core; return seconds, peak RSS in MB, output."""
    ecoute = Path(sys.executable).with_name("ecoute")
    cmd = [str(ecoute), "--db", str(db), *args]
    if hasattr(os, "sched_setaffinity"):
        cmd = ["taskset", "-c", "0", *cmd]
    # One core, one DuckDB thread; the fast sentiment tier (the accurate one labels
    # tens of posts per second and is measured by bench/sentiment.py).
    env = {**os.environ, "ECOUTE_THREADS": "1", "ECOUTE_STAGES": '{"sentiment": {"tier": "fast"}}'}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    out, errors = proc.stdout.read(), proc.stderr.read()
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{errors[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, " ".join(out.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=3_000)
    parser.add_argument("--enriched", type=int, default=100_000)
    parser.add_argument(
        "--skip-enrich", action="store_true", help="skip step 3 (a million posts take minutes)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "posts.jsonl"
        write_posts(data, args.posts)
        size = data.stat().st_size / 1e6
        machine = f"{platform.machine()} {os.cpu_count()} cores"
        print(
            f"machine: {machine}, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
        )
        print(f"data: {args.posts:,} posts, {size:,.0f} MB of JSONL")
        naive = baseline(data, min(args.baseline, args.posts), folder / "naive.duckdb")
        print(f"baseline (row-by-row INSERT, {args.baseline:,} posts): {naive:,.0f} posts/s")

        db = folder / "ours.duckdb"
        run_ecoute(db, "query", "add", "brand", "Fleurissimo")
        seconds, rss, summary = run_ecoute(db, "import", "--no-progress", "--no-enrich", str(data))
        rate = args.posts / seconds
        print(f"1. import --no-enrich: {rate:,.0f} posts/s ({seconds:.1f} s), "
              f"peak RSS {rss:,.0f} MB, {rate / naive:.1f}x the baseline")  # fmt: skip
        print(f"   {summary}")
        seconds, rss, summary = run_ecoute(db, "import", "--no-progress", "--no-enrich", str(data))
        print(f"2. re-import: {args.posts / seconds:,.0f} posts/s, peak RSS {rss:,.0f} MB")
        print(f"   {summary}")
        if not args.skip_enrich:
            seconds, rss, summary = run_ecoute(db, "enrich")
            print(f"3. enrich: {args.posts / seconds:,.0f} posts/s, peak RSS {rss:,.0f} MB")
            print(f"   {summary}")

        subset = folder / "subset.jsonl"
        with data.open("rb") as src, subset.open("wb") as dst:
            for n, line in enumerate(src):
                if n >= args.enriched:
                    break
                dst.write(line)
        fresh = folder / "enriched.duckdb"
        run_ecoute(fresh, "query", "add", "brand", "Fleurissimo")
        seconds, rss, summary = run_ecoute(fresh, "import", "--no-progress", str(subset))
        print(f"4. import with enrichment ({args.enriched:,} posts): "
              f"{args.enriched / seconds:,.0f} posts/s, peak RSS {rss:,.0f} MB")  # fmt: skip
        print(f"   {summary}")


if __name__ == "__main__":
    main()
