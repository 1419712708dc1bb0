"""Instagram Graph API payloads as mentions: media (hashtag search, account media) and comments.

Hashtag search returns neither the author nor, unless asked, the time of a
post. The author is then unknown (empty handle). The time is read from the
post's shortcode when ``timestamp`` is absent: an Instagram media id holds its
creation time in milliseconds (its top 41 bits, from Instagram's 2011 epoch),
and the shortcode in ``permalink`` is that id in base 64. A post with neither
is refused with a reason naming the missing field.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from ecoute.model import Author, Mention
from ecoute.sources._parsing import (
    BadRecord,
    Parsed,
    collect,
    count,
    decode_item,
    decode_json,
    moment,
    obj,
    opt_obj,
    opt_str,
    post_text,
    raw_of,
    seq,
    string,
)
from ecoute.sources.facebook import GraphPage, edge_of, read_graph_page

PLATFORM = "instagram"
_SHORTCODE = re.compile(r"instagram\.com/(?:[^/]+/)?(?:p|reel|tv)/([A-Za-z0-9_-]{6,})")
_ALPHABET = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}
_EPOCH_MS = 1_314_220_021_721  # Instagram's id epoch, 2011-08-24T21:07:01.721Z
_FIRST_POST = datetime(2010, 7, 1, tzinfo=UTC)


def parse_response(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read a Graph list of media or of comments, or a ``business_discovery`` response."""
    head = decode_json(body, "the Instagram response")
    if isinstance(head, dict) and isinstance(head.get("business_discovery"), dict):
        return _business_discovery(head["business_discovery"], collected_at)
    page = read_graph_page(body, "the Instagram response")
    edge = edge_of(page)
    if edge and edge[1] in ("comments", "replies"):
        return _comments(page, collected_at, edge[0])
    items = seq(head.get("data")) if isinstance(head, dict) else []
    first = opt_obj(items[0]) if items else {}
    if "text" in first and not {"caption", "media_type", "permalink"} & first.keys():
        return _comments(page, collected_at, None)
    return _media(page, collected_at, None)


