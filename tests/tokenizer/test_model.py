"""The shipped tokenizer: checked against its card, reversible on any text and on all of ../shared/data."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_pipeline.tokenizer.model import CARD_FILE, MODEL_FILE, TokenizerError, load_tokenizer, load_tokenizer_spec
from tests.conftest import ALL_DATA_STRIDE, REPO_ROOT, every_nth

TOKENIZER_DIR = REPO_ROOT / "models" / "tokenizer"


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(TOKENIZER_DIR)


def test_card_matches_the_shipped_model():
    spec = load_tokenizer_spec(TOKENIZER_DIR)
    card = json.loads((TOKENIZER_DIR / CARD_FILE).read_text(encoding="utf-8"))
    assert (spec.pad_id, spec.unk_id, spec.eod_id) == (0, 1, 2)
    assert spec.vocab_size == card["vocab_size"] == 30000
    assert card["metrics"]["round_trip_exact"] is True
    assert card["metrics"]["chars_per_token"] > 1.0
    assert card["training"]["segmenter"] == spec.segmenter == "rjieba"


def test_cpm_style_pieces(tokenizer):
    pieces = [tokenizer.processor.id_to_piece(i) for i in tokenizer.encode("我们 的\n经济")]
    assert pieces[0] == "我们" and "▂" in pieces and "▃" in pieces  # the text's own space and newline


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n",
        "  \n\n ",
        "中文 English\t混合\r\n２０２４年",
        "▁▂▃▄▄1 ▂",
        "<eod><pad><unk>",
        "\x00\x01\x7f",
        "😀🇨🇳𧽼e\u0301\u200b\ufeff",
        "a" * 5000,
        "龘" * 3,
    ],
)
def test_decode_inverts_encode(tokenizer, text):
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids) == text
    assert tokenizer.eod_id not in ids  # "<eod>" in the text is text, not the control token


@settings(max_examples=400, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=300))
def test_round_trip_on_random_unicode(tokenizer, text):
    assert tokenizer.decode(tokenizer.encode(text)) == text


def test_encode_batch_equals_encode(tokenizer):
    texts = ["今天天气很好。", "", "hello world", "第二段\n第三段"]
    assert tokenizer.encode_batch(texts) == [tokenizer.encode(text) for text in texts]


def _shared_data_texts(shared_data):
    """Every text in ../shared/data: novels, JSONL string fields, HTML pages, raw GBK mail, word lists, JSON."""

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    for path in sorted(shared_data.rglob("*")):
        if not path.is_file() or path.name == "README.md":
            continue
        name = path.name
        if name.endswith(".jsonl.gz"):
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                for line in handle:
                    yield from strings(json.loads(line))
        elif name.endswith(".eml"):
            yield path.read_bytes().decode("gb18030", errors="replace")
        else:
            data = path.read_bytes()
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError:
                yield data.decode("gb18030", errors="replace")


def test_round_trip_on_all_shared_data(shared_data, tokenizer):
    failures, texts, chars = [], 0, 0
    for text in every_nth(_shared_data_texts(shared_data)):  # every text with CORPUS_PIPELINE_ALL_DATA=1
        for paragraph_block in [text[i : i + 20000] for i in range(0, max(len(text), 1), 20000)]:
            if tokenizer.decode(tokenizer.encode(paragraph_block)) != paragraph_block:
                failures.append(paragraph_block[:60])
        texts += 1
        chars += len(text)
    assert failures == []
    assert texts > 30_000 // ALL_DATA_STRIDE and chars > 15_000_000 // ALL_DATA_STRIDE


def _copy(tmp_path):
    target = tmp_path / "tok"
    shutil.copytree(TOKENIZER_DIR, target)
    return target


def test_missing_card_is_an_error_naming_it(tmp_path):
    target = _copy(tmp_path)
    (target / CARD_FILE).unlink()
    with pytest.raises(TokenizerError, match=r"card.json: tokenizer card not found"):
        load_tokenizer_spec(target)


def test_changed_model_fails_the_sha256_check(tmp_path):
    target = _copy(tmp_path)
    with open(target / MODEL_FILE, "ab") as handle:
        handle.write(b"x")
    with pytest.raises(TokenizerError, match=r"tokenizer.model: sha256 .* does not match its card"):
        load_tokenizer_spec(target)


def test_garbage_model_with_a_matching_card_is_rejected(tmp_path):
    import hashlib

    target = _copy(tmp_path)
    (target / MODEL_FILE).write_bytes(b"not a model")
    card = json.loads((target / CARD_FILE).read_text(encoding="utf-8"))
    card["sha256"] = hashlib.sha256(b"not a model").hexdigest()
    (target / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(TokenizerError, match="not a SentencePiece model"):
        load_tokenizer_spec(target)


def test_card_of_another_kind_is_rejected(tmp_path):
    target = _copy(tmp_path)
    card = json.loads((target / CARD_FILE).read_text(encoding="utf-8"))
    card["kind"] = "spam"
    (target / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(TokenizerError, match="a 'spam' card, not a tokenizer's"):
        load_tokenizer_spec(target)


def test_missing_directory_is_an_error(tmp_path):
    with pytest.raises(TokenizerError, match="tokenizer not found"):
        load_tokenizer_spec(tmp_path / "nowhere")
