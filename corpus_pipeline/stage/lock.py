"""One writer per output: a lock file beside it, created atomically, holding who took it.

A stage takes ``PARENT/.NAME.lock`` before it touches ``PARENT/NAME`` or its staging folder; ``corpus-pipeline run``
also holds one lock for its whole run folder (``PARENT/.OUTPUT.lock``), so two runs into the same folder never
interleave their stages. The lock file holds JSON: host, pid (and the process's start time, to tell a reused pid
apart), user, command and start time, plus a random token. A second run finds the file and stops with one line
naming the lock and its owner (:class:`LockedError`, exit status 2). The lock is deleted when the block ends,
on success, failure or Ctrl-C; only the holder's own lock (same token) is deleted.

Creation is atomic where the file system allows it: local paths are created by Python with ``O_CREAT|O_EXCL``
(Hadoop's local file system checks and creates in two steps); other file systems with Hadoop's
``FileSystem.create(path, overwrite=false)``, which is atomic on HDFS (the NameNode refuses an existing path). On
object stores (``s3a://``) creation and rename are not atomic, so there the lock only catches runs that do not
start within the same moment.

A lock is *stale*, and taken over, when its owner is on this host and its process is gone (or the pid now belongs
to another process), or when it is on another host and its modification time, refreshed every minute by the holder
(:data:`HEARTBEAT_SECONDS`), is older than ``CORPUS_PIPELINE_LOCK_STALE_SECONDS`` (default 600 s; on object
stores, which keep no modification time updates, set it above the longest run). ``--break-lock`` takes over any
lock. An unreadable lock file (empty: its writer died between creating and writing it) is stale after 30 s.

Taking over renames the stale file aside (``.NAME.lock.stale-<random>``), checks that what was moved is the lock
judged stale, deletes it, and creates a new lock exclusively. Of two processes taking over the same stale lock only
one rename succeeds; the other starts again and finds the new owner's lock. The race we accept: if process B judged
the stale lock, then A took it over (rename + create), B's rename moves A's *fresh* lock aside; B sees the content
differs and renames it back, which fails only if a third process created a lock in that instant, leaving A and
that process both running. It needs three processes contending for one stale lock within milliseconds.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from corpus_pipeline.errors import InputError
from corpus_pipeline.interrupt import shielded

STALE_ENV = "CORPUS_PIPELINE_LOCK_STALE_SECONDS"
DEFAULT_STALE_SECONDS = 600.0
HEARTBEAT_SECONDS = 60.0
UNREADABLE_GRACE_SECONDS = 30.0
MAX_ATTEMPTS = 10


class LockedError(InputError):
    """The output is locked by another run (or the lock could not be taken); one line naming lock and owner."""


def lock_path(output: str) -> str:
    """``PARENT/.NAME.lock`` for ``PARENT/NAME`` (a hidden sibling, skipped by Spark's readers)."""
    head, sep, name = output.rstrip("/").rpartition("/")
    return f"{head}/.{name}.lock" if sep else f".{name}.lock"


def stale_after_seconds() -> float:
    value = os.environ.get(STALE_ENV)
    try:
        return float(value) if value else DEFAULT_STALE_SECONDS
    except ValueError:
        raise InputError(f"{STALE_ENV}={value!r}: expected a number of seconds") from None


def process_start_time(pid: int) -> int | None:
    """The start time of process ``pid`` in clock ticks since boot (Linux ``/proc``); None where unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return int(fields[19])  # field 22 of stat; fields[0] is field 3 (state)
    except (OSError, IndexError, ValueError):
        return None


def process_alive(pid: int, start_time: int | None = None) -> bool:
    """Whether ``pid`` runs here and, when ``start_time`` is known, is the same process (not a reused pid)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        pass
    if start_time is not None:
        current = process_start_time(pid)
        if current is not None and current != start_time:
            return False
    return True


def owner_record(token: str) -> dict[str, Any]:
    now = time.time()
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "pid_start": process_start_time(os.getpid()),
        "user": _user(),
        "started": datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds"),
        "started_epoch": round(now, 3),
        "command": " ".join(sys.argv)[:500],
        "token": token,
    }


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name for this uid (containers)
        return str(os.getuid())


def parse_record(text: str | None) -> dict[str, Any] | None:
    try:
        record = json.loads(text) if text else None
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) and "pid" in record and "host" in record else None


