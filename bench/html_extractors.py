"""Compare HTML main-text extractors on real Chinese web pages.

Usage::

    .venv/bin/python bench/html_extractors.py gold [--data ../shared/data/web_html] [--configs SUBSTRING ...]
        [--passes 3] [--per-page]
    .venv/bin/python bench/html_extractors.py [recall] [--data ../shared/data/web_html/gne] [--per-page]
    .venv/bin/python bench/html_extractors.py speed [--data ../shared/data/web_html] [--passes 3]
    .venv/bin/python bench/html_extractors.py fields [--data ../shared/data/web_html] [--per-page]
    .venv/bin/python bench/html_extractors.py show CONFIG_SUBSTRING PAGE [--data ../shared/data/web_html]

``gold`` (issue 20) scores the text the clean stage KEEPS (each extractor's output through the recipe's clean
rules for the ``web`` source: normalize, to_simplified, strip_navigation, dedup_paragraphs, ad_filter and the
document filters) with the character F1 of ``corpus_eval.extraction_gold``, on

* ``extraction_gold/`` (69 pages with hand-made gold text): all pages, the pages that should be kept (their
  gold text passes the clean chain: 68), and those split by a seeded hash into a development half and a
  held-out half (``corpus_eval.extraction_gold.held_out``);
* ``gne/`` (62 news pages) against the page-derived reference ``gne_reference`` (56 should be kept);

plus the time per page (extraction only, single process, median of ``--passes`` passes, process CPU time).

``speed`` times extraction and the whole clean chain (``clean_document`` on the HTML) per page, with the
extractor before issue 20 and the current one, interleaved, median of ``--passes`` passes of process CPU time.

``fields`` scores ``extract_main_text``'s author and date against the gold set's ``.author.txt``/``.date.txt``
(comparison defined in ``corpus_eval.extraction_gold``).

``recall`` is the older measure (issue 9): the share of each GNE page's long article paragraphs
(``corpus_eval.extraction_gold.body_paragraphs``) found in the extraction, and short boilerplate lines.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import corpus_pipeline.rules.html as html_rule
from corpus_eval.extraction_gold import (  # noqa: F401  (re-exported for tests that load this file)
    PRF,
    GoldPage,
    body_paragraphs,
    char_prf,
    held_out,
    load_extraction_gold,
    load_gne,
    mean_prf,
    squeeze,
    text_runs,
)
from corpus_pipeline.ingest.decode import decode_bytes, html_declared_charset
from corpus_pipeline.rules.html import HtmlRules, extract_main_text

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "web_html"

BOILERPLATE_WORDS = re.compile(
    r"首页|登录|登陆|注册|分享|上一篇|下一篇|返回顶部|版权所有|版权声明|ICP备|ICP证|客户端|APP|App|扫码|扫一扫"
    r"|二维码|关注我们|关注|收藏|举报|打印|免责声明|联系我们|关于我们|网站地图|相关新闻|相关阅读|热门推荐|更多"
)


@dataclass
class PageScore:
    recall: float | None  # None: no body paragraph found on the page
    boilerplate_lines: int
    chars: int
    non_body_chars: int


def score_page(extracted: str, body: list[str]) -> PageScore:
    """Body recall and boilerplate lines of one extraction against the page's body paragraphs."""
    flat = squeeze(extracted)
    found = [para for para in body if para in flat]
    boilerplate = sum(
        1 for line in extracted.splitlines() if 0 < len(line.strip()) < 30 and BOILERPLATE_WORDS.search(line)
    )
    covered = min(len(flat), sum(len(para) for para in set(found)))
    return PageScore(len(found) / len(body) if body else None, boilerplate, len(flat), len(flat) - covered)


def load_pages(folder: Path, limit: int | None = None) -> list[tuple[str, str, int]]:
    """(name, decoded html, size in bytes) for each ``*.html`` in ``folder``."""
    pages = []
    for path in sorted(folder.glob("*.html"))[:limit]:
        data = path.read_bytes()
        pages.append((path.stem, decode_bytes(data, html_declared_charset(data[:4096]))[0], len(data)))
    return pages


# ---------------------------------------------------------------------------------------------------------
# Extractor configurations

_PLAIN = dict(alt_texts=False, list_bullets=False, links=False, form_fields=False, noscript=False)


