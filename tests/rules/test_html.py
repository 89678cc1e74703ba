"""Main-text extraction: hand-written pages with exact expectations, plus the 62 real GNE news pages."""

from __future__ import annotations

import dataclasses
import importlib.util
import statistics
import sys
from pathlib import Path

import pytest

from corpus_pipeline.rules.html import MIN_MAIN_CHARS, HtmlText, extract_main_text

REPO_ROOT = Path(__file__).resolve().parents[2]

# Made-up sentences; each page below has >= MIN_MAIN_CHARS of body so the main-content pass is used.
P1 = "今年春天，小镇上的图书馆重新开放，馆内新增了两千多册儿童读物和一间安静的自习室。"
P2 = "馆长介绍说，周末的读书会已经连续举办了三个月，每次都有五十多位居民报名参加。"
P3 = "不少家长表示，孩子们放学后有了一个可以看书、写作业的好去处，希望开放时间能再延长一些。"
assert len(P1 + P2 + P3) >= MIN_MAIN_CHARS


def page(body: str, head: str = "<title>小镇图书馆重新开放_示例新闻网</title>") -> str:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


ARTICLE_PAGE = page(
    f"""
<ul class="top"><li><a href="/">首页</a></li><li><a href="/news">新闻</a></li><li><a href="/login">登录</a></li></ul>
<nav><a href="/a">国内</a> | <a href="/b">国际</a></nav>
<div class="main"><h1>小镇图书馆重新开放</h1>
<div class="article"><p>　　{P1}</p>
<p>{P2}</p><script>document.write("广告");</script><noscript>请启用脚本</noscript>
<p>  {P3}  </p></div></div>
<footer><p>版权所有 © 2024 示例新闻网 京ICP备00000000号</p></footer>""",
    head='<title>小镇图书馆重新开放_示例新闻网</title><style>p { color: red; }</style><script>var m = "首页";</script>',
)


def test_article_page_drops_menu_nav_footer_scripts_and_styles() -> None:
    assert extract_main_text(ARTICLE_PAGE) == HtmlText("小镇图书馆重新开放", "\n".join(["小镇图书馆重新开放", P1, P2, P3]))


def test_br_and_block_elements_become_single_lines() -> None:
    html = page(f'<div class="content">{P1}<br>{P2}<br><br><br>\n\n<div>{P3}</div></div>')
    assert extract_main_text(html).text == "\n".join([P1, P2, P3])


def test_white_space_is_normalised_per_line() -> None:
    html = page(f"<div><p>\t  {P1}&nbsp;&nbsp;</p>\n\n\n<p>　　馆长  介绍说，\t周末&nbsp;读书会\n很受欢迎。</p><p>{P3}　</p></div>")
    assert extract_main_text(html).text == "\n".join([P1, "馆长 介绍说， 周末 读书会 很受欢迎。", P3])


def test_inline_markup_and_single_character_nodes_are_kept() -> None:
    # resiliparse's main-content mode drops any node whose whole text is one 3-byte UTF-8 character
    # (CJK characters and punctuation); the rule guards against that
    html = page(
        f"<div><p>{P1}</p><p>图书馆将周末开放时间<strong>延长</strong>。</p>"
        f"<p>读<span>书</span>会<a href='/x'>由</a>志愿者<b>主</b>持，<em>欢迎</em>报名！</p><p>{P2}</p></div>"
    )
    assert extract_main_text(html).text == "\n".join([P1, "图书馆将周末开放时间延长。", "读书会由志愿者主持，欢迎报名！", P2])


def test_private_use_icon_glyphs_are_still_dropped() -> None:
    html = page(f'<div><p><span class="icon">\ue621</span>{P1}</p><p>{P2}</p><p>{P3}</p></div>')
    assert extract_main_text(html).text == "\n".join([P1, P2, P3])


def test_article_inside_top_level_list_is_recovered() -> None:
    # resiliparse takes every <ul> near <body> for a menu; one site wraps its whole article in one
    html = page(f'<div class="content"><ul class="cols"><li class="left"><div class="txt"><p>{P1}</p><p>{P2}</p>'
                f"<p>{P3}</p></div></li></ul></div>")
    assert extract_main_text(html).text == "\n".join([P1, P2, P3])


def test_page_without_main_content_falls_back_to_whole_page_text() -> None:
    html = page('<ul><li>只有一句话的页面。</li></ul><footer class="site-footer">页脚文字</footer>')
    assert extract_main_text(html).text == "只有一句话的页面。\n页脚文字"


def test_comment_section_is_dropped() -> None:
    html = page(f'<div class="article"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>'
                '<div class="comments"><p>网友甲：写得真好，支持图书馆！</p></div>')
    assert extract_main_text(html).text == "\n".join([P1, P2, P3])


