"""Turning bytes of unknown encoding into text: UTF-16/32 by BOM or NUL pattern, strict UTF-8, then a declared
charset, then detection.

Every accepted result is a *strict* decode of the whole input, so no U+FFFD (and no lone surrogate) is ever
introduced here: bytes that no candidate decodes cleanly give None and the caller quarantines them as
``undecodable``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator, Sequence

from charset_normalizer import from_bytes

DEFAULT_CANDIDATES = ("utf-8", "gb18030", "big5")
CJK_CANDIDATES = ("gb18030", "big5")

# GB2312 and GBK are subsets of GB18030; pages labelled with them often use GBK/GB18030-only characters.
_GB_LABELS = {
    "gb2312",
    "gbk",
    "cp936",
    "ms936",
    "windows-936",
    "x-gbk",
    "gb_2312",
    "gb_2312-80",
    "csgb2312",
    "euc-cn",
    "chinese",
    "iso-ir-58",
    "hz-gb-2312",
}
# Labels whose codec decodes any byte string: a Chinese page mislabelled with one would turn to mojibake, so for
# these the CJK detection goes first and the label is only the last resort.
_PERMISSIVE = {"iso8859-1", "cp1252"}
# A Big5 label is often really Big5-HKSCS or CP950 (both supersets): try them when plain Big5 fails.
_BIG5_FAMILY = ("big5", "big5hkscs", "cp950")

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9][a-z0-9_.:\-]*)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml\b[^>]*?\bencoding\s*=\s*["']([a-z0-9][a-z0-9_.:\-]*)""", re.IGNORECASE)
HTML_HEAD_BYTES = 4096
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Codecs that are not charsets: a page "declaring" one would have its text rewritten (escapes decoded).
_NOT_CHARSETS = {"unicode-escape", "raw-unicode-escape", "punycode", "idna", "utf-7", "rot-13", "undefined"}

#: How much of a file :func:`sniff_wide_encoding` looks at.
WIDE_SNIFF_BYTES = 16384
_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROLS = re.compile("[\x01-\x08\x0e-\x1f\x7f]")
_LATIN1 = re.compile("[\x80-\xff]")
_CJK = re.compile("[\u4e00-\u9fff]")


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


#: What :func:`transcoder` and the sniffing put where bytes are not valid in the file's UTF-16/32: a lone
#: surrogate, which strict decoding never yields and UTF-8 cannot encode (``surrogatepass`` makes it invalid bytes).
UNDECODABLE_MARK = "\udcff"
_MARK_ERRORS = "corpus_pipeline.mark_undecodable"
codecs.register_error(_MARK_ERRORS, lambda error: (UNDECODABLE_MARK, error.end))


def _plausible(text: str) -> bool:
    """Text, not binary read as UTF-16/32: no U+0000, no second BOM, no noncharacter, few C0 controls and
    undecodable units."""
    if not text or "\x00" in text or "\ufeff" in text or "\ufffe" in text or "\uffff" in text:
        return False
    return (len(_CONTROLS.findall(text)) + text.count(UNDECODABLE_MARK)) * 100 <= len(text) + 200  # 2, or 1 %


def _head_decoded(head: bytes, codec: str) -> str:
    """``head`` decoded with :data:`UNDECODABLE_MARK` for invalid units (a character cut at its end is dropped)."""
    return codecs.getincrementaldecoder(codec)(_MARK_ERRORS).decode(head, final=False)


