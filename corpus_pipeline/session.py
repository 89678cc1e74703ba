"""Building the Spark session every job uses."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from pyspark import SparkConf, SparkContext
from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[*]"

_DEFAULT_CONF = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # Documents can be megabytes: keep Arrow batches to a bounded number of rows.
    "spark.sql.execution.arrow.maxRecordsPerBatch": "1000",
    "spark.python.worker.reuse": "true",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.parquet.compression.codec": "zstd",
}

_LOCAL_CONF = {
    "spark.driver.memory": "4g",
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}


def build_session(app_name: str, master: str | None = None, conf: dict[str, str] | None = None) -> SparkSession:
    """A Spark session for a corpus_pipeline job.

    ``master`` wins when given; otherwise the one ``spark-submit`` set, otherwise ``local[*]``. Local mode
    binds to 127.0.0.1 and runs Python workers with this interpreter unless PYSPARK_PYTHON says otherwise.
    """
    if os.environ.get("PYSPARK_GATEWAY_PORT"):
        # Started by spark-submit: attach to its JVM so SparkConf sees --master and --conf.
        SparkContext._ensure_initialized()
    submitted = SparkConf()
    master = master or (submitted.get("spark.master") if submitted.contains("spark.master") else DEFAULT_MASTER)
    settings = dict(_DEFAULT_CONF)
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        settings.update(_LOCAL_CONF)
    settings.update(conf or {})
    builder = SparkSession.builder.appName(app_name).master(master)
    for key, value in settings.items():
        if not submitted.contains(key) or key in (conf or {}):
            builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


@contextlib.contextmanager
def guarded_session(
    app_name: str,
    output: str,
    master: str | None = None,
    conf: dict[str, str] | None = None,
    overwrite: bool = False,
    break_lock: bool = False,
) -> Iterator[SparkSession]:
    """A session for a command writing ``output``: ``--overwrite``/``--break-lock`` in force for its stage
    commits, the output's lock taken before Spark starts when the output is local (so a second run stops at
    once; other file systems are locked by the stage commit), and Ctrl-C turned into a clean stop."""
    from corpus_pipeline.interrupt import interruptible_session
    from corpus_pipeline.stage.lock import local_output_lock
    from corpus_pipeline.stage.safety import local_os_path, output_policy

    with (
        output_policy(overwrite, break_lock),
        local_output_lock(local_os_path(output, conf), break_lock),
        interruptible_session(app_name, master, conf) as spark,
    ):
        yield spark
