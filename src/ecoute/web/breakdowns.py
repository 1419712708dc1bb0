"""Share of voice, topics and platforms: the conversation cut three ways.

* "/share-of-voice": each brand against its competitors, over time and in total,
  with the share of negative voice (palm-oil campaign, scenario 2).
* "/topics": top keywords, hashtags and terms emerging against the period before.
* "/platforms": volume, reach, engagement and sentiment per network, over time.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ecoute.analytics.measures import Measure, measure
from ecoute.analytics.periods import net_sentiment
from ecoute.analytics.timeseries import PeriodTooLong, TimeSeries, count_over_time
from ecoute.analytics.topics import topics
from ecoute.analytics.voices import compared_queries, share_of_voice
from ecoute.web.chart import Chart, draw_chart
from ecoute.web.page import render, start

router = APIRouter(include_in_schema=False)


@router.get("/share-of-voice", response_class=HTMLResponse)
def share(request: Request) -> HTMLResponse:
    """Render each brand's and competitor's share of the conversation."""
    state = start(request, "/share-of-voice")
    saved = state.store.list_queries()
    compared = compared_queries(saved, state.form.group or None)
    names = {q.name for q in compared}
    voices = share_of_voice(state.store, state.where, compared)
    chart, chart_error = None, None
    try:
        series = count_over_time(state.store, state.where, by="query", tz=state.t.tz)
        kept = {n: v for n, v in series.series.items() if n in names}
        only = TimeSeries(series.bucket, series.by, series.starts, kept)
        chart = draw_chart(only, state.t, label=str, title_key="share_chart_title")
    except PeriodTooLong:
        chart_error = state.t("chart_period_too_long")
    negative_total = sum(v.negative for v in voices)
    context = {
        "voices": voices,
        "negative_total": negative_total,
        "chart": chart,
        "chart_error": chart_error,
    }
    return render(request, "share.html", state, context, active="/share-of-voice")


@router.get("/topics", response_class=HTMLResponse)
def topics_page(request: Request) -> HTMLResponse:
    """Render top keywords, hashtags and emerging terms."""
    state = start(request, "/topics")
    found = topics(state.store, state.where, limit=25)
    return render(request, "topics.html", state, {"topics": found}, active="/topics")


@router.get("/platforms", response_class=HTMLResponse)
def platforms(request: Request) -> HTMLResponse:
    """Render the breakdown of the conversation by platform."""
    state = start(request, "/platforms")
    rows = measure(state.store, Measure(by=("platform",), where=state.where)).as_dicts()
    total = sum(r["mentions"] for r in rows)
    for r in rows:
        r["net_sentiment"] = net_sentiment(r["positive"], r["negative"])
        r["share"] = r["mentions"] / total if total else 0.0
    chart: Chart | None = None
    chart_error = None
    try:
        series = count_over_time(state.store, state.where, by="platform", tz=state.t.tz)
        chart = draw_chart(
            series, state.t, label=state.t.platform, title_key="platform_chart_title"
        )
    except PeriodTooLong:
        chart_error = state.t("chart_period_too_long")
    context = {"rows": rows, "total": total, "chart": chart, "chart_error": chart_error}
    return render(request, "platforms.html", state, context, active="/platforms")
