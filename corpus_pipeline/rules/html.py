"""Main-text extraction from HTML pages (PanGu-α §3.1.1), and the page's title, author and date.

Measured choices (``bench/html_extractors.py``, ``bench/RESULTS.md``: "HTML extractor comparison" and
"Extraction precision (issue 20)"):

1. **Resiliparse's main-content pass**, with two work-arounds. Its HTML5 parser (lexbor) survives pages on
   which libxml2 (lxml, trafilatura) silently stops, and it is 10-15x faster than trafilatura.

   * resiliparse (2.0.1) drops, as an "icon-font glyph", every text node or element whose whole text is a
     single 3-byte UTF-8 character (its private-use check compares little-endian bytes), which deletes each
     ``。`` after ``</strong>`` and every one-character ``<span>``; a word joiner is appended to such
     characters before parsing and removed afterwards (real private-use glyphs are still dropped);
   * when the main-content pass finds (next to) nothing, it is re-run with ``<ul>``/``<li>`` renamed to
     ``<div>`` (its heuristics drop every ``<ul>`` near ``<body>`` as a menu, and some sites put the whole
     article in one), and if that finds nothing either the whole page's text is used.

2. **Link density and the article block.** The pass is asked for minimal HTML with links, so each output line
   knows how much of its text is link text. Lines are scored: a *prose line* (at least
   :data:`MIN_PROSE_CHARS` characters outside links, with punctuation, less than half link text) counts its
   non-link characters; every other line (headings, short labels, link lists, bylines) counts minus its
   length, except preformatted lines (code, verse), which count 0. The article is the contiguous run of
   lines with the highest total (maximum-sum segment, as in Finn et al.'s Body Text Extraction), never taken
   across a *section break*: a related-articles, comments or ranking heading, a disclaimer or a
   copyright/reprint notice (``rules/html_section_breaks.txt``). Within
   the article, link-dominated lines (menus, user names, "related" items) and stand-alone timestamp lines
   (bylines, forum post headers) are dropped. A page without any prose line keeps all its non-link lines.
   Resiliparse already prunes elements whose class/id names navigation, footers, comments, sharing or
   related articles; adding Chinese/pinyin class tokens as ``skip_elements`` did not pay (measured).

The main-content pass costs O(nodes x depth of nested ``<div>``/``<article>``) (100 000 nested ``<div>``
take minutes), so pages nested deeper than ``MAX_DIV_DEPTH`` get the whole-page text.

Title, author and date (:func:`page_title`, :func:`page_author`, :func:`page_date`) are pure functions that
return None when the page does not state them: ``<meta>`` tags (``article:published_time``, ``pubdate``,
``author``, ...), ``<time datetime>``, and labelled Chinese bylines (``作者：``, ``记者``, ``发布时间：``,
``2023年12月1日 12:00``) in the lines around the article. Dates are ISO 8601: ``YYYY-MM-DD``, or
``YYYY-MM-DDTHH:MM[:SS]`` when the page gives a time (with its UTC offset when a ``<meta>`` gives one).
"""

from __future__ import annotations

import datetime
import html as html_entities
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

__all__ = [
    "HtmlRules",
    "HtmlText",
    "default_html_rules",
    "extract_main_text",
    "iso_datetime",
    "page_author",
    "page_date",
    "page_title",
]

MIN_MAIN_CHARS = 100  # below this many non-space characters the main-content pass has missed the body
MIN_PROSE_CHARS = 10  # a prose line has at least this many characters outside links
MIN_BODY_CHARS = 30  # the article's first prose line this long ends its header (where an unlabelled date is)
MAX_LINK_SHARE = 0.5  # a line with more link text than this share is a link line
MAX_BREAK_CHARS = 200  # section-break patterns are tried on lines up to this long
MAX_META_CHARS = 60  # a timestamp line (byline, post header) is at most this long
SECTION_BREAKS_FILE = "html_section_breaks.txt"
_GUARD = "\u2060"  # word joiner: invisible, not white space, removed from the output
_LONE_WIDE_CHAR = re.compile(r">(\s*[\u0800-\ud7ff\uf900-\uffff])(?=\s*<)")  # 3-byte UTF-8, not private use
_LIST_TAG = re.compile(r"<(/?)(?:ul|li)\b", re.I)
MAX_DIV_DEPTH = 500  # the 62 GNE pages nest at most 18 deep
_DIV_TAG = re.compile(r"<(/?)(?:div|article)\b", re.I)
_OPTIONS = dict(
    alt_texts=False,
    list_bullets=False,
    links=True,
    form_fields=False,
    noscript=False,
    preserve_formatting="minimal_html",
)
_INLINE_SPACE = re.compile(r"[ \t\f\v\r\xa0]+")
_TITLE_SEPARATOR = re.compile(r"\s*(?:_+|\|| - | – | — |--|——)\s*|-(?=[^-\d]{1,15}$)")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_PROSE_PUNCTUATION = re.compile(r"[，。！？；：、,!?;]")
_SENTENCE_END = re.compile(r"[。！？!?]")
_TIMESTAMP_LINE = re.compile(
    r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*\d{1,2}[:：]\d\d"  # a date with a time
    r"|^[\W_]*(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?[\W_]*$"  # or a date alone
)


