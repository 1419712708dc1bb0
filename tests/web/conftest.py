"""A small workspace whose figures the web tests know by heart, and a client over it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import msgspec
import pytest
from fastapi.testclient import TestClient

from ecoute.model import Author, DeletedBy, Mention, Query, QueryKind, Sentiment
from ecoute.store.duckdb import DuckDBStore
from ecoute.web import create_app

NOW = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
NEG, NEU, POS = Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE


def post(
    native_id: str,
    created_at: datetime,
    *,
    text: str = "Fleurs jamais livrées par Acme",
    platform: str = "bluesky",
    handle: str = "claire.bsky.social",
    name: str | None = "Claire",
    lang: str | None = "fr",
    sentiment: Sentiment | None = NEG,
    queries: tuple[str, ...] = ("acme",),
    url: str | None = None,
    **extra: object,
) -> Mention:
    """A mention with sensible defaults; tests name only what they look at."""
    return Mention(
        platform=platform,
        native_id=native_id,
        text=text,
        created_at=created_at,
        collected_at=created_at,
        author=Author(platform=platform, handle=handle, name=name),
        url=url if url is not None else f"https://{platform}.example/{native_id}",
        lang=lang,
        sentiment=sentiment,
        queries=list(queries),
        **extra,  # type: ignore[arg-type]
    )


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2024, 6, day, hour, minute, tzinfo=UTC)


# Ten visible mentions over 1, 3 and 10 June 2024 (nothing on the 2nd), one deleted.
KNOWN = [
    post("b1", at(1, 8), sentiment=NEG, text="Commande jamais arrivée, Acme ne répond pas"),
    post("b2", at(1, 9), sentiment=NEG, handle="marc.bsky.social", name="Marc"),
    post("b3", at(1, 10), sentiment=NEG),
    post("b4", at(1, 11), sentiment=POS, text="Finalement remboursée, merci Acme"),
    post(
        "m1",
        at(3, 8),
        platform="mastodon",
        handle="ann@mastodon.social",
        name="Ann",
        lang="en",
        sentiment=NEU,
        queries=("rival",),
        text="Rival opens a shop in Lyon",
    ),
    post(
        "m2",
        at(3, 9),
        platform="mastodon",
        handle="ann@mastodon.social",
        name="Ann",
        lang="en",
        sentiment=NEU,
        queries=("rival",),
        text="Rival's new catalogue is out",
    ),
    post(
        "r1",
        at(3, 10),
        platform="reddit",
        handle="u_bob",
        name=None,
        lang="en",
        sentiment=POS,
        queries=("acme", "rival"),
        text="Acme beats Rival on delivery times",
    ),
    post("b5", at(10, 9), sentiment=NEG, text="Acme a supprimé mon commentaire"),
    post("b6", at(10, 10), sentiment=NEG, handle="marc.bsky.social", name="Marc"),
    post("b7", at(10, 11), sentiment=None, lang=None, text="Acme ?"),
]
GONE = post("gone", at(1, 12), text="Hidden by the brand's moderator")


def fill(store: DuckDBStore) -> DuckDBStore:
    """Save the queries and the KNOWN mentions (and one a moderator hid) into `store`."""
    store.save_query(Query(name="acme", expr="acme", kind=QueryKind.BRAND))
    store.save_query(Query(name="rival", expr="rival", kind=QueryKind.COMPETITOR))
    store.save_query(Query(name="florist", expr="fleuriste", kind=QueryKind.TOPIC))
    store.upsert([*KNOWN, GONE])
    hidden = msgspec.structs.replace(
        GONE, is_deleted=True, deleted_by=DeletedBy.MODERATOR, collected_at=at(2)
    )
    store.upsert([hidden])
    return store


@pytest.fixture
def workspace(store: DuckDBStore) -> DuckDBStore:
    """A fresh known workspace, for tests that change it."""
    return fill(store)


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBStore]:
    """The known workspace shared by a module's read-only tests."""
    store = DuckDBStore(tmp_path_factory.mktemp("known") / "workspace.duckdb")
    yield fill(store)
    store.close()


def open_client(store: DuckDBStore) -> TestClient:
    """A client for the app over `store`, with the clock stopped at NOW."""
    return TestClient(create_app(store, clock=lambda: NOW), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def client(known: DuckDBStore) -> Iterator[TestClient]:
    """A client over the known workspace; tests must not change it."""
    with open_client(known) as c:
        yield c
