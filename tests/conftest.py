"""Fixtures shared by every test: a real DuckDB workspace and the shared data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecoute.store.duckdb import DuckDBStore

REPO = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    # CI lays the shared fixtures and data beside the clone.
    folder = Path(os.environ.get("ECOUTE_SHARED", REPO.parent / "shared"))
    if not (folder / "fixtures").is_dir():
        raise RuntimeError(
            f"the shared fixtures are not at {folder}; set ECOUTE_SHARED to their folder"
        )
    return folder


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared folder: fixtures/ (recorded payloads) and data/ (labelled sets)."""
    return _shared_dir()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DuckDBStore]:
    """A fresh workspace in a real DuckDB file."""
    s = DuckDBStore(tmp_path / "workspace.duckdb")
    yield s
    s.close()
