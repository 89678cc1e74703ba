"""The whole pipeline under spark-submit on a real standalone cluster (a master and two workers, 127.0.0.1).

It is submitted with ``make package``'s output only (the library zip, the packed env, models, rules and
``jobs/run.py``), plus a recipe with a user-defined step whose module travels with ``--py-files``; the
driver runs from an unpacked copy of the env in an empty folder outside the repository. The result must equal the local-mode run's: the same kept and removed ids per stage and
byte-identical shards, although one executor JVM is killed with SIGKILL while a task of the ``clean`` stage
runs on it (Spark reruns the task elsewhere). One submission does both: each costs minutes of CI. The cluster is
stopped afterwards, whatever happens.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from corpus_eval.demo import build_demo_corpus
from corpus_pipeline.io.resources import resource_dir
from corpus_pipeline.stage.registry import stage_names
from tests.cluster.standalone import SPARK_HOME, _cmdline, free_port, spark_env, standalone_cluster
from tests.pipeline_outputs import cli_command, run_cli, run_outputs, statuses

pytestmark = pytest.mark.spark

SUBMIT_TIMEOUT_S = 900
SOURCES = ("web", "news", "reviews")
STAGES = stage_names()
USER_STEPS = '''
def drop_price_talk(doc):
    """A user's rule: pages about prices go."""
    return "price_talk" if "价格" in doc["text"] else None
