"""Building the Spark session every job uses."""

from __future__ import annotations

import os
import sys

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
