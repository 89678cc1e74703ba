"""Lines repeated across documents (CCNet's boilerplate rule): a line that many documents of one site share
is a header, footer, menu or notice, not content.

The pure half of the ``line_dedup`` step: each line's key (a 64-bit digest of the line after the dedup
normalization, :mod:`corpus_pipeline.dedup.normalize`: script, width, case, punctuation and spacing folded) and
the removal of the lines whose keys the stage found in too many documents
(:mod:`corpus_pipeline.clean.line_dedup` counts them in Spark).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from corpus_pipeline.dedup.normalize import exact_keys, normalize_batch
from corpus_pipeline.rules.domains import url_host

KEY_BYTES = 8  # 64-bit keys: a collision between two distinct lines of one site is ~n^2 / 2^65


def _signed(digest: bytes) -> int:
    return int.from_bytes(digest, "little", signed=True)


def line_keys(lines: Sequence[str], opencc_config: str = "t2s") -> list[int | None]:
    """The key of each line; None for a line with nothing left after normalization (blank, punctuation only)."""
    code_points, offsets = normalize_batch(list(lines), opencc_config)
    keys = exact_keys(code_points, offsets)
    empty = (offsets[1:] == offsets[:-1]).tolist()
    return [None if blank else _signed(digest[:KEY_BYTES]) for digest, blank in zip(keys, empty)]


def document_line_keys(texts: Sequence[str], opencc_config: str = "t2s") -> list[tuple[list[int], list[int]]]:
    """Per text: its distinct line keys and, for each, the UTF-8 bytes of its lines with that key (newline
    included), normalized in one batch for all texts."""
    split = [text.split("\n") for text in texts]
    keys = line_keys([line for lines in split for line in lines], opencc_config)
    result, at = [], 0
    for lines in split:
        sizes: dict[int, int] = {}
        for line, key in zip(lines, keys[at : at + len(lines)]):
            if key is not None:
                sizes[key] = sizes.get(key, 0) + len(line.encode("utf-8")) + 1
        at += len(lines)
        result.append((list(sizes), list(sizes.values())))
    return result


def remove_lines(text: str, drop: Collection[int], opencc_config: str = "t2s") -> tuple[str, int]:
    """``text`` without the lines whose key is in ``drop``, and how many lines went."""
    if not drop:
        return text, 0
    lines = text.split("\n")
    kept = [line for line, key in zip(lines, line_keys(lines, opencc_config)) if key is None or key not in drop]
    return "\n".join(kept), len(lines) - len(kept)


def site_of(url: str | None) -> str | None:
    """The group whose documents' lines are counted together under ``scope: host``: the URL's host without
    ``www.``; None for a document without a usable URL (its lines are left alone: boilerplate is a site's)."""
    host = url_host(url)
    if host is None:
        return None
    return host[4:] if host.startswith("www.") else host
