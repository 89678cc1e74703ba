"""Streaming decompression of one file's bytes that delivers everything readable before a damaged spot.

:func:`iter_decompressed` yields the decompressed content in chunks and, when the stream is cut short or corrupt,
raises :class:`ArchiveError` only *after* yielding every byte that could be decompressed before the damage, so
the parsers can emit all complete records first and then one quarantine record.

gzip is inflated here member by member with :mod:`zlib` (not :class:`gzip.GzipFile`, whose ``read1`` drops what the
call that meets the damage had decompressed: up to a whole file of small records): the inflater's state is copied
before each call, and the call that fails is replayed one input byte at a time, so everything the input before the
damaged byte decodes to is delivered (a CRC or length mismatch, only found in the trailer, after the whole member).
"""

from __future__ import annotations

import bz2
import io
import re
import zlib
from collections.abc import Iterator

import zstandard

CHUNK_BYTES = 1 << 20  # decompressed bytes per chunk (at most)
_ZSTD_INPUT_BYTES = 1 << 17
_GZIP_INPUT_BYTES = 1 << 16  # compressed bytes per inflate call (what a failing call replays byte by byte)
_GZIP_MAGIC = b"\x1f\x8b"
_NON_NUL = re.compile(rb"[^\x00]")


class ArchiveError(Exception):
    """The compressed stream ends early (``truncated_archive``) or is damaged (``corrupt_archive``)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _stdlib_chunks(reader: io.BufferedIOBase, codec: str) -> Iterator[bytes]:
    # read1 makes one decompression step per call: a plain read(n) loops internally and would drop the bytes it
    # had gathered in the call that hits the end of a truncated stream.
    while True:
        try:
            chunk = reader.read1(CHUNK_BYTES)
        except EOFError as exc:  # gzip / bz2: "Compressed file ended before the end-of-stream marker was reached"
            raise ArchiveError("truncated_archive", f"{codec}: {exc}") from None
        except (OSError, zlib.error, ValueError) as exc:  # BadGzipFile, CRC / length mismatch, invalid bz2 data
            # a stream cut one byte into a member's magic number reads as "Not a gzipped file (b'\x1f')"
            reason = "truncated_archive" if str(exc).endswith("(b'\\x1f')") else "corrupt_archive"
            raise ArchiveError(reason, f"{codec}: {exc}") from None
        if not chunk:
            return
        yield chunk


def _replayed(saved, piece: memoryview) -> Iterator[bytes]:
    """What ``saved`` (an inflater's copy from before the call that failed on ``piece``) decodes from ``piece`` fed
    one byte at a time, up to the byte that fails again (in chunks of at most :data:`CHUNK_BYTES`)."""
    out = bytearray()
    try:
        for at in range(len(piece)):
            tail = piece[at : at + 1]
            while True:
                produced = saved.decompress(tail, CHUNK_BYTES)
                out += produced
                if len(out) >= CHUNK_BYTES:
                    yield bytes(out[:CHUNK_BYTES])
                    del out[:CHUNK_BYTES]
                tail = saved.unconsumed_tail
                if saved.eof or (not tail and len(produced) < CHUNK_BYTES):
                    break
            if saved.eof:
                break
    except zlib.error:
        pass
    if out:
        yield bytes(out)


def skip_zero_padding(data: bytes, pos: int) -> int:
    """The first position at or after ``pos`` that is not a NUL byte (``len(data)`` when only NULs are left):
    gzip readers allow zero padding between and after members."""
    found = _NON_NUL.search(data, pos)
    return len(data) if found is None else found.start()


def _gzip_chunks(data: bytes) -> Iterator[bytes]:
    """The members of a gzip file inflated one after the other (zero padding between or after them allowed, as
    :class:`gzip.GzipFile` allows it); everything before a damaged byte is delivered before the error."""
    view, size, pos = memoryview(data), len(data), 0
    while pos < size:
        if data[pos] == 0:
            pos = skip_zero_padding(data, pos)
            if pos == size:
                return
        if not data.startswith(_GZIP_MAGIC, pos):
            head = data[pos : pos + 2]
            # a stream cut one byte into a member's magic number is cut short, not damaged
            reason = "truncated_archive" if head == _GZIP_MAGIC[:1] else "corrupt_archive"
            raise ArchiveError(reason, f"gzip: Not a gzipped file ({head!r}) at byte {pos}")
        inflater = zlib.decompressobj(31)
        while not inflater.eof:
            if pos >= size:
                raise ArchiveError(
                    "truncated_archive", "gzip: Compressed file ended before the end-of-stream marker was reached"
                )
            piece = view[pos : pos + _GZIP_INPUT_BYTES]
            tail = piece
            while True:
                saved = inflater.copy()
                try:
                    out = inflater.decompress(tail, CHUNK_BYTES)
                except zlib.error as exc:
                    yield from _replayed(saved, tail)
                    raise ArchiveError("corrupt_archive", f"gzip: {exc} (in the member at byte {pos})") from None
                if out:
                    yield out
                tail = inflater.unconsumed_tail
                if inflater.eof or (not tail and len(out) < CHUNK_BYTES):
                    break
            pos += len(piece) - (len(inflater.unused_data) if inflater.eof else len(tail))


def _zstd_chunks(data: bytes) -> Iterator[bytes]:
    # zstandard's stream_reader silently returns a short result on a truncated frame, so drive decompressobj
    # frame by frame and check that the last frame reached its end.
    dctx = zstandard.ZstdDecompressor()
    view = memoryview(data)
    pos, pending = 0, b""
    dobj, fed = dctx.decompressobj(), False
    while pos < len(view) or pending:
        if pending:
            piece, pending = pending, b""
        else:
            piece = view[pos : pos + _ZSTD_INPUT_BYTES].tobytes()
            pos += len(piece)
        try:
            out = dobj.decompress(piece)
        except zstandard.ZstdError as exc:
            raise ArchiveError("corrupt_archive", f"zstd: {exc}") from None
        fed = True
        for start in range(0, len(out), CHUNK_BYTES):
            yield out[start : start + CHUNK_BYTES]
        if dobj.eof:  # next frame (pzstd / concatenated files)
            pending = dobj.unused_data
            dobj, fed = dctx.decompressobj(), False
    if fed:
        raise ArchiveError("truncated_archive", "zstd: stream ended before the end of the frame")


def iter_decompressed(data: bytes, compression: str | None) -> Iterator[bytes]:
    """The decompressed content of ``data`` in chunks of at most :data:`CHUNK_BYTES`.

    :param compression: ``"gzip"``, ``"bz2"``, ``"zstd"`` or None (chunks of ``data`` itself)
    :raise ArchiveError: after the last readable chunk, if the stream is truncated or corrupt
    """
    if not data:  # an empty file is empty whatever its suffix says
        return
    if compression is None:
        for start in range(0, len(data), CHUNK_BYTES):
            yield data[start : start + CHUNK_BYTES]
    elif compression == "gzip":  # multi-member (one member per WARC record) and zero padding handled
        yield from _gzip_chunks(data)
    elif compression == "bz2":  # multi-stream (pbzip2) handled
        yield from _stdlib_chunks(bz2.BZ2File(io.BytesIO(data)), "bz2")
    elif compression == "zstd":
        yield from _zstd_chunks(data)
    else:
        raise ValueError(f"unknown compression {compression!r}")


def read_all(data: bytes, compression: str | None, limit: int) -> tuple[bytes, int, bool, ArchiveError | None]:
    """The whole decompressed content for one-document-per-file formats, reading at most ``limit + 1`` bytes.

    Returns ``(content, size, over_limit, error)``: when ``over_limit`` the content holds only the first
    ``limit + 1`` bytes read (decompression stops there) and ``size`` is what was read; ``error`` is set when
    the stream was damaged, ``content`` then holds what came before.
    """
    if compression is None:
        return data, len(data), len(data) > limit, None
    parts, size = [], 0
    try:
        for chunk in iter_decompressed(data, compression):
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                return b"".join(parts), size, True, None
    except ArchiveError as exc:
        return b"".join(parts), size, False, exc
    return b"".join(parts), size, False, None
