"""`ecoute demo` end to end: build the workspace from the replay, then serve the dashboard."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.test_cli import ecoute


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    # In a folder that does not exist yet, as ~/.local/share/ecoute on a fresh machine.
    db = tmp_path_factory.mktemp("demo") / "share" / "ecoute" / "demo.duckdb"
    result = ecoute(db, "demo", "--no-serve")
    assert result.exit_code == 0, result.output
    return db


def test_demo_builds_a_workspace_with_the_story(demo_db):
    stats = json.loads(ecoute(demo_db, "stats", "--json").stdout)
    assert stats["mentions"] >= 5_000
    assert {"fr", "en"} <= set(stats["by_lang"])
    assert all(count > 0 for count in stats["by_query"].values())
    # The florist's crisis: one day holds several times the median daily volume.
    days = sorted(stats["by_day"].values())
    assert days[-1] > 4 * days[len(days) // 2]
    assert stats["by_sentiment"]["negative"] > 0


def test_demo_is_rebuilt_not_appended(demo_db):
    before = json.loads(ecoute(demo_db, "stats", "--json").stdout)["mentions"]
    assert ecoute(demo_db, "demo", "--no-serve").exit_code == 0
    assert json.loads(ecoute(demo_db, "stats", "--json").stdout)["mentions"] == before


def test_demo_refuses_to_overwrite_a_real_workspace(tmp_path):
    db = tmp_path / "real.duckdb"
    ecoute(db, "query", "add", "x", "x")
    result = ecoute(db, "demo", "--no-serve")
    assert result.exit_code == 1 and "--force" in result.stderr


def test_demo_serves_the_dashboard(tmp_path):
    port = _free_port()
    db = tmp_path / "demo.duckdb"
    cmd = [sys.executable, "-m", "ecoute", "--db", str(db), "demo", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "the demo did not start serving"
                time.sleep(0.3)
        assert page.status_code == 200
        assert "<svg" in page.text and "fleurimaud" in page.text.lower()
        stats = httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=5).json()
        assert stats["mentions"] >= 5_000
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
