"""Small-file operations on any Hadoop file system, through the Spark session's JVM.

Stage markers (``_SUCCESS``) and ``stats.json`` must land next to the parquet output wherever that is
(HDFS, S3, local), so they go through Hadoop's FileSystem API rather than Python's ``open``.
"""

from __future__ import annotations

from pyspark.sql import SparkSession


def _fs_and_path(spark: SparkSession, uri: str):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
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
    """(qualified path, length, modification time in ms) of every file under ``pattern``, sorted.

    Folders are walked recursively. Files and folders whose names start with '.' or '_' (markers such as
    ``_SUCCESS``, ``_temporary/``, ``.crc``) are skipped below a matched folder, as Spark's readers skip them;
    empty files are listed (Spark's scans drop them silently).
    """
    fs, path = _fs_and_path(spark, pattern)
    result = []
    for status in fs.globStatus(path) or []:
        if not status.isDirectory():
            result.append((str(status.getPath().toString()), int(status.getLen()), int(status.getModificationTime())))
            continue
        base = str(status.getPath().toString()).rstrip("/") + "/"
        files = fs.listFiles(status.getPath(), True)
        while files.hasNext():
            found = files.next()
            uri = str(found.getPath().toString())
            if not any(part.startswith((".", "_")) for part in uri[len(base):].split("/")):
                result.append((uri, int(found.getLen()), int(found.getModificationTime())))
    return sorted(result)
