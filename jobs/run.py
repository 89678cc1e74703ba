"""spark-submit entry point of ``corpus-pipeline run``: ``spark-submit jobs/run.py --input ... --output DIR``."""

import sys

from corpus_pipeline.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
