"""Facebook Graph API payloads as mentions: a Page's feed and the comments on a post.

Facebook gives people no public handle, so an author's handle is their Graph
id and their name is `Author.name`. Since 2018 the Graph API hides who wrote a
comment unless the Page's own token asks, so ``from`` is often absent: such
comments have an empty handle.

A comment's id is ``<post object id>_<comment id>``. Responses that omit the
``id`` field still carry a ``permalink_url`` (``.../posts/<post>/?comment_id=
<c>&reply_comment_id=<r>``) from which the id, the post and the comment
replied to are read. Comments the Page hid (``is_hidden``) stay mentions: a
brand hiding a customer must still see her.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec

from ecoute.model import Author, Mention
from ecoute.sources._parsing import (
    BadRecord,
    Parsed,
    PayloadError,
    collect,
    count,
    decode_item,
    moment,
    obj,
    opt_obj,
    opt_str,
    post_text,
    raw_of,
    seq,
    string,
)

PLATFORM = "facebook"
SITE = "https://www.facebook.com"
_POST_PATH = re.compile(r"^/(?P<page>[^/]+)/posts/(?P<post>\d+)")
_EDGE_PATH = re.compile(r"^/(?:v\d+\.\d+/)?(?P<node>[^/]+)/(?P<edge>[a-z_]+)$")
POST_EDGES = frozenset({"feed", "posts", "published_posts", "tagged", "visitor_posts", "ratings"})


class GraphPage(msgspec.Struct):
    """A Graph API list: items (kept as their bytes) and where the next page is."""

    data: list[msgspec.Raw] = []
    paging: dict[str, Any] = {}


decode_graph_page = msgspec.json.Decoder(GraphPage).decode


def read_graph_page(body: bytes | str, what: str) -> GraphPage:
    """Decode a ``{"data": [...], "paging": {...}}`` body, or raise `PayloadError`."""
    try:
        return decode_graph_page(body)
    except msgspec.DecodeError as exc:
        raise PayloadError(f"{what} is not a Graph API list ({exc})") from exc


def edge_of(page: GraphPage) -> tuple[str, str] | None:
    """Return (node id, edge) of the request, read from the ``paging`` links, if any."""
    for key in ("next", "previous"):
        link = opt_str(page.paging.get(key))
        if link:
            found = _EDGE_PATH.match(urlsplit(link).path)
            if found:
                return found.group("node"), found.group("edge")
    return None


def parse_response(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read a Graph list of posts or of comments, telling which from the request or the items."""
    page = read_graph_page(body, "the Facebook response")
    edge = edge_of(page)
    if edge and edge[1] == "comments":
        return _comments(page, collected_at, edge[0])
    if edge and edge[1] in POST_EDGES:
        return _posts(page, collected_at)
    first = _first(page)
    if (
        "comment_count" in first
        or "parent" in first
        or "comment_id=" in str(first.get("permalink_url"))
    ):
        return _comments(page, collected_at, None)
    return _posts(page, collected_at)


