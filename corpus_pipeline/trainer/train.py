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
from pathlib import Path
from typing import Callable

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
    bf16 = precision == "bfloat16" or (precision == "auto" and device.type == "cuda"
                                       and torch.cuda.is_bf16_supported())
    if not bf16:
        return contextlib.nullcontext, "float32"
    return (lambda: torch.autocast(device_type=device.type, dtype=torch.bfloat16)), "bfloat16"


def _optimizer(model: GPT, config: TrainConfig, device: torch.device) -> torch.optim.AdamW:
    """AdamW; weight decay on weight matrices and embeddings, not on biases or LayerNorm gains (nanoGPT)."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.lr, betas=(config.beta1, config.beta2),
                             fused=device.type == "cuda")


@torch.no_grad()
def evaluate(model: torch.nn.Module, dev: str | Path, config: TrainConfig, device: torch.device,
             autocast, dist: _Distributed | None = None) -> dict:
    """Mean cross-entropy per target token and perplexity over the dev set's consecutive windows."""
    was_training = model.training
    model.eval()
    loss_sum, tokens = 0.0, 0
    batches = evaluation_windows(dev, config.seq_len, config.eval_tokens, config.batch_size)
    for number, (inputs, targets) in enumerate(batches):
        if dist is not None and number % dist.world != dist.rank:
            continue
        with autocast():
            _, loss = model(torch.from_numpy(inputs).to(device), torch.from_numpy(targets).to(device),
                            reduction="sum")
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
    return [line for line in path.read_text(encoding="utf-8").splitlines()
            if line and json.loads(line)["step"] <= up_to_step]


