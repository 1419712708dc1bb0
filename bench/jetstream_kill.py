"""SIGKILL in the middle of a Jetstream replay, then restart: each event is stored exactly once.

A local WebSocket server replays N Jetstream post events (built from the
recorded post's shape with distinct rkeys and times, the recorded non-post
events interleaved) and, like Jetstream, replays from the `cursor` a client
asks for. Then:
  1. `ecoute --db X source add bluesky-jetstream jet --set url=ws://127.0.0.1:PORT/subscribe`
  2. `ecoute --db X listen` in a child process (ECOUTE_ALLOW_PRIVATE_URLS=true), with
     the installed enrichment stages on, killed with SIGKILL KILL_AFTER seconds after
     the server sent its first event;
  3. the workspace is opened to count what survived the kill;
  4. `ecoute --db X listen --duration 15` again, as many times as it takes (the
     workspace is locked while listen runs, so it is counted between runs), and the
     workspace is checked: count(*) = count(DISTINCT native_id) = N posts, and every
     expected post is there.

Usage: python bench/jetstream_kill.py [--events 50000] [--kill-after 8]
Set ECOUTE_PLUGINS='["language","keywords"]' to run without a stage whose model is absent.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the fake servers live with the tests

from tests.sources.servers import FakeWebSocket, JetstreamReplay, jetstream_posts  # noqa: E402

SHARED = Path(os.environ.get("ECOUTE_SHARED", REPO.parent / "shared"))


@dataclass
class Result:
    events: int
    stored_at_kill: int
    rows: int
    distinct: int
    missing: int
    replayed: int  # events the server sent more than once (rewind and lost pages)
    first_run_s: float
    second_run_s: float


def _ecoute(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "ecoute", "--db", str(db), *args]


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(0.05)


def _counts(db: Path) -> tuple[int, int, set[str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows, distinct = con.execute(
            "SELECT count(*), count(DISTINCT native_id) FROM mentions WHERE platform = 'bluesky'"
        ).fetchone()
        ids = {r[0] for r in con.execute("SELECT native_id FROM mentions").fetchall()}
    return rows, distinct, ids


def run(events: int, kill_after: float, workdir: Path, *, timeout: float = 600.0) -> Result:
    """Replay `events` posts, SIGKILL `ecoute listen` `kill_after` s into the stream, restart."""
    lines = (SHARED / "fixtures/bluesky/jetstream_events_v1.jsonl").read_bytes().splitlines()
    template = next(line for line in lines if b'"app.bsky.feed.post"' in line)
    others = [line for line in lines if b'"app.bsky.feed.post"' not in line]
    posts = jetstream_posts(template, events)
    did = orjson.loads(template)["did"]
    expected = {f"at://{did}/app.bsky.feed.post/3zz{i:010d}" for i in range(events)}
    db = workdir / "kill.duckdb"
    env = {**os.environ, "ECOUTE_ALLOW_PRIVATE_URLS": "true"}
    replay = JetstreamReplay(posts + others)
    with FakeWebSocket(replay) as server:
        subprocess.run(
            _ecoute(db, "source", "add", "bluesky-jetstream", "jet",
                    "--set", f"url={server.url}/subscribe"),
            check=True, env=env, capture_output=True,
        )  # fmt: skip
        started = time.monotonic()
        with (workdir / "first.log").open("wb") as log:
            child = subprocess.Popen(_ecoute(db, "listen"), env=env, stdout=log, stderr=log)
            try:
                _wait(lambda: replay.sent > 0 or child.poll() is not None, timeout, "a client")
                time.sleep(kill_after)
                if child.poll() is not None:
                    raise RuntimeError(f"ecoute listen exited early; see {workdir}/first.log")
            finally:
                child.send_signal(signal.SIGKILL)
                child.wait()
        first_run = time.monotonic() - started
        stored_at_kill, _, _ = _counts(db)

        # The workspace is locked while `listen` runs, so it is read between runs:
        # listen for a while, stop (Ctrl-C is what --duration does), count, again.
        started, rows = time.monotonic(), stored_at_kill
        while rows < events and time.monotonic() - started < timeout:
            with (workdir / "second.log").open("ab") as log:
                subprocess.run(_ecoute(db, "listen", "--duration", "15"), env=env,
                               stdout=log, stderr=log, check=True)  # fmt: skip
            before, (rows, _, _) = rows, _counts(db)
            if rows == before:
                break  # no progress: the check below reports what is missing
        second_run = time.monotonic() - started
    rows, distinct, ids = _counts(db)
    return Result(
        events=events, stored_at_kill=stored_at_kill, rows=rows, distinct=distinct,
        missing=len(expected - ids), replayed=replay.sent - len(posts) - len(others),
        first_run_s=first_run, second_run_s=second_run,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument(
        "--kill-after", type=float, default=8.0, help="seconds after the first event is sent"
    )
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.system()} {platform.release()}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        r = run(args.events, args.kill_after, Path(tmp))
    ok = r.rows == r.distinct == r.events and r.missing == 0
    print(f"events replayed: {r.events:,} posts (+ recorded non-post events)")
    print(f"first run: SIGKILL after {r.first_run_s:.1f} s with {r.stored_at_kill:,} posts stored")
    print(f"restarted: all stored after {r.second_run_s:.1f} s; events sent again "
          f"(rewinds, pages lost to the kill, dropped buffers): {r.replayed:,}")  # fmt: skip
    print(f"stored: count(*) = {r.rows:,}, count(DISTINCT) = {r.distinct:,}, "
          f"missing = {r.missing:,}: {'OK' if ok else 'FAILED'}")  # fmt: skip
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
