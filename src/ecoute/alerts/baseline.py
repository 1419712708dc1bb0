"""What is normal for a query: a seasonal baseline of hourly counts, robust to past crises.

The expected count of an hour is taken from the same hour of the previous
days (up to four weeks), each scaled by how busy its weekday is compared with
the hour's own weekday: the Saturday-afternoon lull and the Monday-noon peak
are both normal. Old crises are clipped (winsorised at the median plus three
robust deviations) so a past storm does not hide the next one.

Real traffic varies more than a Poisson process: some days and hours are simply
busier, which multiplies the rate. `dispersion` reads, off the last week, how much
more than Poisson the hourly counts vary around their expectation, scales that
excess to the size of the count being tested, and the detector widens its tests by it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime

TOTAL, NEGATIVE = 0, 1
SERIES_NAMES = ("mentions", "negative mentions")
HISTORY_DAYS = 28
MIN_SEASONAL_DAYS = 3  # below this, the baseline is flat (no hour-of-day profile)
MIN_COLD_HOURS = 12  # below this, nothing is known: spikes are not tested
MIN_WEEKLY_DAYS = 14
DISPERSION_HOURS = 7 * 24
_MEDIAN_CHI2_1 = 0.4549  # median of a chi-square with one degree of freedom
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def hour_index(moment: datetime) -> int:
    """Hours since 1970 (UTC) of an aware datetime."""
    return int((moment - _EPOCH).total_seconds() // 3600)


def minute_index(moment: datetime) -> int:
    """Minutes since 1970 (UTC) of an aware datetime."""
    return int((moment - _EPOCH).total_seconds() // 60)


def weekday(hour: int) -> int:
    """Monday=0 weekday of an hour index (1970-01-01 was a Thursday)."""
    return (hour // 24 + 3) % 7


def median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return 0.0
    mid = n // 2
    return float(ordered[mid]) if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def robust_mean(values: list[float]) -> float:
    """Mean after clipping values beyond the median ± 3 robust deviations (Poisson-aware)."""
    m = median(values)
    mad = 1.4826 * median([abs(v - m) for v in values])
    # At low counts the MAD is often 0; a Poisson spread keeps ordinary values unclipped.
    spread = max(mad, math.sqrt(max(m, 1.0)))
    low, high = m - 3 * spread, m + 3 * spread
    return sum(min(max(v, low), high) for v in values) / len(values)


class Baseline:
    """Hourly counts (all and negative) of one query, and what they make normal."""

    def __init__(self, days: int = HISTORY_DAYS) -> None:
        self.days = days
        self.counts: dict[int, list[int]] = {}
        self.first_hour: int | None = None
        self._expected: dict[tuple[int, int], float | None] = {}
        self._weights: dict[int, tuple[float, ...]] = {}
        self._dispersion: dict[tuple[int, int], float] = {}

    # -- feeding -----------------------------------------------------------------------
    def add(self, hour: int, total: int, negative: int) -> None:
        """Count `total` mentions, `negative` of them negative, in the hour `hour`."""
        row = self.counts.get(hour)
        if row is None:
            self.counts[hour] = [total, negative]
        else:
            row[0] += total
            row[1] += negative
        if self.first_hour is None or hour < self.first_hour:
            self.first_hour = hour
            self.forget_cache()

    def prune(self, now_hour: int) -> None:
        """Drop hours older than the history kept."""
        oldest = now_hour - self.days * 24 - 24
        for hour in [h for h in self.counts if h < oldest]:
            del self.counts[hour]
        if self.first_hour is not None and self.first_hour < oldest:
            self.first_hour = oldest
        # Cached values of recent hours never used the hours dropped: keep them.
        for key in [k for k in self._expected if k[0] < now_hour - DISPERSION_HOURS - 1]:
            del self._expected[key]
        for key in [k for k in self._dispersion if k[0] < now_hour]:
            del self._dispersion[key]
        for day in [d for d in self._weights if d < now_hour // 24]:
            del self._weights[day]

    def forget_cache(self) -> None:
        self._expected.clear()
        self._weights.clear()
        self._dispersion.clear()

    # -- what is normal ----------------------------------------------------------------
    def expected_hour(self, hour: int, series: int) -> float | None:
        """Expected count of `series` in `hour`, from earlier hours only; None if unknown."""
        key = (hour, series)
        if key in self._expected:
            return self._expected[key]
        value = self._compute(hour, series)
        self._expected[key] = value
        return value

    def expected(self, start_minute: int, end_minute: int, series: int) -> float | None:
        """Expected count of `series` in the minutes [start, end); None if unknown."""
        total = 0.0
        minute = start_minute
        while minute < end_minute:
            hour = minute // 60
            upto = min(end_minute, (hour + 1) * 60)
            per_hour = self.expected_hour(hour, series)
            if per_hour is None:
                return None
            total += per_hour * (upto - minute) / 60
            minute = upto
        return total

    def is_seasonal(self, hour: int) -> bool:
        """Whether `hour` has enough earlier days for an hour-of-day profile."""
        return self.first_hour is not None and hour - self.first_hour >= MIN_SEASONAL_DAYS * 24

    def dispersion(self, hour: int, series: int, expected: float) -> float:
        """How many times a Poisson variance a count of mean `expected` shows at `hour` (>= 1).

        Busier days and hours multiply a query's whole rate, so a count of mean e
        varies as e (1 + k e): the excess is small for a quiet five minutes and large
        for a busy hour. One hour's factor, wrongly applied to five minutes, would
        hide a storm of posts where a handful were expected.
        """
        return min(25.0, 1.0 + self.excess(hour, series) * expected)

    def excess(self, hour: int, series: int) -> float:
        """The k of a variance e (1 + k e), read off the hourly counts of the last week."""
        key = (hour, series)
        cached = self._dispersion.get(key)
        if cached is not None:
            return cached
        ratios = []
        means = []
        for h in range(hour - DISPERSION_HOURS, hour):
            e = self.expected_hour(h, series) if self.is_seasonal(h) else None
            if e is None or e < 1.0:
                continue
            c = self.counts.get(h, (0, 0))[series]
            ratios.append((c - e) ** 2 / e)
            means.append(e)
        value = 0.0
        if len(ratios) >= 24:
            # The median hour's variance over its mean is 1 + k x its mean, robustly.
            factor = max(1.0, median(ratios) / _MEDIAN_CHI2_1)
            value = (factor - 1.0) / median(means)
        self._dispersion[key] = value
        return value

    def _compute(self, hour: int, series: int) -> float | None:
        first = self.first_hour
        if first is None or hour - first < MIN_COLD_HOURS:
            return None
        if not self.is_seasonal(hour):
            # Young history: a flat level from every earlier hour, no profile yet.
            return robust_mean(
                [float(self.counts.get(h, (0, 0))[series]) for h in range(first, hour)]
            )
        weights = self._weekday_weights(hour // 24)
        target = weights[weekday(hour)]
        samples = []
        for k in range(1, self.days + 1):
            past = hour - 24 * k
            if past < first:
                break
            w = weights[weekday(past)]
            samples.append(self.counts.get(past, (0, 0))[series] * (target / w if w else 1.0))
        return robust_mean(samples)

    def _weekday_weights(self, day: int) -> tuple[float, ...]:
        """How busy each weekday is against a typical day, from the complete days before `day`."""
        cached = self._weights.get(day)
        if cached is not None:
            return cached
        flat = (1.0,) * 7
        first = self.first_hour
        weights = flat
        if first is not None:
            first_day = -(-first // 24)  # the first complete day
            days = range(max(first_day, day - self.days), day)
            if len(days) >= MIN_WEEKLY_DAYS:
                totals = {d: self._day_total(d) for d in days}
                overall = median(list(totals.values()))
                by_weekday: dict[int, list[float]] = {}
                for d, total in totals.items():
                    by_weekday.setdefault((d + 3) % 7, []).append(total)
                if overall > 0 and all(len(v) >= 2 for v in by_weekday.values()):
                    weights = tuple(
                        max(0.2, min(5.0, median(by_weekday.get(w, [overall])) / overall))
                        for w in range(7)
                    )
        self._weights[day] = weights
        return weights

    def _day_total(self, day: int) -> float:
        return float(sum(self.counts.get(h, (0, 0))[TOTAL] for h in range(day * 24, day * 24 + 24)))


def hours_of(rows: Iterable[tuple[datetime, str | None, int]]) -> dict[int, list[int]]:
    """Fold (hour start, sentiment, count) rows into {hour index: [total, negative]}."""
    folded: dict[int, list[int]] = {}
    for moment, sentiment, count in rows:
        row = folded.setdefault(hour_index(moment), [0, 0])
        row[TOTAL] += count
        if sentiment == "negative":
            row[NEGATIVE] += count
    return folded
