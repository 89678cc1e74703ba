"""Seeded generators of valid input files (JSONL, JSONL.gz, WARC in three layouts, parquet), random byte-level
corruption of them, and what a reader must still deliver: shared by tests/ingest/test_corruption_properties.py,
tests/clean/test_corruption_stage.py and bench/corruption_bench.py.

A case is one file: generated, damaged by one to three operations (cut short, bit flips, inserted ``\\n`` /
``\\r`` / ``\\r\\n`` / NUL / a lone-surrogate escape ``\\ud800`` inside a JSON string, deleted or overwritten
bytes), with the documents it held and which of them are *intact*:

* plain files (JSONL, WARC): the record's bytes (a JSONL line with the line breaks around it, a WARC record from
  its version line to its closing CRLF CRLF) are untouched;
* per-record gzip WARC: the record's gzip member is untouched;
* whole-file gzip (JSONL.gz, WARC): the record lies in what the compressed bytes before the first damaged one
  decompress to (for WARC, with a margin of :data:`WARC_WHOLE_MARGIN` bytes, and not in the call that met a failed
  CRC: see :func:`whole_gzip_intact_end`); JSONL.gz cases damage either the compressed bytes or the text before
  compression (then as plain);
* parquet: the whole file is untouched, or the record's row group lies before the first damaged byte and the footer
  is untouched.

Every generated document text is a Chinese article the clean stage keeps unchanged (so the stage test can compare
kept text), tagged with its file and index; urls are ``u:TAG:INDEX`` (JSONL, parquet) or ``http://TAG/INDEX``
(WARC).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import json
import random
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.parquet as pq

from corpus_pipeline.ingest.decode import WIDE_SNIFF_BYTES, bom_encoding, sniff_wide_encoding
from corpus_pipeline.ingest.parsers import parse_file
from corpus_pipeline.ingest.spark_reader import _records_to_batch
from corpus_pipeline.ingest.warc import WarcCounts

LINES = [
    "国家统计局今天发布数据，一季度国内生产总值同比增长百分之五点三，经济运行开局良好。",
    "专家表示，消费和投资共同发力，是经济稳定增长的重要原因，下一阶段政策将继续保持连续性。",
    "分析人士认为，各项措施落地见效以后，全年经济增长目标有望顺利实现，市场信心持续增强。",
    "下一步，有关部门将继续加大政策支持力度，推动经济运行持续向好，确保完成全年目标任务。",
    "记者从教育部获悉，今年全国高校毕业生规模预计达到新高，就业服务工作正在有序推进。",
    "气象部门提醒，未来三天南方地区将有持续降雨过程，请各地做好防汛准备工作。",
]
FORMATS = ("jsonl", "jsonl.gz", "warc", "warc.members", "warc.whole", "parquet")
SUFFIX = {
    "jsonl": ".jsonl",
    "jsonl.gz": ".jsonl.gz",
    "warc": ".warc",
    "warc.members": ".warc.gz",
    "warc.whole": ".warc.gz",
    "parquet": ".parquet",
}
INSERTS = (b"\n", b"\r", b"\r\n", b"\x00", b"\\ud800", b"\\udfff")
KINDS = ("cut", "flip", "flip", "insert", "insert", "delete", "overwrite")
WARC_WHOLE_MARGIN = 40
SURROGATE_SHARE = 0.3  # of JSONL cases with a lone-surrogate escape put inside a record's text string


def article(tag: str, index: int, rng: random.Random) -> str:
    """A document the clean stage keeps unchanged: three to five article lines and a tag line."""
    lines = rng.sample(LINES, rng.randint(3, 5))
    return "\n".join([*lines, f"第{index}号文章，编号{tag}-{index}。"])


@dataclass
class Doc:
    """A document of a generated file: its url, text (JSONL / parquet text, WARC html) and byte span (``end``
    excluded): in the file (plain), in the decompressed stream (whole-file gzip), or its gzip member (per-record
    gzip); for parquet, ``start`` is its row index and ``end`` its row group's index."""

    url: str
    text: str
    start: int
    end: int