def stale_reason(
    record: dict[str, Any] | None, modified: float, now: float, stale_after: float, host: str | None = None
) -> str | None:
    """Why a lock may be taken over, or None while it must be honoured.

    ``modified`` is the lock file's modification time (epoch seconds), refreshed by its holder's heartbeat.
    """
    host = host or socket.gethostname()
    if record is None:
        return "unreadable lock file" if now - modified > UNREADABLE_GRACE_SECONDS else None
    if record.get("host") == host:
        pid = record.get("pid")
        if not isinstance(pid, int) or not process_alive(pid, record.get("pid_start")):
            return f"process {pid} on this host is gone"
        return None
    if now - modified > stale_after:
        return f"no heartbeat from {record.get('host')} for {int(now - modified)} s"
    return None


def describe(record: dict[str, Any] | None) -> str:
    if record is None:
        return "an unknown owner (the lock file is empty or unreadable)"
    return f"pid {record.get('pid')} on {record.get('host')} (user {record.get('user')}) since {record.get('started')}"


# ---- where the lock file lives: Python for local paths, Hadoop's FileSystem for the rest --------------------------
class LocalStore:
    """Lock operations on a local path through Python (atomic ``O_EXCL`` create, no-replace rename by link)."""

    def __init__(self, path: str):
        self.path = path

    def create(self, path: str, text: str) -> bool:
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        return True

    def read(self, path: str) -> tuple[str, float] | None:
        try:
            with open(path, "rb") as handle:
                modified = os.fstat(handle.fileno()).st_mtime
                return handle.read(1 << 16).decode("utf-8", errors="replace"), modified
        except (FileNotFoundError, NotADirectoryError):
            return None

    def rename(self, source: str, target: str) -> bool:
        """Move ``source`` to ``target`` unless ``target`` exists (a hard link, then unlink: never replaces)."""
        try:
            os.link(source, target)
        except (FileNotFoundError, FileExistsError):
            return False
        except OSError:  # no hard links on this file system: check, then rename (not atomic)
            if os.path.lexists(target):
                return False
            try:
                os.rename(source, target)
            except FileNotFoundError:
                return False
            return True
        os.unlink(source)
        return True

    def delete(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)

    def touch(self, path: str) -> None:
        os.utime(path)


class HadoopStore:
    """Lock operations through the Spark session's Hadoop file system (HDFS, S3A, ...)."""

    def __init__(self, spark):
        self.spark = spark

    def _fs(self, path: str):
        from corpus_pipeline.io import fs

        return fs._fs_and_path(self.spark, path)

    def create(self, path: str, text: str) -> bool:
        filesystem, hadoop_path = self._fs(path)
        try:
            stream = filesystem.create(hadoop_path, False)
        except Exception as error:
            if "FileAlreadyExistsException" in str(error) or "already exists" in str(error):
                return False
            raise
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()
        return True

    def read(self, path: str) -> tuple[str, float] | None:
        from corpus_pipeline.io import fs

        filesystem, hadoop_path = self._fs(path)
        try:
            modified = filesystem.getFileStatus(hadoop_path).getModificationTime() / 1000.0
            return fs.read_text(self.spark, path), modified
        except Exception as error:
            if "FileNotFoundException" in str(error) or "No such file" in str(error):
                return None
            raise

    def rename(self, source: str, target: str) -> bool:
        filesystem, hadoop_path = self._fs(source)
        jvm = self.spark.sparkContext._jvm
        return bool(filesystem.rename(hadoop_path, jvm.org.apache.hadoop.fs.Path(target)))  # false if target exists

    def delete(self, path: str) -> None:
        filesystem, hadoop_path = self._fs(path)
        filesystem.delete(hadoop_path, False)

    def touch(self, path: str) -> None:
        filesystem, hadoop_path = self._fs(path)
        filesystem.setTimes(hadoop_path, int(time.time() * 1000), -1)


def store_for(spark, path: str) -> tuple[LocalStore | HadoopStore, str]:
    """The store for ``path`` and the path in the store's terms: for :class:`LocalStore` a local path with its
    folder's symlinks resolved (so the lock is the same however the output is written); ``spark`` None means
    ``path`` is known to be local."""
    from corpus_pipeline.io import fs

    qualified = fs.qualify(spark, path) if spark is not None else "file:" + os.path.abspath(path)
    if qualified.startswith("file:"):
        local = qualified[len("file:") :]
        if local.startswith("//"):
            local = "/" + local[2:].partition("/")[2]
        folder, name = os.path.split(os.path.normpath(local))
        local = os.path.join(os.path.realpath(folder), name)
        return LocalStore(local), local
    return HadoopStore(spark), qualified


