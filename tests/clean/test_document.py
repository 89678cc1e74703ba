"""The clean chain on one document: order of the rules, step gating, edge cases."""

from corpus_pipeline.clean.document import clean_document, resume_document
from corpus_pipeline.rules.line_dedup import line_keys

BODY = [
    "国家统计局今天发布数据，一季度国内生产总值同比增长百分之五点三，经济运行开局良好。",
    "专家表示，消费和投资共同发力，是经济稳定增长的重要原因，下一阶段政策将继续保持连续性。",
    "分析人士认为，各项措施落地见效以后，全年经济增长目标有望顺利实现，市场信心持续增强。",
    "下一步，有关部门将继续加大政策支持力度，推动经济运行持续向好，确保完成全年目标任务。",
]
ARTICLE = "\n".join(BODY)


def test_full_chain_on_a_noisy_page(recipe, rules):
    text = "\n".join(
        [
            "首頁 ｜ 新聞 ｜ 體育 ｜ 財經",  # traditional, full-width separators: a menu once normalized
            "★" + BODY[0] + "😀",
            "\u200b" + BODY[1],
            "━━━━━━━━━━",  # box drawing only: becomes an empty line and goes
            BODY[0],  # duplicated paragraph
            "加微信abc12345领取优惠券",
            "國家統計局" + BODY[2][5:],
            BODY[3],
            "返回顶部",
        ]
    )
    doc = clean_document("经济数据", text, None, None, recipe.steps_for("web"), rules)
    assert doc.text == "\n".join([BODY[0], BODY[1], "国家统计局" + BODY[2][5:], BODY[3]])
    assert (doc.reason, doc.nav_lines, doc.dup_paragraphs, doc.ad_lines) == (None, 2, 1, 1)
    assert doc.cjk_ratio == 1.0 and doc.n_chars == len(doc.text) - doc.text.count("\n")


def test_steps_gate_the_rules(recipe, rules):
    text = "首页 | 新闻 | 体育\n" + ARTICLE + "\n" + BODY[0] + "\n★國家★"
    encyclopedia = clean_document(None, text, None, None, recipe.steps_for("encyclopedia"), rules)
    assert (encyclopedia.text, encyclopedia.reason) == (text, None)
    ebook = clean_document(None, text, None, None, recipe.steps_for("ebook"), rules)
    assert ebook.text == "首页 | 新闻 | 体育\n" + ARTICLE + "\n" + BODY[0] + "\n国家"
    assert ebook.nav_lines == 0 and ebook.dup_paragraphs == 0


def test_mixed_script_document_at_the_ratio_boundary(recipe, rules):
    english = "The quick brown fox jumps over the lazy dog again and again " * 6
    mixed = ARTICLE + "\n" + english
    doc = clean_document(None, mixed, None, None, recipe.steps_for("web"), rules)
    assert doc.reason == "low_cjk_ratio" and doc.cjk_ratio < 0.6
    doc = clean_document(None, ARTICLE + "\nGDP增长5.3%，CPI上涨0.1%。", None, None, recipe.steps_for("web"), rules)
    assert doc.reason is None and 0.6 < doc.cjk_ratio < 1.0


def test_punctuation_only_lines(recipe, rules):
    doc = clean_document(None, "。。。\n——\n" + ARTICLE + "\n！！！\n……", None, None, recipe.steps_for("web"), rules)
    assert doc.reason is None
    assert doc.text == "。。。\n——\n" + ARTICLE + "\n！！！\n……"  # punctuation is not a special symbol
    only = clean_document(None, "，。！？" * 60, None, None, recipe.steps_for("web"), rules)
    assert only.reason == "low_cjk_ratio" and only.n_chars == 240


def test_html_title_and_empty_page(recipe, rules):
    html = (
        "<html><head><title>经济数据_某网</title></head><body><article>"
        + "".join(f"<p>{line}</p>" for line in BODY)
        + "</article></body></html>"
    )
    doc = clean_document(None, None, html, None, recipe.steps_for("web"), rules)
    assert (doc.title, doc.text, doc.reason) == ("经济数据", ARTICLE, None)
    empty = clean_document(
        None, None, "<html><body><script>x()</script></body></html>", None, recipe.steps_for("web"), rules
    )
    assert (empty.text, empty.reason) == ("", "too_short")


