"""End to end on loopback: the pipeline stores a batch, the hook raises, the webhook arrives."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import duckdb

from ecoute.alerts.monitor import Monitor, MonitorOptions
from ecoute.alerts.plugin import AlertsPlugin
from ecoute.alerts.views import alert_detail, delivery_problems, recent_alerts
from ecoute.hookspecs import plugin_manager
from ecoute.model import Author, Mention, Query, now
from ecoute.pipeline import Pipeline
from ecoute.sources.base import Page
from ecoute.store.alerts import AlertChannel, AlertRule
from tests.alerts.conftest import Clock
from tests.alerts.traffic import complaint, everyday


def test_ingested_crisis_words_reach_the_webhook(alert_store, receiver):
    alert_store.save_query(Query(name="fleurimaud", expr="Fleurimaud"))
    alert_store.save_alert_rule(AlertRule(name="words", kind="keyword", params={"min_authors": 2}))
    alert_store.save_alert_channel(
        AlertChannel(name="hook", kind="webhook", config={"url": receiver.url, "secret": "k"})
    )
    plugin = AlertsPlugin(MonitorOptions(allow_private=True, link_base="https://ecoute.example"))
    hooks = plugin_manager(load_entry_points=False)
    hooks.register(plugin)
    pipeline = Pipeline(alert_store, [], hooks=hooks)  # tagged by the queries, no stages needed
    at = now()
    posts = [
        Mention(
            platform="bluesky",
            native_id=str(i),
            created_at=at,
            collected_at=at,
            text=f"Fleurimaud : quelle arnaque, remboursez-moi ! ({i})",
            author=Author(platform="bluesky", handle=f"client{i}"),
        )
        for i in range(2)
    ]
    try:
        pipeline.ingest(Page(mentions=posts, cursor=None))
        (got,) = receiver.wait(1)
    finally:
        plugin.close()
    alert = json.loads(got.body)["alert"]
    assert (alert["query"], alert["kind"], alert["observed"]) == ("fleurimaud", "keyword", 2)
    assert alert["explanation"]["link"].startswith("https://ecoute.example/?query=fleurimaud")
    (shown,) = recent_alerts(alert_store, lang="en")
    assert shown.title == "Alert Écoute: crisis words « fleurimaud »"
    assert "2 authors in 60 min say: arnaqu" in shown.lines[0]
    assert alert_detail(alert_store, shown.id, "fr").kind_label == "mots de crise"
    assert delivery_problems(alert_store) == []


def test_restart_rebuilds_the_baseline_and_keeps_the_open_alert(alert_store):
    start = now().replace(minute=0, second=0, microsecond=0) - timedelta(days=5)
    alert_store.upsert(everyday(start, 5 * 24, rate=10))
    clock = Clock(start + timedelta(days=5))
    options = MonitorOptions()
    first = Monitor(alert_store, options=options, clock=clock, start_worker=False)
    first_complaint = complaint(10**7, clock(), followers=400_000)
    alert_store.upsert([first_complaint])
    first.handle([first_complaint])
    (opened,) = alert_store.list_alerts()
    baseline = first.detector.states["fleurimaud"].baseline
    expected = baseline.expected_hour(baseline.first_hour + 5 * 24, 0)
    first.close()

    clock.advance(minutes=10)
    again = Monitor(alert_store, options=options, clock=clock, start_worker=False)
    another = complaint(10**7 + 1, clock(), followers=500_000)
    alert_store.upsert([another])
    again.handle([another])
    rebuilt = again.detector.states["fleurimaud"].baseline
    assert rebuilt.expected_hour(rebuilt.first_hour + 5 * 24, 0) == expected
    (still,) = alert_store.list_alerts()  # the same alert, updated, not a second one
    assert still.id == opened.id and still.updates == 1
    again.close()


def test_the_delivery_thread_leaves_no_transaction_open_between_batches(alert_store):
    # The monitor's delivery thread reads the outbox on its own connection; a read left
    # unfinished there kept a transaction open, DuckDB then skipped every automatic
    # checkpoint and a long import held its whole WAL in memory (2.4 GB for 1M posts).
    alert_store.save_query(Query(name="fleurimaud", expr="Fleurimaud"))
    plugin = AlertsPlugin(MonitorOptions(allow_private=True))
    hooks = plugin_manager(load_entry_points=False)
    hooks.register(plugin)
    pipeline = Pipeline(alert_store, [], hooks=hooks)
    at = now()
    try:
        for batch in range(2):
            post = Mention(
                platform="bluesky",
                native_id=str(batch),
                created_at=at,
                collected_at=at,
                text="Fleurimaud, livraison parfaite",
                author=Author(platform="bluesky", handle="cliente"),
            )
            pipeline.ingest(Page(mentions=[post], cursor=None))
        # The worker's pass ends in next_delivery_at, then it waits: CHECKPOINT (on
        # yet another connection) is refused while a transaction is left open there.
        deadline = time.monotonic() + 3
        while True:
            try:
                alert_store._con.execute("CHECKPOINT")
                break
            except duckdb.TransactionException:
                assert time.monotonic() < deadline, "a transaction stays open"
                time.sleep(0.05)
    finally:
        plugin.close()
