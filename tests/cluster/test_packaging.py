"""``make package``'s artifacts, and a real spark-submit with them to a standalone cluster on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from corpus_pipeline import packaging
from corpus_pipeline.io.shipped import file_sha256
from tests.cluster.standalone import SPARK_HOME, spark_env, standalone_cluster
from tests.conftest import REPO_ROOT

SUBMIT_TIMEOUT_S = 600


def _hash(path: Path) -> str:
    return file_sha256(path)


def _names(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        return set(archive.namelist())


def test_zips_hold_the_library_models_and_rules_and_are_reproducible(tmp_path):
    built = [
        packaging.build_code_zip(tmp_path / "a"),
        packaging.build_models_zip(tmp_path / "a"),
        packaging.build_rules_zip(tmp_path / "a"),
    ]
    again = [
        packaging.build_code_zip(tmp_path / "b"),
        packaging.build_models_zip(tmp_path / "b"),
        packaging.build_rules_zip(tmp_path / "b"),
    ]
    assert [_hash(path) for path in built] == [_hash(path) for path in again]

    code, models, rules = (_names(path) for path in built)
    sources = {
        f"corpus_pipeline/{path.relative_to(REPO_ROOT / 'corpus_pipeline').as_posix()}"
        for path in (REPO_ROOT / "corpus_pipeline").rglob("*.py")
    }
    assert sources <= code
    assert {"corpus_pipeline/__init__.py", "corpus_pipeline/packaging.py"} <= code
    assert not [name for name in code if not name.startswith("corpus_pipeline/")]  # no evaluation code travels
    assert not [name for name in code if "__pycache__" in name or name.endswith(".pyc")]
    assert {
        "README.md",
        "kenlm/model.klm",
        "kenlm/card.json",
        "spam/model.ftz",
        "quality/card.json",
        "tokenizer/tokenizer.model",
    } <= models
    assert not [name for name in models if name.endswith(".sh")]
    assert {"recipes/default.yaml", "sensitive/porn.txt", "ad_keywords.txt"} <= rules
    assert len(rules) == sum(1 for path in (REPO_ROOT / "rules").rglob("*") if path.is_file())
    with zipfile.ZipFile(built[0]) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.namelist() == sorted(archive.namelist())


def test_runtime_dependencies_leave_out_pyspark():
    names = {re.match(r"[\w.-]+", dep).group().lower() for dep in packaging.runtime_dependencies()}
    assert "pyspark" not in names
    assert {"kenlm", "fasttext-numpy2", "sentencepiece", "opencc", "pyarrow", "pandas"} <= names


PROBE = """
import json, os, sys

from pyspark import SparkFiles

import corpus_pipeline
from corpus_pipeline.session import build_session


def archives(root):
    root = os.path.abspath(root)
    return {"root": root, "models": os.path.isfile(os.path.join(root, "models", "kenlm", "model.klm")),
            "rules": os.path.isfile(os.path.join(root, "rules", "recipes", "default.yaml"))}


def probe(index, rows):
    import time

    import fasttext, kenlm, opencc, pandas, pyarrow, sentencepiece
    import pyspark
    import corpus_pipeline
    from pyspark import SparkFiles

    root = SparkFiles.getRootDirectory()
    found = archives(root)
    if found["models"]:  # the shipped models load from the archive
        kenlm.Model(os.path.join(root, "models", "kenlm", "model.klm"))
        sentencepiece.SentencePieceProcessor(model_file=os.path.join(root, "models", "tokenizer", "tokenizer.model"))
        fasttext.load_model(os.path.join(root, "models", "spam", "model.ftz"))
    opencc.OpenCC("t2s").convert("漢字")
    time.sleep(1)
    yield {"partition": index, "executable": sys.executable, "prefix": sys.prefix, "cwd": os.getcwd(),
           "corpus_pipeline": corpus_pipeline.__file__, "pyspark": pyspark.__file__,
           "pyarrow": pyarrow.__version__, "pandas": pandas.__version__, **found}


def doubled(frames):
    for frame in frames:
        yield frame.assign(id=frame["id"] * 2)


spark = build_session("cluster-packaging-probe")
tasks = spark.sparkContext.parallelize(range(8), 8).mapPartitionsWithIndex(probe).collect()
arrow_sum = spark.range(100, numPartitions=4).mapInPandas(doubled, "id long").groupBy().sum("id").first()[0]
import pyspark

driver = {"executable": sys.executable, "prefix": sys.prefix, "cwd": os.getcwd(), "pyspark": pyspark.__file__,
          "corpus_pipeline": corpus_pipeline.__file__, **archives(SparkFiles.getRootDirectory())}
print("PROBE " + json.dumps({"driver": driver, "tasks": tasks, "arrow_sum": arrow_sum}))
spark.stop()
"""


def _submit(command: list[str], cwd: Path, env: dict[str, str], cluster, log: Path) -> tuple[int, dict[int, set]]:
    """Run spark-submit, noting each worker's executor JVMs while it runs."""
    executors: dict[int, set] = {pid: set() for pid in cluster.worker_pids}
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + SUBMIT_TIMEOUT_S
            while process.poll() is None and time.monotonic() < deadline:
                for worker, pids in cluster.executor_pids().items():
                    executors[worker].update(pids)
                time.sleep(0.5)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, 9)
            process.wait()
    return process.returncode, executors


