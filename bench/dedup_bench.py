"""Benchmarks of the dedup stage: quality and speed against baselines, and scaling with input size.

Every contender runs as a fresh subprocess (JVM start-up included in its wall time) while a sampler reads the
resident memory of its whole process tree every 0.2 s (bench/proc_memory.py: driver Python, JVM, Python
workers). Input MB = UTF-8 bytes of the documents' text / 1e6; MB/s per core divides by the cores the
contender may use (local[N]: N; datasketch: 1).

``--compare-mb 50``: on a labelled corpus of that size (corpus_eval.dedup.labelled, cached under
bench/work/dedup/) with exact ground truth (all pairs of Jaccard similarity >= 0.8 of the 5-shingle sets of
the normalized texts, corpus_eval.dedup.exact_jaccard; cached as JSON beside the corpus), run

* ours: ``python -m corpus_pipeline dedup`` in local[1] and local[2] (median of ``--runs``),
* mllib: bench/dedup_mllib.py (Spark MLlib MinHashLSH + approxSimilarityJoin) in local[2],
* datasketch: bench/dedup_datasketch.py (single process MinHash + MinHashLSH),

and report wall s, MB/s per core, peak RSS, precision and recall of the removed documents vs the exact truth
and the speed ratio vs MLlib.

``--scale 10,100,1000``: ours alone at those sizes (local[2]; local[1] up to ``--local1-max-mb``), with a
fixed ``spark.driver.memory``: wall, MB/s per core, peak RSS of the tree, of the JVM alone and of the Python
workers summed; the exponent k of time ~ size^k (least squares on log-log) and the ratio of peak memory
between the two largest sizes.

Results: bench/work/dedup/results-*.json, and markdown tables for bench/RESULTS.md on stdout.

    .venv/bin/python bench/dedup_bench.py --compare-mb 50 [--runs 3] [--baseline-runs 1] [--skip-mllib]
    .venv/bin/python bench/dedup_bench.py --scale 10,100,1000 [--runs 1] [--driver-memory 4g]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proc_memory import run_measured  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / "work" / "dedup"
PY = sys.executable
THRESHOLD = 0.8
NGRAM = 5
NOTES = (
    "- wall s: the whole process, JVM start included. Peak RSS: VmRSS sampled every 0.2 s, each column's "
    "own peak; the tree sums every process (driver Python, JVM, Python workers), forked workers' shared "
    "pages counted once per process; a child the JVM is spawning is skipped (it shares the JVM's memory)."
)


# ---------------------------------------------------------------------------------------------------- corpora


def corpus_dir(size_mb: float, seed: int) -> Path:
    return WORK / f"corpus-{size_mb:g}mb-seed{seed}"


def build_corpus(data: Path, size_mb: float, seed: int) -> Path:
    """The labelled corpus of ``size_mb`` (built once, then reused): ``DIR/documents``, ``DIR/labels.parquet``."""
    from corpus_eval.dedup.labelled import build_labelled_corpus

    out = corpus_dir(size_mb, seed)
    if not (out / "manifest.json").is_file():  # written last by the builder
        print(f"  building the labelled corpus {out.relative_to(REPO)}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        build_labelled_corpus(data, out, size_mb, seed=seed)
        (out / "bench-build.json").write_text(json.dumps({"seconds": round(time.perf_counter() - started, 1)}))
    return out


def documents_dir(corpus: Path) -> Path:
    return corpus / "documents"


def input_megabytes(corpus: Path) -> float:
    """UTF-8 bytes of the documents' text / 1e6."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    text = pq.read_table(documents_dir(corpus), columns=["text"]).column("text")
    return (pc.sum(pc.binary_length(text)).as_py() or 0) / 1e6


# ---------------------------------------------------------------------------------------------- ground truth