'''


def user_recipe(base: Path) -> Path:
    """The default recipe with ``{python: cluster_steps:drop_price_talk}`` after ``normalize`` for every source."""
    (base / "user_steps").mkdir()
    (base / "user_steps" / "cluster_steps.py").write_text(USER_STEPS, encoding="utf-8")
    data = yaml.safe_load((resource_dir("rules") / "recipes" / "default.yaml").read_text(encoding="utf-8"))
    for source in data["sources"].values():
        if "normalize" in source["steps"]:
            source["steps"].insert(source["steps"].index("normalize") + 1, {"python": "cluster_steps:drop_price_talk"})
    recipe = base / "recipe.yaml"
    recipe.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return recipe


@pytest.fixture(scope="module")
def setup(dist, tmp_path_factory):
    """The demo corpus, the local-mode reference result, a running cluster and the driver's unpacked env."""
    base = tmp_path_factory.mktemp("cluster-pipeline")
    build_demo_corpus(base / "raw", size_mb=0.4, seed=3)
    recipe = user_recipe(base)
    reference = base / "local"
    run_cli(cli_command(base / "raw", reference, "--recipe", str(recipe)), env={"PYTHONPATH": str(base / "user_steps")})
    driver_env = base / "driver-env"
    driver_env.mkdir()
    subprocess.run(["tar", "-xzf", str(dist / "env.tar.gz"), "-C", str(driver_env)], check=True)
    submit_dir = base / "submit"  # the driver's working directory: empty
    submit_dir.mkdir()
    try:
        with standalone_cluster(base / "cluster", workers=2, cores=1, memory="2g") as cluster:
            yield {
                "base": base,
                "raw": base / "raw",
                "reference": run_outputs(reference),
                "dist": dist,
                "recipe": recipe,
                "user_steps": base / "user_steps" / "cluster_steps.py",
                "driver_python": driver_env / "bin" / "python",
                "submit_dir": submit_dir,
                "cluster": cluster,
            }
    finally:  # unpacked envs are ~0.8 GB each; logs stay
        for unpacked in [driver_env, *base.glob("cluster/worker-*/app-*/*/env")]:
            shutil.rmtree(unpacked, ignore_errors=True)


def submit_command(setup, out: Path, ui_port: int, events: Path) -> list[str]:
    dist, cluster = setup["dist"], setup["cluster"]
    return [
        str(SPARK_HOME / "bin" / "spark-submit"),
        "--master",
        cluster.master_url,
        "--archives",
        f"{dist}/env.tar.gz#env,{dist}/models.zip#models,{dist}/rules.zip#rules",
        "--py-files",
        f"{dist}/corpus_pipeline.zip,{setup['user_steps']}",
        "--conf",
        "spark.pyspark.python=./env/bin/python",
        "--conf",
        f"spark.pyspark.driver.python={setup['driver_python']}",
        "--conf",
        "spark.executor.memory=1g",
        "--conf",
        "spark.driver.host=127.0.0.1",
        "--conf",
        "spark.scheduler.minRegisteredResourcesRatio=1.0",
        "--conf",
        f"spark.ui.port={ui_port}",
        "--conf",
        "spark.eventLog.enabled=true",
        "--conf",
        f"spark.eventLog.dir=file://{events}",
        "--conf",
        "spark.eventLog.compress=false",
        str(dist / "jobs" / "run.py"),
        "--output",
        str(out),
        "--sample",
        "20",
        "--recipe",
        str(setup["recipe"]),
        "--input",
        *(f"{name}={setup['raw'] / name}" for name in SOURCES),
    ]


def _json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def _executor_pid(app: str, executor_id: str) -> int | None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            line = _cmdline(int(entry.name))
            if (
                "CoarseGrainedExecutorBackend" in line
                and f"--executor-id {executor_id} " in line
                and f"--app-id {app}" in line
            ):
                return int(entry.name)
    return None


def _running(stage: str, out: Path) -> bool:
    """Whether ``stage`` is under way: the stage before it is committed (clean has none) and it is not."""
    index = STAGES.index(stage)
    started = index == 0 or (out / STAGES[index - 1] / "_SUCCESS").exists()
    return started and not (out / stage / "_SUCCESS").exists()


def kill_a_busy_executor(ui: str, out: Path, stage: str, process: subprocess.Popen) -> str:
    """While ``stage`` runs, SIGKILL an executor JVM in the middle of a task; returns its executor id.

    An executor counts as in the middle of a task when it has a task running at two polls 0.3 s apart
    and completed none in between (the same task is still running); its pid is looked up first, so the
    kill follows the second poll at once.
    """
    deadline = time.monotonic() + SUBMIT_TIMEOUT_S
    seen: dict[str, int] = {}  # executor id -> completed tasks when it was last seen busy
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.3)
        if not _running(stage, out):
            seen.clear()
            continue
        try:
            app = _json(f"{ui}/api/v1/applications")[0]["id"]
            executors = [
                executor
                for executor in _json(f"{ui}/api/v1/applications/{app}/executors")
                if executor["id"] != "driver"
            ]
        except (OSError, IndexError, ValueError):
            continue
        busy = {executor["id"]: executor["completedTasks"] for executor in executors if executor["activeTasks"] > 0}
        for executor_id, completed in busy.items():
            pid = _executor_pid(app, executor_id)
            if seen.get(executor_id) == completed and pid is not None:
                os.kill(pid, signal.SIGKILL)
                return executor_id
        seen = busy
    raise AssertionError(f"no busy executor to kill while {stage} ran (run ended: {process.poll()})")


def submit(setup, name: str, kill_during: str | None = None) -> tuple[Path, str, list[dict], str | None]:
    """spark-submit the pipeline into BASE/name; returns (output, stdout, event log events, killed executor)."""
    out, events = setup["base"] / name, setup["base"] / f"events-{name}"
    events.mkdir()
    ui_port = free_port()
    log = setup["base"] / f"submit-{name}.log"
    killed = None
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            submit_command(setup, out, ui_port, events),
            cwd=setup["submit_dir"],
            env=spark_env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            if kill_during:
                killed = kill_a_busy_executor(f"http://127.0.0.1:{ui_port}", out, kill_during, process)
            process.wait(timeout=SUBMIT_TIMEOUT_S)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    output = log.read_text(errors="replace")
    assert process.returncode == 0, (
        f"spark-submit failed ({process.returncode}):\n{output[-6000:]}\n{setup['cluster'].logs()}"
    )
    logged = [
        json.loads(line) for path in sorted(events.rglob("events_*")) for line in path.read_text().splitlines() if line
    ]  # Spark 4 writes rolling event logs: a folder per application, numbered files
    return out, output, logged, killed


def test_the_pipeline_on_a_standalone_cluster_equals_local_mode_with_an_executor_killed_mid_stage(setup):
    """One submission (each costs minutes): the result equals local mode's although an executor JVM was killed
    in the middle of a clean task; the user's step ran on the executors; the standalone master ran it."""
    out, stdout, events, killed = submit(setup, "executor-killed", kill_during="clean")
    lost = [
        event
        for event in events
        if event["Event"] == "SparkListenerTaskEnd"
        and event["Task End Reason"]["Reason"] == "ExecutorLostFailure"
        and event["Task End Reason"].get("Executor ID") == killed
    ]
    assert lost, f"no task of executor {killed} was lost"
    removed = {event["Executor ID"] for event in events if event["Event"] == "SparkListenerExecutorRemoved"}
    added = [event for event in events if event["Event"] == "SparkListenerExecutorAdded"]
    assert killed in removed and len({event["Executor ID"] for event in added}) == 3  # the worker replaced it
    assert {event["Executor Info"]["Host"] for event in added} == {"127.0.0.1"}
    master = [event for event in events if event["Event"] == "SparkListenerEnvironmentUpdate"][0]
    assert master["Spark Properties"]["spark.master"] == setup["cluster"].master_url
    assert set(statuses(stdout).values()) == {"ran"}
    assert run_outputs(out) == setup["reference"]
    removed_by_user_step = {reason for _, _, reason in setup["reference"]["clean"]["removed"]}
    assert "price_talk" in removed_by_user_step  # the user's step ran on the executors and removed documents
    assert (out / "report.html").is_file() and json.loads((out / "run.json").read_text())["stages"]
