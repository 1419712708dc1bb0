"""What every payload parser shares: its result, its errors and strict field readers.

A network's payload is untrusted input: any field may be missing, null, of the
wrong type or absurd. The readers here turn such a field into a clear
`BadRecord` message naming it, so one odd record is reported and skipped while
the others of the page are kept.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec

from ecoute.model import Author, DeletedBy, Mention, utc
from ecoute.sources.base import Cursor, Page, Rejected
from ecoute.sources.files import FileFormatError

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 100_000  # as in our own import format: a longer "post" is a dump, not a post


class PayloadError(FileFormatError):
    """A whole payload cannot be read: unknown kind, truncated JSON, too large, ..."""


class BadRecord(ValueError):
    """One record of a payload cannot become a mention; the reason names the field."""


@dataclass(slots=True)
class Parsed:
    """Mentions read from one payload, the records refused and the count of non-posts skipped."""

    mentions: list[Mention] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    skipped: int = 0  # likes, follows, identity events, channels...: not posts, not errors

    def extend(self, other: Parsed) -> None:
        """Append what `other` read."""
        self.mentions.extend(other.mentions)
        self.rejected.extend(other.rejected)
        self.skipped += other.skipped

    def page(self, cursor: Cursor, *, exhausted: bool = False) -> Page:
        """Return these mentions and rejections as a `Page` resuming at `cursor`."""
        return Page(
            mentions=self.mentions, cursor=cursor, exhausted=exhausted, rejected=self.rejected
        )


def collect(parsed: Parsed, where: str, build: Callable[[], Iterable[Mention] | None]) -> None:
    """Run `build` for one record, keeping its mentions or reporting why it was refused.

    `build` returns the mentions of the record, or None when the record is not a
    post (a like, a follow, a channel), which is counted as skipped.
    """
    try:
        found = build()
        if found is None:
            parsed.skipped += 1
            return
        parsed.mentions.extend(found)
    except BadRecord as exc:
        parsed.rejected.append(Rejected(where, str(exc)))
    except msgspec.DecodeError as exc:
        parsed.rejected.append(Rejected(where, f"invalid JSON: {exc}"))
    except (KeyError, TypeError, AttributeError, ValueError, OverflowError) as exc:
        # Hostile or unforeseen shapes must not stop the import: the record is
        # reported with what went wrong and the next one is read.
        log.debug("unexpected record shape at %s", where, exc_info=True)
        parsed.rejected.append(Rejected(where, f"unexpected record shape: {exc!r}"[:300]))


# -- JSON ---------------------------------------------------------------------------------
_decode_any = msgspec.json.Decoder().decode
_decode_raw_list = msgspec.json.Decoder(list[msgspec.Raw]).decode


def decode_json(body: bytes | str, what: str) -> Any:
    """Decode a whole JSON document, raising `PayloadError` with the position of a fault."""
    try:
        return _decode_any(body)
    except msgspec.DecodeError as exc:
        raise PayloadError(f"{what} is not valid JSON ({exc}); is the file truncated?") from exc


def decode_item(raw: msgspec.Raw | bytes) -> Any:
    """Decode one record's JSON bytes (a `msgspec.DecodeError` is reported by `collect`)."""
    return _decode_any(raw)


def raw_items(body: bytes | str, what: str) -> list[msgspec.Raw]:
    """Split a JSON array into the verbatim bytes of each element."""
    try:
        return _decode_raw_list(body)
    except msgspec.DecodeError as exc:
        raise PayloadError(f"{what} is not a valid JSON array ({exc})") from exc


def raw_of(value: Any) -> msgspec.Raw:
    """Encode a decoded record back to JSON, for records cut out of a larger tree."""
    return msgspec.Raw(msgspec.json.encode(value))


# -- fields -------------------------------------------------------------------------------
def obj(value: Any, name: str) -> dict[str, Any]:
    """Return `value` if it is a JSON object, else refuse the record naming `name`."""
    if not isinstance(value, dict):
        kind = "missing" if value is None else f"a {type(value).__name__}, not an object"
        raise BadRecord(f"field {name!r} is {kind}")
    return value


