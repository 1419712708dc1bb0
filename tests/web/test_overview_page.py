"""The overview page at "/": headline figures, the SVG chart, rankings and the latest mentions."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from ecoute.store.duckdb import DuckDBStore

from .conftest import at, open_client, post


class PageReader(HTMLParser):
    """Collect what the tests look at: chart segments, bars, ticks and mentions."""

    def __init__(self) -> None:
        super().__init__()
        self.segments: Counter[str] = Counter()
        self.bars = 0
        self.mentions = 0
        self.svg_titles: list[str] = []
        self.ids: dict[str, str] = {}
        self._text_of: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "rect" and a.get("data-count"):
            self.segments[(a.get("class") or "").removeprefix("s-")] += int(a["data-count"] or 0)
        if tag == "g" and a.get("class") == "bar":
            self.bars += 1
        if tag == "article" and a.get("class") == "mention":
            self.mentions += 1
        if tag == "title" and a.get("id") == "chart-title":
            self._in_title = True
        if a.get("id") in ("total-mentions", "chart-desc"):
            self._text_of = a["id"]
        if a.get("class") == "card figure-card":
            self._card = a.get("id")
        if a.get("class") == "figure" and getattr(self, "_card", None):
            self._text_of = self._card
            self._card = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.svg_titles.append(data)
        if self._text_of:
            self.ids[self._text_of] = self.ids.get(self._text_of, "") + data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False
        self._text_of = None


def read(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    return reader


def test_page_shows_totals_chart_and_latest_mentions(client: TestClient) -> None:
    response = client.get("/?period=all", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = read(response.text)
    assert page.ids["total-mentions"].strip() == "10"
    assert page.ids["figure-mentions"].strip() == "10"
    # 2 positive and 5 negative: (2 - 5) / 7 = -43 points.
    assert page.ids["figure-net-sentiment"].strip() == "−43"
    assert page.segments == {"negative": 5, "neutral": 2, "positive": 2, "unknown": 1}
    assert page.bars == 10  # 1 to 10 June, silent days included
    assert page.svg_titles == ["Mentions per day by sentiment, 1 Jun 2024 to 10 Jun 2024"]
    assert page.mentions == 10
    html = response.text
    assert 'role="img"' in html
    assert "Day (UTC)" in html
    assert "no previous period to compare" in html  # all time has no period before
    for legend in ("Negative", "Neutral", "Positive", "Not analysed"):
        assert f"</svg>{legend}</li>" in html
    # The latest mention first, with its author, platform, time, sentiment and queries.
    first = html.index("Acme ?")
    assert html.index("Acme a supprimé mon commentaire") > first
    assert "10 Jun 2024, 11:00" in html
    assert 'datetime="2024-06-10T11:00:00+00:00"' in html
    assert "Bluesky" in html
    assert '<a class="original" href="https://bluesky.example/b7"' in html
    assert "Hidden by the brand" not in html


def test_top_queries_and_platforms_are_ranked(client: TestClient) -> None:
    html = client.get("/?lang=en").text

    ranks = html[html.index('class="columns"') : html.index('id="latest-heading"')]
    assert re.search(r'href="/queries/acme">acme</a> <span class="n">8<', ranks)
    assert re.search(r'href="/queries/rival">rival</a> <span class="n">3<', ranks)
    assert "florist" not in ranks  # a query that heard nothing is not a top query
    assert ranks.index("Bluesky") < ranks.index("Mastodon") < ranks.index("Reddit")


def test_filters_change_the_chart_and_the_list(client: TestClient) -> None:
    everything = read(client.get("/?period=all").text)
    mastodon = read(client.get("/?platform=mastodon&period=all").text)
    negative = read(client.get("/?sentiment=negative&query=acme").text)
    french = read(client.get("/?language=en&q=rival").text)
    month = read(client.get("/").text)  # the last 30 days by default

    assert month.bars == 31

    assert sum(everything.segments.values()) == 10
    assert mastodon.segments == {"neutral": 2}
    assert mastodon.mentions == 2
    assert everything.bars == 10
    assert mastodon.bars == 2  # 08:00 and 09:00 on 3 June: a short span is counted per hour
    assert negative.segments == {"negative": 5}
    assert negative.ids["figure-net-sentiment"].strip() == "−100"
    assert french.segments == {"neutral": 2, "positive": 1}


def test_last_24_hours_are_counted_per_hour(client: TestClient) -> None:
    page = read(client.get("/?period=24h&lang=en").text)

    assert page.bars == 24  # from 12:00 yesterday to 12:00 today
    assert page.segments == {"negative": 2, "unknown": 1}
    assert page.ids["total-mentions"].strip() == "3"
    assert page.svg_titles[0].startswith("Mentions per hour by sentiment")


def test_custom_dates_include_the_last_day(client: TestClient) -> None:
    page = read(client.get("/?since=2024-06-01&until=2024-06-03").text)

    assert page.ids["total-mentions"].strip() == "7"
    # Three days against the three before: nothing then, so no relative change.
    assert page.ids["figure-mentions"].strip() == "7"
    assert page.bars == 3


def test_a_period_wins_over_dates_left_in_the_form(client: TestClient) -> None:
    html = client.get("/?period=7d&since=2024-06-01&until=2024-06-01").text

    assert read(html).ids["total-mentions"].strip() == "3"
    assert 'name="since" value=""' in html


def test_unreadable_filters_are_named_and_the_rest_still_applies(client: TestClient) -> None:
    response = client.get(
        "/?since=31/05/2024&until=2024-06-03&sentiment=furious&platform=bluesky&offset=-4&lang=en"
    )

    assert response.status_code == 422
    html = response.text
    assert 'role="alert"' in html
    assert "From: « 31/05/2024 » is not a date such as 2024-05-31." in html
    assert "Sentiment: « furious » is not one of the choices." in html
    assert "The page position must be a whole number from 0." in html
    # The readable filters still apply: Bluesky mentions up to 3 June.
    assert read(html).ids["total-mentions"].strip() == "4"


def test_dates_in_the_wrong_order_are_refused(client: TestClient) -> None:
    response = client.get("/?since=2024-06-10&until=2024-06-01&lang=en")

    assert response.status_code == 422
    assert "The start date must come before the end date." in response.text
    assert read(response.text).ids["total-mentions"].strip() == "10"


def test_paging_links_keep_the_filters(workspace: DuckDBStore) -> None:
    workspace.upsert(
        [post(f"x{i}", at(5, 0, i), platform="reddit", handle=f"u{i}") for i in range(30)]
    )
    client = open_client(workspace)

    first = client.get("/mentions?platform=reddit&lang=en").text
    assert read(first).mentions == 25
    assert "1–25 of 31" in first
    older = re.search(r'href="([^"]+)" rel="next"', first)
    assert older is not None
    link = older.group(1).replace("&amp;", "&")
    assert link == "/mentions?lang=en&platform=reddit&offset=25"
    second = client.get(link).text
    assert read(second).mentions == 6
    assert "26–31 of 31" in second
    assert 'rel="next"' not in second
    assert 'href="/mentions?lang=en&amp;platform=reddit" rel="prev"' in second


def test_an_empty_workspace_renders_calmly(store: DuckDBStore) -> None:
    client = open_client(store)

    response = client.get("/?lang=en")

    assert response.status_code == 200
    assert "No mention in this period." in response.text
    assert "No mention matches these filters." in response.text
    assert read(response.text).ids["figure-net-sentiment"].strip() == "—"


def test_a_post_dated_1970_does_not_break_the_chart(workspace: DuckDBStore) -> None:
    # Bluesky's createdAt is set by the client, so any date can arrive.
    workspace.upsert([post("old", datetime(1970, 1, 1, tzinfo=UTC))])
    client = open_client(workspace)

    html = client.get("/?lang=en&period=all").text

    assert "too long a period to chart" in html
    assert read(html).ids["total-mentions"].strip() == "11"
    assert read(client.get("/?period=30d").text).bars == 31


def test_static_files_are_served(client: TestClient) -> None:
    html = client.get("/").text

    for path in re.findall(r'(?:href|src)="(/static/[^"?]+)', html):
        assert client.get(path).status_code == 200
