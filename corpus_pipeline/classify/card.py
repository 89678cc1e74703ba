"""The prose ``README.md`` written next to a model's ``card.json``: data, metrics, threshold, how to rebuild."""

from __future__ import annotations


def _pct(value) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}%"


def render_readme(card: dict) -> str:
    """A short prose model card generated from ``card.json``."""
    m, data, ft = card["metrics"], card["data"], card["fasttext"]
    test, valid, plain = m["test"], m["valid"], m["unquantized_test"]
    files = "\n".join(
        f"- {side} `{f['path']}`: {f['documents']} documents, {f['unique']} after dedup, {f['used']} used"
        for side in ("pos", "neg")
        for f in data[side]
    )
    by_file = "\n".join(f"- `{f['path']}`: {_pct(f['flagged'])} of {f['n']}" for f in m["test_by_file"])
    selection = card.get("feature_selection", {})
    why = ""
    if {"chosen", "chars", "words"} <= set(selection):
        shown = [
            f"`{r['features']}` (wordNgrams={r['wordNgrams']}, max_chars={r['max_chars'] or 'full'}): test F1 "
            f"{r['f1']:.4f}, {r['mb_s']:.2f} MB/s"
            for r in (selection["chars"], selection["words"])
        ]
        measured = selection.get("measured_on", {}).get("kind", "training")
        why = (
            f"\n\nFeatures chosen by measurement (`bench/classifier_features.py` on the {measured} model's data; "
            f"rule: {selection['chosen']['rule']}): {shown[0]} against {shown[1]}; every variant is in "
            "`card.json`."
        )
    lines = [
        f"# {card['kind']} classifier",
        "",
        f"fastText model `{card['model_file']}` ({card['size_bytes'] / 1e6:.2f} MB, "
        f"{'quantized' if card['quantized'] else 'not quantized'}). Input: the first {card['max_chars'] or 'all'} "
        f"characters of a document as `{card['features']}` tokens (`corpus_pipeline.classify.features`), "
        f"wordNgrams={ft['wordNgrams']}, dim={ft['dim']}, bucket={ft['bucket']}, {ft['epoch']} epochs. "
        f"The score is the probability of `{card['score_label']}`: {card['decision']}, threshold "
        f"**{card['threshold']}**. In the metrics, the positive class is {card['metrics_positive_class']}.{why}",
        "",
        "## Data",
        "",
        f"`--pos` is `__label__keep`, `--neg` is `__label__drop`. Removed before splitting: {data['dedup_removed']} "
        f"exact duplicates, {data['in_both_classes_removed']} texts found in both classes, {data['empty_removed']} "
        f"empty texts. Every file is split 80/10/10 with a seeded shuffle: train {data['split']['train']}, valid "
        f"{data['split']['valid']}, test {data['split']['test']} documents.",
        "",
        files,
        "",
        "## Metrics",
        "",
        f"Threshold rule: {card['threshold_rule']}. On the held-out test split ({test['n_pos']} positive, "
        f"{test['n_neg']} negative documents): precision {test['precision']:.4f}, recall {test['recall']:.4f}, "
        f"F1 {test['f1']:.4f}, false-positive rate {test['false_positive_rate']:.4f}, ROC-AUC {test['roc_auc']}. "
        f"Valid split: F1 {valid['f1']:.4f}, false-positive rate {valid['false_positive_rate']:.4f}. The "
        f"unquantized model: test F1 {plain['f1']:.4f}, ROC-AUC {plain['roc_auc']}. Scoring in one process: "
        f"{m['throughput_mb_s']:.2f} MB/s.",
        "",
        "Test documents predicted positive, per input file:",
        "",
        by_file,
        "",
        "Other thresholds (a recipe can override the card's), valid / test:",
        "",
        "| threshold | precision | recall | false-positive rate |",
        "|---|---|---|---|",
        *[
            f"| {p['threshold']} | {p['valid']['precision']:.4f} / {p['test']['precision']:.4f} | "
            f"{p['valid']['recall']:.4f} / {p['test']['recall']:.4f} | "
            f"{p['valid']['false_positive_rate']:.4f} / {p['test']['false_positive_rate']:.4f} |"
            for p in m["operating_points"]
        ],
        "",
        "## Rebuild",
        "",
        "From the repository root: `bash models/build.sh` (derived data into `bench/work/training/`, the feature "
        "comparison, then both models). The models are deterministic: the same inputs and code give the same file.",
        "",
        f"Trained {card['date']}, seed {card['seed']}, {card['code_version']}. `card.json` holds every number "
        "above, the hyper-parameters, the input files' sha256 and the feature comparison.",
        "",
    ]
    return "\n".join(lines)
