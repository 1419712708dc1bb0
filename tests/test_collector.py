"""Collectors: pages stored with their cursors, resume without gap, errors retried."""

from __future__ import annotations

import threading
from typing import ClassVar

import httpx
import pytest
from pydantic import BaseModel, SecretStr

from ecoute.model import SourceSpec
from ecoute.pipeline import (
    Backoff,
    Collector,
    ConfigError,
    Pipeline,
    shown_config,
    validate_source,
)
from ecoute.sources.base import Page, RateLimited, SourceError
from ecoute.sources.http import BlockedAddress, check_url, fetch, make_client, parse_retry_after
from ecoute.store.base import Filter
from tests.factories import mention


class CountingSource:
    """Serves ids 0..total-1, `per_page` at a time; the cursor is the next id."""

    name: ClassVar[str] = "counting"

    class Config(BaseModel):
        total: int
        per_page: int = 10
        token: SecretStr | None = None

    def __init__(self, config: Config, http: httpx.Client | None = None) -> None:
        self.config = config
        self.calls: list[object] = []
        self.fail_on: dict[int, Exception] = {}

    def fetch(self, cursor):
        call = len(self.calls)
        self.calls.append(cursor)
        if call in self.fail_on:
            raise self.fail_on[call]
        start = cursor or 0
        end = min(start + self.config.per_page, self.config.total)
        mentions = [mention(str(i)) for i in range(start, end)]
        return Page(mentions=mentions, cursor=end, exhausted=end >= self.config.total)


class NoWait(Backoff):
    def __init__(self):
        super().__init__()
        self.waits: list[float] = []

    def next(self) -> float:
        super().next()
        return 0.0


def _collector(store, source, stop_after_calls: int):
    spec = SourceSpec(name="count", kind="counting")
    stop = threading.Event()
    collector = Collector(
        spec, source, Pipeline(store, []), interval=0, stop=stop, backoff=NoWait()
    )
    original = source.fetch

    def fetch(cursor):
        if len(source.calls) + 1 >= stop_after_calls:
            stop.set()
        return original(cursor)

    source.fetch = fetch
    return collector


def test_pages_and_cursor_are_stored_until_exhausted(store):
    source = CountingSource(CountingSource.Config(total=35))
    _collector(store, source, stop_after_calls=4).run()
    assert store.count(Filter()) == 35
    assert store.load_cursor("count") == 35
    assert source.calls == [None, 10, 20, 30]


def test_restart_resumes_from_the_saved_cursor_without_gap_or_duplicate(store):
    first = CountingSource(CountingSource.Config(total=50))
    first.fail_on = {2: KeyboardInterrupt()}  # the process dies during the third fetch
    with pytest.raises(KeyboardInterrupt):
        _collector(store, first, stop_after_calls=10).run()
    assert store.load_cursor("count") == 20
    second = CountingSource(CountingSource.Config(total=50))
    _collector(store, second, stop_after_calls=3).run()
    assert second.calls[0] == 20
    assert store.count(Filter()) == 50
    assert store.sql("SELECT count(DISTINCT native_id), count(*) FROM mentions") == [(50, 50)]


def test_rate_limit_waits_as_asked_and_errors_are_counted(store):
    source = CountingSource(CountingSource.Config(total=20))
    source.fail_on = {0: RateLimited("429", retry_after=0.01), 1: SourceError("timed out")}
    collector = _collector(store, source, stop_after_calls=4)
    collector.run()
    assert collector.state.errors == 2
    assert "timed out" in collector.state.last_error
    assert store.count(Filter()) == 20


def test_a_bug_in_a_source_is_logged_and_retried(store, caplog):
    source = CountingSource(CountingSource.Config(total=10))
    source.fail_on = {0: ZeroDivisionError("oops")}
    collector = _collector(store, source, stop_after_calls=2)
    collector.run()
    assert collector.state.errors == 1 and store.count(Filter()) == 10
    assert "source count failed" in caplog.text


def test_backoff_grows_with_jitter_and_resets():
    import random

    backoff = Backoff(base=1, cap=8, rng=random.Random(1))
    waits = [backoff.next() for _ in range(6)]
    assert all(0 <= w <= 8 for w in waits)
    assert max(waits[3:]) > max(waits[:1])
    backoff.reset()
    assert backoff.failures == 0


def test_config_errors_name_the_field():
    classes = {"counting": CountingSource}
    with pytest.raises(ConfigError, match="total: Field required"):
        validate_source(SourceSpec(name="c", kind="counting", config={}), classes)
    with pytest.raises(ConfigError, match="no source plugin 'nope'"):
        validate_source(SourceSpec(name="c", kind="nope"), classes)


def test_secrets_are_masked_when_shown():
    spec = SourceSpec(name="c", kind="counting", config={"total": 3, "token": "s3cret"})
    shown = shown_config(spec, {"counting": CountingSource})
    assert "s3cret" not in str(shown) and shown["token"] == "**********"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://localhost:8080/",
        "http://10.0.0.5/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://192.168.1.1/",
    ],
)
def test_private_addresses_are_refused(url):
    with pytest.raises(BlockedAddress):
        check_url(url)
    check_url(url, allow_private=True)


def test_only_web_schemes_are_accepted():
    with pytest.raises(SourceError, match="not an http"):
        check_url("file:///etc/passwd", allow_private=True)


def test_redirect_to_a_private_address_is_refused():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://127.0.0.1/admin"})

    # The first hop's host is a literal public address, so no DNS is needed.
    client = make_client(transport=httpx.MockTransport(handler))
    with client, pytest.raises(BlockedAddress):
        fetch(client, "http://93.184.215.14/feed")


def test_fetch_caps_the_body_and_maps_errors():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/big":
            return httpx.Response(200, content=b"x" * 2000)
        if request.url.path == "/big-stream":  # no Content-Length: counted while read
            return httpx.Response(200, content=iter([b"x" * 600, b"x" * 600]))
        if request.url.path == "/slow-down":
            return httpx.Response(429, headers={"Retry-After": "7"})
        return httpx.Response(500)

    with make_client(allow_private=True, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(SourceError, match="sent 2,000 bytes; the cap is 1,000"):
            fetch(client, "http://127.0.0.1/big", max_bytes=1000)
        with pytest.raises(SourceError, match="more than 1,000 bytes"):
            fetch(client, "http://127.0.0.1/big-stream", max_bytes=1000)
        with pytest.raises(RateLimited) as limited:
            fetch(client, "http://127.0.0.1/slow-down?api_key=SECRET")
        assert limited.value.retry_after == 7
        assert "SECRET" not in str(limited.value)
        with pytest.raises(SourceError, match="500"):
            fetch(client, "http://127.0.0.1/fail")


def test_retry_after_as_an_http_date():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 25 Nov 2026 10:00:30 GMT", now=now) == 30
    assert parse_retry_after("garbage", now=now) is None
