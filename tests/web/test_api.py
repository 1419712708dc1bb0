"""The JSON API: every endpoint with good and bad parameters, over a real DuckDB workspace."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ecoute.analytics.stats import workspace_stats
from ecoute.store.duckdb import DuckDBStore

from .conftest import KNOWN, open_client


def test_stats_count_every_breakdown(client: TestClient) -> None:
    response = client.get("/api/stats")

    assert response.status_code == 200
    assert response.json() == {
        "mentions": 10,
        "by_platform": {"bluesky": 7, "mastodon": 2, "reddit": 1},
        "by_lang": {"fr": 6, "en": 3, "unknown": 1},
        "by_sentiment": {"negative": 5, "neutral": 2, "positive": 2, "unknown": 1},
        "by_query": {"acme": 8, "rival": 3, "florist": 0},
        "by_day": {"2024-06-01": 4, "2024-06-03": 3, "2024-06-10": 3},
    }


def test_stats_are_the_ones_the_command_line_prints(client: TestClient, known: DuckDBStore) -> None:
    assert client.get("/api/stats").json() == workspace_stats(known)


def test_stats_follow_the_filters(client: TestClient) -> None:
    data = client.get("/api/stats", params={"platform": "bluesky", "sentiment": "negative"}).json()

    assert data["mentions"] == 5
    assert data["by_platform"] == {"bluesky": 5}
    assert data["by_day"] == {"2024-06-01": 3, "2024-06-10": 2}


def test_stats_never_count_a_moderated_mention(client: TestClient) -> None:
    data = client.get("/api/stats", params={"since": "2024-06-01", "until": "2024-06-02"}).json()

    # Five posts were written on 1 June; the moderator hid one.
    assert data["mentions"] == 4


def test_timeseries_keeps_silent_days_as_zeros(client: TestClient) -> None:
    response = client.get("/api/timeseries", params={"bucket": "day", "until": "2024-06-04"})

    assert response.status_code == 200
    data = response.json()
    assert data["bucket"] == "day"
    assert data["by"] == "sentiment"
    assert data["buckets"] == [
        "2024-06-01T00:00:00Z",
        "2024-06-02T00:00:00Z",
        "2024-06-03T00:00:00Z",
    ]
    assert data["series"] == {
        "negative": [3, 0, 0],
        "neutral": [0, 0, 2],
        "positive": [1, 0, 1],
    }


def test_timeseries_counts_hours_for_a_short_period(client: TestClient) -> None:
    data = client.get(
        "/api/timeseries", params={"since": "2024-06-10T08:00Z", "until": "2024-06-10T12:00Z"}
    ).json()

    assert data["bucket"] == "hour"
    assert len(data["buckets"]) == 4
    assert data["series"]["negative"] == [0, 1, 1, 0]
    assert data["series"]["unknown"] == [0, 0, 0, 1]


def test_timeseries_by_platform_and_without_split(client: TestClient) -> None:
    by_platform = client.get("/api/timeseries", params={"bucket": "day", "by": "platform"}).json()
    single = client.get("/api/timeseries", params={"bucket": "day", "by": "none"}).json()

    assert list(by_platform["series"]) == ["bluesky", "mastodon", "reddit"]
    assert sum(by_platform["series"]["mastodon"]) == 2
    assert single["by"] is None
    assert list(single["series"]) == ["mentions"]
    assert sum(single["series"]["mentions"]) == 10
    assert len(single["buckets"]) == 10  # 1 to 10 June


def test_timeseries_refuses_more_hours_than_a_series_may_hold(client: TestClient) -> None:
    response = client.get(
        "/api/timeseries", params={"bucket": "hour", "since": "2024-01-01", "until": "2024-06-01"}
    )

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "bucket"]
    assert "narrow the period" in error["msg"]


def test_mentions_come_newest_first_with_the_total(client: TestClient) -> None:
    data = client.get("/api/mentions", params={"limit": 3}).json()

    assert data["total"] == 10
    assert (data["limit"], data["offset"]) == (3, 0)
    assert [m["native_id"] for m in data["items"]] == ["b7", "b6", "b5"]
    first = data["items"][0]
    assert first["created_at"] == "2024-06-10T11:00:00Z"
    assert first["author"]["handle"] == "claire.bsky.social"
    assert first["queries"] == ["acme"]
    assert "raw" not in first


def test_mentions_pages_do_not_overlap(client: TestClient) -> None:
    pages = [
        client.get("/api/mentions", params={"limit": 4, "offset": offset}).json()["items"]
        for offset in (0, 4, 8)
    ]

    ids = [m["native_id"] for page in pages for m in page]
    assert sorted(ids) == sorted(m.native_id for m in KNOWN)
    assert len(pages[2]) == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"query": "rival"}, {"m1", "m2", "r1"}),
        ({"platform": "mastodon"}, {"m1", "m2"}),
        ({"lang": "en", "sentiment": "positive"}, {"r1"}),
        ({"author": "marc.bsky.social"}, {"b2", "b6"}),
        ({"q": "RIVAL"}, {"m1", "m2", "r1"}),
        ({"since": "2024-06-03T09:00:00", "until": "2024-06-03T10:00:00"}, {"m2"}),
        # 11:00 in Paris is 09:00 UTC.
        ({"since": "2024-06-10T11:00:00+02:00", "until": "2024-06-10T12:00:00+02:00"}, {"b5"}),
        ({"platform": "", "query": ""}, {m.native_id for m in KNOWN}),
    ],
)
def test_mentions_filters(client: TestClient, params: dict[str, str], expected: set[str]) -> None:
    data = client.get("/api/mentions", params=params).json()

    assert {m["native_id"] for m in data["items"]} == expected
    assert data["total"] == len(expected)


@pytest.mark.parametrize(
    ("path", "params", "field", "words"),
    [
        ("/api/mentions", {"limit": "0"}, "limit", "greater than or equal to 1"),
        ("/api/mentions", {"limit": "501"}, "limit", "less than or equal to 500"),
        ("/api/mentions", {"limit": "ten"}, "limit", "valid integer"),
        ("/api/mentions", {"offset": "-1"}, "offset", "greater than or equal to 0"),
        ("/api/mentions", {"since": "31/05/2024"}, "since", "valid datetime"),
        ("/api/stats", {"until": "yesterday"}, "until", "valid datetime"),
        ("/api/stats", {"sentiment": "angry"}, "sentiment", "'negative', 'neutral' or 'positive'"),
        ("/api/stats", {"q": "x" * 201}, "q", "at most 200 characters"),
        (
            "/api/stats",
            {"since": "2024-06-03", "until": "2024-06-01"},
            "until",
            "must be later than since",
        ),
        ("/api/timeseries", {"bucket": "minute"}, "bucket", "'hour', 'day' or 'week'"),
        ("/api/timeseries", {"by": "colour"}, "by", "'lang', 'query' or 'none'"),
    ],
)
def test_bad_parameters_get_a_422_naming_them(
    client: TestClient, path: str, params: dict[str, str], field: str, words: str
) -> None:
    response = client.get(path, params=params)

    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [e["loc"] for e in errors] == [["query", field]]
    assert words in errors[0]["msg"]


def test_queries_list_saved_queries_with_their_counts(client: TestClient) -> None:
    response = client.get("/api/queries")

    assert response.status_code == 200
    assert response.json() == [
        {"name": "acme", "expr": "acme", "kind": "brand", "group": None, "mentions": 8},
        {"name": "florist", "expr": "fleuriste", "kind": "topic", "group": None, "mentions": 0},
        {"name": "rival", "expr": "rival", "kind": "competitor", "group": None, "mentions": 3},
    ]


def test_health_check_reads_the_workspace(workspace: DuckDBStore) -> None:
    client = open_client(workspace)
    assert client.get("/healthz").json() == {"status": "ok"}

    workspace.close()

    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_openapi_documents_every_endpoint_with_its_response_model(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    paths = spec["paths"]
    assert set(paths) == {
        "/api/stats",
        "/api/timeseries",
        "/api/mentions",
        "/api/queries",
        "/api/headline",
        "/api/share-of-voice",
        "/api/authors",
        "/api/authors/{network}/{handle}",
        "/api/topics",
        "/api/platforms",
        "/api/live",
        "/api/live/events",
        "/api/mentions.csv",
        "/api/mentions.xlsx",
        "/api/mentions.parquet",
        "/healthz",
    }
    ok = paths["/api/mentions"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/MentionPage"}
    params = {p["name"] for p in paths["/api/mentions"]["get"]["parameters"]}
    assert params == {
        "query", "platform", "lang", "sentiment", "author", "since", "until", "q", "match",
        "limit", "offset",
    }  # fmt: skip
    stats = spec["components"]["schemas"]["Stats"]["properties"]
    assert set(stats) == {
        "mentions", "by_platform", "by_lang", "by_sentiment", "by_query", "by_day",
    }  # fmt: skip


def test_docs_work_offline_from_this_server(client: TestClient) -> None:
    page = client.get("/docs")

    assert page.status_code == 200
    sources = [
        line.split('src="')[1].split('"')[0] for line in page.text.splitlines() if "src=" in line
    ]
    assert sources, "the documentation page loads Swagger UI"
    for src in sources:
        assert src.startswith("/"), f"{src} would need the internet"
        assert client.get(src).status_code == 200
    assert "<script>" not in page.text  # no inline script: the policy stays strict
    assert "script-src 'self';" in page.headers["content-security-policy"]


def test_a_foreign_host_name_is_refused(client: TestClient) -> None:
    # A page on another site that points its own name at 127.0.0.1 (DNS rebinding).
    response = client.get("/api/mentions", headers={"Host": "attacker.example:8000"})

    assert response.status_code == 400
    assert client.get("/api/mentions", headers={"Host": "localhost:8000"}).status_code == 200
