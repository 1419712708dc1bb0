"""Bluesky as it happens: posts, edits and deletions from a Jetstream WebSocket.

Jetstream serves the network's firehose as JSON, filtered to the collections
asked for; no account is needed. Each event carries ``time_us``, the
microsecond Jetstream uses as its replay cursor: the cursor kept here is the
newest ``time_us`` stored. On reconnect the stream is asked to replay from a
few seconds earlier, as Jetstream's documentation advises (events are not
strictly ordered around a cursor), and the store's idempotent upsert makes the
replayed events harmless: each post is stored once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import httpx
import msgspec
from pydantic import Field

from ecoute.model import now
from ecoute.sources._config import SourceConfig, StrList, WsUrl
from ecoute.sources._parsing import Parsed
from ecoute.sources._websocket import open_stream, read_batches
from ecoute.sources.base import Cursor, Page, Rejected
from ecoute.sources.bluesky import POST_COLLECTION, parse_jetstream_event

log = logging.getLogger(__name__)

DEFAULT_URL = "wss://jetstream2.us-east.bsky.network/subscribe"
MAX_WANTED_DIDS = 10_000  # Jetstream's own limit on wantedDids


class _Stamp(msgspec.Struct):
    time_us: Any = None


_decode_stamp = msgspec.json.Decoder(_Stamp).decode


def event_time(message: bytes) -> int | None:
    """Return an event's ``time_us``, or None when the message has none."""
    try:
        stamp = _decode_stamp(message).time_us
    except msgspec.DecodeError:
        return None
    return stamp if isinstance(stamp, int) and not isinstance(stamp, bool) else None


class JetstreamSource:
    """Bluesky posts, edits and deletions as they are published (Jetstream; no account needed)."""

    name: ClassVar[str] = "bluesky-jetstream"

    class Config(SourceConfig):
        url: WsUrl = Field(DEFAULT_URL, description="The Jetstream instance's /subscribe URL.")
        dids: StrList = Field(
            default_factory=list, max_length=MAX_WANTED_DIDS,
            description="Only these accounts (DIDs); default: everyone.",
        )  # fmt: skip
        rewind_seconds: float = Field(
            5.0, ge=0, le=3600, description="How far before the cursor a reconnection replays."
        )
        batch_events: int = Field(500, ge=1, le=10_000, description="Events per stored page.")
        batch_seconds: float = Field(1.0, gt=0, le=60, description="Longest wait for a page.")
        max_message_bytes: int = Field(
            1 << 20, ge=4096, le=16 << 20,
            description="Larger events are dropped by Jetstream itself (maxMessageSizeBytes).",
        )  # fmt: skip

    def __init__(self, config: Config, http: httpx.Client) -> None:
        self.config = config
        self.http = http
        self._stopped = threading.Event()

    def stop(self) -> None:
        """Ask a running `stream` to store what it heard and return."""
        self._stopped.set()

    def subscribe_url(self, cursor: int | None) -> str:
        """Return the subscription URL: posts only, from `cursor` (µs) when given."""
        params: list[tuple[str, Any]] = [("wantedCollections", POST_COLLECTION)]
        params += [("wantedDids", did) for did in self.config.dids]
        params.append(("maxMessageSizeBytes", self.config.max_message_bytes))
        if cursor is not None:
            params.append(("cursor", cursor))
        separator = "&" if urlsplit(self.config.url).query else "?"
        return f"{self.config.url}{separator}{urlencode(params)}"

    def stream(self, cursor: Cursor | None) -> Iterator[Page]:
        """Yield pages of posts from `cursor` on until stopped or disconnected."""
        last = cursor.get("time_us") if isinstance(cursor, dict) else None
        last = last if isinstance(last, int) else None
        start = None if last is None else max(0, last - int(self.config.rewind_seconds * 1e6))
        if start is None:
            log.info("jetstream: no cursor yet, listening from now on")
        # Headroom over Jetstream's own cap for the JSON envelope around the record.
        max_bytes = self.config.max_message_bytes + 64 * 1024
        with open_stream(self.http, self.subscribe_url(start), max_bytes=max_bytes) as ws:
            for batch in read_batches(ws, self._stopped, max_messages=self.config.batch_events,
                                      max_seconds=self.config.batch_seconds):  # fmt: skip
                page, last = self._page(batch, last)
                yield page

    def _page(self, batch: list[bytes], last: int | None) -> tuple[Page, int | None]:
        collected_at = now()
        parsed = Parsed()
        for message in batch:
            stamp = event_time(message)
            one = parse_jetstream_event(message, collected_at=collected_at)
            where = f"event at time_us {stamp}" if stamp else f"event after time_us {last}"
            one.rejected = [Rejected(where, r.reason) for r in one.rejected]
            parsed.extend(one)
            if stamp is not None and (last is None or stamp > last):
                last = stamp
        # Non-post events still move the cursor: a page may hold no mention.
        return parsed.page(None if last is None else {"time_us": last}), last
