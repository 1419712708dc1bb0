"""Authors: top influencers, most engaged fans and detractors, and a profile per author.

The profile gathers what one ``platform:handle`` said in the period, and lists
the same handle on other platforms as a likely (not proven) same person.
"""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from ecoute.analytics.authors import RANKINGS, author_totals, rank_authors, same_handle_elsewhere
from ecoute.analytics.timeseries import PeriodTooLong, count_over_time
from ecoute.web.chart import draw_chart
from ecoute.web.page import author_path, mention_view, render, start

router = APIRouter(include_in_schema=False)

RANKED = 15
PROFILE_MENTIONS = 20


@router.get("/authors", response_class=HTMLResponse)
def authors(request: Request) -> HTMLResponse:
    """Render the three rankings of authors over the filters."""
    state = start(request, "/authors")
    rankings = {r: rank_authors(state.store, state.where, r, limit=RANKED) for r in RANKINGS}
    return render(request, "authors.html", state, {"rankings": rankings}, active="/authors")


@router.get("/authors/{platform}/{handle:path}", response_class=HTMLResponse)
def profile(request: Request, platform: str, handle: str) -> HTMLResponse:
    """Render one author's profile within the filters' period."""
    state = start(request, author_path(platform, handle))
    mine = dataclasses.replace(state.where, platform=platform, author=handle)
    totals = author_totals(state.store, mine, platform, handle)
    ever = totals or author_totals(
        state.store, dataclasses.replace(mine, since=None, until=None), platform, handle
    )
    if ever is None:
        raise HTTPException(status_code=404, detail="no such author")
    chart = None
    if totals is not None:
        try:
            chart = draw_chart(count_over_time(state.store, mine, tz=state.t.tz), state.t)
        except PeriodTooLong:
            chart = None
    found = state.store.search(mine, limit=PROFILE_MENTIONS)
    context = {
        "author": ever,
        "totals": totals,
        "chart": chart,
        "elsewhere": same_handle_elsewhere(state.store, platform, handle),
        "mentions": [mention_view(m, state.t, state.root) for m in found],
    }
    return render(request, "author.html", state, context, active="/authors")
