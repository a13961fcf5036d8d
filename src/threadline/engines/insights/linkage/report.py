"""The link report and its queries, written once for every backend, and evaluation against ground truth.

The report's SQL uses only what DuckDB and Spark SQL both read (``CASE``, ``count``, ``sum``, ``avg``,
``CAST(... AS STRING)``); a backend runs it on its own tables ``all_records``, ``link_clusters`` and the
predictions table Splink made.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from threadline.engines.insights.store import Store, _sql_str, as_store


@dataclass
class LinkReport:
    backend: str
    records: int
    encoded_records: int
    clusters: int  # estimated distinct victims (unencoded records count as their own cluster)
    estimated_duplicates: int  # records - clusters
    threshold: float
    pairs_scored: int
    links: int  # pairs at or above the threshold
    expected_precision: float | None  # mean match probability of accepted links (model-based)
    # missed true links: the sum of match probabilities of scored pairs below the threshold, plus the estimated
    # true pairs that no blocking rule brought to scoring (``estimated_unscored_links``)
    expected_missed_links: float
    borderline_pairs: int  # 0.5 <= p < threshold: candidates for clerical review
    estimated_unscored_links: float = 0.0  # capture-recapture across date-keyed and name-keyed blocking rules
    cluster_sizes: dict[str, int] = field(default_factory=dict)
    clusters_by_sources: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per phase and total
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # CPU time of this process (all threads)
    quality: dict | None = None  # precision/recall/F1 against ground truth, when given
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def summary(self) -> str:
        lines = [
            f"{self.records} records ({self.encoded_records} with encodings) -> {self.clusters} estimated "
            f"victims; {self.estimated_duplicates} estimated duplicates",
            f"{self.pairs_scored} candidate pairs scored, {self.links} links at p >= {self.threshold}, "
            f"{self.borderline_pairs} borderline pairs for review",
        ]
        if self.expected_precision is not None:
            lines.append(
                f"model-estimated link precision {self.expected_precision:.3f}; "
                f"expected missed links {self.expected_missed_links:.1f} (of which never scored by blocking, "
                f"estimated across the blocking rules: {self.estimated_unscored_links:.1f})"
            )
        if self.quality:
            q = self.quality
            lines.append(
                f"against ground truth: precision {q['precision']:.4f}, recall {q['recall']:.4f}, "
                f"F1 {q['f1']:.4f} (pairwise)"
            )
        lines += [f"note: {n}" for n in self.notes]
        lines.append("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items()))
        if self.cpu_seconds:
            lines.append("CPU time: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.cpu_seconds.items()))
        return "\n".join(lines)


class Clock:
    """Wall and CPU time of the phases of one run."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        self.start_wall, self.start_cpu = self.wall, self.cpu
        self.walls: dict[str, float] = {}
        self.cpus: dict[str, float] = {}

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.walls[name], self.cpus[name] = round(wall - self.wall, 2), round(cpu - self.cpu, 2)
        self.wall, self.cpu = wall, cpu

    def totals(self) -> tuple[dict[str, float], dict[str, float]]:
        self.walls["total"] = round(self.wall - self.start_wall, 2)
        self.cpus["total"] = round(self.cpu - self.start_cpu, 2)
        return self.walls, self.cpus


def link_clusters_sql(clusters: str) -> str:
    """Every record with its cluster: Splink's clusters, and each unlinked record as a cluster of its own."""
    return f"""SELECT a.record_id, coalesce(c.cluster_id, a.record_id) AS cluster_id, a.source
        FROM all_records a LEFT JOIN {clusters} c ON c.unique_id = a.record_id"""  # noqa: S608


def pair_stats_sql(predictions: str, threshold: float) -> str:
    """Pairs scored, links, their mean probability, the probability mass below the threshold, borderline pairs."""
    t = float(threshold)
    return f"""SELECT count(*),
               coalesce(sum(CASE WHEN match_probability >= {t} THEN 1 ELSE 0 END), 0),
               avg(CASE WHEN match_probability >= {t} THEN match_probability END),
               coalesce(sum(CASE WHEN match_probability < {t} THEN match_probability END), 0),
               coalesce(sum(CASE WHEN match_probability >= 0.5 AND match_probability < {t} THEN 1 ELSE 0 END), 0)
        FROM {predictions}"""  # noqa: S608


