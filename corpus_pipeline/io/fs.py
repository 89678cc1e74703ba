"""Small-file operations on any Hadoop file system, through the Spark session's JVM.

Stage markers (``_SUCCESS``) and ``stats.json`` must land next to the parquet output wherever that is
(HDFS, S3, local), so they go through Hadoop's FileSystem API rather than Python's ``open``.

File names are names, not URIs: a name may hold ``:``, ``%``, ``#``, spaces, glob characters or any Unicode.
Hadoop's ``Path(parent, child)`` reads a child ``a:b.jsonl`` as a URI with scheme ``a`` and fails, and its
globber (which Spark's file sources call on every path with a glob character) builds such paths, so listing
avoids the globber when it can (:func:`list_input`), and :func:`spark_read_paths` gives Spark's readers paths
that it does not glob.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field

from py4j.protocol import Py4JJavaError
from pyspark.errors.exceptions.captured import CapturedException
from pyspark.sql import SparkSession

from corpus_pipeline.errors import InputError

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:/")  # scheme:/... or scheme://authority/...
_GLOB_CHARS = re.compile(r"[{}\[\]*?\\]")  # what Hadoop's globber (and Spark's isGlobPath) treats as a pattern
_MARKER_BYTES = 1 << 20  # a _SUCCESS / stats.json / run.json larger than this is not ours
#: Hadoop settings that read ``file:`` paths without the checksum layer, whose ``.NAME.crc`` companion path
#: cannot be built for a name holding ``:`` (only used for reads that need it).
RAW_LOCAL_OPTIONS = {"fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem", "fs.file.impl.disable.cache": "true"}
_UNREADABLE = "unreadable_file"
#: What a failing JVM call raises: PySpark turns some Java exceptions (IllegalArgumentException...) into its own.
JVM_ERRORS = (Py4JJavaError, CapturedException)


def hadoop_path(spark: SparkSession, uri: str):
    """A Hadoop ``Path`` for a URI (``hdfs://nn/x``, ``file:/x``) or a path; a relative path whose first name
    holds ``:`` (``a:b.jsonl``) is a path, not a URI with scheme ``a``."""
    jvm = spark.sparkContext._jvm
    if not _URI.match(uri) and ":" in uri.split("/", 1)[0]:
        return jvm.org.apache.hadoop.fs.Path(None, None, uri)
    return jvm.org.apache.hadoop.fs.Path(uri)


def _fs_and_path(spark: SparkSession, uri: str):
    path = hadoop_path(spark, uri)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return fs, path


def qualify(spark: SparkSession, uri: str) -> str:
    """The fully qualified form of ``uri`` (``/data/x`` becomes ``file:/data/x`` on a local file system)."""
    fs, path = _fs_and_path(spark, uri)
    return str(fs.makeQualified(path).toString())


def exists(spark: SparkSession, uri: str) -> bool:
    fs, path = _fs_and_path(spark, uri)
    return bool(fs.exists(path))


def is_dir(spark: SparkSession, uri: str) -> bool:
    fs, path = _fs_and_path(spark, uri)
    return bool(fs.exists(path) and fs.getFileStatus(path).isDirectory())


def delete(spark: SparkSession, uri: str, recursive: bool = True) -> None:
    fs, path = _fs_and_path(spark, uri)
    if fs.exists(path):
        fs.delete(path, recursive)


def mkdirs(spark: SparkSession, uri: str) -> None:
    fs, path = _fs_and_path(spark, uri)
    if not fs.mkdirs(path):
        raise OSError(f"could not create {uri}")


def rename(spark: SparkSession, source: str, target: str) -> None:
    """Move ``source`` to ``target``, which must not exist (a folder rename is atomic on HDFS and POSIX)."""
    fs, path = _fs_and_path(spark, source)
    if not fs.rename(path, spark.sparkContext._jvm.org.apache.hadoop.fs.Path(target)):
        raise OSError(f"could not rename {source} to {target}")


def parent(uri: str) -> str:
    """The folder holding ``uri`` (``hdfs://nn/a/b`` -> ``hdfs://nn/a``; ``b`` -> ``.``)."""
    head, sep, _ = uri.rstrip("/").rpartition("/")
    return (head or "/") if sep else "."


def write_text(spark: SparkSession, uri: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``uri``, replacing it."""
    fs, path = _fs_and_path(spark, uri)
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def read_text(spark: SparkSession, uri: str) -> str:
    fs, path = _fs_and_path(spark, uri)
    jvm = spark.sparkContext._jvm
    stream = fs.open(path)
    try:
        data = jvm.org.apache.commons.io.IOUtils.toByteArray(stream)
    finally:
        stream.close()
    return bytes(data).decode("utf-8")


def join(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *(part.strip("/") for part in parts)])


def list_files(spark: SparkSession, pattern: str) -> list[tuple[str, int]]:
    """(qualified path, length) of every file under ``pattern`` (a file, folder or glob), sorted."""
    return [(uri, length) for uri, length, _ in list_file_stats(spark, pattern)]


def list_file_stats(spark: SparkSession, pattern: str) -> list[tuple[str, int, int]]:
    """(qualified path, length, modification time in ms) of every file :func:`list_input` finds, sorted."""
    return list_input(spark, pattern).files


@dataclass
class Listing:
    """What :func:`list_input` found under one input pattern."""

    #: (qualified path, length, modification time in ms) of every file to read, sorted
    files: list[tuple[str, int, int]] = field(default_factory=list)
    #: (qualified path, length, reason, detail) of entries that are there but cannot be read (``unreadable_file``)
    problems: list[tuple[str, int, str, str]] = field(default_factory=list)
    #: folders left out because they are stage or run outputs of ours
    skipped: list[str] = field(default_factory=list)


def list_input(spark: SparkSession, pattern: str) -> Listing:
    """Every file under ``pattern`` (a file, folder or glob), as the clean stage reads its inputs.

    * A pattern that names an existing file or folder literally is that entry, glob characters and all;
      otherwise it is a glob (Hadoop's syntax; names holding ``:`` are matched too).
    * Folders are walked recursively. Files and folders whose names start with '.' or '_' (markers such as
      ``_SUCCESS``, ``_temporary/``, ``.crc``, our ``.NAME.incomplete`` staging) are skipped below a matched
      folder, as Spark's readers skip them; empty files are listed (Spark's scans drop them silently).
    * Output of ours below a matched folder is skipped: a stage output (``_SUCCESS`` holding a fingerprint, or
      ``stats.json`` with ``kept/``, ``removed/`` or ``quarantine/`` beside it) and a ``corpus-pipeline run``
      folder (``run.json``). A matched folder that is itself a stage output is read as its documents: its
      ``kept/``. A run folder cannot be an input (:class:`InputError`: name one of its stages).
    * A local folder is walked here, not by Hadoop (whose local listing silently drops broken symbolic links
      and follows a link to a parent folder for ever): links to folders are followed once, and entries that
      cannot be read (a broken or looping link, a file or folder without read permission, a FIFO) are
      :attr:`Listing.problems`, as are folders that cannot be listed on other file systems.
    """
    fs, path = _fs_and_path(spark, pattern)
    listing = Listing()
    for status in _matches(spark, fs, path):
        uri = str(status.getPath().toString())
        if not status.isDirectory():
            if _is_local(uri) and not os.access(_local(uri), os.R_OK):
                listing.problems.append((uri, int(status.getLen()), "unreadable_file", "permission denied"))
            else:
                listing.files.append((uri, int(status.getLen()), int(status.getModificationTime())))
            continue
        _walk(spark, fs, status.getPath(), listing)
    if not listing.files and not listing.problems and _is_local(qualify_quietly(spark, pattern)):
        local = _local(qualify_quietly(spark, pattern))
        if os.path.islink(local) and not os.path.exists(local):
            listing.problems.append(
                (qualify_quietly(spark, pattern), 0, "unreadable_file", f"broken symbolic link to {os.readlink(local)}")
            )
    listing.files.sort()
    listing.problems.sort()
    return listing


def qualify_quietly(spark: SparkSession, uri: str) -> str:
    """:func:`qualify`, or ``uri`` itself when it cannot be qualified."""
    try:
        return qualify(spark, uri)
    except Exception:  # noqa: BLE001
        return uri


def _is_local(uri: str) -> bool:
    return uri.startswith("file:")


def _local(uri: str) -> str:
    """The local path of a ``file:`` URI as Hadoop prints it (``file:/a b/c`` -> ``/a b/c``)."""
    rest = uri[len("file:") :]
    return "/" + rest.lstrip("/") if rest.startswith("//") else rest


def java_message(error: Exception) -> str:
    """The first line of a JVM error's message, for a quarantine detail."""
    java = getattr(error, "java_exception", None) or getattr(error, "_origin", None)
    try:
        text = str(java.toString()) if java is not None else str(error)
    except Exception:  # noqa: BLE001 - the JVM is gone
        text = str(error)
    return text.strip().splitlines()[0][:500] if text.strip() else type(error).__name__


def _is_missing(error: Exception) -> bool:
    return "FileNotFoundException" in str(error)


def _matches(spark: SparkSession, fs, path) -> list:
    """FileStatus of what ``path`` names: itself when it exists literally, else its glob matches."""
    try:
        return [fs.getFileStatus(path)]
    except JVM_ERRORS as error:
        if not _is_missing(error):
            raise
    if not _GLOB_CHARS.search(str(path.toUri().getPath())):
        return []
    try:
        return list(fs.globStatus(path) or [])
    except JVM_ERRORS as error:
        if "URISyntaxException" not in str(error):
            raise
    return _glob_by_names(spark, fs, fs.makeQualified(path))


def _glob_by_names(spark: SparkSession, fs, pattern) -> list:
    """Hadoop glob matching done here, component by component, for folders holding names with ``:`` (Hadoop's
    globber fails on them). Braces spanning a '/' are not expanded."""
    jvm = spark.sparkContext._jvm
    glob, path_class = jvm.org.apache.hadoop.fs.GlobPattern, jvm.org.apache.hadoop.fs.Path
    uri = pattern.toUri()
    root = path_class(uri.getScheme(), uri.getAuthority(), "/")
    candidates = [fs.getFileStatus(root)]
    parts = [part for part in str(uri.getPath()).split("/") if part]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        found = []
        if glob(part).hasWildcard():
            regex = re.compile(str(glob.compile(part).pattern()), re.DOTALL)
            for candidate in candidates:
                if candidate.isDirectory():
                    found += [
                        child
                        for child in fs.listStatus(candidate.getPath())
                        if regex.fullmatch(str(child.getPath().getName())) and (last or child.isDirectory())
                    ]
        else:
            name = re.sub(r"\\(.)", r"\1", part)
            for candidate in candidates:
                child = path_class(candidate.getPath(), path_class(None, None, name))
                try:
                    status = fs.getFileStatus(child)
                except JVM_ERRORS as error:
                    if _is_missing(error):
                        continue
                    raise
                if last or status.isDirectory():
                    found.append(status)
        candidates = found
    return sorted(candidates, key=lambda status: str(status.getPath().toString()))


def _walk(spark: SparkSession, fs, folder, listing: Listing) -> None:
    """Add the files below ``folder`` (a FileStatus path) to ``listing``, leaving out hidden names and our
    outputs."""
    base = str(folder.toString()).rstrip("/") + "/"
    if _is_local(base):
        relative, problems = _list_local(_local(base))
    else:
        relative, problems = _list_hadoop(fs, folder, base)
    ours, run = _our_outputs(spark, base, relative)
    if "" in run:
        raise InputError(
            f"input {base.rstrip('/')} is the output folder of a `corpus-pipeline run`; name one of "
            f"its stage outputs instead (e.g. {base}dedup/kept)"
        )
    keep_prefix = "kept/" if "" in ours else ""
    skip: list[str] = []
    for found in sorted(ours | run, key=len):  # outermost first; nested outputs go with them
        if found and not any(found.startswith(outer) for outer in skip):
            skip.append(found)
    listing.skipped += [base + found.rstrip("/") for found in skip]

    def wanted(name: str) -> bool:
        return (
            name.startswith(keep_prefix)
            and not any(name.startswith(found) for found in skip)
            and not any(part.startswith((".", "_")) for part in name.split("/"))
        )

    listing.files += [(base + name, length, mtime) for name, length, mtime in relative if wanted(name)]
    listing.problems += [
        ((base + name).rstrip("/"), 0, _UNREADABLE, detail) for name, detail in problems if wanted(name)
    ]


def _list_hadoop(fs, folder, base: str) -> tuple[list[tuple[str, int, int]], list[tuple[str, str]]]:
    """(name relative to ``base``, length, mtime) of every file below ``folder``, hidden ones included, and the
    folders that cannot be listed. Hadoop's recursive listing (one request per 1000 keys on object stores) unless
    a folder cannot be listed: then folder by folder."""
    out: list[tuple[str, int, int]] = []
    try:
        files = fs.listFiles(folder, True)
        while files.hasNext():
            found = files.next()
            out.append((str(found.getPath().toString()), int(found.getLen()), int(found.getModificationTime())))
        return [(uri[len(base) :], length, mtime) for uri, length, mtime in out if uri.startswith(base)], []
    except JVM_ERRORS:
        out = []
    problems: list[tuple[str, str]] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            children = fs.listStatus(current)
        except JVM_ERRORS as error:
            problems.append(
                (str(current.toString())[len(base) :] + "/", f"cannot list the folder: {java_message(error)}")
            )
            continue
        for child in children:
            if child.isDirectory():
                pending.append(child.getPath())
            else:
                out.append((str(child.getPath().toString()), int(child.getLen()), int(child.getModificationTime())))
    return [(uri[len(base) :], length, mtime) for uri, length, mtime in out if uri.startswith(base)], problems


def _list_local(root: str) -> tuple[list[tuple[str, int, int]], list[tuple[str, str]]]:
    """The local folder ``root`` walked here rather than by Hadoop, whose local listing silently drops broken
    symbolic links and follows a link to a parent folder for ever. Returns (name relative to ``root``, length,
    mtime in ms) of every regular file, hidden ones included, and (name, detail) of the entries that cannot be
    read: broken or looping links, files and folders without read permission, FIFOs, sockets and devices.

    Links to folders are followed once: a folder reached again (a link to a parent, a link beside its target)
    is not listed again, so no file is read twice; real paths are walked before links, so a file keeps its
    path (and derived ids) when a link to its folder appears.
    """
    files: list[tuple[str, int, int]] = []
    problems: list[tuple[str, str]] = []
    visited: set[tuple[int, int]] = set()
    pending, linked = [("", root)], []  # folders reached through a link wait, so a real path wins (stable ids)
    while pending or linked:
        rel, path = pending.pop() if pending else linked.pop(0)
        try:
            info = os.stat(path)
            if (info.st_dev, info.st_ino) in visited:
                continue
            visited.add((info.st_dev, info.st_ino))
            if not os.access(path, os.R_OK | os.X_OK):
                raise PermissionError(13, "Permission denied")
            with os.scandir(path) as scan:
                entries = sorted(scan, key=lambda entry: entry.name, reverse=True)
        except OSError as error:
            problems.append((rel, f"cannot list the folder: {error.strerror or error}"))
            continue
        for entry in entries:
            name = rel + entry.name
            try:
                if entry.is_dir():  # follows links
                    if not entry.name.startswith((".", "_")):  # hidden folders are never read: not walked
                        (linked if entry.is_symlink() else pending).append((name + "/", entry.path))
                    continue
                info = entry.stat()
            except OSError as error:
                if entry.is_symlink():
                    try:
                        target = os.readlink(entry.path)
                    except OSError:
                        target = "?"
                    problems.append((name, f"broken symbolic link to {target}"))
                else:
                    problems.append((name, f"cannot read: {error.strerror or error}"))
                continue
            if not stat.S_ISREG(info.st_mode):
                problems.append((name, "not a regular file (a FIFO, socket or device)"))
            elif not os.access(entry.path, os.R_OK):
                problems.append((name, "permission denied"))
            else:
                files.append((name, info.st_size, info.st_mtime_ns // 1_000_000))
    return sorted(files), problems


def _json_object(spark: SparkSession, uri: str, length: int) -> dict | None:
    if not 0 < length <= _MARKER_BYTES:
        return None
    try:
        value = json.loads(read_text(spark, uri))
    except Exception:  # noqa: BLE001 - unreadable or not JSON: not ours
        return None
    return value if isinstance(value, dict) else None


def _our_outputs(spark: SparkSession, base: str, relative: list[tuple[str, int, int]]) -> tuple[set[str], set[str]]:
    """The folders (relative to ``base``, with a trailing '/'; ``""`` for ``base`` itself) that are stage outputs
    of ours, and those that are ``corpus-pipeline run`` folders. Reads only the small marker files."""
    folders: dict[str, dict[str, int]] = {}  # folder -> {file name: length}
    subfolders: dict[str, set[str]] = {}  # folder -> names of the folders in it
    for name, length, _ in relative:
        parts = name.split("/")
        prefix = ""
        for part in parts[:-1]:
            subfolders.setdefault(prefix, set()).add(part)
            prefix += part + "/"
        folders.setdefault(prefix, {})[parts[-1]] = length
    stages, runs = set(), set()
    for folder, leaves in folders.items():
        if "_SUCCESS" in leaves:
            marker = _json_object(spark, base + folder + "_SUCCESS", leaves["_SUCCESS"])
            if marker is not None and "fingerprint" in marker:
                stages.add(folder)
                continue
        if "stats.json" in leaves and subfolders.get(folder, set()) & {"kept", "removed", "quarantine"}:
            stats = _json_object(spark, base + folder + "stats.json", leaves["stats.json"])
            if stats is not None and "stage" in stats and "documents" in stats:
                stages.add(folder)
                continue
        if "run.json" in leaves:
            record = _json_object(spark, base + folder + "run.json", leaves["run.json"])
            if record is not None and "stages" in record and "outputs" in record:
                runs.add(folder)
    return stages, runs


def spark_read_paths(paths: list[str]) -> tuple[list[str], dict[str, str]]:
    """``paths`` (listed files) as Spark's file sources must be given them to read exactly those files, and the
    read options that need: glob characters escaped (Spark globs any path holding one), and for local names
    holding ``:`` the raw local file system (:data:`RAW_LOCAL_OPTIONS`)."""
    escaped = [_GLOB_CHARS.sub(lambda match: "\\" + match.group(), path) for path in paths]
    raw = any(_is_local(path) and ":" in _local(path) for path in paths)
    return escaped, dict(RAW_LOCAL_OPTIONS) if raw else {}


def quiet_single_path_probe(spark: SparkSession) -> None:
    """Silence the warning (with a stack trace) Spark logs when one escaped path is read: it looks for a streaming
    sink's metadata folder at the path as written, escapes included, before globbing it."""
    try:
        jvm = spark.sparkContext._jvm
        jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(
            "org.apache.spark.sql.execution.streaming.sinks.FileStreamSink", jvm.org.apache.logging.log4j.Level.ERROR
        )
    except Exception:  # noqa: BLE001 - another logging back end: the warning stays, nothing else changes
        pass


def unreadable_by_spark(uri: str) -> str | None:
    """Why Spark's file sources cannot read the file at ``uri``, or None: a path holding both ``:`` and a glob
    character, which only Hadoop's globber would take (and it fails on the ``:``)."""
    if "://" in uri:
        rest = uri.split("://", 1)[1].partition("/")[2]  # after the authority
    else:
        rest = uri.partition(":")[2] if _URI.match(uri) else uri
    if ":" in rest and _GLOB_CHARS.search(rest):
        return "Spark cannot read a path holding both ':' and one of {}[]*?\\; rename the file"
    return None
