"""Trainer settings without torch: the GPT presets and :class:`TrainConfig`, validated, with their CLI flags.

Presets (the vocabulary comes from the tokenizer the shards were packed with):

============  ======  =====  =====  =====================================================================
preset        layers  width  heads  what for
============  ======  =====  =====  =====================================================================
tiny               4     32      4  CPU tests and quick probes (1.04 M parameters with a 30,000 vocabulary)
cpm-small         12    768     12  CPM's small model (Table 1, 109 M)
cpm-medium        24   1024     16  CPM's medium model (Table 1, 334 M)
probe-350m        24   1024     16  PanGu-α's 350 M data-quality probe size (GPT-3 Medium's shape)
============  ======  =====  =====  =====================================================================
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from corpus_pipeline.errors import InputError


@dataclass(frozen=True)
class GPTConfig:
    n_layer: int
    n_embd: int
    n_head: int
    vocab_size: int = 30000
    block_size: int = 1024
    dropout: float = 0.0

    def __post_init__(self) -> None:
        for name in ("n_layer", "n_embd", "n_head", "vocab_size", "block_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be a multiple of n_head ({self.n_head})")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")


PRESETS: dict[str, GPTConfig] = {
    "tiny": GPTConfig(n_layer=4, n_embd=32, n_head=4),
    "cpm-small": GPTConfig(n_layer=12, n_embd=768, n_head=12),
    "cpm-medium": GPTConfig(n_layer=24, n_embd=1024, n_head=16),
    "probe-350m": GPTConfig(n_layer=24, n_embd=1024, n_head=16),
}


def preset(name: str, vocab_size: int, block_size: int, dropout: float = 0.0) -> GPTConfig:
    """The named preset for a tokenizer's vocabulary and a window length."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r} (known: {', '.join(PRESETS)})")
    return replace(PRESETS[name], vocab_size=vocab_size, block_size=block_size, dropout=dropout)


class TrainConfig(BaseModel):
    """Every training setting; the ones in :data:`RESUME_FIELDS` must match a checkpoint to resume it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    preset: str = "tiny"
    max_tokens: int = Field(gt=0, description="training tokens (targets); rounded up to whole steps")
    seq_len: int = Field(1024, gt=0)
    batch_size: int = Field(8, gt=0, description="windows per micro-batch per process")
    grad_accum: int = Field(1, gt=0)
    lr: float = Field(6e-4, gt=0)
    min_lr_ratio: float = Field(0.1, ge=0, le=1, description="the cosine decays to lr * min_lr_ratio")
    warmup_fraction: float = Field(0.02, ge=0, lt=1)
    weight_decay: float = Field(0.1, ge=0)
    beta1: float = Field(0.9, ge=0, lt=1)
    beta2: float = Field(0.95, ge=0, lt=1)
    grad_clip: float = Field(1.0, ge=0, description="0 turns clipping off")
    dropout: float = Field(0.0, ge=0, lt=1)
    seed: int = 0
    eval_every: int = Field(0, ge=0, description="steps between dev evaluations; 0: at the end only")
    eval_tokens: int | None = Field(1_000_000, gt=0, description="dev tokens per evaluation; None: all")
    checkpoint_every: int = Field(0, ge=0, description="steps between checkpoints; 0: at the end only")
    log_every: int = Field(10, gt=0, description="steps between progress lines (log.jsonl has every step)")
    device: Literal["auto", "cpu", "cuda"] = "auto"
    precision: Literal["auto", "float32", "bfloat16"] = "auto"
    compile: bool = False
    peak_tflops: float | None = Field(None, gt=0, description="accelerator peak, for model FLOPs utilisation")

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str) -> str:
        if value not in PRESETS:
            raise ValueError(f"unknown preset {value!r} (known: {', '.join(PRESETS)})")
        return value


RESUME_FIELDS = (
    "preset",
    "max_tokens",
    "seq_len",
    "batch_size",
    "grad_accum",
    "lr",
    "min_lr_ratio",
    "warmup_fraction",
    "weight_decay",
    "beta1",
    "beta2",
    "grad_clip",
    "dropout",
    "seed",
    "precision",
)


class TrainError(InputError):
    """A run that cannot start or resume, or settings that do not validate; the message says why."""


def add_train_arguments(parser: argparse.ArgumentParser, budget_flag: str = "--max-tokens") -> None:
    """The settings of :class:`TrainConfig` as flags (``train`` takes ``--max-tokens``, ``probe`` ``--tokens``)."""
    fields = TrainConfig.model_fields
    parser.add_argument("--preset", default="tiny", choices=list(PRESETS))
    parser.add_argument(
        budget_flag, dest="max_tokens", type=int, required=True, metavar="N", help=fields["max_tokens"].description
    )
    for name, kind in (
        ("seq_len", int),
        ("batch_size", int),
        ("grad_accum", int),
        ("lr", float),
        ("min_lr_ratio", float),
        ("warmup_fraction", float),
        ("weight_decay", float),
        ("grad_clip", float),
        ("dropout", float),
        ("seed", int),
        ("eval_every", int),
        ("eval_tokens", int),
        ("checkpoint_every", int),
        ("log_every", int),
        ("peak_tflops", float),
    ):
        parser.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            type=kind,
            default=None,
            help=f"{fields[name].description or name} (default {fields[name].default})",
        )
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default=None)
    parser.add_argument("--precision", choices=["auto", "float32", "bfloat16"], default=None)
    parser.add_argument("--compile", action="store_true", default=None, help="torch.compile the model")


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """A validated config from the parsed flags (flags not given keep the defaults)."""
    given = {name: getattr(args, name) for name in TrainConfig.model_fields if getattr(args, name, None) is not None}
    try:
        return TrainConfig(**given)
    except ValidationError as error:
        problems = "; ".join(
            f"--{'-'.join(str(part) for part in e['loc']).replace('_', '-')}: {e['msg']}" for e in error.errors()
        )
        raise TrainError(f"training settings: {problems}") from None
