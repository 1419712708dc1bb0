"""What every page shares: the navigation, the reader's language and zone, mentions made inert.

A page handler reads its filters with ``filters.read_form`` and hands its own
context to `render`, which adds the rest and remembers a language the reader
chose with ``?lang=`` in a cookie, so it follows them from page to page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from ecoute.model import Mention
from ecoute.store.base import Filter, Store
from ecoute.web.filters import LANG_COOKIE, FilterForm, choices, read_form, translator
from ecoute.web.messages import LOCALES, Translator
from ecoute.web.untrusted import Excerpt, excerpt, web_link

TEXT_LIMIT = 1200  # characters of a post shown in a list; the link leads to the rest
NAME_LIMIT = 80
# (path, message key) in the order of the navigation bar.
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("/", "nav_overview"),
    ("/mentions", "nav_mentions"),
    ("/queries", "nav_queries"),
    ("/share-of-voice", "nav_share"),
    ("/authors", "nav_authors"),
    ("/topics", "nav_topics"),
    ("/platforms", "nav_platforms"),
    ("/live", "nav_live"),
    ("/roi", "nav_roi"),
    ("/reports", "nav_reports"),
)


@dataclass(frozen=True, slots=True)
class MentionView:
    """A mention as a page shows it: content made inert, times written out."""

    author_name: str
    handle: str
    author_url: str
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
    engagement: int
    reach: int | None


def mention_view(m: Mention, t: Translator, root: str = "") -> MentionView:
    """Prepare a mention for a template; the template still escapes every string."""
    link = web_link(m.url)
    sentiment = str(m.sentiment) if m.sentiment else None
    return MentionView(
        author_name=excerpt(m.author.name or m.author.handle, NAME_LIMIT).text,
        handle=excerpt(m.author.handle, NAME_LIMIT).text,
        author_url=author_path(m.platform, m.author.handle, root),
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
        engagement=(m.likes or 0) + (m.reposts or 0) + (m.replies or 0),
        reach=m.reach if m.reach is not None else m.author.followers,
    )


def api_query(where: Filter, match: str = "") -> str:
    """The API's query string for the same mentions a page shows (relative periods made fixed)."""
    from urllib.parse import urlencode

    values = {
        "query": where.query,
        "platform": where.platform,
        "lang": where.lang,
        "sentiment": where.sentiment,
        "author": where.author,
        "since": where.since.isoformat() if where.since else None,
        "until": where.until.isoformat() if where.until else None,
        "q": where.text,
        "match": match or None,
    }
    return urlencode({k: v for k, v in values.items() if v})


def author_path(platform: str, handle: str, root: str = "") -> str:
    """The profile page of an author; the handle is percent-encoded, never trusted as a path."""
    from urllib.parse import quote

    return f"{root}/authors/{quote(platform, safe='')}/{quote(handle, safe='')}"


@dataclass
class PageState:
    """The pieces every page handler starts from."""

    store: Store
    t: Translator
    form: FilterForm
    where: Filter
    now: datetime
    root: str


def start(request: Request, path: str) -> PageState:
    """Read the reader's language, zone and filters for the page at `path`."""
    store: Store = request.app.state.store
    clock: Callable[[], datetime] = request.app.state.clock
    t = translator(request)
    now = clock()
    root = request.scope.get("root_path", "")
    form, where = read_form(request.query_params, t, now, path=root + path)
    return PageState(store=store, t=t, form=form, where=where, now=now, root=root)


def render(
    request: Request,
    template: str,
    state: PageState,
    context: dict[str, Any],
    *,
    active: str,
    status_code: int | None = None,
) -> HTMLResponse:
    """Render `template` with the shared context; 422 when a filter was not understood."""
    t = state.t
    full: dict[str, Any] = {
        "t": t,
        "locale": t.locale,
        "locales": LOCALES,
        "form": state.form,
        "options": choices(state.store, state.form, t),
        "root": state.root,
        "active": active,
        "navigation": [(state.root + p, key) for p, key in NAVIGATION],
        **context,
    }
    code = status_code or (422 if state.form.errors else 200)
    response = request.app.state.templates.TemplateResponse(
        request,
        template,
        full,
        status_code=code,
        headers={"Vary": "Accept-Language, Cookie", "Content-Language": t.locale},
    )
    chosen = request.query_params.get("lang")
    if chosen in LOCALES and chosen != request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
