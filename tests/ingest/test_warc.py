import gzip
import random
import re
import zlib

import pytest
import zstandard

from corpus_pipeline.ingest import warc as warc_module
from corpus_pipeline.ingest.parsers import parse_file
from corpus_pipeline.ingest.record import RawRecord
from corpus_pipeline.ingest.warc import WarcCounts, parse_warc

ZH = "今天天气很好，我们一起去公园散步吧。这是一个简体中文的测试页面。"


def warc_record(
    warc_type: str,
    payload: bytes,
    uri: str = "http://example.com/",
    content_type: str = "application/http; msgtype=response",
) -> bytes:
    head = (
        f"WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000000>\r\n"
        f"WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode()
    return head + payload + b"\r\n\r\n"


def http(body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK", extra: str = "") -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}\r\n".encode() + body


def response(uri: str, body: bytes, **kwargs) -> bytes:
    return warc_record("response", http(body, **kwargs), uri)


def gz_members(records: list[bytes]) -> bytes:
    return b"".join(gzip.compress(r) for r in records)


def page(text: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body><p>{text}</p></body></html>"


CRAWL = [
    warc_record("warcinfo", b"software: test\r\n", "", "application/warc-fields"),
    warc_record("request", b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "http://a/1", "application/http; msgtype=request"),
    response("http://a/1", page(ZH).encode()),
    response("http://a/img.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png"),
    response("http://a/2", page(ZH).encode("gbk"), content_type="text/html; charset=gb2312"),
    response("http://a/3", page(ZH, '<meta charset="gbk">').encode("gbk"), content_type="text/html"),
    warc_record("metadata", b"fetchTimeMs: 5\r\n", "http://a/3", "application/warc-fields"),
    response("http://a/4.xhtml", page("最后一页" * 20).encode(), content_type="application/xhtml+xml"),
]
CRAWL_DOCS = [
    ("http://a/1", page(ZH)),
    ("http://a/2", page(ZH)),
    ("http://a/3", page(ZH, '<meta charset="gbk">')),
    ("http://a/4.xhtml", page("最后一页" * 20)),
]


def parse(data, path, fmt="warc", **kwargs):
    return list(parse_file(data, path, fmt, **kwargs))


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
def test_html_responses_become_documents(suffix):
    data = b"".join(CRAWL)
    data = gz_members(CRAWL) if suffix == ".gz" else zstandard.ZstdCompressor().compress(data) if suffix else data
    records = parse(data, "c.warc" + suffix)
    assert [(r.offset, r.url, r.html) for r in records] == [(i, u, h) for i, (u, h) in enumerate(CRAWL_DOCS)]
    assert all(r.id is None and r.text is None and r.quarantine is None for r in records)
    assert records[1].raw_bytes == len(page(ZH).encode("gbk"))


def test_charset_sources_in_order():
    gbk = page(ZH).encode("gbk")
    records = parse(
        b"".join(
            [
                response("http://h/header", gbk, content_type="text/html; charset=GBK"),
                response("http://h/meta", page(ZH, '<meta charset="gb2312">').encode("gbk"), content_type="text/html"),
                response("http://h/detected", (page(ZH) * 3).encode("gbk"), content_type="text/html"),
                response("http://h/wrong-header", gbk, content_type="text/html; charset=utf-8"),
            ]
        ),
        "c.warc",
    )
    assert [r.html for r in records] == [page(ZH), page(ZH, '<meta charset="gb2312">'), page(ZH) * 3, page(ZH)]


def test_short_big5_page_needs_its_declared_charset():
    body = "<p>繁體</p>".encode("big5")
    [record] = parse(response("http://t/", body, content_type="text/html; charset=big5"), "c.warc")
    assert record.html == "<p>繁體</p>"


def test_non_2xx_and_non_http_are_skipped():
    records = parse(
        b"".join(
            [
                response("http://a/404", page("找不到").encode(), status="404 Not Found"),
                response("http://a/301", b"<a href=x>moved</a>", status="301 Moved Permanently"),
                warc_record("resource", page(ZH).encode(), "file:///x.html", "text/html"),
                warc_record("revisit", b"", "http://a/1"),
                response("http://a/ok", page("好").encode()),
            ]
        ),
        "c.warc",
    )
    assert [(r.offset, r.url) for r in records] == [(0, "http://a/ok")]


def test_chunked_and_gzip_content_encoding_are_decoded():
    html = page(ZH).encode()
    compressed = gzip.compress(html)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(compressed), compressed)
    records = parse(
        b"".join(
            [
                response("http://e/gzip", compressed, extra="Content-Encoding: gzip\r\n"),
                response(
                    "http://e/chunked-gzip", chunked, extra="Transfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n"
                ),
                response("http://e/deflate", zlib.compress(html), extra="Content-Encoding: deflate\r\n"),
                response("http://e/mislabelled", html, extra="Content-Encoding: gzip\r\n"),
            ]
        ),
        "c.warc",
    )
    assert [(r.url, r.html, r.raw_bytes) for r in records] == [
        ("http://e/gzip", page(ZH), len(compressed)),
        ("http://e/chunked-gzip", page(ZH), len(chunked)),
        ("http://e/deflate", page(ZH), len(zlib.compress(html))),
        ("http://e/mislabelled", page(ZH), len(html)),
    ]


def test_record_reasons():
    records = parse(
        b"".join(
            [
                response("http://r/empty", b""),
                response("http://r/blank", b" \r\n\t "),
                response("http://r/nul", b"<p>a\x00b</p>"),
                response(
                    "http://r/bad", ZH.encode("gbk") + b"\xff\xfe\xff" + ZH.encode("gbk"), content_type="text/html"
                ),
                response("http://r/big", b"<p>" + b"x" * 500 + b"</p>"),
                response("http://r/good", b"<p>ok</p>"),
            ]
        ),
        "c.warc",
        max_document_bytes=300,
    )
    assert [(r.offset, r.url, r.quarantine) for r in records] == [
        (0, "http://r/empty", "missing_text"),
        (1, "http://r/blank", "missing_text"),
        (2, "http://r/nul", "nul_bytes"),
        (3, "http://r/bad", "undecodable"),
        (4, "http://r/big", "document_too_large"),
        (5, "http://r/good", None),
    ]
    assert records[4].raw_bytes == 507 and records[4].detail == "payload of 507 bytes > max_document_bytes 300"
    assert records[2].sample == "<p>a\x00b</p>"


def test_20mb_payload_is_too_large():
    body = b"<p>" + "中".encode() * (20 * 2**20 // 3) + b"</p>"
    records = parse(gz_members([response("http://big/", body), response("http://small/", b"<p>ok</p>")]), "c.warc.gz")
    assert [(r.url, r.quarantine, r.raw_bytes) for r in records] == [
        ("http://big/", "document_too_large", len(body)),
        ("http://small/", None, 9),
    ]


def test_truncated_warc_gz_mid_record():
    data = gz_members(CRAWL)
    cut = sum(len(gzip.compress(r)) for r in CRAWL[:4]) + 40  # inside the GBK page's member
    records = parse(data[:cut], "c.warc.gz")
    assert [(r.offset, r.url, r.quarantine) for r in records] == [
        (0, "http://a/1", None),
        (1, None, "truncated_archive"),
    ]
    assert "ended before the end-of-stream marker" in records[1].detail


def test_every_cut_of_a_warc_gz_gives_a_prefix_and_one_truncation():
    members = [gzip.compress(r) for r in CRAWL]
    data = b"".join(members)
    ends = {sum(map(len, members[: i + 1])) for i in range(len(members))}
    for cut in range(1, len(data) + 1):
        records = parse(data[:cut], "c.warc.gz")
        docs = [(r.url, r.html) for r in records if not r.quarantine]
        assert docs == [(u, h) for u, h in CRAWL_DOCS[: len(docs)]], cut
        assert [r.quarantine for r in records if r.quarantine] == ([] if cut in ends else ["truncated_archive"]), cut
        assert [r.offset for r in records] == list(range(len(records)))


def test_every_cut_of_a_plain_warc_gives_a_prefix_and_at_most_one_truncation():
    data = b"".join(CRAWL)
    ends = {sum(map(len, CRAWL[: i + 1])) for i in range(len(CRAWL))}
    for cut in range(1, len(data) + 1):
        records = parse(data[:cut], "c.warc")
        docs = [(r.url, r.html) for r in records if not r.quarantine]
        assert docs == [(u, h) for u, h in CRAWL_DOCS[: len(docs)]], cut
        quarantined = [r.quarantine for r in records if r.quarantine]
        if cut in ends:
            assert quarantined == [], cut
        # a cut inside a record's closing CRLFs after a payload ending in CRLF looks like a clean end and loses
        # nothing; every other cut must be reported
        elif not data[:cut].endswith(b"\r\n\r\n"):
            assert quarantined == ["truncated_archive"], cut


def test_plain_warc_cut_inside_a_payload():
    data = b"".join(CRAWL)
    cut = data.index(b"\xbd\xf1\xcc\xec")  # inside the first GBK page
    records = parse(data[:cut], "c.warc")
    assert [(r.url, r.quarantine) for r in records] == [("http://a/1", None), ("http://a/2", "truncated_archive")]
    assert records[1].detail.startswith("record payload ends after ")


def test_garbage_is_malformed_warc():
    [record] = parse(b"this is not a WARC file at all\r\n\r\n", "c.warc")
    assert (record.offset, record.quarantine) == (0, "malformed_warc")
    assert record.detail == (
        "first line b'this is not a WARC file at all' is not a WARC version line (WARC/1.0 or WARC/1.1)"
    )


def test_garbage_after_good_records():
    records = parse(b"".join(CRAWL[:3]) + b"garbage\r\n\r\n", "c.warc")
    assert [(r.offset, r.quarantine) for r in records] == [(0, None), (1, "malformed_warc")]


def test_corrupt_gzip_member():
    records = parse(gz_members(CRAWL[:3]) + b"not gzip", "c.warc.gz")
    assert [(r.offset, r.quarantine) for r in records] == [(0, None), (1, "corrupt_archive")]


@pytest.mark.parametrize("data", [b"", gzip.compress(b"")])
def test_empty_warc(data):
    [record] = parse(data, "c.warc.gz")
    assert (record.offset, record.quarantine) == (0, "empty_file")


def test_warc_without_documents_has_no_records():
    assert parse(gz_members(CRAWL[:2]), "c.warc.gz") == []


# ---------------------------------------------------------------- WET

WET = [
    warc_record("warcinfo", b"software: test\r\n", "", "application/warc-fields"),
    warc_record("conversion", ZH.encode(), "http://w/1", "text/plain"),
    warc_record("conversion", "第二篇\n第二行".encode(), "http://w/2", "text/plain"),
    warc_record("conversion", b"", "http://w/empty", "text/plain"),
    warc_record("conversion", b"a\x00b", "http://w/nul", "text/plain"),
]


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
def test_wet_conversion_records(suffix):
    data = b"".join(WET)
    data = gz_members(WET) if suffix == ".gz" else zstandard.ZstdCompressor().compress(data) if suffix else data
    path = "CC-MAIN-x.warc.wet" + suffix
    records = parse(data, path, "wet")
    assert records[:2] == [
        RawRecord(path=path, offset=0, raw_bytes=len(ZH.encode()), url="http://w/1", text=ZH),
        RawRecord(
            path=path, offset=1, raw_bytes=len("第二篇\n第二行".encode()), url="http://w/2", text="第二篇\n第二行"
        ),
    ]
    assert [(r.offset, r.url, r.quarantine) for r in records[2:]] == [
        (2, "http://w/empty", "missing_text"),
        (3, "http://w/nul", "nul_bytes"),
    ]


def test_wet_ignores_warc_responses_and_warc_ignores_conversions():
    assert parse(b"".join(CRAWL), "c.wet", "wet") == []
    assert parse(b"".join(WET), "c.warc", "warc") == []


def test_truncated_wet():
    data = gz_members(WET[:3])
    records = parse(data[:-30], "c.warc.wet.gz", "wet")
    assert [(r.url, r.quarantine) for r in records] == [("http://w/1", None), (None, "truncated_archive")]


# ---------------------------------------------------------------- per-file counts


def counted(data: bytes, compression: str | None, fmt: str = "warc", limit: int = 8 * 2**20):
    """The records of ``parse_warc`` and its counts, checked against the conservation invariant."""
    counts = WarcCounts()
    records = list(parse_warc(data, "c.warc", compression, limit, fmt, counts=counts))
    assert counts.balanced(), counts
    assert counts.documents + counts.quarantined == len(records)
    assert [r.offset for r in records] == list(range(len(records)))
    return records, counts


@pytest.mark.parametrize("layout", ["plain", "members", "whole", "zstd"])
def test_counts_of_a_crawl(layout):
    data, compression = {
        "plain": (b"".join(CRAWL), None),
        "members": (gz_members(CRAWL), "gzip"),
        "whole": (gzip.compress(b"".join(CRAWL)), "gzip"),
        "zstd": (zstandard.ZstdCompressor().compress(b"".join(CRAWL)), "zstd"),
    }[layout]
    records, counts = counted(data, compression)
    assert [(r.url, r.html) for r in records] == CRAWL_DOCS
    assert counts.as_dict() == {
        "records": 8,
        "documents": 4,
        "quarantined": 0,
        "skipped": {"not_html": 1, "not_response": 3},
    }


def test_counts_by_skip_kind_and_quarantine():
    records, counts = counted(
        b"".join(
            [
                response("http://k/404", page("找不到").encode(), status="404 Not Found"),
                warc_record("response", page(ZH).encode(), "http://k/not-http", "text/html"),
                warc_record("response", page(ZH).encode(), "http://k/no-status-line"),
                response("http://k/img", b"\x89PNG", content_type="image/png"),
                warc_record("revisit", b"", "http://k/1"),
                response("http://k/empty", b""),
                response("http://k/ok", page("好").encode()),
            ]
        ),
        None,
    )
    assert [(r.url, r.quarantine) for r in records] == [("http://k/empty", "missing_text"), ("http://k/ok", None)]
    assert counts.as_dict() == {
        "records": 7,
        "documents": 1,
        "quarantined": 1,
        "skipped": {"not_2xx": 1, "not_html": 1, "not_http": 2, "not_response": 1},
    }


def test_wet_counts():
    records, counts = counted(b"".join(WET), None, "wet")
    assert len(records) == 4
    assert counts.as_dict() == {"records": 5, "documents": 2, "quarantined": 2, "skipped": {"not_conversion": 1}}


def test_counts_add_and_empty_file():
    total = WarcCounts()
    for data in (b"", b"\r\n\r\n", b"".join(CRAWL)):
        _, counts = counted(data, None)
        total.add(counts)
    assert total.as_dict() == {
        "records": 10,
        "documents": 4,
        "quarantined": 2,
        "skipped": {"not_html": 1, "not_response": 3},
    }
    assert total.balanced()


def test_a_bug_in_one_record_is_a_parse_error_and_counted(monkeypatch):
    def boom(*args):
        raise RuntimeError("kaput")

    monkeypatch.setattr(warc_module, "_content_decoded", boom)
    records, counts = counted(b"".join(CRAWL), None)
    assert [(r.url, r.quarantine) for r in records] == [(u, "parse_error") for u, _ in CRAWL_DOCS]
    assert counts.records == 8


def test_a_framing_bug_ends_the_file_with_one_counted_parse_error(monkeypatch):
    def boom(self, pos):
        raise RuntimeError("kaput")

    monkeypatch.setattr(warc_module._Framer, "_unit_at", boom)
    records, counts = counted(b"".join(CRAWL), None)
    assert [(r.quarantine, r.detail) for r in records] == [("parse_error", "RuntimeError: kaput")]
    assert counts.as_dict() == {"records": 1, "documents": 0, "quarantined": 1, "skipped": {}}


# ---------------------------------------------------------------- a bad record among good ones


GOOD = [response(f"http://g/{i}", page(f"{ZH}第{i}页").encode()) for i in range(4)]
GOOD_DOCS = [(f"http://g/{i}", page(f"{ZH}第{i}页")) for i in range(4)]
BAD_BODY = page("坏" * 40).encode()
BAD = response("http://g/bad", BAD_BODY)
BAD_LENGTH = int(re.search(rb"Content-Length: (\d+)", BAD).group(1))
LAYOUTS = {
    "plain": (lambda records: b"".join(records), None),
    "members": (gz_members, "gzip"),  # one gzip member per record, as crawlers write .warc.gz
    "whole": (lambda records: gzip.compress(b"".join(records)), "gzip"),  # one gzip stream for the whole file
}


def with_length(record: bytes, value: bytes) -> bytes:
    return re.sub(rb"Content-Length: \d+", b"Content-Length: " + value, record, count=1)


BAD_RECORDS = {
    "length_too_small": (
        with_length(BAD, b"%d" % (BAD_LENGTH - 10)),
        "http://g/bad",
        "warc_length_mismatch",
        (
            f"Content-Length {BAD_LENGTH - 10} disagrees with the record's end: the next WARC record "
            f"starts after {BAD_LENGTH} bytes of payload"
        ),
    ),
    "length_too_large": (
        with_length(BAD, b"%d" % (BAD_LENGTH + 10)),
        "http://g/bad",
        "warc_length_mismatch",
        (
            f"Content-Length {BAD_LENGTH + 10} disagrees with the record's end: the next WARC record "
            f"starts after {BAD_LENGTH} bytes of payload"
        ),
    ),
    "length_past_the_end": (
        with_length(BAD, b"%d" % (BAD_LENGTH + 10**6)),
        "http://g/bad",
        "warc_length_mismatch",
        f"Content-Length {BAD_LENGTH + 10**6} disagrees with the record's end",
    ),
    "length_not_a_number": (
        with_length(BAD, b"12a"),
        "http://g/bad",
        "malformed_warc",
        "Content-Length '12a' is not a number",
    ),
    "length_negative": (
        re.sub(rb"Content-Length: \d+", b"Content-Length: -5", BAD),
        "http://g/bad",
        "malformed_warc",
        "Content-Length '-5' is not a number",
    ),
    "length_missing": (
        BAD.replace(b"Content-Length:", b"X-Length:"),
        "http://g/bad",
        "malformed_warc",
        "no Content-Length header",
    ),
    "type_missing": (BAD.replace(b"WARC-Type:", b"X-Type:"), "http://g/bad", "malformed_warc", "no WARC-Type header"),
    "version_9_9": (
        BAD.replace(b"WARC/1.0", b"WARC/9.9", 1),
        "http://g/bad",
        "malformed_warc",
        "first line b'WARC/9.9' is not a WARC version line",
    ),
    "version_warx": (
        BAD.replace(b"WARC/1.0", b"WARX/1.0", 1),
        "http://g/bad",
        "malformed_warc",
        "first line b'WARX/1.0' is not a WARC version line",
    ),
    "version_garbage": (
        BAD.replace(b"WARC/1.0", b"\xff\xfe garbage", 1),
        "http://g/bad",
        "malformed_warc",
        "first line b'\\xff\\xfe garbage' is not a WARC version line",
    ),
    "header_line_broken": (
        BAD.replace(b"WARC-Date:", b"WARC Date"),
        None,
        "malformed_warc",
        "a header line is not 'Name: value'",
    ),
    "header_cut_by_a_blank_line": (
        BAD.replace(b"\r\nContent-Type:", b"\r\n\r\nContent-Type:"),
        "http://g/bad",
        "malformed_warc",
        "no Content-Length header",
    ),
    "garbage_between_records": (
        b"\x00\x01 these are not WARC records \x02\r\n",
        None,
        "malformed_warc",
        "not a WARC record",
    ),
    "nul_before_a_header": (
        b"\x00" + GOOD[0].replace(b"http://g/0", b"http://g/x"),
        None,
        "malformed_warc",
        "1 bytes before a WARC record are not a record",
    ),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", BAD_RECORDS)
def test_one_bad_record_is_quarantined_and_the_rest_kept(case, layout):
    bad, url, reason, detail = BAD_RECORDS[case]
    build, compression = LAYOUTS[layout]
    records, counts = counted(build(GOOD[:2] + [bad] + GOOD[2:]), compression)
    documents = [(r.url, r.html) for r in records if r.quarantine is None]
    expected = GOOD_DOCS[:2] + ([("http://g/x", GOOD_DOCS[0][1])] if case == "nul_before_a_header" else [])
    assert documents == expected + GOOD_DOCS[2:]
    [bad_record] = [r for r in records if r.quarantine]
    assert (bad_record.offset, bad_record.url, bad_record.quarantine) == (2, url, reason)
    assert detail in bad_record.detail
    assert all("WARC/1.0" not in html for _, html in documents)  # no record swallowed the next one's header
    assert counts.records == 5 + (case == "nul_before_a_header")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_record_of_a_file_with_bad_lengths_throughout(layout):
    build, compression = LAYOUTS[layout]
    records = []
    for i, good in enumerate(GOOD):
        length = int(re.search(rb"Content-Length: (\d+)", good).group(1))
        records += [with_length(good, b"%d" % (length + (-1) ** i * (i + 1) * 7)), good]
    found, counts = counted(build(records), compression)
    assert [(r.url, r.quarantine) for r in found] == [
        (url, reason) for url, _ in GOOD_DOCS for reason in ("warc_length_mismatch", None)
    ]
    assert counts.records == 8


@pytest.mark.parametrize("layout", LAYOUTS)
def test_crlf_crlf_after_the_payload_keeps_the_record(layout):
    # the ambiguous case, decided for the record: a payload followed by CRLF CRLF and then not by a record is kept,
    # what follows is quarantined up to the next record (a damaged next header is the likelier cause; a too-small
    # Content-Length that happens to end on a blank line inside the payload gives a document cut there)
    build, compression = LAYOUTS[layout]
    short = response("http://g/short", b"<p>a</p>\r\n\r\n<p>b</p>")
    length = int(re.search(rb"Content-Length: (\d+)", short).group(1))
    records, counts = counted(build(GOOD[:2] + [with_length(short, b"%d" % (length - 12))] + GOOD[2:]), compression)
    assert [(r.url, r.quarantine, r.html) for r in records[2:4]] == [
        ("http://g/short", None, "<p>a</p>"),
        (None, "malformed_warc", None),
    ]
    assert records[3].sample == "<p>b</p>\r\n\r\n"
    assert [(r.url, r.html) for r in records[4:]] == GOOD_DOCS[2:] and counts.records == 6


def quoting_page(text: str = ZH) -> bytes:
    """An archived page about WARC that quotes a whole WARC record, version line and closing included."""
    quoted = warc_record("response", http(b"<p>quoted</p>"), "http://quoted/")
    return page(f"<pre>{quoted.decode()}</pre>{text}").encode()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_payload_quoting_a_warc_record_is_not_split(layout):
    build, compression = LAYOUTS[layout]
    about = response("http://g/about", quoting_page())
    records, counts = counted(build(GOOD[:2] + [about] + GOOD[2:]), compression)
    assert [(r.url, r.quarantine) for r in records] == [(u, None) for u, _ in GOOD_DOCS[:2]] + [
        ("http://g/about", None)
    ] + [(u, None) for u, _ in GOOD_DOCS[2:]]
    assert records[2].html == quoting_page().decode()
    assert counts.records == 5


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_quoting_payload_stays_whole_when_the_next_header_is_damaged(layout):
    build, compression = LAYOUTS[layout]
    about = response("http://g/about", quoting_page())
    damaged = GOOD[2].replace(b"WARC/1.0", b"WARC/1.\x00", 1)
    records, _ = counted(build(GOOD[:2] + [about, damaged, GOOD[3]]), compression)
    assert [(r.url, r.quarantine) for r in records] == [
        ("http://g/0", None),
        ("http://g/1", None),
        ("http://g/about", None),
        ("http://g/2", "malformed_warc"),
        ("http://g/3", None),
    ]
    assert records[2].html == quoting_page().decode()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_bad_record_then_truncated_end(layout):
    build, compression = LAYOUTS[layout]
    data = build(GOOD[:2] + [with_length(BAD, b"%d" % (BAD_LENGTH + 3))] + GOOD[2:])
    records, counts = counted(data[: -4 if layout == "whole" else -40], compression)  # whole: cut in the gzip trailer
    last = (
        [("http://g/3", None), (None, "truncated_archive")]
        if layout == "whole"
        else [("http://g/3", "truncated_archive")]
    )
    assert [(r.url, r.quarantine) for r in records] == [
        ("http://g/0", None),
        ("http://g/1", None),
        ("http://g/bad", "warc_length_mismatch"),
        ("http://g/2", None),
        *last,
    ]
    assert counts.records == 5 + (layout == "whole")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_cut_gives_the_records_before_it_and_one_truncation(layout):
    build, compression = LAYOUTS[layout]
    data = build(GOOD[:2] + [with_length(BAD, b"%d" % (BAD_LENGTH - 3))] + GOOD[2:])
    for cut in range(1, len(data), 7):
        records, _ = counted(data[:cut], compression)
        documents = [(r.url, r.html) for r in records if r.quarantine is None]
        assert documents == GOOD_DOCS[: len(documents)], cut
        reasons = [r.quarantine for r in records if r.quarantine]
        assert reasons in (
            [],
            ["truncated_archive"],
            ["warc_length_mismatch"],
            ["warc_length_mismatch", "truncated_archive"],
        ), (cut, reasons)


def test_lf_only_warc():
    def lf_record(i: int) -> bytes:
        payload = f"HTTP/1.1 200 OK\nContent-Type: text/html\n\n<p>第{i}页</p>".encode()
        return (
            (
                f"WARC/1.0\nWARC-Type: response\nWARC-Target-URI: http://lf/{i}\n"
                f"Content-Type: application/http; msgtype=response\nContent-Length: {len(payload)}\n\n"
            ).encode()
            + payload
            + b"\n\n"
        )

    data = b"".join(lf_record(i) for i in range(3))
    records, _ = counted(data, None)
    assert [(r.url, r.html) for r in records] == [(f"http://lf/{i}", f"<p>第{i}页</p>") for i in range(3)]
    records, _ = counted(data[:-1], None)
    assert [r.quarantine for r in records] == [None, None, "truncated_archive"]


def test_line_breaks_between_records_are_not_records():
    records, counts = counted(b"\r\n".join(GOOD) + b"\n\n", None)
    assert [(r.url, r.html) for r in records] == GOOD_DOCS and counts.records == 4


def test_plain_warc_named_gz():
    records, _ = counted(b"".join(GOOD), "gzip")
    assert [(r.url, r.html) for r in records] == GOOD_DOCS


# ---------------------------------------------------------------- damaged gzip members


def damaged_member(member: bytes, at: int) -> bytes:
    return member[:at] + bytes([member[at] ^ 0x10]) + member[at + 1 :]


@pytest.mark.parametrize("where", ["deflate", "crc", "magic", "flags"])
def test_a_damaged_gzip_member_is_one_corrupt_record(where):
    members = [gzip.compress(r, mtime=0) for r in GOOD[:2] + [BAD] + GOOD[2:]]
    at = {"deflate": len(members[2]) // 2, "crc": len(members[2]) - 6, "magic": 1, "flags": 3}[where]
    members[2] = damaged_member(members[2], at)
    records, counts = counted(b"".join(members), "gzip")
    assert [(r.url, r.html) for r in records if r.quarantine is None] == GOOD_DOCS
    [bad] = [r for r in records if r.quarantine]
    assert bad.offset == 2 and bad.quarantine == "corrupt_archive" and bad.detail.startswith("gzip: ")
    assert counts.records == 5


def test_garbage_between_gzip_members():
    records, counts = counted(gz_members(GOOD[:2]) + b"not gzip at all" + gz_members(GOOD[2:]), "gzip")
    assert [(r.url, r.quarantine) for r in records] == [
        ("http://g/0", None),
        ("http://g/1", None),
        (None, "corrupt_archive"),
        ("http://g/2", None),
        ("http://g/3", None),
    ]
    assert records[2].detail.startswith("gzip: the bytes at ")
    assert counts.records == 5


def test_whole_file_gzip_damage_keeps_the_records_before_it():
    # one gzip stream for 200 records of incompressible text, its CRC damaged: the checksum fails at the very end,
    # everything read before the failing read is kept, then one corrupt_archive record
    rng = random.Random(0)
    pages = [page("".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(300))) for _ in range(200)]
    data = gzip.compress(b"".join(response(f"http://w/{i}", p.encode()) for i, p in enumerate(pages)), mtime=0)
    records, _ = counted(damaged_member(data, len(data) - 6), "gzip")
    documents = [(r.url, r.html) for r in records if r.quarantine is None]
    assert len(documents) > 100 and documents == [(f"http://w/{i}", p) for i, p in enumerate(pages)][: len(documents)]
    [damaged] = [r for r in records if r.quarantine]
    assert damaged.quarantine == "corrupt_archive"
    assert damaged.detail.startswith(
        "gzip: Error -3 while decompressing data: incorrect data check in the member at "
        "byte 0; record payload ends after "
    )


# ---------------------------------------------------------------- payloads too large to hold


@pytest.fixture
def small_hold(monkeypatch):
    """Every payload takes the streaming path (larger than what is held in memory)."""
    monkeypatch.setattr(warc_module, "HOLD_BYTES", 16)
    monkeypatch.setattr(warc_module, "MAX_HTTP_HEADER_BYTES", 64)
    monkeypatch.setattr(warc_module, "RETAIN_BYTES", 2000)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", ["length_too_small", "length_too_large", "length_past_the_end", "version_9_9"])
def test_streamed_payloads_resynchronise(small_hold, case, layout):
    bad, url, reason, detail = BAD_RECORDS[case]
    build, compression = LAYOUTS[layout]
    about = response("http://g/about", quoting_page())
    records, counts = counted(build(GOOD[:2] + [bad, about] + GOOD[2:]), compression, limit=20)
    assert [(r.url, r.quarantine) for r in records] == [
        ("http://g/0", "document_too_large"),
        ("http://g/1", "document_too_large"),
        (url, reason),
        ("http://g/about", "document_too_large"),
        ("http://g/2", "document_too_large"),
        ("http://g/3", "document_too_large"),
    ]
    assert detail in records[2].detail and counts.records == 6


def test_streamed_payload_over_the_retain_limit(small_hold, monkeypatch):
    monkeypatch.setattr(warc_module, "RETAIN_BYTES", 1000)  # > one record, < what the bad length spans
    records, _ = counted(
        b"".join(GOOD[:1] + [with_length(BAD, b"%d" % (BAD_LENGTH + 1500))] + GOOD[1:] * 3), None, limit=20
    )
    assert [(r.url, r.quarantine) for r in records] == [
        ("http://g/0", "document_too_large"),
        ("http://g/bad", "warc_length_mismatch"),
    ] + [(u, "document_too_large") for u, _ in GOOD_DOCS[1:] * 3]
