"""A tiny visible-text reader for the demo pages (used by the generator's own checks and tests).

It is *not* the pipeline's extractor: it keeps every visible text block -- navigation, footers and
all -- so that properties such as "the whole page has fewer than 150 characters" or "less than 20%
of the page is Chinese" can be checked independently of how good an extractor is.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

_BLOCK = frozenset(
    "address article aside blockquote body br dd div dl dt footer form h1 h2 h3 h4 h5 h6 header hr li "
    "main nav ol p pre section table td th tr ul title".split()
)
_SKIP = frozenset(("script", "style", "head", "noscript", "template"))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.paragraphs: list[str] = []
        self.headings: dict[str, list[str]] = {}
        self._buf: list[str] = []
        self._skip = 0
        self._stack: list[tuple[str, list[str]]] = []  # open <p>/<hN> and their text

    def _flush(self) -> None:
        text = "".join(self._buf).strip()
        if text:
            self.blocks.append(text)
        self._buf = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
            return
        if tag in _BLOCK:
            self._flush()
        if tag == "p" or (len(tag) == 2 and tag[0] == "h" and tag[1].isdigit()):
            self._stack.append((tag, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK and not self._skip:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if tag in _BLOCK:
            self._flush()
        if self._stack and self._stack[-1][0] == tag:
            _, parts = self._stack.pop()
            text = "".join(parts).strip()
            if tag == "p":
                self.paragraphs.append(text)
            else:
                self.headings.setdefault(tag, []).append(text)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self._buf.append(data)
        for _, parts in self._stack:
            parts.append(data)


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader._flush()
    return reader


def visible_blocks(html: str) -> list[str]:
    """Text of every block of the page body (``<head>``, scripts and styles left out), stripped."""
    return read(html).blocks


def visible_text(html: str) -> str:
    return "\n".join(visible_blocks(html))


def paragraphs(html: str) -> list[str]:
    """Stripped text of every ``<p>``: on demo pages these are exactly the article body's lines."""
    return read(html).paragraphs


def heading(html: str, level: str = "h1") -> str | None:
    found = read(html).headings.get(level)
    return found[0] if found else None


_QUICK_DROP = re.compile(r"<head\b.*?</head>|<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->", re.S | re.I)
_QUICK_TAG = re.compile(r"<[^>]*>")


def quick_text(html: str) -> str:
    """The visible characters of a demo page, fast (regular expressions, no block structure):
    what the generator's own size and ratio checks count. ``visible_text`` is the careful reader."""
    return unescape(_QUICK_TAG.sub(" ", _QUICK_DROP.sub(" ", html)))
