"""Mention lists as CSV, XLSX and Parquet files, made safe for the spreadsheet that opens them.

Post content is untrusted: a cell starting with ``=``, ``+``, ``-``, ``@`` (or a
tab or carriage return) is a formula to Excel and LibreOffice, so CSV cells
get a leading apostrophe (OWASP's advice) and XLSX cells are written as text,
never as formulas or links. Controls that reorder text are removed
everywhere, and a link is kept only if it is http(s).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import APIRouter, HTTPException
from fastapi.responses import Response, StreamingResponse

from ecoute.analytics.search import find_mentions
from ecoute.model import Mention
from ecoute.query import QueryError
from ecoute.store.base import Filter, Store
from ecoute.web.api import FilterDep, MatchDep, StoreDep
from ecoute.web.untrusted import visible_text, web_link

router = APIRouter(prefix="/api", tags=["exports"])

MAX_ROWS = 100_000
XLSX_CELL = 32_767  # Excel's limit on characters in a cell
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMNS: tuple[str, ...] = (
    "platform", "native_id", "created_at", "author_handle", "author_name", "author_followers",
    "text", "url", "lang", "sentiment", "sentiment_score", "likes", "reposts", "replies",
    "views", "reach", "queries", "keywords",
)  # fmt: skip
_TYPES = {
    "created_at": pa.timestamp("us", tz="UTC"),
    "author_followers": pa.int64(),
    "sentiment_score": pa.float64(),
    "likes": pa.int64(),
    "reposts": pa.int64(),
    "replies": pa.int64(),
    "views": pa.int64(),
    "reach": pa.int64(),
}


def defuse(value: str) -> str:
    """Make a CSV cell read as text in a spreadsheet: a leading apostrophe before a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def record(m: Mention) -> dict[str, Any]:
    """One mention as an export row: text made inert, unsafe links left out."""
    return {
        "platform": m.platform,
        "native_id": visible_text(m.native_id),
        "created_at": m.created_at,
        "author_handle": visible_text(m.author.handle),
        "author_name": visible_text(m.author.name),
        "author_followers": m.author.followers,
        "text": visible_text(m.text),
        "url": web_link(m.url) or "",
        "lang": m.lang or "",
        "sentiment": str(m.sentiment) if m.sentiment else "",
        "sentiment_score": m.sentiment_score,
        "likes": m.likes,
        "reposts": m.reposts,
        "replies": m.replies,
        "views": m.views,
        "reach": m.reach,
        "queries": ", ".join(visible_text(q) for q in m.queries),
        "keywords": ", ".join(visible_text(k) for k in m.keywords),
    }


def rows(store: Store, where: Filter, match: str) -> list[dict[str, Any]]:
    """The mentions to export, newest first, at most MAX_ROWS."""
    try:
        found = find_mentions(store, where, match=match, limit=MAX_ROWS)
    except QueryError as exc:
        raise HTTPException(
            status_code=422,
            detail=[{"type": "value_error", "loc": ["query", "match"], "msg": str(exc)}],
        ) from exc
    return [record(m) for m in found.mentions]


def write_csv(records: list[dict[str, Any]]) -> Iterator[str]:
    """CSV with a byte-order mark (so Excel reads UTF-8), every cell defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(COLUMNS)
    for r in records:
        writer.writerow([_cell(r[c]) for c in COLUMNS])
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return defuse(str(value))


def write_xlsx(records: list[dict[str, Any]]) -> bytes:
    """An XLSX workbook where every string is a text cell: no formula, no link."""
    import xlsxwriter

    out = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "remove_timezone": True,
    }
    with xlsxwriter.Workbook(out, options) as book:
        sheet = book.add_worksheet("mentions")
        bold = book.add_format({"bold": True})
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for col, name in enumerate(COLUMNS):
            sheet.write_string(0, col, name, bold)
        for row, r in enumerate(records, start=1):
            for col, name in enumerate(COLUMNS):
                value = r[name]
                if value is None or value == "":
                    continue
                if isinstance(value, datetime):
                    sheet.write_datetime(row, col, value, when)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(row, col, value)
                else:
                    sheet.write_string(row, col, str(value)[:XLSX_CELL])
        sheet.freeze_panes(1, 0)
    return out.getvalue()


def write_parquet(records: list[dict[str, Any]]) -> bytes:
    """A typed Parquet file (times in UTC)."""
    schema = pa.schema([(c, _TYPES.get(c, pa.string())) for c in COLUMNS])
    table = pa.Table.from_pylist(records, schema=schema)
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    return out.getvalue()


def _filename(kind: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="ecoute-mentions.{kind}"'}


@router.get(
    "/mentions.csv",
    summary="Mentions as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_csv(store: StoreDep, where: FilterDep, match: MatchDep) -> StreamingResponse:
    """Export the mentions matching the filters (newest first, at most 100,000) as CSV."""
    return StreamingResponse(
        write_csv(rows(store, where, match)),
        media_type="text/csv; charset=utf-8",
        headers=_filename("csv"),
    )


@router.get(
    "/mentions.xlsx",
    summary="Mentions as XLSX",
    response_class=Response,
    responses={200: {"content": {"application/vnd.ms-excel": {}}}},
)
def export_xlsx(store: StoreDep, where: FilterDep, match: MatchDep) -> Response:
    """Export the mentions matching the filters as an Excel workbook."""
    return Response(
        write_xlsx(rows(store, where, match)),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_filename("xlsx"),
    )


@router.get(
    "/mentions.parquet",
    summary="Mentions as Parquet",
    response_class=Response,
    responses={200: {"content": {"application/vnd.apache.parquet": {}}}},
)
def export_parquet(store: StoreDep, where: FilterDep, match: MatchDep) -> Response:
    """Export the mentions matching the filters as a Parquet file."""
    return Response(
        write_parquet(rows(store, where, match)),
        media_type="application/vnd.apache.parquet",
        headers=_filename("parquet"),
    )
