"""Import any recorded payload: tell what a file holds and hand it to its network's parser.

`read_payload` sniffs the content, not the name: an XML feed, an X archive
(``window.YTD.``), JSON Lines (Jetstream, twarc2, Zeeschuimer, Mastodon
streaming, or our own import format) or one JSON document (an API response of
any supported network). A ``.gz`` file is read through. JSON Lines are
streamed one line at a time; a single document is parsed whole, so it is
refused above `MAX_DOCUMENT_BYTES`. Records that cannot be read are reported in
each page's ``rejected`` and the others are kept.

Each page's cursor is ``{"read": n, "skipped": k}``: lines read (JSON Lines) or
records yielded (one document), and how many non-posts (likes, follows,
channels...) were skipped so far.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import msgspec

from ecoute.sources import (
    bluesky,
    facebook,
    instagram,
    mastodon,
    reddit,
    rss,
    twitter,
    youtube,
    zeeschuimer,
)
from ecoute.sources._parsing import Parsed, PayloadError
from ecoute.sources.base import Page, Rejected
from ecoute.sources.files import open_binary, read_file

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 256 << 20  # one JSON document is parsed whole: 256 MiB at most
MAX_LINE_BYTES = 16 << 20  # a JSON line (a twarc2 page of 500 tweets is ~5 MiB)
MAX_ACCOUNT_BYTES = 1 << 20  # an X archive's account.js
PAGE_SIZE = 5_000  # mentions per page from one document; lines per page from JSON Lines
_SNIFF_LINES = 20  # lines looked at to tell what JSON Lines hold

PAYLOAD_KINDS: dict[str, str] = {
    "ecoute": "Écoute's own import format: JSON Lines or CSV, one post per line",
    "mastodon": "Mastodon API: statuses, notifications, conversations, context; "
    "streaming events as JSON Lines",
    "bluesky": "Bluesky: Jetstream events (JSON Lines); searchPosts, getPosts, feeds, "
    "getPostThread",
    "reddit": "Reddit listings: search, subreddit posts or comments, a submission with comments",
    "rss": "RSS 0.9x, 1.0, 2.0 and Atom feeds (XML)",
    "twitter": "X: API v2 responses, twarc2 JSON Lines, account archive tweets.js "
    "and deleted-tweets.js",
    "facebook": "Facebook Graph API: a Page's feed, comments on a post",
    "instagram": "Instagram Graph API: hashtag or account media, comments, business discovery",
    "youtube": "YouTube Data API v3: commentThreads, comments, search, videos",
    "zeeschuimer": "Zeeschuimer / 4CAT browser captures (NDJSON): X, Instagram, TikTok, Threads",
}

LineParser = Callable[..., Parsed]
_LINE_PARSERS: dict[str, LineParser] = {
    "bluesky": bluesky.parse_jetstream_event,
    "twitter": twitter.parse_response,
    "zeeschuimer": zeeschuimer.parse_capture,
    "mastodon": mastodon.parse_stream_message,
}


def is_own_format(path: Path) -> bool:
    """Tell whether `path` is in Écoute's own JSONL/CSV format (read by `files.read_file`)."""
    with open_binary(path) as fh:
        head = _strip_bom(fh.peek(1 << 16)[: 1 << 16])
    return _own_format(path, head)


def read_payload(
    path: Path, platform: str | None = None, *, collected_at: datetime | None = None
) -> Iterator[Page]:
    """Yield pages of mentions from a recorded payload, detecting its kind unless `platform` says.

    Raises `PayloadError` (a `FileFormatError`) for an unknown kind, a truncated
    document or a file over the size limits, naming what is supported.
    """
    if platform is not None and platform not in PAYLOAD_KINDS:
        raise PayloadError(f"unknown kind {platform!r}; {_supported()}")
    if not path.is_file():
        raise PayloadError(f"{path}: no such file")
    moment = collected_at or datetime.now(UTC)
    if platform == "ecoute" or (platform is None and is_own_format(path)):
        yield from read_file(path, collected_at=moment)
        return
    with open_binary(path) as fh:
        head = _strip_bom(fh.peek(1 << 16)[: 1 << 16]).lstrip()
        if not head:
            raise PayloadError(f"{path}: the file is empty")
        if head.startswith(twitter.ARCHIVE_PREFIX):
            _expect(platform, "twitter", path, "an X archive file")
            yield from _pages(_archive(path, _read_whole(fh, path), moment))
        elif head.startswith(b"<"):
            _expect(platform, "rss", path, "an XML document")
            yield from _pages(rss.parse_feed(_read_whole(fh, path), collected_at=moment))
        elif head[:1] in (b"{", b"["):
            yield from _read_json(fh, path, platform, moment)
        else:
            raise PayloadError(
                f"{path}: neither JSON, JSON Lines, an XML feed nor an X archive "
                f"(it starts with {head[:20]!r}); {_supported()}"
            )


