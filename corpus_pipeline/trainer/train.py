"""Train the bundled GPT on a pack output: AdamW, warm-up + cosine decay, accumulation, clipping, exact resume.

    corpus-pipeline train --shards DIR --preset tiny --max-tokens N --out DIR [--dev DIR]
    torchrun --standalone --nproc_per_node 8 -m corpus_pipeline train ...        # DDP, one process per GPU

``OUT`` receives ``log.jsonl`` (one record per step and per evaluation), ``checkpoint.pt`` (model, optimizer,
scheduler, step, sampler position, RNG state; written atomically every ``--checkpoint-every`` steps and at
the end) and ``result.json``. Running the same command again resumes from the checkpoint; on CPU the resumed
run's losses equal the uninterrupted run's bit for bit. On CUDA: bf16 autocast, flash/memory-efficient
attention through ``scaled_dot_product_attention``, fused AdamW, optional ``torch.compile``.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from corpus_pipeline.trainer.config import RESUME_FIELDS, TrainConfig, TrainError, preset
from corpus_pipeline.trainer.data import BlendedWindows, DataError, evaluation_windows, tokenizer_of
from corpus_pipeline.trainer.model import GPT

CHECKPOINT, LOG, RESULT = "checkpoint.pt", "log.jsonl", "result.json"


def lr_factor(step: int, steps: int, warmup: int, min_ratio: float) -> float:
    """Linear warm-up over ``warmup`` steps, then cosine decay to ``min_ratio`` at the last step."""
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


class _Distributed:
    """torchrun's environment (``WORLD_SIZE``, ``RANK``, ``LOCAL_RANK``), or a single process."""

    def __init__(self, device_choice: str) -> None:
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        cuda = torch.cuda.is_available() and device_choice != "cpu"
        if device_choice == "cuda" and not torch.cuda.is_available():
            raise TrainError("--device cuda: no CUDA device is available")
        if cuda:
            local = int(os.environ.get("LOCAL_RANK", "0"))
            torch.cuda.set_device(local)
            self.device = torch.device("cuda", local)
        else:
            self.device = torch.device("cpu")
        self.owns_group = self.world > 1 and not torch.distributed.is_initialized()
        if self.owns_group:
            torch.distributed.init_process_group("nccl" if cuda else "gloo")

    def close(self) -> None:
        if self.owns_group:
            torch.distributed.destroy_process_group()

    @property
    def main(self) -> bool:
        return self.rank == 0

    def mean(self, value: float) -> float:
        if self.world == 1:
            return value
        tensor = torch.tensor([value], dtype=torch.float64, device=self.device)
        torch.distributed.all_reduce(tensor)
        return float(tensor.item()) / self.world

    def sum(self, values: list[float]) -> list[float]:
        if self.world == 1:
            return values
        tensor = torch.tensor(values, dtype=torch.float64, device=self.device)
        torch.distributed.all_reduce(tensor)
        return tensor.tolist()


def _autocast(device: torch.device, precision: str):
    bf16 = precision == "bfloat16" or (precision == "auto" and device.type == "cuda" and torch.cuda.is_bf16_supported())
    if not bf16:
        return contextlib.nullcontext, "float32"
    return (lambda: torch.autocast(device_type=device.type, dtype=torch.bfloat16)), "bfloat16"


def _optimizer(model: GPT, config: TrainConfig, device: torch.device) -> torch.optim.AdamW:
    """AdamW; weight decay on weight matrices and embeddings, not on biases or LayerNorm gains (nanoGPT)."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.lr, betas=(config.beta1, config.beta2), fused=device.type == "cuda")


@torch.no_grad()
def evaluate(
    model: torch.nn.Module,
    dev: str | Path,
    config: TrainConfig,
    device: torch.device,
    autocast,
    dist: _Distributed | None = None,
) -> dict:
    """Mean cross-entropy per target token and perplexity over the dev set's consecutive windows."""
    was_training = model.training
    model.eval()
    loss_sum, tokens = 0.0, 0
    batches = evaluation_windows(dev, config.seq_len, config.eval_tokens, config.batch_size)
    for number, (inputs, targets) in enumerate(batches):
        if dist is not None and number % dist.world != dist.rank:
            continue
        with autocast():
            _, loss = model(torch.from_numpy(inputs).to(device), torch.from_numpy(targets).to(device), reduction="sum")
        loss_sum += float(loss)
        tokens += targets.size
    if dist is not None:
        loss_sum, tokens = dist.sum([loss_sum, float(tokens)])
    model.train(was_training)
    if not tokens:
        raise DataError(f"{dev}: no evaluation window of {config.seq_len + 1} tokens")
    mean = loss_sum / tokens
    return {"dev_loss": mean, "dev_ppl": math.exp(mean), "dev_tokens": int(tokens)}


