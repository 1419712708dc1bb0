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

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx
import msgspec
from pydantic import Field, SecretStr, model_validator

from ecoute.model import Author, Mention, now
from ecoute.sources._config import HttpUrl, SourceConfig
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
from ecoute.sources._tokens import Token, bearer, request_token
from ecoute.sources.base import Cursor, Page, RateLimited, SourceError
from ecoute.sources.http import fetch

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


# -- search collector ---------------------------------------------------------------------
SEARCH_PAGE = 100  # searchPosts' largest page
MAX_SEARCH_BYTES = 16 << 20
SESSION_SECONDS = 3600.0  # access tokens last a couple of hours; log in again before


class _Next(msgspec.Struct):
    cursor: str | None = None


_decode_next = msgspec.json.Decoder(_Next).decode


class BlueskySearchSource:
    """Bluesky posts matching a search, history first, then new ones (an app password needed)."""

    name: ClassVar[str] = "bluesky-search"

    class Config(SourceConfig):
        query: str = Field(min_length=1, description="searchPosts' q: words, quotes, from:, #tag.")
        handle: str | None = Field(None, description="The account that logs in.")
        app_password: SecretStr | None = Field(None, description="An app password of it.")
        service: HttpUrl = Field(
            "https://bsky.social", description="The account's PDS, which forwards the search."
        )
        public_api: HttpUrl = Field(
            "https://public.api.bsky.app", description="Searched without credentials."
        )
        lang: str | None = Field(None, description="Only posts in this language (ISO 639).")
        backfill_days: float = Field(7, ge=0, le=3650, description="History read at first.")
        lag_seconds: float = Field(
            600, ge=0, le=86400, description="Each pass re-reads this far back (late indexing)."
        )

        @model_validator(mode="after")
        def _login_is_whole(self) -> BlueskySearchSource.Config:
            if (self.handle is None) != (self.app_password is None):
                raise ValueError("set both handle and app_password, or neither")
            return self

    def __init__(self, config: Config, http: httpx.Client) -> None:
        self.config = config
        self.http = http
        self._session: Token | None = None

    def fetch(self, cursor: Cursor | None) -> Page:
        """Read the next page of the current pass (newest first, down to the pass's `since`).

        The cursor is ``{"since", "page", "top"}``: the pass's lower bound, the
        search's own page cursor, and the newest post time seen in this pass,
        which (less the lag) becomes the next pass's lower bound.
        """
        state = dict(cursor) if isinstance(cursor, dict) else {}
        clock = now()
        since = state.get("since")
        if not isinstance(since, str):
            since = _stamp(clock - timedelta(days=self.config.backfill_days,
                                             seconds=self.config.lag_seconds))  # fmt: skip
        params: dict[str, Any] = {"q": self.config.query, "sort": "latest",
                                  "limit": SEARCH_PAGE, "since": since}  # fmt: skip
        if self.config.lang:
            params["lang"] = self.config.lang
        if isinstance(state.get("page"), str):
            params["cursor"] = state["page"]
        body = self._search(params)
        try:
            parsed = parse_posts(body, collected_at=clock)
            following = _decode_next(body).cursor
        except (PayloadError, msgspec.DecodeError) as exc:
            raise SourceError(f"Bluesky search: {exc}") from None
        # A client's clock ahead of ours must not push the next pass into the future.
        times = [min(m.created_at, clock) for m in parsed.mentions]
        top = max([*times, *([datetime.fromisoformat(state["top"])] if state.get("top") else [])],
                  default=None)  # fmt: skip
        if following and parsed.mentions:
            return parsed.page({"since": since, "page": following,
                                "top": top and _stamp(top)})  # fmt: skip
        if top is not None:
            since = max(since, _stamp(top - timedelta(seconds=self.config.lag_seconds)))
        return parsed.page({"since": since, "page": None, "top": None}, exhausted=True)

    def _search(self, params: dict[str, Any]) -> bytes:
        url = f"{self.config.public_api}/xrpc/app.bsky.feed.searchPosts"
        headers = {}
        if self.config.handle:
            url = f"{self.config.service}/xrpc/app.bsky.feed.searchPosts"
            headers["Authorization"] = f"Bearer {self._login()}"
        try:
            return fetch(self.http, url, params=params, headers=headers,
                         max_bytes=MAX_SEARCH_BYTES).body  # fmt: skip
        except RateLimited:
            raise
        except SourceError:
            self._session = None  # an expired session: log in again on the retry
            raise

    def _login(self) -> str:
        if self._session is None or not self._session.is_fresh:
            assert self.config.app_password is not None
            answer = request_token(
                self.http, f"{self.config.service}/xrpc/com.atproto.server.createSession",
                what="Bluesky",
                json={"identifier": self.config.handle,
                      "password": self.config.app_password.get_secret_value()},
            )  # fmt: skip
            self._session = bearer(answer, "accessJwt", lifetime=SESSION_SECONDS, what="Bluesky")
        return self._session.value


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
