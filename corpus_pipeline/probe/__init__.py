"""Small-model perplexity probes (PanGu-α §3.1.3): train the same model on equal token budgets of candidate
corpora and compare perplexity on one high-quality dev set."""
