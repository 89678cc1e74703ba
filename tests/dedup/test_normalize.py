import numpy as np
import pytest

from corpus_pipeline.dedup.normalize import exact_keys, normalize_batch, normalize_for_hashing


def _texts(code_points, offsets):
    return ["".join(map(chr, code_points[a:b].tolist())) for a, b in zip(offsets[:-1], offsets[1:])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("這是，一個　ＴＥＳＴ！ Hello\n世界。", "这是一个testhello世界"),
        ("天下大势，分久必合。", "天下大势分久必合"),
        ("天下大勢,分久必合.", "天下大势分久必合"),  # traditional script and ASCII punctuation
        ("ＡＢＣ１２３", "abc123"),
        ("「引号」《书名》……——", "引号书名"),
        ("\u200b零宽\ufeff空格\t", "零宽空格"),
        ("", ""),
        ("。，！", ""),
        ("𠀀𠀁😀，a\U000e0001b", "𠀀𠀁😀ab"),  # beyond the BMP: CJK extension B and emoji kept, a tag character dropped
    ],
)
def test_normalize_for_hashing(text, expected):
    assert normalize_for_hashing(text) == expected


def test_batch_equals_reference_text_by_text():
    texts = [
        "這是，一個　ＴＥＳＴ！",
        None,
        "",
        "。。",
        "abc",
        "天下大勢，分久必合",
        "😀表情 symbols ★ kept",
        "𠀀𠀁，\U000e0001",
    ]
    code_points, offsets = normalize_batch(texts)
    assert offsets.tolist()[0] == 0 and len(offsets) == len(texts) + 1
    assert _texts(code_points, offsets) == [normalize_for_hashing(t or "") for t in texts]


def test_batch_on_real_text_equals_reference(shared_data):
    import gzip
    import json

    with gzip.open(shared_data / "traditional" / "tang_poems_traditional.jsonl.gz", "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for _, line in zip(range(300), f)]
    code_points, offsets = normalize_batch(texts)
    assert _texts(code_points, offsets) == [normalize_for_hashing(t) for t in texts]


def test_exact_keys_equal_for_variants_only():
    texts = ["天下大勢，分久必合。", "天下大势 分久必合", "天下大势分久必合!", "天下大势分久必分"]
    keys = exact_keys(*normalize_batch(texts))
    assert keys[0] == keys[1] == keys[2] != keys[3]
    assert all(isinstance(k, bytes) and len(k) == 16 for k in keys)
    assert exact_keys(np.zeros(0, np.uint32), np.array([0, 0])) == exact_keys(*normalize_batch([""]))