def train(config: TrainConfig, shards: str | Path, out: str | Path, dev: str | Path | None = None,
          stop_after: int | None = None, echo: Callable[[str], None] = print) -> dict:
    """Train (or resume) on the pack output ``shards``; ``stop_after`` ends after that many steps, as an
    interruption would, with a checkpoint. Returns the result (also written to ``OUT/result.json``)."""
    started = time.time()
    out = Path(out)
    dist = _Distributed(config.device)
    device = dist.device
    echo = echo if dist.main else (lambda line: None)
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
        optimizer, lambda step: lr_factor(step, steps, warmup, config.min_lr_ratio))
    sampler = BlendedWindows(shards, config.seq_len, config.seed)
    autocast, precision = _autocast(device, config.precision)
    step, evaluation, loss_value = 0, None, float("nan")
    checkpoint_path, log_path = out / CHECKPOINT, out / LOG
    if checkpoint_path.exists():
        state = torch.load(checkpoint_path, map_location=device, weights_only=False)
        differs = [f"{name}: {state['config'][name]!r} -> {getattr(config, name)!r}"
                   for name in RESUME_FIELDS if state["config"].get(name) != getattr(config, name)]
        if differs or state["tokenizer_sha256"] != tokenizer["sha256"]:
            raise TrainError(f"{checkpoint_path} is from a different run ({'; '.join(differs) or 'tokenizer'}); "
                             f"use another --out to start afresh")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        sampler.load_state_dict(state["sampler"])
        _set_rng_state(state["rng"], device)
        step, loss_value = state["step"], state["last_loss"]
        echo(f"resuming {out} at step {step}/{steps}")
    if dist.main:
        out.mkdir(parents=True, exist_ok=True)
        lines = _log_records(log_path, step)
        log_path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    trained = torch.compile(model) if config.compile else model
    if dist.world > 1:
        trained = torch.nn.parallel.DistributedDataParallel(
            trained, device_ids=[device.index] if device.type == "cuda" else None)
    n_params = model.num_parameters()
    flops_per_token = model.flops_per_token(config.seq_len)
    if step == 0:
        echo(f"{config.preset}: {n_params:,} parameters ({model.num_parameters(non_embedding=True):,} "
             f"without embeddings), {steps} steps of {tokens_per_step:,} tokens on {dist.world} x {device.type} "
             f"({precision})")

    def log(record: dict) -> None:
        if dist.main:
            with log_path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")

    def checkpoint() -> None:
        if dist.main:
            _save_checkpoint(checkpoint_path, {
                "step": step, "tokens": step * tokens_per_step, "last_loss": loss_value, "config": config.model_dump(),
                "model_config": model_config.__dict__, "tokenizer_sha256": tokenizer["sha256"],
                "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "sampler": sampler.state_dict(), "rng": _rng_state(device)})

    window_start, window_tokens, paused, train_seconds = time.time(), 0, 0.0, 0.0  # paused: eval and checkpoints
    trained.train()
    while step < steps:
        for micro in range(config.grad_accum):
            mine = slice(dist.rank * config.batch_size, (dist.rank + 1) * config.batch_size)
            inputs, targets = sampler.next_batch(config.batch_size * dist.world, keep=mine)
            inputs = torch.from_numpy(np.ascontiguousarray(inputs)).to(device, non_blocking=True)
            targets = torch.from_numpy(np.ascontiguousarray(targets)).to(device, non_blocking=True)
            sync = dist.world == 1 or micro == config.grad_accum - 1
            with (contextlib.nullcontext() if sync else trained.no_sync()), autocast():
                _, loss = trained(inputs, targets)
                loss = loss / config.grad_accum
            loss.backward()
            loss_value = (loss_value if micro else 0.0) + float(loss.detach())
        if config.grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        lr = optimizer.param_groups[0]["lr"]
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        window_tokens += tokens_per_step
        loss_value = dist.mean(loss_value)
        record = {"step": step, "event": "train", "loss": loss_value, "lr": lr, "tokens": step * tokens_per_step}
        if step % config.log_every == 0 or step == steps:
            if device.type == "cuda":
                torch.cuda.synchronize()
            seconds = time.time() - window_start - paused
            train_seconds += seconds
            speed = window_tokens / seconds if seconds else 0.0
            record.update({"tokens_per_s": round(speed, 1), "model_tflops": round(speed * flops_per_token / 1e12, 4)})
            if config.peak_tflops:
                record["mfu"] = round(record["model_tflops"] / config.peak_tflops / dist.world, 4)
            echo(f"step {step}/{steps} loss {loss_value:.4f} lr {lr:.2e} {speed:,.0f} tokens/s")
            window_start, window_tokens, paused = time.time(), 0, 0.0
        log(record)
        pause_start = time.time()
        if dev is not None and (step == steps or (config.eval_every and step % config.eval_every == 0)):
            evaluation = evaluate(trained, dev, config, device, autocast, dist)
            log({"step": step, "event": "eval", **evaluation})
            echo(f"step {step}/{steps} dev loss {evaluation['dev_loss']:.4f} ppl {evaluation['dev_ppl']:.2f}")
        if step == steps or step == stop_after or (config.checkpoint_every and step % config.checkpoint_every == 0):
            checkpoint()
        paused += time.time() - pause_start
        if step == stop_after:
            break
    if step >= steps and dev is not None and evaluation is None:  # resumed after the final step
        evaluation = evaluate(trained, dev, config, device, autocast, dist)
    result = {
        "preset": config.preset, "parameters": n_params, "steps": step, "planned_steps": steps,
        "tokens": step * tokens_per_step, "tokens_per_step": tokens_per_step, "final_train_loss": loss_value,
        "epochs": sampler.epochs(), "shards": str(shards), "dev": str(dev) if dev is not None else None,
        "tokenizer_sha256": tokenizer["sha256"], "device": f"{dist.world} x {device.type}", "precision": precision,
        "rank": dist.rank,
        "train_seconds": round(train_seconds, 3), "seconds": round(time.time() - started, 3),
        "config": config.model_dump(), **(evaluation or {}),
    }
    if dist.main and step >= steps:
        _write_json(out / RESULT, result)
    dist.close()
    return result
