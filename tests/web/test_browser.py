"""The real interface in headless Chromium (Playwright driving Debian's `chromium`).

The app runs with uvicorn in a thread on 127.0.0.1 over the demo workspace;
every page must load with no console error, filters must change the charts,
the live counter must move when a post is ingested, and each page leaves a
screenshot in test-artifacts/screenshots/.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ecoute.hookspecs import plugin_manager
from ecoute.model import Author, Mention
from ecoute.pipeline import Pipeline, default_stages
from ecoute.sources.base import Page
from ecoute.store.duckdb import DuckDBStore

# Playwright is a test dependency; without it the module is skipped, not failed.
expect = pytest.importorskip("playwright.sync_api").expect

log = logging.getLogger(__name__)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium reaches for the network at start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PAGES = {
    "overview": "/",
    "mentions": "/mentions",
    "queries": "/queries",
    "query": "/queries/fleurimaud",
    "share-of-voice": "/share-of-voice?group=florists",
    "authors": "/authors",
    "author": "/authors/twitter/Fleurimaud",
    "topics": "/topics",
    "platforms": "/platforms",
    "live": "/live",
    "roi": "/roi",
    "reports": "/reports",
    "report": "/reports/report.html?period=7d",
    "docs": "/docs",
}


def _stages() -> list[object]:
    """The enrichment stages that load here; the pages must work whatever enrichment ran."""
    stages = []
    for name in ("language", "sentiment", "keywords"):
        try:
            stages.extend(default_stages({name}))
        except Exception as exc:
            log.warning("demo built without the %s stage: %s", name, exc)
    return stages


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DuckDBStore, Pipeline]]:
    """The demo workspace (a month of posts, a florist's crisis) and a pipeline firing hooks."""
    pytest.importorskip("playwright")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium package is not installed")
    from ecoute.demo import DEMO_QUERIES, write_jsonl
    from ecoute.sources.files import read_file

    folder = tmp_path_factory.mktemp("demo")
    store = DuckDBStore(folder / "demo.duckdb")
    for query in DEMO_QUERIES:
        store.save_query(query)
    replay = folder / "replay.jsonl"
    write_jsonl(replay, end=datetime.now(UTC).replace(second=0, microsecond=0), seed=7)
    pipeline = Pipeline(store, _stages(), hooks=plugin_manager(load_entry_points=False))
    for page in read_file(replay):
        pipeline.ingest(page)
    yield store, pipeline
    store.close()


@pytest.fixture(scope="module")
def server(demo: tuple[DuckDBStore, Pipeline]) -> Iterator[str]:
    """The real app served by uvicorn on a free loopback port; yields its base URL."""
    import uvicorn

    from ecoute.web import create_app

    store, pipeline = demo
    app = create_app(store, hooks=pipeline.hooks)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not served.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = served.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, server: str) -> Iterator[object]:
    """A fresh page in Paris time, failing the test on any console error or page error."""
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="fr-FR", timezone_id="Europe/Paris", base_url=server
    )
    # Nothing but the app may be reached: a request elsewhere is an error.
    context.route("**/*", lambda route: _only_local(route, server))
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, errors


def _only_local(route: object, server: str) -> None:
    url = route.request.url  # type: ignore[attr-defined]
    if url.startswith(server) or url.startswith("data:"):
        route.continue_()  # type: ignore[attr-defined]
    else:
        route.abort()  # type: ignore[attr-defined]


def shoot(tab: object, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_loads_without_console_errors(page: object, name: str) -> None:
    response = page.goto(PAGES[name])  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]

    assert response.status == 200
    # The reader's zone came from the browser: after one reload the page follows it.
    if name not in ("docs", "report"):
        expect(page.locator("html")).to_have_attribute("data-tz", "Europe/Paris")  # type: ignore[attr-defined]
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
        assert page.locator("html").get_attribute("lang") == "fr"  # type: ignore[attr-defined]
    shoot(page, name)


def test_filters_change_the_charts(page: object) -> None:
    page.goto("/")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    before = _chart_total(page)

    with page.expect_response(lambda r: "platform=reddit" in r.url):  # type: ignore[attr-defined]
        page.select_option("#filters select[name=platform]", "reddit")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]

    after = _chart_total(page)
    assert 0 < after < before
    assert "platform=reddit" in page.url  # type: ignore[attr-defined]
    shoot(page, "overview-reddit")


def _chart_total(tab: object) -> int:
    counts = tab.locator(".chart rect[data-count]").evaluate_all(  # type: ignore[attr-defined]
        "rects => rects.map(r => Number(r.dataset.count))"
    )
    return sum(counts)


def test_the_live_counter_moves_when_a_post_is_ingested(
    page: object, demo: tuple[DuckDBStore, Pipeline]
) -> None:
    _, pipeline = demo
    page.goto("/live")  # type: ignore[attr-defined]
    counter = page.locator("#live-counter")  # type: ignore[attr-defined]
    counter.wait_for()
    start = int(counter.inner_text().replace("\u202f", "") or 0)
    moment = datetime.now(UTC) - timedelta(seconds=5)

    fresh = Mention(
        platform="mastodon",
        native_id=f"live-{time.time_ns()}",
        text="Fleurimaud : toujours pas livrée, troisième relance",
        created_at=moment,
        collected_at=moment,
        author=Author(platform="mastodon", handle="relance@piaille.example", name="Relance"),
        url="https://piaille.example/@relance/1",
    )
    pipeline.ingest(Page(mentions=[fresh], cursor=None))

    expect(counter).not_to_have_text(str(start), timeout=10_000)
    assert int(counter.inner_text().replace("\u202f", "")) > start
    # The list of the last 24 hours refreshed itself with the new post.
    page.get_by_text("troisième relance").wait_for(timeout=10_000)  # type: ignore[attr-defined]
    shoot(page, "live-after-ingest")


def test_language_switch_keeps_the_filters(page: object) -> None:
    page.goto("/mentions?platform=twitter")  # type: ignore[attr-defined]
    page.click("nav.langs a[lang=en]")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]

    assert page.locator("html").get_attribute("lang") == "en"  # type: ignore[attr-defined]
    assert "platform=twitter" in page.url  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == "Mentions"  # type: ignore[attr-defined]


def test_boolean_search_narrows_the_stream(page: object) -> None:
    page.goto("/mentions")  # type: ignore[attr-defined]
    everything = page.locator("#stream-count").inner_text()  # type: ignore[attr-defined]

    page.fill("#filters input[name=match]", "fleurimaud AND livraison")  # type: ignore[attr-defined]
    with page.expect_response(lambda r: "match=" in r.url):  # type: ignore[attr-defined]
        page.press("#filters input[name=match]", "Enter")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]

    narrowed = page.locator("#stream-count").inner_text()  # type: ignore[attr-defined]
    assert narrowed != everything
    texts = page.locator("article.mention p.text").all_inner_texts()  # type: ignore[attr-defined]
    assert texts and all("fleurimaud" in t.lower() for t in texts)
    shoot(page, "mentions-boolean")
