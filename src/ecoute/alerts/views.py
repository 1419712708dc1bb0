"""Alerts as the web app shows them: recent alerts with their explanation, deliveries in trouble.

Everything here reads the store; nothing sends or changes an alert. Texts come
in the reader's language; post excerpts stay untrusted text for the template
to escape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecoute.alerts.messages import KIND_LABELS, lines, title
from ecoute.alerts.monitor import alert_dict
from ecoute.store.alerts import AlertRecord, AlertStore, Delivery

PROBLEMS = ("failed", "retrying", "held")


@dataclass(frozen=True, slots=True)
class AlertView:
    """One alert ready to show: title, status, observed versus expected, posts, terms, link."""

    id: int
    query: str
    kind: str
    kind_label: str
    kinds: list[str]
    severity: str
    status: str
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    observed: float
    expected: float
    ratio: float | None
    window_minutes: int | None
    title: str
    lines: list[str]
    posts: list[dict[str, Any]] = field(default_factory=list)
    terms: list[dict[str, Any]] = field(default_factory=list)
    link: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form, for the API and `ecoute alerts list --json`."""
        return {
            "id": self.id,
            "query": self.query,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "kinds": self.kinds,
            "severity": self.severity,
            "status": self.status,
            "opened_at": self.opened_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "resolved_at": None if self.resolved_at is None else self.resolved_at.isoformat(),
            "observed": self.observed,
            "expected": self.expected,
            "ratio": self.ratio,
            "window_minutes": self.window_minutes,
            "title": self.title,
            "lines": self.lines,
            "posts": self.posts,
            "terms": self.terms,
            "link": self.link,
        }


def view(record: AlertRecord, lang: str = "fr") -> AlertView:
    """Return one stored alert as the app shows it, in `lang` (fr or en)."""
    data = alert_dict(record)
    x = record.explanation
    assert record.id is not None
    return AlertView(
        id=record.id,
        query=record.query,
        kind=record.kind,
        kind_label=KIND_LABELS[lang].get(record.kind, record.kind),
        kinds=list(record.kinds),
        severity=record.severity,
        status=record.status,
        opened_at=record.opened_at,
        updated_at=record.updated_at,
        resolved_at=record.resolved_at,
        observed=record.observed,
        expected=record.expected,
        ratio=x.get("ratio"),
        window_minutes=x.get("window_minutes"),
        title=title(data, "resolved" if record.status == "resolved" else "", lang),
        lines=lines(data, lang),
        posts=list(x.get("posts", [])),
        terms=list(x.get("terms", [])),
        link=x.get("link"),
    )


def recent_alerts(
    store: AlertStore,
    *,
    since: datetime | None = None,
    status: str | None = None,
    query: str | None = None,
    limit: int = 50,
    lang: str = "fr",
) -> list[AlertView]:
    """Return alerts updated since `since` (open or resolved, of one query), newest first."""
    records = store.list_alerts(since=since, status=status, query=query, limit=limit)
    return [view(r, lang) for r in records]


def alert_detail(store: AlertStore, alert_id: int, lang: str = "fr") -> AlertView | None:
    """Return one alert with its explanation, or None."""
    record = store.get_alert(alert_id)
    return None if record is None else view(record, lang)


def delivery_problems(store: AlertStore, *, limit: int = 50) -> list[Delivery]:
    """Return deliveries that failed, are retrying or wait for quiet hours to end."""
    return store.list_deliveries(statuses=PROBLEMS, limit=limit)