def ground_truth(corpus: Path, threshold: float = THRESHOLD) -> dict[str, Any]:
    """Exact all-pairs truth (corpus_eval.dedup.exact_jaccard): ``expected`` = ``{removed id: kept id}``
    with the default recipe's source priorities; computed once per corpus and cached as JSON beside it."""
    cache = corpus / f"truth-jaccard{threshold:g}-n{NGRAM}.json"
    if cache.is_file():
        return json.loads(cache.read_text())
    from corpus_eval.dedup import exact_jaccard
    from corpus_pipeline.dedup.stage import dedup_plan
    from corpus_pipeline.recipe import load_recipe

    plan = dedup_plan(load_recipe(None))
    started = time.perf_counter()
    truth = exact_jaccard.ground_truth(documents_dir(corpus), plan.priorities, n=NGRAM, threshold=threshold)
    result = {
        "threshold": threshold,
        "ngram": NGRAM,
        "method": "corpus_eval.dedup.exact_jaccard",
        "documents": len(truth.docs),
        "similar_pairs": len(truth.pairs),
        "seconds": round(time.perf_counter() - started, 1),
        "expected": dict(sorted(truth.removed.items())),
    }
    cache.write_text(json.dumps(result, ensure_ascii=False))
    return result


def scores(predicted: dict[str, str], expected: dict[str, str], examples: int = 20) -> dict[str, Any]:
    """Precision and recall of the removed ids, and how often a true duplicate names the same kept document."""
    from corpus_eval.dedup.exact_jaccard import precision_recall

    removed, truth = set(predicted), set(expected)
    precision, recall = precision_recall(removed, truth)
    both = removed & truth
    return {
        "precision": precision,
        "recall": recall,
        "true_positives": len(both),
        "false_positives": len(removed - truth),
        "false_negatives": len(truth - removed),
        "same_kept": sum(predicted[i] == expected[i] for i in both) / len(both) if both else 1.0,
        "false_positive_examples": sorted(removed - truth)[:examples],
        "false_negative_examples": sorted(truth - removed)[:examples],
    }


# ------------------------------------------------------------------------------------------------ contenders


def spark_env() -> dict[str, str]:
    return dict(os.environ, PYSPARK_PYTHON=PY, PYSPARK_DRIVER_PYTHON=PY, SPARK_LOCAL_IP="127.0.0.1")


def cores_of(master: str | None) -> int:
    if master is None:
        return 1
    inside = master[master.index("[") + 1 : -1]
    return os.cpu_count() or 1 if inside == "*" else int(inside)


def ours_command(docs: Path, out: Path, master: str, conf: list[str]) -> list[str]:
    command = [PY, "-m", "corpus_pipeline", "dedup", "--input", str(docs), "--output", str(out), "--master", master]
    for setting in conf:
        command += ["--conf", setting]
    return command


def removed_of_ours(out: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    removed = pq.read_table(out / "removed", columns=["id", "source", "reason", "duplicate_of"]).to_pylist()
    stats = json.loads((out / "stats.json").read_text())["dedup"]
    return {
        "removed": removed,
        "pairs": stats.get("verified_edges"),
        "candidates": stats.get("candidate_edges"),
        "bands_rows": [stats.get("bands"), stats.get("rows")],
    }


def removed_of_json(path: Path) -> dict[str, Any]:
    result = json.loads(path.read_text())
    return {"removed": result["removed"], "pairs": result["pair_count"], "seconds_inside": result["seconds"]}


def measure(
    name: str, command: list[str], runs: int, collect, cores: int, megabytes: float, timeout: float | None = None
) -> dict[str, Any]:
    """Run ``command`` ``runs`` times; median wall, largest peaks, the last run's removed documents.

    A run that fails or passes ``timeout`` seconds ends the contender: its row says so (``error``) and the
    benchmark goes on with the next one.
    """
    walls, peaks = [], []
    row: dict[str, Any] = {
        "name": name,
        "command": shlex.join(_relative(command)),
        "cores": cores,
        "input_mb": round(megabytes, 2),
    }
    for run in range(runs):
        try:
            measured = run_measured(command, env=spark_env(), cwd=REPO, timeout=timeout)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            kind = "timeout" if isinstance(error, subprocess.TimeoutExpired) else f"exit {error.returncode}"
            print(
                f"  {name} run {run + 1}/{runs}: FAILED ({kind})\n{(error.stderr or '')[-3000:]}",
                file=sys.stderr,
                flush=True,
            )
            return {**row, "runs": run, "error": kind, "stderr_tail": (error.stderr or "")[-3000:]}
        walls.append(measured.wall_s)
        peaks.append(measured.peaks)
        print(
            f"  {name} run {run + 1}/{runs}: {measured.wall_s:.1f} s, peak tree RSS {measured.peaks['tree_mb']:.0f} MB",
            file=sys.stderr,
            flush=True,
        )
    wall = statistics.median(walls)
    worst = {key: max(p[key] for p in peaks) for key in peaks[0] if key.endswith("_mb")}
    at_peak = max(peaks, key=lambda p: p["tree_mb"])["at_tree_peak"]
    return {
        **row,
        "runs": runs,
        "walls_s": [round(w, 2) for w in walls],
        "wall_s": round(wall, 2),
        "mb_per_s_per_core": round(megabytes / wall / cores, 3),
        "peak_rss_mb": worst,
        "samples": [p["samples"] for p in peaks],
        "at_tree_peak": at_peak,
        **collect(),
    }


def _relative(command: list[str]) -> list[str]:
    """Paths inside the repository written relative to its root (the commands run from there)."""
    root = str(REPO) + os.sep
    return [arg[len(root) :] if arg.startswith(root) else arg for arg in command]


# ------------------------------------------------------------------------------------------------- reporting


def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    import pyspark

    java = subprocess.run(["java", "-version"], capture_output=True, text=True)
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "pyspark": pyspark.__version__,
        "java": (java.stderr.splitlines() or ["?"])[0],
        "platform": platform.platform(),
    }


