"""Bluesky posts as mentions: Jetstream events and XRPC responses (search, feeds, threads).

A post's identity is its ``at://`` URI, the same whether it arrives through
Jetstream or an XRPC call, so a Jetstream ``delete`` of a post matches the post
read by search. Jetstream names authors only by DID; the handle is then the DID
(`Author.native_id` is the DID everywhere, so both sightings join on it).

Only ``app.bsky.feed.post`` records are posts. Likes, reposts, follows, blocks,
profiles, other collections and ``identity``/``account`` events are skipped
and counted. An ``account`` event that deactivates or deletes an account is
skipped too: it names no post, and forgetting all of an author's posts is a
store-wide erasure, not a page of tombstones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from ecoute.model import Author, Mention
from ecoute.sources._parsing import (
    BadRecord,
    Parsed,
    PayloadError,
    collect,
    count,
    decode_item,
    decode_json,
    epoch,
    language,
    moment,
    obj,
    opt_obj,
    opt_str,
    post_text,
    raw_of,
    seq,
    string,
    tombstone,
)

PLATFORM = "bluesky"
POST_COLLECTION = "app.bsky.feed.post"
MAX_THREAD_POSTS = 100_000  # a thread view is walked without recursion, up to this many posts


class _Posts(msgspec.Struct):
    posts: list[msgspec.Raw] = []


_decode_posts = msgspec.json.Decoder(_Posts).decode


def parse_jetstream_event(line: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read one Jetstream event (one line of its JSON Lines stream)."""
    raw = line.encode("utf-8") if isinstance(line, str) else line
    parsed = Parsed()
    collect(parsed, "event", lambda: _jetstream(raw, collected_at))
    return parsed


