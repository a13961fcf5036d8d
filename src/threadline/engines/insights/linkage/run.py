"""One linkage run on any backend: load, block, train, score, cluster, report, write the store's files."""

from __future__ import annotations

import json
import os

from threadline.engines.insights.linkage.backends import LinkageBackend, get_backend
from threadline.engines.insights.linkage.model import (
    blocking_rules,
    build_settings,
    pair_cap,
    select_rules,
    train_and_predict,
    unscored_links_sql,
)
from threadline.engines.insights.linkage.report import Clock, LinkReport, build_report, evaluate_clusters
from threadline.engines.insights.store import Store, as_store, refresh_catalogue

DEFAULT_THRESHOLD = 0.8  # FEBRL4 F1 0.954 at precision 0.995 (0.950 at 0.9): docs/benchmarks.md


def link(
    store: Store | str | os.PathLike[str] | None = None,
    backend: str | LinkageBackend = "duckdb",
    *,
    threshold: float = DEFAULT_THRESHOLD,
    truth: str | os.PathLike[str] | None = None,
    seed: int = 42,
    max_training_pairs: float = 5e5,
    tf_adjustments: bool = True,
    max_pairs_per_rule: float | None = None,
) -> LinkReport:
    """Link every encoded record of the store, write ``linkage/clusters.parquet`` and return the report.

    ``backend`` is a name of :data:`~.backends.BACKENDS` (``"duckdb"``, ``"spark"``) or a backend object, such
    as ``SparkLinkageBackend(spark)``. ``threshold`` is the match probability at which two records are taken as
    the same person. ``truth`` (a CSV with ``record_id,person_id``, e.g. from the synthetic generator) adds
    pairwise precision, recall and F1 to the report. A blocking rule whose keys alone would make more than
    ``max_pairs_per_rule`` pairs (default: ten pairs per record, at least a million) is not used, and the
    report's notes name it.
    """
    st = as_store(store).ensure()
    be = get_backend(backend)
    clock = Clock()
    try:
        db_api, table, facts = be.load(st)
        clock.lap("load")
        if facts["encoded_records"] < 2:
            raise ValueError("fewer than two records carry identifier encodings; nothing to link")
        sdf = db_api.register(table, table_name="threadline_link_input")
        rules, notes = select_rules(be, blocking_rules(be), pair_cap(facts["encoded_records"], max_pairs_per_rule))
        settings = be.prepare_settings(build_settings(be, tf_adjustments=tf_adjustments, rules=rules))
        linker, predictions, clusters, train_notes = train_and_predict(
            sdf, settings, clock, threshold=threshold, seed=seed, max_training_pairs=max_training_pairs
        )
        be.save_clusters(clusters.physical_name)
        clock.lap("cluster")
        unscored = float(be.scalar(unscored_links_sql(rules, predictions.physical_name)) or 0.0)
        report = build_report(be, predictions=predictions.physical_name, facts=facts, threshold=threshold,
                              unscored=unscored)  # fmt: skip
        report.notes = notes + train_notes
        tmp = st.linkage_dir / ".clusters.parquet.tmp"
        be.write_clusters(tmp)
        os.replace(tmp, st.clusters_path)
        model = linker.misc.save_model_to_json()
        (st.linkage_dir / "model.json").write_text(json.dumps(model, indent=2, default=str))
    finally:
        be.release()
    if truth is not None:
        report.quality = evaluate_clusters(st, truth)
    clock.lap("report")
    report.seconds, report.cpu_seconds = clock.totals()
    (st.linkage_dir / "report.json").write_text(json.dumps(report.to_dict(), indent=2))
    refresh_catalogue(st)
    return report
