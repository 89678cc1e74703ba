"""A throw-away Spark standalone cluster on 127.0.0.1 (a master and N workers) for cluster-mode tests.

The daemons come from the venv's pip pyspark (``pyspark/bin/spark-class``); each runs in its own session
(process group) with its log in ``tmp_path/logs``. Leaving :func:`standalone_cluster` SIGKILLs every group,
executors and their Python workers included (a worker starts its executors in its own group), also when the
body raised.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyspark

SPARK_HOME = Path(pyspark.__file__).resolve().parent
SPARK_CLASS = SPARK_HOME / "bin" / "spark-class"
START_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spark_env() -> dict[str, str]:
    """The environment for the daemons and spark-submit: this pyspark as SPARK_HOME, loopback only."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYSPARK_")}
    env.update(SPARK_HOME=str(SPARK_HOME), SPARK_LOCAL_IP="127.0.0.1")
    return env


def _children() -> dict[int, list[int]]:
    """pid -> child pids, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])  # fields after "(comm)": state, ppid, ...
        children.setdefault(parent, []).append(int(entry.name))
    return children


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _descendants(pid: int) -> list[int]:
    children, found, todo = _children(), [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"({error})"


@dataclass
class Daemon:
    name: str
    process: subprocess.Popen
    log: Path
    work_dir: Path | None = None

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class StandaloneCluster:
    master_url: str
    web_url: str
    master: Daemon
    workers: list[Daemon] = field(default_factory=list)

    @property
    def worker_pids(self) -> list[int]:
        return [worker.pid for worker in self.workers]

    @property
    def work_dirs(self) -> list[Path]:
        return [worker.work_dir for worker in self.workers]

    def state(self) -> dict:
        """The master's ``/json`` status page."""
        with urllib.request.urlopen(f"{self.web_url}/json", timeout=5) as response:
            return json.load(response)

    def executor_pids(self) -> dict[int, list[int]]:
        """Worker pid -> the pids of its running executor JVMs (``CoarseGrainedExecutorBackend``)."""
        return {
            worker.pid: [pid for pid in _descendants(worker.pid) if "CoarseGrainedExecutorBackend" in _cmdline(pid)]
            for worker in self.workers
        }

    def logs(self) -> str:
        return "\n".join(
            f"--- {daemon.name} ({daemon.log}) ---\n{_tail(daemon.log)}" for daemon in [self.master, *self.workers]
        )


def _start(name: str, args: list[str], log: Path, work_dir: Path | None = None) -> Daemon:
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            [str(SPARK_CLASS), *args],
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=spark_env(),
            start_new_session=True,
        )
    return Daemon(name, process, log, work_dir)


def _kill(daemons: list[Daemon]) -> None:
    # Executors and Python workers a worker started share its process group; a straggler whose parent
    # died would be reparented, so its pid is collected first.
    stragglers = [pid for daemon in daemons for pid in _descendants(daemon.pid)]
    for daemon in daemons:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(daemon.pid, signal.SIGKILL)
    for pid in stragglers:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    for daemon in daemons:
        with contextlib.suppress(subprocess.TimeoutExpired):
            daemon.process.wait(timeout=30)


def _wait_alive(cluster: StandaloneCluster, workers: int, timeout_s: float) -> None:
    deadline, seen = time.monotonic() + timeout_s, "no answer"
    while time.monotonic() < deadline:
        for daemon in [cluster.master, *cluster.workers]:
            if daemon.process.poll() is not None:
                raise RuntimeError(
                    f"Spark {daemon.name} exited with {daemon.process.returncode} while starting\n{cluster.logs()}"
                )
        try:
            state = cluster.state()
            alive = [worker for worker in state.get("workers", []) if worker.get("state") == "ALIVE"]
            if len(alive) >= workers:
                return
            seen = f"{len(alive)} of {workers} workers ALIVE"
        except OSError as error:
            seen = f"master web UI not answering ({error})"
        time.sleep(0.5)
    raise RuntimeError(f"Spark standalone cluster not up after {timeout_s:.0f} s: {seen}\n{cluster.logs()}")


@contextlib.contextmanager
def standalone_cluster(
    tmp_path: Path, workers: int = 2, cores: int = 1, memory: str = "2g", timeout_s: float = START_TIMEOUT_S
) -> Iterator[StandaloneCluster]:
    """A master and ``workers`` workers on 127.0.0.1, up (all workers ALIVE) when the body runs."""
    logs = tmp_path / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    port, web_port = free_port(), free_port()
    master = _start(
        "master",
        [
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--webui-port",
            str(web_port),
        ],
        logs / "master.log",
    )
    cluster = StandaloneCluster(f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{web_port}", master)
    try:
        for index in range(workers):
            work_dir = tmp_path / f"worker-{index}"
            work_dir.mkdir(parents=True, exist_ok=True)
            cluster.workers.append(
                _start(
                    f"worker-{index}",
                    [
                        "org.apache.spark.deploy.worker.Worker",
                        cluster.master_url,
                        "--host",
                        "127.0.0.1",
                        "--cores",
                        str(cores),
                        "--memory",
                        memory,
                        "--work-dir",
                        str(work_dir),
                        "--webui-port",
                        str(free_port()),
                    ],
                    logs / f"worker-{index}.log",
                    work_dir,
                )
            )
        _wait_alive(cluster, workers, timeout_s)
        yield cluster
    finally:
        _kill([*cluster.workers, master])
