"""Duplicated paragraphs inside one document."""

from __future__ import annotations


def dedup_paragraphs(text: str, min_chars: int = 8) -> tuple[str, int]:
    """Keep the first occurrence of every paragraph (line) of at least ``min_chars`` characters.

    Paragraphs are compared after stripping surrounding whitespace; shorter ones (dialogue such as "是。",
    list markers) are never removed. Returns the new text and the number of paragraphs removed.
    """
    seen: set[str] = set()
    kept, removed = [], 0
    for line in text.split("\n"):
        key = line.strip()
        if len(key) >= min_chars:
            if key in seen:
                removed += 1
                continue
            seen.add(key)
        kept.append(line)
    return "\n".join(kept), removed
