"""Training texts: reading the files, exact deduplication and the seeded held-out split.

Inputs are files, directories (searched recursively, in sorted order, for the formats below; hidden files are
skipped) or globs (matches in sorted order). Formats, by extension:

``.jsonl``, ``.jsonl.gz``
    one JSON object per line with a string field ``text``; blank lines are skipped.
``.txt``
    UTF-8 plain text. ``txt_mode="chunks"`` (the default, for books): paragraphs (non-blank lines) are packed
    into documents of about :data:`CHUNK_MIN`-:data:`CHUNK_MAX` characters, a chapter heading (``第十二回 …``,
    ``第3章``, ``# …``) always starting a new one and an over-long paragraph cut at sentence ends.
    ``txt_mode="blocks"``: every block of lines between blank lines (or headings) is one document.

Everything is read in a fixed order, so the same inputs always give the same documents. Every error names the
file (and line).
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import json
import random
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from corpus_pipeline.errors import InputError

SUFFIXES = (".jsonl", ".jsonl.gz", ".txt")
TXT_MODES = ("chunks", "blocks")
CHUNK_MIN = 1000
CHUNK_MAX = 3000

_HEADING = re.compile(r"^(?:第[0-9０-９零〇一二三四五六七八九十百千两]+[回章节卷部篇集]|#{1,6}\s)")
_SENTENCE = re.compile(r"(?<=[。！？!?；;…])")


class TrainingDataError(InputError):
    """A training input that cannot be read; the message names the file."""


@dataclass(frozen=True)
class TextFile:
    """One input file: where it is, how the card shows it, its sha256 and its documents in file order."""

    path: Path
    shown: str
    sha256: str
    texts: tuple[str, ...]


def _supported(path: Path) -> bool:
    return path.name.endswith(SUFFIXES)


def expand(spec: str | Path) -> list[tuple[Path, str]]:
    """``(path, shown)`` for every file ``spec`` names; ``shown`` is the path as given when relative, else the
    file name (a card never records a machine's absolute paths)."""
    spec = str(spec)
    base = Path(spec)
    if base.is_dir():
        found = sorted(
            p
            for p in base.rglob("*")
            if p.is_file() and _supported(p) and not any(part.startswith(".") for part in p.relative_to(base).parts)
        )
    elif base.is_file():
        if not _supported(base):
            raise TrainingDataError(f"{spec}: unsupported training file (expected {', '.join(SUFFIXES)})")
        found = [base]
    elif glob.has_magic(spec):
        found = sorted(Path(p) for p in glob.glob(spec, recursive=True) if Path(p).is_file() and _supported(Path(p)))
    else:
        raise TrainingDataError(f"{spec}: no such file or directory")
    if not found:
        raise TrainingDataError(f"{spec}: no training files ({', '.join(SUFFIXES)}) found")
    return [(p, str(p) if not p.is_absolute() else p.name) for p in found]


def _jsonl_texts(path: Path, data: bytes) -> list[str]:
    texts = []
    try:
        lines = data.decode("utf-8").split("\n")  # not splitlines(): U+2028 and friends may sit inside a string
    except UnicodeDecodeError as error:
        raise TrainingDataError(f"{path}: not UTF-8 ({error})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise TrainingDataError(f"{path}:{number}: not valid JSON ({error})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise TrainingDataError(f"{path}:{number}: expected a JSON object with a string field 'text'")
        texts.append(record["text"])
    return texts


def read_file(path: str | Path, txt_mode: str = "chunks") -> list[str]:
    """The documents of one file, in file order."""
    path = Path(path)
    if txt_mode not in TXT_MODES:
        raise ValueError(f"txt_mode must be one of {', '.join(TXT_MODES)}, got {txt_mode!r}")
    try:
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
    except OSError as error:  # missing, unreadable, or a broken gzip stream (BadGzipFile is an OSError)
        raise TrainingDataError(f"{path}: cannot read ({error})") from None
    except (EOFError, zlib.error) as error:
        raise TrainingDataError(f"{path}: truncated or corrupt gzip file ({error})") from None
    if path.name.endswith((".jsonl", ".jsonl.gz")):
        return _jsonl_texts(path, data)
    if path.name.endswith(".txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise TrainingDataError(f"{path}: not UTF-8 ({error})") from None
        return chunk_text(text) if txt_mode == "chunks" else text_blocks(text)
    raise TrainingDataError(f"{path}: unsupported training file (expected {', '.join(SUFFIXES)})")


def read_inputs(specs: list[str] | tuple[str, ...], txt_mode: str = "chunks") -> list[TextFile]:
    """Every file the specs name, read; a file named twice is read once."""
    files: list[TextFile] = []
    seen: set[Path] = set()
    for spec in specs:
        for path, shown in expand(spec):
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            files.append(TextFile(path, shown, digest, tuple(read_file(path, txt_mode))))
    return files


def _sections(text: str) -> list[list[str]]:
    """Paragraphs (stripped non-blank lines) grouped into sections that each open with a heading."""
    sections: list[list[str]] = [[]]
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if _HEADING.match(line) and sections[-1]:
            sections.append([])
        sections[-1].append(line)
    return [s for s in sections if s]


def text_blocks(text: str) -> list[str]:
    """Blocks of lines between blank lines, a heading line also starting a block; lines stripped."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        line = line.strip()
        if (not line or _HEADING.match(line)) and blocks[-1]:
            blocks.append([])
        if line:
            blocks[-1].append(line)
    return ["\n".join(b) for b in blocks if b]


def _pieces(paragraph: str, max_chars: int) -> list[str]:
    """A paragraph cut at sentence ends into pieces of at most ``max_chars`` (a longer sentence is cut hard)."""
    if len(paragraph) <= max_chars:
        return [paragraph]
    pieces, current = [], ""
    for sentence in _SENTENCE.split(paragraph):
        while len(sentence) > max_chars:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:max_chars])
            sentence = sentence[max_chars:]
        if current and len(current) + len(sentence) > max_chars:
            pieces.append(current)
            current = ""
        current += sentence
    return pieces + [current] if current else pieces


def chunk_text(text: str, min_chars: int = CHUNK_MIN, max_chars: int = CHUNK_MAX) -> list[str]:
    """Paragraphs packed into documents, section by section: a chunk ends once it holds ``min_chars``
    characters, or before a paragraph that would take it past ``max_chars``, but never right after the
    section's heading; a section's tail shorter than ``min_chars // 4`` joins the chunk before it, and a whole
    section that short (a book's title line) joins the next section."""
    chunks: list[str] = []
    carried: list[str] = []
    sections = _sections(text)
    for number, section in enumerate(sections):
        section = carried + section
        if sum(map(len, section)) < min_chars // 4 and number + 1 < len(sections):
            carried = section
            continue
        carried = []
        done: list[list[str]] = []
        current: list[str] = []
        size = 0
        heading_only = False
        for paragraph in section:
            is_heading = bool(_HEADING.match(paragraph))
            for piece in _pieces(paragraph, max_chars):
                if current and size + len(piece) > max_chars and not heading_only:
                    done.append(current)
                    current, size = [], 0
                current.append(piece)
                size += len(piece)
                heading_only = is_heading
                if size >= min_chars and not is_heading:
                    done.append(current)
                    current, size, heading_only = [], 0, False
        if current:
            if done and size < min_chars // 4:
                done[-1].extend(current)
            else:
                done.append(current)
        chunks.extend("\n".join(c) for c in done)
    return chunks


def dedup_key(text: str) -> bytes:
    """Texts that differ only in whitespace share a key."""
    return hashlib.blake2b("".join(text.split()).encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True)
class Example:
    """A training document: its text, its class (True: ``--pos``), and the index of its file."""

    text: str
    positive: bool
    file: int


def deduplicate(files: list[TextFile], positive: list[bool]) -> tuple[list[Example], dict]:
    """Examples without empty texts, exact duplicates (the first occurrence is kept, files in the order given)
    and any text found in both classes (every copy dropped), with the counts of what was removed."""
    classes: dict[bytes, set[bool]] = {}
    for file, is_positive in zip(files, positive):
        for text in file.texts:
            classes.setdefault(dedup_key(text), set()).add(is_positive)
    examples: list[Example] = []
    seen: set[bytes] = set()
    removed = {"empty": 0, "duplicate": 0, "in_both_classes": 0}
    empty = dedup_key("")
    for index, (file, is_positive) in enumerate(zip(files, positive)):
        for text in file.texts:
            key = dedup_key(text)
            if key == empty:
                removed["empty"] += 1
            elif len(classes[key]) > 1:
                removed["in_both_classes"] += 1
            elif key in seen:
                removed["duplicate"] += 1
            else:
                seen.add(key)
                examples.append(Example(text, is_positive, index))
    return examples, removed


SPLITS = ("train", "valid", "test")


def split_examples(
    examples: list[Example], seed: int, valid: float = 0.1, test: float = 0.1, limit: int | None = None
) -> dict[str, list[Example]]:
    """Per input file, a seeded shuffle (cut to its first ``limit`` examples when given) cut into test
    (``round(n * test)``), valid (``round(n * valid)``) and train; the training examples are then shuffled
    together (fastText learns in file order)."""
    by_file: dict[int, list[Example]] = {}
    for example in examples:
        by_file.setdefault(example.file, []).append(example)
    out: dict[str, list[Example]] = {name: [] for name in SPLITS}
    for index, group in sorted(by_file.items()):
        group = list(group)
        random.Random(f"{seed}/{index}").shuffle(group)
        group = group[:limit] if limit is not None else group
        n_test, n_valid = round(len(group) * test), round(len(group) * valid)
        out["test"].extend(group[:n_test])
        out["valid"].extend(group[n_test : n_test + n_valid])
        out["train"].extend(group[n_test + n_valid :])
    random.Random(f"{seed}/train").shuffle(out["train"])
    return out