def _guarded(html: str) -> str:
    """The single-wide-character work-around of ``corpus_pipeline.rules.html`` on its own."""
    return html_rule._LONE_WIDE_CHAR.sub(r">\1" + html_rule._GUARD, html)


def _plain_lines(text: str) -> str:
    lines = (html_rule._clean(line) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _plain_chars(text: str) -> int:
    return len(text) - text.count(" ") - text.count("\n")


def previous_extract(html: str) -> str:
    """``extract_main_text`` before issue 20: guarded plain-text main-content pass, ``<ul>`` retry and whole-page
    fallback below 100 characters, no link or article-block rules."""
    html = _guarded(html)
    tree = HTMLTree.parse(html)

    def main(t: HTMLTree) -> str:
        return _plain_lines(extract_plain_text(t, main_content=True, comments=False, **_PLAIN))

    text = main(tree)
    if _plain_chars(text) < html_rule.MIN_MAIN_CHARS:
        text = max(text, main(HTMLTree.parse(html_rule._LIST_TAG.sub(r"<\1div", html))), key=len)
    if _plain_chars(text) < html_rule.MIN_MAIN_CHARS:
        text = max(text, _plain_lines(extract_plain_text(tree, **_PLAIN)), key=len)
    return text


def _resiliparse(**options) -> Callable[[str], str]:
    return lambda html: _plain_lines(extract_plain_text(_guarded(html), **{**_PLAIN, **options}))


def _trafilatura(**options) -> Callable[[str], str]:
    def extract(html: str) -> str:
        import trafilatura  # bench-only dependency; imported on first use

        return trafilatura.extract(html, include_comments=False, **options) or ""

    return extract


def _links_dropped_only(html: str) -> str:
    """Ablation: the rule's main-content lines without link-dominated lines, no article block."""
    html = _guarded(html)
    lines = html_rule._page_lines(html, HTMLTree.parse(html))
    return "\n".join(line.text for line in lines if not html_rule._is_link_line(line))


_CLASS_TOKENS = (
    "nav menu footer sidebar comment share related recommend breadcrumb copyright "
    "xgyd xgxw xiangguan tuijian pinglun fenxiang banquan mianze daohang dibu"
).split()
SKIP_CLASS_TOKENS = (
    ["nav", "aside", "footer"] + [f'[class*="{t}"]' for t in _CLASS_TOKENS] + [f'[id*="{t}"]' for t in _CLASS_TOKENS]
)
NO_BREAKS = HtmlRules()

EXTRACTORS: dict[str, Callable[[str], str]] = {
    "resiliparse main_content=False (whole page)": _resiliparse(main_content=False),
    "resiliparse main_content=True, comments=True": _resiliparse(main_content=True, comments=True),
    "resiliparse main_content=True, comments=False": _resiliparse(main_content=True, comments=False),
    "  + post_meta=False": _resiliparse(main_content=True, comments=False, post_meta=False),
    "  + list_bullets, alt_texts, noscript, form_fields=True": _resiliparse(
        main_content=True, comments=False, list_bullets=True, alt_texts=True, noscript=True, form_fields=True
    ),
    "  + skip_elements: nav/aside/footer + 20 class/id tokens": _resiliparse(
        main_content=True, comments=False, skip_elements=SKIP_CLASS_TOKENS
    ),
    "previous extract_main_text (guard, `<ul>` retry, whole-page fallback)": previous_extract,
    "  + link-dominated lines dropped (no article block)": _links_dropped_only,
    "  + article block, no section breaks": lambda html: extract_main_text(html, rules=NO_BREAKS).text,
    "**extract_main_text** (+ article block, section breaks)": lambda html: extract_main_text(html).text,
    "trafilatura": _trafilatura(),
    "trafilatura favor_precision": _trafilatura(favor_precision=True),
    "trafilatura favor_recall": _trafilatura(favor_recall=True),
    "trafilatura include_tables=False": _trafilatura(include_tables=False),
    "trafilatura fast": _trafilatura(fast=True),
}


def _config(substring: str) -> str:
    matches = [name for name in EXTRACTORS if substring in name]
    if not matches:
        raise SystemExit(f"no extractor config contains {substring!r}")
    return min(matches, key=lambda name: not name.strip("*+ ").startswith(substring.strip("*+ ")))


def time_per_page(extract: Callable[[str], str], htmls: list[str], passes: int = 3) -> float:
    """Milliseconds of process CPU time per page, median of ``passes`` passes over ``htmls``."""
    timings = []
    for _ in range(passes):
        start = time.process_time()
        for html in htmls:
            extract(html)
        timings.append(time.process_time() - start)
    return statistics.median(timings) / len(htmls) * 1000


# ---------------------------------------------------------------------------------------------------------
# gold: character P/R/F1 of what the clean stage keeps


class CleanChain:
    """The recipe's clean rules for the ``web`` source, applied to extracted text."""

    def __init__(self) -> None:
        from corpus_pipeline.clean.document import compiled_rules
        from corpus_pipeline.recipe import load_recipe
        from corpus_pipeline.rules.ruledata import load_clean_rules

        recipe = load_recipe()
        self.steps = recipe.steps_for("web")
        self.rules = compiled_rules(load_clean_rules(recipe), recipe.clean)

    def kept(self, text: str) -> str:
        """What the clean stage keeps of ``text`` ("" when it removes the document)."""
        from corpus_pipeline.clean.document import clean_document

        cleaned = clean_document(None, text, None, None, self.steps, self.rules)
        return "" if cleaned.reason else cleaned.text

    def gold(self, text: str) -> str:
        """Gold text in the pipeline's character normalization and script (as the kept text is)."""
        from corpus_pipeline.rules.simplify import to_simplified

        normalizer = self.rules.normalizer
        return normalizer.remove_special_symbols(to_simplified(normalizer.normalize_chars(text)))


def kept_scores(pages: list[GoldPage], extract: Callable[[str], str], chain: CleanChain, n: int = 1) -> dict[str, PRF]:
    return {page.name: char_prf(chain.kept(extract(page.html)), chain.gold(page.text), n) for page in pages}


def _cell(scores: dict[str, PRF], names: list[str]) -> str:
    mean = mean_prf(scores[name] for name in names)
    return f"{mean.precision:.3f} / {mean.recall:.3f} / **{mean.f1:.3f}**"


def gold_report(data: Path, configs: list[str], passes: int, per_page: bool) -> None:
    chain = CleanChain()
    gold = load_extraction_gold(data / "extraction_gold")
    gne = load_gne(data / "gne")
    gold_keep = [p.name for p in gold if chain.kept(p.text)]
    gne_keep = [p.name for p in gne if chain.kept(p.text)]
    dev = [name for name in gold_keep if not held_out(name)]
    held = [name for name in gold_keep if held_out(name)]
    print(
        f"extraction_gold: {len(gold)} pages ({len(gold_keep)} should be kept: {len(dev)} development, "
        f"{len(held)} held out); gne: {len(gne)} pages ({len(gne_keep)} should be kept)\n"
    )
    print("P / R / F1 = mean character precision / recall / F1 of the kept text (bag of characters).\n")
    print(
        "| extractor / config | gold, kept pages | gold dev | gold held-out | gold, all 69 | GNE, kept pages "
        "| GNE, all 62 | F1 4-gram gold / GNE kept | ms/page gold | ms/page GNE |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    results = {}
    for config in configs:
        extract = EXTRACTORS[config]
        gold_scores = kept_scores(gold, extract, chain)
        gne_scores = kept_scores(gne, extract, chain)
        results[config] = (gold_scores, gne_scores)
        gold4 = kept_scores([p for p in gold if p.name in set(gold_keep)], extract, chain, n=4)
        gne4 = kept_scores([p for p in gne if p.name in set(gne_keep)], extract, chain, n=4)
        gold_ms = time_per_page(extract, [p.html for p in gold], passes)
        gne_ms = time_per_page(extract, [p.html for p in gne], passes)
        print(
            f"| {config} | {_cell(gold_scores, gold_keep)} | {_cell(gold_scores, dev)} | {_cell(gold_scores, held)} "
            f"| {_cell(gold_scores, list(gold_scores))} | {_cell(gne_scores, gne_keep)} "
            f"| {_cell(gne_scores, list(gne_scores))} | {mean_prf(gold4.values()).f1:.3f} / "
            f"{mean_prf(gne4.values()).f1:.3f} | {gold_ms:.1f} | {gne_ms:.1f} |",
            flush=True,
        )
    if per_page:
        for label, index, pages in (("extraction_gold", 0, gold), ("gne", 1, gne)):
            print(f"\n{label}: P/R per page\n\n| page | " + " | ".join(f"c{i}" for i in range(len(configs))) + " |")
            print("|---|" + "---|" * len(configs))
            for page in pages:
                cells = [
                    f"{results[c][index][page.name].precision:.2f}/{results[c][index][page.name].recall:.2f}"
                    for c in configs
                ]
                print(f"| {page.name[:13]} | " + " | ".join(cells) + " |")
        print("\n" + "\n".join(f"c{i}: {config}" for i, config in enumerate(configs)))


# ---------------------------------------------------------------------------------------------------------
# recall: body paragraphs and boilerplate lines on the GNE pages (issue 9)


def recall_report(folder: Path, configs: list[str], passes: int, per_page: bool) -> None:
    pages = load_pages(folder)
    bodies = {name: body_paragraphs(html) for name, html, _ in pages}
    total_mb = sum(size for _, _, size in pages) / 1e6
    print(
        f"{len(pages)} pages, {total_mb:.1f} MB of HTML; {sum(1 for b in bodies.values() if b)} pages have body "
        f"paragraphs ({sum(map(len, bodies.values()))} in all)\n"
    )
    print(
        "| extractor / config | mean body recall | pages recall < 0.8 | empty outputs | boilerplate lines "
        "(total / pages with any) | non-body chars | MB/s (1 core) |"
    )
    print("|---|---|---|---|---|---|---|")
    per: dict[str, dict[str, PageScore]] = {}
    for config in configs:
        extract = EXTRACTORS[config]
        scores = {name: score_page(extract(html), bodies[name]) for name, html, _ in pages}
        per[config] = scores
        recalls = [s.recall for s in scores.values() if s.recall is not None]
        low = sorted(name for name, s in scores.items() if s.recall is not None and s.recall < 0.8)
        boiler = [s.boilerplate_lines for s in scores.values()]
        chars = sum(s.chars for s in scores.values())
        non_body = sum(s.non_body_chars for s in scores.values()) / chars if chars else 0.0
        ms = time_per_page(extract, [html for _, html, _ in pages], passes)
        speed = total_mb / (ms * len(pages) / 1000)
        print(
            f"| {config} | {statistics.mean(recalls):.3f} | {len(low)}{' (' + ', '.join(low) + ')' if low else ''} "
            f"| {sum(1 for s in scores.values() if s.chars == 0)} | {sum(boiler)} / {sum(1 for b in boiler if b)} "
            f"| {non_body:.0%} | {speed:.1f} |",
            flush=True,
        )
    if per_page:
        print("\n| page | body paras | " + " | ".join(f"c{i}" for i in range(len(configs))) + " |")
        print("|---|---|" + "---|" * len(configs))
        for name, _, _ in pages:
            cells = [
                ("-" if per[c][name].recall is None else f"{per[c][name].recall:.2f}")
                + f"/{per[c][name].boilerplate_lines}"
                for c in configs
            ]
            print(f"| {name} | {len(bodies[name])} | " + " | ".join(cells) + " |")
        print("\n" + "\n".join(f"c{i}: {config}" for i, config in enumerate(configs)))


def speed_report(data: Path, passes: int) -> None:
    from corpus_pipeline.clean import document

    chain = CleanChain()
    sets = {"extraction_gold": load_extraction_gold(data / "extraction_gold"), "gne": load_gne(data / "gne")}

    def previous_html_text(html: str, url: str | None = None) -> html_rule.HtmlText:
        tree = HTMLTree.parse(_guarded(html))
        return html_rule.HtmlText(html_rule.page_title(tree), previous_extract(html))

    def clean_with(extractor):
        def run(html: str) -> None:
            document.extract_main_text = extractor
            try:
                document.clean_document(None, None, html, None, chain.steps, chain.rules)
            finally:
                document.extract_main_text = extract_main_text

        return run

    runs = {
        "extraction, before issue 20": previous_extract,
        "extraction, extract_main_text (text, title, author, date)": lambda html: extract_main_text(html),
        "clean chain, extractor before issue 20": clean_with(previous_html_text),
        "clean chain, extract_main_text": clean_with(extract_main_text),
    }
    print("| what | " + " | ".join(f"{name}: ms/page | {name}: MB/s" for name in sets) + " |")
    print("|---|" + "---|---|" * len(sets))
    timings = {name: {label: [] for label in runs} for name in sets}
    for _ in range(passes):  # interleaved, so that load from other processes hits every row alike
        for name, pages in sets.items():
            htmls = [page.html for page in pages]
            for label, run in runs.items():
                timings[name][label].append(time_per_page(run, htmls, passes=1))
    for label in runs:
        cells = []
        for name, pages in sets.items():
            ms = statistics.median(timings[name][label])
            mb_per_s = sum(page.size for page in pages) / len(pages) / 1e6 / (ms / 1000)
            cells.append(f"{ms:.1f} | {mb_per_s:.1f}")
        print(f"| {label} | " + " | ".join(cells) + " |")


def fields_report(data: Path, per_page: bool) -> None:
    from corpus_eval.extraction_gold import author_matches, date_matches

    pages = load_extraction_gold(data / "extraction_gold")
    extracted = {page.name: extract_main_text(page.html) for page in pages}
    print(
        "| field | pages that state it | correct: all | development | held out | returned for a page that states none |"
    )
    print("|---|---|---|---|---|---|")
    checks = {
        "author": (lambda p: p.author, lambda e, p: author_matches(e.author, p.author), lambda e: e.author),
        "date, day": (lambda p: p.date, lambda e, p: date_matches(e.date, p.date), lambda e: e.date),
        "date, minute": (lambda p: p.date, lambda e, p: date_matches(e.date, p.date, "minute"), lambda e: e.date),
    }
    for field, (gold_value, correct, value) in checks.items():
        stated = [p for p in pages if gold_value(p) is not None]
        cells = []
        for subset in (stated, [p for p in stated if not held_out(p.name)], [p for p in stated if held_out(p.name)]):
            right = sum(correct(extracted[p.name], p) for p in subset)
            cells.append(f"{right} / {len(subset)} ({right / len(subset):.0%})")
        unstated = [p for p in pages if gold_value(p) is None]
        false = sum(value(extracted[p.name]) is not None for p in unstated)
        print(f"| {field} | {len(stated)} | " + " | ".join(cells) + f" | {false} / {len(unstated)} |")
    if per_page:
        print("\n| page | gold author | author | gold date | date |\n|---|---|---|---|---|")
        for page in pages:
            e = extracted[page.name]
            print(f"| {page.name[:13]} | {page.author} | {e.author} | {page.date} | {e.date} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="recall", choices=["gold", "recall", "speed", "fields", "show"])
    parser.add_argument("args", nargs="*", help="show: CONFIG_SUBSTRING PAGE")
    parser.add_argument("--show", nargs=2, metavar=("CONFIG_SUBSTRING", "PAGE"), help="the same as: show A B")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--configs", nargs="*", default=None, help="substrings of the configs to run (default all)")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--per-page", action="store_true")
    args = parser.parse_args(argv)
    if args.show:
        args.mode, args.args = "show", args.show
    configs = [_config(s) for s in args.configs] if args.configs else list(EXTRACTORS)
    if args.mode == "gold":
        gold_report(args.data or DEFAULT_DATA, configs, args.passes, args.per_page)
    elif args.mode == "fields":
        fields_report(args.data or DEFAULT_DATA, args.per_page)
    elif args.mode == "speed":
        speed_report(args.data or DEFAULT_DATA, args.passes)
    elif args.mode == "recall":
        recall_report(args.data or DEFAULT_DATA / "gne", configs, args.passes, args.per_page)
    else:
        if len(args.args) != 2:
            parser.error("show needs CONFIG_SUBSTRING PAGE")
        data = args.data or DEFAULT_DATA
        path = next(iter(sorted(data.glob(f"*/{args.args[1]}*.html"))), None)
        if path is None:
            parser.error(f"no page {args.args[1]!r} under {data}")
        raw = path.read_bytes()
        print(EXTRACTORS[_config(args.args[0])](decode_bytes(raw, html_declared_charset(raw[:4096]))[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