def commit() -> dict[str, Any]:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    return {"commit": head, "uncommitted_changes": bool(dirty)}


def header(info: dict[str, Any]) -> str:
    m, c = info["machine"], info["commit"]
    return (
        f"- command: `{info['command']}`\n- commit: `{c['commit']}`"
        f"{' (with uncommitted changes)' if c['uncommitted_changes'] else ''}\n"
        f"- machine: {m['cores']} cores, {m['cpu']}, {m['memory_gb']} GB RAM; Python {m['python']}, "
        f"PySpark {m['pyspark']}, {m['java']}\n"
    )


def compare_table(info: dict[str, Any]) -> str:
    rows = info["contenders"]
    mllib = next((r for r in rows if r["name"].startswith("mllib")), None)
    lines = [
        header(info),
        f"- corpus: {info['corpus']['path']} ({info['corpus']['documents']} documents, "
        f"{info['corpus']['input_mb']:.1f} MB text); truth: {info['truth']['method']}, "
        f"{info['truth']['similar_pairs']} similar pairs, {info['truth']['removed']} documents to remove "
        f"(Jaccard >= {info['truth']['threshold']} of {info['truth']['ngram']}-shingle sets)\n",
        "| contender | master | runs | wall s (median) | input MB | MB/s per core | peak RSS MB (tree) | "
        "JVM MB | Python workers MB | removed | pairs | precision | recall | same kept | speed vs MLlib |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(
                f"| {r['name']} | {r.get('master') or '1 process'} | {r['runs']} | failed: {r['error']} |" + " |" * 11
            )
            continue
        ratio = f"{mllib['wall_s'] / r['wall_s']:.2f}x" if mllib and "error" not in mllib else "n/a"
        p = r["peak_rss_mb"]
        lines.append(
            f"| {r['name']} | {r.get('master') or '1 process'} | {r['runs']} | {r['wall_s']:.1f} | "
            f"{r['input_mb']:.1f} | {r['mb_per_s_per_core']:.3f} | {p['tree_mb']:.0f} | {p['jvm_mb']:.0f} | "
            f"{p['python_workers_mb']:.0f} | {r['removed_count']} | {r['pairs']} | {r['precision']:.4f} | "
            f"{r['recall']:.4f} | {r['same_kept']:.4f} | {ratio} |"
        )
    lines.append("")
    lines.append(NOTES)
    lines.append(
        "- pairs: ours = LSH candidate edges left after verification (the recipe's `verify`, exact by default) (a star per bucket, not every "
        "pair); mllib = all pairs with Jaccard distance <= 0.2 of the hashed shingle sets; datasketch = "
        "LSH candidate pairs (not checked). same kept: share of correctly removed documents naming the "
        "same kept document as the truth."
    )
    lines.append("")
    lines.append("Commands (run from the repository root, PYSPARK_PYTHON=.venv/bin/python SPARK_LOCAL_IP=127.0.0.1):")
    lines.append("")
    for r in rows:
        lines.append(f"- {r['name']}: `{r['command']}`")
    return "\n".join(lines)


