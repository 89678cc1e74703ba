"""A KenLM model as a job uses it: checked on the driver, shipped to executors, loaded once per worker.

A model directory holds the binary model and ``card.json`` (written by ``train-kenlm``). The driver checks
the file against the card's sha256 and loads it once, so a missing or foreign file fails before any task
starts; executors get it through ``SparkContext.addFile`` under a content-addressed name and load it on first
use (cc_net's ``_prepare``). Only the picklable :class:`LMSpec` travels in closures.

Perplexity follows CCNet: each line of a document is scored as a sentence (``<s>`` ... ``</s>``); the
document's perplexity is ``10 ** (-sum(log10 p) / tokens)``, where ``tokens`` counts every token plus one
``</s>`` per line. A document without any token has no perplexity (``None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from corpus_pipeline.errors import InputError
from corpus_pipeline.io import shipped
from corpus_pipeline.perplexity.text import lm_lines

#: The version of :func:`corpus_pipeline.perplexity.text.lm_lines` a model was trained with (the card records it).
TEXT_FORMAT = "char-tokens-v1"
_CARD_KEYS = ("kind", "model_file", "sha256", "order", "text_format")
_LOADED: dict[str, object] = {}


class LMError(InputError):
    """A KenLM model or card that cannot be used; the message names the file."""


@dataclass(frozen=True)
class LMSpec:
    """What a worker needs to load the model (picklable; the model itself never is)."""

    path: str  # on the driver
    shipped_name: str
    sha256: str
    order: int

    def stats(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "order": self.order, "text_format": TEXT_FORMAT}


def _load(path: str, shown_as: str):
    import kenlm

    try:
        return kenlm.Model(path)
    except (OSError, RuntimeError) as error:
        raise LMError(f"{shown_as}: cannot load KenLM model ({error})") from None


def load_lm_spec(model_path: str | Path) -> LMSpec:
    """Check the model at ``model_path`` against the ``card.json`` beside it and load it once."""
    model_path = Path(model_path)
    if not model_path.is_file():
        raise LMError(f"{model_path}: KenLM model file not found")
    card = shipped.read_card(
        model_path.parent / "card.json", _CARD_KEYS, LMError, "KenLM model", "train-kenlm writes it beside the model"
    )
    if card["kind"] != "kenlm":
        raise LMError(f"{model_path.parent / 'card.json'}: a {card['kind']!r} model card, not a 'kenlm' one")
    if card["model_file"] != model_path.name:
        raise LMError(f"{model_path.parent / 'card.json'}: describes {card['model_file']!r}, not {model_path.name!r}")
    if card["text_format"] != TEXT_FORMAT:
        raise LMError(f"{model_path}: trained on {card['text_format']!r} text, this code scores {TEXT_FORMAT!r}")
    actual = shipped.file_sha256(model_path)
    if actual != card["sha256"]:
        raise LMError(f"{model_path}: sha256 {actual[:12]}… does not match its card ({card['sha256'][:12]}…)")
    model = _load(str(model_path), str(model_path))
    _LOADED[actual] = model
    return LMSpec(
        path=str(model_path),
        shipped_name=f"kenlm-{actual[:16]}{model_path.suffix}",
        sha256=actual,
        order=int(model.order),
    )


def distribute(spark, spec: LMSpec) -> None:
    shipped.distribute(spark, spec.path, spec.shipped_name)


def worker_model(spec: LMSpec):
    """The model in this worker process, loaded on first use from the copy Spark shipped."""
    return shipped.load_once(
        _LOADED,
        spec.sha256,
        spec.path,
        spec.shipped_name,
        lambda local: _load(local, spec.path),
        LMError,
        "KenLM model",
    )


def log_score(model, text: str | None) -> tuple[float, int]:
    """Sum of log10 probabilities over the text's lines, and the tokens scored (``</s>`` included)."""
    total, tokens = 0.0, 0
    for line in lm_lines(text):
        total += model.score(line, bos=True, eos=True)
        tokens += line.count(" ") + 2
    return total, tokens


def perplexity(model, text: str | None) -> float | None:
    total, tokens = log_score(model, text)
    return 10.0 ** (-total / tokens) if tokens else None


def perplexities(spec: LMSpec, texts: list[str | None]) -> list[float | None]:
    model = worker_model(spec)
    return [perplexity(model, text) for text in texts]
