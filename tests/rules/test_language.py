from __future__ import annotations

import gzip
import json
import pickle
import shutil
import subprocess
import sys
import textwrap

import pytest

from corpus_pipeline.rules import language
from corpus_pipeline.rules.language import (
    LanguageConfig,
    identify_language,
    identify_languages,
    language_reason,
    sample_text,
)
from tests.conftest import REPO_ROOT
from tests.rules import lid_samples as S

DEFAULT = LanguageConfig()

SIMPLIFIED = [
    "国务院常务会议今天召开，部署进一步稳定就业的若干措施。",
    "楼主说得对，这家店的服务确实不怎么样，上次等了一个多小时才上菜。",
    "记者从市教育局获悉，今年全市将新建和改扩建中小学三十所。",
    "周末带孩子去动物园，熊猫馆排队的人特别多，不过还是值得一看。",
]
TRADITIONAL = [
    "行政院今日通過明年度總預算案，將送交立法院審議。",
    "這家咖啡廳的甜點很好吃，店員也很親切，下次還會再來。",
    "颱風來襲，氣象局發布海上警報，提醒民眾做好防颱準備。",
    "圖書館週末延長開放時間，歡迎市民多加利用。",
]
CODE_HEAVY_CHINESE = (
    "把下面的配置保存为 docker-compose.yml，然后在同一目录执行启动命令：\n"
    'version: "3.8"\nservices:\n  web:\n    image: nginx:latest\n    ports:\n      - "8080:80"\n'
    "    volumes:\n      - ./html:/usr/share/nginx/html\n  db:\n    image: postgres:16\n"
    "    environment:\n      POSTGRES_PASSWORD: example\ndocker compose up -d\n"
    "启动以后访问本机的八零八零端口，看到页面就说明服务已经正常运行了。"
)
ENGLISH_WITH_CHINESE_MENU = (
    "首页 | 新闻 | 体育 | 财经\n"
    "The city council approved the new budget after a long debate on Tuesday night. Local farmers say the dry "
    "summer has cut their wheat harvest by almost a third.\n版权所有"
)


def _docs(sentences: list[str], size: int = 4) -> list[str]:
    return ["\n".join(sentences[i : i + size]) for i in range(0, len(sentences), size)]


# ------------------------------------------------------------------------------- languages to remove


@pytest.mark.parametrize("text", S.JAPANESE + _docs(S.JAPANESE))
def test_japanese_with_heavy_kanji_is_japanese_and_removed(text):
    lang, score = identify_language(text)
    assert lang == "ja" and score >= 0.9
    assert language_reason(lang, score, DEFAULT) == "not_chinese"


@pytest.mark.parametrize("text", S.KOREAN + _docs(S.KOREAN))
def test_korean_is_korean_and_removed(text):
    lang, score = identify_language(text)
    assert lang == "ko" and score >= 0.9
    assert language_reason(lang, score, DEFAULT) == "not_chinese"


@pytest.mark.parametrize("text", S.ENGLISH + _docs(S.ENGLISH))
def test_english_is_english_and_removed(text):
    lang, score = identify_language(text)
    assert lang == "en" and score >= 0.9
    assert language_reason(lang, score, DEFAULT) == "not_chinese"


def test_english_page_with_chinese_menu_lines_is_english():
    # CLD2 finds about a fifth Chinese: below MIN_CHINESE_SHARE, so the page is English.
    shares = language._cld2_shares(ENGLISH_WITH_CHINESE_MENU)
    assert 0 < shares["zh"] < language.MIN_CHINESE_SHARE
    assert identify_language(ENGLISH_WITH_CHINESE_MENU)[0] == "en"


# --------------------------------------------------------------------------------- languages to keep


@pytest.mark.parametrize("text", SIMPLIFIED + TRADITIONAL + S.CHINESE_SHORT + _docs(SIMPLIFIED) + _docs(TRADITIONAL))
def test_simplified_and_traditional_chinese_are_chinese(text):
    lang, score = identify_language(text)
    assert lang == "zh" and score >= 0.9
    assert language_reason(lang, score, DEFAULT) is None


