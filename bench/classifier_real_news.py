"""How the shipped classifiers treat real modern news they never saw as positives: the main text of the 62
GNE news pages (extracted as the clean stage does). Spam: share flagged at the card's threshold (all false
positives). Quality: score quantiles and share kept by the threshold and, in expectation, by the Pareto rule.
(The quality model saw these pages' *whole* visible text as negatives, so its figures are not held out.)

    .venv/bin/python bench/classifier_real_news.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classifier_features import real_news  # noqa: E402

from corpus_pipeline.classify.model import load_model_spec, score  # noqa: E402
from corpus_pipeline.quality.pareto import keep_probability  # noqa: E402
from corpus_pipeline.recipe import load_recipe  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    args = parser.parse_args()
    recipe = load_recipe()
    texts = [t for t in real_news(Path(args.data)) if t.strip()]
    spam = load_model_spec(recipe.models_path(recipe.filter.spam.model), "spam")
    quality = load_model_spec(recipe.models_path(recipe.quality.model), "quality")
    s, q = score(spam, texts), score(quality, texts)
    print(f"{len(texts)} GNE main texts")
    print(
        f"spam: threshold {spam.threshold}, flagged {int((s > spam.threshold).sum())} "
        f"({(s > spam.threshold).mean():.3f}); score quantiles 50/90/99%: "
        f"{np.quantile(s, [0.5, 0.9, 0.99]).round(4).tolist()}"
    )
    expected_pareto = np.mean([keep_probability(v, recipe.quality.pareto_alpha) for v in q])
    print(
        f"quality: threshold {quality.threshold}, kept by threshold {(q >= quality.threshold).mean():.3f}, "
        f"expected kept by Pareto(alpha={recipe.quality.pareto_alpha}) {expected_pareto:.3f}; "
        f"score quantiles 10/50/90%: {np.quantile(q, [0.1, 0.5, 0.9]).round(4).tolist()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
