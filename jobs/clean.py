"""spark-submit entry point of the clean stage: ``spark-submit jobs/clean.py --input ... --output DIR``."""

import sys

from corpus_pipeline.cli import main

if __name__ == "__main__":
    sys.exit(main(["clean", *sys.argv[1:]]))