def _run_probe(dist: Path, tmp_path: Path) -> tuple[dict, dict[int, set], list[Path]]:
    """spark-submit PROBE to a fresh 2-worker cluster: its report, the executors seen per worker, work dirs."""
    driver_env = tmp_path / "driver-env"  # the driver runs on an unpacked copy too: nothing from the repo
    driver_env.mkdir()
    subprocess.run(["tar", "-xzf", str(dist / "env.tar.gz"), "-C", str(driver_env)], check=True)
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    env = {**spark_env(), "PYSPARK_DRIVER_PYTHON": str(driver_env / "bin" / "python")}

    with standalone_cluster(tmp_path / "cluster", workers=2, cores=1, memory="2g") as cluster:
        command = [
            str(SPARK_HOME / "bin" / "spark-submit"),
            "--master",
            cluster.master_url,
            "--archives",
            f"{dist}/env.tar.gz#env,{dist}/models.zip#models,{dist}/rules.zip#rules",
            "--py-files",
            f"{dist}/corpus_pipeline.zip",
            "--conf",
            "spark.pyspark.python=./env/bin/python",
            # spark.pyspark.python outranks PYSPARK_DRIVER_PYTHON, so client mode names the driver's python too
            "--conf",
            f"spark.pyspark.driver.python={driver_env / 'bin' / 'python'}",
            "--conf",
            "spark.executor.memory=1g",
            "--conf",
            "spark.driver.host=127.0.0.1",
            "--conf",
            "spark.scheduler.minRegisteredResourcesRatio=1.0",
            "--conf",
            "spark.scheduler.maxRegisteredResourcesWaitingTime=300s",
            str(probe),
        ]
        log = tmp_path / "submit.log"
        returncode, executors = _submit(command, tmp_path, env, cluster, log)
        output = log.read_text(errors="replace")
        assert returncode == 0, f"spark-submit failed ({returncode}):\n{output[-8000:]}\n{cluster.logs()}"
        deadline = time.monotonic() + 60  # the workers stop the finished app's executors
        while any(cluster.executor_pids().values()) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not any(cluster.executor_pids().values())
    assert all(daemon.process.poll() is not None for daemon in [cluster.master, *cluster.workers])
    report = json.loads(next(line for line in reversed(output.splitlines()) if line.startswith("PROBE "))[6:])
    return report, executors, [path.resolve() for path in cluster.work_dirs]


@pytest.mark.spark
def test_spark_submit_to_a_standalone_cluster_runs_on_the_packaged_env(dist, tmp_path):
    try:
        report, executors, work_dirs = _run_probe(dist, tmp_path)
    finally:  # the unpacked envs (~0.8 GB each) go; logs stay
        for unpacked in [tmp_path / "driver-env", *tmp_path.glob("cluster/worker-*/app-*/*/env")]:
            shutil.rmtree(unpacked, ignore_errors=True)
    driver_env = tmp_path / "driver-env"

    assert all(executors.values()), f"an executor per worker expected, saw {executors}"
    tasks, driver = report["tasks"], report["driver"]
    assert sorted(task["partition"] for task in tasks) == list(range(8))
    assert report["arrow_sum"] == 2 * sum(range(100))

    venv = str(REPO_ROOT / ".venv")
    workers_used = set()
    for task in tasks:
        cwd = Path(task["cwd"]).resolve()
        owner = [index for index, work_dir in enumerate(work_dirs) if cwd.is_relative_to(work_dir)]
        assert len(owner) == 1, task
        workers_used.add(owner[0])
        # The packaged env's python, relative to the executor's working directory (its SparkFiles root).
        assert Path(task["prefix"]) == Path(task["cwd"]) / "env", task
        assert Path(task["executable"]) == Path(task["cwd"]) / "env" / "bin" / "python", task
        assert not task["executable"].startswith(venv) and not task["prefix"].startswith(venv), task
        assert "corpus_pipeline.zip/corpus_pipeline/" in task["corpus_pipeline"], task
        assert f"{SPARK_HOME}/python/lib/pyspark.zip/pyspark/" in task["pyspark"], task  # the cluster's pyspark
        assert Path(task["root"]).resolve() == cwd and task["models"] and task["rules"], task
    assert workers_used == {0, 1}, "both workers ran tasks"

    assert Path(driver["prefix"]) == driver_env, driver
    assert driver["corpus_pipeline"] == f"{dist}/corpus_pipeline.zip/corpus_pipeline/__init__.py", driver
    assert f"{SPARK_HOME}/python/lib/pyspark.zip/pyspark/" in driver["pyspark"], driver
    assert Path(driver["cwd"]).resolve() == tmp_path.resolve()
    # Client mode: the driver unpacks the archives too, into its own SparkFiles root (a temp folder).
    assert driver["models"] and driver["rules"], driver
