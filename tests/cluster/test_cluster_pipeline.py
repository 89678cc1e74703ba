"""The whole pipeline under spark-submit on a real standalone cluster (a master and two workers, 127.0.0.1).

It is submitted with ``make package``'s archives only (the library zip, the packed env, models, rules); the
driver runs from an unpacked copy of the env in a folder outside the repository. The result must equal the
local-mode run's: the same kept and removed ids per stage and byte-identical shards. A second submission
has one executor JVM killed with SIGKILL while tasks of the ``quality`` stage run on it: Spark reruns them
elsewhere and the output is still identical. The cluster is stopped afterwards, whatever happens.
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

from corpus_pipeline.demo import build_demo_corpus
from corpus_pipeline.pipeline import STAGES
from tests.cluster.standalone import SPARK_HOME, _cmdline, free_port, spark_env, standalone_cluster
from tests.conftest import REPO_ROOT
from tests.pipeline_outputs import cli_command, run_cli, run_outputs, statuses

pytestmark = pytest.mark.spark

SUBMIT_TIMEOUT_S = 900
SOURCES = ("web", "news", "reviews")


@pytest.fixture(scope="module")
def setup(dist, tmp_path_factory):
    """The demo corpus, the local-mode reference result, a running cluster and the driver's unpacked env."""
    base = tmp_path_factory.mktemp("cluster-pipeline")
    build_demo_corpus(base / "raw", size_mb=0.4, seed=3)
    reference = base / "local"
    run_cli(cli_command(base / "raw", reference))
    driver_env = base / "driver-env"
    driver_env.mkdir()
    subprocess.run(["tar", "-xzf", str(dist / "env.tar.gz"), "-C", str(driver_env)], check=True)
    submit_dir = base / "submit"  # the driver's working directory: the job script and nothing else
    submit_dir.mkdir()
    shutil.copy(REPO_ROOT / "jobs" / "run.py", submit_dir / "run.py")
    try:
        with standalone_cluster(base / "cluster", workers=2, cores=1, memory="2g") as cluster:
            yield {"base": base, "raw": base / "raw", "reference": run_outputs(reference), "dist": dist,
                   "driver_python": driver_env / "bin" / "python", "submit_dir": submit_dir, "cluster": cluster}
    finally:  # unpacked envs are ~0.8 GB each; logs stay
        for unpacked in [driver_env, *base.glob("cluster/worker-*/app-*/*/env")]:
            shutil.rmtree(unpacked, ignore_errors=True)


def submit_command(setup, out: Path, ui_port: int, events: Path) -> list[str]:
    dist, cluster = setup["dist"], setup["cluster"]
    return [
        str(SPARK_HOME / "bin" / "spark-submit"), "--master", cluster.master_url,
        "--archives", f"{dist}/env.tar.gz#env,{dist}/models.zip#models,{dist}/rules.zip#rules",
        "--py-files", f"{dist}/corpus_pipeline.zip",
        "--conf", "spark.pyspark.python=./env/bin/python",
        "--conf", f"spark.pyspark.driver.python={setup['driver_python']}",
        "--conf", "spark.executor.memory=1g",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
        "--conf", f"spark.ui.port={ui_port}",
        "--conf", "spark.eventLog.enabled=true",
        "--conf", f"spark.eventLog.dir=file://{events}",
        "--conf", "spark.eventLog.compress=false",
        "run.py", "--output", str(out), "--sample", "20",
        "--input", *(f"{name}={setup['raw'] / name}" for name in SOURCES),
    ]


def _json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def kill_a_busy_executor(ui: str, out: Path, stage: str, process: subprocess.Popen) -> str:
    """While ``stage`` runs (the stage before it is committed, it is not), SIGKILL an executor JVM that is
    running tasks; returns its executor id."""
    before = STAGES[STAGES.index(stage) - 1]
    deadline = time.monotonic() + SUBMIT_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        if (out / before / "_SUCCESS").exists() and not (out / stage / "_SUCCESS").exists():
            try:
                app = _json(f"{ui}/api/v1/applications")[0]["id"]
                busy = [executor for executor in _json(f"{ui}/api/v1/applications/{app}/executors")
                        if executor["id"] != "driver" and executor["activeTasks"] > 0]
            except (OSError, IndexError, ValueError):
                busy = []
            for executor in busy:
                pids = [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()
                        and "CoarseGrainedExecutorBackend" in (line := _cmdline(int(entry.name)))
                        and f"--executor-id {executor['id']} " in line and f"--app-id {app}" in line]
                if pids:
                    os.kill(pids[0], signal.SIGKILL)
                    return executor["id"]
        time.sleep(0.05)
    raise AssertionError(f"no busy executor to kill while {stage} ran (run ended: {process.poll()})")


def submit(setup, name: str, kill_during: str | None = None) -> tuple[Path, str, list[dict], str | None]:
    """spark-submit the pipeline into BASE/name; returns (output, stdout, event log events, killed executor)."""
    out, events = setup["base"] / name, setup["base"] / f"events-{name}"
    events.mkdir()
    ui_port = free_port()
    log = setup["base"] / f"submit-{name}.log"
    killed = None
    with open(log, "wb") as handle:
        process = subprocess.Popen(submit_command(setup, out, ui_port, events), cwd=setup["submit_dir"],
                                   env=spark_env(), stdout=handle, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            if kill_during:
                killed = kill_a_busy_executor(f"http://127.0.0.1:{ui_port}", out, kill_during, process)
            process.wait(timeout=SUBMIT_TIMEOUT_S)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    output = log.read_text(errors="replace")
    assert process.returncode == 0, f"spark-submit failed ({process.returncode}):\n{output[-6000:]}\n" \
                                    f"{setup['cluster'].logs()}"
    logged = [json.loads(line) for path in sorted(events.rglob("events_*")) for line in path.read_text().splitlines()
              if line]  # Spark 4 writes rolling event logs: a folder per application, numbered files
    return out, output, logged, killed


def test_the_pipeline_on_a_standalone_cluster_equals_local_mode(setup):
    out, stdout, events, _ = submit(setup, "cluster")
    assert set(statuses(stdout).values()) == {"ran"}
    assert run_outputs(out) == setup["reference"]
    assert (out / "report.html").is_file() and json.loads((out / "run.json").read_text())["stages"]
    hosts = {event["Executor Info"]["Host"] for event in events if event["Event"] == "SparkListenerExecutorAdded"}
    executors = {event["Executor ID"] for event in events if event["Event"] == "SparkListenerExecutorAdded"}
    assert hosts == {"127.0.0.1"} and len(executors) == 2
    master = [event for event in events if event["Event"] == "SparkListenerEnvironmentUpdate"][0]
    assert master["Spark Properties"]["spark.master"] == setup["cluster"].master_url


def test_a_killed_executor_mid_stage_changes_nothing_in_the_output(setup):
    out, stdout, events, killed = submit(setup, "executor-killed", kill_during="quality")
    lost = [event for event in events if event["Event"] == "SparkListenerTaskEnd"
            and event["Task End Reason"]["Reason"] == "ExecutorLostFailure"
            and event["Task End Reason"].get("Executor ID") == killed]
    assert lost, f"no task of executor {killed} was lost"
    removed = {event["Executor ID"] for event in events if event["Event"] == "SparkListenerExecutorRemoved"}
    added = {event["Executor ID"] for event in events if event["Event"] == "SparkListenerExecutorAdded"}
    assert killed in removed and len(added) == 3  # the worker started a replacement
    assert set(statuses(stdout).values()) == {"ran"}
    assert run_outputs(out) == setup["reference"]
