from corpus_pipeline.report.render import _table


def test_table_cells_are_escaped_and_numbers_formatted():
    html = _table(["source", "documents"], [["<b>forum</b>", 1234], ["web & news", 0.5]])
    assert "&lt;b&gt;forum&lt;/b&gt;" in html and "<b>" not in html
    assert "web &amp; news" in html and "1,234" in html and "0.500" in html
