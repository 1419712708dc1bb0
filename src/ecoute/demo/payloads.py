"""A demo post as each network would have returned it, and as one line of our import format.

Each record carries in ``raw`` a payload shaped like the platform's own API
answer (a Mastodon Status, a Bluesky post view, a Reddit ``data`` object, an X
API v2 tweet lookup, a YouTube commentThread or comment, an RSS item), and the
normalized fields are read from that same payload: same id, text, author, time
and counts. ``lang`` is set only where the network reports a language.
"""

from __future__ import annotations

import html
import math
import random
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from ecoute.demo.cast import Persona, base36, random_chars, tid, youtube_id, youtube_reply_id

# How fast engagement accrues (hours): a tweet lives hours, a Reddit thread a day.
_TAU_HOURS = {
    "twitter": 2.0,
    "mastodon": 3.0,
    "bluesky": 2.5,
    "reddit": 8.0,
    "youtube": 14.0,
    "rss": 24.0,
}
_TOKENS = re.compile(r"(?P<tag>#\w+)|(?P<at>@\w+(?:@[\w.-]+\w)?)|(?P<url>https?://\S+)")
_TWITTER_EPOCH_MS = 1_288_834_974_657
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass(slots=True, eq=False)
class Post:
    """One post of the replay with its final engagement; records show it at a moment."""

    platform: str
    native_id: str
    author: Persona
    text: str
    created_at: datetime
    lang: str | None  # what the network reports; None where it reports nothing
    parent: Post | None = None
    root: Post | None = None
    title: str = ""  # Reddit submission or RSS item title; `text` starts with it
    body: str = ""  # Reddit selftext or RSS description
    venue: str = ""  # subreddit, YouTube video id, RSS site
    venue_owner: Persona | None = None  # the YouTube channel a comment is under
    quoted: Post | None = None  # an X quote or retweet
    is_repost: bool = False
    cid: str = ""  # Bluesky content id
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    views: int = 0
    children: list[datetime] = field(default_factory=list)
    deleted_at: datetime | None = None
    deleted_by: str | None = None
    story: str = "everyday"  # which part of the replay wrote it
    intent: str = ""  # complaint, praise, question, ... for brands deciding to answer
    brand: str = ""  # the brand the post is about, if any

    @property
    def thread(self) -> Post:
        return self.root or self


# -- identifiers ----------------------------------------------------------------------------
def post_id(
    rng: random.Random, platform: str, moment: datetime, author: Persona, parent: Post | None
) -> tuple[str, str]:
    """Return (native id, Bluesky cid or "") in the platform's shape for a new post."""
    ms = int(moment.timestamp() * 1000)
    if platform == "twitter":
        return str(((ms - _TWITTER_EPOCH_MS) << 22) | rng.getrandbits(22)), ""
    if platform == "mastodon":
        return str((ms << 16) | rng.getrandbits(16)), ""
    if platform == "bluesky":
        uri = f"at://{author.native_id}/app.bsky.feed.post/{tid(moment, rng)}"
        return uri, "bafyrei" + random_chars(rng, _B32, 52)
    if platform == "reddit":
        # Base-36 ids grow with time; comments and submissions count separately.
        seconds = int(moment.timestamp()) - 1_600_000_000
        prefix, base = ("t1_", 2_900_000_000) if parent else ("t3_", 1_250_000_000)
        return prefix + base36(base + seconds * (12 if parent else 1) + rng.randrange(12)), ""
    if platform == "youtube":
        if parent is not None:
            return youtube_reply_id(rng, parent.thread.native_id), ""
        return youtube_id(rng), ""
    return "", ""


