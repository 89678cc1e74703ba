"""Compare HTML main-text extractors on real Chinese news pages (no ground truth needed).

Usage::

    .venv/bin/python bench/html_extractors.py [--data ../shared/data/web_html/gne]
        [--pages N] [--show CONFIG PAGE] [--per-page]

The reference is built at run time from each page, never stored:

* the page is parsed with lexbor (resiliparse's HTML5 parser, i.e. the tree a browser builds; libxml2,
  used by lxml and trafilatura, stops at a stray ``</html>`` and loses whole articles) and split into
  *text runs* at block elements and ``<br>`` (skipping script/style/head, hidden elements, and
  elements whose class/id names a comment, related/recommended-articles or legal-notice section);
* a *long paragraph* is a run with >= 30 CJK characters, sentence punctuation and < 50 % link text;
* the *article container* is the element with the most long-paragraph characters within 3 levels
  above the runs' own block (the deepest one holding >= 70 % of that maximum wins);
* the page's *body paragraphs* are the long paragraphs in that container.

Metrics per extractor: body recall (fraction of body paragraphs whose whitespace-free text occurs in
the whitespace-free extraction), pages with recall < 0.8, boilerplate lines (short lines with
menu/login/share/footer words), non-body share (extracted characters not covered by body
paragraphs: titles, bylines, captions and boilerplate) and speed (MB of HTML per second of process
CPU time, single process, median of 3 passes).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree, NodeType

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import corpus_pipeline.rules.html as html_rule  # noqa: E402
from corpus_pipeline.ingest.decode import decode_bytes, html_declared_charset  # noqa: E402
from corpus_pipeline.rules.html import extract_main_text  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "web_html" / "gne"

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
SENTENCE_END = re.compile(r"[。！？；!?]")
INVISIBLE = re.compile(r"[\s\u3000\xa0\u200b-\u200d\u2060\ufeff\ue000-\uf8ff]+")  # + icon-font glyphs
BOILERPLATE_WORDS = re.compile(
    r"首页|登录|登陆|注册|分享|上一篇|下一篇|返回顶部|版权所有|版权声明|ICP备|ICP证|客户端|APP|App|扫码|扫一扫"
    r"|二维码|关注我们|关注|收藏|举报|打印|免责声明|联系我们|关于我们|网站地图|相关新闻|相关阅读|热门推荐|更多"
)
BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu nav ol p pre section "
    "summary table tbody td tfoot th thead tr ul br img caption".split()
)
SKIP_TAGS = frozenset(
    "head script style noscript template textarea select option iframe svg math object button".split()
)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# class/id of sections that are not article body: user comments, related/recommended lists, legal notices
NOT_BODY_SECTION = re.compile(
    r"comment|cmt|reply|pinglun|related|relate-|recommend|tuijian|xiangguan|statement|disclaimer|copyright|shengming",
    re.I,
)
LEVELS = 3  # how far above a run's block the article container may sit


def squeeze(text: str) -> str:
    return INVISIBLE.sub("", text)


@dataclass
class Run:
    text: str  # whitespace-free
    link_chars: int
    chain: tuple[tuple[int, int], ...]  # (depth, id) of the run's block element and ancestors, nearest first


def text_runs(html: str) -> list[Run]:
    """Split the lexbor DOM into whitespace-free text runs at block elements and ``<br>``."""
    tree = HTMLTree.parse(html)
    runs: list[Run] = []
    parts: list[str] = []
    link_chars = 0
    elems: list[tuple[int, int]] = []  # (depth, id) of open elements
    blocks: list[int] = []  # positions in ``elems`` of open block elements
    next_id = 0

    def flush() -> None:
        nonlocal parts, link_chars
        text = squeeze("".join(parts))
        if text and blocks:
            pos = blocks[-1]
            runs.append(Run(text, link_chars, tuple(reversed(elems[max(0, pos - LEVELS) : pos + 1]))))
        parts, link_chars = [], 0

    in_link = 0
    stack: list = [(tree.document, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            name = node.local_name
            if name in BLOCK_TAGS:
                flush()
                blocks.pop()
            if name == "a":
                in_link -= 1
            elems.pop()
            continue
        kind = node.node_type
        if kind == NodeType.TEXT:
            value = node.node_value or ""
            parts.append(value)
            if in_link:
                link_chars += len(squeeze(value))
            continue
        if kind not in (NodeType.ELEMENT, NodeType.DOCUMENT):
            continue
        if kind == NodeType.ELEMENT:
            name = node.local_name
            if (
                name in SKIP_TAGS
                or node.hasattr("hidden")
                or HIDDEN_STYLE.search(node.getattr("style") or "")
                or NOT_BODY_SECTION.search(f"{node.getattr('class') or ''} {node.getattr('id') or ''}")
            ):
                continue
            elems.append((len(elems), next_id))
            next_id += 1
            if name in BLOCK_TAGS:
                flush()
                blocks.append(len(elems) - 1)
            if name == "a":
                in_link += 1
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.child_nodes)))
    flush()
    return runs


def is_long_paragraph(run: Run) -> bool:
    cjk = len(CJK.findall(run.text))
    return cjk >= 30 and bool(SENTENCE_END.search(run.text)) and run.link_chars * 2 < len(run.text)


def body_paragraphs(html: str) -> list[str]:
    """The long paragraphs of the page's densest article container (see the module docstring)."""
    long_runs = [run for run in text_runs(html) if is_long_paragraph(run)]
    score: dict[tuple[int, int], int] = {}
    for run in long_runs:
        for elem in run.chain:
            score[elem] = score.get(elem, 0) + len(run.text)
    if not score:
        return []
    best = max(score.values())
    container = max((elem for elem, value in score.items() if value * 10 >= best * 7), key=lambda e: (e[0], score[e]))
    return [run.text for run in long_runs if container in run.chain]