def _supported() -> str:
    return f"supported kinds: {', '.join(PAYLOAD_KINDS)} (docs/sources.md describes each)"


def _expect(platform: str | None, found: str, path: Path, what: str) -> None:
    if platform is not None and platform != found:
        raise PayloadError(f"{path} is {what}, which is read as {found!r}, not {platform!r}")


# -- files ----------------------------------------------------------------------------------
def _strip_bom(data: bytes) -> bytes:
    return data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data


def _read_whole(fh: IO[bytes], path: Path) -> bytes:
    data = fh.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise PayloadError(
            f"{path}: a single JSON or XML document is read whole and this one is over "
            f"{MAX_DOCUMENT_BYTES >> 20} MiB; split it, or export it as JSON Lines"
        )
    return _strip_bom(data)


def _own_format(path: Path, head: bytes) -> bool:
    name = path.name.lower().removesuffix(".gz")
    first = head.split(b"\n", 1)[0].strip()
    if name.endswith((".csv", ".tsv")) or (first and first[:1] not in b"{[<"):
        cells = {c.strip(b' "').lower() for c in first.replace(b"\t", b",").split(b",")}
        return {b"platform", b"id"} <= cells
    try:
        record = msgspec.json.decode(first)
    except msgspec.DecodeError:
        return False
    return (
        isinstance(record, dict)
        and isinstance(record.get("platform"), str)
        and "id" in record
        and ("text" in record or "deleted" in record)
    )


def _pages(parsed: Parsed) -> Iterator[Page]:
    """Slice what one document gave into pages, the last one marked exhausted."""
    mentions, rejected = parsed.mentions, parsed.rejected
    step = PAGE_SIZE
    for start in range(0, max(len(mentions), 1), step):
        last = start + step >= len(mentions)
        yield Page(
            mentions=mentions[start : start + step],
            cursor={"read": min(start + step, len(mentions)), "skipped": parsed.skipped},
            exhausted=last,
            rejected=rejected if last else [],
        )


def _archive(path: Path, body: bytes, moment: datetime) -> Parsed:
    # tweets.js names no author; the archive's account.js beside it does.
    account = None
    sibling = path.parent / "account.js"
    if sibling.is_file() and sibling.stat().st_size <= MAX_ACCOUNT_BYTES:
        account = twitter.read_account(sibling.read_bytes())
    if account is None:
        log.info("no readable account.js beside %s: tweets will have no author handle", path.name)
    return twitter.parse_archive(body, collected_at=moment, account=account)


# -- JSON -----------------------------------------------------------------------------------
def _read_json(fh: IO[bytes], path: Path, platform: str | None, moment: datetime) -> Iterator[Page]:
    first = fh.readline(MAX_LINE_BYTES + 1)
    rest = fh.peek(1 << 16)[: 1 << 16]
    if _is_complete_json(first) and rest.strip():
        yield from _read_lines(fh, path, first, platform, moment)
        return
    body = _strip_bom(first + _read_whole(fh, path))
    if len(body) > MAX_DOCUMENT_BYTES:
        raise PayloadError(f"{path}: over {MAX_DOCUMENT_BYTES >> 20} MiB")
    kind = platform or _document_kind(body, path)
    yield from _pages(_parse_document(kind, body, path, moment))


def _is_complete_json(line: bytes) -> bool:
    try:
        msgspec.json.decode(_strip_bom(line))
    except msgspec.DecodeError:
        return False
    return True


def _read_lines(
    fh: IO[bytes], path: Path, first: bytes, platform: str | None, moment: datetime
) -> Iterator[Page]:
    parse: LineParser | None = _LINE_PARSERS.get(platform) if platform else None
    if platform is not None and parse is None:
        raise PayloadError(
            f"{path} holds JSON Lines, and {platform!r} payloads do not come as lines; JSON "
            f"Lines are read for {', '.join(_LINE_PARSERS)} and ecoute"
        )
    pending: list[tuple[int, bytes]] = []
    page = Parsed()
    skipped = 0
    number = 0
    in_page = 0
    for number, line in _numbered_lines(fh, first):
        in_page += 1
        if parse is None:
            pending.append((number, line))
            parse = _line_kind(line)
            if parse is None and len(pending) < _SNIFF_LINES:
                continue
            if parse is None:
                raise PayloadError(
                    f"{path}: JSON Lines of an unknown kind; JSON Lines are read for Jetstream "
                    f"(bluesky), twarc2 (twitter), Zeeschuimer, Mastodon streaming and ecoute"
                )
            for held_number, held in pending:
                _read_line(parse, held_number, held, page, moment)
            pending = []
        else:
            _read_line(parse, number, line, page, moment)
        if in_page >= PAGE_SIZE and parse is not None:
            skipped += page.skipped
            in_page = 0
            yield page.page({"read": number, "skipped": skipped})
            page = Parsed()
    if parse is None and pending:
        raise PayloadError(f"{path}: JSON Lines of an unknown kind; {_supported()}")
    skipped += page.skipped
    yield page.page({"read": number, "skipped": skipped}, exhausted=True)


