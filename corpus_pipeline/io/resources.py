"""Finding ``rules/`` and ``models/`` wherever the job runs: a source checkout, or what spark-submit shipped.

On a cluster the library arrives as a zip (``--py-files``), so there is no repository beside it. The rule
and model folders travel as archives, ``--archives models.zip#models,rules.zip#rules`` (``make package``),
and Spark unpacks them under their alias: in the SparkFiles root directory (local, standalone and
Kubernetes masters, on the driver as well as on executors) or in the container's working directory (YARN).
:func:`resource_dir` looks in exactly those places, so nothing depends on a path that exists only on the
submitting machine.
"""

from __future__ import annotations

import os
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[2]  # the checkout's root when the library is not zipped
RESOURCES = ("rules", "models")


def shipped_root() -> Path | None:
    """The SparkFiles root directory of the running SparkContext in this process, if there is one."""
    from pyspark import SparkContext, SparkFiles

    if SparkFiles._is_running_on_worker:
        return Path(SparkFiles.getRootDirectory())
    if SparkContext._active_spark_context is None:
        return None
    return Path(SparkFiles.getRootDirectory())  # the driver's, through its JVM


def candidates(name: str) -> list[Path]:
    """Where ``name`` (``rules`` or ``models``) may be, in the order they are tried."""
    found = [SOURCE_ROOT / name]
    root = shipped_root()
    if root is not None:
        found.append(root / name)
    found.append(Path(os.getcwd()) / name)
    return found


def resource_dir(name: str) -> Path:
    """The ``rules`` or ``models`` folder: the source checkout's, else the one shipped with spark-submit.

    If none exists, the checkout's path is returned, so the error that follows names a path and the
    message of :func:`missing_hint` says how to ship the folder.
    """
    if name not in RESOURCES:
        raise ValueError(f"unknown resource folder {name!r}; expected one of {', '.join(RESOURCES)}")
    for path in candidates(name):
        if path.is_dir():
            return path
    return SOURCE_ROOT / name


def shipped_file(path: str | Path) -> Path:
    """``path`` as given if it exists; a relative one missing here is looked up among files shipped with
    ``--files`` (a recipe, say) in the SparkFiles root directory."""
    path = Path(path)
    root = shipped_root()
    if not path.exists() and not path.is_absolute() and root is not None and (root / path.name).exists():
        return root / path.name
    return path


def missing_hint(name: str) -> str:
    """What to do when ``name`` is nowhere: the places tried and the spark-submit flag that ships it."""
    tried = ", ".join(str(path) for path in candidates(name))
    return (
        f"no {name}/ folder found (tried {tried}); under spark-submit ship it with --archives {name}.zip#{name} "
        f"(make package)"
    )
