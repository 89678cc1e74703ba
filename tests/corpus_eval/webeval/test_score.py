"""The evaluation scorer: fates read from stage outputs, then rates per label, kind, carrier and reason."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq

from corpus_eval.webeval.score import fates, main, score


def write(folder, rows):
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-0.parquet")


def labels():
    def doc(i, label, kind, carrier):
        return {"id": f"d{i}", "label": label, "kind": kind, "carrier": carrier}

    return [
        doc(1, "good", "good:news", "gne"),
        doc(2, "good", "good:news", "gne"),
        doc(3, "good", "good:forum", "clue"),
        doc(4, "junk", "junk:casino_splice", "gne"),
        doc(5, "junk", "junk:casino_splice", "clue"),
        doc(6, "junk", "junk:chat_spam", "tg"),
        doc(7, "good", "good:short", "clue"),
    ]


def run_dir(tmp_path):
    run = tmp_path / "run"
    write(run / "clean" / "removed", [{"id": "d7", "reason": "too_short"}])
    write(run / "clean" / "quarantine", [{"id": "d6", "reason": "nul_bytes"}])
    write(run / "filter" / "removed", [{"id": "d4", "reason": "gambling"}, {"id": "d3", "reason": "gambling"}])
    write(run / "dedup" / "kept", [{"id": "d1"}, {"id": "d2"}, {"id": "d5"}])
    return run


def test_fates_take_the_first_stage_that_removed_a_document(tmp_path):
    assert fates(run_dir(tmp_path), ["clean", "filter", "quality", "dedup"]) == {
        "d7": "too_short",
        "d6": "quarantined:nul_bytes",
        "d4": "gambling",
        "d3": "gambling",
        "d1": "kept",
        "d2": "kept",
        "d5": "kept",
    }


def test_rates_per_label_kind_and_reason(tmp_path):
    result = score(run_dir(tmp_path), labels(), ["clean", "filter", "quality", "dedup"])
    assert (result["good"], result["junk"], result["short_good"], result["short_good_kept"]) == (3, 3, 1, 0)
    assert result["good_kept"] == 2 / 3 and result["junk_removed"] == 2 / 3
    assert result["junk_share_of_kept"] == 1 / 3  # d5 among d1, d2, d5
    assert result["per_kind"]["junk:casino_splice"] == {"documents": 2, "kept": 1, "removed": 1}
    assert result["per_reason"]["gambling"] == {"good": 1, "junk": 1}
    assert result["per_reason"]["too_short"] == {"good": 1}
    assert result["per_carrier"]["gne (good)"] == {"documents": 2, "kept": 2} and result["missing"] == 0


def test_the_command_writes_markdown_and_json_and_fails_on_missing_documents(tmp_path, capsys):
    run = run_dir(tmp_path)
    (tmp_path / "labels.jsonl").write_text("".join(json.dumps(row) + "\n" for row in labels()), encoding="utf-8")
    assert main(["--run", str(run), "--labels", str(tmp_path / "labels.jsonl")]) == 0
    text = (run / "evaluation.md").read_text(encoding="utf-8")
    assert "| 66.7% | 66.7% | 33.3% |" in text and "| gambling | 1 | 1 | 0.500 |" in text
    assert json.loads((run / "evaluation.json").read_text())["junk_removed"] == 2 / 3
    more = labels() + [{"id": "d9", "label": "junk", "kind": "junk:spun", "carrier": "gne"}]
    (tmp_path / "labels.jsonl").write_text("".join(json.dumps(row) + "\n" for row in more), encoding="utf-8")
    assert main(["--run", str(run), "--labels", str(tmp_path / "labels.jsonl")]) == 1
    assert "**1 labelled documents are in no stage output.**" in capsys.readouterr().out
