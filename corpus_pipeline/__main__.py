import sys

from corpus_pipeline.cli import main

sys.exit(main())