@dataclass
class PageScore:
    recall: float | None  # None: no body paragraph found on the page
    boilerplate_lines: int
    chars: int
    non_body_chars: int


def score_page(extracted: str, body: list[str]) -> PageScore:
    flat = squeeze(extracted)
    found = [para for para in body if para in flat]
    boilerplate = sum(
        1 for line in extracted.splitlines() if 0 < len(line.strip()) < 30 and BOILERPLATE_WORDS.search(line)
    )
    covered = min(len(flat), sum(len(para) for para in set(found)))
    return PageScore(len(found) / len(body) if body else None, boilerplate, len(flat), len(flat) - covered)


def _trafilatura(**options) -> Callable[[str], str]:
    def extract(html: str) -> str:
        import trafilatura  # bench-only dependency; imported on first use

        return trafilatura.extract(html, include_comments=False, **options) or ""

    return extract


def _resiliparse(**options) -> Callable[[str], str]:
    return lambda html: extract_plain_text(html, **options)


def _guarded(html: str) -> str:
    """The single-wide-character work-around of ``corpus_pipeline.rules.html`` on its own."""
    return html_rule._LONE_WIDE_CHAR.sub(r">\1" + html_rule._GUARD, html)


def _chosen(list_fallback: bool, page_fallback: bool) -> Callable[[str], str]:
    """Ablations of ``extract_main_text``: guarded main-content pass, then the optional fallbacks."""

    def extract(html: str) -> str:
        html = _guarded(html)
        tree = HTMLTree.parse(html)
        text = html_rule._main_text(tree)
        if list_fallback and html_rule._too_short(text):
            retry = html_rule._main_text(HTMLTree.parse(html_rule._LIST_TAG.sub(r"<\1div", html)))
            text = max(text, retry, key=len)
        if page_fallback and html_rule._too_short(text):
            text = max(text, html_rule._lines(extract_plain_text(tree, **html_rule._OPTIONS)), key=len)
        return text

    return extract


CLEAN = dict(alt_texts=False, list_bullets=False, comments=False)
EXTRACTORS: dict[str, Callable[[str], str]] = {
    "resiliparse main_content=True (defaults)": _resiliparse(main_content=True),
    "resiliparse main_content=True, alt_texts/list_bullets/comments=False": _resiliparse(main_content=True, **CLEAN),
    "  + lone-wide-character guard": lambda html: extract_plain_text(_guarded(html), main_content=True, **CLEAN),
    "  + guard, whole-page fallback if < 100 chars": _chosen(list_fallback=False, page_fallback=True),
    "  + guard, `<ul>`->`<div>` main-content retry if < 100 chars": _chosen(list_fallback=True, page_fallback=False),
    "resiliparse main_content=False (whole page)": _resiliparse(main_content=False, **CLEAN),
    "trafilatura include_comments=False": _trafilatura(),
    "trafilatura favor_precision": _trafilatura(favor_precision=True),
    "trafilatura favor_recall": _trafilatura(favor_recall=True),
    "trafilatura fast (no fallback)": _trafilatura(fast=True),
    "**extract_main_text** = guard + `<ul>` retry + whole-page fallback": (
        lambda html: extract_main_text(html).text
    ),
}


