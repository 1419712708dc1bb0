"""What a store keeps for alerts: rules, channels, alerts and their delivery outbox.

The records are plain data; what they mean (how a rule detects, how a channel
sends) lives in ``ecoute.alerts``. A store implements `AlertStore` beside
`Store`: DuckDB through ``_duckdb_alerts.AlertStoreMixin``, PostgreSQL later.

Deliveries form an outbox: an alert and the deliveries it calls for are written
in one transaction, and a worker sends them afterwards. A crash between the two
leaves the deliveries pending, so they are sent on restart, never lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import msgspec

RULE_KINDS = ("volume", "negative", "influencer", "keyword")
CHANNEL_KINDS = ("webhook", "slack", "email")
ALERT_STATUSES = ("open", "resolved")
# held: waiting for the end of quiet hours; retrying: failed at least once, will try again;
# failed: gave up (visible in `ecoute alerts deliveries`, can be retried by hand).
DELIVERY_STATUSES = ("pending", "held", "retrying", "delivered", "failed")
WAITING = ("pending", "held", "retrying")


class AlertRule(msgspec.Struct, kw_only=True):
    """A detection rule: its kind, the query it watches (None: all) and its thresholds."""

    name: str
    kind: str
    query: str | None = None
    params: dict[str, Any] = msgspec.field(default_factory=dict)
    enabled: bool = True


class AlertChannel(msgspec.Struct, kw_only=True):
    """Where alerts go (`config`, secrets included) and which ones (`routing`)."""

    name: str
    kind: str
    config: dict[str, Any] = msgspec.field(default_factory=dict)
    routing: dict[str, Any] = msgspec.field(default_factory=dict)
    enabled: bool = True


class AlertRecord(msgspec.Struct, kw_only=True):
    """One alert: a crisis on one query, opened once and updated while it lasts."""

    id: int | None = None
    query: str
    kind: str  # the kind that opened it
    kinds: list[str]  # every kind that fired during it
    severity: str  # "warning" or "critical"
    status: str  # "open" or "resolved"
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None = None
    observed: float = 0.0
    expected: float = 0.0
    score: float = 0.0
    updates: int = 0
    explanation: dict[str, Any] = msgspec.field(default_factory=dict)


class Delivery(msgspec.Struct, kw_only=True):
    """One message to send to one channel, and what became of it."""

    id: int | None = None
    alert_id: int | None = None
    channel: str
    event: str  # "opened", "escalated", "resolved", "digest" or "test"
    payload: dict[str, Any] = msgspec.field(default_factory=dict)
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime
    last_error: str | None = None
    created_at: datetime
    delivered_at: datetime | None = None
    # Deliveries with the same key are enqueued once (a digest per channel per day).
    dedup_key: str | None = None


@runtime_checkable
class AlertStore(Protocol):
    """Persistence for alert rules, channels, alerts and the delivery outbox."""

    def save_alert_rule(self, rule: AlertRule) -> None:
        """Add a rule or replace the one of that name."""
        ...

    def list_alert_rules(self) -> list[AlertRule]: ...

    def remove_alert_rule(self, name: str) -> bool: ...

    def save_alert_channel(self, channel: AlertChannel) -> None:
        """Add a channel or replace the one of that name."""
        ...

    def list_alert_channels(self) -> list[AlertChannel]: ...

    def remove_alert_channel(self, name: str) -> bool:
        """Remove a channel; its deliveries still waiting are marked failed, never dropped."""
        ...

    def record_alert(self, alert: AlertRecord, deliveries: Sequence[Delivery] = ()) -> int:
        """Insert (id None) or update an alert and enqueue its deliveries, atomically.

        Return the alert's id; the deliveries get it as their ``alert_id``.
        """
        ...

    def get_alert(self, alert_id: int) -> AlertRecord | None: ...

    def list_alerts(
        self,
        *,
        since: datetime | None = None,
        status: str | None = None,
        query: str | None = None,
        limit: int = 100,
    ) -> list[AlertRecord]:
        """Return alerts updated at or after `since`, newest first."""
        ...

    def enqueue_deliveries(self, deliveries: Sequence[Delivery]) -> int:
        """Add deliveries, skipping those whose ``dedup_key`` is taken; return how many."""
        ...

    def due_deliveries(self, now: datetime, *, limit: int = 100) -> list[Delivery]:
        """Return the waiting deliveries whose next attempt is at or before `now`, oldest first."""
        ...

    def next_delivery_at(self) -> datetime | None:
        """Return when the earliest waiting delivery is due, or None."""
        ...

    def update_delivery(self, delivery: Delivery) -> None:
        """Save a delivery's status, attempts, next attempt, error and delivery time."""
        ...

    def list_deliveries(
        self, *, statuses: Sequence[str] | None = None, limit: int = 100
    ) -> list[Delivery]:
        """Return deliveries (of these statuses), newest first."""
        ...

    def has_delivery(self, dedup_key: str) -> bool: ...

    def retry_delivery(self, delivery_id: int, now: datetime) -> bool:
        """Put a failed delivery back in the queue, due at `now`; False if there is none."""
        ...
