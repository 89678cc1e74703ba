"""The token line fastText sees: exact tokenizations."""

from __future__ import annotations

import pytest

from corpus_pipeline.classify.features import fasttext_line, normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我爱北京天安门", "我 爱 北 京 天 安 门"),
        ("Hello，世界！", "hello ， 世 界 ！"),
        ("加QQ：315256 或 微信abc123", "加 qq ： 000000 或 微 信 abc 000"),
        ("电话13960226828", "电 话 00000000000"),
        ("ＡＢｃ１２３全角", "abc 000 全 角"),
        ("http://www.xxdd88.com/", "http : / / www . xxdd 00 . com /"),
        ("  多个\n\n空白\t\u3000和\r\n换行  ", "多 个 空 白 和 换 行"),
        ("价格：￥99.5元", "价 格 ： ￥ 00 . 0 元"),
        ("Ünïcode façade", "ü n ï code fa ç ade"),  # only ASCII letters form runs
        ("", ""),
        ("   \n ", ""),
    ],
)
def test_chars(text, expected):
    assert fasttext_line(text, "chars", 2000) == expected


def test_max_chars_cuts_the_text_first():
    assert fasttext_line("一二三四五六", "chars", 3) == "一 二 三"
    assert fasttext_line("abcdef", "chars", 3) == "abc"
    assert fasttext_line("一二三四五六", "chars", 0) == "一 二 三 四 五 六"
    assert fasttext_line("一二三四五六", "chars", -1) == "一 二 三 四 五 六"


def test_line_has_no_newline_nul_or_label_prefix():
    line = fasttext_line("a\nb\x00c\x0bd\x0ce\x1cf\u2028g __label__keep 好", "chars", 2000)
    assert line == "a b c d e f g _ _ label _ _ keep 好"
    assert "\n" not in line and "\x00" not in line and "__label__" not in line


def test_lone_surrogate_becomes_a_space():
    assert fasttext_line("好\udcff坏", "chars", 2000) == "好 坏"
    fasttext_line("好\udcff坏", "chars", 2000).encode("utf-8")


def test_words_segment_with_jieba():
    pytest.importorskip("jieba")
    assert (
        fasttext_line("我爱北京天安门，Hello World 2024年！", "words", 2000)
        == "我 爱 北京 天安门 ， hello world 0000 年 ！"
    )
    assert fasttext_line("", "words", 2000) == ""
    assert "__label__" not in fasttext_line("__label__drop 广告", "words", 2000)


def test_normalize():
    assert normalize("ＡＢ12ｃd", 0) == "ab00cd"
    assert normalize("ＡＢ12ｃd", 2) == "ab"


def test_unknown_features():
    with pytest.raises(ValueError, match="features must be one of chars, words, got 'bpe'"):
        fasttext_line("x", "bpe", 10)
