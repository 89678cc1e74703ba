"""``corpus-pipeline``: a sub-command per registered stage, ``run`` and ``report``, and the training commands.

Every stage command takes ``--input PATH [PATH ...] --output DIR [--recipe FILE] [--master URL] [--conf K=V]``
plus its own options (:meth:`corpus_pipeline.stage.base.Stage.add_arguments`). A stage that reads raw files
(``clean``) takes ``SOURCE=PATH`` inputs; later stages read a previous stage's output directory (its ``kept/``)
or parquet documents. ``run`` offers every stage's options.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable

from corpus_pipeline import interrupt
from corpus_pipeline.errors import InputError
from corpus_pipeline.recipe import InputSpec, RecipeError, load_recipe
from corpus_pipeline.stage.registry import stage_named, stage_names, stages
from corpus_pipeline.stage.safety import add_output_arguments, check_plain_output, check_run_paths, check_stage_paths

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


def _add_spark_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="extra Spark setting")


def _add_stage_arguments(parser: argparse.ArgumentParser, raw_input: bool) -> None:
    if raw_input:
        parser.add_argument(
            "--input",
            nargs="+",
            default=[],
            metavar="[SOURCE=]PATH",
            help="files, directories or globs on any Hadoop file system (default: the recipe's inputs)",
        )
    else:
        parser.add_argument(
            "--input",
            nargs="+",
            required=True,
            metavar="DIR",
            help="a previous stage's output directory, or parquet documents",
        )
    parser.add_argument("--output", required=True, metavar="DIR")
    parser.add_argument("--recipe", metavar="FILE", help="YAML recipe (default: rules/recipes/default.yaml)")
    _add_spark_arguments(parser)
    add_output_arguments(parser)


def _add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sample",
        type=int,
        default=2000,
        metavar="N",
        help="documents sampled per stage and outcome for the distributions (default 2000)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seeds the report's samples")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="corpus-pipeline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for stage in stages():
        sub = commands.add_parser(stage.name, help=stage.help)
        _add_stage_arguments(sub, stage.reads_raw_input)
        stage.add_arguments(sub)
    run = commands.add_parser("run", help=f"every stage in order ({', '.join(stage_names())}), then the report")
    _add_stage_arguments(run, raw_input=True)
    for stage in stages():
        stage.add_arguments(run)
    run.add_argument(
        "--pack-output",
        metavar="DIR",
        help="where pack writes its shards, a local or shared POSIX path (default: OUTPUT/pack); "
        "the other stages may then write to HDFS or S3",
    )
    run.add_argument(
        "--from",
        dest="start",
        metavar="STAGE",
        choices=stage_names(),
        help="run this stage and the later ones; reuse the committed outputs before it as they are",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="run every stage, even one whose committed output matches (by default it is reused)",
    )
    _add_report_arguments(run)
    report = commands.add_parser("report", help="write RUN/report.html and RUN/report.json from a run's stage outputs")
    report.add_argument("--run", required=True, metavar="DIR", help="a run directory (clean/, filter/, ... inside)")
    report.add_argument("--recipe", metavar="FILE", help="its KenLM model scores sampled text (default recipe)")
    _add_spark_arguments(report)
    _add_report_arguments(report)
    from corpus_pipeline.tokenizer.train import add_train_tokenizer_arguments

    add_train_tokenizer_arguments(
        commands.add_parser("train-tokenizer", help="train the CPM-style tokenizer (jieba + SentencePiece)")
    )
    from corpus_pipeline.classify.train import add_train_arguments

    add_train_arguments(commands.add_parser("train-classifier", help="train the fastText spam or quality classifier"))
    from corpus_pipeline.perplexity.train import add_train_kenlm_arguments

    add_train_kenlm_arguments(
        commands.add_parser(
            "train-kenlm", help="train a KenLM n-gram model on text normalized exactly as the perplexity step scores it"
        )
    )
    from corpus_pipeline.trainer.config import add_train_arguments as add_trainer_arguments

    gpt = commands.add_parser("train", help="train the bundled GPT on pack output shards (CPU, CUDA, torchrun)")
    gpt.add_argument("--shards", required=True, metavar="DIR", help="a pack output (manifest.json + shards/)")
    gpt.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="log.jsonl, checkpoint.pt, result.json; an existing checkpoint is resumed",
    )
    gpt.add_argument("--dev", metavar="DIR", help="a pack output to evaluate loss and perplexity on")
    add_trainer_arguments(gpt)
    export = commands.add_parser(
        "export", help="a stage output's documents as jsonl.gz or parquet shards for 🤗 datasets or Dolma tools"
    )
    export.add_argument("--input", required=True, metavar="DIR", help="a stage output (or parquet documents)")
    export.add_argument("--output", required=True, metavar="DIR", help="the shards, _SUCCESS and export.json")
    export.add_argument("--part", choices=("kept", "removed"), default="kept", help="which documents (default kept)")
    export.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl", help="jsonl: gzip JSON Lines")
    export.add_argument(
        "--layout",
        choices=("columns", "dolma"),
        default="columns",
        help="columns: every column, meta nested; dolma: {id, text, source, added, metadata}",
    )
    export.add_argument("--shard-mb", type=float, default=256.0, help="megabytes of text per shard (about)")
    export.add_argument("--overwrite", action="store_true", help="replace an existing --output")
    _add_spark_arguments(export)
    probe = commands.add_parser("probe", help="small-model perplexity probe: same model, equal tokens per corpus")
    probe.add_argument("--corpus", nargs="+", required=True, metavar="NAME=DIR", help="candidate pack outputs")
    probe.add_argument("--dev", required=True, metavar="DIR", help="the dev set's pack output")
    probe.add_argument("--out", required=True, metavar="DIR", help="probe.json, probe.md and one run per corpus")
    add_trainer_arguments(probe, budget_flag="--tokens")
    return parser


def _session(args: argparse.Namespace):
    """The session of a command that writes no stage output, with a clean Ctrl-C."""
    from corpus_pipeline.interrupt import interruptible_session

    return interruptible_session(
        f"corpus_pipeline.{args.command}", getattr(args, "master", None), _conf(getattr(args, "conf", []))
    )


def _guarded_session(args: argparse.Namespace):
    """The session of a command writing ``--output``: its policy (``--overwrite``, ``--break-lock``), its lock and
    a clean Ctrl-C."""
    from corpus_pipeline.session import guarded_session

    return guarded_session(
        f"corpus_pipeline.{args.command}", args.output, args.master, _conf(args.conf), args.overwrite, args.break_lock
    )


def _raw_inputs(args: argparse.Namespace, recipe) -> list[InputSpec]:
    inputs = [parse_input(value, getattr(args, "format", None)) for value in args.input] or list(recipe.inputs)
    if not inputs:
        raise SystemExit(f"{args.command}: no --input given and the recipe names no inputs")
    return inputs


def stage_command(args: argparse.Namespace) -> int:
    """One stage: plan before Spark starts, then write its output (committed) and print its summary."""
    from corpus_pipeline.stage.commit import run_stage

    stage = stage_named(args.command)
    recipe = load_recipe(args.recipe)
    inputs = _raw_inputs(args, recipe) if stage.reads_raw_input else args.input
    check_stage_paths(args.output, [getattr(spec, "path", spec) for spec in inputs], args.overwrite, _conf(args.conf))
    plan = stage.plan(recipe, vars(args))  # rule and model files are checked before Spark starts
    with _guarded_session(args) as spark:
        stats = run_stage(spark, stage, inputs, args.output, recipe, plan)
    print("\n".join(stage.describe(args.output, stats)))
    return 0


def _report_lm(recipe):
    from corpus_pipeline.perplexity.model import load_lm_spec

    return load_lm_spec(recipe.models_path(recipe.perplexity.model))


def run_command(args: argparse.Namespace) -> int:
    from corpus_pipeline.pipeline import prepare_plans, run_pipeline
    from corpus_pipeline.report.collect import check_sample_size
    from corpus_pipeline.report.write import write_report

    check_sample_size(args.sample)
    recipe = load_recipe(args.recipe)
    inputs = _raw_inputs(args, recipe)
    check_run_paths(
        args.output, [spec.path for spec in inputs], stage_names(), args.pack_output, args.overwrite, _conf(args.conf)
    )
    plans = prepare_plans(recipe, vars(args))  # every model and rule file is checked before Spark starts
    lm = _report_lm(recipe)
    with _guarded_session(args) as spark:
        record = run_pipeline(
            spark, inputs, args.output, recipe, plans, start=args.start, force=args.force, pack_output=args.pack_output
        )
        write_report(spark, args.output, lm, args.sample, args.seed)
    print(
        f"run: {len(record['stages'])} stages in {record['seconds']} s; "
        f"report: {args.output}/report.html, {args.output}/report.json"
    )
    return 0


def report_command(args: argparse.Namespace) -> int:
    from corpus_pipeline.report.collect import check_sample_size
    from corpus_pipeline.report.write import write_report

    check_sample_size(args.sample)  # before Spark starts
    lm = _report_lm(load_recipe(args.recipe))
    with _session(args) as spark:
        report = write_report(spark, args.run, lm, args.sample, args.seed)
    print(f"report: {args.run}/report.html, {args.run}/report.json ({', '.join(report['stages'])})")
    return 0


def export_command(args: argparse.Namespace) -> int:
    from corpus_pipeline.export import ExportOptions, export_documents

    options = ExportOptions(part=args.part, format=args.format, layout=args.layout, shard_mb=args.shard_mb)
    check_plain_output(args.output, [args.input])
    with _session(args) as spark:
        record = export_documents(spark, args.input, args.output, options, args.overwrite)
    print(
        f"export: {record['documents']:,} documents in {record['shards']} {record['format']} shard(s) "
        f"({record['layout']}) under {args.output}"
    )
    return 0


def train_tokenizer_command(args: argparse.Namespace) -> int:
    from corpus_pipeline.tokenizer.train import settings_from_args, train_tokenizer

    settings = settings_from_args(args)
    check_plain_output(args.out, args.input)
    with _session(args) as spark:
        card = train_tokenizer(spark, args.input, args.out, settings, args.data_description)
    print(json.dumps({"vocab_size": card["vocab_size"], **card["metrics"]}, indent=2, ensure_ascii=False))
    return 0


def train_classifier_command(args: argparse.Namespace) -> int:
    from corpus_pipeline.classify.train import run_train_command

    check_plain_output(args.out, [*args.pos, *args.neg])
    card = run_train_command(args)
    print(json.dumps(card.get("metrics", card), indent=2, ensure_ascii=False))
    return 0


def train_kenlm_command(args: argparse.Namespace) -> int:
    from corpus_pipeline.perplexity.train import run_train_kenlm_command

    check_plain_output(args.out, args.input)
    card = run_train_kenlm_command(args)
    print(
        json.dumps(
            {"size_bytes": card["size_bytes"], "ngrams": card["training"]["ngrams"], **card["metrics"]},
            indent=2,
            ensure_ascii=False,
        )
    )
    return 0


def _require_torch() -> None:
    try:
        import torch  # noqa: F401
    except ModuleNotFoundError:
        raise InputError(
            "train and probe need PyTorch: pip install 'corpus-pipeline[train]' (torch 2.13.0; "
            "on GPU nodes a CUDA build of that version)"
        ) from None


def train_command(args: argparse.Namespace) -> int:
    _require_torch()
    from corpus_pipeline.trainer.config import config_from_args
    from corpus_pipeline.trainer.train import train

    check_plain_output(args.out, [args.shards, args.dev])
    result = train(config_from_args(args), args.shards, args.out, dev=args.dev)
    if os.environ.get("RANK", "0") == "0":  # under torchrun, one summary
        print(
            json.dumps(
                {
                    key: result[key]
                    for key in ("steps", "tokens", "final_train_loss", "dev_loss", "dev_ppl")
                    if key in result
                },
                indent=2,
            )
        )
    return 0


def probe_command(args: argparse.Namespace) -> int:
    _require_torch()
    from corpus_pipeline.probe.run import parse_corpus, run_probe, table
    from corpus_pipeline.trainer.config import config_from_args

    corpora = dict(parse_corpus(value) for value in args.corpus)
    check_plain_output(args.out, [*corpora.values(), args.dev])
    probe = run_probe(corpora, args.dev, config_from_args(args), args.out)
    if os.environ.get("RANK", "0") == "0":  # under torchrun, one table
        print(table(probe), end="")
    return 0


#: The commands that are not a stage, and whether they run Spark jobs.
COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], bool]] = {
    "run": (run_command, True),
    "report": (report_command, True),
    "train-tokenizer": (train_tokenizer_command, True),
    "train-classifier": (train_classifier_command, False),
    "train-kenlm": (train_kenlm_command, False),
    "train": (train_command, False),
    "probe": (probe_command, False),
    "export": (export_command, True),
}


def spark_commands() -> tuple[str, ...]:
    """The commands that run Spark jobs: every stage, and the others that do (each has a spark-submit job)."""
    return (*stage_names(), *(name for name, (_, spark) in COMMANDS.items() if spark))


def _start_submitted_session(args: argparse.Namespace) -> None:
    """Under spark-submit, start the session first: the rules/ and models/ shipped with ``--archives`` are
    unpacked into the SparkFiles root directory when it starts, and the recipe and plans are read from there.
    Later sessions built in the same process get this one back."""
    if os.environ.get("PYSPARK_GATEWAY_PORT") and args.command in spark_commands():
        from corpus_pipeline.session import build_session

        build_session(
            f"corpus_pipeline.{args.command}", getattr(args, "master", None), _conf(getattr(args, "conf", []))
        )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    interrupt.reset()
    try:
        _start_submitted_session(args)
        status = stage_command(args) if args.command in stage_names() else COMMANDS[args.command][0](args)
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt) or interrupt.interrupted():
            return _interrupted()
        if isinstance(error, (RecipeError, InputError)):
            print(error, file=sys.stderr)
            return 2
        raise
    if interrupt.interrupted():  # Ctrl-C as the command ended: what it wrote is committed, but say so
        return _interrupted()
    return status


def _interrupted() -> int:
    interrupt.acknowledge()
    print(interrupt.INTERRUPTED_MESSAGE, file=sys.stderr)
    return interrupt.EXIT_INTERRUPTED
