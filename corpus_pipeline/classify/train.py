"""``train-classifier {spam,quality}``: train a fastText classifier, choose its threshold, write model and card.

``--pos`` files hold text worth keeping (label ``__label__keep``), ``--neg`` files text to drop
(``__label__drop``). Steps: read the files (:mod:`.texts`); drop empty texts, exact duplicates and texts found in
both classes; split every input file 80/10/10 into train/valid/test with a seeded shuffle; train on train
(``thread=1`` with a fixed seed: the same inputs give the same model file); choose the threshold on valid only
(spam: the highest spam recall at a false-positive rate on normal text of at most ``--max-fpr``; quality: the
highest F1; see :mod:`.metrics`); report valid and test metrics at that threshold; quantize, and keep the
quantized model when its valid F1 and ROC-AUC are within ``QUANTIZE_TOLERANCE`` of the unquantized model's
(the model file is then ``model.ftz``, else ``model.bin``).

The output folder gets ``model.ftz`` (or ``model.bin``), ``card.json`` and a prose ``README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime
import json
import math
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus_pipeline.classify import metrics
from corpus_pipeline.classify.card import render_readme
from corpus_pipeline.classify.features import FEATURES, fasttext_line
from corpus_pipeline.classify.model import file_sha256
from corpus_pipeline.classify.scoring import score_texts
from corpus_pipeline.classify.training_texts import TXT_MODES, Example, deduplicate, read_inputs, split_examples

KEEP, DROP = "__label__keep", "__label__drop"
QUANTIZE_TOLERANCE = 0.005
DEFAULT_FASTTEXT = {
    "lr": 0.5,
    "epoch": 10,
    "wordNgrams": 3,
    "dim": 16,
    "bucket": 200_000,
    "minCount": 2,
    "minn": 0,
    "maxn": 0,
    "loss": "softmax",
    "thread": 1,
}
DEFAULT_QUANTIZE = {"cutoff": 100_000, "qnorm": True, "retrain": True, "dsub": 2}
MIN_RECALL = 0.97  # spam recall the threshold must keep on valid (target 0.95 on test, with a margin)
OPERATING_POINTS = (0.1, 0.3, 0.5, 0.7, 0.9)  # fixed thresholds reported in the card, for a recipe override


@dataclass(frozen=True)
class Kind:
    """What a classifier kind scores and how its threshold is read and chosen."""

    score_label: str
    inclusive: bool  # predicted positive when score >= threshold (else score > threshold)
    positive_class: str
    decision: str


KINDS = {
    "spam": Kind(
        DROP,
        False,
        "spam: the --neg class (__label__drop); score = P(spam)",
        "drop the document when score > threshold",
    ),
    "quality": Kind(
        KEEP,
        True,
        "high quality: the --pos class (__label__keep); score = P(high quality)",
        "keep the document when score >= threshold",
    ),
}


@contextlib.contextmanager
def _zeroed_allocations():
    """fastText (this build) fills only the first ``thread``/10 of its input matrix with random values and leaves
    the rest as whatever memory malloc hands out: with ``thread=1`` training is then not reproducible and may
    stop with "Encountered NaN" (stale bytes read as NaN). With glibc, ``M_PERTURB`` makes malloc fill new
    blocks with zero bytes (and freed ones with 0xFF) while the context is active, so the untouched rows start
    at zero, the same on every run."""
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc: nothing to do
        yield
        return
    m_perturb = -6
    mallopt(m_perturb, 0xFF)  # new blocks get the complement of 0xFF: zero bytes
    try:
        yield
    finally:
        mallopt(m_perturb, 0)


def _label(example: Example) -> str:
    return KEEP if example.positive else DROP


def write_training_file(train: list[Example], features: str, max_chars: int, path: Path) -> Path:
    """fastText's training file: one ``__label__keep|drop <tokens>`` line per example, in the given order."""
    with open(path, "w", encoding="utf-8") as out:
        for example in train:
            out.write(f"{_label(example)} {fasttext_line(example.text, features, max_chars)}\n")
    return path


def train_file(path: Path, params: dict):
    """A supervised fastText model trained on the training file at ``path``."""
    import fasttext

    with _zeroed_allocations():
        return fasttext.train_supervised(input=str(path), verbose=0, **params)


def fit(train: list[Example], features: str, max_chars: int, params: dict, workdir: Path):
    """A fastText model trained on ``train``; returns the model and the training file written for it."""
    path = write_training_file(train, features, max_chars, workdir / "train.txt")
    return train_file(path, params), path


def quantize(model, path: Path, quantize_params: dict, thread: int) -> None:
    """Quantize ``model`` in place (product quantization, retrained on the training file at ``path``)."""
    with _zeroed_allocations():
        model.quantize(input=str(path), thread=thread, verbose=0, **quantize_params)


