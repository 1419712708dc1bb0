"""Hostile posts render inert: escaped markup, no script links, no text that reorders the page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from ecoute.store.duckdb import DuckDBStore
from ecoute.web.untrusted import excerpt, visible_text, web_link

from .conftest import at, open_client, post

RLO, LRI, PDF = "\u202e", "\u2066", "\u202c"
HOSTILE = [
    post(
        "h1",
        at(2, 1),
        text='<script>alert("text")</script><img src=x onerror=alert(1)>',
        name='<script>alert("name")</script>',
        handle='"><svg onload=alert(2)>',
        url="javascript:alert(document.cookie)",
    ),
    post(
        "h2", at(2, 2), text=f"invoice{RLO}fdp.exe", name=f"{LRI}Admin{PDF}", url="java\tscript:x"
    ),
    post("h3", at(2, 3), text="a" * 200_000, url="data:text/html;base64,PHNjcmlwdD4="),
    post(
        "h4",
        at(2, 4),
        text="</p></li></ol><form action=//evil.example><button>Win</button>",
        url="https://example.org/ok?a=1&b=</a><script>",
        queries=('"><script>alert(3)</script>',),
        lang='en" onmouseover="alert(4)',
    ),
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    store = DuckDBStore(tmp_path_factory.mktemp("hostile") / "workspace.duckdb")
    store.upsert(HOSTILE)
    return open_client(store)


def body(html: str) -> str:
    return html[html.index("<body") :]


def test_markup_in_posts_is_shown_as_text(hostile: TestClient) -> None:
    html = hostile.get("/?lang=en").text

    assert "&lt;script&gt;alert(&#34;text&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;svg onload=alert(2)&gt;" in html
    assert "<img" not in body(html)
    assert "<form action=//evil" not in html
    assert 'onmouseover="alert' not in html
    # Every form on the page is ours.
    assert [f.split(" hx-")[0] for f in re.findall(r"<form[^>]*>", html)] == [
        '<form class="filters" method="get" action="/" id="filters"'
    ]


def test_script_links_are_shown_as_text_not_followed(hostile: TestClient) -> None:
    html = hostile.get("/?lang=en").text

    hrefs = re.findall(r'href="([^"]*)"', html)
    assert not [h for h in hrefs if not (h.startswith(("/", "?", "#", "https://")))]
    assert (
        "Link not opened (not http or https): <code>javascript:alert(document.cookie)</code>"
        in html
    )
    assert "<code>data:text/html;base64,PHNjcmlwdD4=</code>" in html
    # A tab inside "java script:" is dropped by browsers; the link must not become one.
    assert 'href="java' not in html


def test_links_to_posts_leak_nothing_and_cannot_script_back(hostile: TestClient) -> None:
    html = hostile.get("/?lang=en").text

    (link,) = re.findall(r'<a class="original"[^>]*>', html)
    assert 'href="https://example.org/ok?a=1&amp;b=&lt;/a&gt;&lt;script&gt;"' in link
    assert 'rel="noopener noreferrer nofollow ugc"' in link


def test_direction_overrides_are_removed(hostile: TestClient) -> None:
    html = hostile.get("/?lang=en").text

    for control in (RLO, LRI, PDF):
        assert control not in html
    assert "invoicefdp.exe" in html
    # Authors' names are isolated so a right-to-left name cannot flip the line around it.
    assert "<bdi>Admin</bdi>" in html


def test_a_huge_post_is_shortened(hostile: TestClient) -> None:
    response = hostile.get("/?lang=en")

    assert len(response.content) < 60_000
    assert "a" * 1200 + "…" in response.text
    assert "(shortened)" in response.text


def test_hostile_posts_come_back_intact_from_the_api(hostile: TestClient) -> None:
    # The API serves data, not markup: JSON escapes it and the client decides.
    items = {m["native_id"]: m for m in hostile.get("/api/mentions").json()["items"]}

    assert items["h1"]["text"].startswith("<script>")
    assert items["h2"]["text"] == f"invoice{RLO}fdp.exe"
    assert len(items["h3"]["text"]) == 200_000


@pytest.mark.parametrize("path", ["/", "/api/mentions", "/docs", "/static/style.css", "/nowhere"])
def test_every_response_carries_the_security_headers(hostile: TestClient, path: str) -> None:
    headers = hostile.get(path).headers

    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_only_the_docs_page_allows_inline_styles(hostile: TestClient) -> None:
    assert "'unsafe-inline'" not in hostile.get("/").headers["content-security-policy"]
    assert (
        "style-src 'self' 'unsafe-inline'"
        in hostile.get("/docs").headers["content-security-policy"]
    )
    for path in ("/", "/docs"):
        assert "unsafe-eval" not in hostile.get(path).headers["content-security-policy"]


class TagReader(HTMLParser):
    """Every tag and attribute a browser would build from the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


