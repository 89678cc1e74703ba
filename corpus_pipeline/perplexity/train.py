"""``train-kenlm``: an n-gram model over :func:`~corpus_pipeline.perplexity.text.lm_lines` text, with a model card.

Inputs are text files (``.txt``, ``.txt.gz``: one paragraph a line), JSON lines (``.jsonl``, ``.jsonl.gz``:
the ``text`` field) or parquet documents (a file, a directory, or a stage output's ``kept/``). Every
``held_out_every``-th non-blank paragraph of each input is held out; the card reports the model's perplexity on them.
KenLM's ``lmplz`` estimates the model (modified Kneser-Ney; ``--discount_fallback`` for small corpora, optional
``--prune``) and ``build_binary`` turns the ARPA file into a quantized trie (``-q 8 -b 8 -a 22``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from corpus_pipeline.errors import InputError
from corpus_pipeline.io.shipped import file_sha256
from corpus_pipeline.perplexity.model import TEXT_FORMAT, LMError, load_lm_spec, log_score, worker_model
from corpus_pipeline.perplexity.text import lm_lines

MODEL_FILE = "model.klm"
KENLM_VERSION = "0.3.0"


def add_train_kenlm_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input",
        nargs="+",
        required=True,
        metavar="FILE",
        help=".txt/.txt.gz (a paragraph a line), .jsonl/.jsonl.gz (text field) or parquet documents",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="writes model.klm and card.json")
    parser.add_argument("--order", type=int, default=5)
    parser.add_argument(
        "--prune",
        type=int,
        nargs="*",
        default=[0, 1, 1, 2],
        help="lmplz --prune: drop n-grams of each order seen at most this often (0 keeps all)",
    )
    parser.add_argument("--held-out-every", type=int, default=50, help="hold out every N-th paragraph of each input")
    parser.add_argument("--memory", default="25%", help="lmplz -S (sorting memory)")
    parser.add_argument(
        "--kenlm-bin",
        metavar="DIR",
        help="where lmplz/build_binary are (default: KENLM_BIN, the interpreter's bin/, then PATH)",
    )
    parser.add_argument("--data-description", default="", help="for the card: what the inputs are")


def find_tool(name: str, bin_dir: str | None = None) -> str:
    """``lmplz`` or ``build_binary``: ``bin_dir``, then ``$KENLM_BIN``, the interpreter's ``bin/``, ``PATH``."""
    for folder in (bin_dir, os.environ.get("KENLM_BIN"), str(Path(sys.executable).parent)):
        if folder and (Path(folder) / name).is_file():
            return str(Path(folder) / name)
    found = shutil.which(name)
    if found:
        return found
    raise InputError(f"{name} not found: run `make kenlm` (builds it from the kenlm sdist) or pass --kenlm-bin")


def _parquet_texts(path: Path) -> Iterator[str]:
    import pyarrow.dataset as ds

    if (path / "kept").is_dir():
        path = path / "kept"
    dataset = ds.dataset(path, format="parquet")
    for batch in dataset.to_batches(columns=["text"]):
        yield from (text for text in batch.column("text").to_pylist() if text)


def read_paragraphs(path: Path) -> Iterator[str]:
    """Paragraph texts of one input (a document of a parquet input is one text; its lines stay lines)."""
    name = path.name
    if path.is_dir() or name.endswith(".parquet"):
        yield from _parquet_texts(path)
        return
    opener = gzip.open if name.endswith(".gz") else open
    stem = name[:-3] if name.endswith(".gz") else name
    if not path.is_file():
        raise InputError(f"{path}: input not found")
    with opener(path, "rt", encoding="utf-8") as handle:
        if stem.endswith(".jsonl"):
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        yield json.loads(line).get("text") or ""
                    except (json.JSONDecodeError, AttributeError):
                        raise InputError(f"{path}:{number}: not a JSON object") from None
        elif stem.endswith(".txt"):
            yield from handle
        else:
            raise InputError(f"{path}: unknown input type (expected .txt, .jsonl, optionally .gz, or parquet)")


def _run(command: list[str], log: Path) -> None:
    with open(log, "w") as handle:
        done = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        raise LMError(f"{Path(command[0]).name} failed (exit {done.returncode}): " + " | ".join(tail))