@pytest.mark.parametrize(
    ("head", "body", "title"),
    [
        ("<title>小镇图书馆重新开放_网易新闻</title>", "<h1>小镇图书馆重新开放</h1>", "小镇图书馆重新开放"),
        ("<title>小镇图书馆重新开放 - 凤凰网</title>", "", "小镇图书馆重新开放"),
        ("<title>中美关系新动向-新华网</title>", "", "中美关系新动向"),
        ("<title>小镇图书馆重新开放|图书馆_新浪新闻</title>", "<h1>新闻中心</h1>", "小镇图书馆重新开放"),
        ("<title>棱镜|数据业大整顿_财经_腾讯网</title>", "<h1>棱镜|数据业大整顿</h1>", "棱镜|数据业大整顿"),
        ("<title>1-10月全县固定资产投资结构趋稳</title>", "", "1-10月全县固定资产投资结构趋稳"),
        ("<title>  多余的   空白\n</title>", "", "多余的 空白"),
        ("", "<h1>只有一级标题</h1>", "只有一级标题"),
        ('<meta property="og:title" content="只在og里">', "", None),
        ("", "", None),
    ],
)
def test_title(head: str, body: str, title: str | None) -> None:
    assert extract_main_text(page(f"{body}<div><p>{P1}</p><p>{P2}</p></div>", head=head)).title == title


@pytest.mark.parametrize("garbage", ["", "   \n\t", None, 42, ["<p>x</p>"]])
def test_empty_or_wrong_type_gives_empty_text(garbage: object) -> None:
    assert extract_main_text(garbage) == HtmlText(None, "")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("garbage", "text"),
    [
        ("<<<>>>", "<<<>>>"),
        ("\x00\x01<p>a\x00b</p>\x02", "\x01\nab\n\x02"),
        ("<p>lone \ud800 surrogate</p>", "lone ? surrogate"),
        ("<html><body><p>未闭合的段落<div><table><tr><td>单元格", "未闭合的段落\n单元格"),
        ("<!-- 只有注释 -->", ""),
        ("</html></html><p>结束标签之后</p>", "结束标签之后"),
        ("just plain text, no markup", "just plain text, no markup"),
        ("\ufeff<p>带BOM</p>", "带BOM"),
    ],
)
def test_garbage_never_raises(garbage: str, text: str) -> None:
    assert extract_main_text(garbage) == HtmlText(None, text)


def test_random_bytes_never_raise() -> None:
    import random

    rng = random.Random(7)
    for _ in range(20):
        data = bytes(rng.randrange(256) for _ in range(5000))
        assert isinstance(extract_main_text(data.decode("latin-1")).text, str)


def test_deeply_nested_page_gets_whole_page_text() -> None:
    # resiliparse's main-content pass is quadratic in <div> depth; such pages get whole-page text
    assert extract_main_text("<div>" * 100_000 + "深" + "</div>" * 100_000).text == "深"
    assert extract_main_text('<div class="c">字字<span>字</span>' * 20_000).text.count("\n") == 19_999




def test_html_text_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        extract_main_text(ARTICLE_PAGE).text = ""  # type: ignore[misc]




# ---------------------------------------------------------------------------------------------
# Real data: the 62 GNE Chinese news pages, judged by bench/html_extractors.py's page-derived
# reference (long paragraphs of the densest article container). Measured with this rule: every
# page recall 1.000, 206 boilerplate lines in all, at most 11 on one page.

MIN_PAGE_RECALL = 0.9  # measured minimum 1.0; plain resiliparse lost 0.57 (163_9) / 0.0 (guancha_*)
MIN_MEAN_RECALL = 0.98  # measured 1.000; plain resiliparse 0.926, trafilatura 0.948
MAX_PAGE_BOILERPLATE = 15  # measured maximum 11 (sina_3); whole-page text has up to 159
MAX_TOTAL_BOILERPLATE = 250  # measured 206; whole-page text 1824


def _load_bench():
    spec = importlib.util.spec_from_file_location("html_extractors_bench", REPO_ROOT / "bench" / "html_extractors.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gne(shared_data: Path) -> dict[str, tuple[HtmlText, object]]:
    folder = shared_data / "web_html" / "gne"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    bench = _load_bench()
    results = {}
    for name, html, _ in bench.load_pages(folder):
        extracted = extract_main_text(html)
        results[name] = (extracted, bench.score_page(extracted.text, bench.body_paragraphs(html)))
    assert len(results) == 62
    return results


def test_gne_every_page_yields_a_title_and_clean_text(gne) -> None:
    for name, (extracted, _) in gne.items():
        assert extracted.title, name
        assert len(extracted.text.replace("\n", "")) >= MIN_MAIN_CHARS, name
        lines = extracted.text.split("\n")
        assert all(line and line == line.strip() for line in lines), name
        assert "\u2060" not in extracted.text, name


def test_gne_body_recall(gne) -> None:
    recalls = {name: score.recall for name, (_, score) in gne.items()}
    assert all(recall is not None for recall in recalls.values())  # the reference finds a body on every page
    assert {name: r for name, r in recalls.items() if r < MIN_PAGE_RECALL} == {}
    assert statistics.mean(recalls.values()) >= MIN_MEAN_RECALL


def test_gne_boilerplate_lines(gne) -> None:
    counts = {name: score.boilerplate_lines for name, (_, score) in gne.items()}
    assert {name: n for name, n in counts.items() if n > MAX_PAGE_BOILERPLATE} == {}
    assert sum(counts.values()) <= MAX_TOTAL_BOILERPLATE
