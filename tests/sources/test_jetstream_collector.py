"""The Jetstream collector against a local WebSocket server replaying recorded events."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import orjson
import pytest

from ecoute.model import SourceSpec
from ecoute.pipeline import Backoff, Collector, Pipeline
from ecoute.sources.base import RateLimited
from ecoute.sources.http import BlockedAddress, make_client
from ecoute.sources.jetstream import JetstreamSource
from ecoute.store.base import Filter
from tests.sources.servers import FakeWebSocket, JetstreamReplay, collect_until, jetstream_posts

SPEC = SourceSpec(name="jet", kind="bluesky-jetstream")


def _recorded(shared: Path) -> tuple[bytes, list[bytes]]:
    """The recorded post event, and every recorded event that is not a post."""
    lines = (shared / "fixtures/bluesky/jetstream_events_v1.jsonl").read_bytes().splitlines()
    posts = [line for line in lines if b'"app.bsky.feed.post"' in line]
    return posts[0], [line for line in lines if line not in posts]


def _collector(store, url: str, **settings) -> Collector:
    config = JetstreamSource.Config(url=url, batch_seconds=0.2, **settings)
    source = JetstreamSource(config, make_client(allow_private=True))
    return Collector(SPEC, source, Pipeline(store, []), backoff=Backoff(base=0.01, cap=0.05))


def _stored(store) -> list[tuple[str, int]]:
    return store.sql("SELECT native_id, count(*) FROM mentions GROUP BY native_id")


def test_disconnects_mid_stream_resume_and_store_each_post_once(store, shared):
    template, others = _recorded(shared)
    posts = jetstream_posts(template, 300)
    replay = JetstreamReplay(posts + others, drops=[120, 90])
    newest = max(orjson.loads(e)["time_us"] for e in posts + others)
    with FakeWebSocket(replay) as server:
        collector = _collector(store, f"{server.url}/subscribe", batch_events=50)
        collect_until(collector, lambda: store.load_cursor("jet") == {"time_us": newest})
    assert store.load_cursor("jet") == {"time_us": newest}
    assert replay.connections >= 3
    stored = _stored(store)
    assert len(stored) == 300 and all(n == 1 for _, n in stored)
    assert collector.state.counts.added == 300  # replays were recognised, not added twice
    # Each reconnection asked for a cursor a few seconds before the last one stored.
    for i in range(1, replay.connections):
        (cursor,) = server.query(i)["cursor"]
        assert int(cursor) < newest
    assert server.query(0)["wantedCollections"] == ["app.bsky.feed.post"]


def test_restart_replays_a_few_seconds_and_adds_nothing_twice(store, shared):
    template, _ = _recorded(shared)
    posts = jetstream_posts(template, 40, step_us=1_000_000)  # one event per second
    with FakeWebSocket(JetstreamReplay(posts)) as server:
        first = _collector(store, server.url)
        collect_until(first, lambda: store.count(Filter()) >= 40)
        second = _collector(store, server.url, rewind_seconds=5)
        collect_until(second, lambda: second.state.counts.unchanged >= 6)
    last = orjson.loads(posts[-1])["time_us"]
    assert server.query(1)["cursor"] == [str(last - 5_000_000)]
    assert second.state.counts.added == 0 and second.state.counts.unchanged == 6
    assert store.count(Filter()) == 40


def test_malformed_messages_are_reported_and_skipped(store, shared, caplog):
    template, _ = _recorded(shared)
    good = jetstream_posts(template, 5)
    bad_text = orjson.loads(good[0])
    bad_text["commit"]["record"]["text"] = {"not": "text"}
    bad_text["commit"]["rkey"] = "3zzbad"
    broken = b'{"did": "did:plc:x", "time_us": 1779719000000500, "kind": "commit", "commit": '
    replay = JetstreamReplay([*good[:2], orjson.dumps(bad_text), *good[2:]])

    def send_broken_first(connection):
        # A truncated message has no time_us to sort it by: it goes first.
        connection.send(broken.decode())
        replay(connection)

    with FakeWebSocket(send_broken_first) as server:
        collector = _collector(store, server.url)
        with caplog.at_level(logging.WARNING):
            collect_until(collector, lambda: store.count(Filter()) >= 5)
    assert store.count(Filter()) == 5
    assert collector.state.counts.rejected == 2
    assert "invalid JSON" in caplog.text and "record.text" in caplog.text


def test_a_deleted_post_disappears(store, shared):
    template, _ = _recorded(shared)
    posts = jetstream_posts(template, 3)
    deletion = orjson.loads(posts[1])
    deletion["time_us"] += 10_000_000
    deletion["commit"] = {"operation": "delete", "collection": "app.bsky.feed.post",
                          "rkey": deletion["commit"]["rkey"], "rev": "3zzrev"}  # fmt: skip
    with FakeWebSocket(JetstreamReplay([*posts, orjson.dumps(deletion)])) as server:
        collector = _collector(store, server.url)
        collect_until(collector, lambda: collector.state.counts.deleted >= 1)
    texts = [m.text for m in store.search(Filter(), limit=10)]
    assert len(texts) == 2 and "post number 1 about" not in " ".join(texts)


def test_a_429_on_connect_waits_as_long_as_retry_after_says(store, shared, caplog):
    template, _ = _recorded(shared)
    refusals = iter([(429, {"Retry-After": "1"})])
    replay = JetstreamReplay(jetstream_posts(template, 3))
    with FakeWebSocket(replay, refuse=lambda request: next(refusals, None)) as server:
        source = JetstreamSource(JetstreamSource.Config(url=server.url),
                                 make_client(allow_private=True))  # fmt: skip
        with pytest.raises(RateLimited) as limited:
            next(source.stream(None))
        assert limited.value.retry_after == 1
        refusals = iter([(429, {"Retry-After": "1"})])
        collector = _collector(store, server.url)
        with caplog.at_level(logging.WARNING):
            collect_until(collector, lambda: store.count(Filter()) >= 3)
    assert "429; retrying in 1.0 s" in caplog.text
    assert collector.backoff.failures == 0  # the server's delay was used, not a guess


def test_stop_returns_while_the_stream_is_quiet(shared):
    with FakeWebSocket(JetstreamReplay([])) as server:
        source = JetstreamSource(JetstreamSource.Config(url=server.url),
                                 make_client(allow_private=True))  # fmt: skip
        pages: list[object] = []
        thread = threading.Thread(target=lambda: pages.extend(source.stream(None)))
        thread.start()
        threading.Timer(0.3, source.stop).start()
        thread.join(5)
    assert not thread.is_alive() and pages == []


def test_private_addresses_are_refused_unless_allowed():
    config = JetstreamSource.Config(url="ws://127.0.0.1:9/subscribe")
    with pytest.raises(BlockedAddress):
        next(JetstreamSource(config, make_client()).stream(None))


def test_subscription_asks_for_posts_only_from_the_rewound_cursor():
    config = JetstreamSource.Config(dids="did:plc:a, did:plc:b", rewind_seconds=2)
    source = JetstreamSource(config, make_client())
    url = source.subscribe_url(1_000)
    assert url.startswith("wss://") and "wantedCollections=app.bsky.feed.post" in url
    assert "wantedDids=did%3Aplc%3Aa&wantedDids=did%3Aplc%3Ab" in url and url.endswith(
        "cursor=1000"
    )