def _ngram_counts(arpa: Path) -> dict[str, int]:
    counts = {}
    with open(arpa, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("ngram "):
                order, count = line[6:].strip().split("=")
                counts[order] = int(count)
            elif line.startswith("\\1-grams"):
                break
    return counts


def train_kenlm(
    inputs: list[Path],
    out: Path,
    order: int = 5,
    prune: tuple[int, ...] = (0, 1, 1, 2),
    held_out_every: int = 50,
    memory: str = "25%",
    kenlm_bin: str | None = None,
    description: str = "",
) -> dict:
    """Train, binarize and measure; writes ``out/model.klm`` and ``out/card.json`` and returns the card."""
    if order < 2:
        raise InputError(f"--order must be at least 2, got {order}")
    if held_out_every < 2:
        raise InputError(f"--held-out-every must be at least 2, got {held_out_every}")
    if any(value < 0 for value in prune) or (prune and prune[0] != 0) or list(prune) != sorted(prune):
        raise InputError(f"--prune must be non-decreasing, non-negative and start with 0, got {list(prune)}")
    lmplz, build_binary = find_tool("lmplz", kenlm_bin), find_tool("build_binary", kenlm_bin)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".train-") as work:
        work = Path(work)
        corpus, held_out, data = work / "train.txt", {}, []
        with open(corpus, "w", encoding="utf-8") as train_file:
            for path in inputs:
                name = str(path) if path.name in held_out else path.name
                stats = {"name": name, "paragraphs": 0, "train_lines": 0, "train_tokens": 0, "held_out_lines": 0}
                held = held_out.setdefault(stats["name"], [])
                for paragraph in read_paragraphs(path):
                    lines = list(lm_lines(paragraph))
                    if not lines:  # blank lines between paragraphs do not count
                        continue
                    stats["paragraphs"] += 1
                    if stats["paragraphs"] % held_out_every == 0:
                        held.append(paragraph)
                        stats["held_out_lines"] += len(lines)
                        continue
                    for line in lines:
                        train_file.write(line + "\n")
                        stats["train_lines"] += 1
                        stats["train_tokens"] += line.count(" ") + 1
                if path.is_file():
                    stats["sha256"] = file_sha256(path)
                data.append(stats)
        if not any(stats["train_lines"] for stats in data):
            raise InputError("train-kenlm: the inputs hold no text")
        arpa = work / "model.arpa"
        prune_args = ["--prune", *map(str, prune)] if any(prune) else []
        _run(
            [
                lmplz,
                "-o",
                str(order),
                "-S",
                memory,
                "-T",
                str(work),
                "--discount_fallback",
                *prune_args,
                "--text",
                str(corpus),
                "--arpa",
                str(arpa),
            ],
            work / "lmplz.log",
        )
        counts = _ngram_counts(arpa)
        model_path = out / MODEL_FILE
        _run(
            [build_binary, "-q", "8", "-b", "8", "-a", "22", "trie", str(arpa), str(model_path)],
            work / "build_binary.log",
        )
    card = {
        "kind": "kenlm",
        "model_file": MODEL_FILE,
        "sha256": file_sha256(model_path),
        "size_bytes": model_path.stat().st_size,
        "order": order,
        "text_format": TEXT_FORMAT,
        "training": {
            "prune": list(prune),
            "discount_fallback": True,
            "held_out_every": held_out_every,
            "binary": "trie -q 8 -b 8 -a 22",
            "ngrams": counts,
            "kenlm": KENLM_VERSION,
        },
        "data": {"description": description, "inputs": data},
    }
    (out / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    spec = load_lm_spec(model_path)
    card["metrics"] = held_out_metrics(worker_model(spec), held_out)
    (out / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return card


def held_out_metrics(model, held_out: dict[str, list[str]]) -> dict:
    """Perplexity on each input's held-out paragraphs (token-weighted) and over all of them."""
    per_input, total, tokens = {}, 0.0, 0
    for name, paragraphs in held_out.items():
        score, count = log_score(model, "\n".join(paragraphs))
        per_input[name] = {
            "paragraphs": len(paragraphs),
            "tokens": count,
            "perplexity": round(10.0 ** (-score / count), 2) if count else None,
        }
        total, tokens = total + score, tokens + count
    return {"held_out": per_input, "held_out_perplexity": round(10.0 ** (-total / tokens), 2) if tokens else None}


def run_train_kenlm_command(args: argparse.Namespace) -> dict:
    return train_kenlm(
        [Path(p) for p in args.input],
        Path(args.out),
        args.order,
        tuple(args.prune),
        args.held_out_every,
        args.memory,
        args.kenlm_bin,
        args.data_description,
    )
