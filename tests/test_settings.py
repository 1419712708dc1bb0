"""Settings: precedence and documentation."""

from __future__ import annotations

from pathlib import Path

from ecoute.settings import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_every_setting_is_documented():
    doc = DOC.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"| `{name}` | `ECOUTE_{name.upper()}` |" in doc, f"{name} is not documented"


def test_flag_beats_environment_beats_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ecoute.toml").write_text('port = 9001\nhost = "0.0.0.0"\ndb = "file.duckdb"\n')
    assert Settings().port == 9001
    monkeypatch.setenv("ECOUTE_PORT", "9002")
    settings = Settings()
    assert (settings.port, settings.host, settings.db) == (9002, "0.0.0.0", Path("file.duckdb"))
    assert Settings(port=9003).port == 9003


def test_default_workspace_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ECOUTE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert Settings().db == tmp_path / "data" / "ecoute" / "ecoute.duckdb"
