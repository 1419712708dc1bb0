"""The Bluesky search collector against a local server replaying a recorded searchPosts."""

from __future__ import annotations

import logging
from pathlib import Path

import orjson
import pytest

from ecoute.model import SourceSpec
from ecoute.pipeline import Backoff, Collector, ConfigError, Pipeline, validate_source
from ecoute.sources.base import RateLimited
from ecoute.sources.bluesky import BlueskySearchSource
from ecoute.sources.http import make_client
from ecoute.store.base import Filter
from tests.sources.servers import FakeHTTP, Reply, Request, collect_until

PASSWORD = "abcd-efgh-ijkl-mnop"


class AppView:
    """createSession, and searchPosts over recorded posts paged 10 at a time, newest first."""

    def __init__(self, posts: list[dict]):
        self.posts = posts
        self.failures: dict[str | None, Reply] = {}  # by the page cursor asked for
        self.sessions = 0

    def __call__(self, request: Request) -> Reply:
        if request.path.endswith("createSession"):
            if orjson.loads(request.body) != {"identifier": "brand.example", "password": PASSWORD}:
                return Reply.json({"error": "AuthenticationRequired"}, 401)
            self.sessions += 1
            return Reply.json({"accessJwt": f"jwt-{self.sessions}", "refreshJwt": "r",
                               "did": "did:plc:brand", "handle": "brand.example"})  # fmt: skip
        failure = self.failures.pop(request.arg("cursor"), None)
        if failure is not None:
            return failure
        assert request.headers["authorization"] == f"Bearer jwt-{self.sessions}"
        since = request.arg("since") or ""
        hits = [p for p in self.posts if p["indexedAt"] >= since]
        start = int(request.arg("cursor") or 0)
        page = hits[start : start + 10]
        following = str(start + 10) if start + 10 < len(hits) else None
        return Reply.json({"posts": page, **({"cursor": following} if following else {})})


def _posts(shared: Path) -> list[dict]:
    doc = orjson.loads((shared / "fixtures/bluesky/searchPosts_redistricting.json").read_bytes())
    return doc["posts"]


def _source(url: str, **settings) -> BlueskySearchSource:
    config = BlueskySearchSource.Config(query="redistricting", handle="brand.example",
                                        app_password=PASSWORD, service=url, **settings)  # fmt: skip
    return BlueskySearchSource(config, make_client(allow_private=True))


def test_history_is_paged_then_new_passes_start_at_the_newest_minus_the_lag(shared):
    posts = _posts(shared)
    with FakeHTTP(AppView(posts)) as server:
        source = _source(server.url, backfill_days=10_000 / 3, lag_seconds=60)
        pages = [source.fetch(None)]
        while not pages[-1].exhausted:
            pages.append(source.fetch(pages[-1].cursor))
        after = source.fetch(pages[-1].cursor)
    assert [len(p.mentions) for p in pages] == [10, 10, 5]
    assert [r.arg("cursor") for r in server.requests[1:4]] == [None, "10", "20"]
    assert server.paths()[0] == "/xrpc/com.atproto.server.createSession"
    newest = max(m.created_at for p in pages for m in p.mentions)
    assert pages[-1].cursor["since"] < newest.isoformat() and pages[-1].cursor["page"] is None
    assert server.requests[-1].arg("since") == pages[-1].cursor["since"]
    assert server.requests[-1].arg("sort") == "latest" and len(after.mentions) >= 1


def test_a_crash_mid_pass_resumes_at_the_saved_page_and_stores_each_post_once(store, shared):
    app = AppView(_posts(shared))
    spec = SourceSpec(name="bs", kind="bluesky-search")
    with FakeHTTP(app) as server:
        app.failures = {"20": Reply(500)}  # the third page fails once
        settings = {"backfill_days": 10_000 / 3}
        collector = Collector(spec, _source(server.url, **settings), Pipeline(store, []),
                              interval=0.05, backoff=Backoff(base=0.01, cap=0.05))  # fmt: skip
        collect_until(collector, lambda: store.count(Filter()) >= 25)
    assert store.sql("SELECT count(*), count(DISTINCT native_id) FROM mentions") == [(25, 25)]
    assert collector.state.errors == 1 and collector.state.counts.added == 25
    searches = [r.arg("cursor") for r in server.requests if r.path.endswith("searchPosts")]
    assert searches[:4] == [None, "10", "20", "20"]


def test_a_429_with_retry_after_is_honoured(store, shared, caplog):
    app = AppView(_posts(shared))
    with FakeHTTP(app) as server:
        app.failures = {None: Reply(429, b"", {"Retry-After": "3"})}
        with pytest.raises(RateLimited) as limited:
            _source(server.url).fetch(None)
        assert limited.value.retry_after == 3
        app.failures = {None: Reply(429, b"", {"Retry-After": "1"})}
        spec = SourceSpec(name="bs", kind="bluesky-search")
        collector = Collector(spec, _source(server.url, backfill_days=10_000 / 3),
                              Pipeline(store, []), backoff=Backoff(base=0.01))  # fmt: skip
        with caplog.at_level(logging.WARNING):
            collect_until(collector, lambda: store.count(Filter()) >= 10)
    assert "429; retrying in 1.0 s" in caplog.text and collector.backoff.failures == 0


def test_a_malformed_post_is_reported_and_the_others_kept(shared):
    posts = _posts(shared)[:3]
    broken = {**posts[1], "author": "nobody"}
    with FakeHTTP(AppView([posts[0], broken, posts[2]])) as server:
        page = _source(server.url, backfill_days=10_000 / 3).fetch(None)
    assert len(page.mentions) == 2
    assert [r.reason for r in page.rejected] == ["field 'author' is a str, not an object"]


def test_a_wrong_app_password_is_reported_without_it(shared):
    with FakeHTTP(AppView([])) as server:
        config = BlueskySearchSource.Config(
            query="x", handle="brand.example", app_password="wrong-one", service=server.url
        )
        with pytest.raises(Exception, match=r"refused the credentials \(401\)") as refused:
            BlueskySearchSource(config, make_client(allow_private=True)).fetch(None)
    assert "wrong-one" not in str(refused.value)


def test_a_login_needs_both_handle_and_password():
    spec = SourceSpec(name="b", kind="bluesky-search", config={"query": "x", "handle": "a.b"})
    with pytest.raises(ConfigError, match="set both handle and app_password"):
        validate_source(spec, {"bluesky-search": BlueskySearchSource})
