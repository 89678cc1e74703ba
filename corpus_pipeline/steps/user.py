"""User-defined steps: ``{python: "package.module:function"}`` in a source's ``steps``.

The function gets one document as a dict (``id``, ``source``, ``url``, ``title``, ``text``, ``meta`` and the
columns earlier stages added) and returns:

* ``None`` to keep the document as it is;
* a reason (a snake_case string such as ``"lorem_ipsum"``) to remove it: the reason appears in ``removed/``,
  ``stats.json`` and the report like a built-in one;
* a dict of new values for any of :data:`WRITABLE_FIELDS` to change the document and keep it.

It runs in the stage of the built-in step listed before it in the recipe (``clean`` when none is), right
after that step, on every document of the batch that is still kept, inside the stage's Arrow-batched
worker function. The module is imported by name on the driver (a missing module or function is a one-line
error before Spark starts) and again in each worker process; nothing is pickled or evaluated. The driver
looks for the module in the working directory too (as ``uvicorn`` and ``gunicorn`` do). A module that is
not installed in the environment (a file or package of the user's) is shipped to the executors by the stage,
as ``--py-files`` would; under spark-submit, ``--py-files`` works as usual. A function that raises, or returns
anything else, quarantines that document with reason ``step_error`` and the error in ``detail``; the stage
goes on.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import import_module
from typing import Any

from corpus_pipeline.recipe import Recipe, RecipeError

WRITABLE_FIELDS = ("text", "title", "url", "meta")
STEP_ERROR = "step_error"
_REASON = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class UserStepError(Exception):
    """A user step raised or returned something that is not a keep, a reason or field updates."""

    def __init__(self, target: str, detail: str):
        super().__init__(f"{target}: {detail}")
        self.detail = f"{target}: {detail}"


def resolve(target: str) -> Callable[[dict[str, Any]], Any]:
    """The function ``target`` (``module:function``) names; :class:`RecipeError` naming what is missing."""
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.append(os.getcwd())
    module_name, _, attribute = target.partition(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as error:
        raise RecipeError(
            f"python step {target}: no module named {error.name!r} (is it installed, in the working "
            "directory, or shipped with --py-files?)"
        ) from None
    except Exception as error:  # noqa: BLE001 - the user's module failed while importing
        raise RecipeError(
            f"python step {target}: importing {module_name} failed: {type(error).__name__}: {error}"
        ) from None
    function = getattr(module, attribute, None)
    if function is None:
        raise RecipeError(f"python step {target}: module {module_name} has no attribute {attribute!r}")
    if not callable(function):
        raise RecipeError(f"python step {target}: {attribute} is not a function")
    return function


@lru_cache(maxsize=64)
def worker_function(target: str) -> Callable[[dict[str, Any]], Any]:
    """``resolve(target)`` once per worker process."""
    return resolve(target)


def check_python_steps(recipe: Recipe) -> tuple[str, ...]:
    """Import every python step the recipe names (on the driver, before Spark starts); returns their targets."""
    targets = []
    for source in recipe.sources.values():
        for _, target in source.python_steps():
            if target not in targets:
                resolve(target)
                targets.append(target)
    return tuple(targets)


def _installed(path: str) -> bool:
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    real = os.path.realpath(path)
    return any(real.startswith(prefix + os.sep) for prefix in prefixes) or "site-packages" in real.split(os.sep)


def ship_python_steps(spark, python_steps: Mapping[str, tuple[tuple[str | None, str], ...]]) -> list[str]:
    """``addPyFile`` the user's modules that are not installed in the environment (a ``.py`` file, or its
    top-level package zipped), so the executors import what the driver checked; returns what was shipped."""
    shipped = []
    submitted = {
        os.path.basename(path)
        for path in spark.sparkContext.getConf().get("spark.submit.pyFiles", "").split(",")
        if path
    }  # --py-files already ships these
    for steps in python_steps.values():
        for _, target in steps:
            top = target.partition(":")[0].split(".")[0]
            module = sys.modules.get(top) or import_module(top)
            origin = getattr(module, "__file__", None)
            if (
                not origin
                or not os.path.isfile(origin)
                or _installed(origin)
                or top in shipped
                or os.path.basename(origin) in submitted
                or f"{top}.zip" in submitted
            ):
                continue
            if os.path.basename(origin) == "__init__.py":
                package = os.path.dirname(origin)
                archive = os.path.join(tempfile.mkdtemp(prefix="corpus-pipeline-steps-"), f"{top}.zip")
                with zipfile.ZipFile(archive, "w") as handle:
                    for folder, _, names in os.walk(package):
                        for name in sorted(names):
                            if name.endswith(".py"):
                                path = os.path.join(folder, name)
                                handle.write(path, os.path.relpath(path, os.path.dirname(package)))
                spark.sparkContext.addPyFile(archive)
            else:
                spark.sparkContext.addPyFile(origin)
            shipped.append(top)
    return shipped


def python_steps_by_stage(recipe: Recipe, stage: str) -> dict[str, tuple[tuple[str | None, str], ...]]:
    """Per source: ``(built-in step it follows, target)`` of the python steps that run in ``stage``."""
    from corpus_pipeline.steps.registry import step

    out = {}
    for name, source in recipe.sources.items():
        found = tuple(
            (after, target)
            for after, target in source.python_steps()
            if (step(after).stage if after else "clean") == stage
        )
        if found:
            out[name] = found
    return out


def sources_sha256(python_steps: Mapping[str, tuple[tuple[str | None, str], ...]]) -> dict[str, str | None]:
    """sha256 of the source file of each python step's module (for the stage's fingerprint); None when the
    module has no file."""
    import hashlib
    import sys

    out = {}
    for steps in python_steps.values():
        for _, target in steps:
            module = sys.modules.get(target.partition(":")[0])
            path = getattr(module, "__file__", None)
            digest = None
            if path:
                with open(path, "rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()
            out[f"python:{target}"] = digest
    return dict(sorted(out.items()))


def targets_by_source(python_steps: Mapping[str, tuple[tuple[str | None, str], ...]]) -> dict[str, tuple[str, ...]]:
    """Per source, the python steps' targets in order (what a document stage runs after its built-in steps)."""
    return {source: tuple(target for _, target in steps) for source, steps in python_steps.items()}


def apply(target: str, record: Mapping[str, Any]) -> str | dict[str, Any] | None:
    """Run the user step ``target`` on ``record``: None (keep), a reason, or the updates to apply."""
    try:
        result = worker_function(target)(dict(record))
    except Exception as error:  # noqa: BLE001 - a user's bug quarantines one document, not the stage
        raise UserStepError(target, f"raised {type(error).__name__}: {error}") from None
    if result is None:
        return None
    if isinstance(result, str):
        if not _REASON.match(result):
            raise UserStepError(
                target,
                f"returned reason {result[:80]!r}: a reason is snake_case (lowercase letters, digits, '_'; at most 64)",
            )
        return result
    if isinstance(result, Mapping):
        unknown = sorted(set(result) - set(WRITABLE_FIELDS))
        if unknown:
            raise UserStepError(
                target,
                f"returned unknown field(s) {', '.join(map(str, unknown))}; "
                f"a step may change {', '.join(WRITABLE_FIELDS)}",
            )
        bad = [key for key, value in result.items() if value is not None and not isinstance(value, str)]
        if bad or result.get("text") is None and "text" in result:
            raise UserStepError(target, f"returned non-string value(s) for {', '.join(bad or ['text'])}")
        return dict(result)
    raise UserStepError(target, f"returned {type(result).__name__}; expected None, a reason or a dict")
