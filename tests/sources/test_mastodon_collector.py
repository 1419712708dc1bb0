"""The Mastodon collectors (polling and streaming) against local servers replaying statuses."""

from __future__ import annotations

import logging
from pathlib import Path

import orjson
import pytest

from ecoute.model import SourceSpec
from ecoute.pipeline import Backoff, Collector, ConfigError, Pipeline, validate_source
from ecoute.sources.base import RateLimited
from ecoute.sources.http import make_client
from ecoute.sources.mastodon import MastodonSource, MastodonStreamSource, id_key, link_param
from ecoute.store.base import Filter
from tests.sources.servers import (
    FakeHTTP,
    FakeWebSocket,
    Reply,
    Request,
    collect_until,
    hold_open,
)

TOKEN = "mastodon-token-123"


def _statuses(shared: Path) -> list[dict]:
    """Every recorded status, oldest first."""
    found = []
    for name in ("timelines_public.json", "timelines_tag_page1.json", "timelines_tag_hoot.json"):
        found += orjson.loads((shared / "fixtures/mastodon" / name).read_bytes())
    return sorted(found, key=lambda s: id_key(s["id"]))


class Instance:
    """A fake instance's public timeline over `available` statuses (oldest first), paged by ids."""

    def __init__(self, available: list[dict]):
        self.available = available
        self.failures: list[Reply] = []

    def __call__(self, request: Request) -> Reply:
        if self.failures:
            return self.failures.pop(0)
        limit = int(request.arg("limit") or 20)
        if request.path == "/api/v2/search":
            hits = [s for s in self.available if request.arg("q") in s["content"]]
            return Reply.json({"accounts": [], "hashtags": [], "statuses": hits[::-1][:limit]})
        min_id = request.arg("min_id")
        if min_id is None:
            page = self.available[-limit:]
        else:
            page = [s for s in self.available if id_key(s["id"]) > id_key(min_id)][:limit]
        headers = {}
        if page:
            headers["Link"] = (
                f'<http://x/api/v1/timelines/public?max_id={page[0]["id"]}>; rel="next", '
                f'<http://x/api/v1/timelines/public?min_id={page[-1]["id"]}>; rel="prev"'
            )
        return Reply.json(page[::-1], **headers)


def _poller(url: str, **settings) -> MastodonSource:
    config = MastodonSource.Config(instance=url, **settings)
    return MastodonSource(config, make_client(allow_private=True))


def test_polling_starts_at_the_newest_page_then_follows_min_id(shared):
    statuses = _statuses(shared)
    instance = Instance(statuses[:10])
    with FakeHTTP(instance) as server:
        source = _poller(server.url, page_size=4, token=TOKEN)
        first = source.fetch(None)
        instance.available = statuses  # nine newer statuses arrive
        pages = [source.fetch(first.cursor)]
        while not pages[-1].exhausted:
            pages.append(source.fetch(pages[-1].cursor))
    assert [len(p.mentions) for p in [first, *pages]] == [4, 4, 4, 1]
    assert first.cursor == {"min_id": statuses[9]["id"]} and first.exhausted
    heard = [m.native_id for p in pages for m in p.mentions]
    assert sorted(heard, key=id_key) == [s["id"] for s in statuses[10:]]
    assert [r.arg("min_id") for r in server.requests] == [
        None, statuses[9]["id"], statuses[13]["id"], statuses[17]["id"]]  # fmt: skip
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in server.requests)


def test_search_pages_down_to_the_cursor_with_a_token(shared):
    statuses = _statuses(shared)
    with FakeHTTP(Instance(statuses)) as server:
        source = _poller(server.url, search="a", token=TOKEN, page_size=40)
        page = source.fetch({"min_id": statuses[0]["id"]})
    request = server.requests[0]
    assert request.path == "/api/v2/search" and request.arg("type") == "statuses"
    assert request.arg("min_id") == statuses[0]["id"] and page.mentions
    assert page.cursor == {"min_id": max((m.native_id for m in page.mentions), key=id_key)}


def test_a_429_with_retry_after_is_honoured(store, shared, caplog):
    instance = Instance(_statuses(shared))
    instance.failures = [Reply(429, b"", {"Retry-After": "2"})]
    with FakeHTTP(instance) as server:
        with pytest.raises(RateLimited) as limited:
            _poller(server.url).fetch(None)
        assert limited.value.retry_after == 2
        instance.failures = [Reply(429, b"", {"Retry-After": "1"})]
        spec = SourceSpec(name="m", kind="mastodon")
        collector = Collector(spec, _poller(server.url), Pipeline(store, []),
                              backoff=Backoff(base=0.01))  # fmt: skip
        with caplog.at_level(logging.WARNING):
            collect_until(collector, lambda: store.count(Filter()) >= 1)
    assert "429; retrying in 1.0 s" in caplog.text and collector.backoff.failures == 0


