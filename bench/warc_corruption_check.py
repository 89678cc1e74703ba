"""Random byte corruption of a valid WARC: plain, per-record ``.warc.gz`` and one gzip stream for the whole file.

A 34-record crawl (warcinfo; request, HTML response and metadata per page, GBK and UTF-8 pages, an image, a 404,
a page quoting a whole WARC record) is damaged once per case, seeded: cut short, one or three bit flips, an
inserted ``\\n`` / ``\\r`` / ``\\r\\n`` / NUL, a deleted byte, or 1-8 bytes overwritten. Checked for every case:

* ``parse_warc`` never raises and emits no ``parse_error``; offsets run 0..n-1;
* the counts balance (records == documents + quarantined + skipped, documents + quarantined == emitted);
* every document record whose bytes are intact is emitted unchanged: plain, its bytes are still in the file;
  per-record gzip, its gzip member is; whole-file gzip, it lies in the undamaged prefix of the decompressed
  stream and is not the record right before the damage (a damaged gzip stream is judged only up to there);
* no document holds another record's WARC header (no record swallowed the next one), except in a whole-file gzip
  whose CRC failed (damage inside a deflate stream can rewrite text without changing its length).

``--stream`` runs every payload through the streaming path for payloads too large to hold in memory.

    .venv/bin/python bench/warc_corruption_check.py [--cases 1000] [--seed 0] [--stream]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import random

from corpus_pipeline.ingest import warc

ZH = "今天天气很好，我们一起去公园散步吧。这是一个简体中文的测试页面。"
LAYOUTS = ("plain", "members", "whole")
KINDS = ("cut", "flip", "flip3", "insert", "delete", "overwrite")


RECORD_ID = "<urn:uuid:00000000-0000-0000-0000-000000000000>"


def _record(warc_type: str, payload: bytes, uri: str, content_type: str, record_id: str = RECORD_ID) -> bytes:
    head = (
        f"WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: {record_id}\r\n"
        f"WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode()
    return head + payload + b"\r\n\r\n"


def _response(uri: str, body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK") -> bytes:
    http = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n\r\n".encode() + body
    return _record("response", http, uri, "application/http; msgtype=response")


def _page(text: str) -> str:
    return f"<html><head></head><body><p>{text}</p></body></html>"


def crawl() -> tuple[list[bytes], dict[int, tuple[str, str]]]:
    """The records and, for each document record's index, its (url, html)."""
    records = [_record("warcinfo", b"software: check\r\n", "", "application/warc-fields")]
    documents = {}
    for i in range(10):
        uri, html = f"http://f/{i}", _page(f"{ZH}第{i}页" * (1 + i % 4))
        encoding = "gbk" if i % 3 == 0 else "utf-8"
        records.append(
            _record(
                "request", f"GET /{i} HTTP/1.1\r\nHost: f\r\n\r\n".encode(), uri, "application/http; msgtype=request"
            )
        )
        records.append(_response(uri, html.encode(encoding), f"text/html; charset={encoding}"))
        documents[len(records) - 1] = (uri, html)
        records.append(_record("metadata", f"fetchTimeMs: {i}\r\n".encode(), uri, "application/warc-fields"))
        if i == 4:
            records.append(_response("http://f/img", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "image/png"))
            records.append(_response("http://f/404", _page("找不到").encode(), status="404 Not Found"))
        if i == 6:
            quoted = _record(
                "response", b"HTTP/1.1 200 OK\r\n\r\nhello", "http://quoted/", "application/http", "<urn:uuid:quoted>"
            )
            html = f"<pre>{quoted.decode()}</pre>" + _page(ZH)
            records.append(_response("http://f/about", html.encode()))
            documents[len(records) - 1] = ("http://f/about", html)
    return records, documents


