#!/usr/bin/env bash
# Rebuild the default classifiers, models/spam and models/quality, from ../shared/data. Run from the repository
# root:
#
#   bash models/build.sh                # derived data, feature comparison (~4 min), both trainings (~1 min)
#   SKIP_BENCH=1 bash models/build.sh   # reuse bench/work/training/feature_selection.json when it exists
#
# SHARED=DIR reads the shared data from elsewhere; PY=... picks the interpreter (default .venv/bin/python).
# Scratch files (derived training data, the feature comparison) go to bench/work/training/ (gitignored).
set -euo pipefail

PY=${PY:-.venv/bin/python}
SHARED=${SHARED:-../shared/data}
WORK=bench/work/training

if [ ! -f corpus_pipeline/__init__.py ] || [ ! -d models ]; then
  echo "models/build.sh: run it from the repository root" >&2
  exit 2
fi
if [ ! -d "$SHARED/spam" ]; then
  echo "models/build.sh: $SHARED/spam not found (set SHARED=...)" >&2
  exit 2
fi
if "$PY" -m corpus_pipeline train-classifier --help >/dev/null 2>&1; then
  TRAIN=("$PY" -m corpus_pipeline train-classifier)
else
  TRAIN=("$PY" -m corpus_pipeline.classify.train)
fi

"$PY" -m corpus_eval.training_data.classifiers --out "$WORK" --shared "$SHARED" --seed 0 --ad-pages 2000

if [ -z "${SKIP_BENCH:-}" ] || [ ! -f "$WORK/feature_selection.json" ]; then
  "$PY" bench/classifier_features.py --shared "$SHARED" --training "$WORK" --out "$WORK/feature_selection.json" \
    | tee "$WORK/feature_selection.md"
fi

# The features, wordNgrams and max_chars the measurement chose (bench/classifier_features.py, its "chosen").
read -r FEATURES WORD_NGRAMS MAX_CHARS < <("$PY" -c 'import json, sys
c = json.load(open(sys.argv[1]))["chosen"]
print(c["features"], c["wordNgrams"], c["max_chars"])' "$WORK/feature_selection.json")
CHOICE=(--features "$FEATURES" --word-ngrams "$WORD_NGRAMS" --max-chars "$MAX_CHARS")

# Spam: trec06c spam and generated ad pages against normal mail, novels, wiki paragraphs and news.
"${TRAIN[@]}" spam \
  --pos "$SHARED/spam/trec06c_ham.jsonl.gz" "$SHARED/reference/novels" \
        "$SHARED/reference/zhwiki_cmrc2018_trial.jsonl.gz" "$WORK/peoples_daily.jsonl.gz" \
  --neg "$SHARED/spam/trec06c_spam.jsonl.gz" "$WORK/ad_pages.jsonl.gz" \
  "${CHOICE[@]}" --seed 0 --feature-selection "$WORK/feature_selection.json" --out models/spam

# Quality (GPT-3 Appendix A): reference text (encyclopedia, news, books) against raw web-ish text.
"${TRAIN[@]}" quality \
  --pos "$SHARED/reference/zhwiki_cmrc2018_trial.jsonl.gz" "$WORK/peoples_daily.jsonl.gz" "$SHARED/reference/novels" \
  --neg "$WORK/web_boilerplate.jsonl.gz" "$WORK/reviews.jsonl.gz" "$SHARED/spam/trec06c_ham.jsonl.gz" \
        "$SHARED/spam/trec06c_spam.jsonl.gz" "$WORK/ad_pages.jsonl.gz" \
  --max-per-file 3000 "${CHOICE[@]}" --seed 0 --feature-selection "$WORK/feature_selection.json" \
  --out models/quality

ls -l models/spam models/quality
