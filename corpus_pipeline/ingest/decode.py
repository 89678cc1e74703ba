"""Turning bytes of unknown encoding into text: strict UTF-8, then a declared charset, then detection.

Every accepted result is a *strict* decode of the whole input, so no U+FFFD is ever introduced here: bytes
that no candidate decodes cleanly give None and the caller quarantines them as ``undecodable``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Sequence

from charset_normalizer import from_bytes

DEFAULT_CANDIDATES = ("utf-8", "gb18030", "big5")
CJK_CANDIDATES = ("gb18030", "big5")

# GB2312 and GBK are subsets of GB18030; pages labelled with them often use GBK/GB18030-only characters.
_GB_LABELS = {"gb2312", "gbk", "cp936", "ms936", "windows-936", "x-gbk", "gb_2312", "gb_2312-80", "csgb2312", "euc-cn",
              "chinese", "iso-ir-58", "hz-gb-2312"}
# Labels whose codec decodes any byte string: a Chinese page mislabelled with one would turn to mojibake, so for
# these the CJK detection goes first and the label is only the last resort.
_PERMISSIVE = {"iso8859-1", "cp1252"}
# A Big5 label is often really Big5-HKSCS or CP950 (both supersets): try them when plain Big5 fails.
_BIG5_FAMILY = ("big5", "big5hkscs", "cp950")

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9][a-z0-9_.:\-]*)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml\b[^>]*?\bencoding\s*=\s*["']([a-z0-9][a-z0-9_.:\-]*)""", re.IGNORECASE)
HTML_HEAD_BYTES = 4096
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def codec_name(label: str | None) -> str | None:
    """Python's name for a charset label (``GB2312`` -> ``gb18030``, ``UTF8`` -> ``utf-8``); None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _GB_LABELS:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "gb18030" if name in ("gb2312", "gbk") else name


def html_declared_charset(head: bytes) -> str | None:
    """The charset label of a ``<meta charset>`` / ``<meta http-equiv content="...; charset=...">`` tag (or an
    ``<?xml encoding>`` declaration) in the first :data:`HTML_HEAD_BYTES` bytes, lower-cased; None if absent."""
    head = head[:HTML_HEAD_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _declared_codecs(declared: str | Iterable[str | None] | None) -> list[str]:
    labels = [declared] if declared is None or isinstance(declared, str) else list(declared)
    out: list[str] = []
    for label in labels:
        name = codec_name(label)
        for codec in _BIG5_FAMILY if name == "big5" else (name,):
            if codec and codec not in out:
                out.append(codec)
    return out


def _detect(data: bytes, candidates: Sequence[str]) -> tuple[str, str] | None:
    """charset-normalizer restricted to ``candidates``; best match first (ties go to the earlier candidate)."""
    names = [n for n in (codec_name(c) for c in candidates) if n]
    if not names:
        return None
    matches = from_bytes(data, cp_isolation=[n.replace("-", "_") for n in names])
    ranked = []
    for match in matches:
        name = codec_name(match.encoding)
        if name in names:
            ranked.append((match.chaos, -match.coherence, names.index(name), name))
    for *_, name in sorted(ranked):
        text = _strict(data, name)
        if text is not None:
            return text, name
    return None


def decode_bytes(
    data: bytes,
    declared: str | Iterable[str | None] | None = None,
    candidates: Sequence[str] = DEFAULT_CANDIDATES,
) -> tuple[str, str] | None:
    """``(text, encoding)`` for ``data``, or None when no candidate decodes it strictly.

    Order: strict UTF-8 (a BOM is stripped; only when ``utf-8`` is a candidate), then the ``declared`` charset
    label(s) in order (HTTP header, ``<meta>``; GB2312/GBK mean GB18030), then charset-normalizer restricted to
    ``candidates``. A declared single-byte Western charset (Latin-1, CP1252) is only tried after detection.
    """
    names = [codec_name(c) for c in candidates]
    if not data:
        return "", "utf-8"
    if "utf-8" in names:
        text = _strict(data, "utf-8-sig")
        if text is not None:
            return text, "utf-8"
    declared_codecs = _declared_codecs(declared)
    weak = [c for c in declared_codecs if c in _PERMISSIVE]
    for codec in declared_codecs:
        if codec not in _PERMISSIVE:
            text = _strict(data, codec)
            if text is not None:
                return text, codec
    found = _detect(data, [c for c in candidates if codec_name(c) != "utf-8"])
    if found is not None:
        return found
    for codec in weak:
        text = _strict(data, codec)
        if text is not None:
            return text, codec
    return None


class LineDecoder:
    """Decodes many short records (JSONL lines) of one file: strict UTF-8, else CJK detection.

    Detection on every line of a GBK file would cost more than the JSON parsing, so once a line's detection is
    unambiguous (a single candidate decodes it) that encoding is tried strictly first on the following lines,
    and kept for a line unless the result contains private-use characters (the mark of a wrong CJK codec).
    """

    def __init__(self, candidates: Sequence[str] = CJK_CANDIDATES):
        self.candidates = tuple(candidates)
        self.sticky: str | None = None

    def decode(self, data: bytes) -> tuple[str, str] | None:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        if self.sticky is not None:
            text = _strict(data, self.sticky)
            # Big5 bytes often decode "strictly" as GB18030 too, into private-use characters: re-detect then
            if text is not None and _PRIVATE_USE.search(text) is None:
                return text, self.sticky
        found = _detect(data, self.candidates)
        if found is not None and sum(_strict(data, c) is not None for c in self.candidates) == 1:
            self.sticky = found[1]
        return found
