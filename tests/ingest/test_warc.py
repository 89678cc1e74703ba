import gzip
import zlib

import pytest
import zstandard

from corpus_pipeline.ingest.parsers import parse_file
from corpus_pipeline.ingest.record import RawRecord

ZH = "今天天气很好，我们一起去公园散步吧。这是一个简体中文的测试页面。"


def warc_record(warc_type: str, payload: bytes, uri: str = "http://example.com/",
                content_type: str = "application/http; msgtype=response") -> bytes:
    head = (
        f"WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000000>\r\n"
        f"WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode()
    return head + payload + b"\r\n\r\n"


def http(body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK",
         extra: str = "") -> bytes:
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
    records = parse(b"".join([
        response("http://h/header", gbk, content_type="text/html; charset=GBK"),
        response("http://h/meta", page(ZH, '<meta charset="gb2312">').encode("gbk"), content_type="text/html"),
        response("http://h/detected", (page(ZH) * 3).encode("gbk"), content_type="text/html"),
        response("http://h/wrong-header", gbk, content_type="text/html; charset=utf-8"),
    ]), "c.warc")
    assert [r.html for r in records] == [page(ZH), page(ZH, '<meta charset="gb2312">'), page(ZH) * 3, page(ZH)]


def test_short_big5_page_needs_its_declared_charset():
    body = "<p>繁體</p>".encode("big5")
    [record] = parse(response("http://t/", body, content_type="text/html; charset=big5"), "c.warc")
    assert record.html == "<p>繁體</p>"


def test_non_2xx_and_non_http_are_skipped():
    records = parse(b"".join([
        response("http://a/404", page("找不到").encode(), status="404 Not Found"),
        response("http://a/301", b"<a href=x>moved</a>", status="301 Moved Permanently"),
        warc_record("resource", page(ZH).encode(), "file:///x.html", "text/html"),
        warc_record("revisit", b"", "http://a/1"),
        response("http://a/ok", page("好").encode()),
    ]), "c.warc")
    assert [(r.offset, r.url) for r in records] == [(0, "http://a/ok")]


def test_chunked_and_gzip_content_encoding_are_decoded():
    html = page(ZH).encode()
    compressed = gzip.compress(html)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(compressed), compressed)
    records = parse(b"".join([
        response("http://e/gzip", compressed, extra="Content-Encoding: gzip\r\n"),
        response("http://e/chunked-gzip", chunked, extra="Transfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n"),
        response("http://e/deflate", zlib.compress(html), extra="Content-Encoding: deflate\r\n"),
        response("http://e/mislabelled", html, extra="Content-Encoding: gzip\r\n"),
    ]), "c.warc")
    assert [(r.url, r.html, r.raw_bytes) for r in records] == [
        ("http://e/gzip", page(ZH), len(compressed)),
        ("http://e/chunked-gzip", page(ZH), len(chunked)),
        ("http://e/deflate", page(ZH), len(zlib.compress(html))),
        ("http://e/mislabelled", page(ZH), len(html)),
    ]


def test_record_reasons():
    records = parse(b"".join([
        response("http://r/empty", b""),
        response("http://r/blank", b" \r\n\t "),
        response("http://r/nul", b"<p>a\x00b</p>"),
        response("http://r/bad", ZH.encode("gbk") + b"\xff\xfe\xff" + ZH.encode("gbk"), content_type="text/html"),
        response("http://r/big", b"<p>" + b"x" * 500 + b"</p>"),
        response("http://r/good", b"<p>ok</p>"),
    ]), "c.warc", max_document_bytes=300)
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
        ("http://big/", "document_too_large", len(body)), ("http://small/", None, 9)]


def test_truncated_warc_gz_mid_record():
    data = gz_members(CRAWL)
    cut = sum(len(gzip.compress(r)) for r in CRAWL[:4]) + 40  # inside the GBK page's member
    records = parse(data[:cut], "c.warc.gz")
    assert [(r.offset, r.url, r.quarantine) for r in records] == [
        (0, "http://a/1", None), (1, None, "truncated_archive")]
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
    assert [(r.url, r.quarantine) for r in records] == [("http://a/1", None), (None, "truncated_archive")]
    assert records[1].detail.startswith("record payload ends after ")


def test_garbage_is_malformed_warc():
    [record] = parse(b"this is not a WARC file at all\r\n\r\n", "c.warc")
    assert (record.offset, record.quarantine, record.detail) == (0, "malformed_warc", "Invalid WARC header")


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
        RawRecord(path=path, offset=1, raw_bytes=len("第二篇\n第二行".encode()),
                  url="http://w/2", text="第二篇\n第二行"),
    ]
    assert [(r.offset, r.url, r.quarantine) for r in records[2:]] == [
        (2, "http://w/empty", "missing_text"), (3, "http://w/nul", "nul_bytes")]


def test_wet_ignores_warc_responses_and_warc_ignores_conversions():
    assert parse(b"".join(CRAWL), "c.wet", "wet") == []
    assert parse(b"".join(WET), "c.warc", "warc") == []


def test_truncated_wet():
    data = gz_members(WET[:3])
    records = parse(data[:-30], "c.warc.wet.gz", "wet")
    assert [(r.url, r.quarantine) for r in records] == [("http://w/1", None), (None, "truncated_archive")]
