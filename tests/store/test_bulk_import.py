"""The bulk import path (Arrow tables into `upsert_heard`) stores what the record path does."""

from __future__ import annotations

import json
from contextlib import closing, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ecoute.model import Query, QueryKind
from ecoute.pipeline import Pipeline
from ecoute.sources.files import read_file
from ecoute.store.base import UpsertCounts
from ecoute.store.duckdb import DuckDBStore
from tests.factories import T0, post, write_jsonl

MOMENT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# Columns stamped with the wall clock of the import, which two imports cannot share.
_CLOCK_COLUMNS = {"first_seen_at", "last_seen_at", "deleted_at", "updated_at", "created_at"}
_TABLES = (
    "mentions", "authors", "mention_queries", "rollup_hourly", "rollup_daily",
    "rollup_author_daily", "rollup_author_monthly", "rollup_author_total",
)  # fmt: skip


def _mixed_records() -> list[object]:
    """Posts of every shape a real export holds, with the lines the format refuses."""
    records: list[object] = [post(i, likes=i % 4, author_followers=100 * i) for i in range(40)]
    records[3] = post(3, text="Fleurissimo 🌸 « livraison ratée », merci 👎", lang="FR")
    records[4] = post(4, url="", author_name="", thread_id="", parent_id="")  # blanks are none
    records[5] = "{not json"
    records[6] = post(6, likes="7")  # a number written as a string: the lenient path
    records[7] = post(7, id="")  # a blank id is refused
    records[8] = post(8, reposts=-1)  # a negative count is refused
    records[9] = {"platform": "mastodon", "id": "2", "deleted": True}  # a tombstone
    records[10] = json.dumps(post(10))[:-1] + ', "raw": {"content": "<p>x</p>"}}'
    records[11] = post(11, created_at="yesterday")
    records[12] = post(12, text="x" * 200_000)  # longer than a post may be
    records[13] = post(1, likes=50, collected_at=(MOMENT + timedelta(hours=1)).isoformat())
    records[14] = post(14, text="pas mal du tout, Fleurissimo", author_id=77, views=1000)
    records[15] = "[1, 2]"
    records[16] = post(16, created_at=(T0 + timedelta(days=40)).isoformat(), lang="en")
    return records


def _import(
    path: Path, db: Path, *, bulk: bool, deferred: bool = False
) -> tuple[UpsertCounts, list[str]]:
    with closing(DuckDBStore(db)) as store:
        query = Query(name="fleur", expr="fleurissimo", kind=QueryKind.BRAND)
        if query.name not in {q.name for q in store.list_queries()}:
            store.save_query(query)
        pipeline = Pipeline(store, [])
        counts, rejected = UpsertCounts(), []
        with store.bulk_load() if deferred else nullcontext():
            for page in read_file(path, collected_at=MOMENT, chunk_lines=16, bulk=bulk):
                if bulk:
                    assert page.heard is None or page.heard.num_rows <= 16
                rejected += [f"{r.where}: {r.reason}" for r in page.rejected]
                counts += pipeline.ingest(page, enriched=False)
            if deferred and counts.added:
                assert store.sql("SELECT count(*) FROM rollup_author_pending")[0][0] > 0
    return counts, rejected


def _rows(db: Path) -> dict[str, list[tuple]]:
    with closing(DuckDBStore(db)) as store:
        con = store._con
        out = {}
        for table in _TABLES:
            names = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            kept = ", ".join(f'"{n}"' for n in names if n not in _CLOCK_COLUMNS)
            out[table] = con.execute(f"SELECT {kept} FROM {table} ORDER BY ALL").fetchall()
        return out


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    path = write_jsonl(tmp_path / "mixed.jsonl", _mixed_records())
    with path.open("ab") as fh:  # a Windows-1252 line, as spreadsheets export them
        fh.write(b'{"platform": "mastodon", "id": "90", "text": "caf\xe9 Fleurissimo", '
                 b'"created_at": "2026-11-01T10:00:00Z", "author": "zoe"}\n')  # fmt: skip
    return path


def test_bulk_and_record_paths_store_the_same_rows(mixed, tmp_path):
    bulk = _import(mixed, tmp_path / "bulk.duckdb", bulk=True)
    record = _import(mixed, tmp_path / "record.duckdb", bulk=False)
    assert bulk[1] == record[1]  # the same lines refused, for the same reasons
    assert [r.split(":")[0] for r in bulk[1]] == [
        "line 6", "line 8", "line 9", "line 12", "line 13", "line 16",
    ]  # fmt: skip
    assert bulk[0].as_dict() == record[0].as_dict()
    assert bulk[0].rejected == 6 and bulk[0].deleted == 1
    bulk_rows, record_rows = _rows(tmp_path / "bulk.duckdb"), _rows(tmp_path / "record.duckdb")
    for table in _TABLES:
        assert bulk_rows[table] == record_rows[table], table
    # 41 lines, 6 refused, one a tombstone and one a newer version of a post already read
    assert len(bulk_rows["mentions"]) == 33


