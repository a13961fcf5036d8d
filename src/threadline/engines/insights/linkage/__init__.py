"""Probabilistic record linkage on encoded identifiers with Splink (Fellegi-Sunter, EM-trained).

The model compares only encodings: keyed hashes (exact agreement) and Bloom filters (Dice similarity) of
names, keyed hashes of the date of birth and its parts, plus gender and citizenship. Records are
deduplicated across and within sources; connected components of links above the threshold become
clusters, one per estimated victim.

Public API (this module is the facade; its submodules are the implementation):

    link(store=None, backend="duckdb", *, threshold=0.8, truth=None, ...) -> LinkReport   # see run.link
    evaluate_clusters(store, truth) -> dict       # pairwise precision / recall / F1 of the last run
    read_report(store) -> dict | None             # the last run's report.json
    clusters_table(store) -> pyarrow.Table        # the last run's record_id, cluster_id
    LinkageBackend, get_backend(name), BACKENDS   # the backend seam (backends.py); Spark's is in engines.spark
    build_settings, blocking_rules, BlockingRule, pair_cap, select_rules, train_and_predict,
    unscored_links_sql, without_sampled_matches   # the shared model (model.py), for backends and tests
"""

from __future__ import annotations

from threadline.engines.insights.linkage.backends import (
    BACKENDS,
    LINK_COLUMNS,
    DuckDBBackend,
    LinkageBackend,
    get_backend,
)
from threadline.engines.insights.linkage.model import (
    BlockingRule,
    blocking_rules,
    build_settings,
    pair_cap,
    select_rules,
    train_and_predict,
    unscored_links_sql,
    without_sampled_matches,
)
from threadline.engines.insights.linkage.report import (
    Clock,
    LinkReport,
    build_report,
    clusters_table,
    evaluate_clusters,
    read_report,
)
from threadline.engines.insights.linkage.run import DEFAULT_THRESHOLD, link

__all__ = [
    "BACKENDS",
    "DEFAULT_THRESHOLD",
    "LINK_COLUMNS",
    "BlockingRule",
    "Clock",
    "DuckDBBackend",
    "LinkReport",
    "LinkageBackend",
    "blocking_rules",
    "build_report",
    "build_settings",
    "clusters_table",
    "evaluate_clusters",
    "get_backend",
    "link",
    "pair_cap",
    "read_report",
    "select_rules",
    "train_and_predict",
    "unscored_links_sql",
    "without_sampled_matches",
]
