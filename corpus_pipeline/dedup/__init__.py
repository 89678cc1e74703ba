"""Exact and MinHash-LSH fuzzy deduplication across sources (the dedup stage)."""
