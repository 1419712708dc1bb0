"""Mentions exported as CSV, XLSX and Parquet: complete, filtered, inert in a spreadsheet."""

from __future__ import annotations

import csv
import io
import zipfile

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from ecoute.store.duckdb import DuckDBStore

from .conftest import at, open_client, post

RLO = "\u202e"
HOSTILE = [
    post("f1", at(4, 1), text="=cmd|' /C calc'!A0", name="+SUM(1,2)", handle="-2+3"),
    post("f2", at(4, 2), text='@HYPERLINK("http://evil.example","x")', url="javascript:alert(1)"),
    post("f3", at(4, 3), text=f"\tinvoice{RLO}fdp.exe <script>alert(1)</script>", name="ok"),
    post("f4", at(4, 4), text='Plain text, quoted "here", and a\nnew line', platform="reddit"),
]


@pytest.fixture(scope="module")
def exporter(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    store = DuckDBStore(tmp_path_factory.mktemp("exports") / "workspace.duckdb")
    store.upsert(HOSTILE)
    return open_client(store)


def test_csv_cells_never_start_a_formula(exporter: TestClient) -> None:
    response = exporter.get("/api/mentions.csv", params={"since": "2024-06-01"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert len(rows) == 4
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
            assert RLO not in value
    by_id = {r["native_id"]: r for r in rows}
    assert by_id["f1"]["text"] == "'=cmd|' /C calc'!A0"
    assert by_id["f1"]["author_name"] == "'+SUM(1,2)"
    assert by_id["f1"]["author_handle"] == "'-2+3"
    assert by_id["f2"]["url"] == ""  # a javascript: link is not exported
    assert by_id["f3"]["text"] == "'\tinvoicefdp.exe <script>alert(1)</script>"
    # Ordinary content survives exactly, quotes and new lines included.
    assert by_id["f4"]["text"] == 'Plain text, quoted "here", and a\nnew line'
    assert by_id["f4"]["created_at"] == "2024-06-04T04:00:00+00:00"


def test_csv_follows_the_filters(exporter: TestClient) -> None:
    response = exporter.get("/api/mentions.csv", params={"platform": "reddit"})

    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert [r["native_id"] for r in rows] == ["f4"]


def test_xlsx_holds_text_cells_only(exporter: TestClient) -> None:
    response = exporter.get("/api/mentions.xlsx")

    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # no formula anywhere
    assert "hyperlink" not in sheet.lower()
    assert "=cmd|' /C calc'!A0" in strings  # kept as the text it is
    assert RLO not in strings


def test_parquet_is_typed_and_complete(exporter: TestClient) -> None:
    response = exporter.get("/api/mentions.parquet")

    table = pq.read_table(io.BytesIO(response.content))
    assert table.num_rows == 4
    assert str(table.schema.field("created_at").type) == "timestamp[us, tz=UTC]"
    texts = table.column("text").to_pylist()
    assert all(RLO not in t for t in texts)
    assert table.column("url").to_pylist().count("") == 1


def test_a_bad_boolean_search_is_refused_before_exporting(exporter: TestClient) -> None:
    response = exporter.get("/api/mentions.csv", params={"match": "NOT"})

    assert response.status_code == 422


def test_the_stream_page_links_to_exports_of_what_it_shows(workspace: DuckDBStore) -> None:
    client = open_client(workspace)

    html = client.get("/mentions?platform=mastodon&period=7d").text

    assert "/api/mentions.csv?platform=mastodon&amp;since=2024-06-03T12" in html
    assert "/api/mentions.parquet?" in html
