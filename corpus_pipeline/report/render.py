"""``report.html``: one self-contained page (inline CSS and SVG, no script, nothing fetched) from ``report.json``."""

from __future__ import annotations

from html import escape
from typing import Any

from corpus_pipeline.report import plots
from corpus_pipeline.report.metrics import METRICS

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;
margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
h3{font-size:15px}table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f4f4f4}
td.l,th.l{text-align:left}.note{color:#666;font-size:12px}figure{margin:8px 0}
pre{font-family:ui-monospace,monospace,"Noto Sans Mono CJK SC","WenQuanYi Zen Hei Mono";
white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:6px;font-size:12px;margin:4px 0}
details{margin:4px 0}summary{cursor:pointer}
"""


def _n(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}" if abs(value) < 1e6 else f"{value:,.0f}"
    return escape(str(value))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:+.1f}%" if value < 0 or value > 0 else "0.0%"


def _table(header: list[str], rows: list[list[Any]], left: int = 1) -> str:
    def cell(tag: str, i: int, value: Any) -> str:
        text = escape(value) if isinstance(value, str) else _n(value)
        return f'<{tag} class="{"l" if i < left else ""}">{text}</{tag}>'

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _figure(svg: str | None, caption: str) -> str:
    if svg is None:
        return f'<p class="note">{escape(caption)}: nothing to plot.</p>'
    return f'<figure class="plot">{svg}<figcaption class="note">{escape(caption)}</figcaption></figure>'


def _funnel(report: dict) -> str:
    rows = [
        [
            r["stage"],
            r["in"],
            r["kept"],
            r["removed"],
            r["quarantined"],
            f"{100 * r['kept'] / r['in']:.1f}%" if r["in"] else "–",
            r["bytes_in"],
            r["bytes_kept"],
            r.get("tokens"),
        ]
        for r in report["funnel"]
    ]
    out = [
        _figure(
            plots.funnel_plot(report["funnel"]),
            "documents kept after each stage, by source; the black mark is the stage's input",
        ),
        _table(
            [
                "stage",
                "documents in",
                "kept",
                "removed",
                "quarantined",
                "kept share",
                "bytes in",
                "bytes kept",
                "tokens",
            ],
            rows,
        ),
    ]
    sources = sorted({s for r in report["funnel"] for s in r["sources"]})
    per_source = [
        [
            r["stage"],
            *[
                f"{r['sources'][s]['in']:,} → {r['sources'][s]['kept']:,}" if s in r["sources"] else "–"
                for s in sources
            ],
        ]
        for r in report["funnel"]
    ]
    out.append("<h3>Per source (documents in → kept)</h3>" + _table(["stage", *sources], per_source))
    return "".join(out)


def _reasons(report: dict) -> str:
    out = [_figure(plots.reasons_plot(report["reasons"]), "documents removed or quarantined per reason")]
    for stage, table in report["reasons"].items():
        if not table:
            out.append(f"<h3>{escape(stage)}</h3><p class='note'>nothing removed</p>")
            continue
        sources = sorted({s for row in table.values() for s in row["sources"]})
        rows = [
            [reason, row["outcome"], row["documents"], row["bytes"], *[row["sources"].get(s, 0) for s in sources]]
            for reason, row in table.items()
        ]
        out.append(f"<h3>{escape(stage)}</h3>" + _table(["reason", "outcome", "documents", "bytes", *sources], rows, 2))
    return "".join(out)


def _removals_table(header: list[str], described: dict[str, list], removed: dict[str, dict[str, int]]) -> str:
    """A row per named list or benchmark: its description, then the documents it removed, in all and per source."""
    sources = sorted({source for per_source in removed.values() for source in per_source})
    rows = [
        [name, *values, sum(removed.get(name, {}).values()), *[removed.get(name, {}).get(s, 0) for s in sources]]
        for name, values in described.items()
    ]
    return _table([*header, "documents removed", *sources], rows)


def _safety(report: dict) -> str:
    safety = report.get("safety")
    if not safety:
        return "<p class='note'>no blocked_domain, benchmark_overlap or mask_pii step ran</p>"
    out = []
    lists = safety.get("domain_blocklists")
    if lists:
        out.append(
            "<h3>Domain blocklists (blocked_domain)</h3>"
            + _removals_table(
                ["list", "domains", "allowlisted"],
                {name: [info["domains"], info["allowlisted"]] for name, info in lists.items()},
                safety.get("blocked_domain") or {},
            )
        )
    checked = safety.get("benchmarks")
    if checked:
        out.append(
            "<h3>Benchmark decontamination (benchmark_overlap)</h3>"
            + _removals_table(
                ["benchmark", "items"],
                {
                    name: ["files missing: not checked" if info.get("missing") else info.get("items", 0)]
                    for name, info in checked.items()
                },
                safety.get("benchmark_overlap") or {},
            )
        )
        top = safety.get("benchmark_items_top") or []
        if top:
            out.append(
                "<p class='note'>items found in the most documents</p>"
                + _table(["benchmark", "item", "documents"], [[e["benchmark"], e["item"], e["documents"]] for e in top])
            )
    masked = safety.get("pii_masked")
    if masked:
        kinds = list(masked["values"])
        rows = [
            [source, entry["documents"], *[entry["values"].get(kind, 0) for kind in kinds]]
            for source, entry in masked["sources"].items()
        ]
        rows.append(["all", masked["documents"], *[masked["values"][kind] for kind in kinds]])
        placeholder = (safety.get("pii") or {}).get("placeholder", "")
        out.append(
            f"<h3>Personal data masked (mask_pii, placeholder {escape(placeholder)})</h3>"
            + _table(["source", "documents with any", *kinds], rows)
        )
    return "".join(out) or "<p class='note'>no blocked_domain, benchmark_overlap or mask_pii step ran</p>"


def _shift(report: dict) -> str:
    rows = [
        [
            r["stage"],
            r["in"],
            _pct(r["removed_fraction"]).lstrip("+"),
            r["median_in"],
            r["median_kept"],
            r["median_removed"],
            _pct(r["shift"]),
            f"{r['sampled_kept']:,} / {r['sampled_removed']:,}",
        ]
        for r in report["perplexity_shift"]
    ]
    return _figure(
        plots.shift_plot(report["perplexity_shift"]),
        "share of each stage's input it removed, and how "
        "the median KenLM perplexity of what it kept differs from its input's (negative: more fluent)",
    ) + _table(
        [
            "stage",
            "documents in",
            "removed",
            "median ppl in",
            "median ppl kept",
            "median ppl removed",
            "change",
            "sampled kept / removed",
        ],
        rows,
    )


def _distributions(report: dict) -> str:
    out = []
    for metric, (label, _) in METRICS.items():
        out.append(f"<h3>{escape(label)}</h3>")
        out.append(
            _figure(
                plots.distribution_plot(metric, report["distributions"]),
                f"{label}: kept (blue) vs removed (red) documents of each stage's sample",
            )
        )
        rows = [
            [
                stage,
                d[metric]["kept"].get("n", 0),
                d[metric]["kept"].get("p50"),
                d[metric]["removed"].get("n", 0),
                d[metric]["removed"].get("p50"),
            ]
            for stage, d in report["distributions"].items()
            if metric in d
        ]
        if rows:
            out.append(_table(["stage", "kept sampled", "kept median", "removed sampled", "removed median"], rows))
    return "".join(out)


def _tokens_and_clusters(report: dict) -> str:
    out = []
    clusters = report.get("dedup_clusters")
    if clusters is not None:
        out.append(
            f"<h3>Dedup clusters</h3><p>{clusters['clusters']:,} clusters of duplicates "
            f"(kept copy + removed copies)</p>"
        )
        out.append(
            _figure(
                plots.bar_plot({k: v for k, v in clusters["sizes"].items()}, "cluster size (documents)", "clusters"),
                "clusters by size",
            )
        )
    if report.get("tokens"):
        out.append("<h3>Tokens per source (pack)</h3>")
        out.append(_figure(plots.bar_plot(report["tokens"], "source", "tokens"), "tokens packed per source"))
        total = sum(report["tokens"].values())
        out.append(
            _table(
                ["source", "tokens", "share"],
                [[s, t, f"{100 * t / total:.1f}%" if total else "–"] for s, t in report["tokens"].items()],
            )
        )
    return "".join(out)


def _probe(report: dict) -> str:
    probe = report.get("probe")
    if not probe:
        return "<p class='note'>No small-model probe in this run (corpus-pipeline probe --out RUN/probe).</p>"
    rows = [
        [
            name,
            probe["corpora"][name]["documents"],
            probe["corpora"][name]["corpus_tokens"],
            probe["corpora"][name]["passes"],
            probe["corpora"][name]["dev_loss"],
            probe["corpora"][name]["dev_ppl"],
        ]
        for name in probe["ranking"]
    ]
    return (
        f"<p>preset <b>{escape(probe['preset'])}</b>, {probe['tokens']:,} training tokens per corpus, seed "
        f"{probe['seed']}, {probe['dev']['evaluated_tokens']:,} dev tokens; best first</p>"
        + _table(["corpus", "documents", "corpus tokens", "passes", "dev loss", "dev perplexity"], rows)
    )


def _truth(report: dict) -> str:
    truth = report.get("ground_truth")
    if not truth:
        return "<p class='note'>The documents carry no ground truth.</p>"
    clean = truth["clean"]
    rows = [
        [name, s["predicted"], s["expected"], s["agree"], s["precision"], s["recall"]]
        for name, s in list(clean["reasons"].items()) + list(clean["line_rules"].items())
    ]
    out = [
        f"<h3>clean ({clean['documents_scored']:,} documents)</h3>",
        "<p class='note'>Each reason's precision: the share of documents removed for it that the truth expects "
        "removed for it; recall: the share of those the truth expects that were. ad_lines and dup_paragraphs "
        "count lines and paragraphs in documents both kept. Rules whose outcome the truth does not label "
        "(sensitive_words, spam, low_quality, high_perplexity) are not scored.</p>",
        _table(["rule / outcome", "predicted", "expected", "agree", "precision", "recall"], rows),
    ]
    dedup = truth.get("dedup")
    if dedup:
        out.append(f"<h3>dedup ({dedup['groups']:,} duplicate groups)</h3>")
        out.append(
            _table(
                ["rule", "predicted", "expected", "agree", "precision", "recall"],
                [
                    [
                        "duplicates",
                        dedup["predicted"],
                        dedup["expected"],
                        dedup["agree"],
                        dedup["precision"],
                        dedup["recall"],
                    ]
                ],
            )
        )
    return "".join(out)


def _samples(report: dict) -> str:
    out = []
    for stage, by_reason in report["samples"].items():
        for reason, docs in by_reason.items():
            items = "".join(
                f"<p class='note'>{escape(d['id'])} ({escape(d['source'] or '')}, {d['chars']:,} chars)"
                f"</p><pre>{escape(d['text'])}{'…' if d['chars'] > len(d['text']) else ''}</pre>"
                for d in docs
            )
            out.append(
                f"<details open><summary>{escape(stage)}: {escape(reason)} ({len(docs)} shown)</summary>"
                f"{items}</details>"
            )
    return "".join(out) or "<p class='note'>Nothing removed.</p>"


def _line_dedup(report: dict) -> str:
    summary = report.get("line_dedup")
    if not summary:
        return "<p class='note'>no line_dedup step ran</p>"
    scope = "per URL host" if summary["scope"] == "host" else "across the run"
    keep = ", the first document in the keep order kept them" if summary["keep_first"] else ""
    out = [
        f"<p class='note'>lines in at least {summary['min_documents']} documents {scope} were removed{keep}: "
        f"{summary['frequent_lines']:,} such lines</p>"
    ]
    removed = summary.get("removed") or {}
    rows = [[source, e["documents"], e["line_keys"], e["bytes"]] for source, e in removed.items()]
    if rows:
        rows.append(["all", *[sum(e[key] for e in removed.values()) for key in ("documents", "line_keys", "bytes")]])
    out.append(_table(["source", "documents changed", "lines removed (distinct per document)", "bytes removed"], rows))
    top = summary.get("top_lines") or []
    if top:
        out.append(
            "<p class='note'>the lines in the most documents</p>"
            + _table(["group", "documents", "line"], [[e["group"], e["documents"], e["text"]] for e in top])
        )
    return "".join(out)


def render(report: dict) -> str:
    lm = report.get("lm")
    lm_note = (
        f"KenLM model sha256 {escape(lm['sha256'][:12])}…, order {lm['order']}"
        if lm
        else "no KenLM model: perplexity not shown"
    )
    sections = [
        ("Funnel", _funnel),
        ("Removal reasons", _reasons),
        ("Boilerplate lines removed across documents (line_dedup)", _line_dedup),
        ("Blocked domains, benchmarks and personal data", _safety),
        ("Removal vs perplexity", _shift),
        ("Distributions", _distributions),
        ("Dedup clusters and tokens", _tokens_and_clusters),
        ("Small-model probe", _probe),
        ("Rules against ground truth", _truth),
        ("Removed documents, by reason", _samples),
    ]
    body = "".join(f"<h2>{escape(title)}</h2>{build(report)}" for title, build in sections)
    return (
        f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>corpus_pipeline report</title>"
        f"<style>{_CSS}</style></head><body><h1>corpus_pipeline report</h1>"
        f"<p class='note'>run {escape(report['run'])}; stages {escape(', '.join(report['stages']))}; "
        f"distributions from samples of up to {report['sample_size']:,} documents per stage and outcome "
        f"(seed {report['seed']}); {lm_note}</p>{body}</body></html>\n"
    )
