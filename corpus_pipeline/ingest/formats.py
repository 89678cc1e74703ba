"""Which parser reads a file, and which codec it is compressed with, from its name."""

from __future__ import annotations

FORMATS = ("jsonl", "parquet", "text", "html", "warc", "wet")

_COMPRESSION_SUFFIXES = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}

_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".txt": "text",
    ".eml": "text",
    ".html": "html",
    ".htm": "html",
    ".warc": "warc",
    ".wet": "wet",  # Common Crawl names them x.warc.wet.gz: the last extension wins
}


def _basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1].lower()


def _split_compression(name: str) -> tuple[str, str | None]:
    for suffix, codec in _COMPRESSION_SUFFIXES.items():
        if name.endswith(suffix):
            return name[: -len(suffix)], codec
    return name, None


def compression_of(path: str) -> str | None:
    """``"gzip"``, ``"bz2"``, ``"zstd"`` or None, from the path's last suffix (case-insensitive)."""
    return _split_compression(_basename(path))[1]


def strip_compression(path: str) -> str:
    """The file's lower-cased base name without its compression suffix: ``a/B.JSON.gz`` -> ``b.json``."""
    return _split_compression(_basename(path))[0]


def detect_format(path: str, override: str | None = None) -> str:
    """The format name (one of :data:`FORMATS`) for ``path``; ``override`` (``--format``) wins.

    :raise ValueError: ``override`` is not a known format, or the extension is unknown and there is no override
    """
    if override is not None:
        name = override.strip().lower()
        if name not in FORMATS:
            raise ValueError(f"unknown format {override!r}; expected one of {', '.join(FORMATS)}")
        return name
    name = strip_compression(path)
    dot = name.rfind(".")
    fmt = _EXTENSIONS.get(name[dot:]) if dot >= 0 else None
    if fmt is None:
        raise ValueError(f"cannot tell the format of {path!r} from its extension; pass --format")
    return fmt
