"""Mastodon statuses, notifications, conversations and streaming events as mentions.

A status's identity is its ``id`` on the instance it was read from: Mastodon ids
are local to an instance, and the streaming ``delete`` event names the deleted
post only by that id, so this is the id a tombstone can match. A workspace thus
listens to Mastodon through one home instance (a post read through two
instances is two mentions; near-duplicate detection groups them).

Handles are made whole (``user@instance``) so one person is one author across
instances. ``content`` is HTML written by a stranger: it becomes plain text.
A boost (reblog) is heard as the boosted status itself, which holds the text.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx
import msgspec
from pydantic import Field, SecretStr, field_validator, model_validator

from ecoute.model import Author, Mention, now
from ecoute.sources._config import HttpUrl, SourceConfig, WsUrl
from ecoute.sources._html import html_to_text
from ecoute.sources._parsing import (
    Parsed,
    PayloadError,
    collect,
    count,
    decode_item,
    decode_json,
    language,
    moment,
    obj,
    opt_obj,
    opt_str,
    post_text,
    raw_items,
    raw_of,
    string,
    tombstone,
)
from ecoute.sources._websocket import open_stream, read_batches
from ecoute.sources.base import Cursor, Page, Rejected, SourceError
from ecoute.sources.http import Fetched, fetch

PLATFORM = "mastodon"
# Notifications that carry someone else's post; favourites, boosts and polls
# carry our own post and follows carry none.
POST_NOTIFICATIONS = frozenset({"mention", "status", "update", "quote"})


def parse_statuses(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read a JSON array of Status entities (timelines, search, account statuses)."""
    parsed = Parsed()
    for i, item in enumerate(raw_items(body, "the Mastodon statuses"), 1):
        collect(parsed, f"status {i}", lambda item=item: [_from_raw(item, collected_at)])
    return parsed


