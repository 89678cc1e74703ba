"""spark-submit entry point of the quality stage: ``spark-submit jobs/quality.py --input DIR --output DIR``."""

import sys

from corpus_pipeline.cli import main

if __name__ == "__main__":
    sys.exit(main(["quality", *sys.argv[1:]]))
