"""Import speed and memory: `ecoute import` against row-by-row inserts, in one run.

Generates N JSONL posts shaped like a listening tool's export, then:
  - baseline: json.loads + one INSERT per post into DuckDB (what a first
    version would do), on the first BASELINE posts;
  - ours: `ecoute import` of the whole file in a child process pinned to one
    core, with enrichment and query matching on, reporting posts/s and the
    child's peak RSS; then the same file again (idempotent re-import).

Usage: python bench/import.py [--posts 1000000] [--baseline 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
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
    rate = limit / (time.perf_counter() - started)
    con.close()
    return rate


def ours(path: Path, db: Path) -> tuple[float, float, str]:
    """Run `ecoute import` in a child on one core; return seconds, peak RSS in MB, summary."""
    ecoute = Path(sys.executable).with_name("ecoute")
    cmd = [str(ecoute), "--db", str(db), "import", "--no-progress", "--json", str(path)]
    if hasattr(os, "sched_setaffinity"):
        cmd = ["taskset", "-c", "0", *cmd]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024, done.stdout.strip().replace("\n", " ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "posts.jsonl"
        write_posts(data, args.posts)
        size = data.stat().st_size / 1e6
        machine = f"{platform.machine()} {os.cpu_count()} cores"
        print(f"machine: {machine}, Python {platform.python_version()}")
        print(f"data: {args.posts:,} posts, {size:,.0f} MB of JSONL")
        naive = baseline(data, min(args.baseline, args.posts), folder / "naive.duckdb")
        print(f"baseline (row-by-row INSERT, {args.baseline:,} posts): {naive:,.0f} posts/s")
        seconds, rss, summary = ours(data, folder / "ours.duckdb")
        rate = args.posts / seconds
        print(f"ecoute import (1 core, enrich + match): {rate:,.0f} posts/s, "
              f"{seconds:.1f} s, peak RSS {rss:,.0f} MB")  # fmt: skip
        print(f"  {summary}")
        print(f"ratio ours/baseline: {rate / naive:.1f}x")
        seconds, rss2, summary = ours(data, folder / "ours.duckdb")
        print(f"re-import of the same file: {args.posts / seconds:,.0f} posts/s, "
              f"peak RSS {rss2:,.0f} MB")  # fmt: skip
        print(f"  {summary}")


if __name__ == "__main__":
    main()
