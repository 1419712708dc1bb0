"""The live monitor of one workspace: detect on each stored batch, record, route, deliver.

`handle` runs in the ingest thread (the ``mentions_stored`` hook), so it only
counts, tests and writes the alert with its deliveries in one transaction;
sending is the delivery worker's job. The detector's memory is rebuilt from
the store when the monitor starts and every few hours (hourly counts of four
weeks, minute counts of the last hours, the open alerts), so a restart keeps
the baseline and a crisis in progress stays one alert.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ecoute.alerts.baseline import HISTORY_DAYS
from ecoute.alerts.channels import ChannelError, Routing, read_routing
from ecoute.alerts.delivery import DeliveryWorker, RetryPolicy, payload_of
from ecoute.alerts.detector import Detector, Event, Incident
from ecoute.alerts.rules import RuleError, compile_rule, compile_rules
from ecoute.model import Mention, utc
from ecoute.model import now as utc_now
from ecoute.store.alerts import AlertRecord, AlertStore, Delivery
from ecoute.store.base import Aggregate, Filter, Store

log = logging.getLogger(__name__)

NOTIFIED = ("opened", "escalated", "reopened", "resolved")
RELOAD_EVERY = timedelta(seconds=30)
REBUILD_EVERY = timedelta(hours=6)
RECENT_LIMIT = 200_000
DIGEST_LIMIT = 50


@dataclass(frozen=True, slots=True)
class MonitorOptions:
    """How a workspace's monitor behaves; the defaults suit production."""

    link_base: str = ""  # the web app's public address, for links in messages
    allow_private: bool = False
    resolve_after: timedelta = timedelta(minutes=90)
    cooldown: timedelta = timedelta(hours=3)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    poll: float = 30.0


class Monitor:
    """Watches one workspace: its rules, its detector, its outbox and delivery worker."""

    def __init__(
        self,
        store: Any,
        *,
        options: MonitorOptions | None = None,
        clock: Callable[[], datetime] = utc_now,
        start_worker: bool = True,
    ) -> None:
        if not isinstance(store, AlertStore):
            raise TypeError(f"{type(store).__name__} cannot keep alerts (no AlertStore methods)")
        self.store: Any = store
        self.options = options or MonitorOptions()
        self.clock = clock
        self._lock = threading.RLock()
        self.detector: Detector | None = None
        self.routes: dict[str, Routing] = {}
        self._reloaded_at: datetime | None = None
        self._rebuilt_at: datetime | None = None
        self.worker = DeliveryWorker(
            store,
            allow_private=self.options.allow_private,
            clock=clock,
            retry=self.options.retry,
            poll=self.options.poll,
            on_tick=self.tick,
        )
        if start_worker:
            self.worker.start()

    def close(self) -> None:
        """Stop the delivery worker; undelivered messages stay in the outbox."""
        self.worker.stop()

    # -- the hook ----------------------------------------------------------------------
    def handle(self, mentions: list[Mention]) -> list[Event]:
        """Count a stored batch, record what it raised, and wake the worker if needed."""
        with self._lock:
            now = self.clock()
            mentions = _relevant(mentions, now)
            detector = self._ready(now, mentions)
            events = detector.observe(mentions, now)
            queued = self._record(events, now)
        if queued:
            self.worker.wake()
        return events

    def tick(self) -> None:
        """Let time pass without mentions: resolve quiet alerts, send due digests."""
        with self._lock:
            now = self.clock()
            if self.detector is not None:
                self._record(self.detector.advance(now), now)
            self._reload(now)
            self.enqueue_digests(now)

    # -- state -------------------------------------------------------------------------
    def _ready(self, now: datetime, batch: Sequence[Mention]) -> Detector:
        self._reload(now)
        if (
            self.detector is None
            or self._rebuilt_at is None
            or now - self._rebuilt_at >= REBUILD_EVERY
        ):
            self.rebuild(now, batch)
        assert self.detector is not None
        return self.detector

    def _reload(self, now: datetime, *, force: bool = False) -> None:
        if not force and self._reloaded_at and now - self._reloaded_at < RELOAD_EVERY:
            return
        self._reloaded_at = now
        stored_rules = self.store.list_alert_rules()
        rules = [] if stored_rules else compile_rules([])
        for stored in stored_rules:
            if not stored.enabled:
                continue
            try:
                rules.append(compile_rule(stored))
            except RuleError as exc:
                log.error("skipping alert rule %s: %s", stored.name, exc)
        routes = {}
        for channel in self.store.list_alert_channels():
            if not channel.enabled:
                continue
            try:
                routes[channel.name] = read_routing(channel.routing)
            except ChannelError as exc:
                log.error("skipping alert channel %s: %s", channel.name, exc)
        self.routes = routes
        if self.detector is not None:
            self.detector.set_rules(rules)
        self._rules = rules

    def rebuild(self, now: datetime, batch: Sequence[Mention] = ()) -> None:
        """Rebuild the detector from the store: baseline, recent minutes and alerts in progress.

        The hook runs after `batch` was committed: the store already holds it, but the
        detector must see it arrive, so it is taken out of what the store says.
        """
        self._reload(now, force=True)
        o = self.options
        detector = Detector(
            self._rules, resolve_after=o.resolve_after, cooldown=o.cooldown, link_base=o.link_base
        )
        store: Store = self.store
        since = now.replace(minute=0, second=0, microsecond=0) - timedelta(days=29)
        table = store.aggregate(
            Aggregate(by=("query", "hour", "sentiment"), where=Filter(since=since))
        )
        detector.load_history(table.rows)
        arriving = {m.key for m in batch}
        detector.load_history(
            (q, m.created_at, None if m.sentiment is None else str(m.sentiment), -1)
            for m in batch
            if not m.is_deleted and utc(m.created_at) >= since
            for q in dict.fromkeys(m.queries)
        )
        recent = store.search(
            Filter(since=now - timedelta(minutes=detector.horizon + 1)), limit=RECENT_LIMIT
        )
        detector.load_recent((m for m in reversed(recent) if m.key not in arriving), now)
        previous = self.detector
        if previous is not None:
            for incident in [*previous.open.values(), *previous.resolved.values()]:
                detector.restore(incident)
        else:
            for record in self.store.list_alerts(since=now - o.cooldown - o.resolve_after):
                detector.restore(_incident(record))
        self.detector = detector
        self._rebuilt_at = now
        log.info(
            "alert detector rebuilt: %d queries, %d hourly rows, %d recent mentions",
            len(detector.states),
            len(table.rows),
            len(recent),
        )

    # -- recording ---------------------------------------------------------------------
    def _record(self, events: list[Event], now: datetime) -> int:
        queued = 0
        for event in events:
            incident = event.incident
            record = alert_record(incident)
            deliveries = self._route(event, record, now) if event.what in NOTIFIED else []
            incident.alert_id = self.store.record_alert(record, deliveries)
            queued += len(deliveries)
            if event.what != "updated":
                log.info(
                    "alert %s on %s %s (%s), %d deliveries",
                    incident.alert_id,
                    incident.query,
                    event.what,
                    incident.kind,
                    len(deliveries),
                )
        return queued

    def _route(self, event: Event, record: AlertRecord, now: datetime) -> list[Delivery]:
        snapshot = alert_dict(record)
        found = []
        for name, routing in self.routes.items():
            if not routing.wants(record.query, record.kinds, record.severity):
                continue
            held = routing.held_until(now, record.severity)
            found.append(
                Delivery(
                    channel=name,
                    event=event.what,
                    payload=payload_of(event.what, snapshot),
                    status="held" if held else "pending",
                    next_attempt_at=held or now,
                    created_at=now,
                )
            )
        return found

    def enqueue_digests(self, now: datetime) -> int:
        """Queue each channel's daily digest once its time has come; return how many."""
        added = 0
        for name, routing in self.routes.items():
            due = routing.last_digest(now)
            if due is None or now - due > timedelta(hours=1):
                continue  # a digest missed by more than an hour waits for the next day
            key = f"digest:{name}:{due.isoformat()}"
            if self.store.has_delivery(key):
                continue
            alerts = [
                a
                for a in self.store.list_alerts(since=due - timedelta(days=1), limit=DIGEST_LIMIT)
                if a.opened_at < due and (not routing.queries or a.query in routing.queries)
            ]
            if not alerts:
                continue  # no alert, no digest
            digest = Delivery(
                channel=name,
                event="digest",
                dedup_key=key,
                created_at=now,
                next_attempt_at=now,
                payload={
                    "event": "digest",
                    "since": (due - timedelta(days=1)).isoformat(),
                    "until": due.isoformat(),
                    "alerts": [alert_dict(a) for a in alerts],
                },
            )
            added += self.store.enqueue_deliveries([digest])
        if added:
            self.worker.wake()
        return added


