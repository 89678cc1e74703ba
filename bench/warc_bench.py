"""Single-process throughput of the WARC parser on a realistic WARC built from the 62 GNE pages.

Each page becomes a Common-Crawl-like triple (request, HTTP response, metadata); every tenth page also gets an
image response and a 301 redirect, and a warcinfo record opens the file. The pages are cycled until the WARC
holds ``--size-mb`` MB (10^6 bytes) of uncompressed records, then written three ways: per-record gzip members
(``.warc.gz`` as crawlers write it), one gzip stream for the whole file, and plain. ``--page-chars N`` cuts every
page to its first N characters (smaller records: more per-record work per MB).

Prints MB/s of *uncompressed* WARC bytes for ``parse_warc`` (best of ``--runs``, CPU time of this process: the
machine is shared, wall time varies with its load). ``--baseline FILE`` also times another version of
``corpus_pipeline/ingest/warc.py`` (e.g. ``git show HEAD:corpus_pipeline/ingest/warc.py > /tmp/warc_old.py``),
interleaved with the current one.

    .venv/bin/python bench/warc_bench.py [--size-mb 50] [--runs 5] [--page-chars N] [--baseline FILE]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import time
from pathlib import Path

from corpus_pipeline.ingest import warc
from corpus_pipeline.ingest.decode import html_declared_charset

REPO = Path(__file__).resolve().parents[1]
MAX_DOCUMENT_BYTES = 8 * 2**20


def _record(warc_type: str, uri: str, content_type: str, payload: bytes, n: int) -> bytes:
    head = (
        f"WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\nWARC-Target-URI: {uri}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode()
    return head + payload + b"\r\n\r\n"


def _pages(data: Path, page_chars: int | None) -> list[tuple[str, bytes]]:
    pages = []
    for path in sorted((data / "web_html" / "gne").glob("*.html")):
        html = path.read_bytes()
        if page_chars is not None:
            charset = html_declared_charset(html) or "utf-8"
            try:
                html = html.decode(charset)[:page_chars].encode(charset)
            except (UnicodeDecodeError, LookupError):
                html = html[: page_chars * 3]
        pages.append((path.stem, html))
    return pages


def build_records(data: Path, size_bytes: int, page_chars: int | None = None) -> list[bytes]:
    """WARC records (uncompressed bytes) cycling the GNE pages until ``size_bytes`` is reached."""
    pages = _pages(data, page_chars)
    records = [_record("warcinfo", "", "application/warc-fields", b"software: warc_bench\r\nformat: WARC/1.0\r\n", 0)]
    total, n = len(records[0]), 0
    while total < size_bytes:
        name, html = pages[n % len(pages)]
        uri = f"http://bench/{n}/{name}"
        charset = html_declared_charset(html)
        content_type = f"text/html; charset={charset}" if charset else "text/html"
        http = (
            f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nServer: bench\r\nContent-Length: {len(html)}\r\n\r\n"
        ).encode() + html
        batch = [
            _record(
                "request",
                uri,
                "application/http; msgtype=request",
                f"GET /{n} HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\n\r\n".encode(),
                n,
            ),
            _record("response", uri, "application/http; msgtype=response", http, n),
            _record("metadata", uri, "application/warc-fields", b"fetchTimeMs: 120\r\n", n),
        ]
        if n % 10 == 0:
            image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20
            moved = b"HTTP/1.1 301 Moved Permanently\r\nLocation: http://bench/x\r\nContent-Type: text/html\r\n\r\n"
            batch += [
                _record("response", uri + ".png", "application/http; msgtype=response", image, n),
                _record("response", uri + "/old", "application/http; msgtype=response", moved, n),
            ]
        records += batch
        total += sum(map(len, batch))
        n += 1
    return records


def _load(path: Path):
    spec = importlib.util.spec_from_file_location("warc_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page-chars", type=int, default=None)
    parser.add_argument("--baseline", type=Path, default=None, help="another warc.py to time against this one")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    records = build_records(args.data, int(args.size_mb * 1e6), args.page_chars)
    plain = b"".join(records)
    variants = [
        ("per-record gzip", "gzip", b"".join(gzip.compress(r, compresslevel=6) for r in records)),
        ("whole-file gzip", "gzip", gzip.compress(plain, compresslevel=6)),
        ("plain", None, plain),
    ]
    parsers = [("current", warc.parse_warc)]
    if args.baseline is not None:
        parsers.insert(0, ("baseline", _load(args.baseline).parse_warc))
    print(
        f"{len(records)} WARC records, {len(plain) / 1e6:.1f} MB uncompressed, "
        f"{len(plain) / len(records) / 1e3:.1f} kB per record"
    )
    print("| layout | file MB | " + " | ".join(f"{name} MB/s" for name, _ in parsers) + " | documents |")
    print("|---|---|" + "---|" * len(parsers) + "---|")
    for name, compression, data in variants:
        best = {label: float("inf") for label, _ in parsers}
        documents = 0
        for _ in range(args.runs):
            for label, parse in parsers:
                start = time.process_time()
                out = list(parse(data, "bench.warc", compression, MAX_DOCUMENT_BYTES, "warc"))
                best[label] = min(best[label], time.process_time() - start)
                documents = sum(r.quarantine is None for r in out)
        rates = " | ".join(f"{len(plain) / 1e6 / best[label]:.1f}" for label, _ in parsers)
        print(f"| {name} | {len(data) / 1e6:.1f} | {rates} | {documents} |")


if __name__ == "__main__":
    main()
