"""Ctrl-C: one line on stderr, exit status 130, Spark stopped cleanly, locks released.

PySpark's ``SparkContext`` installs a SIGINT handler that calls ``cancelAllJobs()`` and raises
``KeyboardInterrupt``. The driver's main thread, though, is nearly always blocked inside a Py4J call waiting for a
job, and Py4J pins one connection per thread: the handler sends ``cancelAllJobs`` on that busy connection
(Python's "reentrant call" error, which Py4J logs with a traceback), then raises ``KeyboardInterrupt`` inside
Py4J, which logs another traceback and drops the connection.

:func:`interruptible_session` replaces that handler once the session exists. On the first SIGINT it starts a
helper thread, which has its own Py4J connection, that silences Spark's log (the cancelled tasks would otherwise
log their stack traces) and cancels all jobs, so the job the main thread waits for fails at once. The handler
raises ``KeyboardInterrupt`` only when the main thread is outside Py4J and outside a :func:`shielded` block
(releasing a lock, stopping Spark); until then the helper re-delivers the interrupt every
:data:`RETRY_SECONDS` (and cancels any job started meanwhile). ``cli.main`` turns the ``KeyboardInterrupt`` or
the cancelled job's error into :data:`INTERRUPTED_MESSAGE` and exit status 130.

The JVM ignores SIGINT (PySpark starts it so), so a Ctrl-C from a terminal, which reaches the whole process
group, leaves it to ``SparkSession.stop()``; the staging folder of the interrupted stage is left for the next
run, which deletes it before writing.
"""

from __future__ import annotations

import _thread
import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator

INTERRUPTED_MESSAGE = "interrupted: the run can be resumed with the same command"
EXIT_INTERRUPTED = 130
RETRY_SECONDS = 0.2


def _package_dir(name: str) -> str | None:
    try:
        module = __import__(name)
    except ImportError:
        return None
    return os.path.dirname(os.path.abspath(module.__file__)) + os.sep


class _State:
    """What the handler knows: whether a SIGINT came, whether the main thread took it, and the session."""

    def __init__(self) -> None:
        self.interrupted = False
        self.acknowledged = False
        self.shield_depth = 0
        self.spark = None
        self.helper: threading.Thread | None = None


_state = _State()
_PY4J_DIR = _package_dir("py4j")


def interrupted() -> bool:
    """Whether a SIGINT arrived since the session was installed."""
    return _state.interrupted


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """No ``KeyboardInterrupt`` from our handler inside this block (cleanup that must complete)."""
    _state.shield_depth += 1
    try:
        yield
    finally:
        _state.shield_depth -= 1


def _inside_py4j(frame) -> bool:
    while frame is not None and _PY4J_DIR:
        if frame.f_code.co_filename.startswith(_PY4J_DIR):
            return True
        frame = frame.f_back
    return False


def _helper(state: _State) -> None:
    """Silence Spark's log, then cancel jobs and re-deliver the interrupt until the main thread takes it."""
    spark = state.spark
    with contextlib.suppress(Exception):
        spark.sparkContext.setLogLevel("OFF")
    while not state.acknowledged:
        with contextlib.suppress(Exception):  # the context may be stopping or stopped already
            spark.sparkContext._jsc.sc().cancelAllJobs()
        if state.acknowledged:
            break
        _thread.interrupt_main(signal.SIGINT)
        time.sleep(RETRY_SECONDS)


def _handler(signum, frame) -> None:
    state = _state
    if not state.interrupted:
        state.interrupted = True
        if state.spark is not None:
            state.helper = threading.Thread(target=_helper, args=(state,), name="interrupt", daemon=True)
            state.helper.start()
    if state.acknowledged or state.shield_depth or _inside_py4j(frame):
        return
    state.acknowledged = True
    raise KeyboardInterrupt


def install(spark) -> None:
    """Replace PySpark's SIGINT handler with ours for ``spark`` (from the main thread only)."""
    global _state
    if threading.current_thread() is not threading.main_thread():
        return
    _state = _State()
    _state.spark = spark
    signal.signal(signal.SIGINT, _handler)


def acknowledge() -> None:
    """The main thread has taken the interrupt: stop re-delivering it."""
    _state.acknowledged = True
    helper = _state.helper
    if helper is not None and helper is not threading.current_thread():
        helper.join(timeout=5)


def wait_for_tasks(spark, timeout: float = 10.0) -> None:
    """Wait (at most ``timeout`` s) until no task runs: cancelled tasks end asynchronously, and stopping Spark
    while they are being killed makes its thread pools print stack traces."""
    deadline = time.monotonic() + timeout
    with contextlib.suppress(Exception):
        tracker = spark.sparkContext._jsc.sc().statusTracker()
        while time.monotonic() < deadline:
            if sum(info.numRunningTasks() for info in tracker.getExecutorInfos()) == 0:
                return
            time.sleep(0.1)


@contextlib.contextmanager
def interruptible_session(app_name: str, master: str | None = None, conf: dict[str, str] | None = None):
    """``build_session`` with our SIGINT handler; the session is stopped on the way out, whatever happened.

    After an interrupt a failing ``stop()`` does not hide the interrupt. Without one, PySpark's handler is put
    back as it was.
    """
    from corpus_pipeline.session import build_session

    previous = signal.getsignal(signal.SIGINT)
    spark = build_session(app_name, master, conf)
    install(spark)
    try:
        yield spark
    finally:
        with shielded():
            if _state.interrupted:
                wait_for_tasks(spark)
            try:
                spark.stop()
            except Exception:
                if not _state.interrupted:
                    raise
        if not _state.interrupted and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)


def reset() -> None:
    """Forget an earlier interrupt (``cli.main`` may be called more than once in one process)."""
    global _state
    _state = _State()