def opt_obj(value: Any) -> dict[str, Any]:
    """Return `value` if it is a JSON object, else an empty one (optional sub-objects)."""
    return value if isinstance(value, dict) else {}


def seq(value: Any) -> list[Any]:
    """Return `value` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def string(value: Any, name: str, *, empty: bool = False) -> str:
    """Return a required string (ids may come as JSON numbers), else refuse the record."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        kind = "missing" if value is None else f"a {type(value).__name__}, not a string"
        raise BadRecord(f"field {name!r} is {kind}")
    if not empty and not value.strip():
        raise BadRecord(f"field {name!r} is empty")
    return value


def opt_str(value: Any) -> str | None:
    """Return a non-empty string (or a number as text), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value
    return None


def post_text(value: Any, name: str) -> str:
    """Return a post's text, refusing one too long to be a post."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRecord(f"field {name!r} is a {type(value).__name__}, not a string")
    if len(value) > MAX_TEXT_CHARS:
        raise BadRecord(
            f"field {name!r} has {len(value):,} characters; the limit is {MAX_TEXT_CHARS:,}"
        )
    return value


def count(value: Any) -> int | None:
    """Return a count from a number or numeric string; absent, negative or odd values give None.

    Networks send -1 for hidden counters and strings in exports: neither is worth
    refusing a post for.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        digits = value.strip().replace(",", "")
        if not digits.isdigit():
            return None
        value = int(digits)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and value >= 0:
        return value
    return None


_TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"


def moment(value: Any, name: str) -> datetime:
    """Return an aware UTC time from ISO 8601, a Twitter-style date, or epoch (s or ms)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return epoch(value, name)
    if not isinstance(value, str) or not value.strip():
        raise BadRecord(f"field {name!r} is missing or not a time")
    stamp = value.strip()
    try:
        return utc(datetime.fromisoformat(stamp))
    except ValueError:
        pass
    try:
        return datetime.strptime(stamp, _TWITTER_TIME).astimezone(UTC)
    except ValueError:
        pass
    if stamp.isdigit():
        return epoch(int(stamp), name)
    raise BadRecord(f"field {name!r} is not a time: {stamp[:40]!r}")


def opt_moment(value: Any, name: str) -> datetime | None:
    """Like `moment`, but None for an absent value."""
    if value is None or value == "":
        return None
    return moment(value, name)


def epoch(value: float, name: str) -> datetime:
    """Return the UTC time of a Unix epoch in seconds, or in milliseconds when that large."""
    seconds = value / 1000 if abs(value) > 100_000_000_000 else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise BadRecord(f"field {name!r} is not a valid time: {value}") from None


_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]{1,8})*$")
_NO_LANGUAGE = frozenset({"und", "zxx", "mul", "mis"})


def language(value: Any) -> str | None:
    """Return the primary ISO 639 subtag of a language tag ("en-GB" gives "en"), else None."""
    if not isinstance(value, str):
        return None
    found = _LANG.match(value.strip())
    if not found:
        return None
    code = found.group(1).lower()
    # X labels media-only, hashtag-only and similar tweets with private-use codes
    # ("qme", "qht", "qam"...): they say there is no language.
    if code in _NO_LANGUAGE or (len(code) == 3 and code.startswith("q")):
        return None
    return code


def tombstone(
    platform: str,
    native_id: str,
    when: datetime,
    collected_at: datetime,
    *,
    by: DeletedBy = DeletedBy.AUTHOR,
    handle: str = "",
    author_id: str | None = None,
) -> Mention:
    """Return the marker of a deleted post: no text, no raw payload."""
    return Mention(
        platform=platform,
        native_id=native_id,
        text="",
        created_at=when,
        collected_at=collected_at,
        author=Author(platform=platform, handle=handle, native_id=author_id),
        is_deleted=True,
        deleted_by=by,
    )
