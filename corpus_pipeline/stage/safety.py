"""Refusing an output that would destroy data: an input, a file, or a folder that is not a stage output of ours.

A stage replaces its output folder as a whole (:mod:`corpus_pipeline.stage.commit`), so before it starts:

* the output, and its staging sibling ``PARENT/.NAME.incomplete``, must not be an input, lie inside an input
  (the next run would read its own output back) or contain one (replacing it would delete the input);
* an existing output must be a folder that is empty or a stage output of ours: ``_SUCCESS`` holding our
  fingerprint JSON, or our layout (``stats.json`` + ``kept/``...) from a run killed between its rename and
  ``_SUCCESS``. An existing file, or any other folder, is refused unless the user passes ``--overwrite``.

``corpus-pipeline run`` never replaces its run folder, only ``OUTPUT/<stage>``, ``--pack-output``, ``run.json`` and
``report.html``/``report.json``: each of those is checked, as is that no stage output overlaps another. The run
folder itself may hold other things (``make demo`` keeps its raw corpus in ``out/demo/raw``), but not a file.

Paths are compared qualified and normalized: local paths (no scheme, or ``file:``) by Python, with symlinks
resolved (``realpath``), so ``./x``, ``x/``, ``file:x`` and a symlink to ``x`` are the same path; other file
systems (``hdfs://``, ``s3a://``) by the Hadoop file system's qualified path. A glob input is compared through
its non-glob prefix and its pattern: an output that the pattern matches (or that lies inside a match) is
refused, as is one that contains the prefix or an existing match.

Two views run the same checks: :class:`LocalView` before Spark starts (local paths only; a path without a scheme
counts as local unless the Hadoop configuration names another default file system), and :class:`HadoopView`
after the session starts and before any stage runs (every path, ``hdfs://`` and ``s3a://`` included).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import posixpath
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from corpus_pipeline.errors import InputError

MARKER = "_SUCCESS"
#: What a committed stage folder holds (document stages and pack); hidden ``.crc`` files come with them.
STAGE_LAYOUT = frozenset({"kept", "removed", "quarantine", "stats.json", MARKER, "manifest.json", "shards"})
#: Files ``corpus-pipeline run`` writes into its run folder, next to the stage folders.
RUN_FILES = ("run.json", "report.html", "report.json")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):(?=/)")  # scheme:/... (a:b.jsonl is a name, as in io.fs)
_GLOB_CHARS = frozenset("*?[{")
_OUR_HIDDEN = re.compile(r"^\.[^/]+\.(incomplete|lock)(\.stale-[0-9a-f]+)?$|^\..*\.crc$")


class UnsafeOutputError(InputError):
    """An output that would replace an input, a file or a folder that is not ours; one line for the user."""


@dataclass(frozen=True)
class OutputPolicy:
    """What the user allowed for this command: ``--overwrite`` (replace what is not ours) and ``--break-lock``."""

    overwrite: bool = False
    break_lock: bool = False


_POLICY: contextvars.ContextVar[OutputPolicy] = contextvars.ContextVar("output_policy", default=OutputPolicy())


def current_policy() -> OutputPolicy:
    return _POLICY.get()


@contextlib.contextmanager
def output_policy(overwrite: bool = False, break_lock: bool = False) -> Iterator[OutputPolicy]:
    """Within this block, stage commits may replace foreign outputs (``overwrite``) and break locks."""
    token = _POLICY.set(OutputPolicy(overwrite=overwrite, break_lock=break_lock))
    try:
        yield _POLICY.get()
    finally:
        _POLICY.reset(token)


@dataclass(frozen=True)
class Location:
    """A normalized, qualified path: ``root`` (``file:``, ``hdfs://nn:8020``, ``s3a://bucket``) and its parts."""

    root: str
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.root}/{'/'.join(self.parts)}"

    def child(self, *names: str) -> Location:
        return Location(self.root, self.parts + tuple(names))

    def within(self, other: Location) -> bool:
        """This path is ``other`` or lies below it."""
        return self.root == other.root and self.parts[: len(other.parts)] == other.parts

    @property
    def is_local(self) -> bool:
        return self.root == "file:"

    @property
    def local_path(self) -> str:
        return "/" + "/".join(self.parts)


