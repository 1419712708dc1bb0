"""The SVG chart's geometry: round axis tops, bars proportional to the counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ecoute.analytics.timeseries import TimeSeries
from ecoute.web.chart import PLOT_HEIGHT, TOP, draw_chart, nice_ceiling
from ecoute.web.messages import Translator


@pytest.mark.parametrize("value", [*range(0, 200), 999, 1000, 1001, 4321, 99_999, 123_456_789])
def test_axis_top_is_round_and_close_above_the_tallest_bar(value: int) -> None:
    top = nice_ceiling(value)

    assert top >= value
    assert top % 4 == 0  # four whole ticks
    assert top <= max(4, 2 * value)


def series(counts: dict[str, list[int]], bucket: str = "day") -> TimeSeries:
    start = datetime(2024, 6, 1, tzinfo=UTC)
    size = len(next(iter(counts.values())))
    step = timedelta(hours=1) if bucket == "hour" else timedelta(days=1)
    return TimeSeries(
        bucket=bucket,  # type: ignore[arg-type]
        by="sentiment",
        starts=[start + i * step for i in range(size)],
        series=counts,
    )


def test_bars_stack_their_segments_in_proportion() -> None:
    chart = draw_chart(
        series({"negative": [30, 0, 5], "neutral": [10, 0, 5], "positive": [0, 0, 10]}),
        Translator("en"),
    )

    assert chart is not None
    tallest, empty, mixed = chart.bars
    assert chart.y_ticks[-1].label == "40"
    assert [s.series for s in tallest.segments] == ["negative", "neutral"]
    assert sum(s.height for s in tallest.segments) == pytest.approx(PLOT_HEIGHT)
    assert tallest.segments[-1].y == pytest.approx(TOP)
    assert empty.segments == []
    assert sum(s.height for s in mixed.segments) == pytest.approx(PLOT_HEIGHT / 2)
    # Segments sit on each other with no gap or overlap.
    for upper, lower in zip(mixed.segments[1:], mixed.segments, strict=False):
        assert upper.y + upper.height == pytest.approx(lower.y)
    assert tallest.tooltip == "1 Jun 2024: 40 mentions (30 negative, 10 neutral)"
    assert chart.summary == "60 mentions; busiest day: 1 Jun 2024 with 40."


def test_hour_labels_name_the_day_once() -> None:
    chart = draw_chart(series({"negative": [1] * 48}, bucket="hour"), Translator("fr"))

    assert chart is not None
    labels = [tick.label for tick in chart.x_ticks]
    assert labels[0] == "1 juin 00:00"
    assert labels[1] == "07:00"
    assert "2 juin" in " ".join(labels)
    assert len(labels) <= 7
    assert chart.x_axis == "Heure (UTC)"


def test_an_empty_series_draws_nothing() -> None:
    empty = TimeSeries(bucket="day", by="sentiment", starts=[], series={"negative": []})

    assert draw_chart(empty, Translator("en")) is None
