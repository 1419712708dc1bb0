"""Small builders for mentions and import files used across tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ecoute.model import Author, DeletedBy, Mention

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def mention(native_id: str = "1", text: str = "Fleurissimo livre vite", **fields: Any) -> Mention:
    """A live mention with sensible defaults; override any field."""
    platform = fields.pop("platform", "mastodon")
    author = fields.pop("author", None) or Author(platform=platform, handle="alice", followers=10)
    defaults: dict[str, Any] = {
        "created_at": T0,
        "collected_at": T0 + timedelta(minutes=5),
    }
    defaults.update(fields)
    return Mention(platform=platform, native_id=native_id, text=text, author=author, **defaults)


def tombstone(native_id: str, *, by: DeletedBy = DeletedBy.AUTHOR, platform: str = "mastodon",
              at: datetime | None = None) -> Mention:  # fmt: skip
    """A deletion event for one post."""
    moment = at or T0 + timedelta(hours=1)
    return Mention(
        platform=platform,
        native_id=native_id,
        text="",
        created_at=moment,
        collected_at=moment,
        author=Author(platform=platform, handle=""),
        is_deleted=True,
        deleted_by=by,
    )


def post(i: int, **fields: Any) -> dict[str, Any]:
    """One record of our JSONL import format."""
    record: dict[str, Any] = {
        "platform": "mastodon",
        "id": str(i),
        "text": f"Post {i} sur Fleurissimo",
        "created_at": (T0 + timedelta(minutes=i)).isoformat(),
        "author": f"user{i % 7}",
    }
    record.update(fields)
    return record


def write_jsonl(path: Path, records: list[Any]) -> Path:
    """Write records (dicts are JSON-encoded, strings written as they are) one per line."""
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n")
    return path
