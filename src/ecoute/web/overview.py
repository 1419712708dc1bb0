"""The brand's listening overview at "/": volume by sentiment over time, totals, latest mentions.

Filters travel in the query string of a plain GET form, so a view can be
bookmarked and shared. A filter the page cannot read is named in a message and
ignored, never silently turned into "everything".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ecoute.analytics.stats import SENTIMENTS, negative_share, workspace_stats
from ecoute.analytics.timeseries import PeriodTooLong, count_over_time
from ecoute.model import Mention
from ecoute.store.base import Aggregate, Filter, Store
from ecoute.web.chart import draw_chart
from ecoute.web.messages import LOCALES, Translator, negotiate_locale
from ecoute.web.untrusted import Excerpt, excerpt, visible_text, web_link

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
TEXT_LIMIT = 1200  # characters of a post shown in the list; the link leads to the rest
NAME_LIMIT = 80
MAX_FILTER = 200
MAX_OFFSET = 10_000_000
PERIODS: dict[str, timedelta | None] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "365d": timedelta(days=365),
    "all": None,
}
TOP_QUERIES = 6


@dataclass
class OverviewForm:
    """What the filter form holds, as typed, and what could not be read."""

    query: str = ""
    platform: str = ""
    language: str = ""
    sentiment: str = ""
    period: str = "all"
    since: str = ""
    until: str = ""
    q: str = ""
    offset: int = 0
    lang: str = ""  # the interface language when chosen with ?lang=
    errors: list[str] = field(default_factory=list)

    def url(self, **changes: object) -> str:
        """The page's URL with these filters, some changed; empty ones are left out."""
        values = {
            "lang": self.lang,
            "query": self.query,
            "platform": self.platform,
            "language": self.language,
            "sentiment": self.sentiment,
            "period": "" if self.since or self.until or self.period == "all" else self.period,
            "since": self.since,
            "until": self.until,
            "q": self.q,
            "offset": self.offset or "",
        }
        values.update(changes)
        kept = {k: v for k, v in values.items() if v not in ("", None, 0)}
        return "?" + urlencode(kept) if kept else "?"


@dataclass(frozen=True, slots=True)
class MentionView:
    """A mention as the page shows it: content made inert, times written out."""

    author_name: str
    handle: str
    platform: str
    when: str
    when_iso: str
    text: Excerpt
    sentiment: str | None
    sentiment_label: str
    lang: str | None
    queries: list[str]
    link: str | None
    unsafe_link: str | None


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    """Render the overview for the filters in the query string."""
    store: Store = request.app.state.store
    clock: Callable[[], datetime] = request.app.state.clock
    explicit = request.query_params.get("lang")
    t = Translator(negotiate_locale(explicit, request.headers.get("accept-language")))
    queries = store.list_queries()
    choices = {
        "query": [q.name for q in queries],
        "platform": _values(store, "platform"),
        "language": _values(store, "lang"),
        "sentiment": list(SENTIMENTS),
    }
    form, where = read_form(request.query_params, t, clock())
    stats = workspace_stats(store, where)
    chart, chart_error = None, None
    try:
        chart = draw_chart(count_over_time(store, where), t)
    except PeriodTooLong:
        chart_error = t("chart_period_too_long")
    found = store.search(where, limit=PAGE_SIZE, offset=form.offset)
    kinds = {q.name: q.kind for q in queries}
    total = stats["mentions"]
    judged = sum(stats["by_sentiment"].get(s, 0) for s in SENTIMENTS)
    context: dict[str, Any] = {
        "t": t,
        "locale": t.locale,
        "locales": LOCALES,
        "form": form,
        "options": _options(form, choices, t),
        "total": total,
        "judged": judged,
        "negative_share": negative_share(stats["by_sentiment"]),
        "top_queries": [
            (name, str(kinds.get(name, "")), n) for name, n in stats["by_query"].items() if n
        ][:TOP_QUERIES],
        "platforms": list(stats["by_platform"].items()),
        "chart": chart,
        "chart_error": chart_error,
        "mentions": [_view(m, t) for m in found],
        "first": form.offset + 1,
        "last": form.offset + len(found),
        "newer_url": form.url(offset=max(form.offset - PAGE_SIZE, 0)) if form.offset else None,
        "older_url": (
            form.url(offset=form.offset + PAGE_SIZE) if form.offset + PAGE_SIZE < total else None
        ),
    }
    log.debug("overview: %d mentions, %d shown, %d errors", total, len(found), len(form.errors))
    return request.app.state.templates.TemplateResponse(
        request,
        "overview.html",
        context,
        status_code=422 if form.errors else 200,
        headers={"Vary": "Accept-Language", "Content-Language": t.locale},
    )


