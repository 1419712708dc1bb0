"""Crisis detection on generated scenarios, ours against a fixed threshold, and alert latency.

Part 1 generates brands' traffic at several volumes with four labelled crises each
(sudden, slow burn, weekend, influencer), enriches it with the installed stages,
and replays it in simulated time through our detector (default rules) and through
a fixed-threshold detector (an hour holding more than twice the brand's average
hour, mentions or negative mentions), with the same grouping and cooldown.
It prints recall, precision and median detection delay of both.

Part 2 measures, on loopback, the time from `Pipeline.ingest` of a triggering post
to the signed webhook received by a local HTTP server, through the DuckDB store,
the alerts plugin, the outbox and the delivery thread: p50, p99 and max.

    python bench/alerts.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from ecoute.alerts.backtest import backtest, load_mentions
from ecoute.alerts.baseline import NEGATIVE, TOTAL, minute_index
from ecoute.alerts.detector import Detector, QueryState, Trigger
from ecoute.alerts.monitor import MonitorOptions
from ecoute.alerts.plugin import AlertsPlugin
from ecoute.alerts.rules import Rule, SpikeParams, compile_rules
from ecoute.alerts.scenarios import BRANDS, Verdict, generate, judge, write
from ecoute.hookspecs import plugin_manager
from ecoute.model import Author, Mention, Query, Sentiment
from ecoute.pipeline import Pipeline, default_stages
from ecoute.sources.base import Page
from ecoute.store.alerts import AlertChannel, AlertRule
from ecoute.store.duckdb import DuckDBStore

RATES = (2, 3, 5, 8, 12, 18, 25, 35, 50, 70)  # average mentions an hour, one brand each


class FixedThreshold(Detector):
    """The usual tool: alert when the last hour holds more than `factor` average hours."""

    def __init__(
        self, rules: list[Rule], averages: dict[str, tuple[float, float]], factor: float = 2.0
    ) -> None:
        super().__init__(rules)
        self.averages = averages
        self.factor = factor

    def _spike(self, rule: Rule, query: str, state: QueryState, now: datetime) -> Trigger | None:
        p: SpikeParams = rule.params
        series = NEGATIVE if rule.kind == "negative" else TOTAL
        end = minute_index(now - timedelta(microseconds=1)) + 1
        observed = state.counts(end, (60,))[60][series]
        threshold = max(p.min_count, self.factor * self.averages.get(query, (0.0, 0.0))[series])
        if observed < threshold:
            return None
        return Trigger(
            rule.name,
            rule.kind,
            query,
            observed,
            threshold,
            observed / threshold,
            "warning",
            60,
            [],
        )


def averages_of(mentions: list[Mention], since: datetime, until: datetime) -> tuple[float, float]:
    """Average mentions and negative mentions an hour over the warm-up."""
    hours = (until - since).total_seconds() / 3600
    seen = [m for m in mentions if since <= m.created_at < until]
    negative = sum(1 for m in seen if m.sentiment == "negative")
    return len(seen) / hours, negative / hours


def detection(quick: bool) -> None:
    rates = RATES[::3] if quick else RATES
    stages = default_stages()
    # Two readings of the same traffic: the installed sentiment stage's labels, and the
    # sentiment each post was written with, which tells the detector's share of the errors.
    runs = {"stage": (Verdict(), Verdict()), "written": (Verdict(), Verdict())}
    mentions_total = 0
    replay_seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for i, rate in enumerate(rates):
            scenario = generate(100 + i, brand=BRANDS[i % len(BRANDS)], rate=rate)
            path = Path(tmp) / f"scenario{i}.jsonl"
            write([scenario], path)
            mentions = load_mentions(path, stages, [scenario.query])
            mentions_total += len(mentions)
            for labels, (ours, fixed) in runs.items():
                if labels == "written":
                    for m in mentions:
                        m.sentiment = Sentiment(scenario.written[m.native_id])
                started = time.perf_counter()
                raised = backtest(mentions, Detector(compile_rules([])))
                replay_seconds += time.perf_counter() - started
                verdict = judge(
                    [(r.at, r.query, r.kind) for r in raised], scenario.crises, scenario.warmup_end
                )
                ours += verdict
                averages = {
                    scenario.query.name: averages_of(mentions, scenario.start, scenario.warmup_end)
                }
                baseline = backtest(mentions, FixedThreshold(compile_rules([]), averages))
                fixed += judge(
                    [(r.at, r.query, r.kind) for r in baseline],
                    scenario.crises,
                    scenario.warmup_end,
                )
                print(
                    f"  rate {rate:>3}/h, {labels} sentiment: {len(mentions):>6} mentions, "
                    f"{verdict.detected}/{verdict.crises} crises in {verdict.alerts} alerts, "
                    f"delays (min) {[round(d) for d in verdict.delays]}",
                    flush=True,
                )
    print(
        f"{2 * mentions_total:,} mentions replayed by our detector in {replay_seconds:.1f} s "
        f"({2 * mentions_total / replay_seconds:,.0f} mentions/s)"
    )
    print(
        f"{'detector':<16}{'sentiment':<10}{'recall':>8}{'precision':>11}{'median delay':>14}"
        f"{'alerts':>8}"
    )
    for labels, (ours, fixed) in runs.items():
        for name, v in (("fixed threshold", fixed), ("ours", ours)):
            delay = f"{statistics.median(v.delays):.1f} min" if v.delays else "-"
            print(
                f"{name:<16}{labels:<10}{v.recall:>8.2f}{v.precision:>11.2f}{delay:>14}"
                f"{v.alerts:>8}"
            )
        print(
            f"  ours ({labels}) by shape, detected/crises: "
            + ", ".join(f"{s} {d}/{n}" for s, (n, d) in sorted(ours.by_shape.items()))
        )
        print(
            f"  ours ({labels}) median delay by shape (min): "
            + ", ".join(
                f"{s} {statistics.median(d):.1f}" for s, d in sorted(ours.shape_delays.items())
            )
        )


class _Receiver(BaseHTTPRequestHandler):
    arrivals: ClassVar[dict[str, float]] = {}
    got = threading.Condition()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        at = time.perf_counter()
        query = body.split(b'"query":"', 1)[1].split(b'"', 1)[0].decode()
        with self.got:
            self.arrivals.setdefault(query, at)
            self.got.notify_all()
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def latency(quick: bool) -> None:
    count = 50 if quick else 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    with tempfile.TemporaryDirectory() as tmp:
        store = DuckDBStore(Path(tmp) / "bench.duckdb")
        queries = [Query(name=f"marque{i}", expr=f"Marque{i}") for i in range(count)]
        for q in queries:
            store.save_query(q)
        store.save_alert_rule(
            AlertRule(
                name="words", kind="keyword", params={"min_authors": 1, "terms": ["boycott*"]}
            )
        )
        store.save_alert_channel(
            AlertChannel(
                name="hook",
                kind="webhook",
                config={"url": url, "secret": "s3cret"},
                routing={"lang": "fr"},
            )
        )
        plugin = AlertsPlugin(MonitorOptions(allow_private=True))
        hooks = plugin_manager(load_entry_points=False)
        hooks.register(plugin)
        pipeline = Pipeline(store, default_stages(), hooks=hooks)
        delays = []
        for i, q in enumerate(queries):
            at = datetime.now(UTC)
            post = Mention(
                platform="mastodon",
                native_id=f"t{i}",
                created_at=at,
                collected_at=at,
                text=f"#boycott Marque{i} : colis jamais livré, remboursez-moi",
                author=Author(platform="mastodon", handle=f"client{i}", followers=40),
            )
            started = time.perf_counter()
            pipeline.ingest(Page(mentions=[post], cursor=None))
            with _Receiver.got:
                _Receiver.got.wait_for(lambda q=q: q.name in _Receiver.arrivals, timeout=10)
            arrived = _Receiver.arrivals.get(q.name)
            delays.append(float("inf") if arrived is None else arrived - started)
        plugin.close()
        store.close()
    server.shutdown()
    first = delays[0]
    delays.sort()
    p99 = delays[min(len(delays) - 1, round(0.99 * len(delays)) - 1)]
    print(
        f"ingest -> signed webhook on loopback, {count} alerts: p50 "
        f"{statistics.median(delays) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"max {delays[-1] * 1000:.1f} ms (the first, which starts the monitor: "
        f"{first * 1000:.1f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer scenarios and alerts")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, {platform.system()} {platform.release()}"
    )
    print("crisis detection on generated scenarios (28 days each, crises in the last 14):")
    detection(args.quick)
    latency(args.quick)


if __name__ == "__main__":
    main()
