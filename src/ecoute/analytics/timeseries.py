"""Mention volumes over time, in UTC buckets, split into series (by sentiment by default).

Days and weeks can follow the reader's time zone (``tz``): a Paris user's day
starts at midnight in Paris, not at 01:00 or 02:00. They are then summed from
hourly counts, so zones a whole number of hours from UTC are exact (the ones
with a half-hour offset see their days shifted by that half hour).

Empty buckets are kept as zeros: a silent day is information, and a chart that
skips it draws a lie. The number of buckets is bounded so that one post dated
1970 (clients set Bluesky's ``createdAt``) cannot make a chart of 20,000 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Literal

from ecoute.analytics.stats import SENTIMENTS, UNKNOWN
from ecoute.model import utc
from ecoute.store.base import Aggregate, Filter, Store

Bucket = Literal["hour", "day", "week"]
BUCKETS: tuple[Bucket, ...] = ("hour", "day", "week")
SeriesDimension = Literal["sentiment", "platform", "lang", "query"]
SERIES_DIMENSIONS: tuple[SeriesDimension, ...] = ("sentiment", "platform", "lang", "query")

STEP: dict[Bucket, timedelta] = {
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}
# An hourly series of a month, a daily one of ten years, a weekly one of twenty.
MAX_BUCKETS: dict[Bucket, int] = {"hour": 24 * 31, "day": 3660, "week": 1044}
# The automatic choice keeps a chart between a few and a few hundred bars.
_HOURLY_UP_TO = timedelta(days=2)
_DAILY_UP_TO = timedelta(days=400)
ALL = "mentions"  # the one series' name when nothing splits the volume


class PeriodTooLong(ValueError):
    """The period holds more buckets than a series may have; narrow it or widen the bucket."""


@dataclass(frozen=True, slots=True)
class TimeSeries:
    """Counts per bucket: ``series[name][i]`` mentions in the bucket starting at ``starts[i]``.

    With ``by="query"`` a mention matching two queries counts in both series.
    """

    bucket: Bucket
    by: SeriesDimension | None
    starts: list[datetime]  # aware UTC, oldest first, one per bucket without gaps
    series: dict[str, list[int]]

    def totals(self) -> list[int]:
        """Return the sum of every series per bucket."""
        if not self.series:
            return [0] * len(self.starts)
        return [sum(column) for column in zip(*self.series.values(), strict=True)]


def count_over_time(
    store: Store,
    where: Filter | None = None,
    *,
    bucket: Bucket | None = None,
    by: SeriesDimension | None = "sentiment",
    tz: tzinfo | None = None,
) -> TimeSeries:
    """Count mentions matching `where` per bucket, one series per value of `by`.

    The series run from ``where.since`` (or the first mention) to ``where.until``
    (or the last mention); with no `bucket`, one is chosen from that span. The
    first and last buckets are partial when the period starts or ends inside them.
    Raises PeriodTooLong when the span holds more than MAX_BUCKETS[bucket].
    With `tz`, days and weeks start at midnight there; starts stay in UTC.
    """
    where = where or Filter()
    if bucket is None:
        bucket = choose_bucket(_span(store, where))
    zone = None if tz is None or _is_utc(tz) or bucket == "hour" else tz
    # The store knows hours and days; weeks are summed from days, local days from hours.
    unit = "hour" if bucket == "hour" or zone is not None else "day"
    dims = (unit, by) if by else (unit,)
    rows = store.aggregate(Aggregate(by=dims, where=where)).rows
    first = floor(where.since, bucket, zone) if where.since else None
    last = (
        floor(utc(where.until) - timedelta(microseconds=1), bucket, zone) if where.until else None
    )
    counts: dict[str, dict[datetime, int]] = {}
    for row in rows:
        start = floor(row[0], bucket, zone)
        name = ALL if not by else (UNKNOWN if row[1] is None else str(row[1]))
        per_start = counts.setdefault(name, {})
        per_start[start] = per_start.get(start, 0) + int(row[-1])
    seen = [start for per_start in counts.values() for start in per_start]
    if first is None and seen:
        first = min(seen)
    if last is None and seen:
        last = max(seen)
    if first is None or last is None or last < first:
        return TimeSeries(bucket=bucket, by=by, starts=[], series=_order({}, by, 0))
    size = _count_buckets(first, last, bucket, zone)
    if size > MAX_BUCKETS[bucket]:
        wider = "" if bucket == "week" else ", or choose a larger bucket"
        raise PeriodTooLong(
            f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC holds {size:,} {bucket} "
            f"buckets, more than the {MAX_BUCKETS[bucket]:,} a series may have: "
            f"narrow the period with since and until{wider}"
        )
    starts = _starts(first, size, bucket, zone)
    index = {start: i for i, start in enumerate(starts)}
    dense: dict[str, list[int]] = {}
    for name, per_start in counts.items():
        column = [0] * size
        for start, n in per_start.items():
            if start in index:
                column[index[start]] = n
        dense[name] = column
    return TimeSeries(bucket=bucket, by=by, starts=starts, series=_order(dense, by, size))


def choose_bucket(span: timedelta) -> Bucket:
    """Pick hours for up to two days, days for up to 400, weeks beyond."""
    if span <= _HOURLY_UP_TO:
        return "hour"
    if span <= _DAILY_UP_TO:
        return "day"
    return "week"


def floor(moment: datetime, bucket: Bucket, tz: tzinfo | None = None) -> datetime:
    """Return the start, in UTC, of the bucket holding `moment` (weeks start on Monday).

    With `tz`, days and weeks start at local midnight.
    """
    moment = utc(moment)
    if tz is not None and bucket != "hour":
        day = moment.astimezone(tz).date()
        if bucket == "week":
            day -= timedelta(days=day.weekday())
        return datetime.combine(day, time(), tz).astimezone(UTC)
    if bucket == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if bucket == "day":
        return day
    return day - timedelta(days=day.weekday())


def _count_buckets(first: datetime, last: datetime, bucket: Bucket, tz: tzinfo | None) -> int:
    if tz is None:
        return (last - first) // STEP[bucket] + 1
    days = (last.astimezone(tz).date() - first.astimezone(tz).date()).days
    return days // (7 if bucket == "week" else 1) + 1


def _starts(first: datetime, size: int, bucket: Bucket, tz: tzinfo | None) -> list[datetime]:
    """`size` bucket starts from `first`; local days last 23 or 25 hours around DST."""
    if tz is None:
        return [first + i * STEP[bucket] for i in range(size)]
    day = first.astimezone(tz).date()
    step = timedelta(days=7 if bucket == "week" else 1)
    return [datetime.combine(day + i * step, time(), tz).astimezone(UTC) for i in range(size)]


def _is_utc(tz: tzinfo) -> bool:
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    summer = datetime(2024, 7, 1, tzinfo=UTC)
    return tz.utcoffset(moment) == timedelta(0) and tz.utcoffset(summer) == timedelta(0)


def _span(store: Store, where: Filter) -> timedelta:
    """How long the period of `where` lasts, measured on the data where it is open-ended."""
    if where.since and where.until:
        return utc(where.until) - utc(where.since)
    days = [row[0] for row in store.aggregate(Aggregate(by=("day",), where=where)).rows]
    if not days:
        return timedelta(0)
    start = utc(where.since) if where.since else utc(min(days))
    end = utc(where.until) if where.until else utc(max(days)) + timedelta(days=1)
    return end - start


def _order(
    dense: dict[str, list[int]], by: SeriesDimension | None, size: int
) -> dict[str, list[int]]:
    """Sentiments in their natural order, always all three; other series largest first."""
    if by == "sentiment":
        ordered = {s: dense.pop(s, [0] * size) for s in SENTIMENTS}
        ordered.update(sorted(dense.items(), key=lambda kv: (-sum(kv[1]), kv[0])))
        return ordered
    if by is None:
        return {ALL: dense.get(ALL, [0] * size)}
    return dict(sorted(dense.items(), key=lambda kv: (-sum(kv[1]), kv[0])))
