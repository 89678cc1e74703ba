"""Tokenize-and-pack: Megatron-compatible binary training shards."""