JAPANESE = (  # kanji-heavy Japanese (72% Han): the CJK-ratio rule lets it through, the language step does not
    "日本政府は本日、経済対策関連法案を閣議決定した。同法案は物価高騰対策と賃金引上げ支援を柱とし、"
    "総事業費は約二十兆円規模となる見通し。\n政府関係者によると、国会審議を経て年度内成立を目指す方針。"
    "野党各党は財源確保策の具体性不足を指摘、徹底審議を要求する構え。\n"
    "経済界からは早期成立を求める声が相次ぐ一方、財政規律への懸念も根強い。\n"
)


def test_the_language_step_removes_a_japanese_page_and_fills_lang(recipe, rules):
    japanese = clean_document(None, JAPANESE, None, None, recipe.steps_for("web"), rules)
    assert (japanese.reason, japanese.lang) == ("not_chinese", "ja") and japanese.lang_score > 0.5
    chinese = clean_document(None, ARTICLE, None, None, recipe.steps_for("web"), rules)
    assert (chinese.reason, chinese.lang) == (None, "zh") and chinese.lang_score > 0.9
    traditional = clean_document(
        None, "國家統計局" + BODY[2][5:] + "\n" + BODY[3], None, None, frozenset({"language"}), rules
    )
    assert (traditional.reason, traditional.lang) == (None, "zh")  # traditional script is Chinese
    empty = clean_document(None, "，。！？" * 60, None, None, recipe.steps_for("web"), rules)
    assert (empty.reason, empty.lang) == ("low_cjk_ratio", None)  # removed before the language step runs
    letterless = clean_document(None, "，。！？" * 60, None, None, frozenset({"language"}), rules)
    assert (letterless.reason, letterless.lang, letterless.lang_score) == (None, "und", 0.0)  # not its call
    ebook = clean_document(None, JAPANESE, None, None, recipe.steps_for("ebook"), rules)
    assert (ebook.reason, ebook.lang, ebook.lang_score) == (None, None, None)  # no language step for e-books


def test_line_dedup_splits_cleaning_in_two_and_a_document_alone_loses_no_line(rules):
    steps = frozenset({"normalize", "line_dedup", "min_length"})
    footer = "本站所有文章均来自网友投稿，如有侵权请联系删除。"
    text = "\n".join([ARTICLE, footer])
    alone = clean_document(None, text, None, None, steps, rules)
    assert (alone.reason, alone.pending, alone.dup_lines, alone.text) == (None, False, 0, text)
    pending = clean_document(None, text, None, None, steps, rules, until_line_dedup=True)
    assert (pending.reason, pending.pending, pending.text) == (None, True, text)
    done = resume_document(pending, frozenset(line_keys([footer])), steps, rules)
    assert (done.reason, done.pending, done.dup_lines, done.text) == (None, False, 1, ARTICLE)
    emptied = resume_document(pending, frozenset(line_keys(text.split("\n"))), steps, rules)
    assert (emptied.reason, emptied.text) == ("too_short", "")


def test_an_html_page_gives_the_author_and_date_it_states_and_text_gives_none(recipe, rules):
    html = (
        "<html><head><title>经济数据发布</title><meta name='author' content='张三'>"
        "<meta property='article:published_time' content='2021-04-16T09:30:00+08:00'></head><body><article>"
        + "".join(f"<p>{line}</p>" for line in BODY)
        + "</article></body></html>"
    )
    page = clean_document(None, None, html, None, recipe.steps_for("web"), rules)
    assert (page.reason, page.author, page.date[:10]) == (None, "张三", "2021-04-16")
    text = clean_document(None, ARTICLE, None, None, recipe.steps_for("web"), rules)
    assert (text.author, text.date) == (None, None)