def parse_response(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read an XRPC response: searchPosts/getPosts, a feed (getAuthorFeed...) or getPostThread."""
    head = decode_json(body, "the Bluesky response")
    if not isinstance(head, dict):
        raise PayloadError("a Bluesky XRPC response is a JSON object")
    if "posts" in head:
        return parse_posts(body, collected_at=collected_at)
    if "feed" in head:
        return _feed(head, collected_at)
    if "thread" in head:
        return _thread(head["thread"], collected_at)
    raise PayloadError(
        "this Bluesky response has none of 'posts', 'feed' or 'thread'; "
        f"its keys are {', '.join(sorted(head)[:8]) or 'none'}"
    )


def parse_posts(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read ``{"posts": [PostView...]}`` (searchPosts, getPosts), keeping each post's bytes."""
    try:
        posts = _decode_posts(body).posts
    except msgspec.DecodeError as exc:
        raise PayloadError(f"the Bluesky posts are not valid JSON ({exc})") from exc
    parsed = Parsed()
    for i, raw in enumerate(posts, 1):
        collect(parsed, f"post {i}", lambda r=raw: [post_mention(decode_item(r), collected_at, r)])
    return parsed


def _feed(doc: dict[str, Any], collected_at: datetime) -> Parsed:
    parsed = Parsed()
    for i, item in enumerate(seq(doc.get("feed")), 1):
        # A repost in a feed brings the original post, which is the one heard.
        collect(
            parsed,
            f"feed item {i}",
            lambda i=item: [post_mention(obj(i, "item").get("post"), collected_at)],
        )
    return parsed


def _feed_item(item: Any, collected_at: datetime) -> list[Mention]:
    return [post_mention(obj(item, "feed item").get("post"), collected_at)]


def _thread(root: Any, collected_at: datetime) -> Parsed:
    parsed = Parsed()
    views: list[Any] = []
    # Ancestors first (parent chain upwards, reversed), then the post and its replies.
    parent = opt_obj(root).get("parent")
    ancestors = []
    while isinstance(parent, dict) and len(ancestors) < MAX_THREAD_POSTS:
        ancestors.append(parent)
        parent = parent.get("parent")
    views.extend(reversed(ancestors))
    stack = [root]
    while stack and len(views) < MAX_THREAD_POSTS:
        view = stack.pop()
        views.append(view)
        if isinstance(view, dict):
            stack.extend(reversed(seq(view.get("replies"))))
    for i, view in enumerate(views, 1):
        collect(parsed, f"thread post {i}", lambda v=view: _thread_view(v, collected_at))
    return parsed


def _thread_view(view: Any, collected_at: datetime) -> list[Mention] | None:
    view = obj(view, "thread")
    # notFoundPost and blockedPost stand in for posts we may not see.
    if "post" not in view:
        return None
    return [post_mention(view["post"], collected_at)]


def post_mention(post: Any, collected_at: datetime, raw: msgspec.Raw | None = None) -> Mention:
    """Turn one decoded PostView into a mention."""
    post = obj(post, "post")
    uri = string(post.get("uri"), "uri")
    record = obj(post.get("record"), "record")
    author = obj(post.get("author"), "author")
    did = string(author.get("did"), "author.did")
    handle = opt_str(author.get("handle"))
    if handle is None or handle == "handle.invalid":
        handle = did
    created = _created(record, post.get("indexedAt"))
    return _mention(
        uri,
        record,
        created,
        collected_at,
        Author(
            platform=PLATFORM,
            handle=handle,
            native_id=did,
            name=opt_str(author.get("displayName")),
            followers=count(author.get("followersCount")),
        ),
        raw if raw is not None else raw_of(post),
        likes=count(post.get("likeCount")),
        reposts=count(post.get("repostCount")),
        replies=count(post.get("replyCount")),
    )


def _jetstream(raw: bytes, collected_at: datetime) -> list[Mention] | None:
    event = obj(decode_item(raw), "event")
    if event.get("kind") != "commit":
        return None
    commit = obj(event.get("commit"), "commit")
    if commit.get("collection") != POST_COLLECTION:
        return None
    did = string(event.get("did"), "did")
    rkey = string(commit.get("rkey"), "commit.rkey")
    uri = f"at://{did}/{POST_COLLECTION}/{rkey}"
    operation = commit.get("operation")
    seen = (
        epoch(event["time_us"] / 1_000_000, "time_us")
        if _is_number(event.get("time_us"))
        else collected_at
    )
    if operation == "delete":
        return [tombstone(PLATFORM, uri, seen, collected_at, handle=did, author_id=did)]
    if operation not in ("create", "update"):
        raise BadRecord(f"commit.operation {str(operation)[:20]!r} is not create, update or delete")
    record = obj(commit.get("record"), "commit.record")
    author = Author(platform=PLATFORM, handle=did, native_id=did)
    return [
        _mention(uri, record, _created(record, None, seen), collected_at, author, msgspec.Raw(raw))
    ]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _created(record: dict[str, Any], indexed_at: Any, fallback: datetime | None = None) -> datetime:
    # createdAt is set by the author's client and may be absent or garbage;
    # the network's own indexing time is the next best.
    for value, name in ((record.get("createdAt"), "record.createdAt"), (indexed_at, "indexedAt")):
        try:
            if value is not None:
                return moment(value, name)
        except BadRecord:
            continue
    if fallback is not None:
        return fallback
    raise BadRecord("field 'record.createdAt' is missing or not a time")


def _mention(
    uri: str,
    record: dict[str, Any],
    created: datetime,
    collected_at: datetime,
    author: Author,
    raw: msgspec.Raw,
    **counts: int | None,
) -> Mention:
    reply = opt_obj(record.get("reply"))
    root = opt_str(opt_obj(reply.get("root")).get("uri"))
    parent = opt_str(opt_obj(reply.get("parent")).get("uri"))
    langs = seq(record.get("langs"))
    lang = language(langs[0]) if langs else None
    return Mention(
        platform=PLATFORM,
        native_id=uri,
        text=post_text(record.get("text"), "record.text"),
        created_at=created,
        collected_at=collected_at,
        author=author,
        url=post_url(uri, author.handle),
        thread_id=root or (None if parent else uri),
        parent_id=parent,
        raw=raw,
        lang=lang,
        lang_by="source" if lang else None,
        **counts,
    )


def post_url(uri: str, handle: str) -> str | None:
    """Return the bsky.app address of a post from its ``at://`` URI."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != POST_COLLECTION:
        return None
    return f"https://bsky.app/profile/{handle or parts[0]}/post/{parts[2]}"
