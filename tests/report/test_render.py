from corpus_pipeline.report.render import _table


def test_table_cells_are_escaped_and_numbers_formatted():
    html = _table(["source", "documents"], [["<b>forum</b>", 1234], ["web & news", 0.5]])
    assert "&lt;b&gt;forum&lt;/b&gt;" in html and "<b>" not in html
    assert "web &amp; news" in html and "1,234" in html and "0.500" in html


def test_safety_section_tables_per_list_and_benchmark_with_missing_benchmarks_named():
    from corpus_pipeline.report.render import _safety

    html = _safety(
        {
            "safety": {
                "domain_blocklists": {"ut1_gambling": {"domains": 3, "allowlisted": 1, "skipped": 0}},
                "blocked_domain": {"ut1_gambling": {"web": 2}},
                "benchmarks": {"cmmlu": {"path": "x", "files": 1, "items": 7}, "mine": {"path": "y", "missing": True}},
                "benchmark_overlap": {"cmmlu": {"news": 1, "web": 4}},
                "benchmark_items_top": [{"benchmark": "cmmlu", "item": "astronomy:0", "documents": 3}],
            }
        }
    )
    assert (
        '<td class="l">ut1_gambling</td><td class="">3</td><td class="">1</td><td class="">2</td><td class="">2</td>'
        in html
    )
    assert (
        '<td class="l">cmmlu</td><td class="">7</td><td class="">5</td><td class="">1</td><td class="">4</td>' in html
    )
    assert "files missing: not checked" in html and "astronomy:0" in html
    assert _safety({}) == "<p class='note'>no blocked_domain, benchmark_overlap or mask_pii step ran</p>"


def test_line_dedup_section_counts_per_source_and_shows_the_top_lines_escaped():
    from corpus_pipeline.report.render import _line_dedup

    summary = {
        "scope": "host",
        "min_documents": 3,
        "keep_first": False,
        "frequent_lines": 2,
        "removed": {
            "news": {"documents": 3, "line_keys": 3, "bytes": 90},
            "web": {"documents": 4, "line_keys": 8, "bytes": 400},
        },
        "top_lines": [{"group": "a.example.cn", "documents": 4, "text": "<b>版权所有</b>"}],
    }
    html = _line_dedup({"line_dedup": summary})
    assert "lines in at least 3 documents per URL host were removed: 2 such lines" in html
    assert '<td class="l">all</td><td class="">7</td><td class="">11</td><td class="">490</td>' in html
    assert "&lt;b&gt;版权所有&lt;/b&gt;" in html and "<b>" not in html
    assert _line_dedup({}) == "<p class='note'>no line_dedup step ran</p>"
