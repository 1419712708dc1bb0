"""X (Twitter) posts as mentions: API v2 responses, twarc2 output and account archives.

API v2 and twarc2 (one API response page per line, plus twarc's ``__twarc``
key; or one flattened tweet per line with its ``author`` inlined) carry authors
in ``includes.users``: without the ``author_id`` expansion a tweet's author is
known only by id, or not at all (the handle is then that id, or empty).

The account archive's ``tweets.js`` (``window.YTD.tweets.part0 = [...]``, every
number a string) names no author: the archive's ``account.js`` does, and is
passed as `account`. Its ``deleted-tweets.js`` lists tweets the owner deleted:
they become author tombstones.

Text is what a reader sees: the long form of a note tweet, t.co links
expanded, ``&amp;``/``&lt;``/``&gt;`` unescaped (X escapes them), and a retweet
spelled out as ``RT @user: <whole original text>`` when the original is in
``includes``, since X cuts the retweet's own text at 140 characters.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import msgspec

from ecoute.model import Author, Mention
from ecoute.sources._parsing import (
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
    raw_items,
    raw_of,
    seq,
    string,
    tombstone,
)

log = logging.getLogger(__name__)

PLATFORM = "twitter"
SITE = "https://x.com"
ARCHIVE_PREFIX = b"window.YTD."


class _Response(msgspec.Struct):
    data: msgspec.Raw = msgspec.Raw(b"null")  # a list of tweets, or one, or absent
    includes: dict[str, Any] = {}
    errors: list[Any] = []


_decode_response = msgspec.json.Decoder(_Response).decode


def parse_response(body: bytes | str, *, collected_at: datetime) -> Parsed:
    """Read one API v2 response (or one twarc2 line): tweets in ``data``, users in ``includes``."""
    try:
        response = _decode_response(body)
    except msgspec.DecodeError as exc:
        raise PayloadError(f"the X API response is not valid JSON ({exc})") from exc
    parsed = Parsed()
    data = bytes(response.data).strip()
    if data == b"null":
        flat = decode_item(body)
        if isinstance(flat, dict) and "id" in flat and "text" in flat:
            # twarc's flattened output: one tweet per line, its author inlined.
            users = [flat["author"]] if isinstance(flat.get("author"), dict) else []
            collect(parsed, "tweet", lambda: [tweet_mention(flat, collected_at, _Index(users))])
        if response.errors:
            log.debug("X response with %d errors and no data", len(response.errors))
        return parsed
    index = _Index(seq(response.includes.get("users")), seq(response.includes.get("tweets")))
    items = raw_items(data, "the X response data") if data[:1] == b"[" else [response.data]
    for i, item in enumerate(items, 1):
        collect(
            parsed,
            f"tweet {i}",
            lambda item=item: [tweet_mention(decode_item(item), collected_at, index, raw=item)],
        )
    return parsed


class _Index:
    """Users and referenced tweets of a response's ``includes``, by id."""

    def __init__(self, users: list[Any], tweets: list[Any] | None = None) -> None:
        self.users = {str(u.get("id")): u for u in users if isinstance(u, dict)}
        self.tweets = {str(t.get("id")): t for t in tweets or [] if isinstance(t, dict)}


def tweet_mention(
    tweet: Any, collected_at: datetime, index: _Index, *, raw: msgspec.Raw | None = None
) -> Mention:
    """Turn one decoded API v2 Tweet object into a mention."""
    tweet = obj(tweet, "tweet")
    tweet_id = string(tweet.get("id"), "id")
    author_id = opt_str(tweet.get("author_id"))
    user = opt_obj(tweet.get("author")) or index.users.get(author_id or "", {})
    author = _v2_author(user, author_id)
    refs = {
        opt_str(r.get("type")): opt_str(r.get("id")) for r in seq(tweet.get("referenced_tweets"))
        if isinstance(r, dict)
    }  # fmt: skip
    text = _v2_text(tweet)
    original = index.tweets.get(refs.get("retweeted") or "")
    if original is not None:
        source = index.users.get(str(original.get("author_id")), {})
        if opt_str(source.get("username")):
            text = f"RT @{source['username']}: {_v2_text(original)}"
    metrics = opt_obj(tweet.get("public_metrics"))
    parent = refs.get("replied_to")
    lang = language(tweet.get("lang"))
    return Mention(
        platform=PLATFORM,
        native_id=tweet_id,
        text=text,
        created_at=moment(tweet.get("created_at"), "created_at"),
        collected_at=collected_at,
        author=author,
        url=tweet_url(author.handle if author.handle != author.native_id else "", tweet_id),
        likes=count(metrics.get("like_count")),
        reposts=count(metrics.get("retweet_count")),
        replies=count(metrics.get("reply_count")),
        views=count(metrics.get("impression_count")),
        thread_id=opt_str(tweet.get("conversation_id")) or (None if parent else tweet_id),
        parent_id=parent,
        raw=raw if raw is not None else raw_of(tweet),
        lang=lang,
        lang_by="source" if lang else None,
    )


