"""A tokenizer as jobs use it: ours (CPM-style), a Hugging Face ``tokenizer.json`` or a SentencePiece ``.model``.

* ``cpm`` (ours): a directory with ``tokenizer.model`` (SentencePiece over jieba-segmented, reversibly escaped
  text) and ``card.json`` (written by ``train-tokenizer``), checked against each other;
  ``decode(encode(text)) == text`` for every text.
* ``huggingface``: a ``tokenizer.json`` file (the ``tokenizers`` library; what ``save_pretrained`` writes).
* ``sentencepiece``: a SentencePiece ``.model`` file used as it is (no segmentation or escaping).

:func:`load_tokenizer_spec` reads the file on the driver, so a missing, truncated or foreign file fails before
any task starts with an error naming it; workers load the shipped copy once per process (:func:`worker_tokenizer`).
The end-of-document id is ``<eod>`` for ours; for the others the ``eod_token`` given, else the tokenizer's own
end-of-sequence token (``</s>``, ``<|endoftext|>``, ``<eos>``, ``[SEP]``, or SentencePiece's ``eos_id``).
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
KINDS = ("cpm", "huggingface", "sentencepiece")
EOS_CANDIDATES = ("</s>", "<|endoftext|>", "<eos>", "<|end_of_text|>", "[SEP]")
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
    pad_id: int | None
    unk_id: int | None
    eod_id: int
    kind: str = "cpm"
    eod_token: str = SPECIAL_TOKENS["eod"]

    def stats(self) -> dict:
        return {
            "kind": self.kind,
            "path": self.directory,
            "sha256": self.sha256,
            "vocab_size": self.vocab_size,
            "segmenter": self.segmenter,
            "eod_id": self.eod_id,
            "eod_token": self.eod_token,
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


class PlainSentencePiece:
    """A SentencePiece model used as it is."""

    def __init__(self, processor, eod_id: int) -> None:
        self.processor, self.eod_id, self.vocab_size = processor, eod_id, processor.get_piece_size()

    def encode(self, text: str) -> list[int]:
        return self.processor.encode(text)

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        return self.processor.encode(list(texts))

    def decode(self, ids) -> str:
        return self.processor.decode([int(i) for i in ids])


class HuggingFaceTokenizer:
    """A ``tokenizers`` tokenizer; no special tokens are added (documents are separated by the eod id)."""

    def __init__(self, tokenizer, eod_id: int) -> None:
        self.tokenizer, self.eod_id = tokenizer, eod_id
        self.vocab_size = tokenizer.get_vocab_size(with_added_tokens=True)

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def decode(self, ids) -> str:
        return self.tokenizer.decode([int(i) for i in ids], skip_special_tokens=True)


def _huggingface(data: bytes, shown_as: str):
    try:
        from tokenizers import Tokenizer as HFTokenizer
    except ImportError:
        raise TokenizerError(f"{shown_as}: a tokenizer.json needs the tokenizers package (pip install tokenizers)")
    try:
        return HFTokenizer.from_str(data.decode("utf-8"))
    except Exception as error:  # the library raises plain Exceptions for a bad file
        raise TokenizerError(f"{shown_as}: not a Hugging Face tokenizer.json ({error})") from None


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


def tokenizer_kind(path: str | Path) -> str:
    """``cpm`` for a directory, ``huggingface`` for a ``.json`` file, ``sentencepiece`` for any other file."""
    path = Path(path)
    if path.is_dir():
        return "cpm"
    if not path.is_file():
        raise TokenizerError(f"{path}: tokenizer not found (a tokenizer directory, tokenizer.json or .model file)")
    return "huggingface" if path.suffix == ".json" else "sentencepiece"


def _eod(find, name: str | None, shown_as: str, fallback: tuple[int, str] | None = None) -> tuple[int, str]:
    """The id and token of the end-of-document marker: ``name`` when given, else the first known EOS token."""
    for token in [name] if name else EOS_CANDIDATES:
        token_id = find(token)
        if token_id is not None:
            return token_id, token
    if name is None and fallback is not None:
        return fallback
    wanted = f"token {name!r}" if name else f"end-of-sequence token (one of {', '.join(EOS_CANDIDATES)})"
    raise TokenizerError(f"{shown_as}: no {wanted} in the vocabulary; name one with --eod-token")


def _file_spec(path: Path, kind: str, eod_token: str | None) -> TokenizerSpec:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if kind == "huggingface":
        hf = _huggingface(data, str(path))
        eod_id, token = _eod(hf.token_to_id, eod_token, str(path))
        loaded = HuggingFaceTokenizer(hf, eod_id)
    else:
        processor = _sentencepiece(data, str(path))

        def find(token: str) -> int | None:
            token_id = processor.piece_to_id(token)
            return token_id if processor.id_to_piece(token_id) == token and token_id != processor.unk_id() else None

        eos = processor.eos_id()
        fallback = (eos, processor.id_to_piece(eos)) if eos >= 0 else None
        eod_id, token = _eod(find, eod_token, str(path), fallback)
        loaded = PlainSentencePiece(processor, eod_id)
    spec = TokenizerSpec(
        directory=str(path),
        path=str(path),
        shipped_name=f"tokenizer-{digest[:16]}{path.suffix or '.model'}",
        sha256=digest,
        segmenter=None,
        vocab_size=loaded.vocab_size,
        pad_id=None,
        unk_id=None,
        eod_id=eod_id,
        kind=kind,
        eod_token=token,
    )
    _LOADED[digest] = loaded
    return spec


def load_tokenizer_spec(directory: str | Path, eod_token: str | None = None) -> TokenizerSpec:
    """Check the tokenizer at ``directory`` (ours: against its card; or a tokenizer.json / .model file) and load
    it once in this process."""
    kind = tokenizer_kind(directory)
    if kind != "cpm":
        return _file_spec(Path(directory), kind, eod_token)
    directory = Path(directory)
    if eod_token not in (None, SPECIAL_TOKENS["eod"]):
        raise TokenizerError(
            f"{directory}: our tokenizer's end of document is {SPECIAL_TOKENS['eod']}, not {eod_token}"
        )
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

    def load(local: str):
        data = Path(local).read_bytes()
        if spec.kind == "huggingface":
            return HuggingFaceTokenizer(_huggingface(data, spec.path), spec.eod_id)
        if spec.kind == "sentencepiece":
            return PlainSentencePiece(_sentencepiece(data, spec.path), spec.eod_id)
        return Tokenizer(_sentencepiece(data, spec.path), spec.segmenter, spec.eod_id)

    return shipped.load_once(_LOADED, spec.sha256, spec.path, spec.shipped_name, load, TokenizerError, "tokenizer")


def load_tokenizer(directory: str | Path, eod_token: str | None = None):
    """The tokenizer at ``directory`` (ours checked against its card; or a file), for scripts and tests."""
    return worker_tokenizer(load_tokenizer_spec(directory, eod_token))
