"""spark-submit entry point of tokenizer training: ``spark-submit jobs/train_tokenizer.py --input DIR --out DIR``."""

import sys

from corpus_pipeline.cli import main

if __name__ == "__main__":
    sys.exit(main(["train-tokenizer", *sys.argv[1:]]))
