"""Enrichment stages: batch in, same batch out, each result stamped with its version."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Protocol, runtime_checkable

from ecoute.model import Mention


@runtime_checkable
class Stage(Protocol):
    """One step of understanding, run on every batch at ingest and on history on demand.

    A stage fills its fields on the mentions it is given and writes its
    ``version`` beside each result (``lang_by``, ``sentiment_by``, ...), so a
    re-run can find what an older version computed.
    """

    name: ClassVar[str]
    version: ClassVar[str]

    def apply(self, mentions: list[Mention]) -> list[Mention]:
        """Enrich `mentions` in place and return them."""
        ...


def enrich(mentions: list[Mention], stages: Iterable[Stage]) -> list[Mention]:
    """Run `stages` in order on one batch; tombstones are left alone."""
    live = [m for m in mentions if not m.is_deleted]
    for stage in stages:
        stage.apply(live)
    return mentions
