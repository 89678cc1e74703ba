"""A trained tokenizer as jobs use it: SentencePiece over jieba-segmented, reversibly escaped text.

A tokenizer directory holds ``tokenizer.model`` (SentencePiece) and ``card.json`` (written by
``train-tokenizer``). :func:`load_tokenizer_spec` checks the model against the card on the driver, so a
missing, truncated or foreign file fails before any task starts with an error naming it; workers load the
shipped copy once per process (:func:`worker_tokenizer`). ``decode(encode(text)) == text`` for every text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from corpus_pipeline.errors import InputError
from corpus_pipeline.io import shipped
from corpus_pipeline.tokenizer.reversible import join_words, unescape
from corpus_pipeline.tokenizer.segment import SEGMENTERS, segmenter

MODEL_FILE = "tokenizer.model"
CARD_FILE = "card.json"
TEXT_FORMAT = "cpm-reversible-v1"  # the escaping in corpus_pipeline.tokenizer.reversible
SPECIAL_TOKENS = {"pad": "<pad>", "unk": "<unk>", "eod": "<eod>"}
_CARD_KEYS = ("kind", "model_file", "sha256", "text_format", "segmenter", "vocab_size", "special_tokens")
_LOADED: dict[str, Tokenizer] = {}


class TokenizerError(InputError):
    """A tokenizer directory that cannot be used; the message names the file."""


@dataclass(frozen=True)
class TokenizerSpec:
    """What a worker needs to load the tokenizer (picklable; the SentencePiece model itself never is)."""

    directory: str
    path: str  # the model file on the driver
    shipped_name: str
    sha256: str
    segmenter: str
    vocab_size: int
    pad_id: int
    unk_id: int
    eod_id: int

    def stats(self) -> dict:
        return {
            "path": self.directory,
            "sha256": self.sha256,
            "vocab_size": self.vocab_size,
            "segmenter": self.segmenter,
            "eod_id": self.eod_id,
        }


class Tokenizer:
    """Segment with jieba's rules, escape, encode with SentencePiece; decode inverts it exactly."""

    def __init__(self, processor, segmenter_name: str, eod_id: int) -> None:
        self.processor = processor
        self.segment = segmenter(segmenter_name)
        self.eod_id = eod_id
        self.vocab_size = processor.get_piece_size()

    def model_input(self, text: str) -> str:
        return join_words(self.segment(text))

    def encode(self, text: str) -> list[int]:
        return self.processor.encode(self.model_input(text))

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        return self.processor.encode([self.model_input(text) for text in texts])

    def decode(self, ids) -> str:
        """The text of ``ids`` (``<eod>`` and other control tokens decode to nothing)."""
        return unescape(self.processor.decode([int(i) for i in ids]))


def _sentencepiece(model_bytes: bytes, shown_as: str):
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor()
    try:
        processor.LoadFromSerializedProto(model_bytes)
    except (RuntimeError, OSError) as error:
        raise TokenizerError(f"{shown_as}: not a SentencePiece model ({error})") from None
    return processor


def read_card(directory: Path) -> dict:
    card_path = directory / CARD_FILE
    card = shipped.read_card(
        card_path, _CARD_KEYS, TokenizerError, "tokenizer", "train-tokenizer writes it beside the model"
    )
    if card["kind"] != "tokenizer":
        raise TokenizerError(f"{card_path}: a {card['kind']!r} card, not a tokenizer's")
    if card["text_format"] != TEXT_FORMAT:
        raise TokenizerError(f"{card_path}: text format {card['text_format']!r}; this code reads {TEXT_FORMAT!r}")
    if card["segmenter"] not in SEGMENTERS:
        raise TokenizerError(f"{card_path}: unknown segmenter {card['segmenter']!r}")
    return card


def load_tokenizer_spec(directory: str | Path) -> TokenizerSpec:
    """Check the tokenizer in ``directory`` against its card and load it once in this process."""
    directory = Path(directory)
    if not directory.is_dir():
        raise TokenizerError(f"{directory}: tokenizer directory not found")
    card = read_card(directory)
    model_path = directory / card["model_file"]
    if not model_path.is_file():
        raise TokenizerError(f"{model_path}: tokenizer model not found")
    data = model_path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != card["sha256"]:
        raise TokenizerError(
            f"{model_path}: sha256 {actual[:12]}… does not match its card ({card['sha256'][:12]}…): "
            "the file is corrupt or was replaced without retraining"
        )
    processor = _sentencepiece(data, str(model_path))
    ids = {}
    for name, piece in SPECIAL_TOKENS.items():
        ids[name] = processor.piece_to_id(piece)
        if processor.id_to_piece(ids[name]) != piece or card["special_tokens"].get(piece) != ids[name]:
            raise TokenizerError(
                f"{model_path}: special token {piece} is not the card's id {card['special_tokens'].get(piece)}"
            )
    if processor.get_piece_size() != card["vocab_size"]:
        raise TokenizerError(f"{model_path}: {processor.get_piece_size()} pieces, the card says {card['vocab_size']}")
    spec = TokenizerSpec(
        directory=str(directory),
        path=str(model_path),
        shipped_name=f"tokenizer-{actual[:16]}.model",
        sha256=actual,
        segmenter=card["segmenter"],
        vocab_size=int(card["vocab_size"]),
        pad_id=ids["pad"],
        unk_id=ids["unk"],
        eod_id=ids["eod"],
    )
    _LOADED[actual] = Tokenizer(processor, spec.segmenter, spec.eod_id)
    return spec


def distribute(spark, spec: TokenizerSpec) -> None:
    shipped.distribute(spark, spec.path, spec.shipped_name)


def worker_tokenizer(spec: TokenizerSpec) -> Tokenizer:
    """The tokenizer in this process, loaded on first use from the copy Spark shipped."""

    def load(local: str) -> Tokenizer:
        return Tokenizer(_sentencepiece(Path(local).read_bytes(), spec.path), spec.segmenter, spec.eod_id)

    return shipped.load_once(_LOADED, spec.sha256, spec.path, spec.shipped_name, load, TokenizerError, "tokenizer")


def load_tokenizer(directory: str | Path) -> Tokenizer:
    """The tokenizer in ``directory``, checked against its card (for scripts and tests)."""
    return worker_tokenizer(load_tokenizer_spec(directory))
