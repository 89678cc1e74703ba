"""Committing a stage's output: written aside, renamed into place, then ``_SUCCESS`` with its fingerprint.

A stage writes everything (``kept/``, ``removed/``, ``quarantine/``, ``stats.json``, shards) under a hidden
sibling, ``PARENT/.NAME.incomplete``. Only when that is complete and checked is the old output deleted and
the sibling renamed to ``PARENT/NAME`` (one rename: atomic on HDFS and POSIX file systems); ``_SUCCESS``,
holding the fingerprint, is written last. A stage killed at any point therefore leaves no ``_SUCCESS`` on
what it wrote, and the next run starts that stage again, removing the leftover sibling first.

Before anything is written, the output is checked (:mod:`corpus_pipeline.stage.safety`): one that is, lies
inside or contains an input, or that is a file or a folder not written by a stage of ours, is refused unless
``--overwrite`` allows the latter; and the output's lock (:mod:`corpus_pipeline.stage.lock`) is held from
the check to ``_SUCCESS``, so a second run into the same output stops at once instead of sharing the staging
folder.

Output that cannot be written (permissions, a read-only or full file system, a quota) is reported as one
:class:`OutputError` line naming the output and the cause, checked once before the stage starts and
recognized again if the disk fills up while it writes.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable
from typing import Any

from pyspark.sql import SparkSession

from corpus_pipeline.errors import InputError
from corpus_pipeline.io import fs
from corpus_pipeline.stage.fingerprint import MARKER, fingerprint_for
from corpus_pipeline.stage.lock import output_lock
from corpus_pipeline.stage.safety import HadoopView, check_stage_output, current_policy

# Text found in an error or its causes -> what the user is told. Storage running out is always the output's
# problem (the job writes nothing else); access problems only when the error names the output's path, since
# an unreadable input fails with the same words.
SPACE_FAILURES = (
    ("No space left on device", "no space left on device"),
    ("Disk quota exceeded", "disk quota exceeded"),
    ("DSQuotaExceededException", "HDFS space quota exceeded"),
    ("NSQuotaExceededException", "HDFS name quota exceeded"),
    ("Read-only file system", "read-only file system"),
)
ACCESS_FAILURES = (
    ("AccessControlException", "permission denied"),
    ("AccessDeniedException", "permission denied"),
    ("Permission denied", "permission denied"),
    ("ParentNotDirectoryException", "a parent of the path is a file, not a folder"),
    ("exists and is not a directory", "a parent of the path is a file, not a folder"),
    ("Not a directory", "a parent of the path is a file, not a folder"),
    ("Mkdirs failed", "cannot create the folder"),
)


class OutputError(InputError):
    """A stage output that cannot be written; the message names the output and the cause."""


def staging_path(output: str) -> str:
    """Where ``output`` is written before it is committed: a hidden sibling, skipped by Spark's readers."""
    name = output.rstrip("/").rpartition("/")[2]
    return fs.join(fs.parent(output), f".{name}.incomplete")


def _error_texts(error: BaseException) -> list[str]:
    """The messages of ``error``, its Python causes and, for errors from the JVM, every Java cause."""
    texts, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts.append(str(current))
        throwable = getattr(current, "java_exception", None) or getattr(current, "_origin", None)
        depth = 0
        while throwable is not None and depth < 32:
            try:
                texts.append(str(throwable.toString()))
                throwable = throwable.getCause()
            except Exception:  # the JVM is gone or this is not a Throwable
                break
            depth += 1
        current = current.__cause__ or current.__context__
    return texts


def write_failure(error: BaseException, path: str | None = None) -> str | None:
    """Why writing failed, if it failed for a reason of the storage under ``path`` rather than of the job."""
    texts = "\n".join(_error_texts(error))
    for needle, reason in SPACE_FAILURES:
        if needle in texts:
            return reason
    named = path is None or path.rstrip("/").rpartition("/")[2] in texts
    for needle, reason in ACCESS_FAILURES:
        if needle in texts and named:
            return reason
    return None


