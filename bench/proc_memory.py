"""Peak resident memory of a whole process tree (a Spark job: driver Python, JVM, Python workers), without psutil.

A background thread reads ``VmRSS`` from ``/proc/<pid>/status`` for the root process and every descendant
every ``interval`` seconds (0.2 s by default) and keeps the peak of

* ``tree``: the sum over the whole tree,
* ``jvm``: the ``java`` processes of the tree (in local mode, the one JVM: driver and executors),
* ``python_workers``: the Python processes below a JVM (``pyspark.daemon`` and the workers it forks), summed,
* ``driver``: the root process alone (the Python driver that starts the JVM),

each peak taken over the samples separately (the tree's peak is not the sum of the parts' peaks). Descendants
come from ``/proc/<pid>/task/*/children`` where the kernel has it, otherwise from the parent ids in
``/proc/*/stat``. RSS of forked workers counts pages they share with their parent once per process, so the
sums are upper bounds; a process that lives shorter than the interval can be missed. A child the JVM is
spawning (it shares the JVM's memory until it execs, so it reports the JVM's whole RSS) is skipped, see
:func:`sample`. ``result()["at_tree_peak"]`` lists the processes of the sample that set the tree's peak.

    with PeakRSS(proc.pid) as peak:        # around a process started elsewhere
        proc.wait()
    peak.result()["tree_mb"]

    measured = run_measured([sys.executable, "-m", "corpus_pipeline", ...], env=env)
    measured.wall_s, measured.peaks["jvm_mb"]
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROC = Path("/proc")
ROLES = ("tree", "jvm", "python_workers", "driver")


def rss_kb(pid: int) -> int:
    """``VmRSS`` of ``pid`` in kB; 0 for a process that is gone or has no resident set (a zombie)."""
    try:
        with open(PROC / str(pid) / "status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def command_name(pid: int) -> str:
    """The executable's short name (``/proc/<pid>/comm``), '' when the process is gone."""
    try:
        return (PROC / str(pid) / "comm").read_text(encoding="utf-8", errors="replace").strip()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return ""


def _children_from_task_files(pid: int) -> list[int] | None:
    """Children listed by the kernel (CONFIG_PROC_CHILDREN), None when the kernel lacks the file."""
    tasks = PROC / str(pid) / "task"
    children: list[int] = []
    try:
        task_ids = os.listdir(tasks)
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return []
    found_file = False
    for task in task_ids:
        try:
            text = (tasks / task / "children").read_text()
        except FileNotFoundError:
            continue
        except (ProcessLookupError, PermissionError):
            continue
        found_file = True
        children.extend(int(child) for child in text.split())
    return children if found_file or not task_ids else None


def _parent_map() -> dict[int, list[int]]:
    """``{parent pid: [child pids]}`` for every process, from ``/proc/*/stat``."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir(PROC):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        # comm may hold spaces and parentheses: the fields after the last ')' are fixed.
        fields = stat[stat.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


_HAS_CHILDREN_FILES: bool | None = None


def descendants(pid: int) -> list[int]:
    """Every descendant of ``pid`` (children first, breadth first)."""
    global _HAS_CHILDREN_FILES
    if _HAS_CHILDREN_FILES is None:
        _HAS_CHILDREN_FILES = _children_from_task_files(os.getpid()) is not None
    if _HAS_CHILDREN_FILES:
        found, frontier = [], [pid]
        while frontier:
            nxt = []
            for parent in frontier:
                nxt.extend(_children_from_task_files(parent) or [])
            found.extend(nxt)
            frontier = nxt
        return found
    tree = _parent_map()
    found, frontier = [], [pid]
    while frontier:
        nxt = [child for parent in frontier for child in tree.get(parent, [])]
        found.extend(nxt)
        frontier = nxt
    return found


PF_EXITING = 0x4  # task flag: exiting
PF_FORKNOEXEC = 0x40  # task flag: forked and has not called exec yet


def _is_python(name: str) -> bool:
    return name.startswith("python") or name == "pyspark.daemon"


def _stat(pid: int) -> tuple[int, int] | None:
    """``(parent pid, task flags)`` from ``/proc/<pid>/stat``; None when the process is gone or exiting (its
    memory is being released and its executable can no longer be read)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        fields = stat[stat.rfind(b")") + 2 :].split()  # comm may hold spaces and parentheses
        if fields[0] in (b"Z", b"X") or int(fields[6]) & PF_EXITING:
            return None
        return int(fields[1]), int(fields[6])
    except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError, ValueError):
        return None


def _exe_name(pid: int) -> str:
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        return ""


