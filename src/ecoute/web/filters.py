"""The filter form every page shares, read from the query string, and the page's language and zone.

Filters travel in the query string of a plain GET form, so a view can be
bookmarked and shared. A filter the page cannot read is named in a message and
ignored, never silently turned into "everything". Dates typed in the form are
days in the reader's time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from urllib.parse import urlencode

from fastapi import Request

from ecoute.analytics.stats import SENTIMENTS
from ecoute.store.base import Aggregate, Filter, Store
from ecoute.web.messages import LOCALES, Translator, negotiate_locale, read_zone
from ecoute.web.untrusted import visible_text

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
DEFAULT_PERIOD = "30d"
LANG_COOKIE = "ecoute_lang"
TZ_COOKIE = "ecoute_tz"
FIELDS = ("query", "platform", "language", "sentiment", "author", "since", "until", "q", "match")


@dataclass
class FilterForm:
    """What the filter form holds, as typed, and what could not be read."""

    query: str = ""
    platform: str = ""
    language: str = ""
    sentiment: str = ""
    author: str = ""
    period: str = DEFAULT_PERIOD
    since: str = ""
    until: str = ""
    q: str = ""
    match: str = ""  # a boolean query in the listening-query language
    group: str = ""  # a group of queries compared in share of voice
    offset: int = 0
    lang: str = ""  # the interface language when chosen with ?lang=
    path: str = ""  # the page the form belongs to, for links
    errors: list[str] = field(default_factory=list)

    def url(self, path: str | None = None, **changes: object) -> str:
        """This page's URL (or `path`'s) with these filters, some changed; empty ones left out."""
        values: dict[str, object] = {
            "lang": self.lang,
            "query": self.query,
            "platform": self.platform,
            "language": self.language,
            "sentiment": self.sentiment,
            "author": self.author,
            "period": "" if self.since or self.until else self.period,
            "since": self.since,
            "until": self.until,
            "q": self.q,
            "match": self.match,
            "group": self.group,
            "offset": self.offset or "",
        }
        values.update(changes)
        if values.get("period") == DEFAULT_PERIOD:
            values["period"] = ""
        kept = {k: v for k, v in values.items() if v not in ("", None, 0)}
        base = self.path if path is None else path
        return base + ("?" + urlencode(kept) if kept else "")

    @property
    def is_filtered(self) -> bool:
        return any(getattr(self, name) for name in FIELDS) or self.period != DEFAULT_PERIOD


def translator(request: Request) -> Translator:
    """The reader's language (``?lang=``, then cookie, then Accept-Language) and time zone."""
    explicit = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    locale = negotiate_locale(explicit, request.headers.get("accept-language"))
    zone = read_zone(request.query_params.get("tz") or request.cookies.get(TZ_COOKIE))
    return Translator(locale, zone or UTC)


def read_form(
    params: Mapping[str, str], t: Translator, now: datetime, *, path: str = ""
) -> tuple[FilterForm, Filter]:
    """Read the filters from the query string; name and drop what cannot be read."""
    form = FilterForm(lang=params.get("lang", "") if params.get("lang") in LOCALES else "")
    form.path = path
    labels = {
        "query": t("filter_query"),
        "platform": t("filter_platform"),
        "language": t("filter_language"),
        "sentiment": t("filter_sentiment"),
        "author": t("filter_author"),
        "period": t("filter_period"),
        "since": t("filter_since"),
        "until": t("filter_until"),
        "q": t("filter_text"),
        "match": t("filter_match"),
        "group": t("column_group"),
    }
    values: dict[str, str] = {}
    for name, label in labels.items():
        value = params.get(name, "").strip()
        if len(value) > MAX_FILTER:
            form.errors.append(t("error_too_long", field=label, limit=MAX_FILTER))
            continue
        values[name] = value
    # A query, platform, language or author may be real and simply not heard yet,
    # so only sentiments form a closed list.
    form.query = values.get("query", "")
    form.platform = values.get("platform", "")
    form.language = values.get("language", "")
    form.author = values.get("author", "")
    form.q = values.get("q", "")
    form.match = values.get("match", "")
    form.group = values.get("group", "")
    sentiment = values.get("sentiment", "")
    if sentiment in ("", *SENTIMENTS):
        form.sentiment = sentiment
    else:
        form.errors.append(t("error_choice", field=labels["sentiment"], value=quote(sentiment)))
    since = _read_date(values.get("since", ""), labels["since"], form, t)
    until = _read_date(values.get("until", ""), labels["until"], form, t)
    start, end = _read_period(values.get("period", ""), since, until, form, t, now, labels)
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
        author=form.author or None,
        since=start,
        until=end,
        text=form.q or None,
    )
    return form, where


def _read_period(
    period: str,
    since: date | None,
    until: date | None,
    form: FilterForm,
    t: Translator,
    now: datetime,
    labels: Mapping[str, str],
) -> tuple[datetime | None, datetime | None]:
    form.since = since.isoformat() if since else ""
    form.until = until.isoformat() if until else ""
    if period and period not in PERIODS and period != "custom":
        form.errors.append(t("error_choice", field=labels["period"], value=quote(period)))
        period = ""
    if (since or until) and period in ("", "custom"):
        form.period = "custom"
        start = _midnight(since, t.tz) if since else None
        # "To" is a day the user wants included, so the period ends the next midnight.
        end = _midnight(until + timedelta(days=1), t.tz) if until else None
        if start and end and end <= start:
            form.errors.append(t("error_order"))
            form.since = form.until = ""
            form.period = DEFAULT_PERIOD
        else:
            return start, end
    else:
        # A relative period chosen in the form wins over dates left in it.
        form.period = period if period in PERIODS else DEFAULT_PERIOD
        form.since = form.until = ""
    span = PERIODS[form.period]
    return (None, None) if span is None else (now - span, now)


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(), tz).astimezone(UTC)


def _read_date(value: str, label: str, form: FilterForm, t: Translator) -> date | None:
    if not value:
        return None
    try:
        # The form sends YYYY-MM-DD; fromisoformat alone would also take "20240531".
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        form.errors.append(t("error_date", field=label, value=quote(value)))
    return day


def quote(value: str) -> str:
    """Show a value the user typed inside a message, made inert and short."""
    return "« " + visible_text(value)[:40] + " »"


def choices(store: Store, form: FilterForm, t: Translator) -> dict[str, list[tuple[str, str]]]:
    """Each select's (value, label) pairs; a chosen value with no mention yet stays listed."""
    saved = store.list_queries()
    found = {
        "query": [q.name for q in saved],
        "group": sorted({q.group for q in saved if q.group}),
        "platform": _values(store, "platform"),
        "language": _values(store, "lang"),
        "sentiment": list(SENTIMENTS),
    }
    labellers: dict[str, Callable[[str], str]] = {
        "query": str,
        "platform": t.platform,
        "language": t.language,
        "sentiment": t.sentiment,
        "group": str,
    }
    options: dict[str, list[tuple[str, str]]] = {}
    for name, label in labellers.items():
        values = list(found[name])
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
