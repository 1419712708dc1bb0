"""Our own import formats: JSONL and CSV, good, malformed, huge and oddly encoded."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecoute.model import DeletedBy
from ecoute.sources import files
from ecoute.sources.files import MAX_LINE_BYTES, FileFormatError, detect_format, read_file
from tests.factories import post, write_jsonl


def _read(path, **kw):
    mentions, rejected = [], []
    for page in read_file(path, **kw):
        mentions += page.mentions
        rejected += page.rejected
    return mentions, rejected


def test_jsonl_fields_are_read(tmp_path):
    record = post(
        1, url="https://example.social/@a/1", author_name="Alice", author_followers=1200,
        author_id=77, likes=3, reposts=2, replies=1, views=99, thread_id="0", parent_id=0,
        lang="FR", collected_at="2026-11-02T10:00:00+01:00",
    )  # fmt: skip
    (m,), rejected = _read(write_jsonl(tmp_path / "a.jsonl", [record]))
    assert rejected == []
    assert (m.platform, m.native_id, m.text) == ("mastodon", "1", "Post 1 sur Fleurissimo")
    assert (m.author.handle, m.author.name, m.author.followers) == ("user1", "Alice", 1200)
    assert m.author.native_id == "77" and m.parent_id == "0" and m.thread_id == "0"
    assert (m.likes, m.reposts, m.replies, m.views) == (3, 2, 1, 99)
    assert (m.lang, m.lang_by) == ("fr", "source")
    assert m.collected_at == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert m.created_at.tzinfo is not None
    assert json.loads(bytes(m.raw))["url"] == "https://example.social/@a/1"


def test_clean_and_lenient_paths_agree(tmp_path):
    clean = post(1, likes=3)
    lenient = post(1, likes="3")  # a number written as a string takes the lenient path
    (a,), _ = _read(write_jsonl(tmp_path / "a.jsonl", [clean]), collected_at=datetime.now(UTC))
    (b,), _ = _read(write_jsonl(tmp_path / "b.jsonl", [lenient]), collected_at=a.collected_at)
    a.raw = b.raw = None
    assert a == b


def test_raw_field_is_kept_verbatim_when_given(tmp_path):
    line = json.dumps(post(1))[:-1] + ', "raw": {"content": "<p>x</p>", "n": 1.50}}'
    (m,), _ = _read(write_jsonl(tmp_path / "a.jsonl", [line]))
    assert bytes(m.raw) == b'{"content": "<p>x</p>", "n": 1.50}'


def test_bad_line_is_reported_and_good_lines_kept(tmp_path):
    records = [post(i) for i in range(20)]
    records[2] = "{not json"
    records[5] = post(5, created_at="yesterday")
    records[7] = {"platform": "mastodon", "id": "7"}
    records[9] = post(9, likes=-1)
    records[11] = "[1, 2]"
    records[13] = post(13, platform="Not A Platform")
    records[15] = post(15, text=None)
    mentions, rejected = _read(write_jsonl(tmp_path / "a.jsonl", records))
    assert len(mentions) == 13
    reasons = {r.where: r.reason for r in rejected}
    assert set(reasons) == {f"line {n}" for n in (3, 6, 8, 10, 12, 14, 16)}
    assert "invalid JSON" in reasons["line 3"]
    assert "ISO 8601" in reasons["line 6"]
    assert reasons["line 8"] == "missing required field 'text'"
    assert "negative" in reasons["line 10"]
    assert reasons["line 12"] == "not a JSON object"
    assert "platform" in reasons["line 14"]
    assert "text" in reasons["line 16"]


def test_tombstone_needs_only_platform_and_id(tmp_path):
    lines = [
        {"platform": "bluesky", "id": "a", "deleted": True},
        {"platform": "bluesky", "id": "b", "deleted": "true", "deleted_by": "moderator"},
        {"platform": "bluesky", "id": "c", "deleted": True, "deleted_by": "the cat"},
    ]
    mentions, rejected = _read(write_jsonl(tmp_path / "a.jsonl", lines))
    assert [(m.native_id, m.is_deleted, m.deleted_by) for m in mentions] == [
        ("a", True, DeletedBy.AUTHOR),
        ("b", True, DeletedBy.MODERATOR),
    ]
    assert "deleted_by" in rejected[0].reason


def test_timestamps_in_several_shapes(tmp_path):
    records = [
        post(1, created_at="2026-11-01T10:00:00Z"),
        post(2, created_at="2026-11-01 11:00:00+01:00"),
        post(3, created_at="2026-11-01T10:00:00"),  # no zone: UTC
        post(4, created_at=1793527200),  # seconds
        post(5, created_at=1793527200000),  # milliseconds
    ]
    mentions, rejected = _read(write_jsonl(tmp_path / "a.jsonl", records))
    assert rejected == []
    assert {m.created_at for m in mentions[:3]} == {datetime(2026, 11, 1, 10, tzinfo=UTC)}
    assert mentions[3].created_at == mentions[4].created_at


def test_overlong_line_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "a.jsonl"
    with path.open("w") as fh:
        fh.write(json.dumps(post(1)) + "\n")
        fh.write(json.dumps(post(2, text="x" * (MAX_LINE_BYTES + 10))) + "\n")
        fh.write(json.dumps(post(3)) + "\n")
    mentions, rejected = _read(path)
    assert [m.native_id for m in mentions] == ["1", "3"]
    assert rejected[0].where == "line 2" and "longer than" in rejected[0].reason


def test_text_over_the_limit_is_refused(tmp_path):
    mentions, rejected = _read(write_jsonl(tmp_path / "a.jsonl", [post(1, text="é" * 100_001)]))
    assert mentions == [] and "100,000" in rejected[0].reason


def test_windows_1252_bytes_are_read_not_lost(tmp_path):
    path = tmp_path / "a.jsonl"
    good = json.dumps(post(1, text="Très déçue"), ensure_ascii=False).encode("cp1252")
    path.write_bytes(good + b"\n")
    (m,), rejected = _read(path)
    assert rejected == [] and m.text == "Très déçue"


def test_utf8_bom_crlf_blank_lines_and_no_final_newline(tmp_path):
    path = tmp_path / "a.jsonl"
    body = "\r\n".join([json.dumps(post(1)), "", "  ", json.dumps(post(2))])
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    mentions, rejected = _read(path)
    assert [m.native_id for m in mentions] == ["1", "2"] and rejected == []


def test_utf16_file_is_read(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(post(1, text="Été 🌸"), ensure_ascii=False) + "\n", "utf-16")
    (m,), _ = _read(path)
    assert m.text == "Été 🌸"


def test_gzipped_jsonl_is_read(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(post(1)) + "\n")
    assert detect_format(path) == "jsonl"
    (m,), _ = _read(path)
    assert m.native_id == "1"


def test_nul_bytes_and_truncated_last_line(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(json.dumps(post(1)).encode() + b"\n\x00\x00\n" + b'{"platform": "mast')
    mentions, rejected = _read(path)
    assert len(mentions) == 1 and [r.where for r in rejected] == ["line 2", "line 3"]


def test_pages_hold_at_most_chunk_lines(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [post(i) for i in range(25)])
    sizes = [len(p.mentions) for p in read_file(path, chunk_lines=10)]
    assert sizes == [10, 10, 5]


CSV_HEADER = "platform,id,text,created_at,author,author_followers,likes,deleted\n"


def test_csv_rows_become_mentions(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        CSV_HEADER
        + 'mastodon,1,"Bonjour, ""Fleurissimo""\nligne deux",2026-11-01T10:00:00Z,alice,1 200,3,\n'
        + "mastodon,2,ok,2026-11-01T10:00:00Z,bob,,,no\n"
        + "mastodon,3,,,,,,yes\n",
        encoding="utf-8",
    )
    mentions, rejected = _read(path)
    assert rejected == []
    first = mentions[0]
    assert first.text == 'Bonjour, "Fleurissimo"\nligne deux'
    assert (first.author.followers, first.likes) == (1200, 3)
    assert mentions[1].likes is None and mentions[2].is_deleted


def test_csv_bad_rows_are_reported_with_their_line(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        CSV_HEADER
        + "mastodon,1,ok,2026-11-01T10:00:00Z,alice,,,\n"
        + "mastodon,2,ok,not a date,alice,,,\n"
        + "mastodon,3,too,few\n"
        + "mastodon,4,ok,2026-11-01T10:00:00Z,alice,,many,\n"
        + "mastodon,5,ok,2026-11-01T10:00:00Z,alice,,,\n",
        encoding="utf-8",
    )
    mentions, rejected = _read(path)
    assert [m.native_id for m in mentions] == ["1", "5"]
    assert [r.where for r in rejected] == ["line 3", "line 4", "line 5"]
    assert "4 cells where the header has 8" in rejected[1].reason


def test_csv_in_windows_1252_with_semicolons_is_a_tsv_or_refused(tmp_path):
    path = tmp_path / "a.tsv"
    path.write_bytes(
        "platform\tid\ttext\tcreated_at\tauthor\nrss\t1\tDéçue\t2026-11-01\tcm\n".encode("cp1252")
    )
    (m,), _ = _read(path)
    assert m.text == "Déçue"


def test_csv_without_id_column_is_a_file_error(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("platform,text\nmastodon,hello\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="lacks the column"):
        _read(path)


def test_unknown_extension_asks_for_format(tmp_path):
    with pytest.raises(FileFormatError, match="--format"):
        detect_format(tmp_path / "posts.txt")


@settings(max_examples=300, deadline=None)
@given(
    data=st.lists(st.sampled_from([b"a", b"bc", b"\n", b"\r", b" ", b"\xef\xbb\xbf", b"{}"])).map(
        b"".join
    ),
    block=st.integers(1, 12),
    size=st.integers(1, 5),
)
def test_bulk_reader_splits_lines_as_the_record_reader_does(data, block, size):
    # The bulk path reads by blocks, the record path by line; with tiny blocks and a
    # 6-byte line limit, lines, BOM, CRs and too-long lines cross every block edge.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(files, "MAX_LINE_BYTES", 6)
        mp.setattr(files, "_BLOCK_BYTES", block)
        expected = [line for _, line, _ in files._lines(io.BufferedReader(io.BytesIO(data)))]
        chunks = list(files._byte_chunks(io.BufferedReader(io.BytesIO(data)), size))
        lines = [line for chunk in chunks for line in chunk.split()]  # under the same limit
    assert lines == expected
    assert [chunk.first for chunk in chunks] == list(range(1, len(expected) + 1, size))
    assert all(chunk.lines == size for chunk in chunks[:-1])


def test_bulk_pages_read_in_quarters_are_the_pages_read_whole(tmp_path, monkeypatch):
    records = [post(i) for i in range(30)]
    records[5], records[17] = "{broken", post(17, likes=-1)
    records[22] = {"platform": "mastodon", "id": "3", "deleted": True}
    path = write_jsonl(tmp_path / "a.jsonl", records)

    def pages() -> list[tuple]:
        # Which lines Arrow reads and which the record path does may differ (Arrow
        # refuses a whole part or a whole page): the posts, errors and cursors may not.
        out = []
        for p in read_file(path, chunk_lines=8, bulk=True):
            heard = [] if p.heard is None else p.heard.column("native_id").to_pylist()
            ids = sorted(heard + [m.native_id for m in p.mentions], key=int)
            out.append((ids, [(r.where, r.reason) for r in p.rejected], p.cursor, p.exhausted))
        return out

    whole = pages()
    monkeypatch.setattr(files, "_PARTED", 8)  # pages of 8 lines, read 2 lines at a time
    assert pages() == whole
    assert [len(ids) + len(rejected) for ids, rejected, _, _ in whole] == [8, 8, 8, 6]
    assert [cursor for _, _, cursor, _ in whole][-1] == path.stat().st_size


def test_bulk_pages_keep_line_numbers_across_chunks(tmp_path):
    records = [post(i) for i in range(7)]
    records[5] = "{broken"
    path = write_jsonl(tmp_path / "a.jsonl", records)
    with path.open("ab") as fh:
        fh.write(b"\n  \n" + json.dumps(post(9)).encode())  # blank lines, no final newline
    pages = list(read_file(path, chunk_lines=3, bulk=True))
    assert [r.where for p in pages for r in p.rejected] == ["line 6"]
    heard = [
        i for p in pages if p.heard is not None for i in p.heard.column("native_id").to_pylist()
    ]
    one_by_one = [m.native_id for p in pages for m in p.mentions]  # the chunk Arrow refused
    assert (heard, one_by_one) == (["0", "1", "2", "6", "9"], ["3", "4"])
    assert [p.exhausted for p in pages] == [False, False, False, True]  # 10 lines
