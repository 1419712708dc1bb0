"""Écoute's own import formats: JSONL (one post per line) and CSV.

Both are streamed in chunks with constant memory. A bad record is reported
with its line number and skipped; it never stops the good ones. The formats
are documented in docs/import-format.md.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from ecoute.model import Author, Count, DeletedBy, Mention, heard_columns, utc
from ecoute.sources.base import Page, Rejected

MAX_LINE_BYTES = 1 << 20  # a post's line over 1 MiB is refused, not read into memory
MAX_TEXT_CHARS = 100_000
CHUNK_LINES = 10_000
FORMATS = ("jsonl", "csv")

_PLATFORM = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    # French spreadsheets often save as Windows-1252: a byte that is not UTF-8
    # is read as Windows-1252 rather than lost.
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return bad.decode("cp1252", errors="replace"), exc.end


codecs.register_error("ecoute-cp1252", _cp1252_fallback)


class FileFormatError(ValueError):
    """A whole file cannot be read (unknown format, missing CSV header, ...)."""


_NO_RAW = msgspec.Raw(b"")


def _given_raw(raw: msgspec.Raw, line: bytes) -> msgspec.Raw:
    """The record's own `raw` payload when it has one, else the whole line as received."""
    return msgspec.Raw(line) if bytes(raw) in (b"", b"null") else raw


class _Record(msgspec.Struct, kw_only=True):
    # Everything optional here: which fields are required depends on `deleted`,
    # and a missing field deserves a message naming it.
    platform: Any = None
    id: Any = None
    text: Any = None
    created_at: Any = None
    author: Any = None
    author_id: Any = None
    author_name: Any = None
    author_followers: Any = None
    url: Any = None
    lang: Any = None
    collected_at: Any = None
    likes: Any = None
    reposts: Any = None
    replies: Any = None
    views: Any = None
    thread_id: Any = None
    parent_id: Any = None
    raw: msgspec.Raw = _NO_RAW  # msgspec.Raw cannot be in a union with None
    deleted: Any = False
    deleted_by: Any = None


_decode_record = msgspec.json.Decoder(_Record).decode


class _CleanRecord(msgspec.Struct, kw_only=True):
    # The shape of a well-formed live post, validated by msgspec in C. Anything
    # else (tombstones, numbers as strings, epoch times) takes the lenient path.
    platform: str
    id: str
    text: str
    created_at: datetime
    author: str
    author_id: str | None = None
    author_name: str | None = None
    author_followers: Count | None = None
    url: str | None = None
    lang: str | None = None
    collected_at: datetime | None = None
    likes: Count | None = None
    reposts: Count | None = None
    replies: Count | None = None
    views: Count | None = None
    thread_id: str | None = None
    parent_id: str | None = None
    raw: msgspec.Raw = _NO_RAW  # msgspec.Raw cannot be in a union with None
    deleted: Literal[False] = False
    deleted_by: None = None


_decode_clean = msgspec.json.Decoder(_CleanRecord).decode


class _BadRecord(ValueError):
    pass


