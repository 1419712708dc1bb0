"""Posts captured in the browser by Zeeschuimer (the 4CAT companion extension), as mentions.

Zeeschuimer exports NDJSON, one captured item per line::

    {"nav_index": "1:2:0", "item_id": "...", "timestamp_collected": 1700000000000,
     "source_platform": "x.com", "source_platform_url": "https://x.com/search?q=...",
     "source_url": "https://x.com/i/api/graphql/...", "user_agent": "...",
     "data": { ...the item as the site's own web API returned it... }}

``data`` is each site's internal, undocumented JSON, which changes without
notice. The shapes read here are those 4CAT maps for the same sites:

* ``x.com``/``twitter.com``: a GraphQL ``Tweet`` (``rest_id``, ``legacy``,
  ``core.user_results``, ``views``, ``note_tweet``), possibly wrapped in
  ``TweetWithVisibilityResults``;
* ``instagram.com``: a media item (``code``, ``taken_at``, ``caption.text``,
  ``user``), or the older GraphQL node (``shortcode``, ``taken_at_timestamp``,
  ``edge_media_to_caption``);
* ``tiktok.com``: an item (``id``, ``desc``, ``createTime``, ``author``, ``stats``);
* ``threads.net``/``threads.com``: a post (``code``, ``taken_at``, ``caption.text``,
  ``user``, ``text_post_app_info``).

Items of other sites (LinkedIn, Pinterest, Douyin, 9GAG...) are reported as
not supported, one line each, and the file goes on. Ids are the sites' web
ids, which differ from their official APIs' ids for Instagram and Threads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from ecoute.model import Author, Mention
from ecoute.sources._parsing import (
    BadRecord,
    Parsed,
    collect,
    count,
    decode_item,
    epoch,
    language,
    moment,
    obj,
    opt_obj,
    opt_str,
    post_text,
    seq,
    string,
)
from ecoute.sources.twitter import readable, tweet_url

SITES = {
    "x.com": "twitter",
    "twitter.com": "twitter",
    "instagram.com": "instagram",
    "tiktok.com": "tiktok",
    "threads.net": "threads",
    "threads.com": "threads",
}


def is_capture(record: Any) -> bool:
    """Tell whether a decoded line looks like a Zeeschuimer capture."""
    return isinstance(record, dict) and "source_platform" in record and "data" in record and (
        "item_id" in record or "nav_index" in record or "timestamp_collected" in record
    )  # fmt: skip


def parse_capture(line: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read one line of a Zeeschuimer NDJSON export."""
    raw = line.encode("utf-8") if isinstance(line, str) else line
    parsed = Parsed()
    collect(parsed, "item", lambda: [_capture(raw, collected_at)])
    return parsed


def _capture(raw: bytes, collected_at: datetime) -> Mention:
    record = obj(decode_item(raw), "capture")
    site = string(record.get("source_platform"), "source_platform").lower().removeprefix("www.")
    platform = SITES.get(site)
    if platform is None:
        raise BadRecord(
            f"captures from {site[:40]!r} are not supported; supported: {', '.join(sorted(SITES))}"
        )
    data = obj(record.get("data"), "data")
    stamp = record.get("timestamp_collected")
    seen = epoch(stamp, "timestamp_collected") if isinstance(stamp, int | float) else collected_at
    reader = {"twitter": _tweet, "instagram": _instagram, "tiktok": _tiktok, "threads": _threads}
    return reader[platform](data, seen, msgspec.Raw(raw))


def _tweet(data: dict[str, Any], seen: datetime, raw: msgspec.Raw) -> Mention:
    if data.get("__typename") == "TweetWithVisibilityResults":
        data = obj(data.get("tweet"), "tweet")
    legacy = obj(data.get("legacy"), "legacy")
    tweet_id = string(data.get("rest_id") or legacy.get("id_str"), "rest_id")
    user = opt_obj(opt_obj(opt_obj(data.get("core")).get("user_results")).get("result"))
    user_legacy, user_core = opt_obj(user.get("legacy")), opt_obj(user.get("core"))
    handle = opt_str(user_core.get("screen_name")) or opt_str(user_legacy.get("screen_name"))
    note = opt_obj(opt_obj(opt_obj(data.get("note_tweet")).get("note_tweet_results")).get("result"))
    body = post_text(note.get("text") or legacy.get("full_text"), "legacy.full_text")
    text = readable(body, seq(opt_obj(legacy.get("entities")).get("urls")))
    parent = opt_str(legacy.get("in_reply_to_status_id_str"))
    lang = language(legacy.get("lang"))
    return Mention(
        platform="twitter",
        native_id=tweet_id,
        text=text,
        created_at=moment(legacy.get("created_at"), "legacy.created_at"),
        collected_at=seen,
        author=Author(
            platform="twitter",
            handle=handle or opt_str(user.get("rest_id")) or "",
            native_id=opt_str(user.get("rest_id")),
            name=opt_str(user_core.get("name")) or opt_str(user_legacy.get("name")),
            followers=count(user_legacy.get("followers_count")),
        ),
        url=tweet_url(handle or "", tweet_id),
        likes=count(legacy.get("favorite_count")),
        reposts=count(legacy.get("retweet_count")),
        replies=count(legacy.get("reply_count")),
        views=count(opt_obj(data.get("views")).get("count")),
        thread_id=opt_str(legacy.get("conversation_id_str")) or (None if parent else tweet_id),
        parent_id=parent,
        raw=raw,
        lang=lang,
        lang_by="source" if lang else None,
    )


