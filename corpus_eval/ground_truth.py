"""Each rule's precision and recall against ground truth carried in ``meta`` (the demo corpus has it).

A document's ``meta`` may hold ``{"truth": {"expected_clean": "kept" | <reason>, "ad_lines": n,
"duplicated_paragraphs": n, ...}}``. For every reason, precision is the share of documents the stage removed
for that reason that the truth expects removed for it, and recall the share of those the truth expects that
the stage removed for it. Line-level rules are scored on the kept documents the truth expects kept. Precision is
the rule's own: a document where the rule removed ``p`` lines and the truth injected ``t`` contributes ``min(p, t)``
true positives of ``p``. Recall is the stage's: of the ``t`` injected lines, those no longer in the kept text,
whichever step removed them (HTML extraction drops many ad lines before the ad-line rule sees them). An injected
ad line still there is a kept line matching one of the demo's ad-line templates; a duplicated paragraph still there
is an extra copy of a kept line with 15 or more Chinese characters.

The dedup stage is scored on duplicate groups: ``truth.duplicate_of`` names the original a document was copied
from, so each document's group is its original's id (followed through chains). A removed duplicate is a true
positive when its ``duplicate_of`` (the copy the stage kept) is in its own group; the stage should remove all
but one of each group's members that reached it (:func:`score_dedup`).

Run as ``python -m corpus_eval.ground_truth STAGE_DIR``: prints a table and writes ``STAGE_DIR/ground_truth.json``;
``python -m corpus_eval.ground_truth --run RUN_DIR`` scores a whole run (its clean and dedup stages) into
``RUN_DIR/ground_truth.json``, which ``corpus-pipeline report`` shows.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

LINE_RULES = {"ad_lines": "ad_lines", "dup_paragraphs": "duplicated_paragraphs"}
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_PLACEHOLDER = re.compile(r"\{\w+\}")
DUPLICATE_MIN_CJK = 15  # the demo duplicates only paragraphs with this many Chinese characters


def _cjk(text: str) -> str:
    return "".join(_CJK.findall(text))


def _ad_line_patterns() -> list[re.Pattern[str]]:
    """One pattern per ad-line template of the demo: its literal Chinese runs in order, anything between."""
    from corpus_eval.demo import assets

    patterns = []
    for template in assets.lines("ad_lines.txt"):
        runs = [_cjk(part) for part in _PLACEHOLDER.split(template)]
        runs = [run for run in runs if len(run) >= 2]
        if runs:
            patterns.append(re.compile(".*".join(map(re.escape, runs))))
    return patterns


def remaining_ad_lines(text: str, patterns: list[re.Pattern[str]]) -> int:
    """Lines of ``text`` that match an ad-line template (by their Chinese characters)."""
    return sum(1 for line in text.split("\n") if any(p.search(_cjk(line)) for p in patterns))


def remaining_duplicate_paragraphs(text: str) -> int:
    """Extra copies of lines with at least :data:`DUPLICATE_MIN_CJK` Chinese characters in ``text``."""
    counts = Counter(key for key in (_cjk(line) for line in text.split("\n")) if len(key) >= DUPLICATE_MIN_CJK)
    return sum(n - 1 for n in counts.values())


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def score(rows: Iterable[dict]) -> dict:
    """Scores from rows with ``reason`` (None when kept), ``meta``, ``text`` and the line-count columns."""
    predicted, expected, agree = Counter(), Counter(), Counter()
    lines = {rule: Counter() for rule in LINE_RULES}
    ad_patterns = _ad_line_patterns()
    scored = 0
    for row in rows:
        truth = json.loads(row["meta"]).get("truth") if row.get("meta") else None
        if not truth or "expected_clean" not in truth:
            continue
        scored += 1
        got, want = row.get("reason") or "kept", truth["expected_clean"]
        predicted[got] += 1
        expected[want] += 1
        agree[got] += got == want
        if got == "kept" and want == "kept":
            text = row.get("text") or ""
            remaining = {
                "ad_lines": remaining_ad_lines(text, ad_patterns),
                "dup_paragraphs": remaining_duplicate_paragraphs(text),
            }
            for column, key in LINE_RULES.items():
                p, t = int(row.get(column) or 0), int(truth.get(key) or 0)
                lines[column].update(predicted=p, expected=t, agree=min(p, t), gone=max(t - remaining[column], 0))
    reasons = {
        name: {
            "predicted": predicted[name],
            "expected": expected[name],
            "agree": agree[name],
            "precision": _ratio(agree[name], predicted[name]),
            "recall": _ratio(agree[name], expected[name]),
        }
        for name in sorted(set(predicted) | set(expected))
    }
    line_rules = {
        column: {
            "predicted": counts["predicted"],
            "expected": counts["expected"],
            "agree": counts["agree"],
            "removed_by_stage": counts["gone"],
            "precision": _ratio(counts["agree"], counts["predicted"]),
            "recall": _ratio(counts["gone"], counts["expected"]),
        }
        for column, counts in lines.items()
    }
    return {"documents_scored": scored, "reasons": reasons, "line_rules": line_rules}


DUPLICATE_REASONS = ("exact_duplicate", "near_duplicate")


def score_dedup(rows: Iterable[dict]) -> dict | None:
    """Dedup scores from rows with ``id``, ``reason``, ``duplicate_of`` and ``meta``; None without truth."""
    rows = list(rows)
    truth_of = {}
    for row in rows:
        truth = json.loads(row["meta"]).get("truth") if row.get("meta") else None
        if truth is not None and "duplicate_of" in truth:
            truth_of[row["id"]] = truth["duplicate_of"]
    if not truth_of:
        return None

    def group(doc_id: str) -> str:
        seen = set()
        while truth_of.get(doc_id) and doc_id not in seen:
            seen.add(doc_id)
            doc_id = truth_of[doc_id]
        return doc_id

    members = Counter(group(row["id"]) for row in rows if row["id"] in truth_of)
    expected = sum(size - 1 for size in members.values())
    removed = [row for row in rows if row.get("reason") in DUPLICATE_REASONS and row["id"] in truth_of]
    agree = sum(1 for row in removed if row.get("duplicate_of") and group(row["duplicate_of"]) == group(row["id"]))
    return {
        "documents_scored": len(truth_of),
        "groups": sum(1 for size in members.values() if size > 1),
        "predicted": len(removed),
        "expected": expected,
        "agree": agree,
        "precision": _ratio(agree, len(removed)),
        "recall": _ratio(agree, expected),
    }


def _stage_rows(stage_dir: Path, columns: tuple[str, ...]) -> list[dict]:
    import pyarrow.dataset as ds

    rows: list[dict] = []
    for part in ("kept", "removed"):
        table = ds.dataset(stage_dir / part, format="parquet").to_table()
        rows.extend(table.select([c for c in columns if c in table.column_names]).to_pylist())
    return rows


def score_stage_dir(stage_dir: Path) -> dict:
    return score(_stage_rows(stage_dir, ("reason", "meta", "text", *LINE_RULES)))


def score_run(run_dir: Path) -> dict | None:
    """``{"clean": ..., "dedup": ...}`` for a run whose documents carry truth; None when they carry none."""
    clean = score_stage_dir(run_dir / "clean")
    if not clean["documents_scored"]:
        return None
    out = {"clean": clean}
    if (run_dir / "dedup" / "_SUCCESS").exists():
        out["dedup"] = score_dedup(_stage_rows(run_dir / "dedup", ("id", "meta", "reason", "duplicate_of")))
    return out


def format_table(result: dict) -> str:
    lines = [
        f"ground truth: {result['documents_scored']} documents scored",
        f"  {'outcome':<16}{'predicted':>10}{'expected':>10}{'precision':>11}{'recall':>8}",
    ]
    for name, s in list(result["reasons"].items()) + list(result["line_rules"].items()):
        precision = "-" if s["precision"] is None else f"{s['precision']:.3f}"
        recall = "-" if s["recall"] is None else f"{s['recall']:.3f}"
        lines.append(f"  {name:<16}{s['predicted']:>10}{s['expected']:>10}{precision:>11}{recall:>8}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(argv if argv is not None else sys.argv[1:])
    if len(args) == 2 and args[0] == "--run":
        run_dir = Path(args[1])
        result = score_run(run_dir)
        if result is None:
            print(f"{run_dir}: its documents carry no ground truth (meta.truth)", file=sys.stderr)
            return 2
        (run_dir / "ground_truth.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(format_table(result["clean"]))
        return 0
    if len(args) != 1:
        print("usage: python -m corpus_eval.ground_truth STAGE_DIR | --run RUN_DIR", file=sys.stderr)
        return 2
    stage_dir = Path(args[0])
    result = score_stage_dir(stage_dir)
    (stage_dir / "ground_truth.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
