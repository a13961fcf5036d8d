"""Where linkage runs: the ``LinkageBackend`` seam and its local (DuckDB) implementation.

The model (comparisons, blocking rules, training), the report and the missed-link estimate are the same for
every backend (:mod:`.model`, :mod:`.report`). A backend only loads the store's encodings into its engine,
writes the few SQL fragments that differ between dialects, runs SQL and writes the clusters file.

Backends are found by name in :data:`BACKENDS` (``"module:Class"``, imported on first use), so the Spark backend
(:mod:`threadline.engines.spark.linkage`) depends on this engine and never the reverse; a backend object can
also be passed to :func:`~threadline.engines.insights.linkage.link` directly.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any, Protocol

from threadline.engines.insights.linkage.report import link_clusters_sql
from threadline.engines.insights.schema import ENCODING_COLUMNS
from threadline.engines.insights.store import Store, _sql_str

#: Bloom-filter columns (hex in the store; a backend turns them into bits) and the other columns linkage reads.
BLOOM_COLUMNS = [c for c in ENCODING_COLUMNS if c.startswith("bf_")]
LINK_COLUMNS = ["source", "gender", "citizenship",
                *[c for c in ENCODING_COLUMNS if c.startswith("enc_") and c != "enc_key_id"]]  # fmt: skip

#: Which records take part: those encoded under a key and carrying a name or a date of birth.
LINKABLE = "enc_key_id IS NOT NULL AND (enc_given IS NOT NULL OR enc_family IS NOT NULL OR enc_dob IS NOT NULL)"

DIFFERENT_KEYS = (
    "records were encoded with different linkage keys; encodings under different keys cannot be compared "
    "(re-encode with one shared key and the same Threadline version)"
)


class LinkageBackend(Protocol):
    """What :func:`~threadline.engines.insights.linkage.link` needs from an engine."""

    name: str

    def load(self, store: Store) -> tuple[Any, Any, dict]:
        """Load the encoded records as the tables ``all_records`` (every record: ``record_id``, ``source``) and
        ``link_input`` (the linkable ones, ``unique_id`` and :data:`LINK_COLUMNS` with the Bloom filters and
        their bit counts ``{bf}_n``); return (Splink database API, ``link_input`` as Splink registers it,
        ``{"records": n, "encoded_records": n}``). Raises ``ValueError`` when the store has no records or its
        records were encoded under different keys."""

    def dice_sql(self, column: str, other: str | None = None) -> str:
        """SQL for the Dice similarity of the Bloom filters ``{column}_l`` / ``{other}_r`` in a comparison level
        (``other`` defaults to ``column``; given against family name recognises swapped names)."""

    def block_dice_sql(self, column: str, other: str | None = None) -> str:
        """The same for blocking rules, where the two sides are ``l.{column}`` / ``r.{other}``."""

    def prepare_settings(self, settings: Any) -> Any:
        """The shared Splink settings made ready for this engine (levels are written in DuckDB's dialect)."""

    def rows(self, sql: str) -> list[tuple]:
        """The rows of a query on the backend's tables."""

    def scalar(self, sql: str) -> Any:
        """The single value of a query on the backend's tables."""

    def save_clusters(self, clusters: str) -> None:
        """Make the table ``link_clusters`` from :func:`.report.link_clusters_sql` over Splink's ``clusters``."""

    def write_clusters(self, path: Path) -> None:
        """Write ``link_clusters`` as one Parquet file ``record_id, cluster_id`` ordered by ``record_id``."""

    def release(self) -> None:
        """Free what :meth:`load` made (tables, cached data)."""


class DuckDBBackend:
    """Linkage in an in-process DuckDB database (the default)."""

    name = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None):
        import duckdb

        self._con = duckdb.connect()
        self._con.execute("SET enable_progress_bar = false").fetchall()
        if threads:
            self._con.execute(f"SET threads = {int(threads)}").fetchall()
        if memory_limit:
            self._con.execute(f"SET memory_limit = {_sql_str(memory_limit)}").fetchall()

    def con(self):
        """The DuckDB connection holding the backend's tables."""
        return self._con

    def dice_sql(self, column: str, other: str | None = None) -> str:
        b = other or column
        return f'(2.0 * bit_count("{column}_l" & "{b}_r") / nullif("{column}_n_l" + "{b}_n_r", 0))'

    def block_dice_sql(self, column: str, other: str | None = None) -> str:
        b = other or column
        return f"(2.0 * bit_count(l.{column} & r.{b}) / nullif(l.{column}_n + r.{b}_n, 0))"

    def prepare_settings(self, settings):
        return settings

    def rows(self, sql: str) -> list[tuple]:
        return self._con.execute(sql).fetchall()

    def scalar(self, sql: str):
        return self.rows(sql)[0][0]

    def load(self, store: Store) -> tuple[object, str, dict]:
        from splink import DuckDBAPI

        files = store.batch_files()
        if not files:
            raise ValueError("the store has no records; import some first")
        file_list = "[" + ", ".join(_sql_str(str(p.resolve())) for p in files) + "]"
        cols = ", ".join(LINK_COLUMNS)
        con = self._con
        con.execute(
            f"""CREATE OR REPLACE TABLE all_records AS
            SELECT record_id, enc_key_id, {cols}, {", ".join(BLOOM_COLUMNS)}
            FROM read_parquet({file_list}, union_by_name = true)"""  # noqa: S608
        ).fetchall()
        if self.scalar("SELECT count(DISTINCT enc_key_id) FROM all_records") > 1:
            raise ValueError(DIFFERENT_KEYS)
        blooms = ", ".join(f"from_hex({b})::BIT AS {b}, bit_count(from_hex({b})::BIT) AS {b}_n" for b in BLOOM_COLUMNS)
        con.execute(
            f"""CREATE OR REPLACE TABLE link_input AS
            SELECT record_id AS unique_id, {cols}, {blooms} FROM all_records WHERE {LINKABLE}"""  # noqa: S608
        ).fetchall()
        facts = {"records": self.scalar("SELECT count(*) FROM all_records"),
                 "encoded_records": self.scalar("SELECT count(*) FROM link_input")}  # fmt: skip
        return DuckDBAPI(connection=con), "link_input", facts

    def save_clusters(self, clusters: str) -> None:
        self._con.execute(f"CREATE OR REPLACE TABLE link_clusters AS {link_clusters_sql(clusters)}").fetchall()

    def write_clusters(self, path: Path) -> None:
        self._con.execute(
            f"COPY (SELECT record_id, cluster_id FROM link_clusters ORDER BY record_id) TO {_sql_str(str(path))} "  # noqa: S608
            "(FORMAT parquet, COMPRESSION zstd)"
        ).fetchall()

    def release(self) -> None:
        for table in ("link_clusters", "link_input", "all_records"):
            self._con.execute(f"DROP TABLE IF EXISTS {table}").fetchall()


#: Backends by name: a class, or ``"module:Class"`` imported when first asked for (optional engines).
BACKENDS: dict[str, type | str] = {
    "duckdb": DuckDBBackend,
    "spark": "threadline.engines.spark.linkage:SparkLinkageBackend",
}


def get_backend(name: str | LinkageBackend, **kwargs) -> LinkageBackend:
    """The backend called ``name`` made with ``kwargs``; a backend object is returned as it is.

    The Spark backend raises ``threadline.engines.spark.SparkUnavailable`` with the install hint when pyspark
    or Java is missing.
    """
    if not isinstance(name, str):
        return name
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown linkage backend {name!r}; expected one of {', '.join(BACKENDS)}") from None
    if isinstance(factory, str):
        module, _, attr = factory.partition(":")
        factory = getattr(import_module(module), attr)
    return factory(**kwargs)
