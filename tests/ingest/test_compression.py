import bz2
import gzip
import os
import zlib

import pytest
import zstandard

from corpus_pipeline.ingest.compression import CHUNK_BYTES, ArchiveError, iter_decompressed, read_all

COMPRESS = {
    "gzip": gzip.compress,
    "bz2": bz2.compress,
    "zstd": lambda data: zstandard.ZstdCompressor().compress(data),
}
PARTS = [os.urandom(50_000).hex().encode() for _ in range(4)]  # 100 kB each, poorly compressible


def _collect(data, codec):
    out, error = [], None
    try:
        for chunk in iter_decompressed(data, codec):
            out.append(chunk)
    except ArchiveError as exc:
        error = exc
    return b"".join(out), error


@pytest.mark.parametrize("codec", [None, *COMPRESS])
def test_round_trip_of_concatenated_members(codec):
    data = b"".join(COMPRESS[codec](p) for p in PARTS) if codec else b"".join(PARTS)
    out, error = _collect(data, codec)
    assert error is None
    assert out == b"".join(PARTS)


def test_chunks_are_bounded():
    data = gzip.compress(b"a" * (3 * CHUNK_BYTES))
    sizes = [len(c) for c in iter_decompressed(data, "gzip")]
    assert sum(sizes) == 3 * CHUNK_BYTES
    assert max(sizes) <= CHUNK_BYTES


@pytest.mark.parametrize("codec", list(COMPRESS))
def test_truncated_stream_yields_everything_before_the_cut_then_raises(codec):
    members = [COMPRESS[codec](p) for p in PARTS]
    data = b"".join(members)
    cut = len(members[0]) + len(members[1]) + len(members[2]) // 2
    out, error = _collect(data[:cut], codec)
    assert error is not None and error.reason == "truncated_archive"
    assert error.detail.startswith(f"{codec}: ")
    assert out.startswith(PARTS[0] + PARTS[1])  # both complete members
    assert b"".join(PARTS).startswith(out)  # and nothing that was not there


def test_gzip_cut_inside_the_next_magic_number_is_truncation():
    data = gzip.compress(PARTS[0]) + gzip.compress(PARTS[1])[:1]
    out, error = _collect(data, "gzip")
    assert out == PARTS[0]
    assert error.reason == "truncated_archive"


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_trailing_garbage_is_corruption(codec):
    out, error = _collect(COMPRESS[codec](PARTS[0]) + b"this is not compressed data", codec)
    assert out == PARTS[0]
    assert error is not None and error.reason == "corrupt_archive"


def test_bz2_trailing_garbage_is_ignored_like_the_stdlib_does():
    assert _collect(bz2.compress(PARTS[0]) + b"this is not compressed data", "bz2") == (PARTS[0], None)


def test_bz2_damage_inside_a_stream_is_corruption():
    data = bytearray(bz2.compress(PARTS[0]))
    data[len(data) // 2] ^= 0xFF
    _, error = _collect(bytes(data), "bz2")
    assert error is not None and error.reason == "corrupt_archive"


def test_gzip_crc_mismatch_is_corruption():
    data = bytearray(gzip.compress(PARTS[0]))
    data[-8] ^= 0xFF  # CRC32 in the trailer
    _, error = _collect(bytes(data), "gzip")
    assert error.reason == "corrupt_archive"


@pytest.mark.parametrize("codec", [None, *COMPRESS])
def test_empty_input_has_no_chunks(codec):
    assert list(iter_decompressed(b"", codec)) == []


def test_unknown_codec_is_a_value_error():
    with pytest.raises(ValueError, match="lz4"):
        list(iter_decompressed(b"x", "lz4"))


def test_read_all_stops_past_the_limit():
    data = gzip.compress(b"x" * (5 * CHUNK_BYTES))
    content, size, over, error = read_all(data, "gzip", limit=CHUNK_BYTES)
    assert over and error is None
    assert CHUNK_BYTES < size <= 2 * CHUNK_BYTES  # decompression stopped early
    assert len(content) == size


def test_read_all_uncompressed_is_the_input_itself():
    data = b"abc" * 10
    content, size, over, error = read_all(data, None, limit=10)
    assert content is data and size == 30 and over and error is None


def test_read_all_reports_truncation_with_the_prefix():
    data = gzip.compress(PARTS[0] + PARTS[1])
    content, size, over, error = read_all(data[: len(data) // 2], "gzip", limit=10**9)
    assert not over and error.reason == "truncated_archive"
    assert (PARTS[0] + PARTS[1]).startswith(content) and size == len(content) > 0


@pytest.mark.parametrize("before", [0, 2])
def test_gzip_damage_delivers_everything_the_bytes_before_it_decode_to(before):
    # damaged deflate data in the last member: the inflate call that meets it is replayed byte by
    # byte, so nothing the undamaged bytes before it decode to is lost (gzip.GzipFile's read1 dropped it: up to
    # 128 KiB of compressed input, a whole small file)
    whole = b"".join(PARTS)
    member = gzip.compress(whole, mtime=0)
    for at in range(len(member) - 60_000, len(member), 101):  # a damage that the inflater meets, not only the CRC
        last = bytearray(member)
        last[at] ^= 0x10
        try:
            zlib.decompressobj(31).decompress(bytes(last))
        except zlib.error as exc:
            if "check" not in str(exc):
                break
    out, error = _collect(gzip.compress(whole, mtime=0) * before + bytes(last), "gzip")
    prefix = whole * before + zlib.decompressobj(31).decompress(bytes(last[:at]))
    assert error is not None and error.reason == "corrupt_archive"
    assert out.startswith(prefix) and len(prefix) >= 250_000 + len(whole) * before


def test_gzip_zero_padding_after_members_is_allowed():
    data = gzip.compress(PARTS[0]) + b"\x00" * 100 + gzip.compress(PARTS[1]) + b"\x00" * 7
    assert _collect(data, "gzip") == (PARTS[0] + PARTS[1], None)
