from pathlib import Path

import pytest

from corpus_pipeline.rules.pii import (
    PII_TYPES,
    RULE_FILES,
    PiiConfig,
    PiiSpan,
    card_scheme_ok,
    find_pii,
    id_check_char,
    load_pii_rules,
    luhn_ok,
    mask_pii,
)

REPO = Path(__file__).resolve().parents[2]

ID_X = "11010519491231002X"  # check character X
ID_A = "440306199003071232"
ID_B = "320102198511110017"
CARD_UNIONPAY = "6222021234567890128"  # 19 digits, Luhn-valid
CARD_VISA = "4367421234567896"
CARD_MC = "5240911234567896"


def masked(text: str, config: PiiConfig | None = None) -> str:
    return mask_pii(text, config)[0] if config else mask_pii(text)[0]


def kept(text: str) -> None:
    assert mask_pii(text) == (text, {}), find_pii(text)


# ------------------------------------------------------------------------------------------ checks


def test_check_digit_and_luhn():
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44030619900307123") == "2"
    assert luhn_ok(CARD_UNIONPAY) and luhn_ok("79927398713")
    assert not luhn_ok("6222021234567890123")
    assert card_scheme_ok(CARD_UNIONPAY) and card_scheme_ok(CARD_VISA) and card_scheme_ok(CARD_MC)
    assert not card_scheme_ok("1234567890123456785") and not card_scheme_ok("5240911234567896001")


# ------------------------------------------------------------------------------------------ ID


@pytest.mark.parametrize("value", [ID_X, ID_A, ID_B, ID_X.lower(), "440306 19900307 1232"])
def test_resident_id_forms(value):
    assert mask_pii(f"身份证号：{value}，请核对") == ("身份证号：<PII:ID>，请核对", {"ID": 1})


def test_resident_id_without_keyword_and_full_width():
    assert masked(f"申请人张伟{ID_A}已登记") == "申请人张伟<PII:ID>已登记"
    full_width = ID_B.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert masked(f"证件：{full_width}。") == "证件：<PII:ID>。"


@pytest.mark.parametrize(
    "value",
    [
        ID_A[:17] + "5",  # wrong check digit
        "440306199913321230"[:17] + id_check_char("44030619991332123"),  # month 13, day 32 (valid check digit)
        "44030619900230123" + id_check_char("44030619900230123"),  # 30 February
        "99030619900307123" + id_check_char("99030619900307123"),  # no province 99
        "1" + ID_A + "9",  # inside a 20-digit run
    ],
)
def test_resident_id_negatives(value):
    kept(f"编号{value}。")


def test_legacy_15_digit_id_needs_an_id_word():
    assert masked("身份证号码：440306900307123。") == "身份证号码：<PII:ID>。"
    kept("注册号440306900307123。")  # same digits, no ID word
    kept("身份证号码：440306901307123。")  # month 13


# ------------------------------------------------------------------------------------------ MOBILE


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "138 12345678",
        "+86 13812345678",
        "+86-138-1234-5678",
        "+8613812345678",
        "0086 13812345678",
        "86-13812345678",
        "(+86)13812345678",
        "（+86）138 1234 5678",
        "013812345678",
        "19912345678",
        "16612345678",
    ],
)
def test_mobile_forms(value):
    assert mask_pii(f"联系电话：{value}，张先生") == ("联系电话：<PII:MOBILE>，张先生", {"MOBILE": 1})


def test_mobile_touching_letters():
    assert masked("加v13580999849咨询") == "加v<PII:MOBILE>咨询"
    assert masked("手机:13711678105QQ:") == "手机:<PII:MOBILE>QQ:"
    kept("2005-07-21/19056495275s.shtml")  # a URL's article id
    kept("型号A13812345678B")


@pytest.mark.parametrize(
    "value",
    [
        "10812345678",
        "11012345678",
        "12012345678",
        "1381234567",
        "138123456789",
        "2013812345678",
        "138 1234-5678",
        "3.13812345678",
        "13812345678.5",
    ],
)
def test_mobile_negatives(value):
    kept(f"数据{value}条")


# ------------------------------------------------------------------------------------------ PHONE