@dataclass(frozen=True)
class HtmlText:
    """A page's title (``None`` if it has none), main text (one paragraph per line), and the author and
    publication date it states (``None`` if it states none; the date in ISO 8601)."""

    title: str | None
    text: str
    author: str | None = None
    date: str | None = None


class HtmlRules:
    """Compiled extraction rules: the section-break patterns (see ``rules/html_section_breaks.txt``).

    A pattern that does not compile is a ``RecipeError`` naming it.
    """

    def __init__(self, section_breaks: Iterable[str] = ()):
        from corpus_pipeline.recipe import RecipeError

        patterns = tuple(section_breaks)
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise RecipeError(f"bad HTML section-break pattern {pattern!r}: {error}") from None
        self.section_breaks = patterns
        self._break = re.compile("|".join(f"(?:{p})" for p in patterns), re.I) if patterns else None

    def is_break(self, line: str) -> bool:
        return self._break is not None and len(line) <= MAX_BREAK_CHARS and self._break.search(line) is not None


@lru_cache(maxsize=1)
def default_html_rules() -> HtmlRules:
    """The rules in the shipped ``rules/`` folder (``rules/html_section_breaks.txt``); none if it is absent."""
    from corpus_pipeline.io.resources import resource_dir

    path = Path(resource_dir("rules")) / SECTION_BREAKS_FILE
    if not path.is_file():
        return HtmlRules()
    lines = path.read_text(encoding="utf-8").splitlines()
    return HtmlRules(line for line in lines if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class _Line:
    text: str
    chars: int  # non-space characters
    link_chars: int  # non-space characters inside <a>
    heading: bool
    preformatted: bool = False  # inside <pre>: code or verse


def _clean(text: str) -> str:
    return _INLINE_SPACE.sub(" ", text.replace(_GUARD, "").replace("\ufeff", "")).strip()


def _non_space(text: str) -> int:
    return len(text) - text.count(" ") - text.count("\u3000")


def _lines(minimal_html: str) -> list[_Line]:
    """The lines of resiliparse's minimal-HTML output, as text, with their link text counted."""
    out = []
    in_pre = False
    for raw in minimal_html.replace("<br>", "\n").split("\n"):
        link_chars = 0
        heading = False
        preformatted = in_pre
        if "<" not in raw:
            text = html_entities.unescape(raw) if "&" in raw else raw
        else:
            parts: list[str] = []
            in_link = False
            pos = 0
            for tag in _TAG.finditer(raw):
                segment = html_entities.unescape(raw[pos : tag.start()])
                parts.append(segment)
                if in_link:
                    link_chars += _non_space(segment)
                pos = tag.end()
                name = tag[2].lower()
                if name == "a":
                    in_link = not tag[1]
                elif len(name) == 2 and name[0] == "h" and name[1] in "123456":
                    heading = True
                elif name == "pre":
                    in_pre = not tag[1]
                    preformatted = True
            segment = html_entities.unescape(raw[pos:])
            parts.append(segment)
            if in_link:
                link_chars += _non_space(segment)
            text = "".join(parts)
        text = _clean(text)
        if text:
            chars = _non_space(text)
            out.append(_Line(text, chars, min(link_chars, chars), heading, preformatted))
    return out


def _is_link_line(line: _Line) -> bool:
    return line.link_chars > MAX_LINK_SHARE * line.chars


def _is_timestamp_line(line: _Line) -> bool:
    return (
        line.chars <= MAX_META_CHARS
        and _TIMESTAMP_LINE.search(line.text) is not None
        and _SENTENCE_END.search(line.text) is None
    )


def _score(line: _Line, rules: HtmlRules) -> int | None:
    """A line's weight in the article search; None for a section break."""
    if rules.is_break(line.text):
        return None
    prose = line.chars - line.link_chars
    if (
        prose >= MIN_PROSE_CHARS
        and not line.heading
        and not _is_link_line(line)
        and _PROSE_PUNCTUATION.search(line.text)
        and not _is_timestamp_line(line)
    ):
        return prose
    if line.preformatted and not _is_link_line(line):
        return 0  # code and verse neither make nor break an article
    return -line.chars


def _article(scores: list[int | None]) -> tuple[int, int]:
    """``[start, end)`` of the maximum-sum run of lines that crosses no section break (a None score); (0, 0)
    if no line scores above 0."""
    best, best_span = 0, (0, 0)
    total, start = 0, 0
    for index, score in enumerate(scores):
        if score is None:
            total, start = 0, index + 1
            continue
        if total <= 0:
            total, start = 0, index
        total += score
        if total > best:
            best, best_span = total, (start, index + 1)
    return best_span


def _select(lines: list[_Line], scores: list[int | None], span: tuple[int, int]) -> str:
    """The article's lines without link and timestamp lines; with no article, every line that is not a link
    line or a section break (or, if that is none, every line)."""
    start, end = span
    if end == 0:
        kept = [line for line, score in zip(lines, scores) if score is not None and not _is_link_line(line)]
        if not kept:
            kept = lines
    else:
        kept = [line for line in lines[start:end] if not _is_link_line(line) and not _is_timestamp_line(line)]
    return "\n".join(line.text for line in kept)


def _pass(tree: HTMLTree, main_content: bool) -> list[_Line]:
    return _lines(extract_plain_text(tree, main_content=main_content, comments=False, **_OPTIONS))


def _too_deep(html: str) -> bool:
    tags = _DIV_TAG.findall(html)  # "" for an opening tag, "/" for a closing one
    if len(tags) <= MAX_DIV_DEPTH:
        return False
    depth = 0
    for closing in tags:
        depth = max(0, depth - 1) if closing else depth + 1
        if depth > MAX_DIV_DEPTH:
            return True
    return False


def _chars(lines: list[_Line]) -> int:
    return sum(line.chars for line in lines)


def _page_lines(html: str, tree: HTMLTree) -> list[_Line]:
    """The main-content pass's lines, or the fallbacks' when it found (next to) nothing."""
    deep = _too_deep(html)
    lines = [] if deep else _pass(tree, True)
    if not deep and _chars(lines) < MIN_MAIN_CHARS:
        retry = _pass(HTMLTree.parse(_LIST_TAG.sub(r"<\1div", html)), True)
        lines = max(lines, retry, key=_chars)
    if _chars(lines) < MIN_MAIN_CHARS:
        lines = max(lines, _pass(tree, False), key=_chars)
    return lines


def extract_main_text(html: str, url: str | None = None, rules: HtmlRules | None = None) -> HtmlText:
    """Title, main text, author and date of an HTML page; never raises (garbage gives ``HtmlText(None, "")``).

    ``rules`` defaults to :func:`default_html_rules`. ``url`` is accepted for interface stability and is unused.
    """
    rules = rules if rules is not None else default_html_rules()  # outside the try: a bad rule file must fail
    try:
        if not isinstance(html, str) or not html.strip():
            return HtmlText(None, "")
        html = _LONE_WIDE_CHAR.sub(r">\1" + _GUARD, html)
        try:
            tree = HTMLTree.parse(html)
        except UnicodeEncodeError:  # lone surrogates
            html = html.encode("utf-8", "replace").decode("utf-8")
            tree = HTMLTree.parse(html)
        lines = _page_lines(html, tree)
        scores = [_score(line, rules) for line in lines]
        span = _article(scores)
        body = next((i for i in range(*span) if (scores[i] or 0) >= MIN_BODY_CHARS), None)
        texts = [line.text for line in lines]
        return HtmlText(
            page_title(tree), _select(lines, scores, span), page_author(html, texts), page_date(html, texts, body)
        )
    except Exception:  # noqa: BLE001 - a bad page must not fail the job
        return HtmlText(None, "")


# ---------------------------------------------------------------------------------------------------------
# Title, author, date


def page_title(tree: HTMLTree) -> str | None:
    """The ``<h1>`` that the ``<title>`` contains, else the ``<title>``'s longest segment, else the first
    ``<h1>``; None if the page has none of them."""
    page = " ".join((tree.title or "").replace(_GUARD, "").split())
    h1s = tree.body.query_selector_all("h1") if tree.body is not None else []
    headings = [" ".join(h.text.replace(_GUARD, "").split()) for h in h1s]
    in_title = [h for h in headings if len(h) >= 4 and h in page]
    if in_title:
        return max(in_title, key=len)
    if page:
        return max(_TITLE_SEPARATOR.split(page), key=len).strip() or page
    return next((h for h in headings if h), None)


_META_TAG = re.compile(r"<meta\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.I)
_ATTRIBUTE = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_TIME_TAG = re.compile(r"""<time\b[^>]*?\bdatetime\s*=\s*["']?([^"'>\s]+)""", re.I)
_DATE_META_KEYS = (  # in order of preference
    "article:published_time",
    "og:published_time",
    "og:release_date",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish_date",
    "publication_date",
    "publish-date",
    "publishtime",
    "publish_time",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "date",
    "sailthru.date",
    "citation_date",
    "citation_publication_date",
    "weibo:article:create_at",
    "article:modified_time",
)
_AUTHOR_META_KEYS = (
    "author",
    "article:author",
    "dc.creator",
    "citation_author",
    "citation_authors",
    "byl",
    "sailthru.author",
    "parsely-author",
)
_DATETIME = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*(?P<s>[-/.年])\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:\s*[T ]?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2})(?:\s*[:：分]\s*(?P<S>\d{2}))?)?"
    r"(?:\s*(?P<z>Z|[+-]\d\d:?\d\d)(?!\d))?"
)
_DATE_LABEL = re.compile(
    r"(?:^|[\s|｜(（【\[])(?:发布|发表|更新|刊发|出版|上传|创建|录入|添加)?(?:时间|日期|于)\s*[:：]?\s*(?=\d)"
    r"|(?:^|[\s|｜(（【\[])(?:发布|发表|posted|published|updated|date)\s*[:：]?\s*(?=\d)",
    re.I,
)
_NOT_NAME_WORD = (
    r"(?!阅读|评论|点击|浏览|访问|来源|出自|发表|发布|时间|日期|编辑|责编|收藏|分享|字号|打印|原创|转载|整理|图片|视频"
    r"|单位|简介|介绍|信息|主页|文章|统计)"
)
_CJK_NAME = (
    rf"{_NOT_NAME_WORD}[\u4e00-\u9fff][\u4e00-\u9fff·]{{1,3}}?"
    r"(?=发自|报道|摄|供稿|整理|编译|通讯员|$|[^\u4e00-\u9fff·:：])(?:\s?[(（][A-Za-z .\-]{2,30}[)）])?"
)
_LATIN_NAME = r"[A-Za-z][A-Za-z0-9_.\-]{1,30}(?![A-Za-z0-9_=:：])(?:\s?[(（][^)）]{1,30}[)）])?"
_NAMES = rf"(?P<names>{_LATIN_NAME}(?![\u4e00-\u9fff])|{_CJK_NAME}(?:[ \u3000、]{{1,2}}{_CJK_NAME}){{0,5}})"
_NAME_END = r"(?=\s|$|[/／|｜)）\]】]|发自|报道|摄)"
_LEAD = r"(?:^|(?<=[\s|｜(（【\[]))"
_AUTHOR_BYLINES = (  # strongest first: an author, a reporter, an editor, then a poster ("X 发表于", "by X")
    re.compile(rf"{_LEAD}(?:作者|撰文|作\s+者)\s*[:：]?\s*{_NAMES}"),
    re.compile(rf"{_LEAD}文\s*[:：/／|｜]\s*{_NAMES}"),
    re.compile(rf"(?:记者|通讯员|撰稿人?)\s*[:：]?\s*{_NAMES}{_NAME_END}"),
    re.compile(rf"{_LEAD}(?:责任编辑|责编|编辑|主编)\s*[:：]\s*{_NAMES}"),
    re.compile(rf"^{_NAMES}\s*(?:发表于|发表时间|发帖时间|于\s*(?:19|20)\d\d)"),
    re.compile(rf"(?:^|\s)(?:by|By|BY)\s+{_NAMES}[\s\W_]*$"),
)
_BREADCRUMB = re.compile(r"首页|当前位置|您的位置|[>»›].*[>»›]")  # a breadcrumb, not a byline
_BYLINE_HINT = re.compile(
    r"作者|撰文|作\s+者|文\s*[:：/／|｜]|记者|通讯员|撰稿|编辑|责编|主编|发表|发帖|于\s*(?:19|20)\d\d"
    r"|\bby\s|报道",
    re.I,
)  # every byline pattern needs one of these
_BRACKETED_REPORTER = re.compile(  # "（记者 张三）", "（张三 北京报道）"
    rf"[（(][^（()）]{{0,12}}?(?:记者|作者|文)\s*[:：/／]?\s*{_NAMES}\s*[)）]"
    rf"|[（(](?P<reporter>{_CJK_NAME})\s*[\u4e00-\u9fff]{{0,6}}报道\s*[)）]"
)
_NOT_A_NAME = re.compile(r"https?:|www\.|\.com|\.cn|\.net|@|team|admin|编辑部|本站|本网|佚名|未知|不详|匿名|网友", re.I)
_META_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z·.\- ]{2,30}")


