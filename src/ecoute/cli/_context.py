"""What every command shares: the settings and the workspace they open."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from ecoute.settings import Settings
from ecoute.store.base import Store, StoreError
from ecoute.store.duckdb import DuckDBStore

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class Context:
    db: Path | None = None

    def settings(self, **overrides: object) -> Settings:
        """Build the settings once per command: flag > env > ecoute.toml > default."""
        given = {k: v for k, v in overrides.items() if v is not None}
        if self.db is not None:
            given.setdefault("db", self.db)
        try:
            return Settings(**given)
        except ValidationError as exc:
            fail(f"invalid settings: {exc}")

    @contextlib.contextmanager
    def store(self, settings: Settings | None = None) -> Iterator[DuckDBStore]:
        """Open the workspace for the length of a command."""
        settings = settings or self.settings()
        try:
            store = DuckDBStore(
                settings.db, memory_limit=settings.memory_limit, threads=settings.threads
            )
        except StoreError as exc:
            fail(str(exc))
        try:
            yield store
        finally:
            store.close()


@contextlib.contextmanager
def bulk_load(store: Store) -> Iterator[None]:
    """`store.bulk_load()`, a failure of its merge at the end told as an error."""
    try:
        with store.bulk_load():
            yield
    except StoreError as exc:
        fail(str(exc))


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error in one line and leave with `code`."""
    err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)