# -- time formats -----------------------------------------------------------------------------
def iso_ms(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as Mastodon, Bluesky and X write it."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_s(moment: datetime) -> str:
    """ISO 8601 in UTC to the second."""
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


# -- counts -----------------------------------------------------------------------------------
def counts_at(post: Post, moment: datetime) -> tuple[int, int, int, int]:
    """(likes, reposts, replies, views) as the network showed them at `moment`."""
    hours = max((moment - post.created_at).total_seconds(), 0) / 3600
    grown = 1 - math.exp(-hours / _TAU_HOURS[post.platform])
    seen_replies = bisect_right(post.children, moment)
    return (
        round(post.likes * grown),
        round(post.reposts * grown),
        max(seen_replies, round(post.replies * grown)),
        round(post.views * grown),
    )


# -- the record -------------------------------------------------------------------------------
def to_record(post: Post, collected: datetime) -> dict[str, Any]:
    """One line of the JSONL import format for `post` as collected at `collected`."""
    likes, reposts, replies, views = counts_at(post, collected)
    build = _BUILDERS[post.platform]
    raw, fields = build(post, collected, likes, reposts, replies, views)
    record: dict[str, Any] = {
        "platform": post.platform,
        "id": post.native_id,
        "text": post.text,
        **fields,
        "collected_at": iso_ms(collected),
    }
    if post.root is not None:
        record["thread_id"] = post.root.native_id
    if post.parent is not None:
        record["parent_id"] = post.parent.native_id
    record["raw"] = raw
    return {k: v for k, v in record.items() if v is not None}


def tombstone(post: Post) -> dict[str, Any]:
    """The line a source writes when it learns `post` was deleted, and by whom."""
    assert post.deleted_at is not None
    record: dict[str, Any] = {
        "platform": post.platform,
        "id": post.native_id,
        "deleted": True,
        "collected_at": iso_ms(post.deleted_at),
    }
    if post.deleted_by == "moderator":
        record["deleted_by"] = "moderator"
    return record


def _mastodon(
    post: Post, at: datetime, likes: int, reposts: int, replies: int, views: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    a = post.author
    server, user = a.server, a.username
    url = f"https://{server}/@{user}/{post.native_id}"
    tags = [m.group("tag")[1:] for m in _TOKENS.finditer(post.text) if m.group("tag")]
    account = {
        "id": a.native_id,
        "username": user,
        "acct": a.handle,
        "display_name": a.name,
        "locked": False,
        "bot": False,
        "discoverable": True,
        "group": False,
        "created_at": iso_ms(a.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
        "note": "",
        "url": f"https://{server}/@{user}",
        "uri": f"https://{server}/users/{user}",
        "avatar": f"https://{server}/avatars/original/missing.png",
        "followers_count": a.followers_at(at),
        "following_count": a.following,
        "statuses_count": a.statuses,
        "last_status_at": f"{post.created_at:%Y-%m-%d}",
        "emojis": [],
        "fields": [],
    }
    raw = {
        "id": post.native_id,
        "created_at": iso_ms(post.created_at),
        "in_reply_to_id": post.parent.native_id if post.parent else None,
        "in_reply_to_account_id": post.parent.author.native_id if post.parent else None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": post.lang,
        "uri": f"https://{server}/users/{user}/statuses/{post.native_id}",
        "url": url,
        "replies_count": replies,
        "reblogs_count": reposts,
        "favourites_count": likes,
        "quotes_count": 0,
        "edited_at": None,
        "content": mastodon_html(post.text, server),
        "reblog": None,
        "account": account,
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": t.lower(), "url": f"https://{server}/tags/{t.lower()}"} for t in tags],
        "emojis": [],
        "card": None,
        "poll": None,
    }
    return raw, {
        "created_at": raw["created_at"],
        "author": a.handle,
        "author_id": a.native_id,
        "author_name": a.name,
        "author_followers": account["followers_count"],
        "url": url,
        "lang": post.lang,
        "likes": likes,
        "reposts": reposts,
        "replies": replies,
    }


def mastodon_html(text: str, server: str) -> str:
    """Render `text` as Mastodon's HTML `content`: paragraphs, hashtag and mention links."""
    paragraphs = []
    for para in text.split("\n\n"):
        lines = [_linkify(line, server) for line in para.split("\n")]
        paragraphs.append("<p>" + "<br />".join(lines) + "</p>")
    return "".join(paragraphs)


def _escape(text: str) -> str:
    return html.escape(text, quote=True).replace("&#x27;", "&#39;")


def _linkify(line: str, server: str) -> str:
    out, last = [], 0
    for m in _TOKENS.finditer(line):
        out.append(_escape(line[last : m.start()]))
        last = m.end()
        if m.group("tag"):
            tag = m.group("tag")[1:]
            out.append(
                f'<a href="https://{server}/tags/{_escape(tag.lower())}" '
                f'class="mention hashtag" rel="tag">#<span>{_escape(tag)}</span></a>'
            )
        elif m.group("at"):
            user, _, host = m.group("at")[1:].partition("@")
            out.append(
                f'<span class="h-card" translate="no"><a href="https://'
                f'{_escape(host or server)}/@{_escape(user)}" class="u-url mention">'
                f"@<span>{_escape(user)}</span></a></span>"
            )
        else:
            scheme, rest = m.group("url").split("://", 1)
            out.append(
                f'<a href="{_escape(m.group("url"))}" target="_blank" '
                f'rel="nofollow noopener" translate="no"><span class="invisible">'
                f'{scheme}://</span><span class="">{_escape(rest)}</span>'
                '<span class="invisible"></span></a>'
            )
    out.append(_escape(line[last:]))
    return "".join(out)


def _bluesky(
    post: Post, at: datetime, likes: int, reposts: int, replies: int, views: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    a = post.author
    rkey = post.native_id.rsplit("/", 1)[1]
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "createdAt": iso_ms(post.created_at)}
    facets = _bluesky_facets(post.text)
    if facets:
        record["facets"] = facets
    if post.lang:
        record["langs"] = [post.lang]
    if post.parent is not None:
        record["reply"] = {
            "parent": {"cid": post.parent.cid, "uri": post.parent.native_id},
            "root": {"cid": post.thread.cid, "uri": post.thread.native_id},
        }
    record["text"] = post.text
    raw = {
        "uri": post.native_id,
        "cid": post.cid,
        "author": {
            "did": a.native_id,
            "handle": a.handle,
            "displayName": a.name,
            "avatar": f"https://cdn.bsky.app/img/avatar/plain/{a.native_id}/"
            f"bafkrei{a.native_id[8:20]}@jpeg",
            "labels": [],
            "createdAt": iso_ms(a.created_at),
        },
        "record": record,
        "replyCount": replies,
        "repostCount": reposts,
        "likeCount": likes,
        "quoteCount": 0,
        "indexedAt": iso_ms(post.created_at),
        "labels": [],
    }
    return raw, {
        "created_at": record["createdAt"],
        "author": a.handle,
        "author_id": a.native_id,
        "author_name": a.name,
        "url": f"https://bsky.app/profile/{a.handle}/post/{rkey}",
        "lang": post.lang,
        "likes": likes,
        "reposts": reposts,
        "replies": replies,
    }


def _bluesky_facets(text: str) -> list[dict[str, Any]]:
    facets = []
    for m in _TOKENS.finditer(text):
        if m.group("at"):
            continue  # a mention facet needs the DID the client resolved; ours are plain text
        start = len(text[: m.start()].encode())
        end = start + len(m.group(0).encode())
        feature = (
            {"$type": "app.bsky.richtext.facet#tag", "tag": m.group("tag")[1:]}
            if m.group("tag")
            else {"$type": "app.bsky.richtext.facet#link", "uri": m.group("url")}
        )
        facets.append({"features": [feature], "index": {"byteEnd": end, "byteStart": start}})
    return facets


def _reddit(
    post: Post, at: datetime, likes: int, reposts: int, replies: int, views: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    a = post.author
    kind, short = post.native_id.split("_", 1)
    submission = post.thread
    slug = "_".join(re.findall(r"\w+", submission.title.lower())[:8])
    base = f"/r/{post.venue}/comments/{submission.native_id[3:]}/{slug}/"
    common = {
        "id": short,
        "name": post.native_id,
        "author": a.handle,
        "author_fullname": a.native_id,
        "subreddit": post.venue,
        "subreddit_name_prefixed": f"r/{post.venue}",
        "subreddit_id": "t5_" + base36(abs(hash_text(post.venue)) % 36**6),
        "created_utc": float(int(post.created_at.timestamp())),
        "score": likes,
        "ups": likes,
        "downs": 0,
        "edited": False,
        "stickied": False,
        "distinguished": None,
        "banned_by": None,
        "removal_reason": None,
        "likes": None,
        "archived": False,
    }
    if kind == "t3":
        raw = common | {
            "title": post.title,
            "selftext": post.body,
            "selftext_html": _reddit_html(post.body, self_text=True) if post.body else None,
            "num_comments": replies,
            "permalink": base,
            "url": f"https://www.reddit.com{base}",
            "is_self": True,
            "domain": f"self.{post.venue}",
            "over_18": False,
            "locked": False,
            "upvote_ratio": 0.97,
            "link_flair_text": None,
        }
        permalink, counted = base, replies
    else:
        assert post.parent is not None
        permalink = f"{base}{short}/"
        raw = common | {
            "body": post.text,
            "body_html": _reddit_html(post.text),
            "link_id": submission.native_id,
            "parent_id": post.parent.native_id,
            "link_title": submission.title,
            "permalink": permalink,
            "replies": "",
            "controversiality": 0,
            "score_hidden": False,
        }
        counted = None  # a comment's own replies are not counted in its payload
    return raw, {
        "created_at": iso_s(post.created_at),
        "author": a.handle,
        "author_id": a.native_id,
        "url": f"https://www.reddit.com{permalink}",
        "likes": likes,
        "replies": counted,
    }


def hash_text(text: str) -> int:
    """A stable hash (str hashes change between runs; the replay must not)."""
    value = 2166136261
    for byte in text.encode():
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


def _reddit_html(text: str, *, self_text: bool = False) -> str:
    paragraphs = "".join(f"<p>{_escape(p)}</p>\n" for p in text.split("\n\n"))
    inner = f'<div class="md">{paragraphs}</div>'
    return f"<!-- SC_OFF -->{inner}<!-- SC_ON -->" if self_text else inner


def _twitter(
    post: Post, at: datetime, likes: int, reposts: int, replies: int, views: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    a = post.author
    tweet: dict[str, Any] = {
        "id": post.native_id,
        "text": post.text,
        "created_at": iso_ms(post.created_at),
        "author_id": a.native_id,
        "conversation_id": post.thread.native_id,
        "edit_history_tweet_ids": [post.native_id],
        "lang": post.lang or "und",
        "possibly_sensitive": False,
        "reply_settings": "everyone",
        "public_metrics": {
            "retweet_count": reposts,
            "reply_count": replies,
            "like_count": likes,
            "quote_count": 0,
            "bookmark_count": likes // 20,
            "impression_count": views,
        },
    }
    referenced = []
    if post.parent is not None:
        tweet["in_reply_to_user_id"] = post.parent.author.native_id
        referenced.append({"type": "replied_to", "id": post.parent.native_id})
    if post.quoted is not None:
        referenced.append(
            {"type": "retweeted" if post.is_repost else "quoted", "id": post.quoted.native_id}
        )
    if referenced:
        tweet["referenced_tweets"] = referenced
    entities = _twitter_entities(post)
    if entities:
        tweet["entities"] = entities
    followers = a.followers_at(at)
    user = {
        "id": a.native_id,
        "name": a.name,
        "username": a.handle,
        "created_at": iso_ms(a.created_at),
        "description": "",
        "protected": False,
        "verified": False,
        "public_metrics": {
            "followers_count": followers,
            "following_count": a.following,
            "tweet_count": a.statuses,
            "listed_count": followers // 200,
        },
    }
    raw = {"data": tweet, "includes": {"users": [user]}}
    return raw, {
        "created_at": tweet["created_at"],
        "author": a.handle,
        "author_id": a.native_id,
        "author_name": a.name,
        "author_followers": followers,
        "url": f"https://x.com/{a.handle}/status/{post.native_id}",
        "lang": post.lang,
        "likes": likes,
        "reposts": reposts,
        "replies": replies,
        "views": views,
    }


def _twitter_entities(post: Post) -> dict[str, list[dict[str, Any]]]:
    entities: dict[str, list[dict[str, Any]]] = {}
    for m in _TOKENS.finditer(post.text):
        span = {"start": m.start(), "end": m.end()}
        if m.group("tag"):
            entities.setdefault("hashtags", []).append(span | {"tag": m.group("tag")[1:]})
        elif m.group("at"):
            entities.setdefault("mentions", []).append(span | {"username": m.group("at")[1:]})
        else:
            expanded = m.group("url")
            if post.quoted is not None and not post.is_repost:
                q = post.quoted
                expanded = f"https://x.com/{q.author.handle}/status/{q.native_id}"
            entities.setdefault("urls", []).append(
                span
                | {
                    "url": m.group("url"),
                    "expanded_url": expanded,
                    "display_url": expanded.split("://", 1)[1][:26] + "…",
                }
            )
    return entities


def _youtube(
    post: Post, at: datetime, likes: int, reposts: int, replies: int, views: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    a = post.author
    owner = post.venue_owner
    stamp = iso_ms(post.created_at)
    snippet: dict[str, Any] = {
        "channelId": owner.native_id if owner else "",
        "videoId": post.venue,
        "textDisplay": _escape(post.text).replace("\n", "<br>"),
        "textOriginal": post.text,
        "authorDisplayName": f"@{a.handle}",
        "authorProfileImageUrl": f"https://yt3.ggpht.com/ytc/{a.native_id[2:14]}=s48-c-k-c0x00ffffff-no-rj",
        "authorChannelUrl": f"http://www.youtube.com/@{a.handle}",
        "authorChannelId": {"value": a.native_id},
        "canRate": True,
        "viewerRating": "none",
        "likeCount": likes,
        "publishedAt": stamp,
        "updatedAt": stamp,
    }
    etag = random.Random(hash_text(post.native_id)).getrandbits(64)  # noqa: S311 - not a secret
    comment = {"kind": "youtube#comment", "etag": f"{etag:016x}", "id": post.native_id}
    if post.parent is not None:
        snippet["parentId"] = post.parent.native_id
        raw: dict[str, Any] = comment | {"snippet": snippet}
        counted = None
    else:
        raw = {
            "kind": "youtube#commentThread",
            "etag": f"{etag ^ 0xFFFF:016x}",
            "id": post.native_id,
            "snippet": {
                "channelId": snippet["channelId"],
                "videoId": post.venue,
                "topLevelComment": comment | {"snippet": snippet},
                "canReply": True,
                "totalReplyCount": replies,
                "isPublic": True,
            },
        }
        counted = replies
    return raw, {
        "created_at": stamp,
        "author": a.handle,
        "author_id": a.native_id,
        "author_name": f"@{a.handle}",
        "url": f"https://www.youtube.com/watch?v={post.venue}&lc={post.native_id}",
        "likes": likes,
        "replies": counted,
    }


def _rss(
    post: Post, at: datetime, likes: int, reposts: int, replies: int, views: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    a = post.author
    raw = {
        "title": post.title,
        "link": post.native_id,
        "guid": post.native_id,
        "pubDate": format_datetime(post.created_at, usegmt=True),
        "dc:creator": a.name,
        "description": post.body,
        "category": ["Consommation" if a.lang == "fr" else "Reviews"],
        "source": {"title": post.venue, "url": f"https://{a.handle}/feed/"},
    }
    return raw, {
        "created_at": iso_s(post.created_at),
        "author": a.handle,
        "author_name": a.name,
        "url": post.native_id,
    }


_BUILDERS = {
    "mastodon": _mastodon,
    "bluesky": _bluesky,
    "reddit": _reddit,
    "twitter": _twitter,
    "youtube": _youtube,
    "rss": _rss,
}