@pytest.mark.parametrize("text", S.CANTONESE + _docs(S.CANTONESE))
def test_written_cantonese_is_kept_as_chinese(text):
    lang, score = identify_language(text)
    assert lang in DEFAULT.accepted and score >= 0.9
    assert language_reason(lang, score, DEFAULT) is None


@pytest.mark.parametrize("text", S.CHINESE_MIXED)
def test_chinese_with_code_commands_or_english_terms_is_kept(text):
    lang, score = identify_language(text)
    assert lang == "zh" and score >= DEFAULT.min_score
    assert language_reason(lang, score, DEFAULT) is None


def test_code_heavy_chinese_tutorial_is_chinese_though_cld2_finds_more_english():
    shares = language._cld2_shares(CODE_HEAVY_CHINESE)
    assert shares["en"] > shares["zh"] >= language.MIN_CHINESE_SHARE
    assert identify_language(CODE_HEAVY_CHINESE) == ("zh", shares["zh"])


def test_han_only_text_that_cld2_calls_japanese_is_chinese():
    text = "日本料理店新開張"  # "a Japanese restaurant has opened": Chinese, no kana
    assert language._cld2_shares(text) == {"ja": pytest.approx(0.96)}
    assert identify_language(text) == ("zh", pytest.approx(0.96))


def test_kana_share_decides_whether_cld2_japanese_is_chinese():
    chinese = "大阪城公園の賞櫻記，遊客眾多，櫻花盛開，美不勝收。"  # one kana in 21 Han and kana: under 10%
    japanese = "東京大学の入学試験"  # one kana in 9: over 10%
    assert set(language._cld2_shares(chinese)) == set(language._cld2_shares(japanese)) == {"ja"}
    assert identify_language(chinese)[0] == "zh"
    assert identify_language(japanese)[0] == "ja"


def test_a_kana_particle_in_chinese_slang_does_not_make_it_japanese():
    text = "我家の猫今天又把花瓶打翻了，气死我了，不过看它那无辜的眼神又舍不得骂它。"
    assert identify_language(text)[0] == "zh"


# ---------------------------------------------------------------------------------- edge cases, API


@pytest.mark.parametrize("text", ["", "   \n\t ", "12345 67.89 !!!", "———…… ###"])
def test_text_without_letters_is_undetermined_and_removed(text):
    assert identify_language(text) == ("und", 0.0)
    assert language_reason("und", 0.0, DEFAULT) == "not_chinese"


def test_control_characters_and_lone_surrogates_do_not_fail():
    text = "这是一段\x00正常的\x07中文\ud800文本，里面混进了\x9f控制字符。"
    lang, score = identify_language(text)
    assert lang == "zh" and score > 0.5


def test_identify_languages_is_identify_language_of_each_text():
    texts = [S.JAPANESE[0], S.KOREAN[0], S.ENGLISH[0], SIMPLIFIED[0], "", None]
    assert identify_languages(texts) == [identify_language(t) for t in texts[:-1]] + [("und", 0.0)]


def test_language_reason_checks_accepted_languages_and_min_score():
    assert language_reason("zh", 0.3, DEFAULT) is None
    assert language_reason("zh", 0.29, DEFAULT) == "not_chinese"
    assert language_reason("yue", 0.9, DEFAULT) is None
    assert language_reason("ja", 0.99, DEFAULT) == "not_chinese"
    only_mandarin = LanguageConfig(accepted=frozenset({"zh"}), min_score=0.8)
    assert language_reason("yue", 0.9, only_mandarin) == "not_chinese"
    assert language_reason("zh", 0.79, only_mandarin) == "not_chinese"
    assert language_reason("zh", 0.8, only_mandarin) is None