@pytest.mark.parametrize(
    "value",
    [
        "010-62754717",
        "(010)62754717",
        "（010）62754717",
        "010 62754717",
        "01062754717",
        "0755-2345678",
        "0755-23456789",
        "（0755）2345678",
        "07552345678",
        "021-6256-7890",
        "010-62754717-803",
        "010-62754717转8001",
        "0571-88253917分机12",
        "+86-10-62754717",
        "020—83689742",
        "0755.28261987",
        "025-5234498",
    ],
)
def test_landline_forms(value):
    assert mask_pii(f"电话：{value}；") == ("电话：<PII:PHONE>；", {"PHONE": 1})


def test_landline_touching_letters():
    assert masked("电话:0731-88151902E-mail：zz@163.com") == "电话:<PII:PHONE>E-mail：<PII:EMAIL>"
    assert masked("传真：0571-88253917QQ:12345678") == "传真：<PII:PHONE>QQ:<PII:QQ>"
    kept("编码010-62754717abc")


def test_local_number_only_after_a_phone_word():
    assert masked("传    真：62766886 转") == "传    真：<PII:PHONE> 转"
    assert masked("咨询电话：88981232、68815096") == "咨询电话：<PII:PHONE>、68815096"
    kept("全年共计62766886人次")


@pytest.mark.parametrize(
    "value", ["400-810-8888", "800-820-8820", "95588", "10086", "0216196888", "0755-1234567", "010-12345678"]
)
def test_landline_negatives(value):
    kept(f"号码{value}。")


# ------------------------------------------------------------------------------------------ EMAIL


@pytest.mark.parametrize(
    "value",
    [
        "zhang.san@example.com",
        "12345678@qq.com",
        "a_b-c+tag@mail.tsinghua.edu.cn",
        "XU.YANG@SINA.CN",
        "bjsjfs @ 126.com",
        "qxy1983#sohu.com",
        "hr(at)edeng.cn",
    ],
)
def test_email_forms(value):
    assert mask_pii(f"邮箱：{value}，欢迎来信") == ("邮箱：<PII:EMAIL>，欢迎来信", {"EMAIL": 1})


def test_email_edges():
    assert masked("To: cai@ccert.edu.cnFrom: Tran") == "To: <PII:EMAIL>From: Tran"  # a header glued on
    assert masked("……xu.yang@sina.cn。") == "……<PII:EMAIL>。"
    assert masked("转换器-yinah@crmcunet.com一条") == "转换器-<PII:EMAIL>一条"
    kept("发给 user@localhost 或 @某人 或 page.html#top")


# ------------------------------------------------------------------------------------------ IP


@pytest.mark.parametrize(
    "value",
    [
        "192.168.1.1",
        "202.108.22.5",
        "8.8.8.8",
        "2001:db8::8a2e:370:7334",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "fe80::1ff:fe23:4567:890a",
        "::ffff:192.168.1.1",
    ],
)
def test_ip_forms(value):
    assert mask_pii(f"登录IP：{value}，请注意") == ("登录IP：<PII:IP>，请注意", {"IP": 1})


def test_ip_context_rules():
    assert masked("访问 http://10.0.0.1:8080/admin") == "访问 http://<PII:IP>:8080/admin"
    assert masked("[2001:db8::1]:8080") == "[<PII:IP>]:8080"
    assert masked("DNS 1.2.3.4") == "DNS <PII:IP>"
    for text in (
        "见第1.2.3.4节",
        "版本 1.2.3.4",
        "version: 10.0.0.1",
        "v1.2.3.4",
        "1.2.3.4.5",
        "256.1.1.1",
        "01.02.03.04",
        "0.1.2.3",
        "Chrome 120.0.6099.109",
        "12:30:45",
        "::1",
        "std::cout",
        "a::b",
    ):
        kept(text)


# ------------------------------------------------------------------------------------------ BANK_CARD


@pytest.mark.parametrize(
    "value",
    [CARD_UNIONPAY, CARD_VISA, CARD_MC, "6222 0212 3456 7890 128", "6222-0212-3456-7890-128", "4367 4212 3456 7896"],
)
def test_bank_card_forms(value):
    assert mask_pii(f"请汇款至{value}，谢谢") == ("请汇款至<PII:BANK_CARD>，谢谢", {"BANK_CARD": 1})


