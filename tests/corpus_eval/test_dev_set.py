from __future__ import annotations

import gzip
import json

import pyarrow.parquet as pq
import pytest

from corpus_eval.dev_set import dev_documents, main
from corpus_pipeline.errors import InputError
from corpus_pipeline.schema import DOCUMENT_SCHEMA


def test_dev_set_is_the_wiki_paragraphs_and_one_chapter(shared_data):
    rows = dev_documents(shared_data, "hongloumeng.txt", chapter=3)
    with gzip.open(shared_data / "reference" / "zhwiki_cmrc2018_trial.jsonl.gz", "rt", encoding="utf-8") as f:
        wiki = [json.loads(line) for line in f if line.strip()]
    encyclopedia = [row for row in rows if row["source"] == "encyclopedia"]
    chapter = [row for row in rows if row["source"] == "ebook"]
    assert len(encyclopedia) == sum(1 for record in wiki if record.get("text"))
    assert {json.loads(row["meta"])["origin"].split("/")[0] for row in chapter} == {"hongloumeng.txt#chapter3"}
    novel = (shared_data / "reference" / "novels" / "hongloumeng.txt").read_text(encoding="utf-8")
    chapter_text = "\n".join(row["text"] for row in chapter)
    assert all(line in novel for line in chapter_text.splitlines())
    assert 3000 < len(chapter_text) < 30000  # one chapter, not the book
    assert len({row["id"] for row in rows}) == len(rows)


def test_missing_chapter_is_an_error(shared_data):
    with pytest.raises(InputError, match="has no chapter 999"):
        dev_documents(shared_data, "hongloumeng.txt", chapter=999)


def test_dev_set_command_writes_parquet_documents(shared_data, tmp_path, capsys):
    assert main(["--shared", str(shared_data), "--out", str(tmp_path / "dev")]) == 0
    table = pq.read_table(tmp_path / "dev" / "part-00000.parquet")
    assert table.schema.equals(DOCUMENT_SCHEMA)
    counts = json.loads(capsys.readouterr().out)
    assert counts["documents"] == table.num_rows
    assert set(counts["sources"]) == {"encyclopedia", "ebook"}


def test_dev_set_command_refuses_a_file_or_an_output_inside_its_input(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me")
    assert main(["--out", str(tmp_path / "notes.txt"), "--shared", str(tmp_path)]) == 2
    assert main(["--out", str(tmp_path / "dev"), "--shared", str(tmp_path)]) == 2
    assert "it is inside the input" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "keep me"