@dataclass
class Op:
    """One damage: ``cut`` (keep the bytes before ``pos``), ``flip`` (one bit), ``insert`` (``payload`` before
    ``pos``), ``delete`` / ``overwrite`` (``size`` bytes at ``pos``)."""

    kind: str
    pos: int
    size: int = 1
    payload: bytes = b""
    bit: int = 0

    def span(self) -> tuple[int, float]:
        """The bytes it touches, in the undamaged file's offsets (closed; an insertion touches both neighbours)."""
        if self.kind == "cut":
            return self.pos, float("inf")
        if self.kind == "insert":
            return self.pos - 1, self.pos
        return self.pos, self.pos + self.size - 1

    def __str__(self) -> str:
        extra = {
            "insert": f" {self.payload!r}",
            "flip": f" bit {self.bit}",
            "delete": f" {self.size}",
            "overwrite": f" {self.payload!r}",
        }.get(self.kind, "")
        return f"{self.kind}@{self.pos}{extra}"


def damage(data: bytes, ops: list[Op]) -> bytes:
    """``data`` with ``ops`` applied (from the last position to the first, so each applies at its offset)."""
    out = bytearray(data)
    for op in sorted(ops, key=lambda o: o.pos, reverse=True):
        if op.kind == "cut":
            del out[op.pos :]
        elif op.kind == "flip":
            if op.pos < len(out):
                out[op.pos] ^= 1 << op.bit
        elif op.kind == "insert":
            out[op.pos : op.pos] = op.payload
        elif op.kind == "delete":
            del out[op.pos : op.pos + op.size]
        else:
            out[op.pos : op.pos + len(op.payload)] = op.payload
    return bytes(out)


def untouched(ops: list[Op], start: int, end: int) -> bool:
    """No operation touches the closed byte range [start, end]."""
    return all(hi < start or lo > end for lo, hi in (op.span() for op in ops))


def random_ops(
    rng: random.Random, size: int, inserts: tuple[bytes, ...] = INSERTS, strings: list[tuple[int, int]] | None = None
) -> list[Op]:
    """One to three operations at distinct random positions of a ``size``-byte file (at most one cut).

    ``strings`` are byte ranges inside JSON strings: an insertion of a surrogate escape goes into one of them."""
    ops: list[Op] = []
    used: set[int] = set()
    for _ in range(rng.choice((1, 1, 2, 3))):
        kind = rng.choice(KINDS)
        if kind == "cut" and any(op.kind == "cut" for op in ops):
            kind = "flip"
        pos = rng.randrange(1 if kind == "cut" else 0, size)
        payload = b""
        if kind == "insert":
            payload = rng.choice(inserts)
            if payload.startswith(b"\\u") and strings:  # a surrogate escape: inside a JSON string
                lo, hi = rng.choice(strings)
                pos = rng.randrange(lo, hi)
        if pos in used:
            continue
        used.add(pos)
        if kind == "flip":
            ops.append(Op(kind, pos, bit=rng.randrange(8)))
        elif kind in ("delete", "overwrite"):
            n = rng.randint(1, 3 if kind == "delete" else 8)
            ops.append(Op(kind, pos, n, bytes(rng.randrange(256) for _ in range(n)) if kind == "overwrite" else b""))
        else:
            ops.append(Op(kind, pos, payload=payload))
    return ops


@dataclass
class Case:
    """One damaged file and what a reader must deliver from it."""

    fmt: str  # one of FORMATS
    name: str  # file name (tag + suffix)
    original: bytes
    data: bytes
    ops: list[Op]
    docs: list[Doc]
    intact: list[Doc]
    stream: bytes = b""  # the decompressed undamaged stream (gzip layouts)
    text_ops: bool = False  # JSONL.gz: the damage was done to the text before compression
    members: list[tuple[int, int]] = field(default_factory=list)

    def describe(self) -> str:
        where = "text" if self.text_ops else "bytes"
        return f"{self.name} ({self.fmt}, {where}: {', '.join(map(str, self.ops))})"