def test_bulk_reimport_changes_nothing_and_updates_count_once(mixed, tmp_path):
    db = tmp_path / "bulk.duckdb"
    _import(mixed, db, bulk=True)
    before = _rows(db)
    again, _ = _import(mixed, db, bulk=True)
    assert (again.added, again.updated) == (0, 0)
    assert _rows(db) == before
    later = MOMENT + timedelta(days=1)
    newer = [
        post(20, likes=99, collected_at=later.isoformat()),
        post(21, text="édité", collected_at=later.isoformat()),
        post(22, likes=2, author_followers=2200, collected_at=later.isoformat()),  # seen again
    ]
    counts, _ = _import(write_jsonl(tmp_path / "newer.jsonl", newer), db, bulk=True)
    assert (counts.added, counts.updated, counts.unchanged) == (0, 2, 1)
    with closing(DuckDBStore(db)) as store:
        likes, text = store._con.execute(
            "SELECT max(likes) FILTER (native_id = '20'), "
            "max(text) FILTER (native_id = '21') FROM mentions"
        ).fetchone()
    assert (likes, text) == (99, "édité")


def test_repeated_key_in_one_batch_keeps_the_newest(tmp_path):
    early, late = MOMENT - timedelta(hours=2), MOMENT - timedelta(hours=1)
    records = [
        post(1, likes=5, collected_at=late.isoformat()),
        post(1, likes=2, collected_at=early.isoformat()),
        post(2),
    ]
    path = write_jsonl(tmp_path / "dupes.jsonl", records)
    bulk = _import(path, tmp_path / "bulk.duckdb", bulk=True)[0]
    record = _import(path, tmp_path / "record.duckdb", bulk=False)[0]
    assert bulk.as_dict() == record.as_dict()
    assert _rows(tmp_path / "bulk.duckdb") == _rows(tmp_path / "record.duckdb")
    with closing(DuckDBStore(tmp_path / "bulk.duckdb")) as store:
        assert store._con.execute(
            "SELECT likes FROM mentions WHERE native_id = '1'"
        ).fetchone() == (5,)


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "record"])
def test_deleted_post_stays_hidden_when_its_live_version_is_imported_again(tmp_path, bulk):
    db = tmp_path / "store.duckdb"
    _import(write_jsonl(tmp_path / "a.jsonl", [post(1), post(2)]), db, bulk=bulk)
    gone = [{"platform": "mastodon", "id": "1", "deleted": True}]
    assert _import(write_jsonl(tmp_path / "b.jsonl", gone), db, bulk=bulk)[0].deleted == 1
    again, _ = _import(write_jsonl(tmp_path / "c.jsonl", [post(1)]), db, bulk=bulk)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    with closing(DuckDBStore(db)) as store:
        hidden = store._con.execute(
            "SELECT is_deleted FROM mentions WHERE native_id = '1'"
        ).fetchone()
        counted = store._con.execute(
            "SELECT sum(mentions) FROM rollup_daily WHERE query = ''"
        ).fetchone()
    assert hidden == (True,) and counted == (1,)


def test_a_batch_of_new_and_edited_posts_keeps_the_rollups_exact(mixed, tmp_path):
    # New posts are summed into the rollups from the batch itself, edited ones from
    # the store: one batch holding both must agree with the record path and a rebuild.
    later = (MOMENT + timedelta(days=1)).isoformat()
    second = write_jsonl(
        tmp_path / "second.jsonl",
        [
            post(20, text="Fleurissimo édité", likes=99, collected_at=later),
            post(21, text="plus rien à voir", collected_at=later),
            post(70, text="Fleurissimo nouveau 🌸", author="u70"),
            post(71, text="nouveau aussi", author="u3"),
        ],
    )
    for bulk, db in ((True, tmp_path / "bulk.duckdb"), (False, tmp_path / "record.duckdb")):
        _import(mixed, db, bulk=bulk)
        counts, _ = _import(second, db, bulk=bulk)
        assert (counts.added, counts.updated) == (2, 2)
    bulk_rows, record_rows = _rows(tmp_path / "bulk.duckdb"), _rows(tmp_path / "record.duckdb")
    for table in _TABLES:
        assert bulk_rows[table] == record_rows[table], table
    with closing(DuckDBStore(tmp_path / "bulk.duckdb")) as store:
        store.rebuild_rollups()
    assert _rows(tmp_path / "bulk.duckdb") == bulk_rows


@pytest.mark.parametrize("bulk", [True, False])
def test_a_bulk_load_merges_the_author_rollups_once_into_the_same_rows(mixed, tmp_path, bulk):
    # Within store.bulk_load() the author rollups' changes wait in a table of their
    # own, merged when the block ends: new, edited and deleted posts across batches
    # and two imports leave the very rows the per-batch merges leave.
    later = (MOMENT + timedelta(days=1)).isoformat()
    second = write_jsonl(
        tmp_path / "second.jsonl",
        [
            post(20, text="Fleurissimo édité", likes=99, collected_at=later),
            post(21, text="plus rien à voir", collected_at=later),
            {"platform": "mastodon", "id": "22", "deleted": True},
            post(70, text="Fleurissimo nouveau 🌸", author="u70"),
        ],
    )
    for deferred, db in ((True, tmp_path / "deferred.duckdb"), (False, tmp_path / "plain.duckdb")):
        _import(mixed, db, bulk=bulk, deferred=deferred)
        _import(second, db, bulk=bulk, deferred=deferred)
    deferred_rows, plain_rows = (
        _rows(tmp_path / "deferred.duckdb"),
        _rows(tmp_path / "plain.duckdb"),
    )
    assert plain_rows["rollup_author_total"]
    for table in _TABLES:
        assert deferred_rows[table] == plain_rows[table], table
    with closing(DuckDBStore(tmp_path / "deferred.duckdb")) as store:
        assert store.sql("SELECT count(*) FROM rollup_author_pending") == [(0,)]
