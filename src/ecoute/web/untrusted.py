"""Make post content safe to show: links only to the web, no text that rearranges the page.

Everything a post carries (text, author name, handle, link) is written by
strangers. Templates autoescape it; this module handles what escaping cannot:
``javascript:`` links, and bidirectional controls that make « txt.exe » read
« exe.txt » or flip the interface text around a post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) reorder what
# follows them; C0 and C1 controls other than tab and newline have no business
# in a post and can hide text in some fonts.
_HIDDEN = re.compile(r"[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b-\x1f\x7f-\x9f]")
_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_WEB_SCHEMES = frozenset({"http", "https"})
MAX_URL = 2048


def web_link(url: str | None) -> str | None:
    """Return `url` if a browser may safely follow it (http or https with a host), else None.

    Whitespace and invisible characters are refused rather than stripped:
    browsers drop tabs and newlines, so "java\\tscript:" would run as script.
    """
    if not url or len(url) > MAX_URL or _URL_FORBIDDEN.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _WEB_SCHEMES or not parts.hostname:
        return None
    return url


def visible_text(text: str | None) -> str:
    """Remove the characters that reorder or hide text; keep everything a reader can see."""
    return _HIDDEN.sub("", text or "")


@dataclass(frozen=True, slots=True)
class Excerpt:
    """Text cut to a length a page can show, and whether something was cut."""

    text: str
    is_cut: bool


def excerpt(text: str | None, limit: int) -> Excerpt:
    """Return the visible text cut at `limit` characters, at a word boundary when one is near."""
    clean = visible_text(text)
    if len(clean) <= limit:
        return Excerpt(clean, False)
    cut = clean[:limit]
    space = cut.rfind(" ", limit - limit // 5)
    if space > 0:
        cut = cut[:space]
    return Excerpt(cut.rstrip() + "…", True)