@dataclass
class HeldLock:
    """A lock this process holds: where, its token, and the heartbeat thread that refreshes it."""

    path: str
    label: str
    token: str
    took_over: str | None
    store: Any
    stop: threading.Event
    heartbeat: threading.Thread | None
    depth: int = 1


#: Locks this process holds, by path: taking one again (the CLI before Spark starts, then the stage) nests.
_HELD: dict[str, HeldLock] = {}


def acquire(
    spark, output: str, label: str | None = None, break_lock: bool = False, path: str | None = None
) -> HeldLock:
    """Take the lock of ``output`` (``PARENT/.NAME.lock`` unless ``path`` is given), or raise :class:`LockedError`."""
    label = label or output
    store, where = store_for(spark, path or lock_path(output))
    held = _HELD.get(where)
    if held is not None:
        held.depth += 1
        return held
    token = uuid.uuid4().hex
    text = json.dumps(owner_record(token), indent=2) + "\n"
    stale_after = stale_after_seconds()
    took_over = None
    for _ in range(MAX_ATTEMPTS):
        if store.create(where, text):
            return _held(store, where, label, token, took_over)
        found = store.read(where)
        if found is None:  # released between our create and read: try again
            continue
        content, modified = found
        record = parse_record(content)
        reason = "--break-lock" if break_lock else stale_reason(record, modified, time.time(), stale_after)
        if reason is None:
            raise LockedError(
                f"{label} is in use by another run: lock {where} is held by {describe(record)}; "
                f"wait for it to finish (if it is gone, run again with --break-lock)"
            )
        aside = f"{where}.stale-{uuid.uuid4().hex[:12]}"
        if not store.rename(where, aside):  # another process took it over (or it was released) first
            continue
        moved = store.read(aside)
        if moved is None or moved[0] != content:  # we moved a lock taken after we read it: give it back
            store.rename(aside, where)
            continue
        store.delete(aside)
        took_over = f"{describe(record)}: {reason}"
    raise LockedError(
        f"{label}: could not take the lock {where} after {MAX_ATTEMPTS} attempts (other runs keep taking it); try again"
    )


def _held(store, where: str, label: str, token: str, took_over: str | None) -> HeldLock:
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            with contextlib.suppress(Exception):  # a failing heartbeat only makes the lock look stale sooner
                found = store.read(where)
                if found is None or token not in found[0]:
                    return  # taken over (--break-lock): not ours to refresh
                store.touch(where)

    heartbeat = threading.Thread(target=beat, name=f"lock-heartbeat {where}", daemon=True)
    heartbeat.start()
    lock = _HELD[where] = HeldLock(where, label, token, took_over, store, stop, heartbeat)
    return lock


def release(lock: HeldLock) -> None:
    """Stop the heartbeat and delete the lock file if it is still ours (the outermost release of a nested lock)."""
    lock.depth -= 1
    if lock.depth > 0:
        return
    _HELD.pop(lock.path, None)
    lock.stop.set()
    found = lock.store.read(lock.path)
    if found is not None and lock.token in found[0]:
        lock.store.delete(lock.path)


@contextlib.contextmanager
def output_lock(
    spark, output: str, label: str | None = None, break_lock: bool = False, path: str | None = None, echo=None
) -> Iterator[HeldLock]:
    """Hold the lock of ``output`` for the block; released on success, failure and Ctrl-C."""
    lock = acquire(spark, output, label, break_lock, path)
    if lock.took_over and echo is not None and lock.depth == 1:
        echo(f"took over the lock {lock.path} from {lock.took_over}")
    try:
        yield lock
    finally:
        with shielded():
            with contextlib.suppress(Exception):  # the session may be failing too; a dead pid's lock is stale
                release(lock)


@contextlib.contextmanager
def local_output_lock(local_path: str | None, break_lock: bool = False) -> Iterator[HeldLock | None]:
    """The CLI's lock before Spark starts, for an output known to be the local path ``local_path`` (None: not
    local, or not known before Spark starts): a second run stops in a second instead of after Spark's start-up.
    The stage takes the same lock again (nested). Where the lock file cannot be created (a read-only or missing
    parent), nothing is locked here: the stage reports why it cannot write before it would lock."""
    lock = None
    if local_path is not None:
        try:
            os.makedirs(os.path.dirname(os.path.abspath(lock_path(local_path))), exist_ok=True)
            lock = acquire(None, local_path, break_lock=break_lock)
        except OSError:
            lock = None
    if lock is not None and lock.took_over:
        print(f"took over the lock {lock.path} from {lock.took_over}", file=sys.stderr)
    try:
        yield lock
    finally:
        if lock is not None:
            with shielded(), contextlib.suppress(Exception):
                release(lock)
