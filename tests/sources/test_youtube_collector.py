"""The YouTube collector against a local server replaying recorded Data API responses."""

from __future__ import annotations

import logging
from pathlib import Path

import orjson
import pytest

from ecoute.model import SourceSpec
from ecoute.pipeline import Backoff, Collector, ConfigError, Pipeline, validate_source
from ecoute.sources.base import RateLimited, SourceError
from ecoute.sources.http import make_client
from ecoute.sources.youtube import YouTubeSource
from ecoute.store.base import Filter
from tests.sources.servers import FakeHTTP, Reply, Request, collect_until

KEY = "AIza-test-key"
VIDEO = "F1UP7wRCPH8"
CHANNEL = "UC_x5XG1OV2P6uZZ5FSM9Ttw"


def _recorded(shared: Path, name: str) -> dict:
    return orjson.loads((shared / "fixtures/youtube" / name).read_bytes())


class DataAPI:
    """commentThreads paged by pageToken, and comments of a parent, as recorded."""

    def __init__(self, shared: Path):
        threads = _recorded(shared, "commentThreads_list_by_video_p1.json")
        self.pages = [
            {**threads, "items": threads["items"][:3], "nextPageToken": "p2"},
            {**threads, "items": threads["items"][3:], "nextPageToken": None},
        ]
        self.replies = _recorded(shared, "comments_list_by_parent_p1.json")
        self.failures: list[Reply] = []

    def __call__(self, request: Request) -> Reply:
        if request.arg("key") != KEY:
            return Reply.json({"error": {"code": 400, "message": "API key not valid"}}, 400)
        if self.failures:
            return self.failures.pop(0)
        if request.path.endswith("/comments"):
            return Reply.json(self.replies)
        return Reply.json(self.pages[1 if request.arg("pageToken") == "p2" else 0])


def _source(url: str, **settings) -> YouTubeSource:
    config = YouTubeSource.Config(api_key=KEY, base_url=url, **settings)
    return YouTubeSource(config, make_client(allow_private=True))


def test_comment_threads_are_read_per_target_with_replies(shared):
    api = DataAPI(shared)
    newest, older = api.pages[0]["items"], api.pages[1]["items"]
    api.pages[0] = {**api.pages[0], "items": newest[2:] + older}  # with the thread of 2 replies
    with FakeHTTP(api) as server:
        source = _source(server.url, videos=VIDEO, channels=CHANNEL, all_replies=True)
        video = source.fetch(None)
        channel = source.fetch(video.cursor)
    first = server.requests[0]
    assert first.arg("videoId") == VIDEO and first.arg("order") == "time"
    assert first.arg("part") == "snippet,replies"
    # A first read takes the newest page only (history would cost quota), and
    # fetches the replies a thread holds beyond those included.
    assert [r.path for r in server.requests] == ["/commentThreads", "/comments",
                                                 "/commentThreads", "/comments"]  # fmt: skip
    assert server.requests[1].arg("parentId") == older[-1]["id"]
    assert server.requests[2].arg("allThreadsRelatedToChannelId") == CHANNEL
    assert not video.exhausted and channel.exhausted
    replies = [m for m in video.mentions if m.parent_id != VIDEO]
    assert len(video.mentions) == 3 + 2 and len(replies) == 2
    assert all(m.thread_id == VIDEO for m in video.mentions)


def test_a_later_poll_pages_back_to_the_last_and_stores_each_comment_once(store, shared):
    api = DataAPI(shared)
    pages = api.pages
    api.pages = [{**pages[1], "nextPageToken": None}]  # at first, only the two oldest threads
    spec = SourceSpec(name="yt", kind="youtube")
    with FakeHTTP(api) as server:
        for _ in range(2):
            collector = Collector(spec, _source(server.url, videos=VIDEO, lag_seconds=0),
                                  Pipeline(store, []), interval=0.05)  # fmt: skip
            collect_until(collector, lambda c=collector: c.state.pages >= 1)
            api.pages = pages  # then three newer threads: two pages, down to the last poll
    assert store.sql("SELECT count(*), count(DISTINCT native_id) FROM mentions") == [(5, 5)]
    assert [r.arg("pageToken") for r in server.requests][:3] == [None, None, "p2"]


def test_a_429_with_retry_after_is_honoured(store, shared, caplog):
    api = DataAPI(shared)
    api.failures = [Reply(429, b"", {"Retry-After": "4"})]
    with FakeHTTP(api) as server:
        with pytest.raises(RateLimited) as limited:
            _source(server.url, videos=VIDEO).fetch(None)
        assert limited.value.retry_after == 4
        api.failures = [Reply(429, b"", {"Retry-After": "1"})]
        collector = Collector(SourceSpec(name="yt", kind="youtube"),
                              _source(server.url, videos=VIDEO), Pipeline(store, []),
                              backoff=Backoff(base=0.01))  # fmt: skip
        with caplog.at_level(logging.WARNING):
            collect_until(collector, lambda: store.count(Filter()) >= 3)
    assert "429; retrying in 1.0 s" in caplog.text and collector.backoff.failures == 0


def test_a_malformed_thread_is_reported_and_the_others_kept(shared):
    api = DataAPI(shared)
    broken = {**api.pages[0]["items"][1], "snippet": "nope"}
    api.pages[0] = {**api.pages[0], "items": [api.pages[0]["items"][0], broken]}
    with FakeHTTP(api) as server:
        page = _source(server.url, videos=VIDEO).fetch(None)
    assert len(page.mentions) == 1
    assert [r.reason for r in page.rejected] == ["field 'snippet' is a str, not an object"]


def test_the_api_key_is_never_shown_in_errors(shared):
    with FakeHTTP(DataAPI(shared)) as server:
        config = YouTubeSource.Config(api_key="leaky-key", base_url=server.url, videos=VIDEO)
        with pytest.raises(SourceError) as refused:
            YouTubeSource(config, make_client(allow_private=True)).fetch(None)
    assert "400" in str(refused.value) and "leaky-key" not in str(refused.value)


def test_targets_are_checked_with_clear_errors():
    spec = SourceSpec(name="y", kind="youtube", config={"api_key": "k", "videos": "short"})
    with pytest.raises(ConfigError, match="not video or channel ids: short"):
        validate_source(spec, {"youtube": YouTubeSource})
    with pytest.raises(ConfigError, match="set videos, channels, or both"):
        validate_source(SourceSpec(name="y", kind="youtube", config={"api_key": "k"}),
                        {"youtube": YouTubeSource})  # fmt: skip