def _targets(kind: Kind, examples: list[Example]) -> np.ndarray:
    """True for the metric's positive class: spam (``--neg``) for the spam kind, ``--pos`` for quality."""
    positive = np.array([e.positive for e in examples], dtype=bool)
    return positive if kind.score_label == KEEP else ~positive


def choose_threshold(
    kind_name: str, y: np.ndarray, scores: np.ndarray, max_fpr: float, min_recall: float = MIN_RECALL
) -> float:
    """Spam: the fewest false positives while catching ``min_recall`` of the spam, if that keeps the
    false-positive rate <= ``max_fpr`` (else the highest recall at that rate); quality: the highest F1.
    Rounded to the card's 6 decimals, so the card's metrics are exactly those of the threshold it records."""
    if kind_name == "spam":
        threshold = round(metrics.threshold_fewest_fp_at_recall(y, scores, min_recall), 6)
        if metrics.binary_metrics(y, scores, threshold)["false_positive_rate"] <= max_fpr:
            return threshold
        return round(metrics.threshold_max_recall_at_fpr(y, scores, max_fpr), 6)
    return round(metrics.threshold_max_f1(y, scores), 6)


def clean_floats(value):
    """Floats rounded to 6 decimals for the card; NaN becomes None (JSON has no NaN)."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, dict):
        return {k: clean_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_floats(v) for v in value]
    return value


def throughput(model, texts: list[str], score_label: str, features: str, max_chars: int) -> float:
    """Scoring throughput in MB/s (UTF-8 bytes of the whole texts, 10^6 bytes) in this process: tokenization and
    prediction, best of three passes."""
    size = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        score_texts(model, texts, score_label, features, max_chars)
        best = min(best, time.perf_counter() - start)
    return size / 1e6 / best if best > 0 else float("inf")


def evaluate(
    model, kind_name: str, splits: dict, features: str, max_chars: int, max_fpr: float, files: list | None = None
) -> dict:
    """Threshold from valid; valid and test metrics at it (and per input file on test, when ``files`` given)."""
    kind = KINDS[kind_name]
    scored = {}
    for name in ("valid", "test"):
        texts = [e.text for e in splits[name]]
        scored[name] = (_targets(kind, splits[name]), score_texts(model, texts, kind.score_label, features, max_chars))
    threshold = choose_threshold(kind_name, *scored["valid"], max_fpr)
    out = {name: metrics.binary_metrics(y, s, threshold, kind.inclusive) for name, (y, s) in scored.items()}
    out["operating_points"] = [
        {
            "threshold": t,
            **{
                name: {
                    k: metrics.binary_metrics(y, s, t, kind.inclusive)[k]
                    for k in ("precision", "recall", "false_positive_rate")
                }
                for name, (y, s) in scored.items()
            },
        }
        for t in OPERATING_POINTS
    ]
    if files is not None:
        flagged = metrics.predict(scored["test"][1], threshold, kind.inclusive)
        by_file = []
        for index, file in enumerate(files):
            mask = np.array([e.file == index for e in splits["test"]], dtype=bool)
            by_file.append(
                {
                    "path": file.shown,
                    "n": int(mask.sum()),
                    "flagged": float(flagged[mask].mean()) if mask.any() else None,
                }
            )
        out["test_by_file"] = by_file
    return out


def prepare(pos_paths, neg_paths, seed: int, txt_mode: str = "chunks", max_per_file: int | None = None):
    """Read, deduplicate and split: ``(files, splits, the card's data section)``; files are ``--pos`` then
    ``--neg`` files, in order (an example's ``file`` indexes this list)."""
    pos_files = read_inputs(list(pos_paths), txt_mode)
    neg_files = read_inputs(list(neg_paths), txt_mode)
    files = pos_files + neg_files
    positive = [True] * len(pos_files) + [False] * len(neg_files)
    examples, removed = deduplicate(files, positive)
    splits = split_examples(examples, seed, limit=max_per_file)
    unique = [sum(1 for e in examples if e.file == i) for i in range(len(files))]

    def describe(index: int) -> dict:
        file = files[index]
        used = sum(1 for name in splits for e in splits[name] if e.file == index)
        return {
            "path": file.shown,
            "sha256": file.sha256,
            "documents": len(file.texts),
            "unique": unique[index],
            "used": used,
        }

    data = {
        "pos": [describe(i) for i in range(len(pos_files))],
        "neg": [describe(len(pos_files) + i) for i in range(len(neg_files))],
        "dedup_removed": removed["duplicate"],
        "in_both_classes_removed": removed["in_both_classes"],
        "empty_removed": removed["empty"],
        "max_per_file": max_per_file,
        "txt_mode": txt_mode,
        "split": {name: len(splits[name]) for name in splits},
        "split_by_class": {
            label: {name: sum(1 for e in splits[name] if e.positive == (label == "pos")) for name in splits}
            for label in ("pos", "neg")
        },
    }
    return files, splits, data


def code_version() -> str:
    """The package version and, in a git checkout, the commit and whether the classifier code differs from it."""
    from corpus_pipeline import __version__

    root = Path(__file__).resolve().parents[2]

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "--no-optional-locks", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()

    try:
        commit = git("rev-parse", "--short=12", "HEAD")
        dirty = git("status", "--porcelain", "--", "corpus_pipeline/classify")
    except (OSError, subprocess.SubprocessError):
        return f"corpus_pipeline {__version__}"
    return f"corpus_pipeline {__version__} (git {commit}{', classify/ modified' if dirty else ''})"


def train_classifier(
    kind: str,
    pos_paths,
    neg_paths,
    out_dir,
    *,
    features: str = "chars",
    seed: int = 0,
    max_chars: int = 2000,
    max_fpr: float = 0.01,
    txt_mode: str = "chunks",
    max_per_file: int | None = None,
    fasttext_params: dict | None = None,
    quantize_params: dict | None = None,
    feature_selection: dict | None = None,
) -> dict:
    """Train a ``kind`` classifier on ``pos_paths`` (keep) and ``neg_paths`` (drop) into ``out_dir``; returns the
    card (also written as ``card.json`` with a prose ``README.md``)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if features not in FEATURES:
        raise ValueError(f"features must be one of {', '.join(FEATURES)}, got {features!r}")
    params = {**DEFAULT_FASTTEXT, **(fasttext_params or {}), "seed": seed}
    qparams = {**DEFAULT_QUANTIZE, **(quantize_params or {})}
    files, splits, data = prepare(pos_paths, neg_paths, seed, txt_mode, max_per_file)
    for name in ("train", "valid"):
        if len({e.positive for e in splits[name]}) < 2:
            raise ValueError(f"the {name} split needs documents of both classes: give more training text")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="train-classifier-") as tmp:
        model, train_path = fit(splits["train"], features, max_chars, params, Path(tmp))
        plain = evaluate(model, kind, splits, features, max_chars, max_fpr, files)
        plain_path = Path(tmp) / "model.bin"
        model.save_model(str(plain_path))
        quantize(model, train_path, qparams, params["thread"])
        quant = evaluate(model, kind, splits, features, max_chars, max_fpr, files)
        keep_quantized = (
            quant["valid"]["f1"] >= plain["valid"]["f1"] - QUANTIZE_TOLERANCE
            and quant["valid"]["roc_auc"] >= plain["valid"]["roc_auc"] - QUANTIZE_TOLERANCE
        )
        model_file = "model.ftz" if keep_quantized else "model.bin"
        for stale in ("model.ftz", "model.bin"):
            (out_dir / stale).unlink(missing_ok=True)
        if keep_quantized:
            model.save_model(str(out_dir / model_file))
            chosen = quant
        else:
            (out_dir / model_file).write_bytes(plain_path.read_bytes())
            chosen = plain
            import fasttext

            model = fasttext.load_model(str(out_dir / model_file))
        speed = throughput(model, [e.text for e in splits["test"]], KINDS[kind].score_label, features, max_chars)
    card = build_card(
        kind,
        out_dir / model_file,
        features,
        max_chars,
        max_fpr,
        seed,
        params,
        qparams,
        keep_quantized,
        data,
        chosen,
        plain,
        quant,
        speed,
        feature_selection,
    )
    (out_dir / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out_dir / "README.md").write_text(render_readme(card), encoding="utf-8")
    return card


def build_card(
    kind,
    model_path: Path,
    features,
    max_chars,
    max_fpr,
    seed,
    params,
    qparams,
    quantized,
    data,
    chosen,
    plain,
    quant,
    speed,
    feature_selection,
) -> dict:
    """The ``card.json`` content (its fields are described in ``models/README.md``)."""
    spec = KINDS[kind]
    rule = (
        f"fewest false positives on the valid split while catching >= {MIN_RECALL} of its spam (if that keeps "
        f"the false-positive rate <= {max_fpr}; else the highest recall at that rate): midway between the lowest "
        "spam score still caught and the next lower score"
        if kind == "spam"
        else "highest F1 on the valid split: midway between the lowest score kept and the next lower score"
    )
    card = {
        "kind": kind,
        "model_file": model_path.name,
        "sha256": file_sha256(model_path),
        "size_bytes": model_path.stat().st_size,
        "score_label": spec.score_label,
        "labels": [KEEP, DROP],
        "features": features,
        "max_chars": max_chars,
        "threshold": chosen["test"]["threshold"],
        "decision": spec.decision,
        "threshold_rule": rule,
        "metrics_positive_class": spec.positive_class,
        "fasttext": params,
        "quantization": {
            **qparams,
            "tolerance": QUANTIZE_TOLERANCE,
            "rule": "quantized model kept when its valid F1 and ROC-AUC are "
            "within the tolerance of the unquantized model's",
        },
        "quantized": quantized,
        "seed": seed,
        "date": datetime.date.today().isoformat(),
        "code_version": code_version(),
        "data": data,
        "metrics": {
            "test": chosen["test"],
            "valid": chosen["valid"],
            "test_by_file": chosen["test_by_file"],
            "operating_points": chosen["operating_points"],
            "unquantized_test": plain["test"],
            "unquantized_valid": plain["valid"],
            "quantized_test": quant["test"],
            "throughput_mb_s": speed,
        },
        "feature_selection": feature_selection or {},
    }
    return clean_floats(card)


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``train-classifier`` options (the sub-command's parser)."""
    parser.add_argument("kind", choices=sorted(KINDS), help="spam: score = P(spam); quality: score = P(high quality)")
    parser.add_argument(
        "--pos",
        nargs="+",
        required=True,
        metavar="PATH",
        help="text worth keeping: .jsonl, .jsonl.gz (field text), .txt, directories or globs",
    )
    parser.add_argument("--neg", nargs="+", required=True, metavar="PATH", help="text to drop (spam, low quality)")
    parser.add_argument("--out", required=True, metavar="DIR", help="writes model.ftz (or .bin), card.json, README.md")
    parser.add_argument("--features", choices=FEATURES, default="chars", help="tokens: characters or jieba words")
    parser.add_argument("--max-chars", type=int, default=2000, help="characters of a document the model sees (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--max-fpr",
        type=float,
        default=0.01,
        help="spam: largest false-positive rate on the valid split when choosing the threshold",
    )
    parser.add_argument(
        "--txt-mode",
        choices=TXT_MODES,
        default="chunks",
        help=".txt files: chunks of 1,000-3,000 characters (books) or blank-line blocks",
    )
    parser.add_argument("--max-per-file", type=int, metavar="N", help="use at most N documents of each input file")
    for flag, key in (("--word-ngrams", "wordNgrams"), ("--epoch", "epoch"), ("--dim", "dim"), ("--bucket", "bucket")):
        parser.add_argument(flag, type=int, dest=key, help=f"fastText {key} (default {DEFAULT_FASTTEXT[key]})")
    parser.add_argument(
        "--quantize-cutoff",
        type=int,
        dest="cutoff",
        help=f"rows kept when quantizing (default {DEFAULT_QUANTIZE['cutoff']})",
    )
    parser.add_argument(
        "--feature-selection",
        metavar="JSON",
        help="the feature comparison bench/classifier_features.py wrote, copied into the card",
    )


def run_train_command(args: argparse.Namespace) -> dict:
    """Run ``train-classifier`` from parsed arguments; returns the card."""
    overrides = {
        key: getattr(args, key) for key in ("wordNgrams", "epoch", "dim", "bucket") if getattr(args, key) is not None
    }
    quantize_overrides = {"cutoff": args.cutoff} if args.cutoff is not None else {}
    selection = None
    if args.feature_selection:
        selection = json.loads(Path(args.feature_selection).read_text(encoding="utf-8"))
    return train_classifier(
        args.kind,
        args.pos,
        args.neg,
        args.out,
        features=args.features,
        seed=args.seed,
        max_chars=args.max_chars,
        max_fpr=args.max_fpr,
        txt_mode=args.txt_mode,
        max_per_file=args.max_per_file,
        fasttext_params=overrides,
        quantize_params=quantize_overrides,
        feature_selection=selection,
    )


def main(argv: list[str] | None = None) -> int:
    from corpus_pipeline.errors import InputError

    parser = argparse.ArgumentParser(
        prog="python -m corpus_pipeline.classify.train", description=__doc__.splitlines()[0]
    )
    add_train_arguments(parser)
    args = parser.parse_args(argv)
    try:
        card = run_train_command(args)
    except InputError as error:
        print(f"train-classifier: {error}", file=sys.stderr)
        return 2
    test = card["metrics"]["test"]
    print(
        f"{card['kind']}: {Path(args.out) / card['model_file']} threshold {card['threshold']}, test precision "
        f"{test['precision']:.4f} recall {test['recall']:.4f} F1 {test['f1']:.4f} "
        f"FPR {test['false_positive_rate']:.4f} "
        f"AUC {test['roc_auc']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
