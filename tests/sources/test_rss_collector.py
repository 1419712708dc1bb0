"""The RSS/Atom collector against a local server serving recorded feeds."""

from __future__ import annotations

import logging

import pytest

from ecoute.model import SourceSpec
from ecoute.pipeline import Backoff, Collector, Pipeline
from ecoute.sources.base import RateLimited
from ecoute.sources.http import BlockedAddress, make_client
from ecoute.sources.rss import FeedSource
from ecoute.store.base import Filter
from tests.sources.servers import FakeHTTP, Reply, Request, collect_until

ETAG = '"v1-abc"'
MODIFIED = "Wed, 25 Nov 2026 10:00:00 GMT"


class Publisher:
    """Serves one feed with validators, answering 304 when the client already has it."""

    def __init__(self, body: bytes, *, first: Reply | None = None):
        self.body = body
        self.first = first

    def __call__(self, request: Request) -> Reply:
        if self.first is not None:
            reply, self.first = self.first, None
            return reply
        if request.headers.get("if-none-match") == ETAG:
            return Reply(304)
        return Reply(200, self.body, {"ETag": ETAG, "Last-Modified": MODIFIED,
                                      "Content-Type": "application/rss+xml"})  # fmt: skip


def _source(url: str, **settings) -> FeedSource:
    return FeedSource(FeedSource.Config(url=url, **settings), make_client(allow_private=True))


def test_a_feed_is_read_then_asked_conditionally(shared):
    body = (shared / "fixtures/rss/rss2_cloudflare_blog.xml").read_bytes()
    with FakeHTTP(Publisher(body)) as server:
        source = _source(f"{server.url}/feed", every=60)
        first = source.fetch(None)
        again = source.fetch(first.cursor)  # not due yet: nothing asked
        due = source.fetch({**first.cursor, "checked": 0})
    assert len(first.mentions) >= 1 and first.exhausted and not first.rejected
    assert first.cursor["etag"] == ETAG and first.cursor["modified"] == MODIFIED
    assert again.mentions == [] and len(server.requests) == 2
    conditional = server.requests[1].headers
    assert conditional["if-none-match"] == ETAG and conditional["if-modified-since"] == MODIFIED
    assert due.mentions == [] and due.cursor["etag"] == ETAG


def test_rereading_a_feed_stores_each_entry_once(store, shared):
    body = (shared / "fixtures/rss/atom_reddit_homelab_new.xml").read_bytes()
    spec = SourceSpec(name="homelab", kind="rss")
    with FakeHTTP(lambda request: Reply(200, body)) as server:  # no validators: full reads
        for _ in range(2):
            collector = Collector(spec, _source(server.url, every=1), Pipeline(store, []),
                                  interval=0.05)  # fmt: skip
            collect_until(collector, lambda c=collector: c.state.counts.total > 0)
    count = store.count(Filter())
    assert count > 10 and store.sql("SELECT count(DISTINCT native_id) FROM mentions") == [(count,)]
    assert collector.state.counts.added == 0 and collector.state.counts.unchanged == count


def test_a_429_with_retry_after_is_honoured(store, shared, caplog):
    body = (shared / "fixtures/rss/rss2_pocketsoap_ns_modules.xml").read_bytes()
    publisher = Publisher(body, first=Reply(429, b"", {"Retry-After": "1"}))
    with FakeHTTP(publisher) as server:
        with pytest.raises(RateLimited) as limited:
            _source(server.url).fetch(None)
        assert limited.value.retry_after == 1
        publisher.first = Reply(429, b"", {"Retry-After": "1"})
        spec = SourceSpec(name="soap", kind="rss")
        collector = Collector(spec, _source(server.url), Pipeline(store, []),
                              backoff=Backoff(base=0.01))  # fmt: skip
        with caplog.at_level(logging.WARNING):
            collect_until(collector, lambda: store.count(Filter()) >= 1)
    assert "429; retrying in 1.0 s" in caplog.text and collector.backoff.failures == 0


def test_a_broken_feed_is_reported_and_read_again_when_due():
    with FakeHTTP(lambda request: Reply(200, b"<html><body>Not a feed</body></html>")) as server:
        page = _source(f"{server.url}/feed?token=abc").fetch(None)
    assert page.mentions == [] and page.exhausted
    (rejected,) = page.rejected
    assert rejected.where.endswith("/feed?…") and "not an RSS or Atom feed" in rejected.reason
    assert isinstance(page.cursor["checked"], float)


def test_a_feed_on_a_private_address_is_refused_unless_allowed():
    source = FeedSource(FeedSource.Config(url="http://127.0.0.1:9/feed"), make_client())
    with pytest.raises(BlockedAddress):
        source.fetch(None)