# ---------------------------------------------------------------- JSONL


def jsonl_file(rng: random.Random, tag: str) -> tuple[bytes, list[Doc], list[tuple[int, int]]]:
    """A JSONL file: documents (some with extra fields, some all-ASCII with ``\\uXXXX`` escapes, blank lines and a
    record without text between them); returns the bytes, the documents and the byte ranges of their text strings."""
    out = bytearray()
    docs, strings = [], []
    for index in range(rng.randint(4, 14)):
        if rng.random() < 0.1:
            out += b"\n" if rng.random() < 0.5 else b'{"title": "no text here"}\n'
        url = f"u:{tag}:{index}"
        text = article(tag, index, rng)
        record = {"url": url, "text": text}
        if rng.random() < 0.3:
            record["lang"] = "zh"
        line = json.dumps(record, ensure_ascii=rng.random() < 0.4).encode()
        begin = line.index(b'"text": "') + len(b'"text": "')
        strings.append((len(out) + begin + 1, len(out) + line.index(b'"', begin + 1)))
        line += b"\r\n" if rng.random() < 0.1 else b"\n"
        docs.append(Doc(url, text, len(out), len(out) + len(line) - 1))  # end: its line feed
        out += line
    return bytes(out), docs, strings


def _jsonl_intact(docs: list[Doc], ops: list[Op]) -> list[Doc]:
    return [d for d in docs if untouched(ops, d.start - 1, d.end)]  # the line and the line feeds around it


def gzip_prefix_length(compressed: bytes, ops: list[Op]) -> int:
    """How many decompressed bytes the compressed bytes before the first damaged one give (0 if the damage is in the
    gzip header)."""
    first = min(max(op.span()[0], 0) for op in ops)
    try:
        return len(zlib.decompressobj(31).decompress(compressed[:first]))
    except zlib.error:
        return 0


def _text_ops(rng: random.Random, plain: bytes, strings: list[tuple[int, int]]) -> list[Op]:
    """Random operations on a JSONL file's bytes; in a share of the cases one more puts a lone-surrogate escape
    inside a record's text string."""
    ops = random_ops(rng, len(plain), INSERTS, strings)
    if rng.random() < SURROGATE_SHARE:
        lo, hi = rng.choice(strings)
        pos = rng.randrange(lo, hi)
        if all(op.pos != pos for op in ops):
            ops.append(Op("insert", pos, payload=rng.choice(INSERTS[4:])))
    return ops


def jsonl_case(rng: random.Random, tag: str, compressed: bool) -> Case:
    plain, docs, strings = jsonl_file(rng, tag)
    if not compressed:
        ops = _text_ops(rng, plain, strings)
        return Case("jsonl", tag + ".jsonl", plain, damage(plain, ops), ops, docs, _jsonl_intact(docs, ops))
    if rng.random() < 0.4:  # damage the text, then compress it
        ops = _text_ops(rng, plain, strings)
        data = gzip.compress(damage(plain, ops), mtime=0)
        return Case(
            "jsonl.gz",
            tag + ".jsonl.gz",
            gzip.compress(plain, mtime=0),
            data,
            ops,
            docs,
            _jsonl_intact(docs, ops),
            plain,
            text_ops=True,
        )
    original = gzip.compress(plain, mtime=0)
    ops = random_ops(rng, len(original), INSERTS[:4])
    prefix = gzip_prefix_length(original, ops)
    intact = [d for d in docs if d.end < prefix]  # its line break decompressed too
    return Case("jsonl.gz", tag + ".jsonl.gz", original, damage(original, ops), ops, docs, intact, plain)


