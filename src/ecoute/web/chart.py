"""Geometry of the stacked bar chart drawn as inline SVG on the server.

The page needs no script and no network to show it: this module turns a
TimeSeries into rectangles, ticks and labels; the template writes them out
(autoescaped) with a title, a description, axis labels, a legend and the same
figures as a table for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ecoute.analytics.stats import SENTIMENTS, UNKNOWN
from ecoute.analytics.timeseries import TimeSeries
from ecoute.model import utc
from ecoute.web.messages import Translator

WIDTH = 800
HEIGHT = 300
LEFT = 64  # room for tick labels and the vertical axis title
RIGHT = 12
TOP = 16
BOTTOM = 56  # room for date labels and the horizontal axis title
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
MAX_X_LABELS = 7


PALETTE_SIZE = 8  # colour classes c0..c7 in style.css, for series other than sentiments


@dataclass(frozen=True, slots=True)
class Segment:
    series: str
    colour: str
    y: float
    height: float
    count: int


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    width: float
    label: str
    total: int
    counts: dict[str, int]
    segments: list[Segment]
    tooltip: str


@dataclass(frozen=True, slots=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    """Everything the SVG template draws, in viewBox units."""

    title: str
    summary: str
    x_axis: str
    y_axis: str
    series: list[tuple[str, str]]  # (name, label) in stacking order, bottom first
    colours: dict[str, str]  # series name -> CSS class of its colour
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    total: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_width: int = PLOT_WIDTH
    plot_height: int = PLOT_HEIGHT

    @property
    def bottom(self) -> int:
        return self.top + self.plot_height


def draw_chart(
    timeseries: TimeSeries,
    t: Translator,
    *,
    label: Callable[[str], str] | None = None,
    title_key: str = "chart_title",
) -> Chart | None:
    """Lay out `timeseries` as stacked bars labelled in `t`'s locale; None when it is empty.

    `label` names a series (sentiments by default); `title_key` is the message
    that titles the chart, given the bucket, start and end.
    """
    label = label or t.sentiment
    starts = timeseries.starts
    if not starts:
        return None
    totals = timeseries.totals()
    top_value = nice_ceiling(max(totals))
    step = PLOT_WIDTH / len(starts)
    gap = min(step * 0.2, 4.0) if step >= 3 else 0.0
    with_year = starts[0].year != starts[-1].year
    series = [(name, label(name)) for name in timeseries.series]
    colours = {
        name: f"s-{name}" if name in (*SENTIMENTS, UNKNOWN) else f"c{i % PALETTE_SIZE}"
        for i, name in enumerate(timeseries.series)
    }
    bars: list[Bar] = []
    for i, start in enumerate(starts):
        counts = {name: values[i] for name, values in timeseries.series.items()}
        name_of_bar = bucket_label(start, timeseries.bucket, t, with_year=True)
        y = float(TOP + PLOT_HEIGHT)
        segments: list[Segment] = []
        for name, count in counts.items():
            if not count:
                continue
            height = count / top_value * PLOT_HEIGHT
            y -= height
            segments.append(
                Segment(
                    series=name,
                    colour=colours[name],
                    y=round(y, 2),
                    height=round(height, 2),
                    count=count,
                )
            )
        details = ", ".join(
            f"{t.number(n)} {label(name).lower()}" for name, n in counts.items() if n
        )
        tooltip = t("bar_tooltip", label=name_of_bar, total=t.number(totals[i]))
        bars.append(
            Bar(
                x=round(LEFT + i * step + gap / 2, 2),
                width=round(max(step - gap, 0.5), 2),
                label=name_of_bar,
                total=totals[i],
                counts=counts,
                segments=segments,
                tooltip=f"{tooltip} ({details})" if details else tooltip,
            )
        )
    every = max(1, math.ceil(len(starts) / MAX_X_LABELS))
    x_ticks: list[Tick] = []
    shown_day = None
    for i in range(0, len(starts), every):
        tick_label = bucket_label(starts[i], timeseries.bucket, t, with_year=with_year)
        if timeseries.bucket == "hour":
            # Name the day once, where it starts, and only the hour after that.
            day = utc(starts[i]).astimezone(t.tz).date()
            local = utc(starts[i]).astimezone(t.tz)
            tick_label = tick_label if day != shown_day else f"{local:%H:%M}"
            shown_day = day
        x_ticks.append(Tick(position=round(LEFT + (i + 0.5) * step, 2), label=tick_label))
    tick_step = top_value / 4
    y_ticks = [
        Tick(
            position=round(TOP + PLOT_HEIGHT - k * tick_step / top_value * PLOT_HEIGHT, 2),
            label=t.number(round(k * tick_step)),
        )
        for k in range(5)
    ]
    total = sum(totals)
    peak = max(range(len(totals)), key=totals.__getitem__)
    bucket_name = t(f"bucket_{timeseries.bucket}")
    end_label = bucket_label(starts[-1], timeseries.bucket, t, with_year=True)
    return Chart(
        title=t(title_key, bucket=bucket_name, start=bars[0].label, end=end_label),
        summary=t(
            "chart_summary",
            total=t.number(total),
            bucket=bucket_name,
            peak_label=bars[peak].label,
            peak=t.number(totals[peak]),
        ),
        x_axis=t(f"axis_{timeseries.bucket}"),
        y_axis=t("chart_axis_mentions"),
        series=series,
        colours=colours,
        bars=bars,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        total=total,
    )


def nice_ceiling(value: int) -> int:
    """Return the smallest "round" top for an axis holding `value`, divisible into 4 ticks.

    Ticks step by 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k and are whole numbers, so the
    axis reads 0, 25, 50, 75, 100 rather than 0, 23, 46, 69, 92.
    """
    if value <= 4:
        return 4
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        tick = factor * magnitude
        if tick >= raw and float(tick).is_integer():
            return int(tick * 4)
    return int(10 * magnitude * 4)


def bucket_label(start: datetime, bucket: str, t: Translator, *, with_year: bool) -> str:
    """Name a bucket by its start in the reader's zone: "2 May", "2 May 14:00" (hours)."""
    day = t.date(start, with_year=with_year)
    if bucket == "hour":
        return f"{day} {utc(start).astimezone(t.tz):%H:%M}"
    return day
