"""spark-submit entry point of the pack stage: ``spark-submit jobs/tokenize_pack.py --input DIR --output DIR``."""

import sys

from corpus_pipeline.cli import main

if __name__ == "__main__":
    sys.exit(main(["pack", *sys.argv[1:]]))