def detect_format(path: Path) -> str:
    """Return "jsonl" or "csv" from a file name (a trailing .gz is looked through)."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".ndjson", ".json", ".jsonlines")):
        return "jsonl"
    if name.endswith((".csv", ".tsv")):
        return "csv"
    raise FileFormatError(
        f"{path}: cannot tell the format from the name; use --format jsonl or --format csv"
    )


def read_file(path: Path, fmt: str | None = None, *, collected_at: datetime | None = None,
              chunk_lines: int = CHUNK_LINES, bulk: bool = False) -> Iterator[Page]:  # fmt: skip
    """Yield pages of mentions read from `path`; each page's cursor is the byte offset read.

    With ``bulk``, the well-formed live posts of a JSONL file come as each page's
    ``heard`` table (parsed in C by Arrow) rather than as mentions; every other line
    (tombstones, lenient values, errors) takes the record-by-record path.
    """
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise FileFormatError(f"unknown format {fmt!r}; choose among {', '.join(FORMATS)}")
    moment = collected_at or datetime.now(UTC)
    with open_binary(path) as raw:
        if fmt == "jsonl":
            read = _read_jsonl_bulk if bulk and _text_stream(raw) is None else _read_jsonl
            yield from read(raw, moment, chunk_lines)
        else:
            delimiter = "\t" if path.name.lower().removesuffix(".gz").endswith(".tsv") else ","
            yield from _read_csv(raw, moment, chunk_lines, delimiter)


def open_binary(path: Path) -> IO[bytes]:
    """Open `path` for reading bytes, looking through gzip compression."""
    fh = open(path, "rb")  # noqa: SIM115 - closed by the caller's with
    if fh.peek(2)[:2] == b"\x1f\x8b":
        fh.close()
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return fh


def _text_stream(raw: IO[bytes]) -> IO[str] | None:
    """Return a text view of `raw` when it starts with a UTF-16 or UTF-8 byte-order mark."""
    head = raw.peek(4)[:4] if hasattr(raw, "peek") else b""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return io.TextIOWrapper(raw, encoding="utf-16", errors="replace", newline="")
    return None


def _lines(raw: IO[bytes]) -> Iterator[tuple[int, bytes | None, int]]:
    """Yield (line number, line without its end or None when too long, bytes read so far)."""
    text = _text_stream(raw)
    if text is not None:
        for number, line in enumerate(text, 1):
            yield number, line.rstrip("\r\n").encode("utf-8"), 0
        return
    number = 0
    offset = 0
    while True:
        line = raw.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        offset += len(line)
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (more := raw.readline(1 << 16)) and not more.endswith(b"\n"):
                offset += len(more)
            offset += len(more)
            yield number, None, offset
            continue
        if number == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        yield number, line.rstrip(b"\r\n"), offset


def _read_jsonl(raw: IO[bytes], moment: datetime, chunk_lines: int) -> Iterator[Page]:
    mentions: list[Mention] = []
    rejected: list[Rejected] = []
    offset = 0
    for number, line, offset in _lines(raw):
        if line is None:
            rejected.append(
                Rejected(f"line {number}", f"line longer than {MAX_LINE_BYTES:,} bytes")
            )
        elif line.strip():
            try:
                mentions.append(_from_jsonl(line, moment))
            except (_BadRecord, msgspec.DecodeError) as exc:
                rejected.append(Rejected(f"line {number}", _reason(exc)))
        if number % chunk_lines == 0:
            yield Page(mentions=mentions, cursor=offset, rejected=rejected)
            mentions, rejected = [], []
    yield Page(mentions=mentions, cursor=offset, rejected=rejected, exhausted=True)


def _read_jsonl_bulk(raw: IO[bytes], moment: datetime, chunk_lines: int) -> Iterator[Page]:
    # A big page is read and parsed a quarter at a time: only a quarter's bytes are
    # held besides the page's table (the read of a million posts peaked 30 MB lower).
    part = chunk_lines // 4 if chunk_lines % 4 == 0 and chunk_lines >= _PARTED else chunk_lines
    parts: list[Page] = []
    lines = offset = 0
    for chunk in _byte_chunks(raw, part):
        offset = chunk.offset
        last = chunk.lines < part  # only the last chunk is short
        lines += chunk.lines
        parts.append(_bulk_page(chunk, moment))
        del chunk  # neither a chunk nor a page is held while the next one is read
        if last or lines == chunk_lines:
            page = _joined(parts, offset, exhausted=last)
            parts, lines = [], 0
            yield page
            del page
            if last:
                return
    yield _joined(parts, offset, exhausted=True)


def _joined(parts: list[Page], offset: int, *, exhausted: bool) -> Page:
    """One page of the pages of consecutive chunks."""
    tables = [p.heard for p in parts if p.heard is not None]
    return Page(
        mentions=[m for p in parts for m in p.mentions],
        cursor=offset,
        rejected=[r for p in parts for r in p.rejected],
        heard=pa.concat_tables(tables) if len(tables) > 1 else (tables or [None])[0],
        exhausted=exhausted,
    )


_BLOCK_BYTES = 1 << 23  # read 8 MiB at a time
_PARTED = 65_536  # pages of this many lines or more are read in quarters


class _Chunk(msgspec.Struct, frozen=True):
    """`lines` lines of a file as read: each ends with a line feed, carriage return kept.

    A line over MAX_LINE_BYTES is held empty (its rest was skipped as it was read)
    and listed in `long`, by index; `first` is the number of the first line,
    `offset` the bytes read so far, and `bom` whether ``data`` starts with the
    file's UTF-8 byte-order mark.
    """

    first: int
    data: bytearray
    ends: np.ndarray  # the offset of each line's line feed in `data`
    offset: int
    long: frozenset[int] = frozenset()
    bom: bool = False

    @property
    def lines(self) -> int:
        return len(self.ends)

    def split(self) -> list[bytes | None]:
        """The lines as `_lines` yields them: ends stripped, BOM dropped, None when too long."""
        lines: list[bytes | None] = []
        for i, line in enumerate(bytes(self.data).split(b"\n")[: self.lines]):
            if i in self.long or len(line) > MAX_LINE_BYTES:
                lines.append(None)
                continue
            if i == 0 and self.bom:
                line = line[len(codecs.BOM_UTF8) :]
            lines.append(line.rstrip(b"\r"))
        return lines


_LF = ord("\n")


def _byte_chunks(raw: IO[bytes], size: int) -> Iterator[_Chunk]:
    """Yield chunks of `size` lines (fewer in the last) until the file ends.

    Read by blocks and cut at a line feed, so a million lines cost no object per
    line: the bulk path hands a chunk's bytes to Arrow as they are. A line's
    bytes past MAX_LINE_BYTES are skipped as they are read, never held.
    """
    pending = bytearray()  # read, not yet yielded: whole lines, then the start of one
    complete = 0  # line feeds in `pending`
    first = 1  # the number of the first line in `pending`
    long: list[int] = []  # numbers of the too-long lines in `pending`
    skipping = False  # the last line is too long: its bytes are dropped up to its end
    offset = 0
    bom: bool | None = None  # unknown until the file's first bytes are read

    def take(lines: int) -> _Chunk:
        nonlocal pending, first, complete, long, bom
        with memoryview(pending) as view:
            ends = _line_feeds(view, lines)
            end = int(ends[-1]) + 1
            rest = bytearray(view[end:])
        # The chunk keeps the bytes read, not a copy; the start of the next one moves.
        data, pending = pending, rest
        del data[end:]
        held = frozenset(n - first for n in long if n < first + lines)
        chunk = _Chunk(first, data, ends, offset, held, bool(bom))
        first += lines
        complete -= lines
        long = [n for n in long if n >= first]
        bom = False
        return chunk

    while block := raw.read(_BLOCK_BYTES):
        offset += len(block)
        if skipping:
            end = block.find(b"\n")
            if end < 0:
                continue
            block, skipping = block[end:], False
        pending += block
        complete += block.count(b"\n")
        start = pending.rfind(b"\n") + 1  # of the last line, not ended yet
        if len(pending) - start > MAX_LINE_BYTES:
            long.append(first + complete)
            del pending[start:]
            skipping = True
        if bom is None and (len(pending) >= len(codecs.BOM_UTF8) or complete):
            bom = pending.startswith(codecs.BOM_UTF8)
        while complete >= size:
            yield take(size)
    if skipping or (pending and pending[-1] != _LF):
        pending.append(_LF)  # the last line, without its line feed
        complete += 1
    while complete:
        yield take(min(complete, size))


def _line_feeds(data: memoryview, count: int) -> np.ndarray:
    """The offsets of the first `count` line feeds of `data`, which holds that many."""
    found: list[np.ndarray] = []
    total = 0
    for start in range(0, len(data), _BLOCK_BYTES):  # by blocks: no mask as big as `data`
        feeds = np.flatnonzero(np.frombuffer(data[start : start + _BLOCK_BYTES], np.uint8) == _LF)
        found.append(feeds[: count - total] + start)
        total += len(found[-1])
        if total == count:
            break
    return np.concatenate(found)


def _bulk_page(chunk: _Chunk, moment: datetime) -> Page:
    """One page of a chunk: the plain live posts as a table, the rest as mentions."""
    data = chunk.data
    if (
        not chunk.long
        and not chunk.bom
        and b"\r" not in data
        and b'"deleted' not in data
        and b'"raw"' not in data
        and len(data) < 1 << 31
    ):
        # The usual chunk: every line a plain post, parsed at once from the bytes read.
        ends = chunk.ends
        lengths = np.diff(ends, prepend=-1) - 1
        if lengths.min() > 0 and lengths.max() <= MAX_LINE_BYTES:  # no blank line
            heard, refused = _heard_table(data, _lines_array(data, ends), moment)
            starts = ends - lengths
            others = [(chunk.first + i, bytes(data[starts[i] : ends[i]])) for i in refused]
            return _page_of(heard, others, [], chunk.offset, moment)
    rejected: list[Rejected] = []
    plain: list[bytes] = []
    numbers: list[int] = []
    others = []
    for number, line in enumerate(chunk.split(), chunk.first):
        if line is None:
            rejected.append(
                Rejected(f"line {number}", f"line longer than {MAX_LINE_BYTES:,} bytes")
            )
        elif not line or line.isspace():
            continue
        # A tombstone or a post carrying its own payload needs the record path; so
        # may a line merely quoting those names, which costs time, never correctness.
        elif b'"deleted' in line or b'"raw"' in line:
            others.append((number, line))
        else:
            plain.append(line)
            numbers.append(number)
    heard, refused = _heard_table(b"\n".join(plain), pa.array(plain, pa.binary()), moment)
    others += [(numbers[i], plain[i]) for i in refused]
    others.sort()
    return _page_of(heard, others, rejected, chunk.offset, moment)


def _page_of(
    heard: pa.Table | None,
    others: list[tuple[int, bytes]],
    rejected: list[Rejected],
    offset: int,
    moment: datetime,
) -> Page:
    """The page of a chunk: its heard table, and its other lines read one by one."""
    mentions: list[Mention] = []
    for number, line in others:
        try:
            mentions.append(_from_jsonl(line, moment))
        except (_BadRecord, msgspec.DecodeError) as exc:
            rejected.append(Rejected(f"line {number}", _reason(exc)))
    rejected.sort(key=lambda r: int(r.where.removeprefix("line ")))
    return Page(mentions=mentions, cursor=offset, rejected=rejected, heard=heard)


def _lines_array(data: bytes, ends: np.ndarray) -> pa.BinaryArray:
    """The lines of `data` as an Arrow array, without the line feeds at `ends`."""
    offsets = np.empty(len(ends) + 1, np.int32)
    offsets[0] = 0
    offsets[1:] = ends + 1
    ended = pa.Array.from_buffers(
        pa.binary(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return pc.binary_slice(ended, 0, -1)


def _heard_table(
    source: bytes, lines: pa.BinaryArray, moment: datetime
) -> tuple[pa.Table | None, list[int]]:
    """Parse well-formed live posts into a heard table; return it and the lines it refused.

    `source` holds the `lines`, each ended by a line feed (the last one may not be).
    Arrow parses the whole chunk at once, or refuses it whole when one line is not
    of the strict shape (a number where a string belongs, bad JSON, bad UTF-8):
    then every line goes back to the record path, which says what is wrong with
    each. Rows Arrow read but the format forbids (a blank id, a negative count)
    are refused one by one, for the same reason.
    """
    if not len(lines):
        return None, []
    try:
        parsed = pa_json.read_json(
            pa.BufferReader(source), read_options=_ARROW_READ, parse_options=_ARROW_PARSE
        )
        parsed.validate(full=True)  # Arrow's JSON reader does not check UTF-8
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None, list(range(len(lines)))
    if parsed.num_rows != len(lines):  # a line of blanks only, which Arrow skips
        return None, list(range(len(lines)))
    col = parsed.column
    ok = pc.and_(
        pc.and_(
            pc.match_substring_regex(col("platform"), _PLATFORM.pattern),
            pc.less_equal(pc.utf8_length(col("text")), MAX_TEXT_CHARS),
        ),
        pc.and_(_filled(col("id")), _filled(col("author"))),
    )
    ok = pc.and_(ok, pc.is_valid(col("created_at")))
    for name in _COUNTS:
        ok = pc.and_(ok, pc.fill_null(pc.greater_equal(col(name), 0), True))
    ok = pc.fill_null(ok, False)
    refused = pc.indices_nonzero(pc.invert(ok)).to_pylist()
    if refused:
        parsed = parsed.filter(ok)
        kept = pc.filter(lines, ok)
    else:
        kept = lines
    col = parsed.column
    lang = _blank_to_null(pc.utf8_lower(col("lang")))
    table = pa.Table.from_arrays(
        [
            col("platform"),
            col("id"),
            _blank_to_null(col("url")),
            col("author"),
            _blank_to_null(col("author_id")),
            _blank_to_null(col("author_name")),
            col("author_followers"),
            col("text"),
            col("created_at"),
            pc.fill_null(col("collected_at"), pa.scalar(moment, _UTC_MICROS)),
            col("likes"),
            col("reposts"),
            col("replies"),
            col("views"),
            _blank_to_null(col("thread_id")),
            _blank_to_null(col("parent_id")),
            kept,
            lang,
            pc.if_else(pc.is_valid(lang), "source", pa.scalar(None, pa.string())),
        ],
        schema=heard_columns(),
    )
    return table, refused


def _filled(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.not_equal(pc.utf8_trim_whitespace(column), "")


def _blank_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


_UTC_MICROS = pa.timestamp("us", tz="UTC")
_COUNTS = ("author_followers", "likes", "reposts", "replies", "views")
# The fields of _CleanRecord, typed for Arrow; other keys are ignored, as there.
_ARROW_PARSE = pa_json.ParseOptions(
    explicit_schema=pa.schema(
        [
            ("platform", pa.string()),
            ("id", pa.string()),
            ("text", pa.string()),
            ("created_at", _UTC_MICROS),
            ("author", pa.string()),
            ("author_id", pa.string()),
            ("author_name", pa.string()),
            ("author_followers", pa.int64()),
            ("url", pa.string()),
            ("lang", pa.string()),
            ("collected_at", _UTC_MICROS),
            ("likes", pa.int64()),
            ("reposts", pa.int64()),
            ("replies", pa.int64()),
            ("views", pa.int64()),
            ("thread_id", pa.string()),
            ("parent_id", pa.string()),
        ]
    ),
    unexpected_field_behavior="ignore",
)
# One thread: the import's budget is one core, and blocks of a chunk's size.
_ARROW_READ = pa_json.ReadOptions(use_threads=False, block_size=1 << 23)


def _from_jsonl(line: bytes, moment: datetime) -> Mention:
    try:
        clean = _decode_clean(line)
    except (msgspec.DecodeError, UnicodeDecodeError):
        pass
    else:
        mention = _clean_mention(clean, moment, line)
        if mention is not None:
            return mention
    try:
        record = _decode_record(line)
    except (msgspec.DecodeError, UnicodeDecodeError):
        fixed = line.decode("utf-8", errors="ecoute-cp1252").encode("utf-8")
        if fixed == line:
            raise
        record = _decode_record(fixed)
        line = fixed
    return _to_mention(record, moment, _given_raw(record.raw, line))


def _reason(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, msgspec.DecodeError):
        if text.startswith("Expected `object`"):
            return "not a JSON object"
        return f"invalid JSON: {text}"
    return text


def _read_csv(raw: IO[bytes], moment: datetime, chunk_lines: int, delimiter: str) -> Iterator[Page]:
    text = _text_stream(raw) or io.TextIOWrapper(
        raw, encoding="utf-8-sig", errors="ecoute-cp1252", newline=""
    )
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    csv.field_size_limit(MAX_LINE_BYTES)
    try:
        header = next(reader)
    except StopIteration:
        yield Page(mentions=[], cursor=_tell(raw), exhausted=True)
        return
    except csv.Error as exc:
        raise FileFormatError(f"the CSV header cannot be read: {exc}") from exc
    columns = [h.strip().lower() for h in header]
    known = set(_Record.__struct_fields__) - {"raw"}
    missing = [c for c in ("platform", "id") if c not in columns]
    if missing:
        raise FileFormatError(
            f"the CSV header lacks the column(s) {', '.join(missing)}; "
            f"it has {', '.join(columns) or 'no column'}"
        )
    keep = [(i, c) for i, c in enumerate(columns) if c in known]
    mentions: list[Mention] = []
    rejected: list[Rejected] = []
    rows = 0
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rejected.append(Rejected(f"line {line}", f"malformed CSV: {exc}"))
            continue
        rows += 1
        if not any(cell.strip() for cell in row):
            continue
        try:
            if len(row) != len(columns):
                raise _BadRecord(f"{len(row)} cells where the header has {len(columns)}")
            values = {c: (row[i] if row[i] != "" else None) for i, c in keep}
            record = _Record(**values)
            raw_row = msgspec.json.encode(dict(zip(columns, row, strict=True)))
            mentions.append(_to_mention(record, moment, msgspec.Raw(raw_row)))
        except _BadRecord as exc:
            rejected.append(Rejected(f"line {line}", str(exc)))
        if rows % chunk_lines == 0:
            yield Page(mentions=mentions, cursor=_tell(raw), rejected=rejected)
            mentions, rejected = [], []
    yield Page(mentions=mentions, cursor=_tell(raw), rejected=rejected, exhausted=True)


def _tell(raw: IO[bytes]) -> int:
    # Bytes consumed so far (read ahead by the text layer): enough for a progress bar.
    try:
        return raw.tell()
    except (OSError, ValueError):
        return 0


# -- fields ---------------------------------------------------------------------------------
def _clean_mention(r: _CleanRecord, moment: datetime, line: bytes) -> Mention | None:
    """Build a mention from a well-formed record, or None to take the lenient path."""
    platform = r.platform
    if (
        not _PLATFORM.match(platform)
        or not r.id.strip()
        or not r.author.strip()
        or len(r.text) > MAX_TEXT_CHARS
    ):
        return None
    created = r.created_at
    collected = r.collected_at
    lang = r.lang.lower() if r.lang else None
    return Mention(
        platform=platform,
        native_id=r.id,
        text=r.text,
        created_at=created if created.tzinfo is UTC else utc(created),
        collected_at=moment if collected is None else utc(collected),
        author=Author(
            platform=platform,
            handle=r.author,
            native_id=r.author_id or None,
            name=r.author_name or None,
            followers=r.author_followers,
        ),
        url=r.url or None,
        likes=r.likes,
        reposts=r.reposts,
        replies=r.replies,
        views=r.views,
        thread_id=r.thread_id or None,
        parent_id=r.parent_id or None,
        raw=_given_raw(r.raw, line),
        lang=lang,
        lang_by="source" if lang else None,
    )


def _to_mention(r: _Record, moment: datetime, raw: msgspec.Raw | None) -> Mention:
    platform = _string(r.platform, "platform")
    if not _PLATFORM.match(platform):
        raise _BadRecord(f"platform {platform[:40]!r} is not a lower-case name such as 'mastodon'")
    native_id = _string(r.id, "id", numbers=True)
    deleted = _boolean(r.deleted, "deleted")
    collected = _timestamp(r.collected_at, "collected_at") if r.collected_at is not None else moment
    if deleted:
        deleted_by = _deleted_by(r.deleted_by)
        return Mention(
            platform=platform,
            native_id=native_id,
            text="",
            created_at=collected,
            collected_at=collected,
            author=Author(platform=platform, handle=_optional(r.author, "author") or ""),
            is_deleted=True,
            deleted_by=deleted_by,
        )
    text = _string(r.text, "text", empty=True)
    if len(text) > MAX_TEXT_CHARS:
        raise _BadRecord(f"text is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}")
    lang = _optional(r.lang, "lang")
    return Mention(
        platform=platform,
        native_id=native_id,
        text=text,
        created_at=_timestamp(_required(r.created_at, "created_at"), "created_at"),
        collected_at=collected,
        author=Author(
            platform=platform,
            handle=_string(r.author, "author"),
            native_id=_optional(r.author_id, "author_id", numbers=True),
            name=_optional(r.author_name, "author_name"),
            followers=_count(r.author_followers, "author_followers"),
        ),
        url=_optional(r.url, "url"),
        likes=_count(r.likes, "likes"),
        reposts=_count(r.reposts, "reposts"),
        replies=_count(r.replies, "replies"),
        views=_count(r.views, "views"),
        thread_id=_optional(r.thread_id, "thread_id", numbers=True),
        parent_id=_optional(r.parent_id, "parent_id", numbers=True),
        raw=raw,
        lang=lang.lower() if lang else None,
        lang_by="source" if lang else None,
    )


def _required(value: Any, name: str) -> Any:
    if value is None:
        raise _BadRecord(f"missing required field {name!r}")
    return value


def _string(value: Any, name: str, *, numbers: bool = False, empty: bool = False) -> str:
    value = _required(value, name)
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise _BadRecord(f"field {name!r} must be a string, not {type(value).__name__}")
    if not empty and not value.strip():
        raise _BadRecord(f"field {name!r} is empty")
    return value


def _optional(value: Any, name: str, *, numbers: bool = False) -> str | None:
    if value is None or value == "":
        return None
    return _string(value, name, numbers=numbers)


def _count(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = int(_DIGIT_GROUPS.sub("", value))
        except ValueError:
            raise _BadRecord(f"field {name!r} must be a whole number, not {value[:20]!r}") from None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _BadRecord(f"field {name!r} must be a whole number")
    if value < 0:
        raise _BadRecord(f"field {name!r} must not be negative")
    return value


# "1 200", "1,200", "1_200" and French non-breaking spaces group digits in exports.
_DIGIT_GROUPS = re.compile(r"[\s,_\u00a0\u202f]")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n", ""}


def _boolean(value: Any, name: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _BadRecord(f"field {name!r} must be true or false")


def _deleted_by(value: Any) -> DeletedBy:
    if value is None or value == "":
        return DeletedBy.AUTHOR
    try:
        return DeletedBy(value)
    except ValueError:
        raise _BadRecord("field 'deleted_by' must be 'author' or 'moderator'") from None


def _timestamp(value: Any, name: str) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 100_000_000_000 else value  # milliseconds
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            raise _BadRecord(f"field {name!r} is not a valid time: {value}") from None
    if not isinstance(value, str):
        raise _BadRecord(f"field {name!r} must be an ISO 8601 time such as 2026-05-01T12:00:00Z")
    try:
        return utc(datetime.fromisoformat(value.strip()))
    except ValueError:
        raise _BadRecord(
            f"field {name!r} is not an ISO 8601 time: {value[:40]!r} "
            "(expected e.g. 2026-05-01T12:00:00Z)"
        ) from None
