"""Reports for a period, in HTML and PDF, on demand and every week.

A report is one self-contained HTML page (styles inlined, no script, charts as
SVG) with the headline figures against the period before, volume by
sentiment, share of voice, who spoke and what about, and the notable posts.
The PDF is that page printed by Chromium through Playwright when both are
installed; `WeeklyReports` writes last week's report into a folder.
"""

from __future__ import annotations

import logging
import shutil
import threading
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ecoute.analytics.authors import rank_authors
from ecoute.analytics.periods import headline
from ecoute.analytics.timeseries import PeriodTooLong, count_over_time
from ecoute.analytics.topics import topics
from ecoute.analytics.voices import compared_queries, share_of_voice
from ecoute.store.base import Filter, Store
from ecoute.web.chart import draw_chart
from ecoute.web.filters import translator
from ecoute.web.messages import Translator
from ecoute.web.page import mention_view, render, start

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

HERE = Path(__file__).parent
NOTABLE = 8
NOTABLE_POOL = 5000  # newest mentions of the period among which the notable ones are chosen
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def report_context(store: Store, where: Filter, t: Translator) -> dict[str, Any]:
    """Everything the report template shows for the period of `where`."""
    chart = None
    try:
        chart = draw_chart(count_over_time(store, where, tz=t.tz), t)
    except PeriodTooLong:
        chart = None
    pool = store.search(where, limit=NOTABLE_POOL)
    by_engagement = sorted(
        pool, key=lambda m: -((m.likes or 0) + (m.reposts or 0) + (m.replies or 0))
    )
    return {
        "t": t,
        "locale": t.locale,
        "period_start": where.since,
        "period_end": where.until,
        "headline": headline(store, where),
        "chart": chart,
        "voices": share_of_voice(store, where, compared_queries(store.list_queries())),
        "influencers": rank_authors(store, where, "influencers", limit=8),
        "detractors": rank_authors(store, where, "detractors", limit=8),
        "topics": topics(store, where, limit=12),
        "notable": [mention_view(m, t) for m in by_engagement[:NOTABLE]],
        "css": (HERE / "static" / "report.css").read_text(encoding="utf-8"),
    }


def render_report(env: jinja2.Environment, store: Store, where: Filter, t: Translator) -> str:
    """The report as one HTML document."""
    return env.get_template("report.html").render(report_context(store, where, t))


def chromium_path() -> str | None:
    """Debian's Chromium, or another on the PATH; None when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: str) -> bytes | None:
    """Print `html` to PDF with Chromium through Playwright; None when either is missing."""
    browser_path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if browser_path is None:
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            # Nothing may be fetched while printing: the report is self-contained.
            page.route("**/*", lambda route: route.abort())
            page.set_content(html, wait_until="load")
            return page.pdf(format="A4", print_background=True, outline=True)
        finally:
            browser.close()


def week_of(moment: datetime) -> tuple[datetime, datetime]:
    """The last complete Monday-to-Monday week (UTC) before `moment`."""
    day = moment.astimezone(UTC).date()
    monday = day - timedelta(days=day.weekday())
    end = datetime.combine(monday, time(), UTC)
    return end - timedelta(days=7), end


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request) -> HTMLResponse:
    """Render the report chooser and the list of weekly reports written."""
    state = start(request, "/reports")
    folder: Path | None = request.app.state.reports_dir
    written = sorted(folder.glob("ecoute-report-*.html"), reverse=True) if folder else []
    context = {
        "written": [p.name for p in written],
        "scheduled": folder is not None,
        "can_print": chromium_path() is not None,
    }
    return render(request, "reports.html", state, context, active="/reports")


@router.get("/reports/report.html", response_class=HTMLResponse)
def report_html(request: Request) -> HTMLResponse:
    """The report for the filters' period, as a page to read, print or save."""
    state = start(request, "/reports")
    html = render_report(request.app.state.templates.env, state.store, state.where, state.t)
    return HTMLResponse(html, headers={"Content-Language": state.t.locale})


@router.get("/reports/report.pdf")
def report_pdf(request: Request) -> Response:
    """The report for the filters' period as a PDF."""
    state = start(request, "/reports")
    html = render_report(request.app.state.templates.env, state.store, state.where, state.t)
    pdf = print_pdf(html)
    if pdf is None:
        raise HTTPException(status_code=503, detail="PDF needs Chromium and Playwright")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="ecoute-report.pdf"'},
    )


@router.get("/reports/weekly/{name}", response_class=HTMLResponse)
def weekly_report(request: Request, name: str) -> Response:
    """A weekly report written by the schedule."""
    folder: Path | None = request.app.state.reports_dir
    if folder is None or not name.startswith("ecoute-report-") or "/" in name or ".." in name:
        raise HTTPException(status_code=404, detail="no such report")
    path = folder / name
    if not path.is_file():
        raise HTTPException(status_code=404, detail="no such report")
    kind = "application/pdf" if name.endswith(".pdf") else "text/html; charset=utf-8"
    t = translator(request)
    return Response(path.read_bytes(), media_type=kind, headers={"Content-Language": t.locale})


class WeeklyReports:
    """Writes last week's report (HTML, and PDF when possible) into a folder, once per week."""

    def __init__(
        self,
        store: Store,
        env: jinja2.Environment,
        folder: Path,
        *,
        t: Translator,
        clock: Any,
        every: float = 3600.0,
    ) -> None:
        self.store, self.env, self.folder, self.t, self.clock = store, env, folder, t, clock
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def write_due(self) -> Path | None:
        """Write last week's report if it is not there yet; return its path when written."""
        since, until = week_of(self.clock())
        year, week, _ = since.isocalendar()
        stem = f"ecoute-report-{year}-W{week:02d}"
        html_path = self.folder / f"{stem}.html"
        if html_path.exists():
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        html = render_report(self.env, self.store, Filter(since=since, until=until), self.t)
        pdf = print_pdf(html)
        if pdf is not None:
            (self.folder / f"{stem}.pdf").write_bytes(pdf)
        # The HTML last: its presence means the week is done.
        html_path.write_text(html, encoding="utf-8")
        log.info("weekly report %s written", stem)
        return html_path

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="weekly-reports", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.write_due()
            except Exception:
                log.exception("the weekly report could not be written; trying again later")
            self._stop.wait(self.every)