def _nearest_existing(spark: SparkSession, folder: str) -> str | None:
    current = folder
    for _ in range(64):
        try:
            if fs.exists(spark, current):
                return current
        except Exception:  # e.g. a bucket root that cannot be stat'ed
            return None
        up = fs.parent(current)
        if up in (current, "."):
            return None
        current = up
    return None


def _probe(spark: SparkSession, folder: str) -> None:
    probe = fs.join(folder, f".corpus-pipeline-write-check-{uuid.uuid4().hex}")
    fs.write_text(spark, probe, "")
    fs.delete(spark, probe)


def check_writable(spark: SparkSession, output: str) -> None:
    """Fail with :class:`OutputError` unless a file can be created beside ``output``.

    The nearest existing folder is tried first, so a folder that cannot be created is reported with the
    file system's reason (read-only, permission denied) rather than only "cannot create".
    """
    folder = fs.parent(output)
    try:
        existing = _nearest_existing(spark, folder)
        if existing is not None and existing != folder:
            _probe(spark, existing)
        fs.mkdirs(spark, folder)
        _probe(spark, folder)
    except Exception as error:
        reason = write_failure(error) or _error_texts(error)[-1].splitlines()[0]  # the deepest cause
        raise OutputError(f"cannot write {output}: {reason}") from None


def input_paths(inputs: list) -> list[str]:
    """The paths of a stage's inputs: clean's input specs or later stages' folders."""
    return [getattr(spec, "path", spec) for spec in inputs]


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def commit_stage(
    spark: SparkSession,
    output: str,
    fingerprint: dict[str, Any],
    write: Callable[[str], dict[str, Any]],
    inputs: list = (),
) -> dict[str, Any]:
    """Run ``write(staging)``, then put its result at ``output`` and write ``_SUCCESS``; returns its stats.

    ``output`` is refused if it overlaps one of ``inputs`` (paths or input specs) or is not ours to replace
    (see :func:`corpus_pipeline.stage.safety.check_stage_output`; ``--overwrite`` through
    :func:`~corpus_pipeline.stage.safety.output_policy`); its lock is held throughout.
    """
    policy = current_policy()
    check_stage_output(HadoopView(spark), output, input_paths(list(inputs)), policy.overwrite)
    check_writable(spark, output)
    with output_lock(spark, output, break_lock=policy.break_lock, echo=_to_stderr):
        return _commit(spark, output, fingerprint, write)


def _commit(
    spark: SparkSession, output: str, fingerprint: dict[str, Any], write: Callable[[str], dict[str, Any]]
) -> dict[str, Any]:
    staging = staging_path(output)
    fs.delete(spark, staging)  # left by a stage that was killed before its commit
    try:
        stats = write(staging)
        fs.delete(spark, output)
        fs.rename(spark, staging, output)
        fs.write_text(spark, fs.join(output, MARKER), json.dumps(fingerprint, indent=2) + "\n")
    except Exception as error:
        try:
            fs.delete(spark, staging)
        except Exception:  # the session may be failing too; the next run removes it
            pass
        reason = write_failure(error, staging)
        if reason is None:
            raise
        raise OutputError(
            f"cannot write {output}: {reason} (the stage did not complete; no {MARKER} written)"
        ) from error
    return stats


def run_stage(
    spark: SparkSession,
    stage,
    inputs: list,
    output: str,
    recipe,
    plan: Any = None,
    options: dict[str, Any] | None = None,
):
    """Run ``stage`` (a registered stage or its name) from ``inputs`` into ``output``, committed with its
    fingerprint; ``plan`` is built from ``recipe`` and ``options`` when not given. Returns the stage's stats."""
    from corpus_pipeline.stage.registry import stage_named

    stage = stage_named(stage) if isinstance(stage, str) else stage
    if plan is None:
        plan = stage.plan(recipe, options or {})
    stage.check_output(spark, output)
    fingerprint = fingerprint_for(spark, stage, inputs, recipe, plan)
    return commit_stage(
        spark, output, fingerprint, lambda staging: stage.write(spark, inputs, staging, recipe, plan), inputs
    )
