"""Text and boolean searches read newest first, a chunk at a time, without losing a mention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ecoute.analytics import search
from ecoute.analytics.search import find_mentions
from ecoute.model import Author, Mention
from ecoute.store.base import Filter
from ecoute.store.duckdb import DuckDBStore

START = datetime(2024, 6, 1, tzinfo=UTC)


@pytest.fixture
def crowd(store: DuckDBStore, monkeypatch: pytest.MonkeyPatch) -> DuckDBStore:
    monkeypatch.setattr(search, "CHUNK", 3)  # many chunks from a few mentions
    # Runs of posts sharing one moment, longer than a chunk, as imports produce.
    store.upsert(
        [
            Mention(
                platform="bluesky" if i % 2 else "mastodon",
                native_id=str(i),
                text=("acme livraison" if i % 3 else "acme merci") + f" n{i}",
                created_at=START + timedelta(minutes=i // 5),
                collected_at=START + timedelta(days=1),
                author=Author(platform="bluesky" if i % 2 else "mastodon", handle=f"u{i}"),
            )
            for i in range(40)
        ]
    )
    return store


def newest_first(store: DuckDBStore) -> list[str]:
    return [m.native_id for m in store.search(Filter(), limit=100)]


@pytest.mark.parametrize(("offset", "limit"), [(0, 5), (4, 7), (20, 50), (0, 100)])
def test_a_boolean_search_pages_like_a_full_read(
    crowd: DuckDBStore, offset: int, limit: int
) -> None:
    wanted = [i for i in newest_first(crowd) if int(i) % 3]

    found = find_mentions(crowd, Filter(), match="acme NOT merci", limit=limit, offset=offset)

    assert [m.native_id for m in found.mentions] == wanted[offset : offset + limit]
    assert found.is_exact == (offset + limit >= len(wanted))
    assert found.total == len(wanted) if found.is_exact else found.total >= offset + limit


def test_a_text_search_stops_once_the_page_is_full(crowd: DuckDBStore) -> None:
    found = find_mentions(crowd, Filter(text="merci"), limit=2)

    assert [m.native_id for m in found.mentions] == [
        i for i in newest_first(crowd) if int(i) % 3 == 0
    ][:2]
    assert not found.is_exact and found.total >= 2
    assert find_mentions(crowd, Filter(text="merci"), limit=50).total == 14
