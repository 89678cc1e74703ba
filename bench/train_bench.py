"""Training throughput of the bundled GPT: tokens/s (and model TFLOP/s, MFU with ``--peak-tflops``) per preset.

Runs the real trainer (``corpus_pipeline.trainer.train.train``) on a pack output for ``--steps`` optimizer
steps per preset, one progress record per step, and reports the median of steps 2..N (step 1 includes
allocation and, with ``--compile``, compilation). Tokens/s counts the targets of a step (batch x grad_accum x
seq_len) over its wall time, data reading included; model TFLOP/s uses 6N + 12·L·d·T FLOPs per token.

    .venv/bin/python bench/train_bench.py --shards out/demo/pack                      # CPU: tiny, cpm-small
    python bench/train_bench.py --shards DIR --presets cpm-small --batch-size 16 --peak-tflops 989   # a GPU
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BATCH = {"tiny": 8, "cpm-small": 1, "cpm-medium": 1, "probe-350m": 1}


def measure(
    shards: str,
    preset: str,
    steps: int,
    seq_len: int,
    batch_size: int,
    device: str,
    peak_tflops: float | None,
    compile_: bool,
) -> dict:
    import torch

    from corpus_pipeline.trainer.config import TrainConfig
    from corpus_pipeline.trainer.train import LOG, train

    config = TrainConfig(
        preset=preset,
        max_tokens=steps * seq_len * batch_size,
        seq_len=seq_len,
        batch_size=batch_size,
        log_every=1,
        device=device,
        peak_tflops=peak_tflops,
        compile=compile_,
    )
    with tempfile.TemporaryDirectory() as out:
        result = train(config, shards, out, echo=lambda line: None)
        records = [json.loads(line) for line in (Path(out) / LOG).read_text().splitlines()]
    speeds = [record["tokens_per_s"] for record in records if record["event"] == "train"][1:]
    tflops = [record["model_tflops"] for record in records if record["event"] == "train"][1:]
    mfu = [record["mfu"] for record in records if "mfu" in record][1:]
    return {
        "preset": preset,
        "parameters": result["parameters"],
        "device": result["device"],
        "precision": result["precision"],
        "threads": torch.get_num_threads(),
        "seq_len": seq_len,
        "batch_size": batch_size,
        "steps_timed": len(speeds),
        "tokens_per_s": statistics.median(speeds),
        "model_tflops": statistics.median(tflops),
        "mfu": statistics.median(mfu) if mfu else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", required=True, help="a pack output, e.g. out/demo/pack after `make demo`")
    parser.add_argument("--presets", nargs="+", default=["tiny", "cpm-small"])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--seq-len", type=int, default=1024)
    parser.add_argument("--batch-size", type=int, help="default: 8 for tiny, 1 for the others")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--peak-tflops", type=float, help="accelerator peak (bf16 dense) for MFU")
    parser.add_argument("--compile", action="store_true")
    args = parser.parse_args(argv)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        "| preset | parameters | device | precision | threads | seq_len x batch | steps timed | "
        "tokens/s (median) | tokens/s per thread | model TFLOP/s | MFU |"
    )
    print("|---|---:|---|---|---:|---|---:|---:|---:|---:|---:|")
    for preset in args.presets:
        row = measure(
            args.shards,
            preset,
            args.steps,
            args.seq_len,
            args.batch_size or BATCH[preset],
            args.device,
            args.peak_tflops,
            args.compile,
        )
        per_thread = f"{row['tokens_per_s'] / row['threads']:,.1f}" if row["device"].endswith("cpu") else ""
        mfu = "" if row["mfu"] is None else f"{row['mfu']:.1%}"
        print(
            f"| {preset} | {row['parameters']:,} | {row['device']} | {row['precision']} | {row['threads']} | "
            f"{row['seq_len']} x {row['batch_size']} | {row['steps_timed']} | {row['tokens_per_s']:,.1f} | "
            f"{per_thread} | {row['model_tflops']:.4f} | {mfu} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
