"""spark-submit entry point of the dedup stage: ``spark-submit jobs/dedup.py --input DIR --output DIR``."""

import sys

from corpus_pipeline.cli import main

if __name__ == "__main__":
    sys.exit(main(["dedup", *sys.argv[1:]]))