def reference_gunzip(data: bytes) -> tuple[bytes, bool]:
    """What a gzip file decompresses to before its first error, fed one byte at a time through :mod:`zlib` (members
    one after the other, zero padding allowed), and whether it ends in an error. Independent of the library's
    reader, for the tests' record accounting."""
    out, pos = bytearray(), 0
    while pos < len(data):
        while pos < len(data) and data[pos] == 0:
            pos += 1
        if pos >= len(data):
            break
        if data[pos : pos + 2] != b"\x1f\x8b":
            return bytes(out), True
        inflater = zlib.decompressobj(31)
        while not inflater.eof:
            if pos >= len(data):
                return bytes(out), True
            try:
                out += inflater.decompress(data[pos : pos + 1])
            except zlib.error:
                return bytes(out), True
            pos += 1
    return bytes(out), False


def expected_jsonl_offsets(stream: bytes, error: bool) -> dict[int, str] | None:
    """The records the JSONL reader must give for the decompressed ``stream`` (a damaged stream: what came before
    the damage): offset -> ``"line"`` for each non-blank line (complete lines only when ``error``),
    ``"archive"`` for the damaged-stream record after them, ``"empty"`` for a file without a non-blank line.
    None when the stream reads as UTF-16/32 (its lines are then those of the transcoding)."""
    head = stream[:WIDE_SNIFF_BYTES]
    if sniff_wide_encoding(head) or bom_encoding(head):
        return None
    lines = stream.split(b"\n")
    last = lines.pop()
    if not error and last:
        lines.append(last)
    out = {i: "line" for i, line in enumerate(lines) if line and not line.isspace()}
    if error:
        out[len(lines)] = "archive"
    elif not out:
        out[0] = "empty"
    return out


# ---------------------------------------------------------------- WARC

RECORD_ID = "<urn:uuid:00000000-0000-0000-0000-000000000000>"