def parse_media(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read a list of IG Media (``/{hashtag-id}/top_media``, ``/{user-id}/media``...)."""
    return _media(read_graph_page(body, "the Instagram media"), collected_at, None)


def parse_comments(
    body: bytes | str, *, collected_at: datetime, media_id: str | None = None
) -> Parsed:
    """Read a list of IG Comments (``/{media-id}/comments``); `media_id` names the post if known."""
    page = read_graph_page(body, "the Instagram comments")
    edge = edge_of(page)
    return _comments(page, collected_at, media_id or (edge[0] if edge else None))


def _business_discovery(account: dict[str, Any], collected_at: datetime) -> Parsed:
    owner = Author(
        platform=PLATFORM,
        handle=string(account.get("username"), "business_discovery.username"),
        native_id=opt_str(account.get("id")),
        name=opt_str(account.get("name")),
        followers=count(account.get("followers_count")),
    )
    page = GraphPage(
        data=[
            msgspec.Raw(msgspec.json.encode(m))
            for m in seq(opt_obj(account.get("media")).get("data"))
        ]
    )
    return _media(page, collected_at, owner)


def _media(page: GraphPage, collected_at: datetime, owner: Author | None) -> Parsed:
    parsed = Parsed()
    for i, item in enumerate(page.data, 1):
        collect(
            parsed, f"media {i}", lambda item=item: _media_and_comments(item, collected_at, owner)
        )
    return parsed


def _media_and_comments(
    item: msgspec.Raw, collected_at: datetime, owner: Author | None
) -> list[Mention]:
    media = obj(decode_item(item), "media")
    found = [media_mention(media, collected_at, owner=owner, raw=item)]
    for comment in seq(opt_obj(media.get("comments")).get("data")):
        found.extend(
            _comment_and_replies(obj(comment, "comment"), collected_at, found[0].native_id)
        )
    return found


def media_mention(
    media: dict[str, Any],
    collected_at: datetime,
    *,
    owner: Author | None = None,
    raw: msgspec.Raw | None = None,
) -> Mention:
    """Turn one IG Media object into a mention."""
    media_id = string(media.get("id"), "id")
    permalink = opt_str(media.get("permalink"))
    created = _media_time(media.get("timestamp"), permalink)
    return Mention(
        platform=PLATFORM,
        native_id=media_id,
        text=post_text(media.get("caption"), "caption"),
        created_at=created,
        collected_at=collected_at,
        author=owner or _author(media.get("username"), media.get("owner")),
        url=permalink,
        likes=count(media.get("like_count")),
        replies=count(media.get("comments_count")),
        thread_id=media_id,
        raw=raw if raw is not None else raw_of(media),
    )


def _comments(page: GraphPage, collected_at: datetime, media_id: str | None) -> Parsed:
    parsed = Parsed()
    for i, item in enumerate(page.data, 1):
        collect(
            parsed,
            f"comment {i}",
            lambda item=item: _comment_and_replies(
                obj(decode_item(item), "comment"), collected_at, media_id, raw=item
            ),
        )
    return parsed


def _comment_and_replies(
    comment: dict[str, Any],
    collected_at: datetime,
    media_id: str | None,
    *,
    raw: msgspec.Raw | None = None,
) -> list[Mention]:
    found = [comment_mention(comment, collected_at, media_id, raw=raw)]
    for reply in seq(opt_obj(comment.get("replies")).get("data")):
        found.append(
            comment_mention(obj(reply, "reply"), collected_at, media_id, parent=found[0].native_id)
        )
    return found


def comment_mention(
    comment: dict[str, Any],
    collected_at: datetime,
    media_id: str | None,
    *,
    parent: str | None = None,
    raw: msgspec.Raw | None = None,
) -> Mention:
    """Turn one IG Comment object into a mention; `media_id` is the post commented on."""
    comment_id = string(comment.get("id"), "id")
    thread = opt_str(opt_obj(comment.get("media")).get("id")) or media_id
    who = opt_obj(comment.get("from"))
    return Mention(
        platform=PLATFORM,
        native_id=comment_id,
        text=post_text(comment.get("text"), "text"),
        created_at=moment(comment.get("timestamp"), "timestamp"),
        collected_at=collected_at,
        author=_author(comment.get("username") or who.get("username"), who or comment.get("user")),
        likes=count(comment.get("like_count")),
        thread_id=thread,
        parent_id=opt_str(comment.get("parent_id")) or parent or thread,
        raw=raw if raw is not None else raw_of(comment),
    )


def _author(username: Any, owner: Any) -> Author:
    who = opt_obj(owner)
    return Author(
        platform=PLATFORM,
        handle=opt_str(username) or opt_str(who.get("username")) or opt_str(who.get("id")) or "",
        native_id=opt_str(who.get("id")),
    )


def _media_time(timestamp: Any, permalink: str | None) -> datetime:
    if timestamp is not None:
        return moment(timestamp, "timestamp")
    found = _SHORTCODE.search(permalink or "")
    if found:
        created = shortcode_time(found.group(1))
        if created is not None:
            return created
    raise BadRecord(
        "field 'timestamp' is missing (ask for fields=timestamp) and no shortcode dates it"
    )


def shortcode_time(shortcode: str) -> datetime | None:
    """Return when an Instagram post was made, read from its shortcode; None if implausible."""
    number = 0
    # Shortcodes of private posts carry a suffix after the 11 characters of the id.
    for char in shortcode[:11]:
        number = number * 64 + _ALPHABET[char]
    try:
        created = datetime.fromtimestamp(((number >> 23) + _EPOCH_MS) / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if not _FIRST_POST <= created <= datetime.now(UTC) + timedelta(days=1):
        return None
    return created
