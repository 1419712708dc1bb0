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
import re
import time
from datetime import datetime
from typing import Any, ClassVar

import httpx
import msgspec
from pydantic import Field, SecretStr, model_validator

from ecoute.model import Author, Mention, now
from ecoute.sources import _rounds as rounds
from ecoute.sources._config import HttpUrl, SourceConfig, StrList
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
from ecoute.sources.base import Cursor, Page, SourceError
from ecoute.sources.http import fetch

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


# -- collector ----------------------------------------------------------------------------
_VIDEO = re.compile(r"^[A-Za-z0-9_-]{11}$")
_CHANNEL = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
MAX_RESPONSE_BYTES = 8 << 20


class _Thread(msgspec.Struct):
    # Loosely typed: a malformed thread is reported by the parser, not here.
    id: Any = None
    snippet: Any = None
    replies: Any = None


class _Listing(msgspec.Struct):
    items: list[_Thread] = []
    nextPageToken: str | None = None  # the API's own spelling


_decode_listing = msgspec.json.Decoder(_Listing).decode


class YouTubeSource:
    """Comments on chosen YouTube videos, or on all of a channel's videos (needs an API key)."""

    name: ClassVar[str] = "youtube"

    class Config(SourceConfig):
        api_key: SecretStr = Field(description="A YouTube Data API v3 key.")
        videos: StrList = Field(default_factory=list, description="Video ids (11 characters).")
        channels: StrList = Field(default_factory=list, description="Channel ids (UC...).")
        all_replies: bool = Field(
            False, description="Fetch every reply of threads with more than the 5 included "
            "(one more quota unit per such thread and poll).",
        )  # fmt: skip
        base_url: HttpUrl = "https://www.googleapis.com/youtube/v3"
        lag_seconds: float = Field(
            86400, ge=0, le=30 * 86400, description="Each poll re-reads this far back (edits)."
        )
        max_pages: int = Field(10, ge=1, le=100, description="Pages of 100 threads per poll.")

        @model_validator(mode="after")
        def _targets(self) -> YouTubeSource.Config:
            bad = [v for v in self.videos if not _VIDEO.match(v)]
            bad += [c for c in self.channels if not _CHANNEL.match(c)]
            if bad:
                raise ValueError(f"not video or channel ids: {', '.join(bad[:5])}")
            if not self.videos and not self.channels:
                raise ValueError("set videos, channels, or both")
            return self

    def __init__(self, config: Config, http: httpx.Client) -> None:
        self.config = config
        self.http = http
        self.feeds = [f"video:{v}" for v in config.videos]
        self.feeds += [f"channel:{c}" for c in config.channels]

    def fetch(self, cursor: Cursor | None) -> Page:
        """Read the next target's comment threads, newest first, down to the last poll's window."""
        feed, state = rounds.current(cursor, self.feeds)
        kind, _, target = feed.partition(":")
        newest = state.get("newest")
        floor = newest - self.config.lag_seconds if isinstance(newest, int | float) else None
        parsed, page_token = Parsed(), None
        params: dict[str, Any] = {
            "part": "snippet,replies", "order": "time", "maxResults": 100, "textFormat": "html",
            ("videoId" if kind == "video" else "allThreadsRelatedToChannelId"): target,
        }  # fmt: skip
        for _ in range(self.config.max_pages):
            body = self._get("commentThreads", {**params, "pageToken": page_token})
            try:
                listing = _decode_listing(body)
                one = parse_response(body, collected_at=now())
            except (PayloadError, msgspec.DecodeError) as exc:
                raise SourceError(f"YouTube {feed}: {exc}") from None
            parsed.extend(one)
            if self.config.all_replies:
                for thread in listing.items:
                    self._more_replies(thread, parsed)
            page_token = listing.nextPageToken
            tops = [m.created_at.timestamp() for m in one.mentions if m.parent_id == m.thread_id]
            if floor is None or not page_token or not tops or min(tops) < floor:
                break
        ceiling = time.time() + 60
        times = [min(m.created_at.timestamp(), ceiling) for m in parsed.mentions]
        if times or newest:
            state = {"newest": max([*times, newest or 0.0])}
        next_cursor, exhausted = rounds.advance(cursor, self.feeds, feed, state)
        return parsed.page(next_cursor, exhausted=exhausted)

    def _more_replies(self, thread: _Thread, parsed: Parsed) -> None:
        snippet = opt_obj(thread.snippet)
        total = count(snippet.get("totalReplyCount")) or 0
        if not isinstance(thread.id, str) or total <= len(
            seq(opt_obj(thread.replies).get("comments"))
        ):
            return
        video = opt_str(snippet.get("videoId"))
        body = self._get("comments", {"part": "snippet", "parentId": thread.id,
                                      "maxResults": 100, "textFormat": "html"})  # fmt: skip
        try:
            replies = _decode_response(body).items
        except msgspec.DecodeError as exc:
            raise SourceError(f"YouTube replies of {thread.id}: {exc}") from None
        for i, item in enumerate(replies, 1):
            collect(parsed, f"reply {i} of {thread.id}", lambda item=item: [
                comment_mention(obj(decode_item(item), "comment"), now(), video=video, raw=item)
            ])  # fmt: skip

    def _get(self, method: str, params: dict[str, Any]) -> bytes:
        # The key travels as a query parameter, which fetch never shows in errors.
        params = {k: v for k, v in params.items() if v is not None}
        params["key"] = self.config.api_key.get_secret_value()
        return fetch(self.http, f"{self.config.base_url}/{method}", params=params,
                     max_bytes=MAX_RESPONSE_BYTES).body  # fmt: skip