def read_form(
    params: Mapping[str, str], t: Translator, now: datetime
) -> tuple[OverviewForm, Filter]:
    """Read the filters from the query string; name and drop what cannot be read."""
    form = OverviewForm(lang=params.get("lang", "") if params.get("lang") in LOCALES else "")
    labels = {
        "query": t("filter_query"),
        "platform": t("filter_platform"),
        "language": t("filter_language"),
        "sentiment": t("filter_sentiment"),
        "period": t("filter_period"),
        "since": t("filter_since"),
        "until": t("filter_until"),
        "q": t("filter_text"),
    }
    values: dict[str, str] = {}
    for name, label in labels.items():
        value = params.get(name, "").strip()
        if len(value) > MAX_FILTER:
            form.errors.append(t("error_too_long", field=label, limit=MAX_FILTER))
            continue
        values[name] = value
    # A query, platform or language may be real and simply not heard yet, so
    # only sentiments form a closed list.
    form.query = values.get("query", "")
    form.platform = values.get("platform", "")
    form.language = values.get("language", "")
    form.q = values.get("q", "")
    sentiment = values.get("sentiment", "")
    if sentiment in ("", *SENTIMENTS):
        form.sentiment = sentiment
    else:
        form.errors.append(t("error_choice", field=labels["sentiment"], value=_quote(sentiment)))
    since = _read_date(values.get("since", ""), labels["since"], form, t)
    until = _read_date(values.get("until", ""), labels["until"], form, t)
    form.since = since.isoformat() if since else ""
    form.until = until.isoformat() if until else ""
    start: datetime | None = None
    end: datetime | None = None
    period = values.get("period", "")
    span = PERIODS.get(period)
    if span is not None:
        # A relative period chosen in the form wins over dates left in it.
        form.period = period
        form.since = form.until = ""
        start, end = now - span, now
    elif period not in ("", "all", "custom"):
        form.errors.append(t("error_choice", field=labels["period"], value=_quote(period)))
    elif since or until:
        form.period = "custom"
        start = datetime.combine(since, time(), UTC) if since else None
        # "To" is a day the user wants included, so the period ends the next midnight.
        end = datetime.combine(until + timedelta(days=1), time(), UTC) if until else None
        if start and end and end <= start:
            form.errors.append(t("error_order"))
            start = end = None
            form.since = form.until = ""
            form.period = "all"
    raw_offset = params.get("offset", "").strip()
    if raw_offset:
        if raw_offset.isdigit() and int(raw_offset) <= MAX_OFFSET:
            form.offset = int(raw_offset)
        else:
            form.errors.append(t("error_offset"))
    where = Filter(
        query=form.query or None,
        platform=form.platform or None,
        lang=form.language or None,
        sentiment=form.sentiment or None,
        since=start,
        until=end,
        text=form.q or None,
    )
    return form, where


def _read_date(value: str, label: str, form: OverviewForm, t: Translator) -> date | None:
    if not value:
        return None
    try:
        # The form sends YYYY-MM-DD; fromisoformat alone would also take "20240531".
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        form.errors.append(t("error_date", field=label, value=_quote(value)))
    return day


def _quote(value: str) -> str:
    return "« " + visible_text(value)[:40] + " »"


def _options(
    form: OverviewForm, choices: Mapping[str, list[str]], t: Translator
) -> dict[str, list[tuple[str, str]]]:
    """Each select's (value, label) pairs; a chosen value with no mention yet stays listed."""
    labellers: dict[str, Callable[[str], str]] = {
        "query": str,
        "platform": t.platform,
        "language": t.language,
        "sentiment": t.sentiment,
    }
    options: dict[str, list[tuple[str, str]]] = {}
    for name, label in labellers.items():
        values = list(choices[name])
        current = getattr(form, name)
        if current and current not in values:
            values.append(current)
        options[name] = [(value, label(value)) for value in values]
    periods = [*PERIODS, "custom"] if form.period == "custom" else list(PERIODS)
    options["period"] = [(p, t(f"period_{p}")) for p in periods]
    return options


def _values(store: Store, dimension: str) -> list[str]:
    """The values a dimension takes in the workspace, most frequent first."""
    rows = store.aggregate(Aggregate(by=(dimension,))).rows
    return [str(value) for value, _ in sorted(rows, key=lambda r: -r[1]) if value is not None]


def _view(m: Mention, t: Translator) -> MentionView:
    link = web_link(m.url)
    sentiment = str(m.sentiment) if m.sentiment else None
    return MentionView(
        author_name=excerpt(m.author.name or m.author.handle, NAME_LIMIT).text,
        handle=excerpt(m.author.handle, NAME_LIMIT).text,
        platform=t.platform(m.platform),
        when=t.moment(m.created_at),
        when_iso=m.created_at.isoformat(),
        text=excerpt(m.text, TEXT_LIMIT),
        sentiment=sentiment,
        sentiment_label=t.sentiment(sentiment or "unknown"),
        lang=m.lang,
        queries=m.queries,
        link=link,
        unsafe_link=None if link or not m.url else excerpt(m.url, NAME_LIMIT).text,
    )
