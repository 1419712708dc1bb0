"""DuckDB persistence of alert rules, channels, alerts and the delivery outbox.

A mixin of `DuckDBStore`: it uses the store's per-thread cursor and write lock,
so the ingest thread (which raises alerts) and the delivery worker (which sends
them) never write at the same time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import orjson

from ecoute.store.alerts import WAITING, AlertChannel, AlertRecord, AlertRule, Delivery

_ALERT_COLUMNS = (
    "id, query, kind, kinds, severity, status, opened_at, updated_at, resolved_at, "
    "observed, expected, score, updates, explanation"
)
_DELIVERY_COLUMNS = (
    "id, alert_id, channel, event, payload, status, attempts, next_attempt_at, last_error, "
    "created_at, delivered_at, dedup_key"
)


def _naive(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


class AlertStoreMixin:
    """The `AlertStore` methods for `DuckDBStore`."""

    # Provided by DuckDBStore.
    _write_lock: Any
    _cursor: Callable[[], duckdb.DuckDBPyConnection]

    def _write(self, statements: Sequence[tuple[str, Any]]) -> list[list[tuple[Any, ...]]]:
        """Run statements in one transaction under the write lock; return each one's rows."""
        with self._write_lock:
            con = self._cursor()
            con.execute("BEGIN")
            try:
                results = [con.execute(sql, params).fetchall() for sql, params in statements]
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return results

    # -- rules -------------------------------------------------------------------------
    def save_alert_rule(self, rule: AlertRule) -> None:
        now = _naive(datetime.now(UTC))
        self._write(
            [
                (
                    "INSERT INTO alert_rules VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, "
                    "query = excluded.query, params = excluded.params, "
                    "enabled = excluded.enabled, updated_at = excluded.updated_at",
                    [rule.name, rule.kind, rule.query, _json(rule.params), rule.enabled, now, now],
                )
            ]
        )

    def list_alert_rules(self) -> list[AlertRule]:
        rows = (
            self._cursor()
            .execute("SELECT name, kind, query, params, enabled FROM alert_rules ORDER BY name")
            .fetchall()
        )
        return [
            AlertRule(name=n, kind=k, query=q, params=orjson.loads(p), enabled=e)
            for n, k, q, p, e in rows
        ]

    def remove_alert_rule(self, name: str) -> bool:
        (rows,) = self._write([("DELETE FROM alert_rules WHERE name = ? RETURNING name", [name])])
        return bool(rows)

    # -- channels ----------------------------------------------------------------------
    def save_alert_channel(self, channel: AlertChannel) -> None:
        now = _naive(datetime.now(UTC))
        self._write(
            [
                (
                    "INSERT INTO alert_channels VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, "
                    "config = excluded.config, routing = excluded.routing, "
                    "enabled = excluded.enabled, updated_at = excluded.updated_at",
                    [
                        channel.name,
                        channel.kind,
                        _json(channel.config),
                        _json(channel.routing),
                        channel.enabled,
                        now,
                        now,
                    ],
                )
            ]
        )

    def list_alert_channels(self) -> list[AlertChannel]:
        rows = (
            self._cursor()
            .execute(
                "SELECT name, kind, config, routing, enabled FROM alert_channels ORDER BY name"
            )
            .fetchall()
        )
        return [
            AlertChannel(name=n, kind=k, config=orjson.loads(c), routing=orjson.loads(r), enabled=e)
            for n, k, c, r, e in rows
        ]

    def remove_alert_channel(self, name: str) -> bool:
        waiting = ", ".join(f"'{s}'" for s in WAITING)
        _, gone = self._write(
            [
                (
                    "UPDATE alert_deliveries SET status = 'failed', "
                    "last_error = 'channel removed before delivery' "
                    f"WHERE channel = ? AND status IN ({waiting})",
                    [name],
                ),
                ("DELETE FROM alert_channels WHERE name = ? RETURNING name", [name]),
            ]
        )
        return bool(gone)

    # -- alerts ------------------------------------------------------------------------
    def record_alert(self, alert: AlertRecord, deliveries: Sequence[Delivery] = ()) -> int:
        values = [
            alert.query,
            alert.kind,
            list(alert.kinds),
            alert.severity,
            alert.status,
            _naive(alert.opened_at),
            _naive(alert.updated_at),
            _naive(alert.resolved_at),
            float(alert.observed),
            float(alert.expected),
            float(alert.score),
            alert.updates,
            _json(alert.explanation),
        ]
        with self._write_lock:
            con = self._cursor()
            con.execute("BEGIN")
            try:
                if alert.id is None:
                    ((alert_id,),) = con.execute(
                        "INSERT INTO alerts (query, kind, kinds, severity, status, opened_at, "
                        "updated_at, resolved_at, observed, expected, score, updates, "
                        "explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        values,
                    ).fetchall()
                else:
                    alert_id = alert.id
                    con.execute(
                        "UPDATE alerts SET query = ?, kind = ?, kinds = ?, severity = ?, "
                        "status = ?, opened_at = ?, updated_at = ?, resolved_at = ?, "
                        "observed = ?, expected = ?, score = ?, updates = ?, explanation = ? "
                        "WHERE id = ?",
                        [*values, alert_id],
                    )
                for d in deliveries:
                    _insert_delivery(con, d, alert_id)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return int(alert_id)

    def get_alert(self, alert_id: int) -> AlertRecord | None:
        rows = (
            self._cursor()
            .execute(f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE id = ?", [alert_id])
            .fetchall()
        )
        return _alert(rows[0]) if rows else None

    def list_alerts(
        self,
        *,
        since: datetime | None = None,
        status: str | None = None,
        query: str | None = None,
        limit: int = 100,
    ) -> list[AlertRecord]:
        clauses, params = ["true"], []
        if since is not None:
            clauses.append("updated_at >= ?")
            params.append(_naive(since))
        if status is not None:
            clauses.append("status = ?")
            params.append(status)
        if query is not None:
            clauses.append("query = ?")
            params.append(query)
        rows = (
            self._cursor()
            .execute(
                f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE {' AND '.join(clauses)} "
                "ORDER BY opened_at DESC, id DESC LIMIT ?",
                [*params, int(limit)],
            )
            .fetchall()
        )
        return [_alert(r) for r in rows]

    # -- deliveries --------------------------------------------------------------------
    def enqueue_deliveries(self, deliveries: Sequence[Delivery]) -> int:
        if not deliveries:
            return 0
        with self._write_lock:
            con = self._cursor()
            con.execute("BEGIN")
            try:
                added = sum(_insert_delivery(con, d, d.alert_id) for d in deliveries)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return added

    def due_deliveries(self, now: datetime, *, limit: int = 100) -> list[Delivery]:
        waiting = ", ".join(f"'{s}'" for s in WAITING)
        rows = (
            self._cursor()
            .execute(
                f"SELECT {_DELIVERY_COLUMNS} FROM alert_deliveries "
                f"WHERE status IN ({waiting}) AND next_attempt_at <= ? "
                "ORDER BY next_attempt_at, id LIMIT ?",
                [_naive(now), int(limit)],
            )
            .fetchall()
        )
        return [_delivery(r) for r in rows]

    def next_delivery_at(self) -> datetime | None:
        waiting = ", ".join(f"'{s}'" for s in WAITING)
        ((moment,),) = (
            self._cursor()
            .execute(
                f"SELECT min(next_attempt_at) FROM alert_deliveries WHERE status IN ({waiting})"
            )
            .fetchall()
        )
        return _aware(moment)

    def update_delivery(self, delivery: Delivery) -> None:
        self._write(
            [
                (
                    "UPDATE alert_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, "
                    "last_error = ?, delivered_at = ? WHERE id = ?",
                    [
                        delivery.status,
                        delivery.attempts,
                        _naive(delivery.next_attempt_at),
                        delivery.last_error,
                        _naive(delivery.delivered_at),
                        delivery.id,
                    ],
                )
            ]
        )

    def list_deliveries(
        self, *, statuses: Sequence[str] | None = None, limit: int = 100
    ) -> list[Delivery]:
        where, params = "true", []
        if statuses:
            where = f"status IN ({', '.join('?' for _ in statuses)})"
            params = list(statuses)
        rows = (
            self._cursor()
            .execute(
                f"SELECT {_DELIVERY_COLUMNS} FROM alert_deliveries WHERE {where} "
                "ORDER BY created_at DESC, id DESC LIMIT ?",
                [*params, int(limit)],
            )
            .fetchall()
        )
        return [_delivery(r) for r in rows]

    def has_delivery(self, dedup_key: str) -> bool:
        rows = (
            self._cursor()
            .execute("SELECT 1 FROM alert_deliveries WHERE dedup_key = ?", [dedup_key])
            .fetchall()
        )
        return bool(rows)

    def retry_delivery(self, delivery_id: int, now: datetime) -> bool:
        (rows,) = self._write(
            [
                (
                    "UPDATE alert_deliveries SET status = 'retrying', next_attempt_at = ? "
                    "WHERE id = ? AND status = 'failed' RETURNING id",
                    [_naive(now), delivery_id],
                )
            ]
        )
        return bool(rows)


def _insert_delivery(con: duckdb.DuckDBPyConnection, d: Delivery, alert_id: int | None) -> int:
    rows = con.execute(
        "INSERT INTO alert_deliveries (alert_id, channel, event, payload, status, attempts, "
        "next_attempt_at, last_error, created_at, delivered_at, dedup_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        [
            alert_id,
            d.channel,
            d.event,
            _json(d.payload),
            d.status,
            d.attempts,
            _naive(d.next_attempt_at),
            d.last_error,
            _naive(d.created_at),
            _naive(d.delivered_at),
            d.dedup_key,
        ],
    ).fetchall()
    return len(rows)


def _alert(row: tuple[Any, ...]) -> AlertRecord:
    (
        id_,
        query,
        kind,
        kinds,
        severity,
        status,
        opened,
        updated,
        resolved,
        observed,
        expected,
        score,
        updates,
        explanation,
    ) = row
    return AlertRecord(
        id=id_,
        query=query,
        kind=kind,
        kinds=list(kinds),
        severity=severity,
        status=status,
        opened_at=_aware(opened),
        updated_at=_aware(updated),
        resolved_at=_aware(resolved),
        observed=observed,
        expected=expected,
        score=score,
        updates=updates,
        explanation=orjson.loads(explanation),
    )


def _delivery(row: tuple[Any, ...]) -> Delivery:
    (
        id_,
        alert_id,
        channel,
        event,
        payload,
        status,
        attempts,
        next_at,
        error,
        created,
        delivered,
        key,
    ) = row
    return Delivery(
        id=id_,
        alert_id=alert_id,
        channel=channel,
        event=event,
        payload=orjson.loads(payload),
        status=status,
        attempts=attempts,
        next_attempt_at=_aware(next_at),
        last_error=error,
        created_at=_aware(created),
        delivered_at=_aware(delivered),
        dedup_key=key,
    )
