"""Execution backends for linkage. The Splink model (settings) is the same for every backend; a backend
loads the store's encodings into its engine, supplies the few SQL fragments that differ between engines and
returns a Splink database API. DuckDB is the one backend here; ``link(store, backend="spark")`` hands the run to
``threadline.engines.spark.linkage``, which builds Splink's Spark API with the same settings."""

from __future__ import annotations

from typing import Protocol

from threadline.engines.insights.store import Store, _sql_str

LINK_COLUMNS = [
    "source",
    "gender",
    "citizenship",
    "enc_given",
    "enc_family",
    "enc_given_ph",
    "enc_family_ph",
    "enc_dob",
    "enc_dob_canon",
    "enc_dob_md",
    "enc_dob_ym",
    "enc_yob",
]


class LinkageBackend(Protocol):
    name: str

    def load(self, store: Store) -> tuple[object, str, dict]:
        """Load encoded records; return (Splink db_api, registered table name, facts about the input)."""

    def dice_sql(self, column: str, other: str | None = None) -> str:
        """SQL for the Dice similarity of the Bloom filters ``{column}_l`` / ``{other}_r`` (``other`` defaults
        to ``column``; given against family name recognises swapped names)."""

    def block_dice_sql(self, column: str, other: str | None = None) -> str:
        """The same for blocking rules, where the two sides are ``l.{column}`` / ``r.{other}``."""

    def scalar(self, sql: str):
        """The single value of a query on the backend's tables (``link_input``)."""

    def con(self):
        """A SQL connection able to read the backend's tables (for reporting)."""


class DuckDBBackend:
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
        return self._con

    def dice_sql(self, column: str, other: str | None = None) -> str:
        b = other or column
        return f'(2.0 * bit_count("{column}_l" & "{b}_r") / nullif("{column}_n_l" + "{b}_n_r", 0))'

    def block_dice_sql(self, column: str, other: str | None = None) -> str:
        b = other or column
        return f"(2.0 * bit_count(l.{column} & r.{b}) / nullif(l.{column}_n + r.{b}_n, 0))"

    def scalar(self, sql: str):
        return self._con.execute(sql).fetchall()[0][0]

    def load(self, store: Store) -> tuple[object, str, dict]:
        from splink import DuckDBAPI

        files = store.batch_files()
        if not files:
            raise ValueError("the store has no records; import some first")
        file_list = "[" + ", ".join(_sql_str(str(p.resolve())) for p in files) + "]"
        cols = ", ".join(LINK_COLUMNS)
        con = self._con
        con.execute(
            f"""
            CREATE OR REPLACE TABLE all_records AS
            SELECT record_id, enc_key_id, {cols}, bf_given, bf_family
            FROM read_parquet({file_list}, union_by_name = true)
            """  # noqa: S608
        ).fetchall()
        keys = [
            r[0]
            for r in con.execute("SELECT DISTINCT enc_key_id FROM all_records WHERE enc_key_id IS NOT NULL").fetchall()
        ]
        if len(keys) > 1:
            raise ValueError(
                f"records were encoded with {len(keys)} different linkage keys; encodings under different "
                "keys cannot be compared (re-encode with one shared key and the same Threadline version)"
            )
        con.execute(
            f"""
            CREATE OR REPLACE TABLE link_input AS
            SELECT record_id AS unique_id, {cols},
                   from_hex(bf_given)::BIT AS bf_given, bit_count(from_hex(bf_given)::BIT) AS bf_given_n,
                   from_hex(bf_family)::BIT AS bf_family, bit_count(from_hex(bf_family)::BIT) AS bf_family_n
            FROM all_records
            WHERE enc_key_id IS NOT NULL
              AND (enc_given IS NOT NULL OR enc_family IS NOT NULL OR enc_dob IS NOT NULL)
            """  # noqa: S608
        ).fetchall()
        n_all = con.execute("SELECT count(*) FROM all_records").fetchall()[0][0]
        n_link = con.execute("SELECT count(*) FROM link_input").fetchall()[0][0]
        return DuckDBAPI(connection=con), "link_input", {"records": n_all, "encoded_records": n_link}


BACKENDS = {"duckdb": DuckDBBackend}  # Spark: ``link(store, backend="spark")`` hands over to engines.spark


def get_backend(name: str | LinkageBackend, **kwargs) -> LinkageBackend:
    if not isinstance(name, str):
        return name
    try:
        return BACKENDS[name](**kwargs)
    except KeyError:
        raise ValueError(f"unknown linkage backend {name!r}; expected one of {', '.join(BACKENDS)}") from None
