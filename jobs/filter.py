"""spark-submit entry point of the filter stage: ``spark-submit jobs/filter.py --input DIR --output DIR``."""

import sys

from corpus_pipeline.cli import main

if __name__ == "__main__":
    sys.exit(main(["filter", *sys.argv[1:]]))