def test_bank_card_context():
    order = "4123456789012345677"  # Luhn-valid, Visa-like prefix
    assert masked(f"订单号：{order}") == f"订单号：{order}"
    assert masked(f"信用卡{order}") == "信用卡<PII:BANK_CARD>"
    assert masked("卡号：1234567890123456785") == "卡号：<PII:BANK_CARD>"  # card word: any prefix
    kept("1234567890123456785")  # Luhn-valid but no card prefix, no card word
    kept("卡号：6222021234567890123")  # fails Luhn
    assert masked("卡号 6222 0212 3456 7890 128 1、只要") == "卡号 <PII:BANK_CARD> 1、只要"
    # the card starts inside a rejected 4-4-4-4 candidate ("0800 5525 9956 4205")
    assert masked("+0800 5240 9112 3456 7896。") == "+0800 <PII:BANK_CARD>。"


def test_bank_account_after_account_word():
    assert masked("帐    号：0131014170002746 电话") == "帐    号：<PII:BANK_CARD> 电话"
    assert masked("对公账户为 1101 0401 0001 2345 678") == "对公账户为 <PII:BANK_CARD>"
    kept("访问量0131014170002746次")


# ------------------------------------------------------------------------------------------ QQ / WECHAT


@pytest.mark.parametrize(
    "prefix",
    [
        "QQ：",
        "QQ:",
        "qq ",
        "QQ",
        "QQ号：",
        "QQ号码是",
        "扣扣：",
        "Q号 ",
        "企鹅号",
        "QQ群：",
        "客服QQ",
        "QQ客服",
        "24小时QQ在线咨询：",
        "业务qq;",
        "加扣扣；",
        "QQ--",
        "QQ∶",
        "QQ/",
        "加QQ 号：",
    ],
)
def test_qq_forms(prefix):
    assert mask_pii(f"联系{prefix}123456789，谢谢") == (f"联系{prefix}<PII:QQ>，谢谢", {"QQ": 1})


def test_qq_lists_and_negatives():
    assert masked("QQ：12345678、87654321/11223344") == "QQ：<PII:QQ>、<PII:QQ>/<PII:QQ>"
    assert masked("QQ：411358445 或 397495339") == "QQ：<PII:QQ> 或 <PII:QQ>"
    assert masked("QQ：12345678，67890 人") == "QQ：<PII:QQ>，67890 人"  # a clause comma ends the list
    assert masked("不清楚．QQ群是1326002562 固件") == "不清楚．QQ群是<PII:QQ> 固件"
    for text in ("阅读量123456789", "QQ2023版", "QQ音乐", "QQ 2013", "第386878号"):
        kept(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("微信：abc_123456", "微信：<PII:WECHAT>"),
        ("微信号：Zhang_San88", "微信号：<PII:WECHAT>"),
        ("加微信 liu2024", "加微信 <PII:WECHAT>"),
        ("VX：gg86668999了解", "VX：<PII:WECHAT>了解"),
        ("vx: wxhello", "vx: <PII:WECHAT>"),
        ("V信：fgyhks556", "V信：<PII:WECHAT>"),
        ("薇信frqq23教你", "薇信<PII:WECHAT>教你"),
        ("weixin:lily-flower", "weixin:<PII:WECHAT>"),
        ("微信号是lilyflower", "微信号是<PII:WECHAT>"),
        ("微信：2375811040", "微信：<PII:WECHAT>"),
        ("微信：13812345678", "微信：<PII:MOBILE>"),  # a mobile number stays a MOBILE
        ("官方微信（xinlang-xinwen）", "官方微信（<PII:WECHAT>）"),
        ("加我VX----a13713637668", "加我VX----<PII:WECHAT>"),
        ("wxid_abcdefgh1234", "<PII:WECHAT>"),
    ],
)
def test_wechat_forms(text, expected):
    assert masked(text) == expected


def test_wechat_negatives():
    for text in (
        "微信 official",
        "微信/Whatsapp/飞机",
        "微信(WeChat)",
        "微信支付",
        "微信公众号",
        "打开微信小程序",
        "https://t.me/+vxXxI2p7XwQ1YTQ1JQSTU",
        "卡号： wx36571856 密码",
        "wxWidgets 3.2",
        "abc123456",
    ):
        kept(text)


