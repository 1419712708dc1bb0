"""WebSocket streams for collectors: the same address guard as HTTP, bounded messages, batches.

A streaming source reads messages in a thread with a short receive timeout, so
`stop()` is heard within a fraction of a second, and groups them into batches
(up to a count or a delay) so that each page the runner stores is one
transaction, not one per message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping

import httpx
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.sync.client import ClientConnection, connect

from ecoute.sources.base import RateLimited, SourceError
from ecoute.sources.http import USER_AGENT, parse_retry_after, redact

log = logging.getLogger(__name__)

RECEIVE_POLL_SECONDS = 0.25  # how often a quiet stream looks at its stop flag


def open_stream(http: httpx.Client, url: str, *, max_bytes: int,
                headers: Mapping[str, str] | None = None) -> ClientConnection:  # fmt: skip
    """Connect to `url` after the injected HTTP client's guards accepted it.

    The collector's HTTP client carries the deployment's address policy
    (`allow_private_urls`) as a request hook; running that hook here keeps one
    policy for both kinds of connection.
    """
    probe = httpx.Request("GET", url)
    for hook in http.event_hooks.get("request", []):
        hook(probe)
    try:
        return connect(
            url,
            additional_headers=dict(headers or {}),
            user_agent_header=USER_AGENT,
            max_size=max_bytes,
            open_timeout=10,
            close_timeout=2,
            ping_interval=20,
            ping_timeout=20,
        )
    except InvalidStatus as exc:
        status = exc.response.status_code
        if status in (429, 503):
            raise RateLimited(
                f"{redact(url)} answered {status}",
                retry_after=parse_retry_after(exc.response.headers.get("Retry-After")),
            ) from None
        raise SourceError(f"{redact(url)} refused the WebSocket: {status}") from None
    except (InvalidHandshake, InvalidURI) as exc:
        raise SourceError(f"{redact(url)}: WebSocket handshake failed ({exc})") from None
    except (OSError, TimeoutError) as exc:
        raise SourceError(f"{redact(url)} could not be reached: {type(exc).__name__}") from None


def read_batches(ws: ClientConnection, stopped: threading.Event, *, max_messages: int,
                 max_seconds: float) -> Iterator[list[bytes]]:  # fmt: skip
    """Yield the messages heard, grouped by `max_messages` or `max_seconds`, until stopped.

    A dropped connection flushes what was heard, then raises `SourceError` so
    the runner reconnects from the last stored cursor.
    """
    batch: list[bytes] = []
    deadline = 0.0
    while not stopped.is_set():
        wait = RECEIVE_POLL_SECONDS
        if batch:
            wait = max(0.0, min(wait, deadline - time.monotonic()))
        try:
            message = ws.recv(timeout=wait, decode=False)
        except TimeoutError:
            message = None
        except ConnectionClosed as exc:
            if batch:
                yield batch
            frame = exc.rcvd or exc.sent
            why = f"{frame.code} {frame.reason}".strip() if frame else "no close frame"
            raise SourceError(f"the stream was closed ({why})") from None
        if message is not None:
            if not batch:
                deadline = time.monotonic() + max_seconds
            batch.append(message if isinstance(message, bytes) else message.encode())
        if batch and (len(batch) >= max_messages or time.monotonic() >= deadline):
            yield batch
            batch = []
    if batch:
        yield batch
