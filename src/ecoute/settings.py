"""The one Settings object: flag > environment (ECOUTE_*) > ecoute.toml > default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def default_db_path() -> Path:
    """Return where the workspace lives when nobody says: $XDG_DATA_HOME/ecoute/ecoute.duckdb."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "ecoute" / "ecoute.duckdb"


def default_demo_db_path() -> Path:
    """Return where `ecoute demo` builds its workspace, apart from the real one."""
    return default_db_path().with_name("demo.duckdb")


class Settings(BaseSettings):
    """Everything a deployment may set. Each field is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(
        env_prefix="ECOUTE_",
        env_nested_delimiter="__",
        toml_file="ecoute.toml",
        extra="forbid",
    )

    db: Path = Field(
        default_factory=default_db_path,
        description="The workspace file (DuckDB). Flag: --db. Env: ECOUTE_DB.",
    )
    store: Literal["duckdb"] = Field(
        "duckdb", description="The store plugin; PostgreSQL arrives as a server option."
    )
    memory_limit: str | None = Field(
        None,
        description=(
            "DuckDB's memory limit, e.g. '1GB'. Default: DuckDB's own (80% of RAM); "
            "for `ecoute import`, 64MB, and 128MB for its final merge."
        ),
    )
    threads: int | None = Field(
        None, ge=1, le=256, description="DuckDB worker threads. Default: one per core."
    )
    host: str = Field("127.0.0.1", description="Address `ecoute serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `ecoute serve` listens on.")
    plugins: list[str] | None = Field(
        None,
        description="Load only these plugins (entry-point names); JSON list in ECOUTE_PLUGINS.",
    )
    public_url: str | None = Field(
        None,
        description="The web app's address as users reach it, for links in alerts and reports.",
    )
    reports_dir: Path | None = Field(
        None,
        description="Where weekly reports are written. Default: a folder beside the workspace.",
    )
    allow_private_urls: bool = Field(
        False,
        description="Let sources reach private, loopback and link-local addresses.",
    )
    poll_interval: float = Field(
        60.0, ge=1.0, le=86_400.0, description="Seconds between polls of a source with nothing new."
    )
    stages: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description='Options per enrichment stage, e.g. {"sentiment": {"model": "my.npz"}}.',
    )
    batch_size: int = Field(
        50_000,
        ge=100,
        le=200_000,
        description="Posts per import batch (one transaction each); a bulk load "
        "(--no-enrich) uses the store's own size (DuckDB: 122,880, one row group).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))
