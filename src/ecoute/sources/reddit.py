"""Reddit listings as mentions: submissions (t3) and comments (t1), nested replies included.

Identity is the thing's fullname (``t3_2gmzqe``, ``t1_cklfmye``), the form
Reddit itself uses in ``link_id`` and ``parent_id``, so reply chains link up
without translation: ``thread_id`` is the submission, ``parent_id`` the thing
replied to.

Deleted and removed things stay in listings as placeholders, and mean
different things:

* body or selftext ``[deleted]`` with author ``[deleted]`` (or
  ``removed_by_category`` ``deleted``/``author``): the author deleted the post.
  It becomes an author tombstone, so Écoute forgets the text it heard before.
* body or selftext ``[removed]`` (or another ``removed_by_category``): a
  moderator, AutoModerator or Reddit removed it. It becomes a moderator
  tombstone: hidden everywhere, but the text heard earlier is kept for the
  post-mortem.
* author ``[deleted]`` with the text intact: the account was deleted but the
  post stands. It stays a mention whose author is ``[deleted]``.

Reddit's JSON escapes ``&``, ``<`` and ``>`` in Markdown unless ``raw_json=1``
was asked; those three entities are turned back, which is also how Markdown
renders them, so both kinds of recording read the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ecoute.model import Author, DeletedBy, Mention
from ecoute.sources._parsing import (
    BadRecord,
    Parsed,
    PayloadError,
    collect,
    count,
    decode_json,
    moment,
    opt_obj,
    opt_str,
    post_text,
    raw_of,
    seq,
    string,
    tombstone,
)
from ecoute.sources.base import Rejected

PLATFORM = "reddit"
SITE = "https://www.reddit.com"
MAX_THINGS = 1_000_000  # things walked in one response, however deeply nested
_GONE = "[deleted]"
_REMOVED = "[removed]"
_AUTHOR_REMOVALS = frozenset({"deleted", "author"})


def parse_listing(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read a Listing, or the ``[submission, comments]`` pair of a permalink, or one thing."""
    doc = decode_json(body, "the Reddit listing")
    if not isinstance(doc, dict | list):
        raise PayloadError("a Reddit response is a Listing object or an array of Listings")
    return parse_things(doc, collected_at=collected_at)


def parse_things(doc: Any, *, collected_at: datetime) -> Parsed:
    """Read already decoded Reddit JSON: Listings, arrays of them, and things, depth-first."""
    parsed = Parsed()
    stack: list[Any] = [doc]
    seen = 0
    while stack and seen < MAX_THINGS:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        kind = node.get("kind")
        data = node.get("data")
        if kind == "Listing":
            stack.extend(reversed(seq(opt_obj(data).get("children"))))
            continue
        seen += 1
        if kind in ("t1", "t3") and isinstance(data, dict):
            replies = data.get("replies")
            where = f"{kind} {str(data.get('id', seen))[:20]}"
            collect(parsed, where, lambda d=data: [thing_mention(d, collected_at)])
            if isinstance(replies, dict):
                stack.append(replies)
        elif kind in ("t1", "t3"):
            parsed.rejected.append(Rejected(f"{kind} {seen}", "field 'data' is not an object"))
        else:
            # "more" stubs, subreddits (t5), accounts (t2), messages, awards: not posts.
            parsed.skipped += 1
    return parsed


def thing_mention(data: dict[str, Any], collected_at: datetime) -> Mention:
    """Turn the ``data`` of one t3 (submission) or t1 (comment) into a mention or tombstone."""
    name = opt_str(data.get("name"))
    is_comment = "body" in data or (name or "").startswith("t1_")
    if name is None:
        name = ("t1_" if is_comment else "t3_") + string(data.get("id"), "id")
    created = moment(data.get("created_utc", data.get("created")), "created_utc")
    author = opt_str(data.get("author")) or _GONE
    author_id = opt_str(data.get("author_fullname"))
    body_field = "body" if is_comment else "selftext"
    body = post_text(data.get(body_field), body_field)
    deleted_by = _deleted_by(body, author, data.get("removed_by_category"))
    if deleted_by is not None:
        return tombstone(
            PLATFORM, name, created, collected_at, by=deleted_by,
            handle="" if author == _GONE else author, author_id=author_id,
        )  # fmt: skip
    link = opt_str(data.get("link_id"))
    if is_comment:
        text = _markdown(body)
        thread, parent = link, opt_str(data.get("parent_id")) or link
    else:
        title = _markdown(post_text(data.get("title"), "title")).strip()
        if not title:
            raise BadRecord("field 'title' is missing")
        text = f"{title}\n\n{_markdown(body)}".strip()
        thread, parent = name, None
    permalink = opt_str(data.get("permalink"))
    return Mention(
        platform=PLATFORM,
        native_id=name,
        text=text,
        created_at=created,
        collected_at=collected_at,
        author=Author(
            platform=PLATFORM,
            handle=author,
            native_id=author_id,
        ),
        url=_url(permalink, data, name, link),
        likes=_score(data.get("score")),
        replies=count(data.get("num_comments")),
        thread_id=thread,
        parent_id=parent,
        raw=raw_of({k: v for k, v in data.items() if k != "replies"}),
    )


def _deleted_by(body: str, author: str, category: Any) -> DeletedBy | None:
    if isinstance(category, str) and category:
        return DeletedBy.AUTHOR if category in _AUTHOR_REMOVALS else DeletedBy.MODERATOR
    if body == _REMOVED:
        return DeletedBy.MODERATOR
    if body == _GONE and author == _GONE:
        return DeletedBy.AUTHOR
    return None


def _url(permalink: str | None, data: dict[str, Any], name: str, link: str | None) -> str | None:
    if permalink:
        return f"{SITE}{permalink}" if permalink.startswith("/") else permalink
    # Older comment listings carry no permalink; Reddit resolves this form.
    subreddit = opt_str(data.get("subreddit"))
    if subreddit and link and link.startswith("t3_") and name.startswith("t1_"):
        return f"{SITE}/r/{subreddit}/comments/{link[3:]}/_/{name[3:]}/"
    return None


def _score(value: Any) -> int | None:
    # Reddit's score is ups minus downs and may be negative; a count may not.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return max(int(value), 0)
    return count(value)


def _markdown(source: str) -> str:
    return source.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
