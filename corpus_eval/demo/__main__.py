"""``python -m corpus_eval.demo OUT_DIR [--size-mb N] [--seed S]``: build the demo corpus."""

from __future__ import annotations

import argparse
import json
import sys
import time

from corpus_pipeline.errors import InputError
from corpus_pipeline.stage.safety import LocalView, UnsafeOutputError, check_plain_output, json_object

from .generator import FILES, build_demo_corpus


def check_demo_output(out: str) -> None:
    """Refuse an ``OUT_DIR`` that is a file, or a folder holding files the demo would overwrite (its three input
    files and ``manifest.json``) unless its ``manifest.json`` is a demo corpus manifest."""
    check_plain_output(out)
    view = LocalView()
    location = view.locate(out)
    if location is None or view.status(location) != "dir":
        return
    manifest = json_object(view.read_text(location.child("manifest.json")))
    if manifest is not None and "generator" in manifest and "seed" in manifest:
        return
    for relative in (*FILES.values(), "manifest.json"):
        if view.status(location.child(*relative.split("/"))) != "missing":
            raise UnsafeOutputError(
                f"refusing to write {out}: it holds {relative}, which the demo corpus would "
                f"overwrite, and it is not a demo corpus (no demo manifest.json)"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corpus_eval.demo", description=__doc__)
    parser.add_argument("out_dir", help="folder to write web/, news/, reviews/ and manifest.json into")
    parser.add_argument("--size-mb", type=float, default=4.0, help="uncompressed size to reach, in MB (10^6 bytes)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.size_mb <= 0:
        parser.error("--size-mb must be positive")
    try:
        check_demo_output(args.out_dir)
    except InputError as error:
        print(error, file=sys.stderr)
        return 2
    start = time.perf_counter()
    manifest = build_demo_corpus(args.out_dir, size_mb=args.size_mb, seed=args.seed)
    summary = {
        "out_dir": args.out_dir,
        "documents": manifest["documents"],
        "total_uncompressed_bytes": manifest["total_uncompressed_bytes"],
        "by_expected_clean": manifest["counts"]["by_expected_clean"],
        "seconds": round(time.perf_counter() - start, 2),
    }
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
