"""``train-tokenizer``: SentencePiece on a jieba-segmented sample of documents (CPM §2.2), with a card.

Spark reads the documents, cuts them into paragraphs and picks a sample by a hash of (seed, source, id,
paragraph number), so the sample does not depend on partitioning. A share of the sampled paragraphs is
held out; the rest are segmented and escaped on the executors (:mod:`corpus_pipeline.tokenizer.reversible`)
and streamed to a file on the driver, where SentencePiece trains. The held-out paragraphs measure
characters per token and are checked to decode to themselves; ``card.json`` records data, settings,
metrics and the model's sha256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import struct
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import pyarrow as pa

from corpus_pipeline.schema import spark_schema
from corpus_pipeline.tokenizer.model import (
    CARD_FILE,
    MODEL_FILE,
    SPECIAL_TOKENS,
    TEXT_FORMAT,
    TokenizerError,
    load_tokenizer,
)
from corpus_pipeline.tokenizer.reversible import NEWLINE_SYMBOL, SPACE_SYMBOL, join_words
from corpus_pipeline.tokenizer.segment import SEGMENTERS, segmenter

TRAIN, HELD_OUT = "train", "held_out"
_SAMPLE_SCHEMA = pa.schema([("key", pa.int64()), ("part", pa.string()), ("source", pa.string()), ("text", pa.string())])


@dataclass(frozen=True)
class TokenizerTraining:
    vocab_size: int = 30000
    model_type: str = "unigram"
    sample_bytes: int = 200 * 2**20
    held_out: float = 0.02
    seed: int = 0
    segmenter: str = "rjieba"
    character_coverage: float = 0.9995
    max_sentence_chars: int = 2000
    threads: int = 2

    def __post_init__(self) -> None:
        if self.model_type not in ("unigram", "bpe"):
            raise TokenizerError(f"--model-type: expected unigram or bpe, got {self.model_type!r}")
        if self.segmenter not in SEGMENTERS:
            raise TokenizerError(f"--segmenter: expected one of {', '.join(SEGMENTERS)}, got {self.segmenter!r}")
        if not 0 <= self.held_out < 1:
            raise TokenizerError(f"--held-out: expected a fraction in [0, 1), got {self.held_out}")
        if self.vocab_size < 100 or self.sample_bytes <= 0 or self.max_sentence_chars <= 0:
            raise TokenizerError("--vocab-size must be >= 100 and --sample-mb positive")


def _hash(seed: int, source: str, doc_id: str, paragraph: int, salt: bytes) -> int:
    key = f"{seed}\x1f{source}\x1f{doc_id}\x1f{paragraph}".encode()
    return struct.unpack("<Q", hashlib.blake2b(key, digest_size=8, person=salt).digest())[0]


def _uniform(seed: int, source: str, doc_id: str, paragraph: int, salt: bytes) -> float:
    return _hash(seed, source, doc_id, paragraph, salt) / 2.0**64


def _chunks(words: list[str], max_chars: int):
    """Word lists of at most ``max_chars`` characters (SentencePiece skips longer sentences)."""
    chunk, size = [], 0
    for word in words:
        if chunk and size + len(word) > max_chars:
            yield chunk
            chunk, size = [], 0
        chunk.append(word)
        size += len(word)
    if chunk:
        yield chunk


def sample_paragraphs(rows, settings: TokenizerTraining, fraction: float):
    """(key, part, source, text) for the sampled paragraphs of (source, id, text) rows; training text escaped.

    ``key`` (a hash of the paragraph's identity) orders the sample, so the training file does not depend on
    how the input is partitioned.
    """
    segment = segmenter(settings.segmenter)
    for source, doc_id, text in rows:
        for number, paragraph in enumerate((text or "").split("\n")):
            if not paragraph.strip() or _uniform(settings.seed, source, doc_id, number, b"sample") >= fraction:
                continue
            key = _hash(settings.seed, source, doc_id, number, b"order") - 2**63
            if _uniform(settings.seed, source, doc_id, number, b"held-out") < settings.held_out:
                yield key, HELD_OUT, source, paragraph
                continue
            for chunk in _chunks(segment(paragraph), settings.max_sentence_chars):
                yield key, TRAIN, source, join_words(chunk)


def _sample_batches(settings: TokenizerTraining, fraction: float):
    def run(batches):
        for batch in batches:
            rows = zip(*(batch.column(name).to_pylist() for name in ("source", "id", "text")))
            out = list(sample_paragraphs(rows, settings, fraction))
            if out:
                yield pa.RecordBatch.from_arrays([pa.array(column) for column in zip(*out)], schema=_SAMPLE_SCHEMA)

    return run


def collect_sample(spark, inputs: list[str], settings: TokenizerTraining, sentences_path: Path):
    """Write the training sentences to ``sentences_path``; return the held-out paragraphs and sample counts."""
    from pyspark.sql import functions as F

    from corpus_pipeline.io.documents import read_documents

    documents = read_documents(spark, inputs).select("source", "id", "text")
    total = documents.agg(F.count(F.lit(1)).alias("n"), F.sum(F.octet_length("text")).alias("b")).first()
    text_bytes = int(total["b"] or 0)
    if not text_bytes:
        raise TokenizerError(f"{', '.join(inputs)}: no text to train a tokenizer on")
    fraction = min(1.0, settings.sample_bytes / text_bytes)
    sample = (
        documents.mapInArrow(_sample_batches(settings, fraction), spark_schema(_SAMPLE_SCHEMA))
        .orderBy("key", "part", "source", "text")
        .drop("key")
    )
    held_out: list[tuple[str, str]] = []
    counts = defaultdict(lambda: {"train_sentences": 0, "train_input_chars": 0, "held_out_paragraphs": 0})
    with open(sentences_path, "w", encoding="utf-8", newline="\n") as out:  # a "\r" in a sentence stays in it
        for row in sample.toLocalIterator(prefetchPartitions=True):
            part, source, text = row
            if part == TRAIN:
                out.write(text + "\n")
                counts[source]["train_sentences"] += 1
                counts[source]["train_input_chars"] += len(text)
            else:
                held_out.append((source, text))
                counts[source]["held_out_paragraphs"] += 1
    return held_out, {
        "documents": int(total["n"]),
        "text_bytes": text_bytes,
        "sample_fraction": fraction,
        "sources": dict(sorted(counts.items())),
    }


def train_sentencepiece(sentences_path: Path, settings: TokenizerTraining, sentences: int) -> bytes:
    """The serialized model. Sentences are streamed from the file, so no path ends up in the model."""
    import io

    import sentencepiece as spm

    spm.set_random_generator_seed(settings.seed)
    model = io.BytesIO()
    with open(sentences_path, encoding="utf-8", newline="\n") as handle:  # lines end at "\n" only
        try:
            spm.SentencePieceTrainer.train(
                sentence_iterator=(line.rstrip("\n") for line in handle),
                model_writer=model,
                vocab_size=settings.vocab_size,
                model_type=settings.model_type,
                character_coverage=settings.character_coverage,
                byte_fallback=True,
                normalization_rule_name="identity",
                add_dummy_prefix=False,
                remove_extra_whitespaces=False,
                pad_id=0,
                unk_id=1,
                eos_id=2,
                bos_id=-1,
                pad_piece=SPECIAL_TOKENS["pad"],
                unk_piece=SPECIAL_TOKENS["unk"],
                eos_piece=SPECIAL_TOKENS["eod"],
                user_defined_symbols=[SPACE_SYMBOL, NEWLINE_SYMBOL],
                max_sentence_length=4 * settings.max_sentence_chars + 64,
                input_sentence_size=max(sentences, 1),
                shuffle_input_sentence=True,
                num_threads=settings.threads,
                minloglevel=2,
            )
        except RuntimeError as error:  # e.g. a vocabulary smaller than the sample's characters + 256 bytes
            raise TokenizerError(f"SentencePiece training failed: {error}") from None
    return model.getvalue()


def held_out_metrics(tokenizer, held_out: list[tuple[str, str]]) -> dict:
    """Characters per token on the held-out paragraphs, per source; fails if any does not decode to itself."""
    per_source = defaultdict(lambda: {"paragraphs": 0, "chars": 0, "tokens": 0})
    for source, text in held_out:
        ids = tokenizer.encode(text)
        if tokenizer.decode(ids) != text:
            raise TokenizerError(f"held-out paragraph from {source} does not decode to itself: {text[:60]!r}")
        counts = per_source[source]
        counts["paragraphs"] += 1
        counts["chars"] += len(text)
        counts["tokens"] += len(ids)
    chars = sum(c["chars"] for c in per_source.values())
    tokens = sum(c["tokens"] for c in per_source.values())
    return {
        "held_out_paragraphs": len(held_out),
        "chars_per_token": round(chars / tokens, 4) if tokens else None,
        "round_trip_exact": True,
        "sources": {
            s: {**c, "chars_per_token": round(c["chars"] / c["tokens"], 4) if c["tokens"] else None}
            for s, c in sorted(per_source.items())
        },
    }


def _versions() -> dict:
    found = {}
    for package in ("sentencepiece", "jieba", "rjieba"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def train_tokenizer(
    spark, inputs: list[str], out_dir: str | Path, settings: TokenizerTraining, data_description: str | None = None
) -> dict:
    """Train, evaluate on held-out text and write ``tokenizer.model`` + ``card.json`` into ``out_dir``."""
    started = time.time()
    out_dir = Path(out_dir)
    work = Path(tempfile.mkdtemp(prefix="train-tokenizer-"))
    try:
        sentences_path = work / "sentences.txt"
        held_out, data = collect_sample(spark, inputs, settings, sentences_path)
        sentences = sum(s["train_sentences"] for s in data["sources"].values())
        if not sentences:
            raise TokenizerError(f"{', '.join(inputs)}: the sample holds no training text")
        model_bytes = train_sentencepiece(sentences_path, settings, sentences)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MODEL_FILE).write_bytes(model_bytes)
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_proto=model_bytes)
    card = {
        "kind": "tokenizer",
        "model_file": MODEL_FILE,
        "sha256": hashlib.sha256(model_bytes).hexdigest(),
        "text_format": TEXT_FORMAT,
        "segmenter": settings.segmenter,
        "vocab_size": processor.get_piece_size(),
        "special_tokens": {piece: processor.piece_to_id(piece) for piece in SPECIAL_TOKENS.values()},
        "symbols": {"space": SPACE_SYMBOL, "newline": NEWLINE_SYMBOL, "byte_fallback": True},
        "training": asdict(settings),
        "data": {"description": data_description, "inputs": [str(path) for path in inputs], **data},
        "versions": _versions(),
    }
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    card["metrics"] = held_out_metrics(load_tokenizer(out_dir), held_out)
    card["seconds"] = round(time.time() - started, 1)
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return card


def add_train_tokenizer_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = TokenizerTraining()
    parser.add_argument(
        "--input",
        nargs="+",
        required=True,
        metavar="DIR",
        help="a stage's output directory (its kept/ documents), or parquet documents",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="writes tokenizer.model and card.json here")
    parser.add_argument("--vocab-size", type=int, default=defaults.vocab_size)
    parser.add_argument("--model-type", choices=("unigram", "bpe"), default=defaults.model_type)
    parser.add_argument(
        "--sample-mb",
        type=float,
        default=defaults.sample_bytes / 2**20,
        help="UTF-8 text to sample for training (paragraphs, by hash)",
    )
    parser.add_argument(
        "--held-out",
        type=float,
        default=defaults.held_out,
        help="share of sampled paragraphs held out to measure characters per token",
    )
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--segmenter",
        choices=SEGMENTERS,
        default=defaults.segmenter,
        help="rjieba: jieba's segmentation, faster (tested equal); jieba: jieba itself",
    )
    parser.add_argument("--character-coverage", type=float, default=defaults.character_coverage)
    parser.add_argument("--threads", type=int, default=defaults.threads, help="SentencePiece training threads")
    parser.add_argument("--data-description", metavar="TEXT", help="what the input is, for the card")
    parser.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")


def settings_from_args(args: argparse.Namespace) -> TokenizerTraining:
    return TokenizerTraining(
        vocab_size=args.vocab_size,
        model_type=args.model_type,
        sample_bytes=int(args.sample_mb * 2**20),
        held_out=args.held_out,
        seed=args.seed,
        segmenter=args.segmenter,
        character_coverage=args.character_coverage,
        threads=args.threads,
    )