def warc_record(warc_type: str, payload: bytes, uri: str, content_type: str) -> bytes:
    head = (
        f"WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: {RECORD_ID}\r\n"
        f"WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode()
    return head + payload + b"\r\n\r\n"


def warc_response(
    uri: str, body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK"
) -> bytes:
    http = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n\r\n".encode() + body
    return warc_record("response", http, uri, "application/http; msgtype=response")


def html_page(text: str) -> str:
    return (
        "<html><head><title>新闻</title></head><body>"
        + "".join(f"<p>{line}</p>" for line in text.split("\n"))
        + "</body></html>"
    )


def warc_records(rng: random.Random, tag: str) -> tuple[list[bytes], dict[int, tuple[str, str]]]:
    """A crawl (warcinfo; request, response and metadata per page; an image and a 404 now and then) and, for each
    document record's index, its (url, html)."""
    records = [warc_record("warcinfo", b"software: corruption-cases\r\n", "", "application/warc-fields")]
    documents = {}
    for index in range(rng.randint(3, 8)):
        uri = f"http://{tag}/{index}"
        html = html_page(article(tag, index, rng))
        encoding = "gbk" if rng.random() < 0.3 else "utf-8"
        if rng.random() < 0.7:
            records.append(
                warc_record(
                    "request",
                    f"GET /{index} HTTP/1.1\r\nHost: {tag}\r\n\r\n".encode(),
                    uri,
                    "application/http; msgtype=request",
                )
            )
        records.append(warc_response(uri, html.encode(encoding), f"text/html; charset={encoding}"))
        documents[len(records) - 1] = (uri, html)
        if rng.random() < 0.5:
            records.append(
                warc_record("metadata", f"fetchTimeMs: {index}\r\n".encode(), uri, "application/warc-fields")
            )
        if rng.random() < 0.15:
            records.append(
                warc_response(f"http://{tag}/img{index}", b"\x89PNG\r\n\x1a\n" + bytes(range(64)), "image/png")
            )
        if rng.random() < 0.15:
            records.append(
                warc_response(f"http://{tag}/404-{index}", html_page("找不到").encode(), status="404 Not Found")
            )
    return records, documents


def whole_gzip_intact_end(compressed: bytes, ops: list[Op]) -> int:
    """The end of what a damaged whole-file gzip WARC must deliver intact: the decompressed output of the bytes
    before the first damaged one, or nothing when the damage is only found by the trailer's CRC / length check (the
    WARC reader then drops what the failing decompression call gave: corpus_pipeline.ingest.warc, "Damaged gzip")."""
    damaged = damage(compressed, ops)
    inflater = zlib.decompressobj(31)
    try:
        inflater.decompress(damaged)
    except zlib.error as exc:
        if "incorrect data check" in str(exc) or "incorrect length check" in str(exc):
            return 0
    # the reader replays a failing call in steps of 32 compressed bytes: the step holding the damage gives nothing
    first = min(max(op.span()[0], 0) for op in ops) // 32 * 32
    return gzip_prefix_length(compressed, [Op("flip", first)]) if first else 0


def warc_case(rng: random.Random, tag: str, layout: str) -> Case:
    records, documents = warc_records(rng, tag)
    stream = b"".join(records)
    starts = [sum(map(len, records[:k])) for k in range(len(records) + 1)]
    if layout == "plain":
        ops = random_ops(rng, len(stream), INSERTS[:4])
        docs = [Doc(url, html, starts[k], starts[k + 1]) for k, (url, html) in documents.items()]
        intact = [d for d in docs if untouched(ops, d.start, d.end - 1)]
        return Case("warc", tag + ".warc", stream, damage(stream, ops), ops, docs, intact)
    if layout == "members":
        members = [gzip.compress(r, mtime=0) for r in records]
        original = b"".join(members)
        bounds = [sum(map(len, members[:k])) for k in range(len(members) + 1)]
        ops = random_ops(rng, len(original), INSERTS[:4])
        docs = [Doc(url, html, bounds[k], bounds[k + 1]) for k, (url, html) in documents.items()]
        intact = [d for d in docs if untouched(ops, d.start, d.end - 1)]
        return Case(
            "warc.members",
            tag + ".warc.gz",
            original,
            damage(original, ops),
            ops,
            docs,
            intact,
            stream,
            members=list(itertools.pairwise(bounds)),
        )
    original = gzip.compress(stream, mtime=0)
    ops = random_ops(rng, len(original), INSERTS[:4])
    end = whole_gzip_intact_end(original, ops)
    docs = [Doc(url, html, starts[k], starts[k + 1]) for k, (url, html) in documents.items()]
    intact = [d for d in docs if d.end + WARC_WHOLE_MARGIN <= end]
    return Case("warc.whole", tag + ".warc.gz", original, damage(original, ops), ops, docs, intact, stream)


# ---------------------------------------------------------------- parquet


def parquet_case(rng: random.Random, tag: str) -> Case:
    """A parquet file of ``url, text`` rows in several row groups (snappy or uncompressed), damaged."""
    n = rng.randint(20, 80)
    urls = [f"u:{tag}:{i}" for i in range(n)]
    texts = [article(tag, i, rng) for i in range(n)]
    sink = io.BytesIO()
    pq.write_table(
        pa.table({"url": urls, "text": texts}),
        sink,
        row_group_size=rng.randint(8, 30),
        compression=rng.choice(("snappy", "none")),
        use_dictionary=rng.random() < 0.5,
    )
    original = sink.getvalue()
    meta = pq.ParquetFile(io.BytesIO(original)).metadata
    groups, row = [], 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        columns = [group.column(c) for c in range(group.num_columns)]
        start = min(c.dictionary_page_offset or c.data_page_offset for c in columns)
        end = max((c.dictionary_page_offset or c.data_page_offset) + c.total_compressed_size for c in columns)
        groups.append((row, row + group.num_rows, start, end))
        row += group.num_rows
    footer_start = len(original) - 8 - int.from_bytes(original[-8:-4], "little")
    ops = random_ops(rng, len(original), INSERTS[:4])
    docs = [Doc(urls[i], texts[i], i, g) for g, (first, last, _, _) in enumerate(groups) for i in range(first, last)]
    if untouched(ops, 0, len(original) - 1):
        intact = docs
    elif not untouched(ops, footer_start, len(original) - 1):
        intact = []
    else:
        first_damage = min(op.span()[0] for op in ops)
        intact = [d for d in docs if groups[d.end][3] <= first_damage]
    return Case("parquet", tag + ".parquet", original, damage(original, ops), ops, docs, intact)


def make_case(rng: random.Random, fmt: str, tag: str) -> Case:
    """One damaged file of format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt in ("jsonl", "jsonl.gz"):
        return jsonl_case(rng, tag, fmt == "jsonl.gz")
    if fmt.startswith("warc"):
        return warc_case(rng, tag, {"warc": "plain", "warc.members": "members", "warc.whole": "whole"}[fmt])
    return parquet_case(rng, tag)


# ---------------------------------------------------------------- what a reader must deliver

ARCHIVE_REASONS = ("truncated_archive", "corrupt_archive")
PARQUET_FILE_REASONS = ("corrupt_parquet", "unreadable_parquet", "incompatible_schema")


def expected_records(case: Case) -> dict[int, str] | None:
    """For a JSONL case, the records its reader must give (see :func:`expected_jsonl_offsets`); None otherwise."""
    if case.fmt == "jsonl":
        return expected_jsonl_offsets(case.data, False)
    if case.fmt == "jsonl.gz":
        return expected_jsonl_offsets(*reference_gunzip(case.data))
    return None


def check_parsed(case: Case, limit: int = 8 * 2**20) -> tuple[list[str], list[dict], WarcCounts | None]:
    """Parses one damaged file as the Spark reader does (``parse_file``, then the Arrow batch of its records) and
    returns the problems found (empty when the file is handled as required), the batch's rows and the WARC counts:

    * nothing raises, no record is a ``parse_error``, the batch has a row per record;
    * every intact document comes out as a document with its exact url and text;
    * the records account for the file: JSONL, one per non-blank line of what the (damaged) stream decompresses to,
      then one damaged-stream record if it ends damaged; WARC, the counts balance (records == documents +
      quarantined + skipped), documents + quarantined == records emitted, offsets 0..n-1, and no document holds
      another record's WARC header (plain and per-record gzip).
    """
    fmt = "warc" if case.fmt.startswith("warc") else "jsonl"
    counts = WarcCounts() if fmt == "warc" else None
    try:
        records = list(parse_file(case.data, case.name, fmt, max_document_bytes=limit, counts=counts))
        rows = _records_to_batch(records, "src", "default").to_pylist()
    except Exception as exc:  # noqa: BLE001 - the finding
        return [f"raised {type(exc).__name__}: {exc}"], [], counts
    problems = []
    if len(rows) != len(records):
        problems.append(f"{len(records)} records but {len(rows)} rows in the batch")
    problems += [f"parse_error at {r['offset']}: {r['detail']}" for r in rows if r["quarantine"] == "parse_error"]
    column = "html" if fmt == "warc" else "text"
    found = Counter((r["url"], r[column]) for r in rows if r["quarantine"] is None)
    problems += [f"intact record {d.url} lost" for d in case.intact if not found[(d.url, d.text)]]
    if fmt == "warc":
        if not counts.balanced() or counts.documents + counts.quarantined != len(rows):
            problems.append(f"counts {counts.as_dict()} for {len(rows)} records")
        if [r["offset"] for r in rows] != list(range(len(rows))):
            problems.append("offsets are not 0..n-1")
        if case.fmt != "warc.whole":
            problems += [
                f"{r['url']} swallowed a WARC header"
                for r in rows
                if r["quarantine"] is None and f"WARC-Record-ID: {RECORD_ID}" in r["html"]
            ]
        return problems, rows, counts
    expected = expected_records(case)
    if expected is not None:
        got = {r["offset"]: r["quarantine"] for r in rows}
        if len(got) != len(rows) or set(got) != set(expected):
            missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
            problems.append(f"records at offsets {sorted(got)[:20]}: missing {missing[:10]}, unexpected {extra[:10]}")
        else:
            problems += [
                f"offset {offset}: {got[offset]} for {kind}"
                for offset, kind in expected.items()
                if (kind == "archive") != (got[offset] in ARCHIVE_REASONS)
                or (kind == "empty") != (got[offset] == "empty_file")
            ]
    return problems, rows, counts


def stage_id(source: str, name: str, offset: int) -> str:
    """The id the clean stage derives for the record at ``offset`` of file ``name`` (inputs give no ids here)."""
    return hashlib.sha256(f"{source}\x00{name}\x00{offset}".encode()).hexdigest()[:32]


def check_stage(made: list[Case], rows: dict[str, list[dict]], stats: dict, source: str) -> list[str]:
    """The problems in a clean stage's output (``rows`` of kept/, removed/ and quarantine/; ``stats``) over the
    damaged files ``made`` (all in one input of ``source``), empty when it is as required:

    * every intact document is kept or removed (JSONL and parquet: with its exact text);
    * every row belongs to a file and every file is accounted for: a JSONL file gives its expected records
      (:func:`expected_records`, a damaged stream's record with an archive reason), a WARC file rows at offsets
      0..n-1 with n summed over the files == ``ingest.warc`` documents + quarantined (whose counts balance), a
      parquet file all its rows, or those read plus a record saying why the rest is missing;
    * ids are unique and the stats' counts are those of the rows written.
    """
    problems = []
    ids = Counter(row["id"] for part in rows.values() for row in part)
    if ids and max(ids.values()) > 1:
        problems.append(f"{sum(n > 1 for n in ids.values())} ids appear more than once")
    written = sum(map(len, rows.values()))
    docs = stats["documents"]
    if not docs["in"] == docs["kept"] + docs["removed"] + docs["quarantined"] == written:
        problems.append(f"stats {docs} for {written} rows written")
    by_url = defaultdict(list)
    for part in ("kept", "removed"):
        for row in rows[part]:
            by_url[row["url"]].append(row["text"])
    quarantine = {(row["path"], row["offset"]): row["reason"] for row in rows["quarantine"]}
    expected_total, warc_emitted = 0, 0
    for case in made:
        name = case.name
        for doc in case.intact:
            texts = by_url.get(doc.url, [])
            if not texts or (not case.fmt.startswith("warc") and doc.text not in texts):
                problems.append(f"{case.describe()}: intact {doc.url} lost")
        if case.fmt.startswith("jsonl"):
            expected = expected_records(case)
            if expected is None:
                problems.append(f"{case.describe()}: reads as UTF-16/32, not accounted")
                continue
            missing = [offset for offset in expected if stage_id(source, name, offset) not in ids]
            archive = [o for o, kind in expected.items() if kind == "archive"]
            if missing or any(quarantine.get((name, o)) not in ARCHIVE_REASONS for o in archive):
                problems.append(f"{case.describe()}: offsets {missing[:5]} missing, archive {archive}")
            expected_total += len(expected)
        elif case.fmt.startswith("warc"):
            n = 0
            while stage_id(source, name, n) in ids:
                n += 1
            warc_emitted += n
            expected_total += n
        else:
            read = [o for o in range(len(case.docs) + 1) if stage_id(source, name, o) in ids]
            reason = quarantine.get((name, len(case.docs))) or quarantine.get((name, 0))
            if case.intact == case.docs and read != list(range(len(case.docs))):
                problems.append(f"{case.describe()}: undamaged, rows at {read[:5]}...")
            elif read != list(range(len(case.docs))) and reason not in PARQUET_FILE_REASONS:
                problems.append(f"{case.describe()}: rows at {read[:5]}... and no file record ({reason})")
            expected_total += len(read)
    if expected_total != written:
        problems.append(f"{written} rows written, {expected_total} belong to a file")
    warc = stats["ingest"]["warc"]
    if warc["documents"] + warc["quarantined"] != warc_emitted:
        problems.append(f"ingest.warc {warc} but {warc_emitted} WARC rows written")
    if warc["records"] != warc["documents"] + warc["quarantined"] + sum(warc["skipped"].values()):
        problems.append(f"ingest.warc {warc} does not balance")
    if warc["files"] != sum(case.fmt.startswith("warc") for case in made):
        problems.append(f"ingest.warc counts {warc['files']} files")
    return problems