def _numbered_lines(fh: IO[bytes], first: bytes) -> Iterator[tuple[int, bytes | None]]:
    """Yield (line number, line, or None for a line over the limit), skipping blank lines."""
    number = 0
    line = first
    while line:
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (more := fh.readline(1 << 20)) and not more.endswith(b"\n"):
                pass
            yield number, None
        elif line.strip():
            yield number, line
        line = fh.readline(MAX_LINE_BYTES + 1)


def _read_line(
    parse: LineParser, number: int, line: bytes | None, page: Parsed, moment: datetime
) -> None:
    if line is None:
        page.rejected.append(Rejected(f"line {number}", f"longer than {MAX_LINE_BYTES:,} bytes"))
        return
    try:
        parsed = parse(line.strip(), collected_at=moment)
    except PayloadError as exc:
        page.rejected.append(Rejected(f"line {number}", str(exc)))
        return
    page.mentions.extend(parsed.mentions)
    page.skipped += parsed.skipped
    # A line holding many records (a twarc2 page) says which one was refused.
    many = len(parsed.mentions) + len(parsed.rejected) + parsed.skipped > 1
    for rejected in parsed.rejected:
        where = f"line {number} ({rejected.where})" if many else f"line {number}"
        page.rejected.append(Rejected(where, rejected.reason))


def _line_kind(line: bytes | None) -> LineParser | None:
    """Tell which parser reads JSON Lines like `line`, or None if this line does not tell."""
    if line is None:
        return None
    try:
        record = msgspec.json.decode(line)
    except msgspec.DecodeError:
        return None
    if not isinstance(record, dict):
        return None
    if "did" in record and record.get("kind") in ("commit", "identity", "account"):
        return bluesky.parse_jetstream_event
    if zeeschuimer.is_capture(record):
        return zeeschuimer.parse_capture
    if "event" in record and ("payload" in record or "stream" in record):
        return mastodon.parse_stream_message
    if "__twarc" in record or _is_tweets(record):
        return twitter.parse_response
    return None


def _is_tweets(record: dict[str, Any]) -> bool:
    data = record.get("data")
    first = data[0] if isinstance(data, list) and data else data
    tweet = first if isinstance(first, dict) else record
    return "id" in tweet and "text" in tweet and (
        "includes" in record or "author_id" in tweet or "edit_history_tweet_ids" in tweet
        or "public_metrics" in tweet or "conversation_id" in tweet
    )  # fmt: skip


class _Top(msgspec.Struct):
    """The keys that tell one JSON document's kind; values are kept as bytes, not decoded."""

    kind: Any = None
    data: msgspec.Raw = msgspec.Raw()
    includes: msgspec.Raw = msgspec.Raw()
    meta: msgspec.Raw = msgspec.Raw()
    posts: msgspec.Raw = msgspec.Raw()
    feed: msgspec.Raw = msgspec.Raw()
    thread: msgspec.Raw = msgspec.Raw()
    ancestors: msgspec.Raw = msgspec.Raw()
    descendants: msgspec.Raw = msgspec.Raw()
    business_discovery: msgspec.Raw = msgspec.Raw()
    content: msgspec.Raw = msgspec.Raw()
    account: msgspec.Raw = msgspec.Raw()
    did: msgspec.Raw = msgspec.Raw()
    event: msgspec.Raw = msgspec.Raw()
    source_platform: msgspec.Raw = msgspec.Raw()
    text: msgspec.Raw = msgspec.Raw()


_decode_top = msgspec.json.Decoder(_Top).decode
_decode_list = msgspec.json.Decoder(list[msgspec.Raw]).decode