def corrupt(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    kind = rng.choice(KINDS)
    p = rng.randrange(len(data))
    if kind == "cut":
        return kind, data[:p]
    if kind == "flip":
        return kind, data[:p] + bytes([data[p] ^ (1 << rng.randrange(8))]) + data[p + 1 :]
    if kind == "flip3":
        damaged = bytearray(data)
        for _ in range(3):
            damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
        return kind, bytes(damaged)
    if kind == "insert":
        return kind, data[:p] + rng.choice([b"\n", b"\r", b"\r\n", b"\x00"]) + data[p:]
    if kind == "delete":
        return kind, data[:p] + data[p + 1 :]
    n = rng.randint(1, 8)
    return kind, data[:p] + bytes(rng.randrange(256) for _ in range(n)) + data[p + n :]


def check(data: bytes, layout: str, records: list[bytes], documents: dict, limit: int, stream: bool) -> list[str]:
    """The problems found parsing one damaged file (empty when it is handled as required)."""
    compression = None if layout == "plain" else "gzip"
    counts = warc.WarcCounts()
    try:
        out = list(warc.parse_warc(data, "f.warc", compression, limit, "warc", counts=counts))
    except Exception as exc:  # noqa: BLE001 - the finding
        return [f"raised {type(exc).__name__}: {exc}"]
    problems = []
    if not counts.balanced() or counts.documents + counts.quarantined != len(out):
        problems.append(f"counts {counts.as_dict()} for {len(out)} records emitted")
    if [r.offset for r in out] != list(range(len(out))):
        problems.append("offsets")
    problems += [f"parse_error {r.detail}" for r in out if r.quarantine == "parse_error"]
    if stream:  # every document is too large: check it is reported with its url
        by_url = {url: html for url, html in documents.values()}
        emitted = {(r.url, by_url.get(r.url)) for r in out if r.quarantine == "document_too_large"}
    else:
        emitted = {(r.url, r.html) for r in out if r.quarantine is None}
    plain = b"".join(records)
    delivered = b"".join(value for kind, value in warc._events(data, compression) if kind == warc._DATA)
    common = next((i for i, (a, b) in enumerate(zip(plain, delivered)) if a != b), min(len(plain), len(delivered)))
    ends = [sum(map(len, records[: k + 1])) for k in range(len(records))]
    for k, document in documents.items():
        if layout == "plain":
            intact = records[k] in data
        elif layout == "members":
            intact = gzip.compress(records[k], mtime=0) in data
        else:
            intact = ends[k] + 40 <= common
        if intact and document not in emitted:
            problems.append(f"intact record {k} ({document[0]}) lost")
    if layout != "whole":
        problems += [
            f"{r.url} swallowed a header"
            for r in out
            if r.quarantine is None and f"WARC-Record-ID: {RECORD_ID}" in r.html
        ]
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000, help="cases per layout")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stream", action="store_true")
    args = parser.parse_args()
    limit = 8 * 2**20
    if args.stream:
        warc.HOLD_BYTES, warc.MAX_HTTP_HEADER_BYTES, warc.RETAIN_BYTES, limit = 16, 64, 300, 20
    records, documents = crawl()
    rng = random.Random(args.seed)
    outcome: collections.Counter = collections.Counter()
    failures = []
    for layout in LAYOUTS:
        clean = {
            "plain": b"".join(records),
            "members": b"".join(gzip.compress(r, mtime=0) for r in records),
            "whole": gzip.compress(b"".join(records), mtime=0),
        }[layout]
        assert not check(clean, layout, records, documents, limit, args.stream), "the undamaged file fails"
        for case in range(args.cases):
            kind, data = corrupt(rng, clean)
            problems = check(data, layout, records, documents, limit, args.stream)
            outcome[(layout, kind, "fail" if problems else "ok")] += 1
            if problems:
                failures.append((layout, kind, case, problems))
    print("| layout | damage | cases | failures |\n|---|---|---|---|")
    for layout in LAYOUTS:
        for kind in KINDS:
            ok, fail = outcome[(layout, kind, "ok")], outcome[(layout, kind, "fail")]
            print(f"| {layout} | {kind} | {ok + fail} | {fail} |")
    print(f"{sum(outcome.values())} cases, {len(failures)} failures")
    for layout, kind, case, problems in failures[:20]:
        print(layout, kind, case, problems[:3])


if __name__ == "__main__":
    main()
