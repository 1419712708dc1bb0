"""The ROI page: time and money spent on social media against the outcomes the user records.

Efforts are kept by a `Ledger`: a JSON file beside the workspace until the
store keeps them (docs/web.md). The form posts from the same page only: with
no accounts yet, a cross-site form must not be able to write (checked with the
browser's Sec-Fetch-Site and Origin headers).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import uuid
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import msgspec
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecoute.analytics.measures import totals
from ecoute.analytics.roi import MAX_TEXT, Effort, summarise
from ecoute.web.filters import quote
from ecoute.web.messages import Translator
from ecoute.web.page import render, start

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

MAX_BODY = 10_000
MAX_EFFORTS = 10_000
MAX_AMOUNT = Decimal("1e9")


class Ledger:
    """Efforts in a JSON file (or in memory without a path), written atomically."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._memory: list[Effort] = []

    def list(self) -> list[Effort]:
        """Every effort, oldest day first."""
        with self._lock:
            return sorted(self._read(), key=lambda e: (e.day, e.id))

    def add(self, effort: Effort) -> None:
        with self._lock:
            efforts = self._read()
            if len(efforts) >= MAX_EFFORTS:
                raise ValueError(f"the ledger holds {MAX_EFFORTS} efforts already")
            self._write([*efforts, effort])

    def remove(self, effort_id: str) -> bool:
        with self._lock:
            efforts = self._read()
            kept = [e for e in efforts if e.id != effort_id]
            self._write(kept)
            return len(kept) != len(efforts)

    def _read(self) -> list[Effort]:
        if self.path is None:
            return list(self._memory)
        if not self.path.exists():
            return []
        return msgspec.json.decode(self.path.read_bytes(), type=list[Effort])

    def _write(self, efforts: list[Effort]) -> None:
        if self.path is None:
            self._memory = efforts
            return
        # Write beside and rename: a crash leaves the old file or the new, never half of one.
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(msgspec.json.encode(efforts))
        os.replace(tmp, self.path)


def is_same_origin(request: Request) -> bool:
    """Whether a state-changing request comes from one of our own pages."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser form (curl, tests): no cross-site risk
    return urlsplit(origin).netloc == request.headers.get("host")


@router.get("/roi", response_class=HTMLResponse)
def roi_page(request: Request) -> HTMLResponse:
    """Render the efforts of the period, their cost and the cost per outcome."""
    return _render(request, {}, [])


@router.post("/roi/efforts", response_class=HTMLResponse)
async def add_effort(request: Request) -> Response:
    """Record an effort typed in the form, or show the form again with what is wrong."""
    if not is_same_origin(request):
        raise HTTPException(status_code=403, detail="cross-site request refused")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(status_code=413, detail="form too large")
    fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    state = start(request, "/roi")
    ledger: Ledger = request.app.state.ledger
    effort, errors = read_effort(fields, state.t)
    if effort is not None:
        held = {e.currency for e in ledger.list()}
        if held and effort.currency not in held:
            errors.append(state.t("error_currency", currency=quote(sorted(held)[0])))
    if errors or effort is None:
        return _render(request, fields, errors, status_code=422)
    ledger.add(effort)
    log.info("effort %s recorded", effort.id)
    return RedirectResponse(state.form.url(state.root + "/roi"), status_code=303)


@router.post("/roi/efforts/{effort_id}/delete")
async def delete_effort(request: Request, effort_id: str) -> Response:
    """Remove one recorded effort."""
    if not is_same_origin(request):
        raise HTTPException(status_code=403, detail="cross-site request refused")
    if not request.app.state.ledger.remove(effort_id):
        raise HTTPException(status_code=404, detail="no such effort")
    root = request.scope.get("root_path", "")
    return RedirectResponse(root + "/roi", status_code=303)


def read_effort(fields: dict[str, str], t: Translator) -> tuple[Effort | None, list[str]]:
    """Check the form's fields; return the effort or the messages saying what is wrong."""
    errors: list[str] = []

    def amount(name: str, *, whole: bool = False) -> Decimal:
        raw = fields.get(name, "").strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
        if not raw:
            return Decimal(0)
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = Decimal(-1)
        if (
            not value.is_finite()
            or value < 0
            or value > MAX_AMOUNT
            or (whole and value != value.to_integral_value())
        ):
            errors.append(t("error_amount", field=t(f"roi_{name}"), value=quote(raw)))
            return Decimal(0)
        return value

    raw_day = fields.get("day", "").strip()
    try:
        day = date.fromisoformat(raw_day) if len(raw_day) == 10 else None
    except ValueError:
        day = None
    if day is None:
        errors.append(t("error_date", field=t("roi_day"), value=quote(raw_day)))
    hours = amount("hours")
    hourly_cost = amount("hourly_cost")
    spend = amount("spend")
    reach, leads, answered = (int(amount(n, whole=True)) for n in ("reach", "leads", "answered"))
    currency = fields.get("currency", "EUR").strip().upper() or "EUR"
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        errors.append(t("error_currency_code", value=quote(currency)))
    note = fields.get("note", "").strip()[:MAX_TEXT]
    if errors or day is None:
        return None, errors
    effort = Effort(
        id=uuid.uuid4().hex[:12],
        day=day,
        hours=hours,
        hourly_cost=hourly_cost,
        spend=spend,
        currency=currency,
        reach=reach,
        leads=leads,
        answered=answered,
        note=note,
    )
    return effort, errors


def _render(
    request: Request, typed: dict[str, str], errors: list[str], *, status_code: int | None = None
) -> HTMLResponse:
    state = start(request, "/roi")
    state.form.errors.extend(errors)
    ledger: Ledger = request.app.state.ledger
    where = state.where
    efforts = [e for e in ledger.list() if _within(e.day, where.since, where.until, state.t.tz)]
    measured = totals(state.store, where)
    summary = summarise(
        efforts, measured_mentions=measured["mentions"], measured_reach=measured["reach"]
    )
    context = {
        "efforts": efforts,
        "summary": summary,
        "typed": typed,
        "today": state.now.astimezone(state.t.tz).date().isoformat(),
    }
    return render(request, "roi.html", state, context, active="/roi", status_code=status_code)


def _within(day: date, since: datetime | None, until: datetime | None, tz: tzinfo) -> bool:
    # An effort is dated by its day; it belongs to a period if that day starts within it.
    start_of_day = datetime.combine(day, time(), tz).astimezone(UTC)
    end_of_day = start_of_day + timedelta(days=1)
    return (since is None or end_of_day > since) and (until is None or start_of_day < until)
