"""Bulk loads without enrichment, then `ecoute enrich` to understand them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ecoute.cli.enrich import parse_since
from tests.cli.test_cli import ecoute
from tests.factories import post, write_jsonl


def test_no_enrich_then_enrich_fills_everything_once(tmp_path):
    db = tmp_path / "w.duckdb"
    ecoute(db, "query", "add", "neg", "sentiment:negative")
    records = [post(i, text="Je suis très déçue, livraison jamais arrivée 😡") for i in range(30)]
    result = ecoute(db, "import", "--no-enrich", str(write_jsonl(tmp_path / "a.jsonl", records)))
    assert "ecoute enrich" in result.stderr
    stats = json.loads(ecoute(db, "stats", "--json").stdout)
    assert stats["by_sentiment"].get("unknown") == 30
    assert "30 mentions enriched" in ecoute(db, "enrich").stdout
    stats = json.loads(ecoute(db, "stats", "--json").stdout)
    assert stats["by_sentiment"]["negative"] == 30 and "unknown" not in stats["by_sentiment"]
    assert stats["by_query"]["neg"] == 30  # field filters see the new enrichment
    assert "0 mentions enriched" in ecoute(db, "enrich").stdout
    assert "30 mentions enriched" in ecoute(db, "enrich", "--all").stdout


def test_enrich_since_limits_the_period(tmp_path):
    db = tmp_path / "w.duckdb"
    recent = datetime.now(UTC) - timedelta(hours=2)
    records = [post(1), post(2, created_at=recent.isoformat())]
    ecoute(db, "import", "--no-enrich", str(write_jsonl(tmp_path / "a.jsonl", records)))
    assert "1 mentions enriched" in ecoute(db, "enrich", "--since", "1d").stdout


def test_parse_since():
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    assert parse_since("30d", now=now) == now - timedelta(days=30)
    assert parse_since("12h", now=now) == now - timedelta(hours=12)
    assert parse_since("2w", now=now) == now - timedelta(weeks=2)
    assert parse_since("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="neither a period"):
        parse_since("last tuesday")


def test_bad_since_is_a_clear_error(tmp_path):
    result = ecoute(tmp_path / "w.duckdb", "enrich", "--since", "soon")
    assert result.exit_code == 1 and "neither a period" in result.stderr
