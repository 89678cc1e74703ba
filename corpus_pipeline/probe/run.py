"""``corpus-pipeline probe``: one model per candidate corpus, same preset, seed and token budget; perplexity on
one dev set; ``probe.json`` and ``probe.md`` (a table, best first).

Every corpus and the dev set must be pack outputs made with the same tokenizer (its sha256 is in each
manifest). A corpus smaller than the budget is repeated: the table shows how many passes each model made,
since repetition alone raises dev perplexity. Each candidate trains under ``OUT/NAME`` with the trainer's
checkpoints, so an interrupted probe resumes where it stopped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from corpus_pipeline.errors import InputError
from corpus_pipeline.pack.manifest import read_manifest
from corpus_pipeline.trainer.config import TrainConfig
from corpus_pipeline.trainer.train import train

PROBE_JSON, PROBE_TABLE = "probe.json", "probe.md"
_NAME = re.compile(r"^[A-Za-z0-9_\-.]+$")


def parse_corpus(value: str) -> tuple[str, str]:
    """``NAME=DIR`` (the name is letters, digits, '_', '-' and '.')."""
    name, sep, directory = value.partition("=")
    if not sep or not _NAME.match(name) or not directory:
        raise InputError(f"--corpus expects NAME=DIR with NAME of letters, digits, '_', '-', '.'; got {value!r}")
    return name, directory


def _check_tokenizers(corpora: dict[str, str], dev: str) -> dict:
    dev_manifest = read_manifest(dev)
    expected = dev_manifest["tokenizer"]["sha256"]
    for name, directory in corpora.items():
        sha = read_manifest(directory)["tokenizer"]["sha256"]
        if sha != expected:
            raise InputError(
                f"corpus {name} ({directory}) was packed with tokenizer {sha[:12]}…, the dev set "
                f"{dev} with {expected[:12]}…: pack both with the same tokenizer"
            )
    return dev_manifest


def table(probe: dict) -> str:
    """The results as a Markdown table, lowest dev perplexity first."""
    lines = [
        f"Probe: preset `{probe['preset']}`, {probe['tokens']:,} training tokens per corpus, seed "
        f"{probe['seed']}, dev set `{probe['dev']['path']}` ({probe['dev']['evaluated_tokens']:,} tokens "
        f"evaluated)",
        "",
        "| corpus | documents | corpus tokens | passes | final train loss | dev loss | dev perplexity |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in probe["ranking"]:
        row = probe["corpora"][name]
        lines.append(
            f"| {name} | {row['documents']:,} | {row['corpus_tokens']:,} | {row['passes']:.2f} | "
            f"{row['final_train_loss']:.4f} | {row['dev_loss']:.4f} | {row['dev_ppl']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def run_probe(
    corpora: dict[str, str], dev: str, config: TrainConfig, out: str | Path, echo: Callable[[str], None] = print
) -> dict:
    """Train ``config`` on each corpus, evaluate on ``dev``; writes and returns the probe results."""
    if not corpora:
        raise InputError("probe: give at least one --corpus NAME=DIR")
    out = Path(out)
    dev_manifest = _check_tokenizers(corpora, dev)
    results, evaluated, rank = {}, None, 0
    for name, directory in corpora.items():
        manifest = read_manifest(directory)
        result = train(config, directory, out / name, dev=dev, echo=lambda line, name=name: echo(f"[{name}] {line}"))
        evaluated, rank = result["dev_tokens"], result["rank"]
        results[name] = {
            "corpus": str(directory),
            "documents": manifest["documents"],
            "corpus_tokens": manifest["tokens"],
            "trained_tokens": result["tokens"],
            "passes": round(result["tokens"] / manifest["tokens"], 4),
            "final_train_loss": result["final_train_loss"],
            "dev_loss": result["dev_loss"],
            "dev_ppl": result["dev_ppl"],
            "train_seconds": result["train_seconds"],
            "run": str(out / name),
        }
    first = next(iter(results.values()))
    probe = {
        "preset": config.preset,
        "tokens": first["trained_tokens"],
        "seed": config.seed,
        "tokenizer_sha256": dev_manifest["tokenizer"]["sha256"],
        "dev": {
            "path": str(dev),
            "documents": dev_manifest["documents"],
            "tokens": dev_manifest["tokens"],
            "evaluated_tokens": evaluated,
        },
        "config": config.model_dump(),
        "corpora": results,
        "ranking": sorted(results, key=lambda name: results[name]["dev_ppl"]),
    }
    if rank:  # under torchrun, rank 0 writes
        return probe
    out.mkdir(parents=True, exist_ok=True)
    (out / PROBE_JSON).write_text(json.dumps(probe, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / PROBE_TABLE).write_text(table(probe), encoding="utf-8")
    return probe
