"""Whole-process benchmark of the clean stage on ~100 MB text and ~100 MB HTML corpora.

Builds the corpora under bench/work/ from ../shared/data and the demo generator (seeded), then times
`python -m corpus_pipeline clean` as a subprocess (JVM start-up included) in local[1] and local[2], N runs
each, and prints a markdown table: median wall time and MB/s per core of input bytes.

    .venv/bin/python bench/clean_bench.py [--size-mb 100] [--runs 3] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import zstandard

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / "work"


def _shared_texts(data: Path):
    """(name, text) of real documents: novel chapters, wiki paragraphs, e-mails, Tang poems (traditional)."""
    for novel in sorted((data / "reference" / "novels").glob("*.txt")):
        text = novel.read_text(encoding="utf-8")
        chunk = 4000  # roughly a chapter
        for i in range(0, len(text), chunk):
            yield f"{novel.stem}-{i // chunk}", text[i : i + chunk]
    for name in (
        "reference/zhwiki_cmrc2018_trial.jsonl.gz",
        "spam/trec06c_ham.jsonl.gz",
        "spam/trec06c_spam.jsonl.gz",
        "traditional/tang_poems_traditional.jsonl.gz",
    ):
        with gzip.open(data / name, "rt", encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                yield f"{Path(name).name}-{record['id']}", record["text"]


def _demo_texts(raw: Path):
    with open(raw / "news" / "articles.jsonl", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            yield record["id"], record["text"]
    with open(raw / "reviews" / "reviews.jsonl.zst", "rb") as f:
        for line in zstandard.ZstdDecompressor().stream_reader(f).read().decode("utf-8").splitlines():
            record = json.loads(line)
            yield record["id"], record["text"]


def _demo_pages(raw: Path):
    with gzip.open(raw / "web" / "pages.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            yield record["id"], record["html"], record["url"]


def _gne_pages(data: Path):
    from corpus_pipeline.ingest.decode import decode_bytes, html_declared_charset

    for page in sorted((data / "web_html" / "gne").glob("*.html")):
        raw = page.read_bytes()
        decoded = decode_bytes(raw, html_declared_charset(raw[:4096]))
        if decoded:
            site = page.stem.rsplit("_", 1)[0].replace("_", "-")
            yield page.stem, decoded[0], f"http://{site}.gne.example/{page.stem}.html"


def _write_until(path: Path, field: str, sources, size: int) -> int:
    """Cycle over the documents, writing JSONL with unique ids until ``size`` bytes; returns bytes written.

    A document with a URL gets it with the round in the host (``r3.news.example.cn``): each round is a copy of
    the sites, whose pages share their own boilerplate lines but no copy shares lines with the next.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    written, rounds = 0, 0
    docs = list(sources)
    with open(path, "w", encoding="utf-8") as f:
        while written < size:
            for doc_id, body, *url in docs:
                record = {"id": f"{doc_id}#{rounds}", field: body}
                if url and url[0]:
                    scheme, _, rest = url[0].partition("://")
                    record["url"] = f"{scheme}://r{rounds}.{rest}"
                line = json.dumps(record, ensure_ascii=False) + "\n"
                f.write(line)
                written += len(line.encode("utf-8"))
                if written >= size:
                    break
            rounds += 1
    return written


def build(data: Path, size_mb: float) -> dict[str, Path]:
    from corpus_eval.demo import build_demo_corpus

    raw = WORK / "demo_raw"
    build_demo_corpus(raw, size_mb=min(size_mb, 40), seed=1)
    size = int(size_mb * 2**20)
    text = WORK / "text" / "corpus.jsonl"
    html = WORK / "html" / "pages.jsonl"
    _write_until(text, "text", list(_shared_texts(data)) + list(_demo_texts(raw)), size)
    _write_until(html, "html", list(_demo_pages(raw)) + list(_gne_pages(data)), size)
    return {"text": text, "html": html}


def run_stage(stage: str, source: str, out: Path, master: str, extra: tuple[str, ...] = ()) -> float:
    """Wall seconds of ``python -m corpus_pipeline STAGE --input SOURCE --output OUT [EXTRA]`` as a subprocess."""
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "corpus_pipeline",
            stage,
            "--input",
            source,
            "--output",
            str(out),
            "--master",
            master,
            *extra,
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def run_once(corpus: Path, master: str, recipe: Path | None = None) -> float:
    return run_stage("clean", f"web={corpus}", WORK / "out", master, ("--recipe", str(recipe)) if recipe else ())


def recipe_without_line_dedup() -> Path:
    """The default recipe with line_dedup taken out of every source's steps (one clean pass, as before issue 20)."""
    import yaml

    recipe = yaml.safe_load((REPO / "rules" / "recipes" / "default.yaml").read_text(encoding="utf-8"))
    for source in recipe["sources"].values():
        source["steps"] = [step for step in source["steps"] if step != "line_dedup"]
    recipe["rules_dir"], recipe["models_dir"] = str(REPO / "rules"), str(REPO / "models")
    recipe["filter"]["decontamination"]["data_dir"] = str(REPO.parent / "shared" / "data")
    path = WORK / "no_line_dedup.yaml"
    path.write_text(yaml.safe_dump(recipe, allow_unicode=True), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--size-mb", type=float, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpora", nargs="+", default=["text", "html"])
    parser.add_argument("--masters", nargs="+", default=["local[1]", "local[2]"])
    parser.add_argument(
        "--without-line-dedup", action="store_true", help="the default recipe without its line_dedup step"
    )
    args = parser.parse_args()
    recipe = recipe_without_line_dedup() if args.without_line_dedup else None
    corpora = build(Path(args.data), args.size_mb)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        "| input | master | input MB | runs | median wall s | MB/s | MB/s per core | kept docs | removed | quarantined "
        "| line_dedup: documents changed / lines / MB removed |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.corpora:
        corpus = corpora[name]
        megabytes = corpus.stat().st_size / 1e6
        for master in args.masters:
            cores = int(master[master.index("[") + 1 : -1])
            times = [run_once(corpus, master, recipe) for _ in range(args.runs)]
            wall = statistics.median(times)
            stats = json.loads((WORK / "out" / "stats.json").read_text())
            docs = stats["documents"]
            lines = (stats.get("line_dedup") or {}).get("removed", {}).values()
            changed = (
                "off"
                if "line_dedup" not in stats
                else (
                    f"{sum(e['documents'] for e in lines)} / {sum(e['line_keys'] for e in lines)} / "
                    f"{sum(e['bytes'] for e in lines) / 1e6:.1f}"
                )
            )
            print(
                f"| {name} | {master} | {megabytes:.1f} | {args.runs} | {wall:.1f} | {megabytes / wall:.2f} | "
                f"{megabytes / wall / cores:.2f} | {docs['kept']} | {docs['removed']} | {docs['quarantined']} "
                f"| {changed} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
