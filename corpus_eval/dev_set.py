"""The probe's high-quality dev set: zh-Wikipedia paragraphs and one held-out novel chapter, as documents.

Read from ``../shared/data/reference`` at run time (nothing is shipped): every paragraph of the zh-Wikipedia
sample (source ``encyclopedia``, one document each) and one chapter of a classic novel (source ``ebook``,
cut into the same 300-3,000 character pieces as the labelled dedup corpus). Pack it with the candidates'
tokenizer before probing::

    python -m corpus_eval.dev_set --shared ../shared/data --out DIR/documents
    corpus-pipeline pack --input DIR/documents --output DIR/pack

The chapter is held out only from corpora that do not contain the novel: do not probe corpora built from the
four novels (the labelled dedup corpus, the tokenizer's reference corpus) with it.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from corpus_pipeline.errors import InputError
from corpus_pipeline.schema import write_document_rows

WIKI_FILE = "reference/zhwiki_cmrc2018_trial.jsonl.gz"
NOVELS_DIR = "reference/novels"


def _row(source: str, origin: str, title: str | None, paragraphs) -> dict:
    return {
        "id": hashlib.sha256(f"dev\x1f{origin}".encode()).hexdigest()[:32],
        "source": source,
        "url": None,
        "title": title,
        "text": "\n".join(paragraphs),
        "meta": json.dumps({"origin": origin}, ensure_ascii=False),
    }


def dev_documents(shared_data: Path, novel: str = "hongloumeng.txt", chapter: int = 1) -> list[dict]:
    """Document rows: the wiki paragraphs, then the chapter's pieces."""
    from corpus_eval.dedup.labelled import encyclopedia_documents, novel_documents

    wiki, novel_path = shared_data / WIKI_FILE, shared_data / NOVELS_DIR / novel
    for path in (wiki, novel_path):
        if not path.is_file():
            raise InputError(f"{path}: not found (the dev set is read from ../shared/data/reference)")
    rows = [_row(doc.source, doc.origin, doc.title, doc.paragraphs) for doc in encyclopedia_documents(wiki)]
    prefix = f"{novel}#chapter{chapter}/"
    pieces = [
        doc
        for doc in novel_documents(novel_path, random.Random(f"dev/{novel}/{chapter}"))
        if doc.origin.startswith(prefix)
    ]
    if not pieces:
        raise InputError(f"{novel_path}: has no chapter {chapter}")
    rows += [_row(doc.source, doc.origin, doc.title, doc.paragraphs) for doc in pieces]
    return rows


def write_dev_set(shared_data: Path, out_dir: Path, novel: str = "hongloumeng.txt", chapter: int = 1) -> dict:
    return write_document_rows(dev_documents(Path(shared_data), novel, chapter), out_dir)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    from corpus_pipeline.stage.safety import check_plain_output

    parser = argparse.ArgumentParser(prog="python -m corpus_eval.dev_set", description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="../shared/data", metavar="DIR")
    parser.add_argument("--out", required=True, metavar="DIR")
    parser.add_argument("--novel", default="hongloumeng.txt", help="file under reference/novels")
    parser.add_argument("--chapter", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        check_plain_output(args.out, [args.shared])
        counts = write_dev_set(Path(args.shared), Path(args.out), args.novel, args.chapter)
    except InputError as error:
        print(error, file=sys.stderr)
        return 2
    print(json.dumps(counts, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
