from corpus_pipeline.rules.line_dedup import document_line_keys, line_keys, remove_lines, site_of


def test_a_line_keys_the_same_after_script_width_punctuation_and_spacing_are_folded():
    keys = line_keys(["版权所有，某某网站。", "版權所有 某某網站", "ＡＢＣ版权所有某某网站", "", "——。"])
    assert keys[0] == keys[1] and keys[0] != keys[2]
    assert keys[3] is None and keys[4] is None
    assert all(isinstance(key, int) and -(2**63) <= key < 2**63 for key in keys[:3])


def test_document_keys_are_distinct_with_the_bytes_of_every_copy():
    [(keys, sizes), (empty_keys, empty_sizes)] = document_line_keys(["页脚\n正文一行\n页脚", ""])
    footer, body = line_keys(["页脚", "正文一行"])
    assert dict(zip(keys, sizes)) == {footer: 2 * (len("页脚".encode()) + 1), body: len("正文一行".encode()) + 1}
    assert (empty_keys, empty_sizes) == ([], [])


def test_remove_lines_drops_every_line_with_a_dropped_key_and_counts_them():
    footer = line_keys(["本站声明：转载请注明出处。"])[0]
    text = "正文第一段。\n本站声明：转载请注明出处\n正文第二段。\n本站声明:转载请注明出处。"
    assert remove_lines(text, {footer}) == ("正文第一段。\n正文第二段。", 2)
    assert remove_lines(text, set()) == (text, 0)
    assert remove_lines(text, {footer + 1}) == (text, 0)


def test_site_is_the_host_without_www_and_none_without_a_url():
    assert site_of("https://WWW.Example.cn:8080/a?b=1") == "example.cn"
    assert site_of("http://news.example.cn/1.html") == "news.example.cn"
    assert site_of(None) is None and site_of("") is None and site_of("mailto:a@b.cn") is None
