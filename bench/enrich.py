"""The fast enrichment chain, stage by stage and end to end, against a naive baseline, in one run.

Usage: taskset -c 0 python bench/enrich.py [--shared ../shared] [--posts 20000]

Posts are the shared French and English tweets (train and val splits), each given an
author with a follower count and some engagement, repeated to `--posts`; one post in
ten is a retweet-style copy of an earlier one so the near-duplicate stage has work.
The naive baseline handles one post at a time with a packaged lexicon (VADER) and a
language detector (py3langid), as a first integration would.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from pathlib import Path

from ecoute.enrich.base import enrich
from ecoute.enrich.chain import default_stages
from ecoute.enrich.training import read_labelled
from ecoute.model import Author, Mention, now

REPO = Path(__file__).resolve().parents[1]
BATCH = 1000


def posts(data: Path, count: int) -> list[Mention]:
    texts = [e.text for lang in ("fr", "en") for split in ("train", "val")
             for e in read_labelled(data / f"{lang}/{split}.tsv")]  # fmt: skip
    rng = random.Random(7)
    moment = now()
    out = []
    for i in range(count):
        text = texts[i % len(texts)]
        if i % 10 == 9:
            text = f"RT @someone: {out[rng.randrange(len(out))].text}"
        followers = int(10 ** rng.uniform(0, 6))
        author = Author(platform="bench", handle=f"u{i % 5000}", followers=followers)
        out.append(
            Mention(platform="bench", native_id=str(i), text=text, created_at=moment,
                    collected_at=moment, author=author, likes=rng.randrange(50),
                    reposts=rng.randrange(10))
        )  # fmt: skip
    return out


def naive(mentions: list[Mention]) -> float:
    import py3langid
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    py3langid.classify("warm up")
    started = time.perf_counter()
    for m in mentions:
        m.lang = py3langid.classify(m.text)[0]
        m.sentiment_score = analyzer.polarity_scores(m.text)["compound"]
    return len(mentions) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--posts", type=int, default=20_000)
    args = parser.parse_args()
    data = args.shared / "data/sentiment"
    cpu = platform.processor() or platform.machine()
    cores = len(os.sched_getaffinity(0))
    version = platform.python_version()
    print(f"machine: {cpu}, {os.cpu_count()} cores, running on {cores}; python {version}")
    stages = default_stages("fast")
    enrich(posts(data, BATCH), stages)  # load models and warm caches outside the clock
    mentions = posts(data, args.posts)
    batches = [mentions[i : i + BATCH] for i in range(0, len(mentions), BATCH)]
    spent = dict.fromkeys((s.name for s in stages), 0.0)
    started = time.perf_counter()
    for batch in batches:
        for stage in stages:
            t = time.perf_counter()
            stage.apply(batch)
            spent[stage.name] += time.perf_counter() - t
    total = time.perf_counter() - started
    n = len(mentions)
    print(f"{n:,} posts in batches of {BATCH}")
    for name, seconds in spent.items():
        print(f"  stage {name:<12} {n / seconds:>10,.0f} posts/s")
    ours = n / total
    print(f"  ecoute fast chain    {ours:>10,.0f} posts/s (6 stages end to end)")
    stories = len({m.story_id for m in mentions})
    print(f"  {stories:,} stories for {n:,} posts")
    base = naive(posts(data, min(n, 5000)))
    print(f"  naive baseline       {base:>10,.0f} posts/s (py3langid + VADER, one post at a time)")
    print(f"  ratio                {ours / base:>10.1f} x")


if __name__ == "__main__":
    main()