def _document_kind(body: bytes, path: Path) -> str:
    """Return the parser key for one JSON document, from the keys that tell networks apart."""
    try:
        if body.lstrip()[:1] == b"[":
            return _array_kind(_decode_list(body), path)
        top = _decode_top(body)
    except msgspec.DecodeError as exc:
        raise PayloadError(f"{path} is not valid JSON ({exc}); is the file truncated?") from exc
    kind = top.kind if isinstance(top.kind, str) else ""
    if kind in ("Listing", "t1", "t3"):
        return "reddit"
    if kind.startswith("youtube#"):
        return "youtube"
    if kind in ("commit", "identity", "account") and _has(top.did):
        return "bluesky-line"
    if _has(top.source_platform):
        return "zeeschuimer-line"
    if _has(top.event):
        return "mastodon-line"
    if _has(top.posts) or _has(top.feed) or _has(top.thread):
        return "bluesky"
    if _has(top.ancestors) or _has(top.descendants):
        return "mastodon-context"
    if _has(top.content) and _has(top.account):
        return "mastodon-status"
    if _has(top.business_discovery):
        return "instagram"
    if _has(top.data):
        return _data_kind(top, path)
    if _has(top.text):
        return "twitter"  # one flattened tweet
    raise PayloadError(f"{path}: a JSON document of an unknown kind; {_supported()}")


def _has(raw: msgspec.Raw) -> bool:
    return bool(bytes(raw)) and bytes(raw) != b"null"


def _array_kind(items: list[msgspec.Raw], path: Path) -> str:
    first: Any = None
    for item in items:
        first = msgspec.json.decode(item)
        if isinstance(first, dict):
            break
    if first is None:
        return "empty"
    if not isinstance(first, dict):
        raise PayloadError(f"{path}: a JSON array of {type(first).__name__}, not of records")
    if first.get("kind") == "Listing":
        return "reddit"
    if "accounts" in first and "last_status" in first:
        return "mastodon-conversations"
    if "type" in first and "account" in first and "content" not in first:
        return "mastodon-notifications"
    if "account" in first and ("content" in first or "reblog" in first):
        return "mastodon"
    raise PayloadError(f"{path}: a JSON array of unknown records; {_supported()}")


def _data_kind(top: _Top, path: Path) -> str:
    if _has(top.includes) or b"result_count" in bytes(top.meta) or b"newest_id" in bytes(top.meta):
        return "twitter"
    data = bytes(top.data).strip()
    items = _decode_list(data) if data[:1] == b"[" else [top.data]
    if not items:
        return "empty"
    first = msgspec.json.decode(items[0])
    if not isinstance(first, dict):
        raise PayloadError(f"{path}: 'data' holds {type(first).__name__}s, not records")
    if "created_time" in first:
        return "facebook"
    if {"caption", "media_type", "comments_count", "timestamp"} & first.keys() or (
        "instagram.com" in str(first.get("permalink"))
    ):
        return "instagram"
    if "text" in first and "id" in first:
        return "twitter"
    raise PayloadError(f"{path}: a Graph-like 'data' list of unknown records; {_supported()}")


def _parse_document(kind: str, body: bytes, path: Path, moment: datetime) -> Parsed:
    readers: dict[str, Callable[..., Parsed]] = {
        "mastodon": _mastodon_document,
        "mastodon-notifications": mastodon.parse_notifications,
        "mastodon-conversations": mastodon.parse_conversations,
        "mastodon-context": mastodon.parse_context,
        "mastodon-status": mastodon.parse_status,
        "mastodon-line": mastodon.parse_stream_message,
        "bluesky": _bluesky_document,
        "bluesky-line": bluesky.parse_jetstream_event,
        "zeeschuimer": zeeschuimer.parse_capture,
        "zeeschuimer-line": zeeschuimer.parse_capture,
        "reddit": reddit.parse_listing,
        "twitter": twitter.parse_response,
        "facebook": facebook.parse_response,
        "instagram": instagram.parse_response,
        "youtube": youtube.parse_response,
        "rss": rss.parse_feed,
        "empty": lambda body, *, collected_at: Parsed(),
    }
    try:
        return readers[kind](body, collected_at=moment)
    except PayloadError as exc:
        raise PayloadError(f"{path}: {exc}") from exc


def _mastodon_document(body: bytes, *, collected_at: datetime) -> Parsed:
    # With --platform mastodon the document may be any Mastodon entity list.
    kind = _document_kind(body, Path("the document"))
    if kind == "mastodon":
        return mastodon.parse_statuses(body, collected_at=collected_at)
    if not kind.startswith("mastodon") and kind != "empty":
        raise PayloadError("this JSON document is not a Mastodon API response")
    return _parse_document(kind, body, Path("the document"), collected_at)


def _bluesky_document(body: bytes, *, collected_at: datetime) -> Parsed:
    if _document_kind(body, Path("the document")) == "bluesky-line":
        return bluesky.parse_jetstream_event(body, collected_at=collected_at)
    return bluesky.parse_response(body, collected_at=collected_at)
