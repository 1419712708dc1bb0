"""Reports: a self-contained HTML page for a period, its PDF, and the weekly schedule."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ecoute.store.base import Filter
from ecoute.store.duckdb import DuckDBStore
from ecoute.web import create_app
from ecoute.web.messages import Translator
from ecoute.web.reports import WeeklyReports, print_pdf, render_report, week_of


def test_the_report_holds_the_figures_chart_and_notable_posts(client: TestClient) -> None:
    response = client.get("/reports/report.html?since=2024-06-01&until=2024-06-10&lang=en")

    assert response.status_code == 200
    html = response.text
    assert "<style>" in html and "<script" not in html and "<link" not in html
    assert 'id="report-chart-title"' in html
    assert "Notable posts" in html
    assert "Acme beats Rival on delivery times" in html
    assert "Hidden by the brand" not in html
    assert "style-src 'unsafe-inline'" in response.headers["content-security-policy"]


def test_weekly_reports_write_last_week_once(known: DuckDBStore, tmp_path: Path) -> None:
    app = create_app(known)
    monday = datetime(2024, 6, 12, 9, tzinfo=UTC)  # a Wednesday: last week is 3 to 10 June
    weekly = WeeklyReports(
        known, app.state.templates.env, tmp_path, t=Translator("fr"), clock=lambda: monday
    )

    written = weekly.write_due()

    assert week_of(monday) == (datetime(2024, 6, 3, tzinfo=UTC), datetime(2024, 6, 10, tzinfo=UTC))
    assert written == tmp_path / "ecoute-report-2024-W23.html"
    assert "Rapport d’écoute" in written.read_text(encoding="utf-8")
    assert weekly.write_due() is None  # already there


def test_weekly_reports_are_listed_and_served(known: DuckDBStore, tmp_path: Path) -> None:
    (tmp_path / "ecoute-report-2024-W23.html").write_text("<p>rapport</p>", encoding="utf-8")
    app = create_app(known, reports_dir=tmp_path)
    client = TestClient(app, base_url="http://127.0.0.1")

    assert "ecoute-report-2024-W23.html" in client.get("/reports").text
    assert client.get("/reports/weekly/ecoute-report-2024-W23.html").text == "<p>rapport</p>"
    assert client.get("/reports/weekly/..%2Fsecret").status_code == 404


@pytest.mark.browser
@pytest.mark.slow  # starts Chromium
def test_the_report_prints_to_pdf(known: DuckDBStore) -> None:
    pytest.importorskip("playwright")
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium package is not installed")
    app = create_app(known)
    html = render_report(app.state.templates.env, known, Filter(), Translator("en"))

    pdf = print_pdf(html)

    assert pdf is not None and pdf.startswith(b"%PDF-")
    assert len(pdf) > 5000
