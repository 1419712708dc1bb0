"""YouTube Data API v3 responses as mentions: comment threads, comments, search and videos.

A video is a post whose identity is its video id; its comments are replies
to it: ``thread_id`` is the video and ``parent_id`` the video (for a top-level
comment) or the top-level comment (for a reply). ``comments.list`` replies do
not always name their video; their thread is then unknown.

Comment text is ``textOriginal`` when the API gives it (only to the comment's
author, in practice), otherwise ``textDisplay``, which is HTML and becomes
plain text. Titles and descriptions from ``search.list`` come HTML-escaped.

YouTube display names became ``@handles`` in 2023; older names are not unique,
so an author without an ``@handle`` is known by channel id.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

import msgspec

from ecoute.model import Author, Mention
from ecoute.sources._html import html_to_text
from ecoute.sources._parsing import (
    BadRecord,
    Parsed,
    PayloadError,
    collect,
    count,
    decode_item,
    language,
    moment,
    obj,
    opt_obj,
    opt_str,
    post_text,
    raw_of,
    seq,
    string,
)

PLATFORM = "youtube"
SITE = "https://www.youtube.com"
KINDS = (
    "youtube#commentThreadListResponse",
    "youtube#commentListResponse",
    "youtube#searchListResponse",
    "youtube#videoListResponse",
)


class _Response(msgspec.Struct):
    kind: str = ""
    items: list[msgspec.Raw] = []


_decode_response = msgspec.json.Decoder(_Response).decode


def parse_response(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read a commentThreads, comments, search or videos list response, told by its ``kind``."""
    try:
        response = _decode_response(body)
    except msgspec.DecodeError as exc:
        raise PayloadError(f"the YouTube response is not valid JSON ({exc})") from exc
    readers = {
        KINDS[0]: _thread_mentions,
        KINDS[1]: _comment_item,
        KINDS[2]: _search_item,
        KINDS[3]: _video_item,
    }
    read = readers.get(response.kind)
    if read is None:
        raise PayloadError(
            f"YouTube response kind {response.kind[:60]!r} is not one of {', '.join(KINDS)}"
        )
    parsed = Parsed()
    for i, item in enumerate(response.items, 1):
        collect(parsed, f"item {i}", lambda item=item: read(item, collected_at))
    return parsed


def _thread_mentions(item: msgspec.Raw, collected_at: datetime) -> list[Mention]:
    thread = obj(decode_item(item), "commentThread")
    snippet = obj(thread.get("snippet"), "snippet")
    video = opt_str(snippet.get("videoId"))
    top = obj(snippet.get("topLevelComment"), "snippet.topLevelComment")
    found = [
        comment_mention(
            top, collected_at, video=video, replies=count(snippet.get("totalReplyCount")), raw=item
        )
    ]
    for reply in seq(opt_obj(thread.get("replies")).get("comments")):
        found.append(comment_mention(obj(reply, "reply"), collected_at, video=video))
    return found


def _comment_item(item: msgspec.Raw, collected_at: datetime) -> list[Mention]:
    return [comment_mention(obj(decode_item(item), "comment"), collected_at, raw=item)]


def comment_mention(
    comment: dict[str, Any],
    collected_at: datetime,
    *,
    video: str | None = None,
    replies: int | None = None,
    raw: msgspec.Raw | None = None,
) -> Mention:
    """Turn one Comment resource into a mention; `video` is the video it is under, if known."""
    comment_id = string(comment.get("id"), "id")
    snippet = obj(comment.get("snippet"), "snippet")
    video = video or opt_str(snippet.get("videoId"))
    original = snippet.get("textOriginal")
    if isinstance(original, str):
        text = post_text(original, "textOriginal")
    else:
        text = html_to_text(post_text(snippet.get("textDisplay"), "textDisplay"))
    parent = opt_str(snippet.get("parentId")) or video
    return Mention(
        platform=PLATFORM,
        native_id=comment_id,
        text=text,
        created_at=moment(snippet.get("publishedAt"), "publishedAt"),
        collected_at=collected_at,
        author=_author(
            snippet.get("authorDisplayName"), opt_obj(snippet.get("authorChannelId")).get("value")
        ),
        url=f"{SITE}/watch?v={video}&lc={comment_id}" if video else None,
        likes=count(snippet.get("likeCount")),
        replies=replies,
        thread_id=video,
        parent_id=parent,
        raw=raw if raw is not None else raw_of(comment),
    )


def _search_item(item: msgspec.Raw, collected_at: datetime) -> list[Mention] | None:
    result = obj(decode_item(item), "searchResult")
    ids = opt_obj(result.get("id"))
    if ids.get("kind") != "youtube#video":
        return None  # channels and playlists are not posts
    video_id = string(ids.get("videoId"), "id.videoId")
    return [_video(video_id, obj(result.get("snippet"), "snippet"), {}, collected_at, item)]


def _video_item(item: msgspec.Raw, collected_at: datetime) -> list[Mention]:
    video = obj(decode_item(item), "video")
    video_id = string(video.get("id"), "id")
    snippet = obj(video.get("snippet"), "snippet")
    return [_video(video_id, snippet, opt_obj(video.get("statistics")), collected_at, item)]


def _video(
    video_id: str,
    snippet: dict[str, Any],
    statistics: dict[str, Any],
    collected_at: datetime,
    raw: msgspec.Raw,
) -> Mention:
    # search.list escapes HTML in titles and descriptions; videos.list does not,
    # and a literal "&amp;" in a title is rare enough to read as "&" either way.
    title = html.unescape(post_text(snippet.get("title"), "title")).strip()
    description = html.unescape(post_text(snippet.get("description"), "description")).strip()
    if not title and not description:
        raise BadRecord("the video has neither title nor description")
    lang = language(snippet.get("defaultLanguage"))
    return Mention(
        platform=PLATFORM,
        native_id=video_id,
        text=f"{title}\n\n{description}".strip(),
        created_at=moment(snippet.get("publishedAt"), "publishedAt"),
        collected_at=collected_at,
        author=_author(
            None, snippet.get("channelId"), name=html.unescape(snippet.get("channelTitle") or "")
        ),
        url=f"{SITE}/watch?v={video_id}",
        likes=count(statistics.get("likeCount")),
        replies=count(statistics.get("commentCount")),
        views=count(statistics.get("viewCount")),
        thread_id=video_id,
        raw=raw,
        lang=lang,
        lang_by="source" if lang else None,
    )


def _author(display: Any, channel_id: Any, *, name: str | None = None) -> Author:
    display = opt_str(display)
    channel = opt_str(channel_id)
    handle = display[1:] if display and display.startswith("@") else None
    return Author(
        platform=PLATFORM,
        handle=handle or channel or display or "",
        native_id=channel,
        name=display or name or None,
    )
