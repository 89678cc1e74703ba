"""A trained fastText classifier as a job uses it: checked on the driver, shipped to executors, loaded once per worker.

A model directory holds the model file and ``card.json`` (written by ``train-classifier``). The driver reads
the card, checks the model file against the card's sha256 and loads it once, so a missing, truncated or
foreign file fails before any task starts, with an error naming the file. The file then travels to the
executors with ``SparkContext.addFile`` under a content-addressed name; each Python worker loads it on first
use and keeps it (cc_net's ``_prepare``). Only the small, picklable :class:`ModelSpec` goes into closures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus_pipeline.errors import InputError
from corpus_pipeline.io import shipped
from corpus_pipeline.io.shipped import file_sha256

_CARD_KEYS = ("kind", "model_file", "sha256", "score_label", "features", "max_chars", "threshold")
_LOADED: dict[str, object] = {}


class ModelError(InputError):
    """A classifier model or its card that cannot be used; the message names the file."""


@dataclass(frozen=True)
class ModelSpec:
    """What a worker needs to load and apply a model (picklable; the model itself never is)."""

    kind: str
    path: str  # on the driver
    shipped_name: str  # name under SparkFiles once distributed
    sha256: str
    score_label: str
    features: str
    max_chars: int
    threshold: float

    def stats(self) -> dict:
        """What ``stats.json`` records about the model a stage used."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "threshold": self.threshold,
            "features": self.features,
            "max_chars": self.max_chars,
        }


def _read_card(card_path: Path) -> dict:
    return shipped.read_card(
        card_path, _CARD_KEYS, ModelError, "model", "every model needs the card.json train-classifier writes"
    )


def _load_fasttext(path: str, shown_as: str):
    import fasttext

    fasttext.FastText.eprint = lambda *args, **kwargs: None  # load_model's stderr notice
    try:
        return fasttext.load_model(path)
    except ValueError as error:
        raise ModelError(f"{shown_as}: cannot load fastText model ({error})") from None


def load_model_spec(model_path: str | Path, kind: str, threshold: float | None = None) -> ModelSpec:
    """Check the model at ``model_path`` against its card and load it once; ``threshold`` overrides the card's."""
    model_path = Path(model_path)
    card_path = model_path.parent / "card.json"
    if not model_path.is_file():
        raise ModelError(f"{model_path}: model file not found")
    card = _read_card(card_path)
    if card["kind"] != kind:
        raise ModelError(f"{card_path}: a {card['kind']!r} model, but the {kind} step needs a {kind!r} model")
    if card["model_file"] != model_path.name:
        raise ModelError(f"{card_path}: describes {card['model_file']!r}, not {model_path.name!r}")
    actual = file_sha256(model_path)
    if actual != card["sha256"]:
        raise ModelError(
            f"{model_path}: sha256 {actual[:12]}… does not match its card ({card['sha256'][:12]}…): "
            "the file is corrupt or was replaced without retraining"
        )
    model = _load_fasttext(str(model_path), str(model_path))
    if card["score_label"] not in model.get_labels():
        raise ModelError(f"{model_path}: has labels {model.get_labels()}, not the card's {card['score_label']!r}")
    _LOADED[actual] = model
    return ModelSpec(
        kind=kind,
        path=str(model_path),
        shipped_name=f"{kind}-{actual[:16]}{model_path.suffix}",
        sha256=actual,
        score_label=card["score_label"],
        features=card["features"],
        max_chars=int(card["max_chars"]),
        threshold=float(card["threshold"] if threshold is None else threshold),
    )


def distribute(spark, spec: ModelSpec) -> None:
    """Send the model file to every executor (``--files`` style), under a name that changes with its content."""
    shipped.distribute(spark, spec.path, spec.shipped_name)


def worker_model(spec: ModelSpec):
    """The model in this worker process, loaded on first use from the copy Spark shipped."""
    return shipped.load_once(
        _LOADED,
        spec.sha256,
        spec.path,
        spec.shipped_name,
        lambda local: _load_fasttext(local, spec.path),
        ModelError,
        "model file",
    )


def score(spec: ModelSpec, texts: list[str]) -> np.ndarray:
    """Probability of the card's ``score_label`` for each text."""
    from corpus_pipeline.classify.scoring import score_texts

    if not texts:
        return np.zeros(0, dtype=np.float64)
    return score_texts(worker_model(spec), texts, spec.score_label, spec.features, spec.max_chars)
