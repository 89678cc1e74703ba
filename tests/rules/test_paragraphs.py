from corpus_pipeline.rules.paragraphs import dedup_paragraphs


def test_keeps_first_occurrence():
    text = "第一段内容在这里。\n第二段内容在这里。\n第一段内容在这里。\n第三段。"
    assert dedup_paragraphs(text) == ("第一段内容在这里。\n第二段内容在这里。\n第三段。", 1)


def test_surrounding_whitespace_ignored():
    assert dedup_paragraphs("  重复的段落内容啊啊。\n重复的段落内容啊啊。  ") == ("  重复的段落内容啊啊。", 1)


def test_short_paragraphs_never_removed():
    assert dedup_paragraphs("是。\n好的。\n是。\n好的。") == ("是。\n好的。\n是。\n好的。", 0)
    assert dedup_paragraphs("是。\n是。", min_chars=2) == ("是。", 1)
