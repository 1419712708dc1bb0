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

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import msgspec

from ecoute.model import Author, Mention
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