def bom_encoding(head: bytes) -> str | None:
    """``utf-16`` or ``utf-32`` (the codecs that read and drop a BOM) when ``head`` starts with their BOM."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    return None


def sniff_wide_encoding(head: bytes) -> str | None:
    """``utf-16`` / ``utf-32`` (BOM) or ``utf-16-le`` / ``-be``, ``utf-32-le`` / ``-be`` (no BOM) when ``head``, the
    first bytes of a file, is UTF-16 or UTF-32 text; else None.

    Without a BOM the evidence is where the NUL bytes fall: text in UTF-8, GB18030 or Big5 has none, while
    UTF-16 has one in the high byte of every ASCII character (JSON syntax, digits, newlines) and UTF-32 has at
    least two in every character. The head must also decode into plausible text (no U+0000, few control
    characters or invalid units), so binary data or text with stray NULs is not mistaken for UTF-16.
    """
    head = head[:WIDE_SNIFF_BYTES]
    codec = bom_encoding(head)
    if codec is not None:
        text = _head_decoded(head, codec)
        return codec if text == "" or _plausible(text) else None
    if b"\x00" not in head:
        return None
    words = len(head) // 4 * 4
    if words >= 8:
        for codec, zero, small in (("utf-32-le", 3, 2), ("utf-32-be", 0, 1)):
            if head[zero:words:4].count(0) == words // 4 and max(head[small:words:4]) <= 0x10:
                if _plausible(_head_decoded(head[:words], codec)):
                    return codec
    units = len(head) // 2
    if units < 4:
        return None
    odd, even = head[1 : 2 * units : 2].count(0), head[0 : 2 * units : 2].count(0)
    texts = {codec: _head_decoded(head[: 2 * units], codec) for codec in ("utf-16-le", "utf-16-be")}
    high, low, codec = (odd, even, "utf-16-le") if odd >= even else (even, odd, "utf-16-be")
    text = texts[codec]
    # A NUL high byte makes ASCII in UTF-16, while NULs strewn into other text pair with non-ASCII bytes; and
    # Chinese read right is nearly all common characters (95 % or more in real text), where bytes read as UTF-16
    # by mistake give rare ones (20 to 50 %).
    if high >= 4 and high * 8 >= units and high >= 4 * low and _plausible(text):  # ASCII-heavy: JSON, markup
        count, _, common = _ideographs(text)
        if len(_LATIN1.findall(text)) * 10 <= high and not (count >= 16 and common < 0.85):
            return codec
    # Chinese prose has few ASCII characters (newlines) and some U+xx00 characters (一, 上, 不...) that put a NUL
    # in the low byte, so the NULs do not tell the byte order; but only the right one is valid (the wrong one
    # soon hits a surrogate)
    for codec, other in (("utf-16-le", "utf-16-be"), ("utf-16-be", "utf-16-le")):
        text = texts[codec]
        if UNDECODABLE_MARK not in text and UNDECODABLE_MARK in texts[other] and _plausible(text):
            count, share, common = _ideographs(text)
            if count >= 32 and share >= 0.3 and common >= 0.85:
                return codec
    return None


def transcoder(chunks: Iterable[bytes], codec: str) -> Iterator[bytes]:
    """``chunks`` of a file in ``codec`` (UTF-16/32) as UTF-8; invalid units become invalid UTF-8 bytes (so the
    line holding them is undecodable, not the file)."""
    decoder = codecs.getincrementaldecoder(codec)(_MARK_ERRORS)
    for chunk in chunks:
        text = decoder.decode(chunk)
        if text:
            yield text.encode("utf-8", "surrogatepass")
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail.encode("utf-8", "surrogatepass")


def _ideographs(text: str) -> tuple[int, float, float]:
    """How many CJK ideographs ``text`` has, their share of it, and the share of common ones (GB2312 or Big5
    level 1) among them."""
    ideographs = _CJK.findall(text)
    if not ideographs:
        return 0, 0.0, 0.0
    common = 0
    for char in ideographs:
        for codec, first, last in (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6)):
            try:
                lead = char.encode(codec)[0]
            except UnicodeEncodeError:
                continue
            if first <= lead <= last:
                common += 1
                break
    return len(ideographs), len(ideographs) / len(text), common / len(ideographs)


def _declared_codecs(declared: str | Iterable[str | None] | None) -> list[str]:
    labels = [declared] if declared is None or isinstance(declared, str) else list(declared)
    out: list[str] = []
    for label in labels:
        name = codec_name(label)
        for codec in _BIG5_FAMILY if name == "big5" else (name,):
            if codec and codec not in out and codec not in _NOT_CHARSETS:
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

    Order: UTF-16 / UTF-32 when :func:`sniff_wide_encoding` finds a BOM or their NUL pattern (whatever the
    candidates: a BOM is not ambiguous), strict UTF-8 (a BOM is stripped; only when ``utf-8`` is a candidate),
    then the ``declared`` charset label(s) in order (HTTP header, ``<meta>``; GB2312/GBK mean GB18030), then
    charset-normalizer restricted to ``candidates``. A declared single-byte Western charset (Latin-1, CP1252) is
    only tried after detection; a declared codec that is not a charset (``utf-7``, ``unicode-escape``...) never.
    """
    names = [codec_name(c) for c in candidates]
    if not data:
        return "", "utf-8"
    wide = sniff_wide_encoding(data[:WIDE_SNIFF_BYTES])
    if wide is not None:
        text = _strict(data, wide)
        return (text, wide) if text is not None else None
    if "utf-8" in names:
        text = _strict(data, "utf-8-sig")
        if text is not None:
            return text, "utf-8"
    declared_codecs = _declared_codecs(declared)
    weak = [c for c in declared_codecs if c in _PERMISSIVE]
    for codec in declared_codecs:
        if codec not in _PERMISSIVE:
            text = _strict(data, codec)
            if text is not None and _SURROGATE.search(text) is None:
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
        self.candidates = tuple(candidates)  # empty: strict UTF-8 only (a file transcoded from UTF-16/32)
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
