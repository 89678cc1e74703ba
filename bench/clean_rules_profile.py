"""Where the clean stage's time goes: each rule's throughput, single process, on the benchmark text corpus.

Run bench/clean_bench.py first (it builds bench/work/text/corpus.jsonl), then:

    .venv/bin/python bench/clean_rules_profile.py [--docs 20000]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from corpus_pipeline.clean.document import compiled_rules
from corpus_pipeline.recipe import load_recipe
from corpus_pipeline.rules import ads, document_filters, navigation, normalize, paragraphs, simplify
from corpus_pipeline.rules.ruledata import load_clean_rules

CORPUS = Path(__file__).resolve().parent / "work" / "text" / "corpus.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    args = parser.parse_args()
    recipe = load_recipe()
    rules = compiled_rules(load_clean_rules(recipe), recipe.clean)
    docs = []
    with open(CORPUS, encoding="utf-8") as f:
        for line in f:
            docs.append(json.loads(line)["text"])
            if len(docs) >= args.docs:
                break
    megabytes = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    steps = [
        ("normalize_chars", rules.normalizer.normalize_chars),
        ("to_simplified", simplify.to_simplified),
        ("strip_navigation", lambda x: navigation.strip_navigation(x, rules.navigation)[0]),
        ("special_symbols", rules.normalizer.remove_special_symbols),
        ("collapse_whitespace", normalize.collapse_whitespace),
        ("dedup_paragraphs", lambda x: paragraphs.dedup_paragraphs(x)[0]),
        ("ad_rules", lambda x: ads.apply_ad_rules(x, rules.ads).text),
        ("char_stats", lambda x: (document_filters.char_stats(x), x)[1]),
    ]
    spent = dict.fromkeys((name for name, _ in steps), 0.0)
    started = time.perf_counter()
    for doc in docs:
        for name, step in steps:
            t = time.perf_counter()
            doc = step(doc)
            spent[name] += time.perf_counter() - t
    total = time.perf_counter() - started
    print(f"{len(docs)} documents, {megabytes:.1f} MB: whole chain {megabytes / total:.2f} MB/s")
    print("| rule | seconds | MB/s |\n|---|---|---|")
    for name, seconds in spent.items():
        print(f"| {name} | {seconds:.2f} | {megabytes / seconds:.1f} |")


if __name__ == "__main__":
    main()