def split_glob(path: str) -> tuple[str, list[str]]:
    """``(non-glob prefix, glob components)``: ``data/*/x.jsonl`` -> ``("data", ["*", "x.jsonl"])``."""
    head = ""
    match = _SCHEME.match(path)
    if match and path[len(match[0]) :].startswith("//"):  # scheme://authority stays in the prefix
        end = path.find("/", len(match[0]) + 2)
        head, path = (path, "") if end < 0 else (path[:end], path[end:])
    components = path.split("/")
    for index, component in enumerate(components):
        if any(char in _GLOB_CHARS for char in component):
            prefix = "/".join(components[:index])
            if not prefix and path.startswith("/"):
                prefix = "/"
            return head + prefix if (head + prefix) else ".", [part for part in components[index:] if part]
    return head + path, []


def _component_regex(component: str) -> re.Pattern[str]:
    """A Hadoop glob component (``*``, ``?``, ``[a-z]``, ``[^a]``, ``{a,b}``, ``\\`` escapes) as a regex."""
    out, index, depth = [], 0, 0
    while index < len(component):
        char = component[index]
        if char == "\\" and index + 1 < len(component):
            out.append(re.escape(component[index + 1]))
            index += 2
            continue
        if char == "[":
            end = component.find("]", index + 2)
            if end > 0:
                body = component[index + 1 : end]
                if body[:1] in ("^", "!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                index = end + 1
                continue
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "{":
            out.append("(?:")
            depth += 1
        elif char == "," and depth:
            out.append("|")
        elif char == "}" and depth:
            out.append(")")
            depth -= 1
        else:
            out.append(re.escape(char))
        index += 1
    try:
        return re.compile("".join(out) + ")" * depth + r"\Z", re.S)
    except re.error:  # a pattern we cannot read: assume it matches anything (refusing errs on the safe side)
        return re.compile(r".*\Z", re.S)


def _matches(patterns: list[str], names: tuple[str, ...]) -> bool:
    return all(_component_regex(pattern).match(name) for pattern, name in zip(patterns, names))


def hadoop_default_fs(conf: dict[str, str] | None = None) -> str | None:
    """The default file system a Spark session would get, as far as it can be told without starting one:
    ``--conf spark.hadoop.fs.defaultFS``, else ``fs.defaultFS`` in ``$HADOOP_CONF_DIR``/``$YARN_CONF_DIR``'s
    core-site.xml, else ``spark.hadoop.fs.defaultFS`` in spark-defaults.conf; None when none names one."""
    if conf and conf.get("spark.hadoop.fs.defaultFS"):
        return conf["spark.hadoop.fs.defaultFS"]
    for variable in ("HADOOP_CONF_DIR", "YARN_CONF_DIR"):
        site = Path(os.environ.get(variable) or "/nonexistent") / "core-site.xml"
        if site.is_file():
            try:
                for prop in ElementTree.parse(site).getroot().iter("property"):
                    if (prop.findtext("name") or "").strip() in ("fs.defaultFS", "fs.default.name"):
                        return (prop.findtext("value") or "").strip()
            except (ElementTree.ParseError, OSError):
                return "unknown:"  # unreadable: not known to be local
    spark_conf = os.environ.get("SPARK_CONF_DIR") or (os.environ.get("SPARK_HOME", "/nonexistent") + "/conf")
    defaults = Path(spark_conf) / "spark-defaults.conf"
    if defaults.is_file():
        for line in defaults.read_text(encoding="utf-8", errors="replace").splitlines():
            key, *value = re.split(r"[\s=]+", line.strip(), maxsplit=1)
            if key == "spark.hadoop.fs.defaultFS" and value:
                return value[0].strip()
    return None


class LocalView:
    """The checks' view of the local file system through Python: usable before Spark starts.

    ``locate`` returns None for a path this view cannot place (another file system, or a path without a
    scheme when the default file system is not local): such paths are left to :class:`HadoopView`.
    """

    def __init__(self, default_fs_local: bool = True):
        self.default_fs_local = default_fs_local

    def locate(self, path: str) -> Location | None:
        match = _SCHEME.match(path)
        if match is None:
            return self._local(path) if self.default_fs_local else None
        if match[1].lower() != "file":
            return None
        rest = path[len(match[0]) :]
        if rest.startswith("//"):  # file://host/path: only the local host is meaningful
            host, _, rest = rest[2:].partition("/")
            if host not in ("", "localhost"):
                return None
            rest = "/" + rest
        return self._local(rest)

    @staticmethod
    def _local(path: str) -> Location:
        resolved = os.path.realpath(os.path.abspath(path or "."))
        return Location("file:", tuple(part for part in resolved.split("/") if part))

    # What is there: "missing", "file" or "dir"; names in a folder; a small file's text.
    def status(self, location: Location) -> str:
        try:
            return (
                "dir"
                if os.path.isdir(location.local_path)
                else "file"
                if os.path.lexists(location.local_path)
                else "missing"
            )
        except OSError:
            return "missing"

    def names(self, location: Location) -> list[str]:
        try:
            return sorted(os.listdir(location.local_path))
        except OSError:
            return []

    def read_text(self, location: Location, limit: int = 1 << 20) -> str | None:
        try:
            with open(location.local_path, "rb") as handle:
                return handle.read(limit).decode("utf-8", errors="replace")
        except OSError:
            return None

    def glob_matches(self, prefix: Location, patterns: list[str], limit: int = 100_000) -> list[Location] | None:
        """Existing paths the glob matches, symlinks resolved; None when that is not known (or too many)."""
        found: list[Location] = []
        frontier = [prefix]
        for depth, pattern in enumerate(patterns):
            regex, following = _component_regex(pattern), []
            for folder in frontier:
                for name in self.names(folder):
                    if regex.match(name):
                        following.append(folder.child(name))
                        if len(following) > limit:
                            return None
            frontier = following
            if depth + 1 < len(patterns):
                frontier = [folder for folder in frontier if self.status(folder) == "dir"]
        for match in frontier:
            found.append(self._local(match.local_path) if match.is_local else match)
        return found


class HadoopView(LocalView):
    """The same checks through the Spark session's Hadoop file system: every path, whatever its scheme.

    Local (``file:``) paths are still resolved by Python, so symlinks count as in :class:`LocalView`.
    """

    def __init__(self, spark):
        super().__init__(default_fs_local=True)
        self.spark = spark

    def _fs_and_path(self, uri: str):
        from corpus_pipeline.io import fs

        return fs._fs_and_path(self.spark, uri)

    def locate(self, path: str) -> Location | None:
        match = _SCHEME.match(path)
        if match is not None and match[1].lower() == "file":
            return super().locate(path)
        try:
            filesystem, hadoop_path = self._fs_and_path(path or ".")
            qualified = str(filesystem.makeQualified(hadoop_path).toString())
        except Exception:  # not a path Hadoop can parse (a ':' in a name), or an unknown scheme
            if match is None and self._default_fs_local():
                return super()._local(path)
            return None
        if qualified.startswith("file:"):
            return super().locate(qualified) or super()._local(qualified[len("file:") :])
        scheme = _SCHEME.match(qualified)
        rest = qualified[len(scheme[0]) :] if scheme else qualified
        authority = ""
        if rest.startswith("//"):
            authority, _, rest = rest[2:].partition("/")
        normalized = posixpath.normpath("/" + rest)
        root = f"{scheme[1].lower() if scheme else ''}://{authority}"
        return Location(root, tuple(part for part in normalized.split("/") if part))

    def _default_fs_local(self) -> bool:
        from corpus_pipeline.io import fs

        try:
            return fs.qualify(self.spark, "/").startswith("file:")
        except Exception:
            return False

    def status(self, location: Location) -> str:
        if location.is_local:
            return super().status(location)
        filesystem, path = self._fs_and_path(str(location))
        try:
            return "dir" if filesystem.getFileStatus(path).isDirectory() else "file"
        except Exception:  # FileNotFoundException, or a parent that is a file
            return "missing"

    def names(self, location: Location) -> list[str]:
        if location.is_local:
            return super().names(location)
        filesystem, path = self._fs_and_path(str(location))
        try:
            return sorted(str(status.getPath().getName()) for status in filesystem.listStatus(path))
        except Exception:
            return []

    def read_text(self, location: Location, limit: int = 1 << 20) -> str | None:
        if location.is_local:
            return super().read_text(location, limit)
        from corpus_pipeline.io import fs

        try:
            return fs.read_text(self.spark, str(location))[:limit]
        except Exception:
            return None

    def glob_matches(self, prefix: Location, patterns: list[str], limit: int = 100_000) -> list[Location] | None:
        if prefix.is_local:
            return super().glob_matches(prefix, patterns, limit)
        filesystem, path = self._fs_and_path("/".join([str(prefix), *patterns]))
        try:
            statuses = list(filesystem.globStatus(path) or [])
        except Exception:
            return None
        if len(statuses) > limit:
            return None
        return [location for status in statuses if (location := self.locate(str(status.getPath().toString())))]


def local_os_path(path: str, conf: dict[str, str] | None = None) -> str | None:
    """``path`` as a local path (``file:`` stripped, symlinks kept) when it is known before Spark starts to be
    on the local file system; None otherwise (another file system, or a session already running)."""
    view = view_for_cli(conf)
    if isinstance(view, HadoopView):
        return None
    location = view.locate(path)
    if location is None or not location.is_local:
        return None
    match = _SCHEME.match(path)
    if match is None:
        return os.path.abspath(path)
    rest = path[len(match[0]) :]
    if rest.startswith("//"):
        rest = "/" + rest[2:].partition("/")[2]
    return os.path.abspath(rest or ".")


def view_for_cli(conf: dict[str, str] | None = None):
    """The view to check with now: the running session's when there is one (under spark-submit), else Python's."""
    from pyspark import SparkContext

    if SparkContext._active_spark_context is not None:
        from pyspark.sql import SparkSession

        return HadoopView(SparkSession.builder.getOrCreate())
    default_fs = hadoop_default_fs(conf)
    return LocalView(default_fs_local=default_fs is None or default_fs.lower().startswith("file:"))


# ---- what is ours ------------------------------------------------------------------------------------------------
def json_object(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def is_our_stage_output(view: LocalView, location: Location) -> bool:
    """An empty folder, one whose ``_SUCCESS`` holds our fingerprint, or our layout without it yet."""
    names = view.names(location)
    visible = [name for name in names if not _OUR_HIDDEN.match(name)]
    if not visible:
        return True
    marker = json_object(view.read_text(location.child(MARKER)))
    if marker is not None and isinstance(marker.get("fingerprint"), str) and "stage" in marker:
        return True
    stats = json_object(view.read_text(location.child("stats.json")))  # killed between rename and _SUCCESS
    return stats is not None and "documents" in stats and set(visible) <= STAGE_LAYOUT


def is_our_run_folder(view: LocalView, location: Location, stages: tuple[str, ...]) -> bool:
    """A folder with our ``run.json``, a stage output of ours, or only our hidden staging and lock entries."""
    names = view.names(location)
    record = json_object(view.read_text(location.child("run.json"))) if "run.json" in names else None
    if record is not None and "stages" in record:
        return True
    for stage in stages:
        if stage in names and view.status(location.child(stage)) == "dir":
            marker = json_object(view.read_text(location.child(stage, MARKER)))
            if marker is not None and "fingerprint" in marker:
                return True
    return bool(names) and all(_OUR_HIDDEN.match(name) for name in names)


# ---- the checks --------------------------------------------------------------------------------------------------
def staging_name(output: str) -> str:
    """The staging sibling's path as written (``PARENT/.NAME.incomplete``); see stage.commit.staging_path."""
    head, sep, name = output.rstrip("/").rpartition("/")
    return f"{head}{sep}.{name}.incomplete" if sep else f".{name}.incomplete"


def _overlap(view: LocalView, written: Location, source: str) -> str | None:
    """How a path we replace relates to the input ``source``: "is", "is inside" or "contains"; None if apart."""
    prefix_text, patterns = split_glob(source)
    prefix = view.locate(prefix_text)
    if prefix is None or prefix.root != written.root:
        return None
    if not patterns:
        if written == prefix:
            return "is"
        return "is inside" if written.within(prefix) else "contains" if prefix.within(written) else None
    if prefix.within(written):
        return "contains"
    if written.within(prefix):
        relative = written.parts[len(prefix.parts) :]
        if len(relative) >= len(patterns) and _matches(patterns, relative[: len(patterns)]):
            return "is" if len(relative) == len(patterns) else "is inside"
        if len(relative) < len(patterns) and _matches(patterns, relative):
            below = view.glob_matches(written, patterns[len(relative) :], limit=1000)
            if below is None or below:  # matches exist below it (or cannot be listed: assume they do)
                return "contains"
    for match in view.glob_matches(prefix, patterns) or []:  # matches reached through a symlink
        if written == match:
            return "is"
        if written.within(match):
            return "is inside"
        if match.within(written):
            return "contains"
    return None


def _refuse_overlap(view: LocalView, label: str, written: list[Location], inputs: list[str]) -> None:
    for source in inputs:
        for location in written:
            relation = _overlap(view, location, source)
            if relation is None:
                continue
            what = "it" if location == written[0] else f"its staging folder {location}"
            glob = bool(split_glob(source)[1])
            relation_text = {
                "is": "is matched by" if glob else "is",
                "is inside": "is inside a path matched by" if glob else "is inside",
                "contains": "contains",
            }[relation]
            consequence = {
                "is": "it would replace its own input",
                "is inside": "it would be read back as input",
                "contains": "replacing it would delete the input",
            }[relation]
            raise UnsafeOutputError(
                f"refusing to write {label}: {what} {relation_text} the input {source} "
                f"({consequence}); choose another output"
            )


def check_stage_output(view: LocalView, output: str, inputs: list[str], overwrite: bool = False) -> None:
    """Refuse ``output`` (a stage's ``--output``) if it overlaps an input, or if it is a file or a folder that
    is not a stage output of ours and ``overwrite`` is not set. Paths ``view`` cannot place are skipped."""
    location = view.locate(output)
    if location is None:
        return
    staging = view.locate(staging_name(output))
    _refuse_overlap(view, output, [location] + ([staging] if staging is not None else []), inputs)
    if overwrite:
        return
    status = view.status(location)
    if status == "file":
        raise UnsafeOutputError(
            f"refusing to write {output}: it is an existing file, not a stage output (pass --overwrite to replace it)"
        )
    if status == "dir" and not is_our_stage_output(view, location):
        raise UnsafeOutputError(
            f"refusing to write {output}: it is a folder that is not a corpus-pipeline stage "
            f"output (no {MARKER} with a fingerprint; pass --overwrite to replace it)"
        )


def run_targets(output: str, stages: tuple[str, ...], pack_output: str | None = None) -> dict[str, str]:
    """Every stage output ``run`` writes: ``OUTPUT/<stage>``, pack's at ``pack_output`` when given."""
    from corpus_pipeline.io import fs

    targets = {stage: fs.join(output, stage) for stage in stages}
    if pack_output:
        targets["pack"] = pack_output
    return targets


def check_run_outputs(
    view: LocalView,
    output: str,
    inputs: list[str],
    stages: tuple[str, ...],
    pack_output: str | None = None,
    overwrite: bool = False,
) -> None:
    """Every check of :func:`check_stage_output` for each stage output of ``run``, plus: the run folder is not
    a file, ``run.json`` and the reports are ours (or absent), and no stage output overlaps another."""
    from corpus_pipeline.io import fs

    targets = run_targets(output, stages, pack_output)
    for target in targets.values():
        check_stage_output(view, target, inputs, overwrite)
    folder = view.locate(output)
    pack = targets.get("pack")
    pack_location = view.locate(pack) if pack_output else None
    if pack_location is not None and folder is not None and folder.within(pack_location):
        raise UnsafeOutputError(
            f"refusing to write {pack} (--pack-output): it contains the run folder "
            f"{output}; choose another --pack-output"
        )
    if folder is not None:
        status = view.status(folder)
        if status == "file" and not overwrite:
            raise UnsafeOutputError(
                f"refusing to write {output}: it is an existing file, not a run folder (pass --overwrite to replace it)"
            )
        ours = status != "dir" or is_our_run_folder(view, folder, stages)
        for name in RUN_FILES:
            path = fs.join(output, name)
            _refuse_overlap(view, path, [folder.child(name)], inputs)
            if not ours and not overwrite and view.status(folder.child(name)) != "missing":
                raise UnsafeOutputError(
                    f"refusing to write {path}: {output} is not a corpus-pipeline run folder "
                    f"(no run.json or stage output of ours) and {name} would be replaced "
                    f"(pass --overwrite to replace it)"
                )
    if pack_location is not None:
        others = [
            path for stage, target in targets.items() if stage != "pack" for path in (target, staging_name(target))
        ] + [fs.join(output, name) for name in RUN_FILES]
        for other in others:
            location = view.locate(other)
            if location is not None and (pack_location.within(location) or location.within(pack_location)):
                raise UnsafeOutputError(
                    f"refusing to write {pack} (--pack-output): it overlaps {other}, which "
                    f"the run writes too; choose another --pack-output"
                )


def check_plain_output(out: str, inputs: tuple[str | None, ...] | list[str | None] = ()) -> None:
    """For commands that write named files into a local ``--out`` folder (train, probe, dev-set, train-*): refuse
    an ``--out`` that is an existing file, or that is an input or lies inside one. (They never delete the
    folder, so one that contains an input is allowed.)"""
    view = LocalView()
    location = view.locate(out)
    if location is None:
        return
    for source in [path for path in inputs if path]:
        relation = _overlap(view, location, source)
        if relation in ("is", "is inside"):
            raise UnsafeOutputError(f"refusing to write {out}: it {relation} the input {source}; choose another --out")
    if view.status(location) == "file":
        raise UnsafeOutputError(f"refusing to write {out}: it is an existing file, not a folder")


def add_output_arguments(parser) -> None:
    """``--overwrite`` and ``--break-lock``, on every stage command and on ``run``."""
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an --output that is a file or a folder not written by a corpus-pipeline stage "
        "(an output that is, contains or lies inside an input is refused even so)",
    )
    parser.add_argument(
        "--break-lock", action="store_true", help="take over the output's lock even when another run seems to hold it"
    )


def check_stage_paths(
    output: str, inputs: list[str], overwrite: bool = False, conf: dict[str, str] | None = None
) -> None:
    """A stage command's check before Spark starts (local paths; the rest are checked once the session runs)."""
    check_stage_output(view_for_cli(conf), output, inputs, overwrite)


def check_run_paths(
    output: str,
    inputs: list[str],
    stages: tuple[str, ...],
    pack_output: str | None = None,
    overwrite: bool = False,
    conf: dict[str, str] | None = None,
) -> None:
    """``run``'s check of every output before Spark starts (local paths; the rest once the session runs)."""
    check_run_outputs(view_for_cli(conf), output, inputs, stages, pack_output, overwrite)
