"""corpus_pipeline: Spark-native cleaning, filtering, dedup and packing of Chinese pre-training corpora."""

__version__ = "0.1.0"
