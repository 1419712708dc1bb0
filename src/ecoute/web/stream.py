"""The mentions stream at "/mentions": every filter, text and boolean search, live, exportable.

The list is also served alone at "/mentions/list" so the page can refresh it in
place (htmx) when the live feed says mentions were stored, without reloading
the filters the reader is typing in.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ecoute.analytics.search import find_mentions
from ecoute.query import QueryError
from ecoute.web.page import PageState, api_query, mention_view, render, start

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25


@router.get("/mentions", response_class=HTMLResponse)
def stream(request: Request) -> HTMLResponse:
    """Render the filtered stream with its export links."""
    state = start(request, "/mentions")
    return render(request, "mentions.html", state, listing(state), active="/mentions")


@router.get("/mentions/list", response_class=HTMLResponse)
def stream_list(request: Request) -> HTMLResponse:
    """Render only the list, for the page to swap in."""
    state = start(request, "/mentions")
    return render(request, "_mention_list.html", state, listing(state), active="/mentions")


def listing(state: PageState) -> dict[str, Any]:
    """One page of the stream, its pager, and the error of a boolean query that does not parse."""
    form, t = state.form, state.t
    match_error = None
    try:
        found = find_mentions(
            state.store, state.where, match=form.match, limit=PAGE_SIZE, offset=form.offset
        )
    except QueryError as exc:
        match_error = t("error_match", position=exc.position + 1, reason=exc.reason)
        form.errors.append(match_error)
        found = find_mentions(state.store, state.where, limit=PAGE_SIZE, offset=form.offset)
    total = found.total
    return {
        "mentions": [mention_view(m, t, state.root) for m in found.mentions],
        "total": total,
        "is_exact": found.is_exact,
        "first": form.offset + 1,
        "last": form.offset + len(found.mentions),
        "newer_url": form.url(offset=max(form.offset - PAGE_SIZE, 0)) if form.offset else None,
        "older_url": (
            form.url(offset=form.offset + PAGE_SIZE) if form.offset + PAGE_SIZE < total else None
        ),
        "list_url": form.url(state.root + "/mentions/list"),
        "exports": {
            kind: f"{state.root}/api/mentions.{kind}?{api_query(state.where, form.match)}"
            for kind in ("csv", "xlsx", "parquet")
        },
    }
