"""RSS 0.9x/1.0/2.0 and Atom feeds as mentions, read by feedparser.

feedparser is handed a stream, so it never opens a path or URL; it drops DTD entity
declarations it does not know to be harmless (no "billion laughs", no external
entities) and sanitises HTML. The HTML it keeps is still turned into plain
text here, never rendered. Feeds larger than `MAX_FEED_BYTES` are refused
before parsing.

A feed entry's identity is its ``id``/``guid`` when that is globally unique (a
URL, a ``urn:`` or ``tag:`` URI), else the feed's address joined to it, else
the entry's link. Its time is ``published``, else ``updated``, else
``created``, else the feed's own date; an entry with no date at all is dated
when it was collected. ``lang_by="source"`` comes from the feed's declared
language, which publishers set once for the whole feed.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import time
from datetime import UTC, datetime
from typing import Any, ClassVar

import feedparser
import httpx
import msgspec
from pydantic import Field

from ecoute.model import Author, Mention, now
from ecoute.sources._config import HttpUrl, SourceConfig
from ecoute.sources._html import html_to_text
from ecoute.sources._parsing import (
    Parsed,
    PayloadError,
    collect,
    language,
    opt_str,
    post_text,
)
from ecoute.sources.base import Cursor, Page, Rejected
from ecoute.sources.http import fetch, redact

PLATFORM = "rss"
MAX_FEED_BYTES = 32 << 20  # 32 MiB: feeds are small; a larger "feed" is refused, not parsed
_GLOBAL_IDS = ("http://", "https://", "urn:", "tag:")
_RAW_FIELDS = (
    "id", "title", "link", "links", "author", "author_detail", "published", "updated", "created",
    "summary", "content", "tags",
)  # fmt: skip


def parse_feed(body: bytes, *, collected_at: datetime) -> Parsed:
    """Read one feed document (the bytes as served: feedparser reads its encoding)."""
    if len(body) > MAX_FEED_BYTES:
        raise PayloadError(
            f"the feed is {len(body):,} bytes; feeds over {MAX_FEED_BYTES:,} bytes are refused"
        )
    # A stream, never bytes or a string: feedparser opens a string or bytes
    # that name a path or URL, so a hostile "feed" could make it read a file.
    document = feedparser.parse(
        io.BytesIO(body), sanitize_html=True, resolve_relative_uris=True, response_headers={}
    )
    version = document.get("version") or ""
    if not version and not document.entries:
        reason = document.get("bozo_exception")
        raise PayloadError(f"not an RSS or Atom feed ({reason or 'no feed element found'})")
    feed = document.feed
    feed_key = (
        opt_str(feed.get("link")) or opt_str(feed.get("id")) or opt_str(feed.get("title")) or ""
    )
    feed_time = _struct(feed.get("updated_parsed") or feed.get("published_parsed"))
    lang = language(feed.get("language"))
    parsed = Parsed()
    for i, entry in enumerate(document.entries, 1):
        collect(
            parsed,
            f"entry {i}",
            lambda e=entry: [_entry(e, feed, feed_key, feed_time, lang, collected_at)],
        )
    return parsed


def _entry(
    entry: Any,
    feed: Any,
    feed_key: str,
    feed_time: datetime | None,
    lang: str | None,
    collected_at: datetime,
) -> Mention:
    link = opt_str(entry.get("link"))
    title = html_to_text(post_text(entry.get("title"), "title"))
    body = html_to_text(_body(entry))
    created = (
        _struct(entry.get("published_parsed"))
        or _struct(entry.get("updated_parsed"))
        or _struct(entry.get("created_parsed"))
        or feed_time
        or collected_at
    )
    author_name = (
        opt_str(entry.get("author"))
        or opt_str(entry.get("author_detail", {}).get("name"))
        or opt_str(feed.get("author"))
        or opt_str(feed.get("title"))
        or feed_key
    )
    return Mention(
        platform=PLATFORM,
        native_id=_identity(entry, feed_key, link, title, created),
        text=post_text("\n\n".join(part for part in (title, body) if part), "text"),
        created_at=created,
        collected_at=collected_at,
        author=Author(
            platform=PLATFORM,
            handle=author_name,
            native_id=opt_str(entry.get("author_detail", {}).get("href")),
            name=author_name,
        ),
        url=link,
        raw=msgspec.Raw(msgspec.json.encode({k: entry[k] for k in _RAW_FIELDS if k in entry})),
        lang=lang,
        lang_by="source" if lang else None,
    )


def _body(entry: Any) -> str:
    # content:encoded / Atom content holds the whole post; summary is often a teaser.
    for content in entry.get("content") or []:
        value = content.get("value")
        if isinstance(value, str) and value.strip():
            return value
    summary = entry.get("summary")
    return summary if isinstance(summary, str) else ""


def _identity(entry: Any, feed_key: str, link: str | None, title: str, created: datetime) -> str:
    guid = opt_str(entry.get("id"))
    if guid and guid.startswith(_GLOBAL_IDS):
        return guid
    if guid and feed_key:
        return f"{feed_key}#{guid}"
    if link:
        return link
    # Nothing names the entry: its feed, title and date do, stably across re-reads.
    digest = hashlib.sha256(f"{feed_key}\n{title}\n{created.isoformat()}".encode()).hexdigest()
    return f"{feed_key}#sha256:{digest[:32]}"


def _struct(value: time.struct_time | None) -> datetime | None:
    # feedparser normalises every date it understands to a UTC struct_time.
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, OSError, ValueError):
        return None


# -- collector ----------------------------------------------------------------------------
class FeedSource:
    """Any RSS or Atom feed (blogs, news, forums), read on its own schedule; no account needed."""

    name: ClassVar[str] = "rss"

    class Config(SourceConfig):
        url: HttpUrl = Field(description="The feed's address.")
        every: float = Field(
            900, ge=1, le=7 * 86400,
            description="Seconds between two reads of this feed (checked at each poll interval).",
        )  # fmt: skip

    def __init__(self, config: Config, http: httpx.Client) -> None:
        self.config = config
        self.http = http

    def fetch(self, cursor: Cursor | None) -> Page:
        """Read the feed if it is due, with a conditional GET; a 304 is an empty page."""
        state = dict(cursor) if isinstance(cursor, dict) else {}
        checked = state.get("checked")
        if isinstance(checked, int | float) and time.time() - checked < self.config.every:
            return Page(mentions=[], cursor=state, exhausted=True)
        headers = {}
        if isinstance(state.get("etag"), str):
            headers["If-None-Match"] = state["etag"]
        if isinstance(state.get("modified"), str):
            headers["If-Modified-Since"] = state["modified"]
        got = fetch(self.http, self.config.url, headers=headers, max_bytes=MAX_FEED_BYTES)
        state["checked"] = time.time()
        if got.status == 304:
            return Page(mentions=[], cursor=state, exhausted=True)
        # A server that drops its validators must not keep us sending stale ones.
        state["etag"] = got.headers.get("ETag")
        state["modified"] = got.headers.get("Last-Modified")
        try:
            parsed = parse_feed(got.body, collected_at=now())
        except PayloadError as exc:
            # Reported like a bad record, and read again when next due: a feed
            # served broken once is usually fixed by its publisher, not by hammering.
            return Page(mentions=[], cursor=state, exhausted=True,
                        rejected=[Rejected(redact(self.config.url), str(exc))])  # fmt: skip
        return parsed.page(state, exhausted=True)
