"""Several feeds behind one source: one feed per fetch, in turn, each with its own saved state.

The cursor is ``{"next": i, "feeds": {key: state}}``. Each fetch reads the
feed at ``next`` and stores its new state with the page, so a crash replays
one feed's page at most; a completed round makes the page ``exhausted`` and
the runner waits before the next round. Feeds added to the settings start
fresh; feeds removed are forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ecoute.sources.base import Cursor


def current(cursor: Cursor | None, keys: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """Return the feed to read now and its saved state (empty for a new feed)."""
    cursor = cursor if isinstance(cursor, dict) else {}
    index = cursor.get("next", 0)
    index = index % len(keys) if isinstance(index, int) else 0
    states = cursor.get("feeds") if isinstance(cursor.get("feeds"), dict) else {}
    state = states.get(keys[index])
    return keys[index], dict(state) if isinstance(state, dict) else {}


def advance(cursor: Cursor | None, keys: Sequence[str], key: str, state: dict[str, Any],
            *, move_on: bool = True) -> tuple[dict[str, Any], bool]:  # fmt: skip
    """Return the cursor holding `key`'s new state, and whether a round of feeds is complete.

    With `move_on=False` the same feed is read again next time (it has more to give).
    """
    cursor = cursor if isinstance(cursor, dict) else {}
    old = cursor.get("feeds") if isinstance(cursor.get("feeds"), dict) else {}
    states = {k: old[k] for k in keys if k in old}
    states[key] = state
    index = keys.index(key)
    if not move_on:
        return {"next": index, "feeds": states}, False
    return {"next": (index + 1) % len(keys), "feeds": states}, index == len(keys) - 1
