"""Plain text out of the HTML that Mastodon, feeds and YouTube put in their posts.

The markup is someone else's and may be hostile: it is only tokenised by the
standard library's `HTMLParser`, never rendered, fetched or executed. What a
reader would see is kept (text, link text, line and paragraph breaks); scripts,
styles, attributes and URLs hidden behind link text are dropped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

MAX_HTML_CHARS = 2_000_000  # a post's markup beyond this is cut before parsing

# Elements whose content is not text for a reader.
_HIDDEN = frozenset(
    {"script", "style", "template", "noscript", "head", "title", "iframe", "object", "embed",
     "svg", "math", "select", "textarea", "button"}
)  # fmt: skip
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip
# Elements that stand as their own paragraph, followed by a blank line.
_PARAGRAPHS = frozenset(
    {"p", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table",
     "figure", "hr", "address"}
)  # fmt: skip
# Elements that start on a line of their own.
_LINES = frozenset(
    {"div", "li", "tr", "dt", "dd", "section", "article", "header", "footer", "aside", "nav",
     "main", "figcaption", "caption", "details", "summary", "form", "fieldset", "legend"}
)  # fmt: skip
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_TRAILING = re.compile(r"[ \t]+\n")
_BLANKS = re.compile(r"\n{3,}")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []  # open hidden elements, to skip their content
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN and tag not in _VOID:
            self.hidden.append(tag)
            return
        if self.hidden:
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag in _PARAGRAPHS:
            self._break(2)
            self.pre += tag == "pre"
        elif tag in _LINES:
            self._break(1)
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> and <p/>: a self-closed hidden element hides nothing.
        if tag not in _HIDDEN:
            self.handle_starttag(tag, attrs)
            if tag not in _VOID:
                self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.hidden:
            if tag == self.hidden[-1]:
                self.hidden.pop()
            elif tag in self.hidden:  # unbalanced markup: close up to the matching tag
                del self.hidden[self.hidden.index(tag) :]
            return
        if tag in _PARAGRAPHS:
            self._break(2)
            if tag == "pre" and self.pre:
                self.pre -= 1
        elif tag in _LINES:
            self._break(1)

    def _break(self, lines: int) -> None:
        # Block boundaries do not add up: </li><li> is one line break, not two.
        have = 0
        for part in reversed(self.parts):
            stripped = part.rstrip(" ")
            have += len(stripped) - len(stripped.rstrip("\n"))
            if stripped.strip("\n"):
                break
        if have < lines:
            self.parts.append("\n" * (lines - have))

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.pre:
            self.parts.append(data)
            return
        data = _SPACES.sub(" ", data)
        if not self.parts or self.parts[-1].endswith("\n"):
            data = data.lstrip(" ")  # spaces opening a line are not shown outside <pre>
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Return what a reader sees of `markup`: text and link text, with line breaks kept."""
    if "<" not in markup and "&" not in markup:
        return markup.strip()
    parser = _TextExtractor()
    parser.feed(markup[:MAX_HTML_CHARS])
    parser.close()
    joined = "".join(parser.parts).replace("\xa0", " ")
    joined = _TRAILING.sub("\n", joined)
    return _BLANKS.sub("\n\n", joined).strip()