CLUSTER_COUNT_SQL = "SELECT count(DISTINCT cluster_id) FROM link_clusters"
CLUSTER_SIZES_SQL = """SELECT CASE WHEN n >= 5 THEN '5+' ELSE CAST(n AS STRING) END AS k, count(*) AS c
    FROM (SELECT cluster_id, count(*) AS n FROM link_clusters GROUP BY cluster_id) sized GROUP BY 1 ORDER BY 1"""
CLUSTER_SPANS_SQL = """SELECT CAST(s AS STRING) AS k, count(*) AS c
    FROM (SELECT cluster_id, count(DISTINCT source) AS s FROM link_clusters GROUP BY cluster_id) spans
    GROUP BY 1 ORDER BY 1"""


def build_report(backend, *, predictions: str, facts: dict, threshold: float, unscored: float) -> LinkReport:
    """The report of one run from the backend's ``link_clusters`` and predictions tables."""
    n, links, mean_p, missed, borderline = backend.rows(pair_stats_sql(predictions, threshold))[0]
    n_clusters = int(backend.rows(CLUSTER_COUNT_SQL)[0][0])
    return LinkReport(
        backend=backend.name,
        records=facts["records"],
        encoded_records=facts["encoded_records"],
        clusters=n_clusters,
        estimated_duplicates=facts["records"] - n_clusters,
        threshold=threshold,
        pairs_scored=int(n),
        links=int(links),
        expected_precision=float(mean_p) if mean_p is not None else None,
        expected_missed_links=float(missed) + unscored,
        estimated_unscored_links=unscored,
        borderline_pairs=int(borderline),
        cluster_sizes={k: int(c) for k, c in backend.rows(CLUSTER_SIZES_SQL)},
        clusters_by_sources={k: int(c) for k, c in backend.rows(CLUSTER_SPANS_SQL)},
    )


def _evaluate(con, clusters_table: str, truth: str | os.PathLike[str]) -> dict:
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE eval_join AS
        SELECT c.cluster_id, t.person_id FROM {clusters_table} c
        JOIN read_csv({_sql_str(str(Path(truth)))}, header = true, all_varchar = true) t USING (record_id)"""  # noqa: S608
    ).fetchall()
    tp, pred, true, n = con.execute(
        """SELECT
             (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM
                (SELECT count(*)::HUGEINT n FROM eval_join GROUP BY cluster_id, person_id)),
             (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM
                (SELECT count(*)::HUGEINT n FROM eval_join GROUP BY cluster_id)),
             (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM
                (SELECT count(*)::HUGEINT n FROM eval_join GROUP BY person_id)),
             (SELECT count(*) FROM eval_join)"""
    ).fetchall()[0]
    tp, pred, true = int(tp), int(pred), int(true)
    precision = tp / pred if pred else 1.0
    recall = tp / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    people = con.execute("SELECT count(DISTINCT person_id) FROM eval_join").fetchall()[0][0]
    clusters = con.execute("SELECT count(DISTINCT cluster_id) FROM eval_join").fetchall()[0][0]
    return {
        "records": int(n),
        "true_people": int(people),
        "estimated_people": int(clusters),
        "true_pairs": true,
        "predicted_pairs": pred,
        "true_positive_pairs": tp,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def evaluate_clusters(store: Store | str | os.PathLike[str], truth: str | os.PathLike[str]) -> dict:
    """Pairwise precision, recall and F1 of the store's last linkage against ``record_id,person_id`` truth."""
    import duckdb

    st = as_store(store)
    if not st.clusters_path.exists():
        raise ValueError("run link() first")
    con = duckdb.connect()
    try:
        con.execute(f"CREATE TABLE c AS SELECT * FROM read_parquet({_sql_str(str(st.clusters_path))})").fetchall()  # noqa: S608
        return _evaluate(con, "c", truth)
    finally:
        con.close()


def read_report(store: Store | str | os.PathLike[str]) -> dict | None:
    """The last run's ``report.json`` as a dict, or None before the first run."""
    path = as_store(store).linkage_dir / "report.json"
    return json.loads(path.read_text()) if path.exists() else None


def clusters_table(store: Store | str | os.PathLike[str]) -> pa.Table:
    """The last run's ``record_id, cluster_id`` table."""
    return pq.read_table(as_store(store).clusters_path)
