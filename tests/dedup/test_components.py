import random

import pytest

from corpus_pipeline.dedup.components import (
    ComponentsDidNotConverge,
    canonical_edges,
    checkpointer,
    connected_components,
    large_star,
    small_star,
)
from tests.spark_session import module_session


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


def _union_find(edges):
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {node: find(node) for node in parent}


def _components(spark, edges, **kwargs):
    frame = spark.createDataFrame(edges, "src long, dst long")
    labels, rounds = connected_components(frame, checkpointer(None), **kwargs)
    rows = labels.collect()
    assert len(rows) == len({row["node"] for row in rows})  # one label per node
    return {row["node"]: row["component"] for row in rows}, rounds


def test_star_steps_on_a_path(spark):
    path = spark.createDataFrame([(2, 1), (3, 2), (4, 3)], "src long, dst long")
    # large-star: 1's larger neighbour 2 -> 1; 2's larger neighbour 3 -> min(1, 2, 3); 3's neighbour 4 -> 2
    assert sorted(map(tuple, large_star(path).collect())) == [(2, 1), (3, 1), (4, 2)]
    # small-star on a path changes nothing: every node has one smaller neighbour
    assert sorted(map(tuple, small_star(path).collect())) == [(2, 1), (3, 2), (4, 3)]
    star = spark.createDataFrame([(3, 2), (3, 1), (4, 2)], "src long, dst long")
    assert sorted(map(tuple, small_star(star).collect())) == [(2, 1), (3, 1), (4, 2)]


def test_canonical_edges(spark):
    frame = spark.createDataFrame([(1, 2), (2, 1), (3, 3), (5, 4)], "src long, dst long")
    assert sorted(map(tuple, canonical_edges(frame).collect())) == [(2, 1), (5, 4)]


@pytest.mark.parametrize("seed", range(4))
def test_random_graphs_equal_union_find(spark, seed):
    rng = random.Random(seed)
    nodes = rng.sample(range(10**12), 400)
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(rng.choice([150, 300, 600]))]
    labels, _ = _components(spark, edges)
    expected = {
        node: root
        for node, root in _union_find(edges).items()
        if any(node in edge and edge[0] != edge[1] for edge in edges)
    }
    assert labels == expected


def test_long_path_and_shuffled_ids(spark):
    rng = random.Random(5)
    order = list(range(1, 201))
    rng.shuffle(order)  # a path visiting node ids in random order: worst case for label propagation
    edges = list(zip(order, order[1:]))
    labels, rounds = _components(spark, edges)
    assert set(labels.values()) == {1} and len(labels) == 200
    assert rounds < 20


def test_gives_up_after_max_rounds(spark):
    edges = [(i, i + 1) for i in range(1, 300)]
    with pytest.raises(ComponentsDidNotConverge, match="after 1 rounds"):
        _components(spark, edges, max_rounds=1)


def test_reliable_checkpoints(spark, tmp_path):
    frame = spark.createDataFrame([(1, 2), (2, 3), (7, 8)], "src long, dst long")
    labels, _ = connected_components(frame, checkpointer(str(tmp_path / "cp")))
    assert {r["node"]: r["component"] for r in labels.collect()} == {1: 1, 2: 1, 3: 1, 7: 7, 8: 7}
    assert any((tmp_path / "cp").iterdir())