def _v2_author(user: dict[str, Any], author_id: str | None) -> Author:
    username = opt_str(user.get("username"))
    return Author(
        platform=PLATFORM,
        handle=username or author_id or "",
        native_id=opt_str(user.get("id")) or author_id,
        name=opt_str(user.get("name")),
        followers=count(opt_obj(user.get("public_metrics")).get("followers_count")),
    )


def _v2_text(tweet: dict[str, Any]) -> str:
    note = opt_obj(tweet.get("note_tweet"))
    body = post_text(note.get("text") or tweet.get("text"), "text")
    entities = opt_obj(note.get("entities")) if note.get("text") else {}
    entities = entities or opt_obj(tweet.get("entities"))
    return readable(body, seq(entities.get("urls")))


def readable(body: str, urls: list[Any]) -> str:
    """Expand t.co links and undo X's escaping of ``&``, ``<`` and ``>``."""
    for link in urls:
        if not isinstance(link, dict):
            continue
        short, full = opt_str(link.get("url")), opt_str(link.get("expanded_url"))
        if short and full:
            body = body.replace(short, full)
    return body.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def tweet_url(username: str, tweet_id: str) -> str:
    """Return a tweet's address; X redirects ``/i/web/status/`` when the author is unknown."""
    if username:
        return f"{SITE}/{username}/status/{tweet_id}"
    return f"{SITE}/i/web/status/{tweet_id}"


# -- account archive ------------------------------------------------------------------------
def archive_body(body: bytes, what: str) -> tuple[str, bytes]:
    """Split ``window.YTD.<name>.partN = [...]`` into the name and the JSON array."""
    head, sep, rest = body.partition(b"=")
    name = head.strip().removeprefix(ARCHIVE_PREFIX).split(b".")[0].decode("ascii", "replace")
    if not sep or not head.lstrip().startswith(ARCHIVE_PREFIX):
        raise PayloadError(f"{what} does not start like an X archive file (window.YTD.…= [...])")
    return name, rest


def read_account(body: bytes) -> dict[str, Any] | None:
    """Return the ``account`` object of an archive's ``account.js``, or None if unreadable."""
    try:
        _, array = archive_body(body, "account.js")
        records = msgspec.json.decode(array)
        return opt_obj(opt_obj(records[0]).get("account")) or None
    except (PayloadError, msgspec.DecodeError, IndexError, TypeError):
        return None


def parse_archive(
    body: bytes, *, collected_at: datetime, account: dict[str, Any] | None = None
) -> Parsed:
    """Read an archive's ``tweets.js`` (or ``deleted-tweets.js``); `account` names the author."""
    name, array = archive_body(body, "the X archive file")
    deleted = name.startswith("deleted")
    author = _archive_author(account or {})
    parsed = Parsed()
    for i, item in enumerate(raw_items(array, "the X archive"), 1):
        collect(
            parsed,
            f"record {i}",
            lambda item=item: [_archive_tweet(item, author, collected_at, deleted)],
        )
    return parsed


def _archive_author(account: dict[str, Any]) -> Author:
    return Author(
        platform=PLATFORM,
        handle=opt_str(account.get("username")) or "",
        native_id=opt_str(account.get("accountId")),
        name=opt_str(account.get("accountDisplayName")),
    )


def _archive_tweet(
    item: msgspec.Raw, author: Author, collected_at: datetime, deleted: bool
) -> Mention:
    record = obj(decode_item(item), "record")
    tweet = obj(record.get("tweet", record), "tweet")
    tweet_id = string(tweet.get("id_str") or tweet.get("id"), "id_str")
    created = moment(tweet.get("created_at"), "created_at")
    if deleted:
        return tombstone(
            PLATFORM,
            tweet_id,
            created,
            collected_at,
            handle=author.handle,
            author_id=author.native_id,
        )
    entities = opt_obj(tweet.get("entities"))
    links = seq(entities.get("urls")) + seq(entities.get("media"))
    text = readable(post_text(tweet.get("full_text", tweet.get("text")), "full_text"), links)
    parent = opt_str(tweet.get("in_reply_to_status_id_str"))
    lang = language(tweet.get("lang"))
    return Mention(
        platform=PLATFORM,
        native_id=tweet_id,
        text=text,
        created_at=created,
        collected_at=collected_at,
        author=author,
        url=tweet_url(author.handle, tweet_id),
        likes=count(tweet.get("favorite_count")),
        reposts=count(tweet.get("retweet_count")),
        thread_id=None if parent else tweet_id,
        parent_id=parent,
        raw=item,
        lang=lang,
        lang_by="source" if lang else None,
    )
