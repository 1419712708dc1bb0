"""`ecoute alerts ...` on a real workspace."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from ecoute.cli import app
from tests.alerts.test_detector import START
from tests.alerts.traffic import everyday, storm

runner = CliRunner()


@pytest.fixture
def ecoute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "w.duckdb"

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, ["--db", str(db), *args], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_rules_are_added_listed_and_removed(ecoute):
    assert "no rule saved: these defaults apply" in ecoute("alerts", "rule", "list")
    ecoute(
        "alerts",
        "rule",
        "add",
        "boycott",
        "--kind",
        "keyword",
        "--param",
        "terms=boycott*,arnaqu*",
        "--param",
        "min_authors=2",
    )
    (rule,) = [json.loads(line) for line in ecoute("alerts", "rule", "list", "--json").splitlines()]
    assert rule["params"]["terms"] == ["boycott*", "arnaqu*"] and rule["params"]["min_authors"] == 2
    assert "unknown parameter" in ecoute(
        "alerts", "rule", "add", "x", "--kind", "volume", "--param", "zz=1", code=1
    )
    ecoute("alerts", "rule", "remove", "boycott")
    assert "no rule named" in ecoute("alerts", "rule", "remove", "boycott", code=1)


def test_channel_secrets_are_never_printed(ecoute, monkeypatch, receiver):
    monkeypatch.setenv("ECOUTE_ALLOW_PRIVATE_URLS", "true")
    ecoute(
        "alerts",
        "channel",
        "add",
        "ops",
        "--kind",
        "webhook",
        "--url",
        receiver.url,
        "--secret",
        "hunter2",
        "--quiet-hours",
        "22:00-07:00",
        "--timezone",
        "Europe/Paris",
    )
    listed = ecoute("alerts", "channel", "list", "--json")
    assert "hunter2" not in listed and "**********" in listed
    assert "delivered" in ecoute("alerts", "channel", "test", "ops")
    (got,) = receiver.wait(1)
    assert json.loads(got.body)["event"] == "test"
    deliveries = ecoute("alerts", "deliveries", "--json")
    assert json.loads(deliveries.splitlines()[0])["status"] == "delivered"


def test_private_webhook_is_refused_by_default(ecoute, receiver):
    out = ecoute(
        "alerts",
        "channel",
        "add",
        "ops",
        "--kind",
        "webhook",
        "--url",
        receiver.url,
        "--secret",
        "x",
        code=1,
    )
    assert "private" in out


def test_backtest_prints_the_alerts_as_json_lines(ecoute, tmp_path):
    storm_at = START + timedelta(days=6, hours=10)
    mentions = everyday(START, 7 * 24, rate=8) + storm(storm_at, 40, 1.0)
    lines = [
        json.dumps(
            {
                "platform": m.platform,
                "id": m.native_id,
                "text": m.text,
                "created_at": m.created_at.isoformat(),
                "author": m.author.handle,
            }
        )
        for m in sorted(mentions, key=lambda m: m.created_at)
    ]
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "no query" in ecoute("alerts", "backtest", str(path), code=1)
    ecoute("query", "add", "fleurimaud", "Fleurimaud")
    raised = [json.loads(line) for line in ecoute("alerts", "backtest", str(path)).splitlines()]
    late = [r for r in raised if r["time"] >= storm_at.isoformat()]
    assert late and {"time", "query", "kind", "observed", "expected"} <= set(late[0])
    assert late[0]["query"] == "fleurimaud" and late[0]["observed"] > late[0]["expected"]
