"""Calibrate the line_dedup step on real pages: GNE news pages grouped by site (5-9 pages per site).

    .venv/bin/python bench/line_dedup_eval.py [--data ../shared/data/web_html/gne] [--input whole-page-text]

Each page goes through the ``web`` steps of the default recipe up to ``line_dedup`` (``clean_document(...,
until_line_dedup=True)``); per site the lines in at least ``min_documents`` pages are dropped (with
``keep_first``, except in the site's first page in the keep order: longer text, then name), the rest of the steps
run (``resume_document``), and the kept text is scored with the character P/R/F1 of
``corpus_eval.extraction_gold`` against the page-derived reference (``gne_reference``), over the 56 pages
that should be kept. The same counting as the stage (:mod:`corpus_pipeline.clean.line_dedup`), in one process.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from pathlib import Path

from corpus_eval.extraction_gold import char_prf, load_gne, mean_prf
from corpus_pipeline.clean.document import clean_document, compiled_rules, resume_document
from corpus_pipeline.recipe import load_recipe
from corpus_pipeline.rules.line_dedup import document_line_keys
from corpus_pipeline.rules.ruledata import load_clean_rules
from corpus_pipeline.rules.simplify import to_simplified

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "web_html" / "gne"
CONFIGS = [(None, False)] + [(n, keep) for n in (2, 3, 4, 5) for keep in (False, True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--input",
        choices=("html", "whole-page-text"),
        default="html",
        help="html: the pages as crawled (main-text extraction first); whole-page-text: every text of the page, "
        "as in a WET file (resiliparse, main_content=False)",
    )
    args = parser.parse_args(argv)
    recipe = load_recipe()
    steps = recipe.steps_for("web")
    rules = compiled_rules(load_clean_rules(recipe), recipe.clean)
    normalizer = rules.normalizer

    def gold(text: str) -> str:
        return normalizer.remove_special_symbols(to_simplified(normalizer.normalize_chars(text)))

    pages = load_gne(args.data)
    should_keep = {p.name for p in pages if not clean_document(None, p.text, None, None, steps, rules).reason}
    site = {p.name: re.sub(r"_\d+$", "", p.name) for p in pages}
    if args.input == "html":
        inputs = {p.name: (None, p.html) for p in pages}
    else:
        from resiliparse.extract.html2text import extract_plain_text

        inputs = {p.name: (extract_plain_text(p.html, main_content=False), None) for p in pages}
    pending = {
        name: clean_document(None, text, html, None, steps, rules, until_line_dedup=True)
        for name, (text, html) in inputs.items()
    }
    names = [name for name, doc in pending.items() if doc.pending]
    keys = dict(zip(names, document_line_keys([pending[name].text for name in names])))
    print(f"{len(pages)} GNE pages, {len(set(site.values()))} sites, {len(should_keep)} should be kept\n")
    sizes = Counter(site.values())
    big = sorted(name for name in should_keep if sizes[site[name]] >= 3)
    print(f"{len(big)} of them on the {sum(n >= 3 for n in sizes.values())} sites with at least 3 pages\n")
    print(
        "| min_documents | keep_first | P | R | F1 | F1, sites with >= 3 pages | lines dropped | pages changed | pages removed |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for min_documents, keep_first in CONFIGS:
        documents: dict[tuple[str, int], list[str]] = defaultdict(list)
        for name in names:
            for key in keys[name][0]:
                documents[(site[name], key)].append(name)
        drops: dict[str, set[int]] = defaultdict(set)
        for (_, key), holders in documents.items():
            if min_documents is None or len(holders) < min_documents:
                continue
            first = min(holders, key=lambda name: (-pending[name].n_chars, name)) if keep_first else None
            for name in holders:
                if name != first:
                    drops[name].add(key)
        scores, dropped, changed, removed = {}, 0, 0, 0
        for page in pages:
            doc = pending[page.name]
            if doc.pending:
                doc = resume_document(doc, frozenset(drops[page.name]), steps, rules)
                dropped += doc.dup_lines
                changed += doc.dup_lines > 0
                removed += doc.reason is not None and page.name in should_keep
            scores[page.name] = char_prf("" if doc.reason else doc.text, gold(page.text))
        prf = mean_prf(scores[name] for name in sorted(should_keep))
        label = "off" if min_documents is None else str(min_documents)
        print(
            f"| {label} | {keep_first if min_documents else ''} | {prf.precision:.3f} | {prf.recall:.3f} "
            f"| **{prf.f1:.3f}** | {mean_prf(scores[name] for name in big).f1:.3f} | {dropped} | {changed} | {removed} |"
        )
    print(f"\npages per site: {dict(sorted(sizes.items()))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
