"""Main-text extraction, title, author and date: hand-written pages with exact expectations, plus the 62 real
GNE news pages. (The character F1 on the gold pages is tests/clean/test_extraction_gold.py.)"""

from __future__ import annotations

import dataclasses
import importlib.util
import statistics
import sys
from pathlib import Path

import pytest

from corpus_pipeline.rules.html import (
    MIN_MAIN_CHARS,
    SECTION_BREAKS_FILE,
    HtmlRules,
    HtmlText,
    default_html_rules,
    extract_main_text,
    iso_datetime,
    page_author,
    page_date,
)

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
    # the headline is the title, not part of the text (the article block starts at the first paragraph)
    assert extract_main_text(ARTICLE_PAGE) == HtmlText("小镇图书馆重新开放", "\n".join([P1, P2, P3]))


def test_br_and_block_elements_become_single_lines() -> None:
    html = page(f'<div class="content">{P1}<br>{P2}<br><br><br>\n\n<div>{P3}</div></div>')
    assert extract_main_text(html).text == "\n".join([P1, P2, P3])


def test_white_space_is_normalised_per_line() -> None:
    html = page(
        f"<div><p>\t  {P1}&nbsp;&nbsp;</p>\n\n\n<p>　　馆长  介绍说，\t周末&nbsp;读书会\n很受欢迎。</p><p>{P3}　</p></div>"
    )
    assert extract_main_text(html).text == "\n".join([P1, "馆长 介绍说， 周末 读书会 很受欢迎。", P3])


def test_inline_markup_and_single_character_nodes_are_kept() -> None:
    # resiliparse's main-content mode drops any node whose whole text is one 3-byte UTF-8 character
    # (CJK characters and punctuation); the rule guards against that
    html = page(
        f"<div><p>{P1}</p><p>图书馆将周末开放时间<strong>延长</strong>。</p>"
        f"<p>读<span>书</span>会<a href='/x'>由</a>志愿者<b>主</b>持，<em>欢迎</em>报名！</p><p>{P2}</p></div>"
    )
    assert extract_main_text(html).text == "\n".join(
        [P1, "图书馆将周末开放时间延长。", "读书会由志愿者主持，欢迎报名！", P2]
    )


def test_private_use_icon_glyphs_are_still_dropped() -> None:
    html = page(f'<div><p><span class="icon">\ue621</span>{P1}</p><p>{P2}</p><p>{P3}</p></div>')
    assert extract_main_text(html).text == "\n".join([P1, P2, P3])


def test_article_inside_top_level_list_is_recovered() -> None:
    # resiliparse takes every <ul> near <body> for a menu; one site wraps its whole article in one
    html = page(
        f'<div class="content"><ul class="cols"><li class="left"><div class="txt"><p>{P1}</p><p>{P2}</p>'
        f"<p>{P3}</p></div></li></ul></div>"
    )
    assert extract_main_text(html).text == "\n".join([P1, P2, P3])


def test_page_without_main_content_falls_back_to_whole_page_text() -> None:
    html = page('<ul><li>只有一句话的页面。</li></ul><footer class="site-footer">页脚文字</footer>')
    assert extract_main_text(html).text == "只有一句话的页面。\n页脚文字"


def test_comment_section_is_dropped() -> None:
    html = page(
        f'<div class="article"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>'
        '<div class="comments"><p>网友甲：写得真好，支持图书馆！</p></div>'
    )
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
# The article block: link lines, section breaks, timestamps, forum furniture, code

RELATED = "某地图书馆举办读书节，市民踊跃参加，现场气氛热烈。"  # a teaser that reads like prose


def test_related_articles_after_a_section_heading_are_dropped() -> None:
    html = page(
        f'<div class="content"><p>{P1}</p><p>{P2}</p><p>{P3}</p>'
        f"<h3>相关阅读</h3><p>{RELATED}</p><p>{RELATED[:-1]}，吸引了很多家庭。</p></div>"
    )
    assert extract_main_text(html).text == "\n".join([P1, P2, P3])


def test_section_breaks_come_from_the_rules() -> None:
    html = page(f'<div class="content"><p>{P1}</p><p>{P2}</p><p>{P3}</p><h3>相关阅读</h3><p>{RELATED}</p></div>')
    assert extract_main_text(html, rules=HtmlRules()).text == "\n".join([P1, P2, P3, "相关阅读", RELATED])
    custom = HtmlRules([r"^读书节"])
    html = page(f'<div class="content"><p>{P1}</p><p>{P2}</p><p>读书节</p><p>{P3}</p></div>')
    assert extract_main_text(html, rules=custom).text == "\n".join([P1, P2])


