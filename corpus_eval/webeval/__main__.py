"""``python -m corpus_eval.webeval --shared ../shared/data --out DIR [--seed 0]``: build the evaluation set."""

from __future__ import annotations

import sys

from .build import main

sys.exit(main())
