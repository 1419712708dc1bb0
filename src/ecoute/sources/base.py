"""What every source plugin provides: pages of mentions behind a resumable cursor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

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
    """One step of a source: mentions (tombstones included) and where to resume."""

    mentions: list[Mention]
    cursor: Cursor
    exhausted: bool = False  # nothing newer for now
    rejected: list[Rejected] = field(default_factory=list)


@runtime_checkable
class Source(Protocol):
    """A network or file format that yields mentions.

    The pipeline stores a page's mentions and its cursor in one transaction,
    so a crash replays a page and never skips one.
    """

    name: ClassVar[str]

    def fetch(self, cursor: Cursor | None) -> Page:
        """Return the next page after `cursor`; never write anything."""
        ...