def test_link_lines_disclaimers_and_copyright_are_dropped() -> None:
    html = page(
        f'<div class="content"><p>{P1}</p><p><a href="/a">国内新闻</a> <a href="/b">国际新闻</a> '
        f'<a href="/c">体育新闻</a></p><p>{P2}</p><p>{P3}</p>'
        "<p>免责声明：本文仅代表作者本人观点，与本网无关，请读者仅作参考。</p>"
        "<p>本网站所有内容，未经授权不得转载。联系电话：010-12345678，欢迎来电。</p></div>"
    )
    assert extract_main_text(html).text == "\n".join([P1, P2, P3])


def test_prose_with_a_few_links_is_kept() -> None:
    linked = '馆长介绍说，<a href="/club">周末的读书会</a>已经连续举办了三个月，每次都有五十多位居民报名参加。'
    html = page(f'<div class="content"><p>{P1}</p><p>{linked}</p><p>{P3}</p></div>')
    assert extract_main_text(html).text == "\n".join([P1, P2, P3])


def test_byline_and_headline_stay_out_of_the_text_but_give_author_and_date() -> None:
    html = page(
        f'<div class="content"><h1>小镇图书馆重新开放</h1>'
        "<div>2023年12月1日 12:00 来源：示例日报 作者：李四</div>"
        f"<p>{P1}</p><p>{P2}</p><p>{P3}</p><p>（责任编辑：赵六）</p></div>"
    )
    assert extract_main_text(html) == HtmlText(
        "小镇图书馆重新开放", "\n".join([P1, P2, P3]), "李四", "2023-12-01T12:00"
    )


def test_forum_thread_keeps_the_posts_and_drops_user_names_and_post_headers() -> None:
    reply = "谢谢分享，我们小区旁边也新开了一家图书馆，周末经常带孩子去看书。"
    html = page(
        '<div class="thread"><table class="floor"><tr><td class="user"><a href="/u/1">书虫小王</a></td>'
        f'<td><div class="head">发表于 2023-12-01 12:00</div><div class="msg">{P1}<br>{P2}<br>{P3}</div></td></tr>'
        '</table><table class="floor"><tr><td class="user"><a href="/u/2">读书人</a></td>'
        f'<td><div class="head">发表于 2023-12-01 13:05</div><div class="msg">{reply}</div></td></tr></table></div>'
    )
    extracted = extract_main_text(html)
    assert extracted.text == "\n".join([P1, P2, P3, reply])
    assert extracted.date == "2023-12-01T12:00"


def test_code_between_paragraphs_is_kept() -> None:
    code = "<pre>import json<br>data = json.loads(text)<br>print(data)</pre>"
    html = page(f'<div class="content"><p>{P1}</p><p>{P2}</p>{code}<p>{P3}</p></div>')
    assert extract_main_text(html).text == "\n".join(
        [P1, P2, "import json", "data = json.loads(text)", "print(data)", P3]
    )


def test_bad_section_break_pattern_is_a_recipe_error() -> None:
    from corpus_pipeline.recipe import RecipeError

    with pytest.raises(RecipeError, match="section-break pattern"):
        HtmlRules(["(unclosed"])


def test_section_breaks_file_states_its_source_and_compiles() -> None:
    path = REPO_ROOT / "rules" / SECTION_BREAKS_FILE
    comments = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert any(line.startswith("# Source:") for line in comments)
    rules = default_html_rules()
    assert len(rules.section_breaks) >= 10
    for line in (
        "相关阅读",
        "【热门推荐】",
        "为您推荐",
        "猜你喜欢",
        "免责声明：本文仅代表作者观点。",
        "版权所有 © 示例网",
        "未经授权，不得转载",
        "Copyright 2024 Example",
    ):
        assert rules.is_break(line), line
    for line in ("他是这幅画的版权所有者。", "记者了解到，相关阅读活动将在周末举行。", P1):
        assert not rules.is_break(line), line


# ---------------------------------------------------------------------------------------------
# Author and date


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2023-12-1", "2023-12-01"),
        ("发布时间：2023年12月1日 12:00", "2023-12-01T12:00"),
        ("2019-09-24 09:10:05 来源：示例", "2019-09-24T09:10:05"),
        ("2022-02-06T12:48:06+00:00", "2022-02-06T12:48:06+00:00"),
        ("2005/03/15 22:36:13 by someone", "2005-03-15T22:36:13"),
        ("2023/02/30", None),  # not a calendar date
        ("1899-01-01", None),
        ("12-01 12:00", None),  # no year
        ("20231201", None),
        ("", None),
        (None, None),
    ],
)
def test_iso_datetime(text: str | None, iso: str | None) -> None:
    assert iso_datetime(text) == iso


