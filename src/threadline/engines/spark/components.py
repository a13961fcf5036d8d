"""Connected components of an edge DataFrame with the large-star / small-star iteration (Kiveris et al., 2014).

Every round keeps the components and makes each node point closer to the smallest node of its component;
after O(log^2 n) rounds every edge is (node, smallest node of its component). Edges never go to the driver.
Each round's result is checkpointed so the query plan (lineage) stays one round long.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def _cut(df: DataFrame, reliable: bool) -> DataFrame:
    # reliable checkpoints (to spark.sparkContext's checkpoint dir) survive executor loss on a cluster;
    # local checkpoints keep the blocks on the executors and are enough in local mode
    return df.checkpoint(eager=True) if reliable else df.localCheckpoint(eager=True)


def _large_star(edges: DataFrame) -> DataFrame:
    both = edges.select("u", "v").unionByName(edges.select(F.col("v").alias("u"), F.col("u").alias("v")))
    best = both.groupBy("u").agg(F.least(F.min("v"), F.first("u")).alias("m"))
    return (
        both.join(best, "u")
        .where(F.col("v") > F.col("u"))
        .select(F.col("v").alias("u"), F.col("m").alias("v"))
        .where(F.col("u") != F.col("v"))
        .distinct()
    )


def _small_star(edges: DataFrame) -> DataFrame:
    down = edges.select(F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v")).where(F.col("u") != F.col("v"))
    best = down.groupBy("u").agg(F.min("v").alias("m"))
    moved = down.join(best, "u").select(F.col("v").alias("u"), F.col("m").alias("v"))
    return moved.unionByName(best.select("u", F.col("m").alias("v"))).where(F.col("u") != F.col("v")).distinct()


def connected_components(edges: DataFrame, *, max_rounds: int = 64, reliable_checkpoints: bool = False,
                         stats: dict | None = None) -> DataFrame:  # fmt: skip
    """``(node, label)`` for every node that has an edge; ``label`` is the smallest node of its component.

    ``edges`` has long columns ``u`` and ``v`` (undirected; self-loops and duplicates allowed). ``stats``, when
    given, receives the number of rounds.
    """
    cur = _cut(
        edges.select(F.col("u").cast("long"), F.col("v").cast("long")).where("u != v").distinct(), reliable_checkpoints
    )
    for rounds in range(1, max_rounds + 1):  # noqa: B007 - reported after the loop
        nxt = _cut(_small_star(_large_star(cur)), reliable_checkpoints)
        # converged when every node has one parent and no parent has a parent: a forest of stars
        sizes = nxt.agg(F.count("*").alias("n"), F.countDistinct("u").alias("children")).first()
        parents_with_parent = nxt.select(F.col("v").alias("u")).distinct().join(nxt.select("u").distinct(), "u")
        if sizes["n"] == sizes["children"] and parents_with_parent.limit(1).count() == 0:
            cur = nxt
            break
        cur = nxt
    else:
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
    if stats is not None:
        stats["rounds"] = stats.get("rounds", 0) + rounds
    roots = cur.select(F.col("v").alias("node"), F.col("v").alias("label")).distinct()
    return cur.select(F.col("u").alias("node"), F.col("v").alias("label")).unionByName(roots)
