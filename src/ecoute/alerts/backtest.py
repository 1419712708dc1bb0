"""Replay a file of mentions in simulated time and list the alerts the rules would raise.

The replay drives the same `Detector` as the live monitor. Mentions are
sorted by creation time and handed over minute by minute, each minute's batch
at the end of that minute, as a source polled every minute would deliver them.
A mention older than the replay's clock is never "late": the replay is the
history as it happened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ecoute.alerts.baseline import minute_index
from ecoute.alerts.detector import Detector, Event
from ecoute.enrich.base import Stage, enrich
from ecoute.model import Mention, Query, utc
from ecoute.query.matcher import compile_matcher
from ecoute.sources.base import Rejected
from ecoute.sources.files import read_file

STEP = timedelta(minutes=1)


@dataclass(slots=True)
class Raised:
    """An alert as the replay saw it: at its opening, and what it became."""

    number: int
    at: datetime
    query: str
    kind: str
    observed: float
    expected: float
    severity: str
    window: int
    kinds: list[str]
    updates: int = 0
    resolved_at: datetime | None = None
    final_severity: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The JSON line `ecoute alerts backtest` prints."""
        return {
            "time": self.at.isoformat(),
            "query": self.query,
            "kind": self.kind,
            "observed": self.observed,
            "expected": self.expected,
            "severity": self.severity,
            "window_minutes": self.window,
            "kinds": self.kinds,
            "updates": self.updates,
            "resolved_at": None if self.resolved_at is None else self.resolved_at.isoformat(),
        }


def load_mentions(
    path: Path,
    stages: Sequence[Stage],
    queries: Sequence[Query],
    *,
    fmt: str | None = None,
    on_rejected: Callable[[Rejected], None] | None = None,
) -> list[Mention]:
    """Read, enrich and tag a file; keep the live mentions some query matched, oldest first."""
    matcher = compile_matcher(queries)
    kept: list[Mention] = []
    for page in read_file(path, fmt):
        for rejected in page.rejected:
            if on_rejected is not None:
                on_rejected(rejected)
        live = [m for m in page.mentions if not m.is_deleted]
        enrich(live, stages)
        for m in matcher.tag(live):
            if m.queries:
                m.raw = None  # the payload is not needed to replay; memory is
                kept.append(m)
    kept.sort(key=lambda m: utc(m.created_at))
    return kept


def replay(mentions: Iterable[Mention], detector: Detector) -> Iterator[Event]:
    """Feed time-ordered mentions to `detector` a minute at a time; yield every event."""
    batch: list[Mention] = []
    minute: int | None = None
    last = None
    for m in mentions:
        created = utc(m.created_at)
        at = minute_index(created)
        if minute is not None and at != minute:
            last = _minute_end(minute)
            yield from detector.observe(batch, last)
            batch = []
        minute = at
        batch.append(m)
    if batch and minute is not None:
        last = _minute_end(minute)
        yield from detector.observe(batch, last)
    if last is not None:
        # Let every open incident run out its quiet spell, so the replay ends resolved.
        yield from detector.advance(last + detector.resolve_after)


def backtest(mentions: Iterable[Mention], detector: Detector) -> list[Raised]:
    """Return the alerts a replay raises, in order of opening."""
    raised: dict[int, Raised] = {}
    for event in replay(mentions, detector):
        i = event.incident
        if event.what == "opened":
            raised[i.number] = Raised(
                number=i.number,
                at=event.at,
                query=i.query,
                kind=i.kind,
                observed=i.observed,
                expected=i.expected,
                severity=i.severity,
                window=int(i.explanation.get("window_minutes", 0)),
                kinds=list(i.kinds),
            )
        found = raised.get(i.number)
        if found is not None:
            found.kinds = list(i.kinds)
            found.updates = i.updates
            found.resolved_at = i.resolved_at
            found.final_severity = i.severity
    return sorted(raised.values(), key=lambda r: (r.at, r.number))


def _minute_end(minute: int) -> datetime:
    return datetime.fromtimestamp((minute + 1) * 60, tz=UTC)