def parse_status(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read one Status entity (GET /api/v1/statuses/:id)."""
    parsed = Parsed()
    collect(parsed, "status", lambda: [_from_raw(msgspec.Raw(_bytes(body)), collected_at)])
    return parsed


def parse_context(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read a Context (GET /api/v1/statuses/:id/context): ancestors then descendants."""
    doc = decode_json(body, "the Mastodon context")
    if not isinstance(doc, dict):
        raise PayloadError("a Mastodon context is a JSON object with ancestors and descendants")
    parsed = Parsed()
    for part in ("ancestors", "descendants"):
        for i, status in enumerate(doc.get(part) or [], 1):
            collect(parsed, f"{part} {i}", lambda s=status: [status_mention(s, collected_at)])
    return parsed


def parse_notifications(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read a JSON array of Notifications; those carrying someone's post become mentions."""
    parsed = Parsed()
    for i, item in enumerate(raw_items(body, "the Mastodon notifications"), 1):
        collect(parsed, f"notification {i}", lambda item=item: _notification(item, collected_at))
    return parsed


def parse_conversations(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read a JSON array of Conversations (direct messages); each gives its last status."""
    parsed = Parsed()
    for i, item in enumerate(raw_items(body, "the Mastodon conversations"), 1):
        collect(parsed, f"conversation {i}", lambda item=item: _conversation(item, collected_at))
    return parsed


def parse_stream_message(line: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read one WebSocket streaming message: ``{"stream": [...], "event": ..., "payload": ...}``.

    ``update`` and ``status.update`` carry a status (as a JSON string); ``delete``
    carries the id of a status its author deleted, which becomes a tombstone.
    Other events (notifications, filters, announcements) are skipped.
    """
    parsed = Parsed()
    collect(parsed, "event", lambda: _stream_event(decode_item(_bytes(line)), collected_at))
    return parsed


def _bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def _from_raw(item: msgspec.Raw, collected_at: datetime) -> Mention:
    status = obj(decode_item(item), "status")
    if isinstance(status.get("reblog"), dict):
        return status_mention(status["reblog"], collected_at)
    return status_mention(status, collected_at, raw=item)


def _notification(item: msgspec.Raw, collected_at: datetime) -> list[Mention] | None:
    notification = obj(decode_item(item), "notification")
    kind = notification.get("type")
    if kind not in POST_NOTIFICATIONS or not isinstance(notification.get("status"), dict):
        return None
    return [status_mention(notification["status"], collected_at)]


def _conversation(item: msgspec.Raw, collected_at: datetime) -> list[Mention] | None:
    conversation = obj(decode_item(item), "conversation")
    last = conversation.get("last_status")
    if not isinstance(last, dict):
        return None
    return [status_mention(last, collected_at)]


def _stream_event(message: Any, collected_at: datetime) -> list[Mention] | None:
    message = obj(message, "message")
    event = message.get("event")
    payload = message.get("payload")
    if event in ("update", "status.update"):
        if isinstance(payload, str):
            return [_from_raw(msgspec.Raw(payload.encode("utf-8")), collected_at)]
        return [status_mention(obj(payload, "payload"), collected_at)]
    if event == "delete":
        status_id = string(payload, "payload")
        return [tombstone(PLATFORM, status_id, collected_at, collected_at)]
    return None


def status_mention(
    status: dict[str, Any], collected_at: datetime, *, raw: msgspec.Raw | None = None
) -> Mention:
    """Turn one decoded Status entity into a mention."""
    status_id = string(status.get("id"), "id")
    account = obj(status.get("account"), "account")
    text = html_to_text(post_text(status.get("content"), "content"))
    warning = post_text(status.get("spoiler_text"), "spoiler_text").strip()
    if warning:
        # The content warning is what every reader sees first; it often names the topic.
        text = f"{warning}\n\n{text}" if text else warning
    poll = opt_obj(status.get("poll"))
    options = [o.get("title") for o in poll.get("options") or [] if isinstance(o, dict)]
    if options:
        text = "\n".join([text, *(f"- {o}" for o in options if isinstance(o, str))]).strip()
    parent = opt_str(status.get("in_reply_to_id"))
    lang = language(status.get("language"))
    return Mention(
        platform=PLATFORM,
        native_id=status_id,
        text=text,
        created_at=moment(status.get("created_at"), "created_at"),
        collected_at=collected_at,
        author=account_author(account),
        url=opt_str(status.get("url")) or opt_str(status.get("uri")),
        likes=count(status.get("favourites_count")),
        reposts=count(status.get("reblogs_count")),
        replies=count(status.get("replies_count")),
        # The root of a reply chain is not in a Status; a status that replies to
        # nothing is the root of its own thread.
        thread_id=None if parent else status_id,
        parent_id=parent,
        raw=raw if raw is not None else raw_of(status),
        lang=lang,
        lang_by="source" if lang else None,
    )


def account_author(account: dict[str, Any]) -> Author:
    """Return the author of an Account entity, with a whole ``user@instance`` handle."""
    acct = string(account.get("acct") or account.get("username"), "account.acct")
    if "@" not in acct:
        # Local accounts have a bare acct; their instance is the host of their profile URL.
        host = urlsplit(opt_str(account.get("url")) or "").netloc
        if host:
            acct = f"{acct}@{host}"
    return Author(
        platform=PLATFORM,
        handle=acct,
        native_id=opt_str(account.get("id")),
        name=opt_str(account.get("display_name")),
        followers=count(account.get("followers_count")),
    )


# -- collectors ---------------------------------------------------------------------------
MAX_PAGE_BYTES = 8 << 20
_HASHTAG = re.compile(r"^\w{1,100}$")
_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?(\w+)"?')


class _Item(msgspec.Struct):
    id: str = ""


class _Found(msgspec.Struct):
    statuses: list[msgspec.Raw] = []


_decode_ids = msgspec.json.Decoder(list[_Item]).decode
_decode_found = msgspec.json.Decoder(_Found).decode


def id_key(status_id: str) -> tuple[int, str]:
    """Sort key of Mastodon ids: numbers as text, so a longer one is a later one."""
    return (len(status_id), status_id)


def link_param(header: str | None, rel: str, name: str) -> str | None:
    """Return query parameter `name` of the `rel` link in a Link header (Mastodon paging)."""
    for url, found in _LINK.findall(header or ""):
        if found == rel:
            values = parse_qs(urlsplit(url).query).get(name)
            return values[0] if values else None
    return None


class TimelineConfig(SourceConfig):
    """What both Mastodon collectors listen to: an instance's public or hashtag timeline."""

    instance: HttpUrl = Field(description="The instance, e.g. https://mastodon.social.")
    token: SecretStr | None = Field(None, description="An access token (read scope).")
    tag: str | None = Field(None, description="A hashtag's timeline instead of the public one.")
    local: bool = Field(False, description="Only posts of the instance's own accounts.")
    remote: bool = Field(False, description="Only posts from other instances.")
    page_size: int = Field(40, ge=1, le=40, description="Statuses per request (Mastodon: 40).")
    max_pages: int = Field(10, ge=1, le=1000, description="Requests per poll, at most.")

    @field_validator("tag")
    @classmethod
    def _hashtag(cls, tag: str | None) -> str | None:
        if tag is None:
            return None
        tag = tag.removeprefix("#")
        if not _HASHTAG.match(tag):
            raise ValueError(f"not a hashtag: {tag[:40]!r}")
        return tag

    @model_validator(mode="after")
    def _one_scope(self) -> TimelineConfig:
        if self.local and self.remote:
            raise ValueError("local and remote exclude each other")
        return self

    def timeline(self) -> tuple[str, dict[str, Any]]:
        """Return the REST path and parameters of the timeline listened to."""
        params: dict[str, Any] = {"limit": self.page_size}
        if self.local:
            params["local"] = "true"
        if self.remote:
            params["remote"] = "true"
        if self.tag:
            return f"/api/v1/timelines/tag/{quote(self.tag)}", params
        return "/api/v1/timelines/public", params

    def auth(self) -> dict[str, str]:
        """Return the Authorization header when a token is set."""
        if self.token is None:
            return {}
        return {"Authorization": f"Bearer {self.token.get_secret_value()}"}


class MastodonSource:
    """Mastodon posts of a public or hashtag timeline, or a search (polling; token optional)."""

    name: ClassVar[str] = "mastodon"

    class Config(TimelineConfig):
        search: str | None = Field(None, description="A full-text search (needs a token).")

        @model_validator(mode="after")
        def _search_needs_token(self) -> MastodonSource.Config:
            if self.search and self.token is None:
                raise ValueError("a search needs a token: Mastodon only searches for accounts")
            if self.search and self.tag:
                raise ValueError("set a tag or a search, not both")
            return self

    def __init__(self, config: TimelineConfig, http: httpx.Client) -> None:
        self.config = config
        self.http = http

    def fetch(self, cursor: Cursor | None) -> Page:
        """Return the statuses right after the cursor's `min_id` (the newest ones at first)."""
        min_id = cursor.get("min_id") if isinstance(cursor, dict) else None
        if getattr(self.config, "search", None):
            return self._search(min_id)
        path, params = self.config.timeline()
        if isinstance(min_id, str):
            params["min_id"] = min_id  # the page right after it, oldest first: no gap
        got = self._get(path, params)
        try:
            items = _decode_ids(got.body)
            parsed = parse_statuses(got.body, collected_at=now())
        except (PayloadError, msgspec.DecodeError) as exc:
            raise SourceError(f"{self.config.instance}{path}: {exc}") from None
        # Paging ids come from the Link header: a boost's id is not the id of
        # the status heard, and some timelines page by ids of their own.
        ids = [i.id for i in items if i.id]
        newest = link_param(got.headers.get("Link"), "prev", "min_id")
        if newest is None and ids:
            newest = max(ids, key=id_key)
        newest = newest or min_id
        return parsed.page(
            {"min_id": newest} if isinstance(newest, str) else None,
            exhausted=len(items) < self.config.page_size or not isinstance(min_id, str),
        )

    def _search(self, min_id: Any) -> Page:
        # Search results come newest first; page down to the cursor so none is skipped.
        parsed, ids, max_id = Parsed(), [], None
        for _ in range(self.config.max_pages):
            params: dict[str, Any] = {"q": self.config.search, "type": "statuses",
                                      "limit": self.config.page_size}  # fmt: skip
            if isinstance(min_id, str):
                params["min_id"] = min_id
            if max_id:
                params["max_id"] = max_id
            got = self._get("/api/v2/search", params)
            try:
                found = _decode_found(got.body).statuses
                body = b"[" + b",".join(found) + b"]"
                page_ids = [i.id for i in _decode_ids(body) if i.id]
                parsed.extend(parse_statuses(body, collected_at=now()))
            except (PayloadError, msgspec.DecodeError) as exc:
                raise SourceError(f"{self.config.instance} search: {exc}") from None
            ids += page_ids
            if len(found) < self.config.page_size or not isinstance(min_id, str) or not page_ids:
                break
            max_id = min(page_ids, key=id_key)
        newest = max([*ids, *([min_id] if isinstance(min_id, str) else [])], key=id_key,
                     default=None)  # fmt: skip
        return parsed.page({"min_id": newest} if newest else None, exhausted=True)

    def _get(self, path: str, params: dict[str, Any]) -> Fetched:
        return fetch(self.http, f"{self.config.instance}{path}", params=params,
                     headers=self.config.auth(), max_bytes=MAX_PAGE_BYTES)  # fmt: skip


class MastodonStreamSource:
    """Mastodon posts, edits and deletions as they happen (WebSocket streaming; token needed)."""

    name: ClassVar[str] = "mastodon-stream"

    class Config(TimelineConfig):
        token: SecretStr = Field(description="An access token (read scope): Mastodon 4.2+ asks.")
        streaming_url: WsUrl | None = Field(
            None, description="The streaming server, when not the instance's /api/v1/streaming."
        )
        batch_events: int = Field(200, ge=1, le=10_000, description="Events per stored page.")
        batch_seconds: float = Field(1.0, gt=0, le=60, description="Longest wait for a page.")
        max_message_bytes: int = Field(1 << 20, ge=4096, le=16 << 20)

        @model_validator(mode="after")
        def _streamable(self) -> MastodonStreamSource.Config:
            if self.tag and self.remote:
                raise ValueError("Mastodon streams a hashtag locally or everywhere, not remote")
            return self

    def __init__(self, config: Config, http: httpx.Client) -> None:
        self.config = config
        self.http = http
        self._stopped = threading.Event()

    def stop(self) -> None:
        """Ask a running `stream` to store what it heard and return."""
        self._stopped.set()

    def stream_url(self) -> str:
        """Return the WebSocket address and stream name of the timeline listened to."""
        c = self.config
        base = c.streaming_url or (
            c.instance.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
            + "/api/v1/streaming"
        )
        name = ("hashtag" if c.tag else "public") + (":local" if c.local else "")
        if c.remote:
            name += ":remote"
        params = {"stream": name, **({"tag": c.tag} if c.tag else {})}
        return f"{base}?{urlencode(params)}"

    def stream(self, cursor: Cursor | None) -> Iterator[Page]:
        """Catch up on what was missed since `cursor` over REST, then yield the stream's pages.

        Mastodon's stream cannot replay: the socket is opened first, so nothing
        falls between the catch-up and the stream; overlaps are stored once.
        Deletions and edits made while disconnected are not heard.
        """
        last = cursor.get("min_id") if isinstance(cursor, dict) else None
        last = last if isinstance(last, str) else None
        with open_stream(self.http, self.stream_url(), headers=self.config.auth(),
                         max_bytes=self.config.max_message_bytes) as ws:  # fmt: skip
            if last is not None:
                poller = MastodonSource(self.config, self.http)
                for _ in range(self.config.max_pages):
                    page = poller.fetch({"min_id": last})
                    last = page.cursor["min_id"] if page.cursor else last
                    yield page
                    if page.exhausted or self._stopped.is_set():
                        break
            for batch in read_batches(ws, self._stopped, max_messages=self.config.batch_events,
                                      max_seconds=self.config.batch_seconds):  # fmt: skip
                collected_at = now()
                parsed = Parsed()
                for i, message in enumerate(batch, 1):
                    one = parse_stream_message(message, collected_at=collected_at)
                    one.rejected = [Rejected(f"message {i} of a batch after status {last}",
                                             r.reason) for r in one.rejected]  # fmt: skip
                    parsed.extend(one)
                heard = [m.native_id for m in parsed.mentions if not m.is_deleted]
                if heard:
                    last = max([*heard, *([last] if last else [])], key=id_key)
                yield parsed.page({"min_id": last} if last else None)