@lru_cache(maxsize=2)
def _meta_tags(html: str) -> dict[str, str]:
    """Lower-cased ``name``/``property``/``itemprop`` -> ``content`` of the page's ``<meta>`` tags (first wins)."""
    found: dict[str, str] = {}
    for tag in _META_TAG.finditer(html):
        attributes = {
            m[1].lower(): html_entities.unescape(m[2] or m[3] or m[4] or "") for m in _ATTRIBUTE.finditer(tag[0])
        }
        content = attributes.get("content", "").strip()
        for key in ("name", "property", "itemprop", "http-equiv"):
            if key in attributes and content:
                found.setdefault(attributes[key].strip().lower(), content)
    return found


def iso_datetime(text: str | None) -> str | None:
    """The first full date in ``text`` (year first, or ``2023年12月1日``), with its time and UTC offset if they
    follow it, as ISO 8601; None when there is none or it is not a real calendar date."""
    if not text:
        return None
    for match in _DATETIME.finditer(text):
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
        try:
            datetime.date(year, month, day)
        except ValueError:
            continue
        if not 1980 <= year <= 2099:
            continue
        out = f"{year:04d}-{month:02d}-{day:02d}"
        if match["H"] is not None and int(match["H"]) <= 23 and int(match["M"]) <= 59:
            out += f"T{int(match['H']):02d}:{match['M']}"
            if match["S"] is not None and int(match["S"]) <= 59:
                out += f":{match['S']}"
            if match["z"]:
                zone = match["z"]
                out += "Z" if zone == "Z" else f"{zone[:3]}:{zone[-2:]}"
        return out
    return None