def _write_json(path: Path, content: dict) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temp, path)


def _save_checkpoint(path: Path, state: dict) -> None:
    temp = path.with_name(path.name + ".tmp")
    torch.save(state, temp)
    os.replace(temp, path)


def _rng_state(device: torch.device) -> dict:
    state = {"torch": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def _set_rng_state(state: dict, device: torch.device) -> None:
    torch.set_rng_state(state["torch"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)


def _log_records(path: Path, up_to_step: int) -> list[str]:
    """The log's lines up to and including ``up_to_step`` (a resumed run rewrites what came after)."""
    if not path.exists():
        return []
    return [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and json.loads(line)["step"] <= up_to_step
    ]


@dataclass
class _Run:
    """One training run's state: what it trains, with what, where it writes, and how far it got."""

    config: TrainConfig
    dist: _Distributed
    out: Path
    shards: str | Path
    dev: str | Path | None
    tokenizer: dict
    model_config: Any
    model: GPT
    optimizer: torch.optim.AdamW
    scheduler: torch.optim.lr_scheduler.LambdaLR
    sampler: BlendedWindows
    autocast: Callable
    precision: str
    steps: int
    tokens_per_step: int
    step: int = 0
    loss_value: float = float("nan")

    @property
    def device(self) -> torch.device:
        return self.dist.device

    @property
    def checkpoint_path(self) -> Path:
        return self.out / CHECKPOINT

    @property
    def log_path(self) -> Path:
        return self.out / LOG


def _setup(config: TrainConfig, shards: str | Path, out: Path, dev: str | Path | None) -> _Run:
    """The model, optimizer, schedule and data for ``config`` (seeded: the same config starts the same)."""
    dist = _Distributed(config.device)
    device = dist.device
    tokenizer = tokenizer_of(shards)
    if dev is not None and tokenizer_of(dev)["sha256"] != tokenizer["sha256"]:
        raise TrainError(f"{dev} was packed with a different tokenizer than {shards}")
    torch.manual_seed(config.seed)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    model_config = preset(config.preset, tokenizer["vocab_size"], config.seq_len, config.dropout)
    model = GPT(model_config).to(device)
    optimizer = _optimizer(model, config, device)
    tokens_per_step = config.batch_size * config.grad_accum * config.seq_len * dist.world
    steps = math.ceil(config.max_tokens / tokens_per_step)
    warmup = max(1, round(steps * config.warmup_fraction)) if config.warmup_fraction else 0
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: lr_factor(step, steps, warmup, config.min_lr_ratio)
    )
    sampler = BlendedWindows(shards, config.seq_len, config.seed)
    autocast, precision = _autocast(device, config.precision)
    return _Run(
        config,
        dist,
        out,
        shards,
        dev,
        tokenizer,
        model_config,
        model,
        optimizer,
        scheduler,
        sampler,
        autocast,
        precision,
        steps,
        tokens_per_step,
    )


def _resume(run: _Run, echo: Callable[[str], None]) -> None:
    """Load ``OUT/checkpoint.pt`` when there is one (refusing one from a different run's settings)."""
    if not run.checkpoint_path.exists():
        return
    state = torch.load(run.checkpoint_path, map_location=run.device, weights_only=False)
    differs = [
        f"{name}: {state['config'][name]!r} -> {getattr(run.config, name)!r}"
        for name in RESUME_FIELDS
        if state["config"].get(name) != getattr(run.config, name)
    ]
    if differs or state["tokenizer_sha256"] != run.tokenizer["sha256"]:
        raise TrainError(
            f"{run.checkpoint_path} is from a different run ({'; '.join(differs) or 'tokenizer'}); "
            f"use another --out to start afresh"
        )
    run.model.load_state_dict(state["model"])
    run.optimizer.load_state_dict(state["optimizer"])
    run.scheduler.load_state_dict(state["scheduler"])
    run.sampler.load_state_dict(state["sampler"])
    _set_rng_state(state["rng"], run.device)
    run.step, run.loss_value = state["step"], state["last_loss"]
    echo(f"resuming {run.out} at step {run.step}/{run.steps}")


def _trained_module(run: _Run) -> torch.nn.Module:
    """What the steps run: the model, compiled and wrapped in DistributedDataParallel as configured."""
    trained = torch.compile(run.model) if run.config.compile else run.model
    if run.dist.world > 1:
        trained = torch.nn.parallel.DistributedDataParallel(
            trained, device_ids=[run.device.index] if run.device.type == "cuda" else None
        )
    return trained


def _log(run: _Run, record: dict) -> None:
    if run.dist.main:
        with run.log_path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


def _checkpoint(run: _Run) -> None:
    if run.dist.main:
        _save_checkpoint(
            run.checkpoint_path,
            {
                "step": run.step,
                "tokens": run.step * run.tokens_per_step,
                "last_loss": run.loss_value,
                "config": run.config.model_dump(),
                "model_config": run.model_config.__dict__,
                "tokenizer_sha256": run.tokenizer["sha256"],
                "model": run.model.state_dict(),
                "optimizer": run.optimizer.state_dict(),
                "scheduler": run.scheduler.state_dict(),
                "sampler": run.sampler.state_dict(),
                "rng": _rng_state(run.device),
            },
        )


def _train_step(run: _Run, trained: torch.nn.Module) -> float:
    """One optimizer step over ``grad_accum`` micro-batches (this rank's rows of each global batch); returns the
    learning rate it used and leaves the mean loss over ranks in ``run.loss_value``."""
    config, dist = run.config, run.dist
    for micro in range(config.grad_accum):
        mine = slice(dist.rank * config.batch_size, (dist.rank + 1) * config.batch_size)
        inputs, targets = run.sampler.next_batch(config.batch_size * dist.world, keep=mine)
        inputs = torch.from_numpy(np.ascontiguousarray(inputs)).to(run.device, non_blocking=True)
        targets = torch.from_numpy(np.ascontiguousarray(targets)).to(run.device, non_blocking=True)
        sync = dist.world == 1 or micro == config.grad_accum - 1
        with contextlib.nullcontext() if sync else trained.no_sync(), run.autocast():
            _, loss = trained(inputs, targets)
            loss = loss / config.grad_accum
        loss.backward()
        run.loss_value = (run.loss_value if micro else 0.0) + float(loss.detach())
    if config.grad_clip:
        torch.nn.utils.clip_grad_norm_(run.model.parameters(), config.grad_clip)
    lr = run.optimizer.param_groups[0]["lr"]
    run.optimizer.step()
    run.scheduler.step()
    run.optimizer.zero_grad(set_to_none=True)
    run.step += 1
    run.loss_value = dist.mean(run.loss_value)
    return lr


def _speed(run: _Run, seconds: float, tokens: int, flops_per_token: float) -> dict:
    """Tokens per second, model TFLOP/s and (with ``--peak-tflops``) MFU over the last logging window."""
    speed = tokens / seconds if seconds else 0.0
    record = {"tokens_per_s": round(speed, 1), "model_tflops": round(speed * flops_per_token / 1e12, 4)}
    if run.config.peak_tflops:
        record["mfu"] = round(record["model_tflops"] / run.config.peak_tflops / run.dist.world, 4)
    return record


def _due(step: int, every: int | None) -> bool:
    return bool(every) and step % every == 0


def _result(run: _Run, evaluation: dict | None, train_seconds: float, started: float) -> dict:
    config, dist = run.config, run.dist
    return {
        "preset": config.preset,
        "parameters": run.model.num_parameters(),
        "steps": run.step,
        "planned_steps": run.steps,
        "tokens": run.step * run.tokens_per_step,
        "tokens_per_step": run.tokens_per_step,
        "final_train_loss": run.loss_value,
        "epochs": run.sampler.epochs(),
        "shards": str(run.shards),
        "dev": str(run.dev) if run.dev is not None else None,
        "tokenizer_sha256": run.tokenizer["sha256"],
        "device": f"{dist.world} x {run.device.type}",
        "precision": run.precision,
        "rank": dist.rank,
        "train_seconds": round(train_seconds, 3),
        "seconds": round(time.time() - started, 3),
        "config": config.model_dump(),
        **(evaluation or {}),
    }


def train(
    config: TrainConfig,
    shards: str | Path,
    out: str | Path,
    dev: str | Path | None = None,
    stop_after: int | None = None,
    echo: Callable[[str], None] = print,
) -> dict:
    """Train (or resume) on the pack output ``shards``; ``stop_after`` ends after that many steps, as an
    interruption would, with a checkpoint. Returns the result (also written to ``OUT/result.json``)."""
    started = time.time()
    run = _setup(config, shards, Path(out), dev)
    echo = echo if run.dist.main else (lambda line: None)
    _resume(run, echo)
    if run.dist.main:
        run.out.mkdir(parents=True, exist_ok=True)
        lines = _log_records(run.log_path, run.step)
        run.log_path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    trained = _trained_module(run)
    flops_per_token = run.model.flops_per_token(config.seq_len)
    if run.step == 0:
        echo(
            f"{config.preset}: {run.model.num_parameters():,} parameters "
            f"({run.model.num_parameters(non_embedding=True):,} without embeddings), {run.steps} steps of "
            f"{run.tokens_per_step:,} tokens on {run.dist.world} x {run.device.type} ({run.precision})"
        )
    evaluation = None
    window_start, window_tokens, paused, train_seconds = time.time(), 0, 0.0, 0.0  # paused: eval and checkpoints
    trained.train()
    while run.step < run.steps:
        lr = _train_step(run, trained)
        step, last = run.step, run.step == run.steps
        window_tokens += run.tokens_per_step
        record = {
            "step": step,
            "event": "train",
            "loss": run.loss_value,
            "lr": lr,
            "tokens": step * run.tokens_per_step,
        }
        if _due(step, config.log_every) or last:
            if run.device.type == "cuda":
                torch.cuda.synchronize()
            seconds = time.time() - window_start - paused
            train_seconds += seconds
            record.update(_speed(run, seconds, window_tokens, flops_per_token))
            echo(
                f"step {step}/{run.steps} loss {run.loss_value:.4f} lr {lr:.2e} "
                f"{window_tokens / seconds if seconds else 0.0:,.0f} tokens/s"
            )
            window_start, window_tokens, paused = time.time(), 0, 0.0
        _log(run, record)
        pause_start = time.time()
        if dev is not None and (last or _due(step, config.eval_every)):
            evaluation = evaluate(trained, dev, config, run.device, run.autocast, run.dist)
            _log(run, {"step": step, "event": "eval", **evaluation})
            echo(f"step {step}/{run.steps} dev loss {evaluation['dev_loss']:.4f} ppl {evaluation['dev_ppl']:.2f}")
        if last or step == stop_after or _due(step, config.checkpoint_every):
            _checkpoint(run)
        paused += time.time() - pause_start
        if step == stop_after:
            break
    if run.step >= run.steps and dev is not None and evaluation is None:  # resumed after the final step
        evaluation = evaluate(trained, dev, config, run.device, run.autocast, run.dist)
    result = _result(run, evaluation, train_seconds, started)
    if run.dist.main and run.step >= run.steps:
        _write_json(run.out / RESULT, result)
    run.dist.close()
    return result
