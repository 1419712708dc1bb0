"""The live counter fed by the mentions_stored hook, and the ROI ledger and page."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ecoute.hookspecs import plugin_manager
from ecoute.pipeline import Pipeline
from ecoute.sources.base import Page
from ecoute.store.duckdb import DuckDBStore
from ecoute.web import create_app
from ecoute.web.live import LiveFeed

from .conftest import NOW, at, post


def test_the_counter_counts_a_sliding_minute() -> None:
    now = [100.0]
    feed = LiveFeed(clock=lambda: now[0])

    feed.mentions_stored(store=None, mentions=[post("a", at(1)), post("b", at(1))])  # type: ignore[arg-type]
    now[0] += 30
    feed.mentions_stored(store=None, mentions=[post("c", at(1))])  # type: ignore[arg-type]
    assert feed.snapshot() == {"last_minute": 3, "stored": 3}
    now[0] += 31  # the first batch is now 61 s old
    assert feed.last_minute() == 1
    now[0] += 60
    assert feed.snapshot() == {"last_minute": 0, "stored": 3}


def test_a_listener_is_woken_by_a_stored_batch() -> None:
    feed = LiveFeed()

    async def wait() -> bool:
        entry = feed.listen()
        assert entry is not None
        loop = asyncio.get_running_loop()
        # The hook runs in a collector's thread, not on the loop.
        await loop.run_in_executor(None, feed.mentions_stored, None, [post("a", at(1))])
        await asyncio.wait_for(entry[1].wait(), 2)
        feed.forget(entry)
        return True

    assert asyncio.run(wait())


def test_the_pipeline_hook_moves_the_api_counter(store: DuckDBStore) -> None:
    hooks = plugin_manager(load_entry_points=False)
    with TestClient(create_app(store, hooks=hooks), base_url="http://127.0.0.1") as client:
        Pipeline(store, [], hooks=hooks).ingest(Page(mentions=[post("n1", at(1))], cursor=None))

        assert client.get("/api/live").json() == {"last_minute": 1, "stored": 1}
    # Closing the app unregisters its feed from the plugin manager.
    assert not hooks.get_plugins() - {hooks.get_plugin("ecoute")} - {None}


@pytest.fixture
def roi(workspace: DuckDBStore, tmp_path: Path) -> TestClient:
    app = create_app(workspace, clock=lambda: NOW, ledger_path=tmp_path / "roi.json")
    return TestClient(app, base_url="http://127.0.0.1")


def test_an_effort_is_recorded_and_costed(roi: TestClient, tmp_path: Path) -> None:
    form = {"day": "2024-06-03", "hours": "10", "hourly_cost": "40", "spend": "100",
            "currency": "eur", "leads": "5", "answered": "20", "note": "<b>crise</b>"}  # fmt: skip

    response = roi.post("/roi/efforts?lang=en", data=form, follow_redirects=False)

    assert response.status_code == 303
    page = roi.get("/roi?lang=en").text
    assert 'id="roi-cost">500.00 EUR' in page
    assert 'id="roi-per-lead">100.00 EUR' in page
    assert 'id="roi-per-answered">25.00 EUR' in page
    assert "&lt;b&gt;crise&lt;/b&gt;" in page
    assert (tmp_path / "roi.json").exists()
    # A fresh app over the same ledger finds it again.
    again = create_app(roi.app.state.store, clock=lambda: NOW, ledger_path=tmp_path / "roi.json")
    assert len(again.state.ledger.list()) == 1


def test_a_wrong_effort_is_shown_back_with_what_is_wrong(roi: TestClient) -> None:
    response = roi.post(
        "/roi/efforts?lang=en", data={"day": "hier", "hours": "-3", "currency": "€"}
    )

    assert response.status_code == 422
    assert "Day: « hier » is not a date such as 2024-05-31." in response.text
    assert "Hours spent: « -3 » is not a positive number." in response.text
    assert "is not a currency code such as EUR" in response.text
    assert roi.app.state.ledger.list() == []


def test_a_cross_site_form_cannot_write(roi: TestClient) -> None:
    response = roi.post(
        "/roi/efforts",
        data={"day": "2024-06-03", "hours": "1"},
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    )

    assert response.status_code == 403
    assert roi.app.state.ledger.list() == []


def test_an_effort_can_be_deleted(roi: TestClient) -> None:
    roi.post("/roi/efforts", data={"day": "2024-06-03", "hours": "1"})
    (effort,) = roi.app.state.ledger.list()

    assert roi.post(f"/roi/efforts/{effort.id}/delete", follow_redirects=False).status_code == 303
    assert roi.app.state.ledger.list() == []
    assert roi.post("/roi/efforts/nope/delete").status_code == 404
