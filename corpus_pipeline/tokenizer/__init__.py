"""CPM-style reversible tokenizer: jieba-equal segmentation, escaping, SentencePiece."""
