"""Field types shared by the collectors' settings: lists typed on a command line, checked URLs.

`ecoute source add ... --set key=value` hands every value over as a string, a
key repeated becomes a list: these types accept both forms, and refuse what
would only fail later, when the collector runs unattended.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict


class SourceConfig(BaseModel):
    """Base of every collector's settings: unknown keys are refused, text is stripped."""

    # A mistyped key (`--set subreddit=...` for `subreddits`) must be an error,
    # not a setting silently ignored.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _listify(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _checked(schemes: tuple[str, ...]):
    def check(value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in schemes or not parts.hostname:
            raise ValueError(f"must be an absolute {' or '.join(schemes)} URL, not {value[:80]!r}")
        if parts.username or parts.password:
            raise ValueError("must not hold credentials; use the source's secret settings")
        return value.rstrip("/")

    return check


StrList = Annotated[list[str], BeforeValidator(_listify)]
"""A list given as JSON, as a repeated `--set key=...`, or as one comma-separated string."""

HttpUrl = Annotated[str, AfterValidator(_checked(("https", "http")))]
"""An http(s) base URL, kept as typed without its trailing slash."""

WsUrl = Annotated[str, AfterValidator(_checked(("wss", "ws")))]
"""A WebSocket URL."""
