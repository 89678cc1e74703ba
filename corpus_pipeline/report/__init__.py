"""The quality report of a pipeline run: ``report.json`` (every figure) and ``report.html`` (one file, plots inline)."""
