import pytest

from corpus_pipeline.clean.document import clean_document
from corpus_pipeline.rules.document_filters import char_stats, cjk_ratio, count_chars, is_title_only

END = frozenset("。！？!?…；;")
ALL = frozenset({"cjk_ratio", "min_length", "title_only"})


def test_char_stats_ignores_whitespace_and_punctuation():
    assert char_stats("中文，English！ 123\n") == (2, 12)
    assert char_stats("") == (0, 0)
    assert char_stats("，。！？") == (0, 0)


def test_extension_b_characters_count_as_han():
    assert char_stats("\U00020000\U0002a6d6好") == (3, 3)
    assert char_stats("😀a") == (0, 2)


def test_cjk_ratio():
    assert cjk_ratio("中文abc") == pytest.approx(0.4)
    assert cjk_ratio("") == 0.0


def test_count_chars_excludes_whitespace():
    assert count_chars(" 中 文\n\tab ") == 4


def test_title_only():
    assert is_title_only("关于召开年度会议的通知", "关于召开年度会议的通知", 40, END)
    assert is_title_only("新闻标题一\n新闻标题二\n新闻标题三", None, 40, END)
    assert not is_title_only("新闻标题一\n这是正文的一句话。", None, 40, END)
    assert not is_title_only("这一行没有标点但是它非常长" * 5, None, 40, END)
    assert not is_title_only("", "标题", 40, END)


@pytest.fixture
def reason(rules):
    """The clean stage's document filters alone (default recipe: min_cjk_ratio 0.6, min_chars 150, 40)."""

    def judge(text, title=None, steps=ALL):
        return clean_document(title, text, None, None, steps, rules).reason

    return judge


def test_document_reason_order_and_thresholds(reason):
    chinese = "这是一个很长的中文句子，用来测试过滤规则是否正确。" * 7  # 168 characters
    assert reason(chinese) is None
    assert reason(chinese[:149]) == "too_short"
    assert reason(chinese[:150]) is None
    assert reason("English text " * 30) == "low_cjk_ratio"
    assert reason("短") == "too_short"
    assert reason("") == "too_short"
    assert reason("，。" * 100) == "low_cjk_ratio"
    titles = "\n".join(f"第{i}条新闻的标题在这里写着" for i in range(20))
    assert reason(titles) == "title_only"


def test_document_reason_respects_steps(reason):
    assert reason("English text " * 30, steps=frozenset({"min_length"})) is None
    assert reason("短", steps=frozenset()) is None


def test_ratio_exactly_at_threshold_is_kept(reason):
    text = ("中" * 6 + "a" * 4) * 20
    assert cjk_ratio(text) == pytest.approx(0.6)
    assert reason(text) is None