def _instagram(data: dict[str, Any], seen: datetime, raw: msgspec.Raw) -> Mention:
    node = opt_obj(data.get("node")) or data
    code = string(node.get("code") or node.get("shortcode"), "code")
    user = opt_obj(node.get("user")) or opt_obj(node.get("owner"))
    caption = opt_obj(node.get("caption")).get("text")
    if caption is None:
        edges = seq(opt_obj(node.get("edge_media_to_caption")).get("edges"))
        caption = opt_obj(opt_obj(edges[0]).get("node")).get("text") if edges else ""
    handle = opt_str(user.get("username"))
    likes = node.get("like_count", opt_obj(node.get("edge_media_preview_like")).get("count"))
    comments = node.get("comment_count", opt_obj(node.get("edge_media_to_comment")).get("count"))
    return Mention(
        platform="instagram",
        native_id=string(node.get("id") or node.get("pk"), "id"),
        text=post_text(caption, "caption.text"),
        created_at=moment(node.get("taken_at", node.get("taken_at_timestamp")), "taken_at"),
        collected_at=seen,
        author=Author(
            platform="instagram",
            handle=handle or opt_str(user.get("pk") or user.get("id")) or "",
            native_id=opt_str(user.get("pk") or user.get("id")),
            name=opt_str(user.get("full_name")),
        ),
        url=f"https://www.instagram.com/p/{code}/",
        likes=count(likes),
        replies=count(comments),
        views=count(node.get("play_count", node.get("view_count"))),
        thread_id=opt_str(node.get("id") or node.get("pk")),
        raw=raw,
    )


def _tiktok(data: dict[str, Any], seen: datetime, raw: msgspec.Raw) -> Mention:
    video_id = string(data.get("id"), "id")
    author = data.get("author")
    author = author if isinstance(author, dict) else {"uniqueId": author}
    handle = opt_str(author.get("uniqueId"))
    stats = opt_obj(data.get("stats"))
    lang = language(data.get("textLanguage"))
    return Mention(
        platform="tiktok",
        native_id=video_id,
        text=post_text(data.get("desc"), "desc"),
        created_at=moment(data.get("createTime"), "createTime"),
        collected_at=seen,
        author=Author(
            platform="tiktok",
            handle=handle or opt_str(author.get("id")) or "",
            native_id=opt_str(author.get("id")),
            name=opt_str(author.get("nickname")),
            followers=count(opt_obj(data.get("authorStats")).get("followerCount")),
        ),
        url=f"https://www.tiktok.com/@{handle}/video/{video_id}" if handle else None,
        likes=count(stats.get("diggCount")),
        reposts=count(stats.get("shareCount")),
        replies=count(stats.get("commentCount")),
        views=count(stats.get("playCount")),
        thread_id=video_id,
        raw=raw,
        lang=lang,
        lang_by="source" if lang else None,
    )


def _threads(data: dict[str, Any], seen: datetime, raw: msgspec.Raw) -> Mention:
    post = opt_obj(data.get("post")) or data
    post_id = string(post.get("pk") or post.get("id"), "pk")
    user = opt_obj(post.get("user"))
    handle = opt_str(user.get("username"))
    code = opt_str(post.get("code"))
    info = opt_obj(post.get("text_post_app_info"))
    return Mention(
        platform="threads",
        native_id=post_id,
        text=post_text(opt_obj(post.get("caption")).get("text"), "caption.text"),
        created_at=moment(post.get("taken_at"), "taken_at"),
        collected_at=seen,
        author=Author(
            platform="threads",
            handle=handle or opt_str(user.get("pk")) or "",
            native_id=opt_str(user.get("pk") or user.get("id")),
            name=opt_str(user.get("full_name")),
        ),
        url=f"https://www.threads.net/@{handle}/post/{code}" if handle and code else None,
        likes=count(post.get("like_count")),
        reposts=count(info.get("repost_count")),
        replies=count(info.get("direct_reply_count")),
        raw=raw,
    )