def test_a_malformed_status_is_reported_and_the_others_kept(shared):
    statuses = _statuses(shared)[:3]
    broken = {**statuses[1], "account": None}
    with FakeHTTP(Instance([statuses[0], broken, statuses[2]])) as server:
        page = _poller(server.url).fetch(None)
    assert len(page.mentions) == 2
    assert [r.reason for r in page.rejected] == ["field 'account' is missing"]


@pytest.mark.parametrize(
    ("kind", "config", "message"),
    [
        ("mastodon", {"instance": "https://m.example", "search": "x"}, "a search needs a token"),
        ("mastodon", {"instance": "ftp://m.example"}, "must be an absolute https or http URL"),
        ("mastodon", {"instance": "https://m.example", "tag": "two words"}, "not a hashtag"),
        ("mastodon-stream", {"instance": "https://m.example"}, "token: Field required"),
        ("mastodon-stream", {"instance": "https://m.example", "token": "t", "tag": "x",
                             "remote": True}, "hashtag locally or everywhere"),
    ],
)  # fmt: skip
def test_settings_are_checked_with_clear_errors(kind, config, message):
    classes = {"mastodon": MastodonSource, "mastodon-stream": MastodonStreamSource}
    with pytest.raises(ConfigError, match=message):
        validate_source(SourceSpec(name="m", kind=kind, config=config), classes)


def test_link_headers_give_the_next_min_id():
    header = (
        '<https://m.example/api/v1/timelines/public?max_id=7>; rel="next", '
        '<https://m.example/api/v1/timelines/public?min_id=9&limit=40>; rel="prev"'
    )
    assert link_param(header, "prev", "min_id") == "9"
    assert link_param(header, "next", "max_id") == "7" and link_param(None, "prev", "x") is None


# -- streaming ----------------------------------------------------------------------------
def _event(name: str, payload: object) -> str:
    text = payload if isinstance(payload, str) else orjson.dumps(payload).decode()
    return orjson.dumps({"stream": ["public"], "event": name, "payload": text}).decode()


class Streamer:
    """Streams `events` to the first client, then cuts it; later clients get `later` and stay."""

    def __init__(self, events: list[str], later: list[str] | None = None):
        self.events, self.later, self.connections = events, later or [], 0

    def __call__(self, connection) -> None:
        self.connections += 1
        if self.connections == 1:
            for event in self.events:
                connection.send(event)
            connection.socket.close()
            return
        for event in self.later:
            connection.send(event)
        hold_open(connection)


def _streamer_collector(store, rest_url: str, ws_url: str) -> Collector:
    config = MastodonStreamSource.Config(instance=rest_url, streaming_url=ws_url, token=TOKEN,
                                         batch_seconds=0.2)  # fmt: skip
    source = MastodonStreamSource(config, make_client(allow_private=True))
    return Collector(SourceSpec(name="ms", kind="mastodon-stream"), source, Pipeline(store, []),
                     backoff=Backoff(base=0.01, cap=0.05))  # fmt: skip


def test_stream_resumes_after_a_drop_by_catching_up_and_stores_each_post_once(store, shared):
    statuses = _statuses(shared)
    # The first connection hears 8 posts and a malformed message, then drops;
    # 6 posts are published while disconnected; the new connection hears the last 5.
    streamer = Streamer(
        [*(_event("update", s) for s in statuses[:8]), _event("update", "{broken")],
        later=[_event("update", s) for s in statuses[14:]],
    )
    with FakeHTTP(Instance(statuses[:14])) as rest, FakeWebSocket(streamer) as ws:
        collector = _streamer_collector(store, rest.url, ws.url)
        collect_until(collector, lambda: store.count(Filter()) >= len(statuses))
    assert store.sql("SELECT count(*), count(DISTINCT native_id) FROM mentions") == [(19, 19)]
    assert collector.state.counts.added == 19 and collector.state.counts.rejected == 1
    assert rest.requests[0].arg("min_id") == statuses[7]["id"]  # caught up from the last heard
    assert ws.headers[0]["authorization"] == f"Bearer {TOKEN}"
    assert "stream=public" in ws.paths[0]


def test_a_streamed_deletion_hides_the_post(store, shared):
    statuses = _statuses(shared)[:3]
    streamer = Streamer([], later=[*(_event("update", s) for s in statuses),
                                   _event("delete", statuses[1]["id"])])  # fmt: skip
    streamer.connections = 1  # no drop
    with FakeHTTP(Instance([])) as rest, FakeWebSocket(streamer) as ws:
        collector = _streamer_collector(store, rest.url, ws.url)
        collect_until(collector, lambda: collector.state.counts.deleted >= 1)
    assert {m.native_id for m in store.search(Filter(), limit=10)} == {
        statuses[0]["id"], statuses[2]["id"]}  # fmt: skip


def test_stream_url_names_the_timeline():
    config = MastodonStreamSource.Config(instance="https://m.example", token="t", tag="#Fleurs",
                                         local=True)  # fmt: skip
    url = MastodonStreamSource(config, make_client()).stream_url()
    assert url == "wss://m.example/api/v1/streaming?stream=hashtag%3Alocal&tag=Fleurs"
