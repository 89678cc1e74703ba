"""KenLM n-gram language models: training (``train-kenlm``) and per-document perplexity in Spark."""