def alert_record(incident: Incident) -> AlertRecord:
    """The stored form of an incident."""
    return AlertRecord(
        id=incident.alert_id,
        query=incident.query,
        kind=incident.kind,
        kinds=list(incident.kinds),
        severity=incident.severity,
        status=incident.status,
        opened_at=incident.opened_at,
        updated_at=incident.updated_at,
        resolved_at=incident.resolved_at,
        observed=incident.observed,
        expected=incident.expected,
        score=incident.score,
        updates=incident.updates,
        explanation=incident.explanation,
    )


def _incident(record: AlertRecord) -> Incident:
    assert record.id is not None
    return Incident(
        number=record.id,
        query=record.query,
        kind=record.kind,
        kinds=list(record.kinds),
        severity=record.severity,
        opened_at=record.opened_at,
        updated_at=record.updated_at,
        status=record.status,
        resolved_at=record.resolved_at,
        observed=record.observed,
        expected=record.expected,
        score=record.score,
        updates=record.updates,
        explanation=record.explanation,
        alert_id=record.id,
        reported_at=record.updated_at,
    )


def alert_dict(record: AlertRecord) -> dict[str, Any]:
    """An alert as JSON-able data: what webhooks receive and the web app reads."""
    return {
        "id": record.id,
        "query": record.query,
        "kind": record.kind,
        "kinds": list(record.kinds),
        "severity": record.severity,
        "status": record.status,
        "opened_at": record.opened_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "resolved_at": None if record.resolved_at is None else record.resolved_at.isoformat(),
        "observed": record.observed,
        "expected": record.expected,
        "updates": record.updates,
        "explanation": record.explanation,
    }


def _relevant(mentions: Sequence[Mention], now: datetime) -> Sequence[Mention]:
    """The mentions detection reads: tagged ones, recent enough for the baseline.

    A bulk batch (see the ``mentions_stored`` hookspec) builds only those; any
    other batch is given whole, and the detector skips the rest itself.
    """
    select = getattr(mentions, "tagged_since", None)
    if select is None:
        return mentions
    # A day more than the baseline's history, which `rebuild` reads back from the hour.
    return select(now - timedelta(days=HISTORY_DAYS + 2))
