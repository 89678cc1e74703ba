import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_pipeline.ingest.decode import (
    CJK_CANDIDATES,
    LineDecoder,
    codec_name,
    decode_bytes,
    html_declared_charset,
    sniff_wide_encoding,
    transcoder,
)

SIMPLIFIED = "今天天气很好，我们一起去公园散步吧。这是一个简体中文的测试文件，内容应该被正确地解码。"
TRADITIONAL = "臺灣的天氣很好，我們一起去公園散步吧。這是一個繁體中文的測試文件，內容應該被正確地解碼。"


def test_utf8_is_tried_first():
    assert decode_bytes(SIMPLIFIED.encode("utf-8")) == (SIMPLIFIED, "utf-8")


def test_utf8_bom_is_stripped():
    assert decode_bytes(b"\xef\xbb\xbf" + SIMPLIFIED.encode("utf-8")) == (SIMPLIFIED, "utf-8")


def test_empty_input_is_empty_text():
    assert decode_bytes(b"") == ("", "utf-8")


def test_gbk_is_detected_as_gb18030():
    data = (SIMPLIFIED * 3).encode("gbk")
    assert decode_bytes(data) == (SIMPLIFIED * 3, "gb18030")


def test_big5_is_detected():
    data = (TRADITIONAL * 3).encode("big5")
    assert decode_bytes(data) == (TRADITIONAL * 3, "big5")


def test_gb18030_only_characters_decode():
    text = SIMPLIFIED + "𠀀𪚥䶮"  # outside GBK: four-byte GB18030 sequences
    assert decode_bytes(text.encode("gb18030")) == (text, "gb18030")


def test_declared_charset_settles_an_ambiguous_short_input():
    data = "繁體".encode("big5")  # also valid GB18030 bytes
    assert decode_bytes(data, declared="big5") == ("繁體", "big5")
    assert decode_bytes("你好".encode("gbk"), declared="GB2312") == ("你好", "gb18030")


def test_ambiguous_short_input_prefers_the_earlier_candidate():
    assert decode_bytes("你好".encode("gbk")) == ("你好", "gb18030")


def test_wrong_declaration_falls_back_to_detection():
    data = (SIMPLIFIED * 2).encode("gbk")
    assert decode_bytes(data, declared="utf-8") == (SIMPLIFIED * 2, "gb18030")
    assert decode_bytes(data, declared="no-such-charset") == (SIMPLIFIED * 2, "gb18030")


def test_declared_labels_are_tried_in_order():
    data = (TRADITIONAL * 2).encode("big5")
    assert decode_bytes(data, declared=[None, "utf-8", "big5"]) == (TRADITIONAL * 2, "big5")


def test_latin1_declaration_does_not_turn_chinese_into_mojibake():
    data = (SIMPLIFIED * 2).encode("gbk")
    assert decode_bytes(data, declared="iso-8859-1") == (SIMPLIFIED * 2, "gb18030")


def test_latin1_declaration_is_used_when_nothing_else_fits():
    data = "café naïve résumé".encode("latin-1")
    assert decode_bytes(data, declared="ISO-8859-1") == ("café naïve résumé", "iso8859-1")
    assert decode_bytes(data) is None


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\xff" + (SIMPLIFIED * 2).encode("gbk"),
        (SIMPLIFIED * 2).encode("gbk") + b"\xff\xfe\xff" + SIMPLIFIED.encode("gbk"),
        SIMPLIFIED.encode("utf-8") + b"\xff\xfe\xff" + SIMPLIFIED.encode("utf-8"),
        b"\xff\xfe\xff\xfe\xff\xfe",
        bytes(range(128, 256)) * 4,
    ],
)
def test_invalid_bytes_are_undecodable(data):
    assert decode_bytes(data) is None
    assert decode_bytes(data, declared="gbk") is None


def test_candidates_restrict_detection():
    data = (TRADITIONAL * 3).encode("big5")
    assert decode_bytes(data, candidates=("utf-8", "gb18030")) is None
    assert decode_bytes(SIMPLIFIED.encode("utf-8"), candidates=("utf-8",)) == (SIMPLIFIED, "utf-8")


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("x-gbk", "gb18030"),
        ("CP936", "gb18030"),
        ("EUC-CN", "gb18030"),
        ("euccn", "gb18030"),  # Python aliases of gb2312 / gbk
        ("936", "gb18030"),
        ("csBig5", "big5"),
        ("gb18030", "gb18030"),
        ("UTF8", "utf-8"),
        ('"utf-8"', "utf-8"),
        ("Big5", "big5"),
        ("nonsense", None),
        ("", None),
        (None, None),
    ],
)
def test_codec_name(label, name):
    assert codec_name(label) == name


