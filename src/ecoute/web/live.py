"""The live counter: mentions stored in the last minute, pushed to pages by server-sent events.

`LiveFeed` implements the ``mentions_stored`` hook: register it on the plugin
manager the collectors' pipeline uses (``create_app(..., hooks=pm)`` does) and
every committed batch moves the counter and wakes the pages listening on
``/api/live/events``. Hooks run in the collector's thread, so the feed only
takes a lock and schedules wake-ups on each listener's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel, Field

from ecoute.hookspecs import hookimpl
from ecoute.model import Mention
from ecoute.store.base import Store
from ecoute.web.page import render, start

WINDOW = 60.0  # seconds the counter looks back
HEARTBEAT = 5.0  # seconds between events when nothing is stored, so the count decays
MAX_LISTENERS = 100

router = APIRouter()


class LiveFeed:
    """Counts stored mentions over a sliding minute and wakes whoever listens."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._arrivals: deque[tuple[float, int]] = deque()
        self._lock = threading.Lock()
        self._listeners: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.stored = 0  # mentions stored since the app started

    @hookimpl
    def mentions_stored(self, store: Store, mentions: list[Mention]) -> None:
        """Count a committed batch and wake the listeners."""
        if not mentions:
            return
        with self._lock:
            self._arrivals.append((self._clock(), len(mentions)))
            self.stored += len(mentions)
            listeners = list(self._listeners)
        for loop, event in listeners:
            # The loop may have closed between the copy and now; that listener is gone.
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:
                continue

    def last_minute(self) -> int:
        """Mentions stored in the last WINDOW seconds."""
        horizon = self._clock() - WINDOW
        with self._lock:
            while self._arrivals and self._arrivals[0][0] < horizon:
                self._arrivals.popleft()
            return sum(n for _, n in self._arrivals)

    def snapshot(self) -> dict[str, int]:
        return {"last_minute": self.last_minute(), "stored": self.stored}

    def listen(self) -> tuple[asyncio.AbstractEventLoop, asyncio.Event] | None:
        """Register a listener on the running loop; None when too many are listening."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            if len(self._listeners) >= MAX_LISTENERS:
                return None
            self._listeners.add(entry)
        return entry

    def forget(self, entry: tuple[asyncio.AbstractEventLoop, asyncio.Event]) -> None:
        with self._lock:
            self._listeners.discard(entry)


class LiveCount(BaseModel):
    last_minute: int = Field(description="Mentions stored in the last 60 seconds.")
    stored: int = Field(description="Mentions stored since the app started.")


@router.get("/api/live", response_model=LiveCount, tags=["live"], summary="Live counter")
def live_count(request: Request) -> dict[str, int]:
    """Return the mentions stored in the last minute and since the app started."""
    return request.app.state.live.snapshot()


@router.get(
    "/api/live/events",
    tags=["live"],
    summary="Live counter as server-sent events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, 503: {"description": "Too many"}},
)
async def live_events(request: Request) -> StreamingResponse:
    """Stream `count` events (a LiveCount) at once, on every stored batch and every 5 s."""
    feed: LiveFeed = request.app.state.live
    entry = feed.listen()
    if entry is None:
        return StreamingResponse(iter(()), status_code=503)
    return StreamingResponse(
        _events(request, feed, entry),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(
    request: Request, feed: LiveFeed, entry: tuple[asyncio.AbstractEventLoop, asyncio.Event]
) -> AsyncIterator[str]:
    _, event = entry
    try:
        yield "retry: 3000\n\n"
        while True:
            yield f"event: count\ndata: {json.dumps(feed.snapshot())}\n\n"
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), HEARTBEAT)
            event.clear()
            if await request.is_disconnected():
                return
    finally:
        feed.forget(entry)


@router.get("/live", response_class=HTMLResponse, include_in_schema=False)
def live_page(request: Request) -> HTMLResponse:
    """Render the last-60-seconds page: the counter and the newest mentions."""
    state = start(request, "/live")
    context: dict[str, Any] = {"count": request.app.state.live.snapshot()}
    return render(request, "live.html", state, context, active="/live")
