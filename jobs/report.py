"""spark-submit entry point of ``corpus-pipeline report``: ``spark-submit jobs/report.py --run DIR``."""

import sys

from corpus_pipeline.cli import main

if __name__ == "__main__":
    sys.exit(main(["report", *sys.argv[1:]]))