@pytest.mark.parametrize(
    ("head", "body", "author", "date"),
    [
        (
            (
                '<meta property="article:published_time" content="2023-12-01T08:30:00+08:00">'
                '<meta name="author" content="张三">'
            ),
            "",
            "张三",
            "2023-12-01T08:30:00+08:00",
        ),
        ('<meta name="PubDate" content="2022-02-11 09:52">', "", None, "2022-02-11T09:52"),
        ('<meta name="author" content="www.example.com,示例网">', "", None, None),
        ('<meta name="citation_authors" content="赵  培">', "", "赵培", None),
        ("", '<time datetime="2021-05-06">5月6日</time>', None, "2021-05-06"),
        ("", "<p>本报记者王五发自北京</p>", "王五", None),
        ("", "<p>编辑：苏亮　来源：示例日报</p><p>作者：宋怡 杨志华</p>", "宋怡 杨志华", None),
        ("", f"<p>据新华社电（记者 格桑边觉）{P1}</p>", "格桑边觉", None),
        ("", f"<p>（姚峰 上海报道）</p><p>{P2}</p>", "姚峰", None),
        ("", "<p>作者:zboygirl 阅读(1660) 评论(5) 发表于:2005-07-31 12:30</p>", "zboygirl", "2005-07-31T12:30"),
        ("", "<p>〓 明星话题 发布时间 2005/03/15 22:36:13 by duscha 〓</p>", "duscha", "2005-03-15T22:36:13"),
        ("", "<p>记者了解到，活动将于2023年12月1日举行，报名日期：2023年11月1日至30日，欢迎参加。</p>", None, None),
        ("", "<p>作者：张三 | 来源：示例日报 | 2023-12-01 08:00</p>", "张三", "2023-12-01T08:00"),
        ("", "<p>当前位置：首页｜新华社记者看东北｜人物专访</p>", None, None),  # a breadcrumb is no byline
        ("", '<p>作者： size="20" 来源： size="20"</p>', None, None),  # markup residue is no name
    ],
)
def test_author_and_date(head: str, body: str, author: str | None, date: str | None) -> None:
    extracted = extract_main_text(page(f"{body}<div><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>", head=head))
    assert (extracted.author, extracted.date) == (author, date)


def test_author_and_date_functions_are_pure_and_say_none_when_unstated() -> None:
    assert page_author("", []) is None and page_date("", []) is None
    assert page_author("", ["作者：李四"]) == "李四"
    assert page_date("", ["示例日报", "2023年12月1日", P1], article_start=2) == "2023-12-01"
    assert page_date("", [P1, "2023年12月1日"], article_start=0) is None  # a date in the article is not its date


# ---------------------------------------------------------------------------------------------
# Real data: the 62 GNE Chinese news pages, judged by the page-derived reference of
# corpus_eval.extraction_gold (long paragraphs of the densest article container). Measured with this rule:
# mean recall 0.982, every page with at least MIN_JUDGED_CHARS of body >= 0.90 (sina_4 0.90: its "download our
# app" promo paragraph follows a 相关新闻 heading), 16 boilerplate lines in all, at most 2 on one page (the
# extractor before issue 20: recall 1.000, 206 lines, at most 11).

MIN_PAGE_RECALL = 0.9  # measured minimum 0.90 (sina_4); plain resiliparse lost 0.57 (163_9) / 0.0 (guancha_*)
MIN_JUDGED_CHARS = 150  # toutiao_2 (a gallery with a 94-character caption) and 3 others are too short to keep
MIN_MEAN_RECALL = 0.975  # measured 0.982 (toutiao_2 counts 0); plain resiliparse 0.926, trafilatura 0.948
MAX_PAGE_BOILERPLATE = 4  # measured maximum 2 (sina_1); whole-page text has up to 159
MAX_TOTAL_BOILERPLATE = 30  # measured 16; whole-page text 1824


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
        body = bench.body_paragraphs(html)
        results[name] = (extracted, bench.score_page(extracted.text, body), sum(map(len, body)))
    assert len(results) == 62
    return results


def test_gne_every_page_yields_a_title_and_clean_text(gne) -> None:
    for name, (extracted, _, _) in gne.items():
        assert extracted.title, name
        assert len(extracted.text.replace("\n", "")) >= MIN_MAIN_CHARS, name
        lines = extracted.text.split("\n")
        assert all(line and line == line.strip() for line in lines), name
        assert "\u2060" not in extracted.text, name


def test_gne_body_recall(gne) -> None:
    recalls = {name: score.recall for name, (_, score, _) in gne.items()}
    assert all(recall is not None for recall in recalls.values())  # the reference finds a body on every page
    judged = {name for name, (_, _, chars) in gne.items() if chars >= MIN_JUDGED_CHARS}
    assert len(judged) == 58
    assert {name: r for name, r in recalls.items() if name in judged and r < MIN_PAGE_RECALL} == {}
    assert statistics.mean(recalls.values()) >= MIN_MEAN_RECALL


def test_gne_boilerplate_lines(gne) -> None:
    counts = {name: score.boilerplate_lines for name, (_, score, _) in gne.items()}
    assert {name: n for name, n in counts.items() if n > MAX_PAGE_BOILERPLATE} == {}
    assert sum(counts.values()) <= MAX_TOTAL_BOILERPLATE
