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

import logging
import re
import time
from datetime import datetime
from typing import Any, ClassVar

import httpx
from pydantic import Field, SecretStr, field_validator, model_validator

from ecoute.model import Author, DeletedBy, Mention, now
from ecoute.sources import _rounds as rounds
from ecoute.sources._config import HttpUrl, SourceConfig, StrList
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
from ecoute.sources._tokens import Token, bearer, request_token
from ecoute.sources.base import Cursor, Page, RateLimited, Rejected, SourceError
from ecoute.sources.http import fetch

log = logging.getLogger(__name__)

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


# -- collector ----------------------------------------------------------------------------
_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
LISTING_LIMIT = 100  # Reddit's largest page
MAX_LISTING_BYTES = 16 << 20


class RedditSource:
    """Reddit posts and comments of chosen subreddits, and a search (needs an OAuth app)."""

    name: ClassVar[str] = "reddit"

    class Config(SourceConfig):
        client_id: str = Field(min_length=1, description="The app's id (reddit.com/prefs/apps).")
        client_secret: SecretStr = Field(description="The app's secret.")
        subreddits: StrList = Field(
            default_factory=list, description="Subreddits whose new posts are read, without r/."
        )
        comments: bool = Field(True, description="Also read the subreddits' new comments.")
        search: str | None = Field(None, description="A Reddit search, newest first.")
        user_agent: str = Field(
            "ecoute:social-listening:0.1 (self-hosted)",
            description="Reddit asks for a descriptive User-Agent naming the app and its owner.",
        )
        auth_url: HttpUrl = "https://www.reddit.com"
        api_url: HttpUrl = "https://oauth.reddit.com"
        lag_seconds: float = Field(
            3600, ge=0, le=7 * 86400,
            description="Each poll re-reads this far back, to catch edits and removals.",
        )  # fmt: skip
        max_pages: int = Field(10, ge=1, le=10, description="Pages of 100 per poll (Reddit: 10).")

        @field_validator("subreddits")
        @classmethod
        def _names(cls, names: list[str]) -> list[str]:
            cleaned = [n.removeprefix("/").removeprefix("r/") for n in names]
            bad = [n for n in cleaned if not _SUBREDDIT.match(n)]
            if bad:
                raise ValueError(f"not subreddit names: {', '.join(bad[:5])}")
            return cleaned

        @model_validator(mode="after")
        def _something_to_read(self) -> RedditSource.Config:
            if not self.subreddits and not self.search:
                raise ValueError("set subreddits, a search, or both")
            return self

    def __init__(self, config: Config, http: httpx.Client) -> None:
        self.config = config
        self.http = http
        self._token: Token | None = None
        self._paused_until = 0.0
        self.feeds = [f"r/{s}/new" for s in config.subreddits]
        if config.comments:
            self.feeds += [f"r/{s}/comments" for s in config.subreddits]
        if config.search:
            self.feeds.append("search")

    def fetch(self, cursor: Cursor | None) -> Page:
        """Read the next feed's new things, down to the last poll's newest minus the lag."""
        wait = self._paused_until - time.monotonic()
        if wait > 0:
            raise RateLimited("Reddit's rate limit is used up until its reset", retry_after=wait)
        feed, state = rounds.current(cursor, self.feeds)
        newest = state.get("newest")
        floor = newest - self.config.lag_seconds if isinstance(newest, int | float) else None
        parsed, after, complete = Parsed(), None, True
        for _ in range(self.config.max_pages):
            doc = self._get(feed, after)
            one = parse_things(doc, collected_at=now())
            parsed.extend(one)
            after = opt_obj(opt_obj(doc).get("data")).get("after")
            times = [m.created_at.timestamp() for m in one.mentions]
            if floor is None or not after or not times or min(times) < floor:
                break
            if time.monotonic() < self._paused_until:
                complete = False  # the rest of this feed is read after the reset
                break
        else:
            log.warning("reddit %s: more than %d pages since the last poll; older ones are "
                        "not read (poll more often)", feed, self.config.max_pages)  # fmt: skip
        if complete:
            ceiling = time.time() + 60  # a clock ahead of ours must not stall the window
            times = [min(m.created_at.timestamp(), ceiling) for m in parsed.mentions]
            state = {"newest": max([*times, newest or 0.0])} if times or newest else {}
        next_cursor, exhausted = rounds.advance(cursor, self.feeds, feed, state, move_on=complete)
        return parsed.page(next_cursor, exhausted=exhausted)

    def _get(self, feed: str, after: str | None) -> Any:
        params: dict[str, Any] = {"limit": LISTING_LIMIT, "raw_json": 1}
        if feed == "search":
            params.update(q=self.config.search, sort="new", type="link")
        if after:
            params["after"] = after
        headers = {"Authorization": f"Bearer {self._bearer()}",
                   "User-Agent": self.config.user_agent}  # fmt: skip
        try:
            got = fetch(self.http, f"{self.config.api_url}/{feed}", params=params,
                        headers=headers, max_bytes=MAX_LISTING_BYTES)  # fmt: skip
        except RateLimited:
            raise
        except SourceError:
            self._token = None  # an expired or revoked token: log in again on the retry
            raise
        self._note_limits(got.headers)
        try:
            return decode_json(got.body, f"Reddit's {feed}")
        except PayloadError as exc:
            raise SourceError(str(exc)) from None

    def _bearer(self) -> str:
        if self._token is None or not self._token.is_fresh:
            answer = request_token(
                self.http, f"{self.config.auth_url}/api/v1/access_token", what="Reddit",
                auth=(self.config.client_id, self.config.client_secret.get_secret_value()),
                data={"grant_type": "client_credentials"},
                headers={"User-Agent": self.config.user_agent},
            )  # fmt: skip
            lifetime = answer.get("expires_in")
            lifetime = float(lifetime) if isinstance(lifetime, int | float) else 3600.0
            self._token = bearer(answer, "access_token", lifetime=lifetime, what="Reddit")
        return self._token.value

    def _note_limits(self, headers: httpx.Headers) -> None:
        # Reddit counts requests per 10-minute window and says how many are left
        # and when the window resets; below two left, wait for the reset.
        remaining = _number(headers.get("X-Ratelimit-Remaining"))
        reset = _number(headers.get("X-Ratelimit-Reset"))
        if remaining is not None and reset is not None and remaining < 2:
            self._paused_until = time.monotonic() + reset
            log.info("reddit: rate limit nearly used up; pausing %.0f s", reset)


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
