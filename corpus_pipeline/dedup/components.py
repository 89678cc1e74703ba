"""Connected components of a large graph with Spark DataFrames: alternating large-star / small-star.

Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014). Nodes are longs; edges are
kept as ``(src, dst)`` with ``src > dst``. Large-star links every neighbour larger than a node to the smallest
node of its neighbourhood; small-star links a node and its smaller neighbours to the smallest of them. The
rounds repeat until an edge set stops changing; each component is then a star around its smallest node.
Every round's edges are checkpointed so the lineage stays short. Nothing is collected to the driver.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F


class ComponentsDidNotConverge(RuntimeError):
    """The edge set still changed after the allowed number of rounds."""


def canonical_edges(edges: DataFrame) -> DataFrame:
    """Distinct ``(src, dst)`` pairs with ``src > dst`` (self-loops dropped) from any ``(src, dst)`` frame."""
    return (
        edges.where(F.col("src") != F.col("dst"))
        .select(F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst"))
        .distinct()
    )


def large_star(edges: DataFrame) -> DataFrame:
    """Each node's larger neighbours are linked to the smallest node of its closed neighbourhood."""
    both = edges.select(F.col("src").alias("node"), F.col("dst").alias("other")).unionByName(
        edges.select(F.col("dst").alias("node"), F.col("src").alias("other"))
    )
    smallest = F.least(F.col("node"), F.min("other").over(Window.partitionBy("node")))
    return (
        both.withColumn("smallest", smallest)
        .where(F.col("other") > F.col("node"))
        .select(F.col("other").alias("src"), F.col("smallest").alias("dst"))
        .distinct()
    )


def small_star(edges: DataFrame) -> DataFrame:
    """Each node and its smaller neighbours are linked to the smallest of those neighbours."""
    smallest = F.min("dst").over(Window.partitionBy("src"))
    with_min = edges.withColumn("smallest", smallest)
    return (
        with_min.select(F.col("dst").alias("src"), F.col("smallest").alias("dst"))
        .where(F.col("src") != F.col("dst"))
        .unionByName(with_min.select("src", F.col("smallest").alias("dst")))
        .distinct()
    )


def _same_edges(before: DataFrame, after: DataFrame) -> bool:
    return before.count() == after.count() and after.exceptAll(before).isEmpty()


def connected_components(
    edges: DataFrame, checkpoint: Callable[[DataFrame], DataFrame], max_rounds: int = 64
) -> tuple[DataFrame, int]:
    """``(node, component)`` for every node on an edge (component = its smallest node), and the rounds taken.

    ``checkpoint`` materializes a frame and cuts its lineage (``DataFrame.checkpoint`` or a parquet round
    trip); nodes without edges are singletons and do not appear.
    """
    current = checkpoint(canonical_edges(edges))
    for round_ in range(1, max_rounds + 1):
        following = checkpoint(small_star(large_star(current)))
        if _same_edges(current, following):
            current.unpersist()
            labels = (
                following.select(F.col("src").alias("node"), F.col("dst").alias("component"))
                .unionByName(following.select(F.col("dst").alias("node"), F.col("dst").alias("component")))
                .distinct()
            )
            return labels, round_
        current.unpersist()
        current = following
    raise ComponentsDidNotConverge(f"connected components still changing after {max_rounds} rounds")


def checkpointer(directory: str | None) -> Callable[[DataFrame], DataFrame]:
    """A checkpoint function: reliable (``directory`` on any Hadoop file system) or, without one, local."""
    if directory is None:
        return lambda frame: frame.localCheckpoint(eager=True)

    def reliable(frame: DataFrame) -> DataFrame:
        frame.sparkSession.sparkContext.setCheckpointDir(directory)
        return frame.checkpoint(eager=True)

    return reliable
