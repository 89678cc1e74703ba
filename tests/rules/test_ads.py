from corpus_pipeline.rules.ads import apply_ad_rules

ARTICLE = (
    "国家统计局今天发布数据，一季度国内生产总值同比增长百分之五点三，经济运行开局良好。\n"
    "专家表示，消费和投资共同发力，是经济稳定增长的重要原因，下一阶段政策将继续保持连续性。\n"
    "分析人士认为，随着各项措施落地见效，全年经济增长目标有望顺利实现，市场信心持续增强。"
)


def test_isolated_ad_line_removed_document_kept(rules):
    text = ARTICLE + "\n加微信abc12345领取优惠券"
    verdict = apply_ad_rules(text, rules.ads)
    assert (verdict.reason, verdict.text, verdict.ad_lines) == (None, ARTICLE, 1)


def test_two_keywords_make_an_ad_line(rules):
    verdict = apply_ad_rules(ARTICLE + "\n限时抢购，全场包邮", rules.ads)
    assert (verdict.reason, verdict.text, verdict.ad_lines) == (None, ARTICLE, 1)


def test_one_keyword_without_contact_is_not_an_ad_line(rules):
    text = ARTICLE + "\n商场里的促销活动吸引了不少市民。"
    assert apply_ad_rules(text, rules.ads) == apply_ad_rules(text, rules.ads).__class__(None, text, 0)


def test_ad_document_dropped(rules):
    text = (
        "代开发票，联系电话13912345678\n"
        "加微信shop8888，免费领取优惠券\n"
        "点击购买，限时抢购，全国包邮\n"
        "诚招代理，月入过万，详情咨询QQ：12345678\n"
        "今天天气不错。"
    )
    verdict = apply_ad_rules(text, rules.ads)
    assert verdict.reason == "ad_keywords"


def test_keywords_are_case_insensitive_and_contacts_found_by_pattern(rules):
    keywords, contacts = rules.ads.line_hits(
        ["加qq群看看", "官网：WWW.EXAMPLE.COM", "正常的句子。", "电话 400-123-4567"]
    )
    assert keywords == [1, 1, 0, 0]
    assert contacts == [0, 1, 0, 0]  # a contact counts only in a line with a keyword


def test_contact_patterns(rules):
    lines = [
        "咨询热线13912345678",
        "咨询热线 010-12345678",
        "咨询热线400-123-4567",
        "加QQ群12345678",
        "加微信 shop_8888",
        "官网www.example.com/buy?id=1",
        "咨询热线 2021年12345人",
    ]
    assert rules.ads.line_hits(lines)[1] == [1, 1, 1, 1, 1, 1, 0]


def test_long_ad_like_line_not_removed_in_good_document(rules):
    long_line = "该公司客服电话是13912345678，" + "相关负责人介绍了企业发展的详细情况和未来规划" * 5
    assert len(long_line) > rules.ads.config.line_max_chars
    text = ARTICLE + "\n" + ARTICLE + "\n" + long_line
    verdict = apply_ad_rules(text, rules.ads)
    assert (verdict.reason, verdict.ad_lines) == (None, 0)