@pytest.mark.parametrize(
    ("head", "charset"),
    [
        (b'<html><head><meta charset="GBK"><title>', "gbk"),
        (b"<meta charset='utf-8' />", "utf-8"),
        (b"<META CHARSET=gb2312>", "gb2312"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gb2312"),
        (b'<meta content="text/html;charset=Big5" http-equiv="content-type">', "big5"),
        (b'<?xml version="1.0" encoding="GB18030"?><html>', "gb18030"),
        (b"<html><head><title>charset=gbk</title>", None),
        (b"", None),
    ],
)
def test_html_declared_charset(head, charset):
    assert html_declared_charset(head) == charset


def test_html_declared_charset_reads_only_the_head():
    assert html_declared_charset(b" " * 5000 + b'<meta charset="gbk">') is None
    assert html_declared_charset(b" " * 3000 + b'<meta charset="gbk">') == "gbk"


def test_line_decoder_sticks_to_an_unambiguous_encoding():
    decoder = LineDecoder(CJK_CANDIDATES)
    assert decoder.decode('{"t": "中文"}'.encode()) == ('{"t": "中文"}', "utf-8")
    assert decoder.sticky is None
    long_line = ('{"text": "' + SIMPLIFIED + '"}').encode("gbk")
    assert decoder.decode(long_line) == (long_line.decode("gb18030"), "gb18030")
    assert decoder.sticky == "gb18030"
    assert decoder.decode("繁體".encode("big5")) == ("繁體".encode("big5").decode("gb18030"), "gb18030")
    assert decoder.decode(b"\xff\xfe\xff") is None


_TEXT = st.text(alphabet=st.sampled_from(list(SIMPLIFIED + TRADITIONAL + "abc 12,.\n")), max_size=200)


@given(_TEXT)
def test_utf8_round_trip(text):
    assert decode_bytes(text.encode("utf-8")) == (text, "utf-8")


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_any_result_is_a_strict_decode(data):
    result = decode_bytes(data)
    if result is not None:
        text, encoding = result
        assert "\ufffd" not in text or "\ufffd" in data.decode(encoding, errors="strict")
        assert text == data.decode("utf-8-sig" if encoding == "utf-8" else encoding)


# ---------------------------------------------------------------- UTF-16 / UTF-32 (issue 17)

LINES = "".join(f'{{"id": "d{i}", "text": "{SIMPLIFIED}"}}\n' for i in range(5))


@pytest.mark.parametrize(
    ("encoding", "found"),
    [
        ("utf-16", "utf-16"),
        ("utf-32", "utf-32"),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("utf-32-le", "utf-32-le"),
        ("utf-32-be", "utf-32-be"),
    ],
)
def test_sniff_wide_encoding_by_bom_and_by_nul_pattern(encoding, found):
    assert sniff_wide_encoding(LINES.encode(encoding)) == found
    assert decode_bytes(LINES.encode(encoding)) == (LINES, found)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_chinese_prose_without_bom_is_found_by_its_byte_order(encoding):
    prose = "\n".join([SIMPLIFIED, TRADITIONAL] * 3)  # few NULs, and U+4E00 (一) puts some in the low byte
    assert sniff_wide_encoding(prose.encode(encoding)) == encoding


@pytest.mark.parametrize(
    "data",
    [
        SIMPLIFIED.encode("utf-8") + b"\x00" * 3 + LINES.encode("utf-8"),  # stray NULs in UTF-8
        (SIMPLIFIED * 3).encode("gbk").replace(b"\xa1", b"\x00"),
        b"The quick brown fox\x00 jumps\x00 over\x00 the lazy\x00 dog. " * 20,  # NULs among ASCII
        bytes(range(256)) * 8,  # binary
        b"\x00" * 64,
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(200),
        b"",
    ],
)
def test_sniff_wide_encoding_rejects_other_bytes_with_nuls(data):
    assert sniff_wide_encoding(data) is None


def test_invalid_utf16_is_undecodable_not_mojibake():
    data = "\n".join([SIMPLIFIED] * 4).encode("utf-16")
    assert decode_bytes(data[:40] + b"\x00\xd8" + data[40:]) is None  # a lone surrogate in the middle


def test_transcoder_marks_invalid_units_with_invalid_utf8():
    chunks = list(transcoder([b"a\x00\n", b"\x00\x00\xd8b\x00\n\x00c"], "utf-16-le"))
    assert b"".join(chunks) == b"a\n\xed\xb3\xbfb\n\xed\xb3\xbf"  # the lone surrogate and the odd last byte
    assert (
        b"".join(transcoder(["中文\n".encode("utf-16")[i : i + 3] for i in range(0, 8, 3)], "utf-16"))
        == "中文\n".encode()
    )


def test_declared_codecs_that_are_not_charsets_are_ignored():
    data = b"<meta charset='utf-7'>+2AA- \xff"  # UTF-7 would decode +2AA- to a lone surrogate
    assert decode_bytes(data, declared="utf-7") is None
    assert decode_bytes(b"caf\\xe9 \xff", declared="unicode-escape") is None
