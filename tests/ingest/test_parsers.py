import bz2
import gzip
import json

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_pipeline.ingest import jsonl as jsonl_module
from corpus_pipeline.ingest import quarantine as q
from corpus_pipeline.ingest.parsers import encodable, parse_file
from corpus_pipeline.ingest.record import RawRecord
from corpus_pipeline.ingest.warc import WarcCounts

COMPRESS = {
    "": lambda data: data,
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".zst": lambda data: zstandard.ZstdCompressor().compress(data),
}
REASONS = {
    q.TRUNCATED_ARCHIVE,
    q.CORRUPT_ARCHIVE,
    q.MALFORMED_WARC,
    q.MALFORMED_JSON,
    q.NOT_JSON_OBJECT,
    q.MISSING_TEXT,
    q.EMPTY_FILE,
    q.NUL_BYTES,
    q.DOCUMENT_TOO_LARGE,
    q.UNDECODABLE,
    q.PARSE_ERROR,
    q.WARC_LENGTH_MISMATCH,
}
MB = 2**20
ZH = "今天天气很好，我们一起去公园散步吧。这是一个简体中文的测试文件。"
ZH_TW = "臺灣的天氣很好，我們一起去公園散步吧。這是一個繁體中文的測試文件。"


def parse(data, path, fmt, **kwargs):
    return list(parse_file(data, path, fmt, **kwargs))


def jl(*objects) -> bytes:
    return b"".join(json.dumps(o, ensure_ascii=False).encode() + b"\n" for o in objects)


def only_quarantine(records):
    return [(r.offset, r.quarantine) for r in records if r.quarantine]


# ---------------------------------------------------------------- jsonl


def test_jsonl_fields_meta_and_offsets():
    lines = [
        '{"id": 7, "text": "你好", "url": "http://a", "title": "T", "source": "s", "z": 1, "a": [1]}'.encode(),
        b"",
        b"   \r",
        b'{"id": "x-1", "html": "<p>hi</p>"}\r',
        '{"text": "no id", "lang": "中"}'.encode(),  # no final newline
    ]
    assert parse(b"\n".join(lines), "in/a.jsonl", "jsonl") == [
        RawRecord(
            path="in/a.jsonl",
            offset=0,
            raw_bytes=len(lines[0]),
            id="7",
            source="s",
            url="http://a",
            title="T",
            text="你好",
            meta='{"a": [1], "z": 1}',
        ),
        RawRecord(path="in/a.jsonl", offset=3, raw_bytes=len(lines[3]), id="x-1", html="<p>hi</p>"),
        RawRecord(path="in/a.jsonl", offset=4, raw_bytes=len(lines[4]), text="no id", meta='{"lang": "中"}'),
    ]


def test_jsonl_text_wins_over_html_and_blank_text_falls_back_to_html():
    [both, blank] = parse(jl({"text": "t", "html": "<b>h</b>"}, {"text": "  ", "html": "<b>h</b>"}), "a.jsonl", "jsonl")
    assert (both.text, both.html, both.meta) == ("t", None, None)
    assert (blank.text, blank.html) == (None, "<b>h</b>")


def test_jsonl_non_string_fields_become_strings():
    [record] = parse(
        jl({"id": 12345678901234, "text": "x", "title": 3.5, "url": None, "source": ["a"]}), "a.jsonl", "jsonl"
    )
    assert (record.id, record.title, record.url, record.source) == ("12345678901234", "3.5", None, '["a"]')


def test_jsonl_every_line_reason():
    data = b"\n".join(
        [
            b'{"text": "good"}',
            b"{not json",
            b'["a", "list"]',
            b'"a string"',
            b'{"id": 5, "title": "no text"}',
            b'{"text": ""}',
            b'{"text": 42}',
            b'{"text": "a\\u0000b"}',
            b'{"html": "<p>\\u0000</p>"}',
            b'{"text": "\xff\xfe\xff bad bytes"}',
            b'{"text": "raw \x00 in a JSON string is a control character"}',
        ]
    )
    records = parse(data, "a.jsonl", "jsonl")
    assert only_quarantine(records) == [
        (1, "malformed_json"),
        (2, "not_json_object"),
        (3, "not_json_object"),
        (4, "missing_text"),
        (5, "missing_text"),
        (6, "missing_text"),
        (7, "nul_bytes"),
        (8, "nul_bytes"),
        (9, "undecodable"),
        (10, "malformed_json"),
    ]
    by_offset = {r.offset: r for r in records}
    assert by_offset[0].text == "good"
    assert by_offset[1].detail.startswith("Expecting property name") and by_offset[1].sample == "{not json"
    assert by_offset[1].raw_bytes == 9
    assert by_offset[2].detail == "expected a JSON object, got array"
    assert by_offset[3].detail == "expected a JSON object, got string"
    assert by_offset[4].id == "5"
    assert by_offset[7].detail == "text contains NUL (U+0000) at character 1"
    assert by_offset[9].sample == '{"text": "\ufffd\ufffd\ufffd bad bytes"}' and by_offset[9].raw_bytes == 25