# ------------------------------------------------------------------------------------------ hard negatives


@pytest.mark.parametrize(
    "text",
    [
        "顺丰单号SF1234567890123，圆通YT1234567890123",
        "订单号：1234567890123456789",
        "订单号 20231201123456789012",
        "时间戳20231201120000",
        "1701388800",
        "1701388800000",
        "售价¥1,380,000.00",
        "978-7-111-12345-6",
        "ISBN 9787111123456",
        "2023-12-01",
        "2023年12月1日",
        "坐标 116.397128, 39.916527",
        "GPS 39.9042,116.4074",
        "iPhone 15 Pro Max",
        "RTX 4090",
        "SM-G9910",
        "GB 11643-1999",
        "Core i7-13700K",
        "人口1,412,600,000人",
        "141260万",
        "增长13.8%",
        "GDP 1260582亿元",
        "股票代码600519",
        "京ICP备2021012345号-1",
        "邮编100084",
        "https://item.jd.com/100012043978.html",
        "序列号31778612",
        "123456789",
    ],
)
def test_hard_negatives_survive(text):
    kept(text)


# ------------------------------------------------------------------------------------------ API


def test_counts_spans_and_placeholders():
    text = f"张伟，身份证{ID_A}，手机13812345678，邮箱zw@163.com，QQ：12345678，另一手机13912345678。"
    new, counts = mask_pii(text)
    assert new == "张伟，身份证<PII:ID>，手机<PII:MOBILE>，邮箱<PII:EMAIL>，QQ：<PII:QQ>，另一手机<PII:MOBILE>。"
    assert counts == {"ID": 1, "MOBILE": 2, "EMAIL": 1, "QQ": 1}
    spans = find_pii(text)
    assert [text[s:e] for s, e, _ in spans] == [ID_A, "13812345678", "zw@163.com", "12345678", "13912345678"]
    assert spans[0] == PiiSpan(6, 24, "ID")


def test_config_types_and_placeholder():
    text = f"身份证{ID_A}，手机13812345678"
    only_mobile = PiiConfig(types=frozenset({"MOBILE"}), placeholder="<{type}>")
    assert mask_pii(text, only_mobile) == (f"身份证{ID_A}，手机<MOBILE>", {"MOBILE": 1})
    assert masked(text, PiiConfig(placeholder="[已隐藏]")) == "身份证[已隐藏]，手机[已隐藏]"
    with pytest.raises(ValueError, match="unknown PII type"):
        PiiConfig(types=frozenset({"SSN"}))
    with pytest.raises((KeyError, IndexError)):
        PiiConfig(placeholder="<{kind}>")


def test_rules_come_from_the_rule_folder(tmp_path):
    for name in RULE_FILES.values():
        (tmp_path / name).write_text((REPO / "rules" / "pii" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "qq_keywords.txt").write_text("# only one\n企鹅\n", encoding="utf-8")
    config = PiiConfig(rules=load_pii_rules(tmp_path))
    assert masked("企鹅：12345678，QQ：12345678", config) == "企鹅：<PII:QQ>，QQ：12345678"
    (tmp_path / "province_codes.txt").write_text("1 北京\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not two-digit codes"):
        load_pii_rules(tmp_path)


def test_rule_files_name_their_source_and_licence():
    rules = load_pii_rules()
    assert {"11", "44", "65", "81", "82"} <= rules.province_codes and len(rules.province_codes) == 35
    for name in RULE_FILES.values():
        first = (REPO / "rules" / "pii" / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# Source:") and ("Apache-2.0" in first), name


def test_all_types_have_placeholders():
    text = f"{ID_A} 13812345678 010-62754717 a@b.cn 192.168.0.1 {CARD_UNIONPAY} QQ:123456 微信：abc12345"
    new, counts = mask_pii(text)
    assert new == " ".join(f"<PII:{kind}>" for kind in PII_TYPES[:6]) + " QQ:<PII:QQ> 微信：<PII:WECHAT>"
    assert counts == {kind: 1 for kind in PII_TYPES}