def page_date(html: str, lines: list[str], article_start: int | None = None) -> str | None:
    """The publication date the page states, ISO 8601, or None.

    ``lines`` are the page's main-content lines and ``article_start`` the index of the article's first line
    (default: all of them are header). Preference: a labelled date (``发布时间：``, ``发表于``, ``日期：``, ...) on a
    short line, then a publication-date ``<meta>`` tag, then ``<time datetime>``, then the last short header line
    (above the article) holding a date and time, then one holding a date.
    """
    short = [line for line in lines if len(line) <= MAX_META_CHARS]
    for line in short:
        if (label := _DATE_LABEL.search(line)) and (found := iso_datetime(line[label.end() :])):
            return found
    meta = _meta_tags(html)
    for key in _DATE_META_KEYS:
        if key in meta and (found := iso_datetime(meta[key])):
            return found
    for match in _TIME_TAG.finditer(html):
        if found := iso_datetime(match[1]):
            return found
    header = [
        line for line in lines[: len(lines) if article_start is None else article_start] if len(line) <= MAX_META_CHARS
    ]
    dates = [found for line in reversed(header) if (found := iso_datetime(line))]
    return next((found for found in dates if "T" in found), dates[0] if dates else None)


def _join_names(text: str) -> str | None:
    names = text.replace("\u3000", " ").replace("、", " ").replace("，", " ").replace(",", " ").split()
    if len(names) > 1 and all(len(name) == 1 for name in names):  # "傅　谨": a two-character name spaced out
        names = ["".join(names)]
    name = " ".join(names)
    return name if len(name) >= 2 and not _NOT_A_NAME.search(name) else None


def _names(match: re.Match) -> str | None:
    return _join_names(match["names"] or match.groupdict().get("reporter") or "")


def page_author(html: str, lines: list[str]) -> str | None:
    """The author the page states, or None: a byline among ``lines`` (the page's main-content lines;
    ``作者：`` before ``记者`` before ``责任编辑：``, on short lines, or ``（记者 X）`` in any line), else an
    author ``<meta>`` tag that holds a name (not a site, URL or team)."""
    hinted = [line for line in lines if _BYLINE_HINT.search(line) and not _BREADCRUMB.search(line)]
    short = [line for line in hinted if len(line) <= MAX_META_CHARS]
    for index, byline in enumerate(_AUTHOR_BYLINES):
        for line in short:
            for match in byline.finditer(line):
                if name := _names(match):
                    return name
        if index == 2:  # a bracketed reporter ranks with the reporters, in any line
            for line in hinted:
                for match in _BRACKETED_REPORTER.finditer(line):
                    if name := _names(match):
                        return name
    meta = _meta_tags(html)
    for key in _AUTHOR_META_KEYS:
        value = meta.get(key, "").strip()
        if _META_NAME.fullmatch(value) and (name := _join_names(value)):
            return name
    return None