PAGES = [
    "/",
    "/mentions",
    "/mentions/list",
    "/mentions?match=script",
    "/queries",
    "/share-of-voice",
    "/authors",
    "/authors/bluesky/%22%3E%3Csvg%20onload%3Dalert(2)%3E",
    "/topics",
    "/platforms",
    "/live",
    "/roi",
    "/reports",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_hold_no_inline_script_handler_or_style(hostile: TestClient, path: str) -> None:
    response = hostile.get(path)
    assert response.status_code == 200
    reader = TagReader()
    reader.feed(response.text)

    attributes = {name for _, attrs in reader.tags for name in attrs}
    assert not {name for name in attributes if name.startswith("on")}
    assert "style" not in attributes
    tags = [tag for tag, _ in reader.tags]
    for dangerous in ("img", "iframe", "object", "embed", "base", "style", "foreignobject"):
        assert dangerous not in tags
    # htmx acts only where the app put hx- attributes: the filter form and live lists.
    hx = [
        (tag, attrs.get("id"))
        for tag, attrs in reader.tags
        if any(a.startswith("hx-") for a in attrs)
    ]
    assert set(hx) <= {("form", "filters"), ("div", "stream-list"), ("ol", None)}
    for tag, attrs in reader.tags:
        if tag == "ol" and "hx-disable" in attrs:
            assert attrs.get("class") == "mentions"  # post content: htmx ignores it
    if path != "/mentions/list":
        scripts = [attrs for tag, attrs in reader.tags if tag == "script"]
        assert [s.get("src", "").split("?")[0] for s in scripts] == [
            "/static/vendor/htmx.min.js",
            "/static/app.js",
        ]
    assert "alert(2)>" not in response.text
    assert RLO not in response.text and LRI not in response.text


def test_the_report_of_hostile_posts_has_no_script(hostile: TestClient) -> None:
    response = hostile.get("/reports/report.html?since=2024-06-01&until=2024-06-03")

    assert response.status_code == 200
    assert "<script" not in response.text.lower().replace("&lt;script", "")
    assert "javascript:" not in response.text
    assert "script-src 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    "url",
    [
        "https://bsky.app/profile/claire/post/3k",
        "http://example.org/a?b=c#d",
        "HTTPS://EXAMPLE.ORG/",
    ],
)
def test_web_links_are_kept(url: str) -> None:
    assert web_link(url) == url


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        " https://example.org",
        "\x00javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>",
        "//example.org/no-scheme",
        "https:///no-host",
        "https://exa\u202emple.org",
        "https://example.org/" + "a" * 3000,
        "http://[::1",
    ],
)
def test_other_links_are_refused(url: str | None) -> None:
    assert web_link(url) is None


def test_visible_text_keeps_what_a_reader_sees() -> None:
    text = "Très déçu 😡\nعربي ok\tfin"

    assert visible_text(text) == text
    assert visible_text(f"a{RLO}b\u2067c\x1bd\x85e") == "abcde"


def test_excerpt_cuts_near_a_word_boundary() -> None:
    cut = excerpt("mot " * 100, 50)

    assert cut.is_cut
    assert cut.text.endswith("mot…")
    assert len(cut.text) <= 51
    assert excerpt("court", 50).text == "court"
    assert not excerpt("court", 50).is_cut