def test_config_is_frozen_and_picklable():
    config = LanguageConfig(accepted=frozenset({"zh"}), min_score=0.5)
    with pytest.raises(AttributeError):
        config.min_score = 0.1  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(config)) == config


def test_sample_text_reads_the_head_and_the_middle_of_long_documents():
    short = "甲" * (language.HEAD_CHARS + language.MIDDLE_CHARS)
    assert sample_text(short) == short
    text = "".join(chr(0x4E00 + i % 1000) for i in range(10_000))
    sample = sample_text(text)
    middle = 5000 - language.MIDDLE_CHARS // 2
    assert sample == text[: language.HEAD_CHARS] + "\n" + text[middle : middle + language.MIDDLE_CHARS]
    assert sample_text(text, "head") == text[: language.HEAD_CHARS]
    assert sample_text(text, "whole") == text
    with pytest.raises(ValueError, match="unknown strategy"):
        sample_text(text, "tail")


def test_a_long_chinese_page_with_an_english_head_is_read_in_its_middle_too():
    english = " ".join(S.ENGLISH) + " "
    head = (english * (language.HEAD_CHARS // len(english) + 1))[: language.HEAD_CHARS]
    text = head + "\n" + "\n".join(SIMPLIFIED * 60)
    assert identify_language(text, strategy="head")[0] == "en"
    assert identify_language(text)[0] == "zh"


def test_every_strategy_agrees_on_plain_documents():
    for text in [_docs(S.JAPANESE)[0], _docs(S.KOREAN)[0], _docs(S.ENGLISH)[0], _docs(SIMPLIFIED)[0]]:
        answers = {identify_language(text, strategy=s)[0] for s in language.STRATEGIES}
        assert len(answers) == 1


OFFLINE_SCRIPT = textwrap.dedent("""
    import socket, sys
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")
    socket.socket = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    import corpus_pipeline.rules.language as language
    assert "pycld2" not in sys.modules, "imported at module import time"
    print(language.identify_language({ja!r})[0], language.identify_language({zh!r})[0])
    assert "pycld2" in sys.modules
""")


def test_model_loads_lazily_and_without_network():
    script = OFFLINE_SCRIPT.format(ja=S.JAPANESE[0], zh=SIMPLIFIED[0])
    command = [sys.executable, "-c", script]
    isolate = ["unshare", "-n"]
    if shutil.which("unshare") and subprocess.run([*isolate, "true"], capture_output=True, check=False).returncode == 0:
        command = [*isolate, *command]  # no network namespace at all, where this user may create one
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO_ROOT), "HOME": "/nonexistent"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ja", "zh"]


# --------------------------------------------------------------------------------------------- real data


def _jsonl(path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _kept_share(texts: list[str]) -> float:
    return sum(language_reason(*identify_language(t), DEFAULT) is None for t in texts) / len(texts)


def test_real_chinese_wikipedia_paragraphs_are_kept(shared_data):
    texts = [r["text"] for r in _jsonl(shared_data / "reference" / "zhwiki_cmrc2018_trial.jsonl.gz")]
    assert len(texts) == 256
    assert _kept_share(texts) >= 0.99


def test_real_clue_documents_are_kept(shared_data):
    texts = [r["text"] for r in _jsonl(shared_data / "web_text" / "cluecorpussmall_sample.jsonl.gz")]
    assert len(texts) == 2500
    assert _kept_share(texts) >= 0.99


def test_real_traditional_tang_poems_are_kept(shared_data):
    texts = [r["text"] for r in _jsonl(shared_data / "traditional" / "tang_poems_traditional.jsonl.gz")]
    assert _kept_share(texts) >= 0.99


def test_real_english_exam_passages_are_removed(shared_data):
    path = shared_data / "benchmarks" / "gaokao_bench" / "2010-2022_English_Reading_Comp.json"
    texts = [e["question"] for e in json.loads(path.read_text(encoding="utf-8"))["example"]]
    assert len(texts) > 100
    assert _kept_share(texts) == 0.0
