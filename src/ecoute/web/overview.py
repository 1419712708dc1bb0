"""The listening overview at "/" and one page per query at "/queries/{name}".

Both show the headline figures (volume, estimated reach, engagement, net
sentiment) beside the previous period, the volume by sentiment over time, the
top queries, platforms, authors and terms, and the latest mentions.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from ecoute.analytics.authors import rank_authors
from ecoute.analytics.measures import Measure, measure
from ecoute.analytics.periods import headline
from ecoute.analytics.timeseries import PeriodTooLong, count_over_time
from ecoute.analytics.topics import topics
from ecoute.web.chart import draw_chart
from ecoute.web.page import PageState, mention_view, render, start

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

LATEST = 10
TOP = 6


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    """Render the overview for the filters in the query string."""
    state = start(request, "/")
    return render(request, "overview.html", state, dashboard(state), active="/")


@router.get("/queries", response_class=HTMLResponse)
def queries(request: Request) -> HTMLResponse:
    """List the saved queries with their figures over the period."""
    state = start(request, "/queries")
    rows = measure(state.store, Measure(by=("query",), where=state.where)).as_dicts()
    found = {r["query"]: r for r in rows}
    listed = [(q, found.get(q.name)) for q in state.store.list_queries()]
    return render(request, "queries.html", state, {"queries": listed}, active="/queries")


@router.get("/queries/{name}", response_class=HTMLResponse)
def query_page(request: Request, name: str) -> HTMLResponse:
    """The overview of one query (a brand, a competitor or a topic)."""
    saved = {q.name: q for q in request.app.state.store.list_queries()}
    if name not in saved:
        raise HTTPException(status_code=404, detail="no such query")
    state = start(request, f"/queries/{name}")
    state.form.query = name
    state.where = dataclasses.replace(state.where, query=name)
    context = dashboard(state)
    context["subject"] = saved[name]
    return render(request, "overview.html", state, context, active="/queries")


def dashboard(state: PageState) -> dict[str, Any]:
    """The figures, chart, rankings and latest mentions of the overview for `state`."""
    store, where, t = state.store, state.where, state.t
    chart, chart_error = None, None
    try:
        chart = draw_chart(count_over_time(store, where, tz=t.tz), t)
    except PeriodTooLong:
        chart_error = t("chart_period_too_long")
    found = store.search(where, limit=LATEST)
    by_query = measure(store, Measure(by=("query",), where=where, limit=TOP)).as_dicts()
    by_platform = measure(store, Measure(by=("platform",), where=where)).as_dicts()
    head = headline(store, where)
    log.debug("dashboard: %d mentions", head.figures["mentions"].value or 0)
    return {
        "subject": None,
        "headline": head,
        "total": int(head.figures["mentions"].value or 0),
        "chart": chart,
        "chart_error": chart_error,
        "top_queries": by_query,
        "platforms": by_platform,
        "influencers": rank_authors(store, where, "influencers", limit=5),
        "detractors": rank_authors(store, where, "detractors", limit=5),
        "terms": topics(store, where, limit=10).words,
        "mentions": [mention_view(m, t, state.root) for m in found],
    }
