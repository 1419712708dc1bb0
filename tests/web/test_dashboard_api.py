"""The dashboard's JSON endpoints over the known workspace, and the API fuzzed from its OpenAPI."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ecoute.store.duckdb import DuckDBStore
from ecoute.web import create_app

from .conftest import NOW

ALL = {"since": "2024-06-01", "until": "2024-06-11"}


def test_headline_compares_with_the_period_before(client: TestClient) -> None:
    data = client.get("/api/headline", params={"since": "2024-06-03", "until": "2024-06-11"}).json()

    # 3 to 10 June (8 days) against 26 May to 2 June: 4 mentions then, 6 now.
    assert data["mentions"] == {"value": 6, "previous": 4, "change": 0.5}
    assert data["net_sentiment"]["value"] == -33.3  # 1 positive, 2 negative
    assert data["net_sentiment"]["previous"] == -50.0  # 1 positive, 3 negative
    assert data["sentiment"] == {"negative": 2, "neutral": 2, "positive": 1}
    assert data["previous_since"] == "2024-05-26T00:00:00Z"


def test_share_of_voice_lists_brands_and_competitors(client: TestClient) -> None:
    data = client.get("/api/share-of-voice", params=ALL).json()

    assert [(v["query"], v["mentions"]) for v in data] == [("acme", 8), ("rival", 3)]
    assert data[0]["share"] == pytest.approx(8 / 11)
    assert client.get("/api/share-of-voice", params={"group": "none"}).json() == []


def test_author_rankings_and_profile(client: TestClient) -> None:
    detractors = client.get("/api/authors", params={"ranking": "detractors"}).json()
    fans = client.get("/api/authors", params={"ranking": "fans", "limit": 1}).json()

    assert [(a["key"], a["negative"]) for a in detractors] == [
        ("bluesky:claire.bsky.social", 3),
        ("bluesky:marc.bsky.social", 2),
    ]
    assert len(fans) == 1
    profile = client.get("/api/authors/mastodon/ann@mastodon.social").json()
    assert profile["author"]["mentions"] == 2
    assert profile["author"]["name"] == "Ann"
    assert client.get("/api/authors/mastodon/nobody").status_code == 404
    assert client.get("/api/authors", params={"ranking": "loudest"}).status_code == 422


def test_topics_and_platforms(client: TestClient) -> None:
    topics = client.get("/api/topics", params=ALL).json()
    platforms = client.get("/api/platforms").json()

    assert topics["emerging"] == []  # the known posts carry no keywords
    assert client.get("/api/topics").json()["emerging"] is None  # all time: nothing before
    assert [p["platform"] for p in platforms] == ["bluesky", "mastodon", "reddit"]
    assert platforms[0]["mentions"] == 7
    assert platforms[0]["net_sentiment"] == pytest.approx(-66.7)


def test_boolean_search_in_the_api(client: TestClient) -> None:
    found = client.get("/api/mentions", params={"match": "acme AND NOT rival"}).json()
    wrong = client.get("/api/mentions", params={"match": "acme AND ("})

    assert found["total"] == 7
    assert found["is_exact"] is True
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["query", "match"]


def test_live_counter_starts_at_zero(client: TestClient) -> None:
    assert client.get("/api/live").json() == {"last_minute": 0, "stored": 0}


@pytest.mark.slow  # about 10 s: a bounded number of generated requests per endpoint
def test_the_api_has_no_server_error_under_fuzzing(known: DuckDBStore) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings

    # Generated requests carry any Host header: this app answers them all.
    app = create_app(known, clock=lambda: NOW, allowed_hosts=None)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    # The SSE stream never ends by design; it has its own test.
    schema = schema.exclude(path="/api/live/events")
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: object) -> None:
            response = case.call()  # type: ignore[attr-defined]
            assert response.status_code < 500, (case, response.text[:300])  # type: ignore[attr-defined]

        try:
            check()
        except AssertionError as exc:
            failures.append(str(exc)[:500])
    assert not failures, failures
