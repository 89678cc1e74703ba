"""The Spark session a stage command runs in, with its output guarded: policy, lock, clean Ctrl-C."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from corpus_pipeline.interrupt import interruptible_session
from corpus_pipeline.output_lock import local_output_lock
from corpus_pipeline.output_safety import local_os_path, output_policy


@contextlib.contextmanager
def guarded_session(app_name: str, output: str, master: str | None = None, conf: dict[str, str] | None = None,
                    overwrite: bool = False, break_lock: bool = False) -> Iterator:
    """A session for a command writing ``output``: ``--overwrite``/``--break-lock`` in force for its stage
    commits, the output's lock taken before Spark starts when the output is local (so a second run stops at
    once; other file systems are locked by the stage commit), and Ctrl-C turned into a clean stop."""
    with output_policy(overwrite, break_lock), local_output_lock(local_os_path(output, conf), break_lock), \
            interruptible_session(app_name, master, conf) as spark:
        yield spark
