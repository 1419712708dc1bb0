"""The `ecoute` command as a user types it: import, query, stats, plugins and help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ecoute.cli import app
from tests.factories import post, write_jsonl

runner = CliRunner()


def ecoute(db: Path, *args: str):
    result = runner.invoke(app, ["--db", str(db), *args], catch_exceptions=False)
    return result


@pytest.fixture
def mixed_file(tmp_path):
    """100 posts of which 10 are malformed in different ways."""
    records = [post(i, text=f"Fleurissimo post {i}" if i % 2 else f"autre sujet {i}")
               for i in range(100)]  # fmt: skip
    for n in range(0, 100, 10):
        records[n] = "{broken" if n % 20 else post(n, created_at="not a time")
    return write_jsonl(tmp_path / "mixed.jsonl", records)


def test_import_twice_gives_identical_stats(tmp_path, mixed_file):
    db = tmp_path / "w.duckdb"
    assert ecoute(db, "query", "add", "fleurissimo", "Fleurissimo").exit_code == 0
    first = ecoute(db, "import", "--no-progress", str(mixed_file))
    assert first.exit_code == 0, first.output
    assert "90 added, 0 updated, 0 unchanged, 0 deleted, 10 rejected" in first.stdout
    stats_before = ecoute(db, "stats", "--json").stdout
    second = ecoute(db, "import", "--no-progress", str(mixed_file))
    assert "0 added, 0 updated, 90 unchanged, 0 deleted, 10 rejected" in second.stdout
    assert ecoute(db, "stats", "--json").stdout == stats_before
    data = json.loads(stats_before)
    assert data["mentions"] == 90
    assert data["by_query"]["fleurissimo"] == 50


def test_each_bad_line_is_listed_with_its_number(tmp_path, mixed_file):
    result = ecoute(tmp_path / "w.duckdb", "import", "--no-progress", str(mixed_file))
    listed = [line for line in result.stderr.splitlines() if line.startswith(str(mixed_file))]
    numbers = sorted(int(line.split(":")[1]) for line in listed)
    assert numbers == list(range(1, 101, 10))


def test_import_json_summary(tmp_path, mixed_file):
    result = ecoute(tmp_path / "w.duckdb", "import", "--json", str(mixed_file))
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["rejected"]) == (90, 10)


@pytest.mark.parametrize("bulk", [True, False])
def test_an_import_out_of_memory_in_a_batch_says_so_without_a_traceback(
    tmp_path, mixed_file, monkeypatch, bulk
):
    import duckdb

    from ecoute.store import duckdb as store_module

    def out_of_memory(con):
        raise duckdb.OutOfMemoryException("could not allocate block\nPossible solutions: ...")

    monkeypatch.setattr(store_module, "_write_authors", out_of_memory)
    flags = ["--no-enrich"] if bulk else []
    result = ecoute(tmp_path / "w.duckdb", "import", "--no-progress", *flags, str(mixed_file))
    assert result.exit_code == 1
    assert "not enough memory to store a batch of" in result.stderr
    assert "(could not allocate block)" in result.stderr  # DuckDB's first line only
    assert "Traceback" not in result.output


def test_an_import_whose_ranking_merge_runs_out_of_memory_keeps_its_posts(
    tmp_path, mixed_file, monkeypatch
):
    import duckdb

    from ecoute.store import _duckdb_measures

    def out_of_memory(con):
        raise duckdb.OutOfMemoryException("could not allocate block")

    db = tmp_path / "w.duckdb"
    with monkeypatch.context() as patch:
        patch.setattr(_duckdb_measures, "merge_pending", out_of_memory)
        result = ecoute(db, "import", "--no-progress", str(mixed_file))
    assert result.exit_code == 1
    assert "not enough memory to merge the author rankings' changes" in result.stderr
    assert "Traceback" not in result.output
    # Opened again (with the memory it needs), the workspace merges what waited.
    top = ecoute(db, "stats", "--json")
    assert json.loads(top.stdout)["mentions"] == 90
    from ecoute.store.duckdb import DuckDBStore

    store = DuckDBStore(db)
    try:
        assert store.sql("SELECT count(*) FROM rollup_author_pending") == [(0,)]
        assert store.sql("SELECT count(*) > 0 FROM rollup_author_total") == [(True,)]
    finally:
        store.close()


def test_unreadable_format_fails_with_a_message(tmp_path):
    weird = tmp_path / "posts.txt"
    weird.write_text("hello\n")
    result = ecoute(tmp_path / "w.duckdb", "import", str(weird))
    assert result.exit_code == 1
    assert "cannot import" in result.stderr and "neither JSON" in result.stderr


def test_deleted_post_disappears_from_stats(tmp_path):
    db = tmp_path / "w.duckdb"
    ecoute(db, "import", write_jsonl(tmp_path / "a.jsonl", [post(1), post(2)]).as_posix())
    tomb = write_jsonl(tmp_path / "b.jsonl", [{"platform": "mastodon", "id": "1", "deleted": True}])
    result = ecoute(db, "import", str(tomb))
    assert "1 deleted" in result.stdout
    assert json.loads(ecoute(db, "stats", "--json").stdout)["mentions"] == 1


def test_query_add_list_remove(tmp_path):
    db = tmp_path / "w.duckdb"
    ecoute(db, "import", str(write_jsonl(tmp_path / "a.jsonl", [post(1), post(2)])))
    added = ecoute(db, "query", "add", "flo", "fleurissimo", "--kind", "competitor", "-g", "fleurs")
    assert "2 stored mentions match it" in added.stdout
    listed = ecoute(db, "query", "list", "--json").stdout
    assert json.loads(listed) == {
        "name": "flo", "expr": "fleurissimo", "kind": "competitor", "group": "fleurs",
    }  # fmt: skip
    assert ecoute(db, "query", "remove", "flo").exit_code == 0
    missing = ecoute(db, "query", "remove", "flo")
    assert missing.exit_code == 1 and "no query named" in missing.stderr


def test_every_command_has_help():
    result = runner.invoke(app, ["--help"])
    commands = ["import", "query", "stats", "demo", "serve", "plugins"]
    for command in commands:
        assert command in result.stdout
        sub = runner.invoke(app, [command, "--help"])
        assert sub.exit_code == 0 and "Usage" in sub.stdout


def test_plugins_lists_the_builtins(tmp_path):
    rows = [json.loads(line) for line in ecoute(tmp_path / "w.duckdb", "plugins", "--json")
            .stdout.splitlines()]  # fmt: skip
    names = {(r["kind"], r["name"]) for r in rows}
    assert {("store", "duckdb"), ("stage", "language"), ("stage", "sentiment")} <= names


def test_db_comes_from_the_environment(tmp_path):
    db = tmp_path / "env.duckdb"
    env = {**os.environ, "ECOUTE_DB": str(db)}
    path = write_jsonl(tmp_path / "a.jsonl", [post(1)])
    cmd = [sys.executable, "-m", "ecoute", "import", "--no-progress", str(path)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    assert "1 added" in done.stdout
    assert db.exists()


def test_query_match_reads_text_lines_from_a_file(tmp_path):
    posts = tmp_path / "posts.txt"
    posts.write_text("Le service client de Nestlé est nul\nrien à voir\nNESTLE recall\n")
    result = runner.invoke(app, ["query", "match", "nestle NOT recall", str(posts)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["Le service client de Nestlé est nul"]
    assert "1 matching" in result.stderr


def test_query_match_reads_jsonl_with_field_filters(tmp_path):
    records = [post(1, text="fleurissimo", author_followers=5000), post(2, text="fleurissimo")]
    path = write_jsonl(tmp_path / "a.jsonl", records)
    result = runner.invoke(app, ["query", "match", "fleurissimo AND followers:>1000", str(path)])
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["1"]


def test_query_syntax_error_points_at_the_position(tmp_path):
    result = ecoute(tmp_path / "w.duckdb", "query", "add", "bad", "(nestle OR")
    assert result.exit_code == 1
    assert "query 'bad'" in result.stderr and "^" in result.stderr


def test_query_test_counts_history_with_samples(tmp_path):
    from datetime import UTC, datetime, timedelta

    db = tmp_path / "w.duckdb"
    recent = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    records = [post(i, created_at=recent, text=f"Fleurissimo {i}") for i in range(3)]
    records.append(post(9, text="Fleurissimo, il y a longtemps"))  # 2026-11-01: outside 7d
    ecoute(db, "import", str(write_jsonl(tmp_path / "a.jsonl", records)))
    result = ecoute(db, "query", "test", "fleurissimo", "--since", "7d", "--json")
    data = json.loads(result.stdout)
    assert (data["matched"], len(data["samples"])) == (3, 3)
