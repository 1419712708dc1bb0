"""The Reddit collector against a local server replaying recorded listings."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import orjson
import pytest

from ecoute.model import SourceSpec
from ecoute.pipeline import Backoff, Collector, ConfigError, Pipeline, validate_source
from ecoute.sources.base import RateLimited, SourceError
from ecoute.sources.http import make_client
from ecoute.sources.reddit import RedditSource
from ecoute.store.base import Filter
from tests.sources.servers import FakeHTTP, Reply, Request, collect_until

SECRET = "s3cret-app-secret"


def _comments(shared: Path) -> list[dict]:
    doc = orjson.loads((shared / "fixtures/reddit/subreddit_comments_askreddit.json").read_bytes())
    return doc["data"]["children"]


def _listing(children: list[dict], after: str | None = None) -> dict:
    return {"kind": "Listing", "data": {"children": children, "after": after, "before": None}}


class Reddit:
    """A fake Reddit: the token endpoint and listings served from `pages[path]` by `after`."""

    def __init__(self, pages: dict[str, list[dict]], limits: dict[str, str] | None = None):
        self.pages = pages
        self.limits = limits or {"X-Ratelimit-Remaining": "590", "X-Ratelimit-Reset": "300"}
        self.failures: dict[str, Reply] = {}
        self.tokens = 0

    def __call__(self, request: Request) -> Reply:
        if request.path == "/api/v1/access_token":
            self.tokens += 1
            expected = base64.b64encode(f"app-id:{SECRET}".encode()).decode()
            if request.headers.get("authorization") != f"Basic {expected}":
                return Reply.json({"message": "Unauthorized", "error": 401}, 401)
            return Reply.json({"access_token": f"token-{self.tokens}", "token_type": "bearer",
                               "expires_in": 86400, "scope": "*"})  # fmt: skip
        if request.headers.get("authorization") != f"Bearer token-{self.tokens}":
            return Reply.json({"message": "Unauthorized"}, 401)
        failure = self.failures.pop(f"{request.path}?{request.arg('after')}", None)
        if failure is not None:
            return failure
        pages = self.pages.get(request.path, [_listing([])])
        index = 0 if request.arg("after") is None else int(request.arg("after").split("-")[1])
        return Reply.json(pages[index], **self.limits)


def _paged(children: list[dict], size: int) -> list[dict]:
    chunks = [children[i : i + size] for i in range(0, len(children), size)]
    return [_listing(c, f"page-{i + 1}" if i + 1 < len(chunks) else None)
            for i, c in enumerate(chunks)]  # fmt: skip


def _source(url: str, **settings) -> RedditSource:
    config = RedditSource.Config(client_id="app-id", client_secret=SECRET, auth_url=url,
                                 api_url=url, **settings)  # fmt: skip
    return RedditSource(config, make_client(allow_private=True))


def _collector(store, source) -> Collector:
    spec = SourceSpec(name="reddit", kind="reddit")
    return Collector(spec, source, Pipeline(store, []), interval=0.05,
                     backoff=Backoff(base=0.01, cap=0.05))  # fmt: skip


def test_reads_each_feed_in_turn_with_the_app_token(store, shared):
    search = orjson.loads((shared / "fixtures/reddit/search_r_all.json").read_bytes())
    reddit = Reddit({"/r/askreddit/comments": [_listing(_comments(shared))], "/search": [search]})
    with FakeHTTP(reddit) as server:
        source = _source(server.url, subreddits="r/askreddit", search="praw")
        pages = [source.fetch(None)]
        while not pages[-1].exhausted:
            pages.append(source.fetch(pages[-1].cursor))
    assert server.paths() == ["/api/v1/access_token", "/r/askreddit/new",
                              "/r/askreddit/comments", "/search"]  # fmt: skip
    assert [p.exhausted for p in pages] == [False, False, True]
    assert [len(p.mentions) for p in pages] == [0, 100, 6]
    listing = server.requests[2]
    assert listing.arg("raw_json") == "1" and listing.arg("limit") == "100"
    assert "ecoute" in listing.headers["user-agent"]
    assert server.requests[3].arg("q") == "praw" and server.requests[3].arg("sort") == "new"
    newest = max(c["data"]["created_utc"] for c in _comments(shared))
    assert pages[-1].cursor["feeds"]["r/askreddit/comments"] == {"newest": newest}


def test_a_poll_pages_back_to_the_last_one_and_resumes_after_a_failure(store, shared):
    comments = _comments(shared)  # newest first, 56 seconds apart at most
    reddit = Reddit({"/r/askreddit/comments": [_listing(comments[60:])]})
    with FakeHTTP(reddit) as server:
        first = _source(server.url, subreddits="askreddit", lag_seconds=0)
        collect_until(_collector(store, first), lambda: store.count(Filter()) >= 40)
        # While stopped, sixty newer comments arrived: three pages; page 2 fails once.
        reddit.pages["/r/askreddit/comments"] = _paged(comments, 25)
        reddit.failures["/r/askreddit/comments?page-1"] = Reply(500)
        collector = _collector(store, _source(server.url, subreddits="askreddit", lag_seconds=0))
        collect_until(collector, lambda: store.count(Filter()) >= 100)
    stored = store.sql("SELECT count(*), count(DISTINCT native_id) FROM mentions")
    assert stored == [(100, 100)]
    assert collector.state.errors == 1 and collector.state.counts.added == 60
    afters = [r.arg("after") for r in server.requests if r.path.endswith("/comments")]
    # The page after the failure was asked again; the poll stopped at the last one's newest.
    assert afters.count("page-1") == 2 and "page-4" not in afters


def test_rate_limit_headers_pause_until_the_reset(shared):
    reddit = Reddit({"/r/askreddit/new": [_listing(_comments(shared)[:3])]},
                    limits={"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "42",
                            "X-Ratelimit-Used": "600"})  # fmt: skip
    with FakeHTTP(reddit) as server:
        source = _source(server.url, subreddits="askreddit", comments=False)
        page = source.fetch(None)
        with pytest.raises(RateLimited) as limited:
            source.fetch(page.cursor)
    assert len(page.mentions) == 3
    assert 40 < limited.value.retry_after <= 42
    assert len(server.requests) == 2  # the paused fetch asked nothing


def test_a_429_with_retry_after_is_honoured(store, shared, caplog):
    reddit = Reddit({"/r/askreddit/new": [_listing(_comments(shared)[:3])]})
    reddit.failures["/r/askreddit/new?None"] = Reply(429, b"", {"Retry-After": "1"})
    with FakeHTTP(reddit) as server:
        collector = _collector(store, _source(server.url, subreddits="askreddit", comments=False))
        with caplog.at_level(logging.WARNING):
            collect_until(collector, lambda: store.count(Filter()) >= 3)
    assert "429; retrying in 1.0 s" in caplog.text and collector.backoff.failures == 0


def test_a_malformed_thing_is_reported_and_the_others_kept(shared):
    comments = _comments(shared)[:4]
    broken = {"kind": "t1", "data": {**comments[1]["data"], "created_utc": "yesterday"}}
    reddit = Reddit({"/r/askreddit/new": [_listing([comments[0], broken, *comments[2:]])]})
    with FakeHTTP(reddit) as server:
        page = _source(server.url, subreddits="askreddit", comments=False).fetch(None)
    assert len(page.mentions) == 3
    assert [r.reason for r in page.rejected] == ["field 'created_utc' is not a time: 'yesterday'"]


def test_a_comment_deleted_since_the_last_poll_disappears(store, shared):
    comments = _comments(shared)[:5]
    reddit = Reddit({"/r/askreddit/comments": [_listing(comments)]})
    with FakeHTTP(reddit) as server:
        source = _source(server.url, subreddits="askreddit")
        collect_until(_collector(store, source), lambda: store.count(Filter()) >= 5)
        gone = {**comments[2]["data"], "body": "[deleted]", "author": "[deleted]"}
        reddit.pages["/r/askreddit/comments"] = [
            _listing([*comments[:2], {"kind": "t1", "data": gone}, *comments[3:]])
        ]
        collector = _collector(store, source)
        collect_until(collector, lambda: collector.state.counts.deleted >= 1)
    assert store.count(Filter()) == 4


def test_refused_credentials_are_reported_without_the_secret(shared):
    with FakeHTTP(Reddit({})) as server:
        config = RedditSource.Config(client_id="app-id", client_secret="wrong-secret",
                                     subreddits="askreddit", auth_url=server.url,
                                     api_url=server.url)  # fmt: skip
        with pytest.raises(SourceError) as refused:
            RedditSource(config, make_client(allow_private=True)).fetch(None)
    assert "refused the credentials (401)" in str(refused.value)
    assert "wrong-secret" not in str(refused.value) and "wrong-secret" not in repr(config)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"client_id": "a", "client_secret": "b"}, "set subreddits, a search, or both"),
        ({"client_id": "a", "client_secret": "b", "subreddits": "ok,no/pe"}, "no/pe"),
        ({"client_id": "a", "subreddits": "ok"}, "client_secret: Field required"),
        ({"client_id": "a", "client_secret": "b", "search": "x", "subreddit": "y"},
         "subreddit: Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_settings_are_checked_with_clear_errors(config, message):
    spec = SourceSpec(name="r", kind="reddit", config=config)
    with pytest.raises(ConfigError, match=message):
        validate_source(spec, {"reddit": RedditSource})
