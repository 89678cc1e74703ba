from corpus_pipeline.rules.normalize import collapse_whitespace


def test_fullwidth_ascii_folds_but_chinese_punctuation_stays(rules):
    text = "ＡＢＣ公司１２３号，价格＄５０！（含税）：是否？；ｘ＠ｙ．ｃｏｍ"
    assert rules.normalizer.normalize_chars(text) == "ABC公司123号，价格$50！（含税）：是否？；x@y.com"


def test_ideographic_and_odd_spaces_become_spaces(rules):
    assert rules.normalizer.normalize_chars("\u3000\u3000正文\u00a0开始\u2003了") == "  正文 开始 了"


def test_control_zero_width_private_use_and_bom_removed(rules):
    text = "\ufeff中\u200b文\u200d字\x07符\ue000串\U000f0001！\x7f"
    assert rules.normalizer.normalize_chars(text) == "中文字符串！"


def test_tabs_and_newlines_survive_and_crlf_becomes_lf(rules):
    assert rules.normalizer.normalize_chars("甲\t乙\r\n丙\r丁") == "甲\t乙\n丙\n丁"


def test_special_symbols_removed(rules):
    text = "★重磅★新闻◆今天😀很好┏━━┓→去看看※注意"
    assert rules.normalizer.remove_special_symbols(text) == "重磅新闻今天很好去看看注意"


def test_symbols_only_line_becomes_empty_and_is_dropped(rules):
    text = "第一段。\n★★★■■■━━━\n第二段。"
    assert collapse_whitespace(rules.normalizer.remove_special_symbols(text)) == "第一段。\n第二段。"


def test_collapse_whitespace():
    assert collapse_whitespace("  甲  乙\t\t丙  \n\n\n   \n丁 ") == "甲 乙 丙\n丁"
    assert collapse_whitespace("") == ""