def parse_feed(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read a list of posts (``/{page-id}/feed``, ``/posts``...), with any inlined comments."""
    return _posts(read_graph_page(body, "the Facebook feed"), collected_at)


def parse_comments(
    body: bytes | str, *, collected_at: datetime, post_id: str | None = None
) -> Parsed:
    """Read a list of comments (``/{post-id}/comments``); `post_id` names the post if known."""
    page = read_graph_page(body, "the Facebook comments")
    edge = edge_of(page)
    return _comments(page, collected_at, post_id or (edge[0] if edge else None))


def _first(page: GraphPage) -> dict[str, Any]:
    if not page.data:
        return {}
    try:
        return opt_obj(decode_item(page.data[0]))
    except msgspec.DecodeError:
        return {}


def _posts(page: GraphPage, collected_at: datetime) -> Parsed:
    parsed = Parsed()
    for i, item in enumerate(page.data, 1):
        collect(parsed, f"post {i}", lambda item=item: _post_and_comments(item, collected_at))
    return parsed


def _post_and_comments(item: msgspec.Raw, collected_at: datetime) -> list[Mention]:
    post = obj(decode_item(item), "post")
    found = [post_mention(post, collected_at, raw=item)]
    post_id = found[0].native_id
    for comment in seq(opt_obj(post.get("comments")).get("data")):
        found.append(comment_mention(obj(comment, "comment"), collected_at, post_id))
    return found


def _comments(page: GraphPage, collected_at: datetime, post_id: str | None) -> Parsed:
    parsed = Parsed()
    for i, item in enumerate(page.data, 1):
        collect(
            parsed,
            f"comment {i}",
            lambda item=item: _comment_tree(item, collected_at, post_id),
        )
    return parsed


def _comment_tree(item: msgspec.Raw, collected_at: datetime, post_id: str | None) -> list[Mention]:
    comment = obj(decode_item(item), "comment")
    found = [comment_mention(comment, collected_at, post_id, raw=item)]
    # Replies asked with fields=comments{...} come inlined, one level deep.
    for reply in seq(opt_obj(comment.get("comments")).get("data")):
        found.append(comment_mention(obj(reply, "reply"), collected_at, post_id))
    return found


def post_mention(
    post: dict[str, Any], collected_at: datetime, *, raw: msgspec.Raw | None = None
) -> Mention:
    """Turn one Graph Post object into a mention."""
    post_id = string(post.get("id"), "id")
    text = post_text(post.get("message") or post.get("story"), "message")
    author = _author(
        post.get("from"), fallback_id=post_id.split("_")[0] if "_" in post_id else None
    )
    return Mention(
        platform=PLATFORM,
        native_id=post_id,
        text=text,
        created_at=moment(post.get("created_time"), "created_time"),
        collected_at=collected_at,
        author=author,
        url=opt_str(post.get("permalink_url")) or f"{SITE}/{post_id}",
        likes=_known(
            _total(post.get("reactions")), _total(post.get("likes")), count(post.get("like_count"))
        ),
        reposts=count(opt_obj(post.get("shares")).get("count")),
        replies=_total(post.get("comments")),
        thread_id=post_id,
        raw=raw if raw is not None else raw_of(post),
    )


def comment_mention(
    comment: dict[str, Any],
    collected_at: datetime,
    post_id: str | None,
    *,
    raw: msgspec.Raw | None = None,
) -> Mention:
    """Turn one Graph Comment object into a mention; `post_id` is the post commented on."""
    link = opt_str(comment.get("permalink_url"))
    from_link = _ids_from_permalink(link)
    comment_id = opt_str(comment.get("id")) or from_link.get("id")
    if comment_id is None:
        raise BadRecord("field 'id' is missing and 'permalink_url' does not name the comment")
    thread = opt_str(opt_obj(comment.get("object")).get("id")) or post_id or from_link.get("post")
    parent = opt_str(opt_obj(comment.get("parent")).get("id")) or from_link.get("parent") or thread
    return Mention(
        platform=PLATFORM,
        native_id=comment_id,
        text=post_text(comment.get("message"), "message"),
        created_at=moment(comment.get("created_time"), "created_time"),
        collected_at=collected_at,
        author=_author(comment.get("from")),
        url=link,
        likes=count(comment.get("like_count")),
        replies=count(comment.get("comment_count")),
        thread_id=thread,
        parent_id=parent if parent != comment_id else None,
        raw=raw if raw is not None else raw_of(comment),
    )


def _ids_from_permalink(link: str | None) -> dict[str, str]:
    if not link:
        return {}
    parts = urlsplit(link)
    found = _POST_PATH.match(parts.path)
    if not found:
        return {}
    query = parse_qs(parts.query)
    post_object = found.group("post")
    ids = {"post": f"{found.group('page')}_{post_object}"}
    comment = (query.get("comment_id") or [None])[0]
    reply = (query.get("reply_comment_id") or [None])[0]
    if comment and comment.isdigit():
        ids["id"] = f"{post_object}_{comment}"
        if reply and reply.isdigit():
            ids["parent"] = ids["id"]
            ids["id"] = f"{post_object}_{reply}"
    return ids


def _author(value: Any, fallback_id: str | None = None) -> Author:
    who = opt_obj(value)
    author_id = opt_str(who.get("id")) or fallback_id
    return Author(
        platform=PLATFORM,
        handle=author_id or "",
        native_id=author_id,
        name=opt_str(who.get("name")),
    )


def _known(*counts: int | None) -> int | None:
    return next((c for c in counts if c is not None), None)


def _total(edge: Any) -> int | None:
    return count(opt_obj(opt_obj(edge).get("summary")).get("total_count"))
