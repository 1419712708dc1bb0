"""What every source plugin provides: pages of mentions behind a resumable cursor."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

import httpx
from pydantic import BaseModel

from ecoute.model import Mention

Cursor = Any
"""Small JSON-able value, opaque to everyone but the source that made it."""


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input record that could not be turned into a mention, and why."""

    where: str  # "line 12", "record 3", "message at 2026-01-03T10:00:00Z"
    reason: str


@dataclass(frozen=True, slots=True)
class Page:
    """One step of a source: mentions (tombstones included) and where to resume.

    A bulk reader may also hand live posts over as ``heard``, one Arrow table of
    ``ecoute.model.heard_columns()``, which costs far less than a Mention per post.
    """

    mentions: list[Mention]
    cursor: Cursor
    exhausted: bool = False  # nothing newer for now
    rejected: list[Rejected] = field(default_factory=list)
    heard: Any = None  # pyarrow.Table | None

    @property
    def size(self) -> int:
        """How many posts the page carries, in both forms."""
        return len(self.mentions) + (0 if self.heard is None else self.heard.num_rows)


class SourceError(Exception):
    """A source could not fetch; the message is for a person and holds no secret."""


class RateLimited(SourceError):
    """The network asked us to slow down; `retry_after` is in seconds when it said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@runtime_checkable
class Source(Protocol):
    """A network that yields mentions by polling.

    The pipeline stores a page's mentions and its cursor in one transaction,
    so a crash replays a page and never skips one. A source is built from its
    validated `Config` (secrets as SecretStr) and an injected HTTP client, so
    tests swap in a client that talks to a local server.
    """

    name: ClassVar[str]
    Config: ClassVar[type[BaseModel]]

    def __init__(self, config: Any, http: httpx.Client) -> None: ...

    def fetch(self, cursor: Cursor | None) -> Page:
        """Return the next page after `cursor`; never write anything."""
        ...


@runtime_checkable
class StreamingSource(Protocol):
    """A network that pushes events (a WebSocket): pages come as they are heard.

    `stream` yields pages until `stop()` is called or the connection drops; the
    runner stores each page with its cursor and reconnects from the last one.
    """

    name: ClassVar[str]
    Config: ClassVar[type[BaseModel]]

    def __init__(self, config: Any, http: httpx.Client) -> None: ...

    def stream(self, cursor: Cursor | None) -> Iterator[Page]:
        """Yield pages of mentions from `cursor` on; never write anything."""
        ...

    def stop(self) -> None:
        """Ask a running `stream` to return soon."""
        ...