def load_pages(folder: Path, limit: int | None = None) -> list[tuple[str, str, int]]:
    """(name, decoded html, size in bytes) for each ``*.html`` in ``folder``."""
    pages = []
    for path in sorted(folder.glob("*.html"))[:limit]:
        data = path.read_bytes()
        pages.append((path.stem, decode_bytes(data, html_declared_charset(data[:4096]))[0], len(data)))
    return pages


def time_extractor(extract: Callable[[str], str], pages: list[tuple[str, str, int]], passes: int = 3) -> float:
    """MB of HTML per second on one core, median of ``passes`` passes over all pages."""
    megabytes = sum(size for _, _, size in pages) / 1e6
    timings = []
    for _ in range(passes):
        start = time.process_time()
        for _, html, _ in pages:
            extract(html)
        timings.append(time.process_time() - start)
    return megabytes / statistics.median(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pages", type=int, default=None, help="only the first N pages")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--show", nargs=2, metavar=("CONFIG_SUBSTRING", "PAGE"), help="print one extraction")
    parser.add_argument("--per-page", action="store_true", help="print per-page recall for every config")
    args = parser.parse_args(argv)

    pages = load_pages(args.data, args.pages)
    if not pages:
        parser.error(f"no *.html in {args.data}")
    if args.show:
        config = next(name for name in EXTRACTORS if args.show[0] in name)
        html = dict((name, html) for name, html, _ in pages)[args.show[1]]
        text = EXTRACTORS[config](html)
        body = body_paragraphs(html)
        print(f"# {config} on {args.show[1]}: {len(body)} body paragraphs, "
              f"missed: {[p[:30] for p in body if p not in squeeze(text)]}\n")
        print(text)
        return 0

    bodies = {name: body_paragraphs(html) for name, html, _ in pages}
    with_body = sum(1 for body in bodies.values() if body)
    total_mb = sum(size for _, _, size in pages) / 1e6
    print(f"{len(pages)} pages, {total_mb:.1f} MB of HTML; {with_body} pages have body paragraphs "
          f"({sum(map(len, bodies.values()))} in all)\n")
    print("| extractor / config | mean body recall | pages recall < 0.8 | empty outputs | boilerplate lines "
          "(total / pages with any) | non-body chars | MB/s (1 core) |")
    print("|---|---|---|---|---|---|---|")
    per_page: dict[str, dict[str, PageScore]] = {}
    for config, extract in EXTRACTORS.items():
        scores = {name: score_page(extract(html), bodies[name]) for name, html, _ in pages}
        per_page[config] = scores
        recalls = [s.recall for s in scores.values() if s.recall is not None]
        low = sorted(name for name, s in scores.items() if s.recall is not None and s.recall < 0.8)
        empty = sum(1 for s in scores.values() if s.chars == 0)
        boiler = [s.boilerplate_lines for s in scores.values()]
        chars = sum(s.chars for s in scores.values())
        non_body = sum(s.non_body_chars for s in scores.values()) / chars if chars else 0.0
        speed = time_extractor(extract, pages, args.passes)
        print(f"| {config} | {statistics.mean(recalls):.3f} | {len(low)}"
              f"{' (' + ', '.join(low) + ')' if low else ''} | {empty} | {sum(boiler)} / {sum(1 for b in boiler if b)} "
              f"| {non_body:.0%} | {speed:.1f} |")
    if args.per_page:
        print("\n| page | body paras | " + " | ".join(f"c{i}" for i in range(len(EXTRACTORS))) + " |")
        print("|---|---|" + "---|" * len(EXTRACTORS))
        for name, _, _ in pages:
            cells = []
            for config in EXTRACTORS:
                s = per_page[config][name]
                cells.append(("-" if s.recall is None else f"{s.recall:.2f}") + f"/{s.boilerplate_lines}")
            print(f"| {name} | {len(bodies[name])} | " + " | ".join(cells) + " |")
        print("\n" + "\n".join(f"c{i}: {config}" for i, config in enumerate(EXTRACTORS)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
