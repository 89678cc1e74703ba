"""Reading raw inputs (JSONL, parquet, text, HTML, WARC, WET) into documents or quarantined records."""
