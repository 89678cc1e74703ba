"""Reading training files (formats, chunking, errors naming the file), dedup and the held-out split."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from corpus_pipeline.classify import training_texts as texts
from corpus_pipeline.classify.training_texts import TrainingDataError


def write_jsonl(path: Path, records: list, compress: bool = False) -> Path:
    payload = "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)
    path.write_bytes(gzip.compress(payload.encode()) if compress else payload.encode())
    return path


def test_jsonl_and_gz(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [{"text": "一"}, "", {"text": "二", "id": 3}])
    write_jsonl(tmp_path / "b.jsonl.gz", [{"text": "三"}], compress=True)
    assert texts.read_file(tmp_path / "a.jsonl") == ["一", "二"]
    assert texts.read_file(tmp_path / "b.jsonl.gz") == ["三"]
    write_jsonl(tmp_path / "c.jsonl", [{"text": "行\u2028分隔\x85符"}, {"text": "二"}])  # written unescaped
    assert texts.read_file(tmp_path / "c.jsonl") == ["行\u2028分隔\x85符", "二"]
    (tmp_path / "d.jsonl").write_bytes(b'{"text": "crlf"}\r\n{"text": "x"}\r\n')
    assert texts.read_file(tmp_path / "d.jsonl") == ["crlf", "x"]


def test_txt_chunks_and_blocks(tmp_path):
    text = (
        "第一回 开始\n\n甲乙丙丁戊己庚辛\n\n子丑寅卯辰巳午未申酉\n\n短\n第二回 结束\n"
        "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏。闰余成岁，律吕调阳。"
    )
    assert texts.chunk_text(text, min_chars=10, max_chars=20) == [
        "第一回 开始\n甲乙丙丁戊己庚辛",  # ends once it holds 10 characters
        "子丑寅卯辰巳午未申酉\n短",  # the section's 1-character tail joins the chunk before it
        "第二回 结束\n天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往",  # never ends right after a heading; a long
        "秋收冬藏。闰余成岁，律吕调阳。",  # paragraph is cut at sentence ends, an over-long sentence hard
    ]
    assert texts.chunk_text("书名\n第一回 开始\n甲乙丙丁戊己庚辛", min_chars=12, max_chars=20) == [
        "书名\n第一回 开始\n甲乙丙丁戊己庚辛"
    ]  # a tiny first section (a title) joins the next one
    assert texts.text_blocks("a\nb\n\n  c  \n第二回 x\nd\n\n\n") == ["a\nb", "c", "第二回 x\nd"]
    (tmp_path / "book.txt").write_text("\ufeff" + text, encoding="utf-8")
    assert texts.read_file(tmp_path / "book.txt") == ["\n".join(text.replace("\n\n", "\n").splitlines())]
    assert texts.read_file(tmp_path / "book.txt", txt_mode="blocks")[0] == "第一回 开始"


def test_default_chunks_of_a_long_book():
    paragraph = "这是一个用来测试的句子。" * 10  # 120 characters
    book = "\n\n".join(f"第{n}回 标题\n" + "\n".join([paragraph] * 30) for n in range(1, 4))
    chunks = texts.chunk_text(book)
    # per chapter: heading + 9 paragraphs (first to reach 1,000 characters), 9, 9, and a 3-paragraph tail
    assert [len(c) for c in chunks] == [1095, 1088, 1088, 362] * 3
    assert [c.startswith("第") for c in chunks] == [True, False, False, False] * 3
    assert "".join(chunks).replace("\n", "") == book.replace("\n", "")


def test_directories_globs_order_and_shown_paths(tmp_path, monkeypatch):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / ".hidden").mkdir()
    write_jsonl(tmp_path / "d" / "b.jsonl", [{"text": "b"}])
    write_jsonl(tmp_path / "d" / "sub" / "a.jsonl", [{"text": "a"}])
    (tmp_path / "d" / "c.txt").write_text("c", encoding="utf-8")
    (tmp_path / "d" / "notes.md").write_text("skipped", encoding="utf-8")
    write_jsonl(tmp_path / "d" / ".hidden" / "x.jsonl", [{"text": "x"}])
    found = texts.expand(tmp_path / "d")
    assert [p.relative_to(tmp_path).as_posix() for p, _ in found] == ["d/b.jsonl", "d/c.txt", "d/sub/a.jsonl"]
    assert [shown for _, shown in found] == ["b.jsonl", "c.txt", "a.jsonl"]  # absolute: file name only
    monkeypatch.chdir(tmp_path)
    assert [shown for _, shown in texts.expand("d")] == ["d/b.jsonl", "d/c.txt", "d/sub/a.jsonl"]
    assert [shown for _, shown in texts.expand("d/*.jsonl")] == ["d/b.jsonl"]
    files = texts.read_inputs(["d", "d/b.jsonl"])  # named twice: read once
    assert [(f.shown, f.texts) for f in files] == [
        ("d/b.jsonl", ("b",)),
        ("d/c.txt", ("c",)),
        ("d/sub/a.jsonl", ("a",)),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.jsonl", b'{"text": "ok"}\n{broken\n', r"bad.jsonl:2: not valid JSON"),
        ("list.jsonl", b"[1, 2]\n", r"list.jsonl:1: expected a JSON object with a string field 'text'"),
        ("notext.jsonl", b'{"body": "x"}\n', r"notext.jsonl:1: expected a JSON object with a string field 'text'"),
        ("gbk.jsonl", '{"text": "中文"}\n'.encode("gbk"), r"gbk.jsonl: not UTF-8"),
        ("gbk.txt", "中文".encode("gbk"), r"gbk.txt: not UTF-8"),
        ("cut.jsonl.gz", gzip.compress(b'{"text": "x"}\n' * 100)[:30], r"cut.jsonl.gz: truncated or corrupt gzip"),
        ("plain.jsonl.gz", b'{"text": "x"}\n', r"plain.jsonl.gz: cannot read"),
    ],
)
def test_errors_name_the_file(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(TrainingDataError, match=message):
        texts.read_inputs([str(tmp_path / name)])


def test_path_errors(tmp_path):
    with pytest.raises(TrainingDataError, match=r"missing\.jsonl: no such file or directory"):
        texts.expand(tmp_path / "missing.jsonl")
    (tmp_path / "data.csv").write_text("x")
    with pytest.raises(TrainingDataError, match=r"data\.csv: unsupported training file"):
        texts.expand(tmp_path / "data.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(TrainingDataError, match=r"empty: no training files"):
        texts.expand(tmp_path / "empty")
    with pytest.raises(TrainingDataError, match=r"nothing\*\.jsonl: no training files"):
        texts.expand(str(tmp_path / "nothing*.jsonl"))
    with pytest.raises(ValueError, match="txt_mode"):
        texts.read_file(tmp_path / "data.csv", txt_mode="lines")


def _file(name: str, items: list[str]) -> texts.TextFile:
    return texts.TextFile(Path(name), name, "0" * 64, tuple(items))


def test_deduplicate():
    pos = _file("pos", ["甲 乙", "甲乙", "丙", "  ", "共同", "丁"])
    neg = _file("neg", ["戊", "共 同", "丙", "戊", "己"])
    examples, removed = texts.deduplicate([pos, neg], [True, False])
    assert removed == {"empty": 1, "duplicate": 2, "in_both_classes": 4}
    assert [(e.text, e.positive, e.file) for e in examples] == [
        ("甲 乙", True, 0),
        ("丁", True, 0),
        ("戊", False, 1),
        ("己", False, 1),
    ]
    assert texts.dedup_key("a b\nc") == texts.dedup_key(" abc ") != texts.dedup_key("abd")


def test_split_is_seeded_stratified_and_disjoint():
    files = [
        _file("a", [f"a{i}" for i in range(200)]),
        _file("b", [f"b{i}" for i in range(50)]),
        _file("c", ["c0", "c0", "c1"]),
    ]
    examples, removed = texts.deduplicate(files, [True, False, False])
    splits = texts.split_examples(examples, seed=3)
    counts = {name: {f: sum(e.file == f for e in splits[name]) for f in range(3)} for name in splits}
    assert counts == {"train": {0: 160, 1: 40, 2: 2}, "valid": {0: 20, 1: 5, 2: 0}, "test": {0: 20, 1: 5, 2: 0}}
    seen = [e.text for name in splits for e in splits[name]]
    assert len(seen) == len(set(seen)) == 252  # no text in two splits, none lost
    assert splits == texts.split_examples(examples, seed=3)
    assert splits["test"] != texts.split_examples(examples, seed=4)["test"]
    limited = texts.split_examples(examples, seed=3, limit=100)
    assert {name: len(limited[name]) for name in limited} == {"train": 122, "valid": 15, "test": 15}
    assert {e.text for e in limited["test"]} & {e.text for e in limited["train"]} == set()


def test_training_order_is_shuffled():
    files = [_file("a", [f"a{i}" for i in range(100)]), _file("b", [f"b{i}" for i in range(100)])]
    examples, _ = texts.deduplicate(files, [True, False])
    train = texts.split_examples(examples, seed=0)["train"]
    first_half = [e.positive for e in train[:80]]
    assert 20 < sum(first_half) < 60  # classes mixed, not one file after the other


def test_read_inputs_sha256(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": "一"}])
    import hashlib

    (only,) = texts.read_inputs([str(path)])
    assert only.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert only.path == path and only.shown == "a.jsonl"
    assert os.path.isabs(only.path)
