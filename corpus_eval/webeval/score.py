"""Score a pipeline run on the labelled web set: what it kept and removed, per kind, per carrier and per reason.

``python -m corpus_eval.webeval.score --run RUN_DIR --labels DIR/labels.jsonl [--out RUN_DIR/evaluation.md]``
(``make evaluate`` builds half b of the set, runs the default recipe on it and calls this).

Each labelled document's fate is read from the run's stage outputs with pyarrow (no Spark): the first stage
whose ``removed/`` holds its id gives its reason (``quarantine/`` likewise), a document in the last stage's
``kept/`` is kept. Printed and written as Markdown:

* overall: good documents kept, junk removed, junk share of the kept output, with ``good:short`` (under the
  pipeline's ``min_chars`` by design) reported apart;
* per kind (``good:news`` ... ``junk:casino_splice``) and per carrier source: documents, kept, removed;
* per reason: good and junk documents it removed (its precision on this set).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow.parquet as pq

SHORT = "good:short"


def _ids(folder: Path, columns: tuple[str, ...]) -> list[dict]:
    if not folder.is_dir() or not any(folder.glob("*.parquet")):
        return []
    return pq.read_table(folder, columns=list(columns)).to_pylist()


def fates(run: Path, stages: list[str]) -> dict[str, str]:
    """Document id -> ``kept``, ``quarantined:<reason>`` or the removal reason of the first stage removing it."""
    out: dict[str, str] = {}
    for stage in stages:
        for row in _ids(run / stage / "removed", ("id", "reason")):
            out.setdefault(row["id"], row["reason"])
        for row in _ids(run / stage / "quarantine", ("id", "reason")):
            if row["id"] is not None:
                out.setdefault(row["id"], f"quarantined:{row['reason']}")
    for row in _ids(run / stages[-1] / "kept", ("id",)):
        out.setdefault(row["id"], "kept")
    return out


def score(run: Path, labels: list[dict], stages: list[str]) -> dict:
    fate = fates(run, stages)
    per_kind: dict[str, Counter] = defaultdict(Counter)
    per_carrier: dict[str, Counter] = defaultdict(Counter)
    per_reason: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    for truth in labels:
        label, kind = truth["label"], truth["kind"]
        outcome = fate.get(truth["id"], "missing")
        kept = outcome == "kept"
        group = "short" if kind == SHORT else label
        totals[f"{group}:{'kept' if kept else 'removed'}"] += 1
        for table, key in ((per_kind, kind), (per_carrier, f"{truth.get('carrier')} ({label})")):
            table[key]["documents"] += 1
            table[key]["kept" if kept else "removed"] += 1
        if not kept:
            per_reason[outcome][label] += 1
    good, junk = totals["good:kept"] + totals["good:removed"], totals["junk:kept"] + totals["junk:removed"]
    kept_total = totals["good:kept"] + totals["junk:kept"]
    return {
        "documents": len(labels),
        "good": good,
        "junk": junk,
        "good_kept": totals["good:kept"] / good if good else None,
        "junk_removed": totals["junk:removed"] / junk if junk else None,
        "junk_share_of_kept": totals["junk:kept"] / kept_total if kept_total else None,
        "short_good": totals["short:kept"] + totals["short:removed"],
        "short_good_kept": totals["short:kept"],
        "missing": sum(1 for truth in labels if truth["id"] not in fate),
        "per_kind": {k: dict(v) for k, v in sorted(per_kind.items())},
        "per_carrier": {k: dict(v) for k, v in sorted(per_carrier.items())},
        "per_reason": {k: dict(v) for k, v in sorted(per_reason.items(), key=lambda e: -sum(e[1].values()))},
    }


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def markdown(result: dict, run: Path) -> str:
    lines = [
        f"# Labelled web set through `{run}`",
        "",
        f"{result['documents']:,} documents: {result['good']:,} good, {result['junk']:,} junk "
        f"(+ {result['short_good']:,} `good:short` under min_chars, {result['short_good_kept']:,} kept; not counted).",
        "",
        "| good kept | junk removed | junk share of the kept output |",
        "|---:|---:|---:|",
        f"| {_pct(result['good_kept'])} | {_pct(result['junk_removed'])} | {_pct(result['junk_share_of_kept'])} |",
        "",
        "| kind | documents | kept | removed |",
        "|---|---:|---:|---:|",
    ]
    for kind, c in result["per_kind"].items():
        lines.append(f"| {kind} | {c['documents']} | {c.get('kept', 0)} | {c.get('removed', 0)} |")
    lines += ["", "| reason | good removed | junk removed | precision |", "|---|---:|---:|---:|"]
    for reason, c in result["per_reason"].items():
        good, junk = c.get("good", 0), c.get("junk", 0)
        lines.append(f"| {reason} | {good} | {junk} | {junk / (good + junk):.3f} |")
    lines += ["", "| carrier (label) | documents | kept | removed |", "|---|---:|---:|---:|"]
    for carrier, c in result["per_carrier"].items():
        lines.append(f"| {carrier} | {c['documents']} | {c.get('kept', 0)} | {c.get('removed', 0)} |")
    if result["missing"]:
        lines += ["", f"**{result['missing']} labelled documents are in no stage output.**"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corpus_eval.webeval.score", description=__doc__.split("\n")[0])
    parser.add_argument("--run", required=True, type=Path, help="a corpus-pipeline run folder")
    parser.add_argument("--labels", required=True, type=Path, help="labels.jsonl of the evaluation set")
    parser.add_argument("--stages", default="clean,filter,quality,dedup", help="stages in order (default: %(default)s)")
    parser.add_argument("--out", type=Path, help="also write the Markdown here (default RUN/evaluation.md)")
    args = parser.parse_args(argv)
    labels = [json.loads(line) for line in args.labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = score(args.run, labels, args.stages.split(","))
    text = markdown(result, args.run)
    out = args.out or args.run / "evaluation.md"
    out.write_text(text, encoding="utf-8")
    (out.with_suffix(".json")).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(text)
    return 1 if result["missing"] else 0


if __name__ == "__main__":
    sys.exit(main())