def scale_table(info: dict[str, Any]) -> str:
    lines = [
        header(info),
        f"- fixed `--conf spark.driver.memory={info['driver_memory']}`\n",
        "| master | input MB | documents | runs | wall s (median) | MB/s per core | peak RSS MB (tree) | "
        "JVM MB | Python workers MB (sum) | driver Python MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in info["rows"]:
        if "error" in r:
            lines.append(f"| {r['master']} | {r['input_mb']:.1f} | | {r['runs']} | failed: {r['error']} |" + " |" * 5)
            continue
        p = r["peak_rss_mb"]
        lines.append(
            f"| {r['master']} | {r['input_mb']:.1f} | {r['documents']} | {r['runs']} | {r['wall_s']:.1f} | "
            f"{r['mb_per_s_per_core']:.3f} | {p['tree_mb']:.0f} | {p['jvm_mb']:.0f} | "
            f"{p['python_workers_mb']:.0f} | {p['driver_mb']:.0f} |"
        )
    lines.append("")
    lines.append(NOTES)
    for master, fit in info["fits"].items():
        if fit.get("k") is not None:
            lines.append(
                f"- {master}: time ~ size^k with k = {fit['k']:.3f} (least squares on log-log over "
                f"{fit['points']} sizes)"
            )
        for role, ratio in fit.get("memory_ratio_largest_two", {}).items():
            lines.append(f"  - peak {role} at {fit['largest_mb']:.0f} MB / at {fit['second_mb']:.0f} MB: {ratio:.2f}")
    lines.append("")
    for r in info["rows"]:
        lines.append(f"- `{r['command']}`")
    return "\n".join(lines)


def fit_exponent(sizes: list[float], times: list[float]) -> float | None:
    if len(sizes) < 2:
        return None
    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else None


# ----------------------------------------------------------------------------------------------------- modes


def compare(args: argparse.Namespace, info: dict[str, Any], save) -> dict[str, Any]:
    corpus = build_corpus(Path(args.data), args.compare_mb, args.seed)
    docs = documents_dir(corpus)
    megabytes = input_megabytes(corpus)
    truth = ground_truth(corpus)
    print(
        f"corpus {corpus}: {megabytes:.1f} MB text, truth removes {len(truth['expected'])} "
        f"({truth['seconds']} s to compute)",
        file=sys.stderr,
        flush=True,
    )
    out = WORK / "out"
    conf = [f"spark.driver.memory={args.driver_memory}"]
    rows: list[dict[str, Any]] = []
    manifest = json.loads((corpus / "manifest.json").read_text())
    info.update(
        corpus={
            "path": str(corpus.relative_to(REPO)),
            "input_mb": megabytes,
            "documents": truth["documents"],
            "manifest": manifest,
        },
        truth={k: v for k, v in truth.items() if k != "expected"} | {"removed": len(truth["expected"])},
        contenders=rows,
    )

    def add(row: dict[str, Any]) -> None:
        if "error" not in row:
            predicted = {r["id"]: r["duplicate_of"] for r in row.pop("removed")}
            row["removed_count"] = len(predicted)
            row.update(scores(predicted, truth["expected"]))
        rows.append(row)
        save(info)

    plan = [(f"ours local[{n}]", n) for n in args.ours_cores]
    for name, n in plan:
        master = f"local[{n}]"
        target = out / f"ours-local{n}"
        add(
            {
                **measure(
                    name,
                    ours_command(docs, target, master, conf),
                    args.runs,
                    lambda target=target: removed_of_ours(target),
                    n,
                    megabytes,
                    args.timeout,
                ),
                "master": master,
            }
        )
    if not args.skip_mllib:
        target = out / "mllib.json"
        command = [
            PY,
            str(REPO / "bench" / "dedup_mllib.py"),
            "--input",
            str(docs),
            "--output",
            str(target),
            "--master",
            args.mllib_master,
            "--num-hash-tables",
            str(args.num_hash_tables),
            "--conf",
            conf[0],
        ]
        add(
            {
                **measure(
                    "mllib",
                    command,
                    args.baseline_runs,
                    lambda: removed_of_json(target),
                    cores_of(args.mllib_master),
                    megabytes,
                    args.timeout,
                ),
                "master": args.mllib_master,
            }
        )
    if not args.skip_datasketch:
        target = out / "datasketch.json"
        command = [PY, str(REPO / "bench" / "dedup_datasketch.py"), "--input", str(docs), "--output", str(target)]
        add(
            {
                **measure(
                    "datasketch",
                    command,
                    args.baseline_runs,
                    lambda: removed_of_json(target),
                    1,
                    megabytes,
                    args.timeout,
                ),
                "master": None,
            }
        )
    return info


def scale(args: argparse.Namespace, info: dict[str, Any], save) -> dict[str, Any]:
    sizes = [float(s) for s in args.scale.split(",")]
    conf = [f"spark.driver.memory={args.driver_memory}"]
    rows: list[dict[str, Any]] = []
    info.update(driver_memory=args.driver_memory, rows=rows)
    for size in sizes:
        corpus = build_corpus(Path(args.data), size, args.seed)
        megabytes = input_megabytes(corpus)
        import pyarrow.parquet as pq

        documents = pq.ParquetDataset(documents_dir(corpus)).read(columns=["id"]).num_rows
        for n in args.ours_cores:
            if n == 1 and size > args.local1_max_mb:
                continue
            master = f"local[{n}]"
            target = WORK / "out" / f"scale-{size:g}mb-local{n}"
            row = measure(
                f"ours {master} {size:g} MB",
                ours_command(documents_dir(corpus), target, master, conf),
                args.runs,
                lambda target=target: {"removed_count": len(removed_of_ours(target)["removed"])},
                n,
                megabytes,
                args.timeout,
            )
            rows.append({**row, "master": master, "size_mb": size, "documents": documents})
            save(info)
    fits = {}
    for master in sorted({r["master"] for r in rows}):
        mine = sorted((r for r in rows if r["master"] == master and "error" not in r), key=lambda r: r["input_mb"])
        fit: dict[str, Any] = {
            "points": len(mine),
            "k": fit_exponent([r["input_mb"] for r in mine], [r["wall_s"] for r in mine]),
        }
        if len(mine) >= 2:
            big, second = mine[-1], mine[-2]
            fit.update(
                largest_mb=big["input_mb"],
                second_mb=second["input_mb"],
                memory_ratio_largest_two={
                    role: round(big["peak_rss_mb"][f"{role}_mb"] / max(second["peak_rss_mb"][f"{role}_mb"], 1e-9), 3)
                    for role in ("tree", "jvm", "python_workers", "driver")
                },
            )
        fits[master] = fit
    info.update(fits=fits)
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--compare-mb", type=float, help="compare ours, MLlib and datasketch on a corpus of this size")
    mode.add_argument("--scale", help="comma-separated corpus sizes in MB for ours alone, e.g. 10,100,1000")
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--seed", type=int, default=0, help="labelled corpus seed")
    parser.add_argument("--runs", type=int, default=None, help="runs of ours (median); default 3 compare, 1 scale")
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument(
        "--ours-cores",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1, 2],
        help="local[N] for ours, comma-separated (default 1,2)",
    )
    parser.add_argument("--skip-mllib", action="store_true")
    parser.add_argument("--skip-datasketch", action="store_true")
    parser.add_argument("--mllib-master", default="local[2]")
    parser.add_argument("--num-hash-tables", type=int, default=5, help="MLlib MinHashLSH hash tables")
    parser.add_argument("--driver-memory", default="4g", help="spark.driver.memory of every Spark contender")
    parser.add_argument("--local1-max-mb", type=float, default=100, help="--scale: local[1] only up to this size")
    parser.add_argument(
        "--timeout", type=float, default=None, help="seconds after which a contender's run is stopped (its row says so)"
    )
    parser.add_argument("--tag", default="", help="suffix of the results file name (e.g. --tag=-h100)")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 3 if args.compare_mb else 1
    WORK.mkdir(parents=True, exist_ok=True)
    command = shlex.join([".venv/bin/python", "bench/dedup_bench.py", *(argv or sys.argv[1:])])
    info: dict[str, Any] = {
        "command": command,
        "commit": commit(),
        "machine": machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if args.compare_mb:
        name = f"results-compare-{args.compare_mb:g}mb{args.tag}.json"
    else:
        name = f"results-scale-{args.scale.replace(',', '-')}{args.tag}.json"

    def save(state: dict[str, Any], partial: bool = True) -> None:
        """The results so far (``partial``) or final, so a crash or a stop keeps the finished contenders."""
        (WORK / name).write_text(json.dumps({**state, "partial": partial}, indent=1, ensure_ascii=False))

    if args.compare_mb:
        info = compare(args, info, save)
        table = compare_table(info)
    else:
        info = scale(args, info, save)
        table = scale_table(info)
    save(info, partial=False)
    print(table)
    print(f"\n(results: {(WORK / name).relative_to(REPO)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