def test_jsonl_gbk_and_big5_lines_are_decoded():
    data = (
        json.dumps({"text": ZH}, ensure_ascii=False).encode("gbk")
        + b"\n"
        + json.dumps({"text": ZH_TW}, ensure_ascii=False).encode("big5")
        + b"\n"
    )
    assert [r.text for r in parse(data, "a.jsonl", "jsonl")] == [ZH, ZH_TW]


def test_jsonl_bom_on_the_first_line_is_ignored():
    [record] = parse(b"\xef\xbb\xbf" + jl({"text": "x"}), "a.jsonl", "jsonl")
    assert record.text == "x"


def test_jsonl_line_over_the_limit_is_quarantined_without_parsing():
    big = b'{"text": "' + b"x" * 100 + b'"'  # not even valid JSON: only the size may be checked
    records = parse(jl({"text": "a"}) + big + b"\n" + jl({"text": "b"}), "a.jsonl", "jsonl", max_document_bytes=100)
    assert [(r.offset, r.quarantine, r.text) for r in records] == [
        (0, None, "a"),
        (1, "document_too_large", None),
        (2, None, "b"),
    ]
    assert records[1].raw_bytes == len(big)
    assert records[1].sample == big.decode()[:200]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_jsonl_20mb_document(suffix):
    line = b'{"text": "' + b"\xe4\xb8\xad" * (20 * MB // 3) + b'"}'
    data = COMPRESS[suffix[6:]](jl({"text": "before"}) + line + b"\n" + jl({"text": "after"}))
    records = parse(data, "a" + suffix, "jsonl")
    assert [(r.offset, r.quarantine) for r in records] == [(0, None), (1, "document_too_large"), (2, None)]
    assert records[1].raw_bytes == len(line)
    assert records[1].sample == '{"text": "' + "中" * 190
    assert records[2].text == "after"


def test_jsonl_20mb_document_fits_a_larger_limit():
    [record] = parse(jl({"text": "中" * (7 * MB)}), "a.jsonl", "jsonl", max_document_bytes=32 * MB)
    assert len(record.text) == 7 * MB and record.quarantine is None


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".zst"])
def test_jsonl_compressed(suffix):
    objects = [{"id": i, "text": f"文档 {i}"} for i in range(50)]
    records = parse(COMPRESS[suffix](jl(*objects)), "a.jsonl" + suffix, "jsonl")
    assert [(r.id, r.text) for r in records] == [(str(i), f"文档 {i}") for i in range(50)]


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".zst"])
def test_jsonl_truncated_archive(suffix):
    objects = [{"id": i, "text": f"文档 {i} " + "内容" * (i % 13)} for i in range(3000)]
    members = [COMPRESS[suffix](jl(*objects[i : i + 1000])) for i in range(0, 3000, 1000)]
    data = b"".join(members)
    cut = len(members[0]) + len(members[1]) // 2
    records = parse(data[:cut], "a.jsonl" + suffix, "jsonl")
    *docs, last = records
    assert [r.id for r in docs] == [str(i) for i in range(len(docs))]  # every complete line before the cut
    assert 1000 <= len(docs) < 2000
    assert all(r.quarantine is None for r in docs)
    assert (last.quarantine, last.offset) == ("truncated_archive", len(docs))
    assert "ended before the end" in last.detail


def test_jsonl_every_gzip_cut_gives_a_prefix_and_one_truncation():
    objects = [{"id": i, "text": "中文" * (i % 5 + 1)} for i in range(12)]
    members = [gzip.compress(jl(*objects[i : i + 4])) for i in range(0, 12, 4)]
    data, ends = b"".join(members), {len(members[0]), len(members[0]) + len(members[1]), sum(map(len, members))}
    for cut in range(1, len(data) + 1):
        records = parse(data[:cut], "a.jsonl.gz", "jsonl")
        docs = [r.id for r in records if not r.quarantine]
        assert docs == [str(i) for i in range(len(docs))], cut
        assert [r.quarantine for r in records if r.quarantine] == ([] if cut in ends else ["truncated_archive"]), cut


