"""The extraction scorer: character F1, author and date comparison, the held-out split, the page loaders."""

from __future__ import annotations

import pytest

from corpus_eval.extraction_gold import (
    PRF,
    author_matches,
    canonical,
    char_prf,
    date_matches,
    gne_reference,
    held_out,
    iso_date,
    load_extraction_gold,
    mean_prf,
)


def test_canonical_drops_white_space_and_folds_width_and_case() -> None:
    assert canonical(" ＡＢc\n　中 文\t１２ ") == "abc中文12"


def test_char_prf_is_a_bag_of_characters() -> None:
    assert char_prf("甲乙丙", "甲乙丙") == PRF(1.0, 1.0, 1.0)
    assert char_prf("丙乙甲", "甲乙丙") == PRF(1.0, 1.0, 1.0)  # order does not matter at n=1
    score = char_prf("甲乙丙丁", "甲乙")  # two extra characters
    assert (score.precision, score.recall) == (0.5, 1.0) and score.f1 == pytest.approx(2 / 3)
    score = char_prf("甲甲", "甲乙")  # a repeated character counts once per gold occurrence
    assert (score.precision, score.recall) == (0.5, 0.5)
    assert char_prf("甲 乙\n丙", "甲乙丙") == PRF(1.0, 1.0, 1.0)  # white space is ignored


def test_char_prf_empty_texts_and_n_grams() -> None:
    assert char_prf("", "") == PRF(1.0, 1.0, 1.0)
    assert char_prf("", "甲乙") == PRF(0.0, 0.0, 0.0)  # a removed page scores 0 on every axis
    assert char_prf("甲乙", "") == PRF(0.0, 0.0, 0.0)
    assert char_prf("丙乙甲", "甲乙丙", n=2) == PRF(0.0, 0.0, 0.0)  # bigrams see the order
    score = char_prf("甲乙丙丁", "甲乙丙", n=2)
    assert (score.precision, score.recall) == (2 / 3, 1.0)


def test_mean_prf_averages_pages() -> None:
    assert mean_prf([PRF(1.0, 0.5, 0.6), PRF(0.0, 0.5, 0.2)]) == PRF(0.5, 0.5, 0.4)
    with pytest.raises(ValueError):
        mean_prf([])


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2005-5-7 21:23:57", "2005-05-07T21:23:57"),
        ("2005-07-31 12:30", "2005-07-31T12:30"),
        ("2022年02月13日", "2022-02-13"),
        ("1998-3", "1998-03"),
        ("2018", "2018"),
        ("UNKNOWN", None),
        ("UNKNWON", None),
        ("", None),
        ("刘涛", None),
        ("2005-13-01", None),
    ],
)
def test_iso_date(value: str, iso: str | None) -> None:
    assert iso_date(value) == iso


def test_date_matches_on_the_fields_gold_states() -> None:
    assert date_matches("2005-05-07T09:00", "2005-5-7 21:23:57")  # day level ignores the time
    assert not date_matches("2005-05-07T09:00", "2005-5-7 21:23:57", level="minute")
    assert date_matches("2005-05-07T21:23:01+08:00", "2005-5-7 21:23:57", level="minute")  # seconds ignored
    assert date_matches("2005-05-30", "2005-5")  # gold states the month only
    assert not date_matches("2005-06-01", "2005-5")
    assert date_matches(None, "UNKNOWN") and not date_matches("2005-05-07", "UNKNOWN")
    assert not date_matches(None, "2005-05-07")


def test_author_matches_compares_sets_of_names() -> None:
    assert author_matches("宋怡 杨志华", "杨志华 宋怡")
    assert author_matches("赵延东、风笑天", "赵延东 风笑天")
    assert author_matches("ＡＢ", "ab")
    assert not author_matches("宋怡", "宋怡 杨志华")
    assert author_matches(None, "UNKNOWN") and not author_matches("某人", "UNKNOWN")
    assert not author_matches(None, "某人")


def test_held_out_split_is_seeded_and_about_half() -> None:
    names = [f"page-{i}" for i in range(1000)]
    split = [held_out(name) for name in names]
    assert split == [held_out(name) for name in names]
    assert 400 < sum(split) < 600
    assert split != [held_out(name, seed=21) for name in names]


def test_gne_reference_is_the_article_container_without_link_lines() -> None:
    paragraph = "今年春天，小镇上的图书馆重新开放，馆内新增了两千多册儿童读物和一间安静的自习室，很受欢迎。"
    html = (
        f'<html><body><div class="nav"><a href="/">首页</a></div><div class="article"><p>{paragraph}</p>'
        f'<p>{paragraph}</p><p>图为新开放的阅览室</p><p><a href="/x">点击查看更多图片</a></p></div>'
        '<div class="comments"><p>网友：写得真好，我们也想去这个图书馆看看，周末一定带孩子去。</p></div></body></html>'
    )
    assert gne_reference(html).split("\n") == [paragraph, paragraph, "图为新开放的阅览室"]
    assert gne_reference("<p>短</p>") == ""


def test_load_extraction_gold_reads_gold_author_and_date(tmp_path) -> None:
    (tmp_path / "a.html").write_bytes("<html><head><meta charset='gbk'></head><p>正文</p></html>".encode("gbk"))
    (tmp_path / "a.cleaned.txt").write_text("正文", encoding="utf-8")
    (tmp_path / "a.author.txt").write_text("UNKNOWN", encoding="utf-8")
    (tmp_path / "a.date.txt").write_text("2005-5-7 21:23:57", encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>没有金标</p>", encoding="utf-8")  # no .cleaned.txt: skipped
    [page] = load_extraction_gold(tmp_path)
    assert (page.name, page.text, page.author, page.date) == ("a", "正文", None, "2005-5-7 21:23:57")
    assert "正文" in page.html and page.size > 0