def sample(root: int) -> dict[str, Any]:
    """One sample: kB of RSS per role (see the module doc), the number of processes in the tree and
    ``members``: ``(pid, parent, name, kB)`` of each.

    A JVM is a process whose executable or name is ``java``. A child the JVM is spawning (``posix_spawn``:
    a clone sharing the JVM's memory until it execs, named after the Java thread that spawns it) reports
    the JVM's whole RSS: a process running the ``java`` executable that has not exec'd since its fork is
    skipped. Per process the order of reads (stat, executable, RSS) makes a process caught mid-exec either
    skipped or counted with its new, small RSS.
    """
    tree = descendants(root)
    info: dict[int, tuple[int, str, int]] = {}  # pid -> (parent, name, kB)
    for pid in tree:
        stat = _stat(pid)
        if stat is None:
            continue
        parent, flags = stat
        exe, comm = _exe_name(pid), command_name(pid)
        if exe == "java" and flags & PF_FORKNOEXEC:
            continue  # a spawn in progress: shares the JVM's memory
        info[pid] = (parent, "java" if exe == "java" else comm, rss_kb(pid))
    parents = {pid: parent for pid, (parent, _, _) in info.items()}
    jvms = {pid for pid, (_, name, _) in info.items() if name == "java"}
    values: dict[str, Any] = {"driver": rss_kb(root), "jvm": 0, "python_workers": 0, "processes": 1 + len(info)}
    members = [(root, 0, command_name(root), values["driver"])]
    total = values["driver"]
    for pid, (parent, name, rss) in info.items():
        members.append((pid, parent, name, rss))
        total += rss
        if pid in jvms:
            values["jvm"] += rss
        elif _is_python(name) and _below(pid, jvms, parents):
            values["python_workers"] += rss
    values["tree"] = total
    values["members"] = members
    return values


def _below(pid: int, ancestors: set[int], parents: dict[int, int]) -> bool:
    seen = set()
    while pid in parents and pid not in seen:
        seen.add(pid)
        pid = parents[pid]
        if pid in ancestors:
            return True
    return False


@dataclass
class PeakRSS:
    """Context manager sampling the tree of ``pid`` on a background thread until the block exits."""

    pid: int
    interval: float = 0.2
    peaks_kb: dict[str, int] = field(default_factory=lambda: {role: 0 for role in ROLES})
    max_processes: int = 0
    samples: int = 0
    peak_members: list = field(default_factory=list)  # (pid, parent, name, kB) at the tree's peak

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"peak-rss-{self.pid}", daemon=True)

    def _take(self) -> None:
        values = sample(self.pid)
        if values["processes"] == 1 and values["driver"] == 0:
            return  # root gone
        self.samples += 1
        self.max_processes = max(self.max_processes, values["processes"])
        if values["tree"] > self.peaks_kb["tree"]:
            self.peak_members = values["members"]
        for role in ROLES:
            self.peaks_kb[role] = max(self.peaks_kb[role], values[role])

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._take()
            self._stop.wait(self.interval)

    def start(self) -> PeakRSS:
        self._thread.start()
        return self

    def stop(self) -> PeakRSS:
        self._stop.set()
        self._thread.join()
        return self

    def __enter__(self) -> PeakRSS:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def result(self) -> dict[str, float | int]:
        """Peaks in MB (2**20 bytes) per role, with the sample count and the most processes seen at once."""
        peaks: dict[str, float | int] = {f"{role}_mb": round(kb / 1024, 1) for role, kb in self.peaks_kb.items()}
        peaks.update(
            samples=self.samples,
            max_processes=self.max_processes,
            interval_s=self.interval,
            at_tree_peak=[
                {"pid": pid, "parent": parent, "name": name, "mb": round(kb / 1024, 1)}
                for pid, parent, name, kb in self.peak_members
            ],
        )
        return peaks


@dataclass(frozen=True)
class Measured:
    returncode: int
    wall_s: float
    peaks: dict[str, Any]
    stdout: str
    stderr: str
    timed_out: bool = False


def run_measured(
    command: list[str],
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    interval: float = 0.2,
    check: bool = True,
    capture: bool = True,
    timeout: float | None = None,
) -> Measured:
    """Run ``command`` as a fresh process; wall seconds (start to exit) and peak RSS of its process tree.

    The command runs in its own session; after ``timeout`` seconds its whole process group is terminated
    (then killed). With ``check``, a non-zero exit raises ``subprocess.CalledProcessError`` and a timeout
    ``subprocess.TimeoutExpired``, both carrying the output's tail.
    """
    pipe = subprocess.PIPE if capture else None
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=pipe, stderr=pipe, text=True, start_new_session=True)
    timed_out = False
    with PeakRSS(proc.pid, interval=interval) as peak:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop_group(proc)
            stdout, stderr = proc.communicate()
        wall = time.perf_counter() - started
    stdout, stderr = stdout or "", stderr or ""
    if check and timed_out:
        raise subprocess.TimeoutExpired(command, timeout, stdout[-4000:], stderr[-8000:])
    if check and proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, command, stdout[-4000:], stderr[-8000:])
    return Measured(proc.returncode, wall, peak.result(), stdout, stderr, timed_out)


def _stop_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM to the process group ``proc`` leads (it was started in a new session), SIGKILL after ``grace``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