def test_jsonl_corrupt_archive():
    records = parse(gzip.compress(jl({"text": "a"})) + b"garbage after the member", "a.jsonl.gz", "jsonl")
    assert [(r.text, r.quarantine) for r in records] == [("a", None), (None, "corrupt_archive")]
    assert records[1].detail.startswith("gzip: Not a gzipped file")


@pytest.mark.parametrize("data", [b"", b"\n\n  \r\n"])
def test_jsonl_empty_file(data):
    [record] = parse(data, "a.jsonl", "jsonl")
    assert (record.offset, record.quarantine, record.raw_bytes) == (0, "empty_file", len(data))


def test_json_array():
    data = json.dumps(
        [{"id": 1, "text": "一"}, {"html": "<p>二</p>", "k": "v"}, 3, {"title": "t"}], ensure_ascii=False, indent=2
    ).encode()
    records = parse(b"\n  " + data, "x.json", "jsonl")
    assert [(r.offset, r.id, r.text, r.html, r.meta, r.quarantine) for r in records] == [
        (0, "1", "一", None, None, None),
        (1, None, None, "<p>二</p>", '{"k": "v"}', None),
        (2, None, None, None, None, "not_json_object"),
        (3, None, None, None, None, "missing_text"),
    ]
    assert records[1].raw_bytes == len(
        json.dumps({"html": "<p>二</p>", "k": "v"}, ensure_ascii=False, indent=2).replace("\n", "\n  ").encode()
    )


def test_json_array_compressed_and_empty():
    assert [r.text for r in parse(gzip.compress(b'[{"text": "a"}, {"text": "b"}]'), "x.json.gz", "jsonl")] == ["a", "b"]
    assert parse(b"[ ]", "x.json", "jsonl") == []


def test_json_array_malformed_element_stops_the_file():
    records = parse(b'[{"text": "a"}, {"text": oops}, {"text": "c"}]', "x.json", "jsonl")
    assert [(r.offset, r.quarantine) for r in records] == [(0, None), (1, "malformed_json")]


