"""train-tokenizer on a small generated corpus in Spark local mode: sample, card, determinism, options."""

from __future__ import annotations

import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus_pipeline.schema import DOCUMENT_SCHEMA
from corpus_pipeline.tokenizer.model import CARD_FILE, TokenizerError, load_tokenizer, load_tokenizer_spec
from corpus_pipeline.tokenizer.reversible import join_words
from corpus_pipeline.tokenizer.segment import segmenter
from corpus_pipeline.tokenizer.train import HELD_OUT, TRAIN, TokenizerTraining, sample_paragraphs, train_tokenizer
from tests.spark_session import module_session

WORDS = [
    "我们",
    "经济",
    "发展",
    "人民",
    "今天",
    "北京",
    "天气",
    "很好",
    "学习",
    "工作",
    "中国",
    "世界",
    "的",
    "了",
    "在",
    "和",
    "是",
    "新年",
    "讲话",
    "建设",
    "，",
    "。",
    " ",
    "2024",
    "年",
]


def _documents(count: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    chars = "".join(WORDS)
    words = WORDS + ["".join(rng.choice(chars) for _ in range(rng.randint(2, 3))) for _ in range(400)]
    docs = []
    for number in range(count):
        paragraphs = ["".join(rng.choice(words) for _ in range(rng.randint(5, 40))) for _ in range(rng.randint(1, 4))]
        docs.append({"id": f"d{number}", "source": rng.choice(["news", "web"]), "text": "\n".join(paragraphs)})
    return docs


def _write(directory, docs, files: int = 1):
    directory.mkdir(parents=True)
    for number in range(files):
        part = docs[number::files]
        columns = {name: [None] * len(part) for name in DOCUMENT_SCHEMA.names}
        for key in ("id", "source", "text"):
            columns[key] = [doc[key] for doc in part]
        pq.write_table(pa.table(columns, schema=DOCUMENT_SCHEMA), directory / f"part-{number:05d}.parquet")


def test_sample_paragraphs_splits_by_hash_and_escapes():
    rows = [("news", "a", "我们 的\n\n经济发展"), ("web", "b", "人民")]
    everything = [row[1:] for row in sample_paragraphs(rows, TokenizerTraining(held_out=0.0), 1.0)]
    seg = segmenter("rjieba")
    assert everything == [
        (TRAIN, "news", join_words(seg("我们 的"))),
        (TRAIN, "news", join_words(seg("经济发展"))),
        (TRAIN, "web", "人民"),
    ]
    held = [row[1:] for row in sample_paragraphs(rows, TokenizerTraining(held_out=0.999999), 1.0)]
    assert held == [(HELD_OUT, "news", "我们 的"), (HELD_OUT, "news", "经济发展"), (HELD_OUT, "web", "人民")]
    assert list(sample_paragraphs(rows, TokenizerTraining(), 0.0)) == []


def test_long_paragraphs_are_cut_at_word_boundaries():
    text = "我们" * 50
    out = list(sample_paragraphs([("news", "a", text)], TokenizerTraining(held_out=0.0, max_sentence_chars=10), 1.0))
    assert all(len(chunk.replace(" ", "")) <= 10 for _, _, _, chunk in out)
    assert "".join(chunk.replace(" ", "") for _, _, _, chunk in out) == text


def test_bad_settings_name_the_option():
    with pytest.raises(TokenizerError, match="--model-type"):
        TokenizerTraining(model_type="wordpiece")
    with pytest.raises(TokenizerError, match="--held-out"):
        TokenizerTraining(held_out=1.0)


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


@pytest.mark.spark
def test_train_writes_a_loadable_tokenizer_with_its_card(spark, tmp_path):
    docs = _documents(600)
    _write(tmp_path / "one", docs, files=1)
    _write(tmp_path / "three", docs, files=3)
    settings = TokenizerTraining(vocab_size=400, held_out=0.1)
    card = train_tokenizer(spark, [str(tmp_path / "one")], tmp_path / "tok", settings, "generated words")
    assert load_tokenizer_spec(tmp_path / "tok").vocab_size == card["vocab_size"] == 400
    written = json.loads((tmp_path / "tok" / CARD_FILE).read_text(encoding="utf-8"))
    assert written["data"]["description"] == "generated words" and written["data"]["documents"] == 600
    assert written["special_tokens"] == {"<pad>": 0, "<unk>": 1, "<eod>": 2}
    metrics = written["metrics"]
    assert metrics["round_trip_exact"] is True and metrics["held_out_paragraphs"] > 50
    assert set(metrics["sources"]) == {"news", "web"} and metrics["chars_per_token"] > 1.0
    tokenizer = load_tokenizer(tmp_path / "tok")
    assert tokenizer.decode(tokenizer.encode("今天北京天气很好。新词汇 ✓\n")) == "今天北京天气很好。新词汇 ✓\n"
    # The same documents in three files: same sample, same model.
    again = train_tokenizer(spark, [str(tmp_path / "three")], tmp_path / "tok3", settings)
    assert again["sha256"] == card["sha256"]
    assert again["metrics"]["held_out_paragraphs"] == metrics["held_out_paragraphs"]


@pytest.mark.spark
def test_bpe_model_type(spark, tmp_path):
    _write(tmp_path / "in", _documents(300, seed=1))
    card = train_tokenizer(
        spark, [str(tmp_path / "in")], tmp_path / "bpe", TokenizerTraining(vocab_size=400, model_type="bpe", threads=1)
    )
    assert card["training"]["model_type"] == "bpe" and card["metrics"]["round_trip_exact"] is True


@pytest.mark.spark
def test_input_without_text_is_an_error(spark, tmp_path):
    _write(tmp_path / "in", [{"id": "a", "source": "news", "text": ""}])
    with pytest.raises(TokenizerError, match="no text to train a tokenizer on"):
        train_tokenizer(spark, [str(tmp_path / "in")], tmp_path / "tok", TokenizerTraining(vocab_size=400))


@pytest.mark.spark
def test_vocabulary_too_small_for_the_characters_is_a_clear_error(spark, tmp_path):
    _write(tmp_path / "in", _documents(100, seed=2))
    with pytest.raises(TokenizerError, match="SentencePiece training failed: .*Vocabulary size is smaller"):
        train_tokenizer(spark, [str(tmp_path / "in")], tmp_path / "tok", TokenizerTraining(vocab_size=100))


@pytest.mark.spark
def test_sample_file_keeps_carriage_returns_and_line_separators_inside_sentences(spark, tmp_path):
    from corpus_pipeline.tokenizer.train import collect_sample

    text = "第一行\r\n第二\r行\u2028还是第二行\x0c\x85结束"
    _write(tmp_path / "in", [{"id": "a", "source": "news", "text": text}])
    held_out, data = collect_sample(
        spark, [str(tmp_path / "in")], TokenizerTraining(held_out=0.0), tmp_path / "sentences.txt"
    )
    with open(tmp_path / "sentences.txt", encoding="utf-8", newline="\n") as handle:
        lines = [line.rstrip("\n") for line in handle]
    expected = [row[3] for row in sample_paragraphs([("news", "a", text)], TokenizerTraining(held_out=0.0), 1.0)]
    assert held_out == [] and sorted(lines) == sorted(expected) and len(lines) == 2  # file order: by hash
    assert data["sources"]["news"]["train_sentences"] == 2