def test_json_array_truncated_archive():
    data = gzip.compress(json.dumps([{"text": f"文 {i}"} for i in range(2000)], ensure_ascii=False).encode())
    records = parse(data[: len(data) // 2], "x.json.gz", "jsonl")
    assert [r.text for r in records[:-1]] == [f"文 {i}" for i in range(len(records) - 1)]
    assert records[-1].quarantine == "truncated_archive" and records[-1].offset == len(records) - 1


def test_json_array_element_over_the_limit():
    records = parse(json.dumps([{"text": "a" * 50}, {"text": "b"}]).encode(), "x.json", "jsonl", max_document_bytes=40)
    assert [(r.quarantine, r.text) for r in records] == [("document_too_large", None), (None, "b")]


def test_json_file_without_array_is_json_lines():
    assert [r.text for r in parse(jl({"text": "a"}, {"text": "b"}), "x.json", "jsonl")] == ["a", "b"]


def test_jsonl_file_starting_with_an_array_is_not_an_array():
    [record] = parse(b'[{"text": "a"}]\n', "x.jsonl", "jsonl")
    assert record.quarantine == "not_json_object"


# ---------------------------------------------------------------- text and html


@pytest.mark.parametrize("suffix", list(COMPRESS))
def test_text_file_is_one_document(suffix):
    content = ("第一章\n\n" + ZH + "\n") * 3
    [record] = parse(COMPRESS[suffix](content.encode()), "book.txt" + suffix, "text")
    assert record == RawRecord(path="book.txt" + suffix, offset=0, raw_bytes=len(content.encode()), text=content)


@pytest.mark.parametrize(("encoding", "text"), [("gbk", ZH), ("gb18030", ZH + "𠀀"), ("big5", ZH_TW)])
def test_text_file_in_a_chinese_encoding(encoding, text):
    [record] = parse((text * 4).encode(encoding), "a.txt", "text")
    assert record.text == text * 4 and record.title is None


@pytest.mark.parametrize("data", [b"", b" \n\t\r\n", "\u3000\u3000\n".encode()])
def test_empty_text_file(data):
    [record] = parse(data, "a.txt", "text")
    assert (record.quarantine, record.raw_bytes, record.text) == ("empty_file", len(data), None)


def test_empty_compressed_text_file():
    [record] = parse(gzip.compress(b""), "a.txt.gz", "text")
    assert (record.quarantine, record.raw_bytes) == ("empty_file", 0)


def test_text_file_reasons():
    [undecodable] = parse(ZH.encode("gbk") + b"\xff\xfe\xff" + ZH.encode("gbk"), "a.txt", "text")
    assert undecodable.quarantine == "undecodable" and undecodable.sample.startswith("\ufffd")
    [nul] = parse(b"abc\x00def", "a.txt", "text")
    assert (nul.quarantine, nul.detail, nul.sample) == (
        "nul_bytes",
        "text contains NUL (U+0000) at character 3",
        "abc\x00def",
    )


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_20mb_text_file_is_too_large(suffix):
    data = ("中" * (20 * MB // 3 + 1)).encode()
    [record] = parse(COMPRESS[suffix](data), "big.txt" + suffix, "text")
    assert record.quarantine == "document_too_large" and record.sample == "中" * 200
    if suffix:  # decompression stopped soon after the limit
        assert 8 * MB < record.raw_bytes <= 9 * MB
    else:
        assert record.raw_bytes == len(data)


def test_truncated_text_file():
    data = gzip.compress(ZH.encode() * 1000)
    [record] = parse(data[: len(data) // 2], "a.txt.gz", "text")
    assert record.quarantine == "truncated_archive" and record.sample.startswith(ZH[:50])


def test_html_file_with_declared_charset():
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    page = f"<html><head>{meta}</head><body>{ZH}</body></html>"
    [record] = parse(page.encode("gbk"), "p.html", "html")
    assert record == RawRecord(path="p.html", offset=0, raw_bytes=len(page.encode("gbk")), html=page)


def test_html_file_declared_big5_settles_short_text():
    page = '<meta charset="big5"><p>繁體</p>'
    [record] = parse(page.encode("big5"), "p.htm", "html")
    assert record.html == page


def test_html_file_without_declaration_is_detected():
    page = f"<html><body><p>{ZH_TW * 3}</p></body></html>"
    [record] = parse(page.encode("big5"), "p.html", "html")
    assert record.html == page


@pytest.mark.parametrize("suffix", list(COMPRESS))
def test_compressed_html_file(suffix):
    page = f'<html><head><meta charset="gbk"></head><body>{ZH}</body></html>'
    [record] = parse(COMPRESS[suffix](page.encode("gbk")), "p.html" + suffix, "html")
    assert (record.html, record.raw_bytes) == (page, len(page.encode("gbk")))


def test_empty_html_file():
    [record] = parse(b"  \n", "p.html", "html")
    assert record.quarantine == "empty_file"


# ---------------------------------------------------------------- contract


def test_parquet_or_unknown_format_is_rejected_at_the_call():
    with pytest.raises(ValueError, match="parquet"):
        parse_file(b"", "a.parquet", "parquet")
    with pytest.raises(ValueError, match="csv"):
        parse_file(b"", "a.csv", "csv")


def test_unexpected_exception_becomes_parse_error(monkeypatch):
    def boom(*args):
        raise RuntimeError("kaput")

    monkeypatch.setattr(jsonl_module, "record_from_value", boom)
    records = parse(jl({"text": "a"}, {"text": "b"}), "a.jsonl", "jsonl")
    assert [(r.offset, r.quarantine, r.detail) for r in records] == [
        (0, "parse_error", "RuntimeError: kaput"),
        (1, "parse_error", "RuntimeError: kaput"),
    ]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=400)
    | st.builds(
        lambda a, b: a + b,
        st.sampled_from(
            [b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\n", b'{"text": "', b"[", b"\x1f\x8b\x08"]
        ),
        st.binary(max_size=200),
    ),
    fmt=st.sampled_from(["jsonl", "text", "html", "warc", "wet"]),
    suffix=st.sampled_from(["", ".gz", ".bz2", ".zst"]),
    compress=st.booleans(),
)
def test_parse_file_never_raises(data, fmt, suffix, compress):
    ext = {"jsonl": ".json", "text": ".txt", "html": ".html", "warc": ".warc", "wet": ".wet"}[fmt]
    if compress:
        data = COMPRESS[suffix](data)
    for record in parse_file(data, "f" + ext + suffix, fmt, max_document_bytes=300):
        assert isinstance(record, RawRecord)
        if record.quarantine is None:
            assert (record.text is None) != (record.html is None)
        else:
            assert record.quarantine in REASONS and record.detail
            assert record.sample is None or len(record.sample) <= 200


# ---------------------------------------------------------------- bad input that used to abort a stage (issue 17)


def test_lone_surrogate_record_is_quarantined_by_encodable_and_neighbours_kept():
    lines = [
        json.dumps({"id": "ok-1", "text": ZH}).encode(),
        b'{"id": "bad", "text": "a\\ud800b"}',
        json.dumps({"id": "ok-2", "text": ZH}).encode(),
    ]
    records = [encodable(r) for r in parse(b"\n".join(lines), "a.jsonl", "jsonl")]
    assert [(r.offset, r.id, r.quarantine) for r in records] == [
        (0, "ok-1", None),
        (1, "bad", q.INVALID_UNICODE),
        (2, "ok-2", None),
    ]
    bad = records[1]
    assert bad.detail == "field text holds a lone surrogate U+D800 at character 1"
    assert bad.sample == "a\\ud800b" and bad.sample.encode("utf-8")  # the escape is shown, and encodable
    assert bad.raw_bytes == len(lines[1])


@pytest.mark.parametrize(
    "line",
    [
        b'{"text": "t", "title": "\\udfff"}',
        b'{"text": "t", "id": "x\\uD83D"}',
        b'{"text": "t", "url": "http://a/\\ud800"}',
        b'{"text": "t", "source": "\\udabc"}',
        b'{"html": "<p>\\ud800</p>"}',
        b'{"text": "t", "extra": {"deep": ["ok", "\\ud800"]}}',
        b'{"text": "t", "\\ud800": 1}',
    ],
)
def test_lone_surrogate_in_any_field_is_caught(line):
    [record] = parse(line, "a.jsonl", "jsonl")
    checked = encodable(record)
    assert checked.quarantine == q.INVALID_UNICODE and "lone surrogate" in checked.detail
    assert all(
        (getattr(checked, name) or "").encode("utf-8") is not None
        for name in ("id", "source", "url", "title", "text", "html", "meta", "detail", "sample")
    )


def test_a_valid_surrogate_pair_escape_is_one_character():
    [record] = parse(b'{"text": "\\ud83d\\ude00 ok"}', "a.jsonl", "jsonl")
    assert encodable(record) is record and record.text == "\U0001f600 ok"


def test_quarantine_records_holding_a_surrogate_are_escaped_not_replaced():
    record = RawRecord(
        path="a.jsonl",
        offset=3,
        raw_bytes=9,
        id="i\ud800",
        quarantine=q.MISSING_TEXT,
        detail="no text",
        sample="x\udc00",
    )
    checked = encodable(record)
    assert (checked.quarantine, checked.id, checked.sample, checked.offset) == (
        q.MISSING_TEXT,
        "i\\ud800",
        "x\\udc00",
        3,
    )


@pytest.mark.parametrize("value", ['""', '"  "', '"\\u3000"', "null", "NaN", "Infinity", "-Infinity"])
def test_blank_or_non_finite_ids_and_sources_are_missing(value):
    line = f'{{"text": "t", "id": {value}, "source": {value}, "title": {value}}}'
    [record] = parse(line.encode(), "a.jsonl", "jsonl")
    assert (record.id, record.source, record.quarantine) == (None, None, None)
    assert record.title in (None, "", "  ", "\u3000")


def test_finite_number_ids_are_kept_as_strings():
    records = parse(jl({"text": "t", "id": 0}, {"text": "t", "id": 1.5}, {"text": "t", "id": "0"}), "a.jsonl", "jsonl")
    assert [r.id for r in records] == ["0", "1.5", "0"]


def test_nan_in_meta_becomes_valid_json():
    [record] = parse(b'{"text": "t", "score": NaN, "more": {"x": [Infinity, -Infinity, 1.5]}}', "a.jsonl", "jsonl")
    assert json.loads(record.meta) == {"score": "NaN", "more": {"x": ["Infinity", "-Infinity", 1.5]}}
    assert "NaN," not in record.meta and ": NaN" not in record.meta  # no bare NaN (not JSON)


WIDE = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]


@pytest.mark.parametrize("suffix", list(COMPRESS))
@pytest.mark.parametrize("encoding", WIDE)
def test_jsonl_in_utf16_or_utf32_is_decoded_whole(encoding, suffix):
    objects = [{"id": f"r{i}", "text": ZH + str(i), "tag": "标签"} for i in range(20)]
    data = COMPRESS[suffix](jl(*objects).decode().encode(encoding))
    records = parse(data, "a.jsonl" + suffix, "jsonl")
    assert [(r.id, r.text, r.quarantine) for r in records] == [(f"r{i}", ZH + str(i), None) for i in range(20)]
    assert json.loads(records[0].meta) == {"tag": "标签"}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_json_array_in_utf16_or_utf32(encoding):
    data = json.dumps([{"text": ZH}, {"text": ZH_TW}], ensure_ascii=False).encode(encoding)
    assert [(r.offset, r.text) for r in parse(data, "a.json", "jsonl")] == [(0, ZH), (1, ZH_TW)]


def test_bad_unit_in_utf16_jsonl_costs_only_its_line():
    data = jl(*[{"text": f"{ZH}{i}"} for i in range(5)]).decode().encode("utf-16-le")
    second_line = data.index("\n".encode("utf-16-le")) + 2
    data = data[: second_line + 10] + b"\x00\xd8" + data[second_line + 10 :]  # a lone high surrogate
    records = parse(data, "a.jsonl", "jsonl")
    assert [(r.offset, r.quarantine) for r in records] == [
        (0, None),
        (1, q.UNDECODABLE),
        (2, None),
        (3, None),
        (4, None),
    ]
    assert records[1].detail == "line is not valid UTF-16-LE"
    assert [r.text for r in records if r.text] == [f"{ZH}{i}" for i in (0, 2, 3, 4)]


def test_utf16_bom_is_trusted_even_for_implausible_text():
    records = parse("\ufeff".encode("utf-16") + "\x01\x02\n".encode("utf-16-le") * 3, "a.jsonl", "jsonl")
    assert len(records) == 3 and {r.quarantine for r in records} == {q.MALFORMED_JSON}  # not one per 0x0A byte


@pytest.mark.parametrize("suffix", list(COMPRESS))
@pytest.mark.parametrize("encoding", WIDE)
def test_text_file_in_utf16_or_utf32(encoding, suffix):
    text = "\n".join([ZH, ZH_TW] * 3)  # without a BOM, NULs of a few ASCII characters (newlines) are the evidence
    [record] = parse(COMPRESS[suffix](text.encode(encoding)), "a.txt" + suffix, "text")
    assert (record.text, record.quarantine) == (text, None)


def test_html_file_in_utf16():
    page = f"<html><head><meta charset='utf-16'></head><body><p>{ZH}</p></body></html>"
    [record] = parse(page.encode("utf-16"), "a.html", "html")
    assert record.html == page


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"\xff\xfe", " \u3000".encode("utf-16")])
def test_a_file_of_only_a_bom_is_empty(data):
    [record] = parse(data, "a.txt", "text")
    assert record.quarantine == q.EMPTY_FILE


# ---------------------------------------------------------------- per-file counts (issue 17)


def test_parse_file_fills_warc_counts_and_leaves_them_untouched_for_other_formats():
    from tests.ingest.test_warc import CRAWL

    counts = WarcCounts()
    records = parse(b"".join(CRAWL), "c.warc", "warc", counts=counts)
    assert counts.as_dict() == {
        "records": 8,
        "documents": 4,
        "quarantined": 0,
        "skipped": {"not_html": 1, "not_response": 3},
    }
    assert len(records) == counts.documents + counts.quarantined
    untouched = WarcCounts()
    assert len(parse(jl({"text": "a"}, {"text": "b"}), "a.jsonl", "jsonl", counts=untouched)) == 2
    assert untouched == WarcCounts()


def test_an_exception_escaping_the_warc_parser_is_counted(monkeypatch):
    from corpus_pipeline.ingest import parsers

    def broken(*args, **kwargs):
        yield RawRecord(path="c.warc", offset=0, raw_bytes=1, html="<p>x</p>")
        raise RuntimeError("kaput")

    monkeypatch.setattr(parsers, "parse_warc", broken)
    counts = WarcCounts(records=1, documents=1)  # what the parser counted before it broke
    records = parse(b"WARC/1.0\r\n", "c.warc", "warc", counts=counts)
    assert [r.quarantine for r in records] == [None, q.PARSE_ERROR]
    assert counts.balanced() and counts.documents + counts.quarantined == len(records)
