"""Case-level records -> cross-tabulated counts (every combination of categories, zeros included)."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from threadline.engines.disclosure.fields import MISSING, OTHER, check_fields, normalise

#: A cell key: one category per grouping field, ``None`` where the field is summed over (a total).
Key = tuple[str | None, ...]

MAX_CELLS = 250_000
PERSON_COLUMN = "cluster_id"


def as_arrow(records: Any) -> pa.Table:
    """Accept a pyarrow Table, a DuckDB relation, or a list of dicts."""
    if isinstance(records, pa.Table):
        return records
    if isinstance(records, pa.RecordBatch):
        return pa.Table.from_batches([records])
    for method in ("to_arrow_table", "arrow", "fetch_arrow_table"):
        fn = getattr(records, method, None)
        if callable(fn):
            out = fn()
            if isinstance(out, pa.RecordBatchReader):
                out = out.read_all()
            return out
    if isinstance(records, list):
        return pa.Table.from_pylist(records)
    raise TypeError(f"cannot read records from {type(records).__name__}")


def one_per_person(table: pa.Table) -> pa.Table:
    """Keep the first record of each linked person (``cluster_id``) so that each person counts once.

    The insights store links records of the same person across organisations; counting records instead
    of people would double-count them and would break the one-person-one-record assumption of the
    differential-privacy sensitivity. Records without a ``cluster_id`` are each their own person.
    """
    if PERSON_COLUMN not in table.column_names or table.num_rows == 0:
        return table
    import pyarrow.compute as pc

    ids = table.column(PERSON_COLUMN)
    rows = pa.table({"id": ids, "row": pa.array(np.arange(table.num_rows, dtype=np.int64))})
    linked = rows.filter(pc.is_valid(rows.column("id")))
    if linked.num_rows == 0:
        return table
    first = linked.group_by("id").aggregate([("row", "min")]).column("row_min").to_numpy()
    keep = np.sort(np.concatenate([first, rows.filter(pc.is_null(rows.column("id"))).column("row").to_numpy()]))
    return table if len(keep) == table.num_rows else table.take(pa.array(keep, type=pa.int64()))


def dataset_version(table: pa.Table) -> str:
    """A content fingerprint: any added, removed or changed record gives a new version."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()[:16]


@dataclass
class Crosstab:
    """Counts of people for every combination of the categories of ``by`` (zeros included)."""

    by: tuple[str, ...]
    categories: dict[str, tuple[str, ...]]
    counts: dict[tuple[str, ...], int]
    dataset_id: str = "default"
    version: str = ""
    n: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    def value(self, key: Key) -> int:
        """Count of an interior cell or of a total (``None`` positions are summed over)."""
        if None not in key:
            return self.counts.get(tuple(key), 0)  # type: ignore[arg-type]
        return sum(v for k, v in self.counts.items() if all(a is None or a == b for a, b in zip(key, k, strict=True)))

    def all_keys(self) -> Iterator[Key]:
        """Interior cells first, then every margin down to the grand total."""
        options = [[*self.categories[f], None] for f in self.by]
        keys = list(itertools.product(*options))
        keys.sort(key=lambda k: sum(x is None for x in k))
        yield from keys

    def with_margins(self) -> dict[Key, int]:
        out: dict[Key, int] = {}
        d = len(self.by)
        for key, v in self.counts.items():
            for mask in itertools.product((False, True), repeat=d):
                mk = tuple(None if m else x for x, m in zip(key, mask, strict=True))
                out[mk] = out.get(mk, 0) + v
        for key in self.all_keys():
            out.setdefault(key, 0)
        return out

    def field_totals(self, field_name: str) -> dict[str, int]:
        i = self.by.index(field_name)
        out: dict[str, int] = dict.fromkeys(self.categories[field_name], 0)
        for key, v in self.counts.items():
            out[key[i]] += v
        return out

    def recode(self, mapping: Mapping[str, Mapping[str, str]]) -> Crosstab:
        """Merge categories (``{field: {old: new}}``), e.g. rare ones into "Other"."""
        cats = {}
        for f in self.by:
            m = mapping.get(f, {})
            seen: list[str] = []
            for c in self.categories[f]:
                new = m.get(c, c)
                if new not in seen:
                    seen.append(new)
            # Merged categories go where _sort_categories puts them: "Other", then "Unknown", last.
            specials = [c for c in (OTHER, MISSING) if c in seen]
            cats[f] = (*[c for c in seen if c not in specials], *specials)
        counts: Counter[tuple[str, ...]] = Counter()
        for key, v in self.counts.items():
            counts[tuple(mapping.get(f, {}).get(x, x) for f, x in zip(self.by, key, strict=True))] += v
        full = {k: counts.get(k, 0) for k in itertools.product(*(cats[f] for f in self.by))}
        return Crosstab(self.by, cats, full, self.dataset_id, self.version, self.n, dict(self.meta))


def _distinct(column) -> tuple[list[Any], np.ndarray]:
    """The distinct values of a column and, for each row, the position of its value among them."""
    import pyarrow.compute as pc

    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    uniques = pc.unique(column)
    index = pc.index_in(column, value_set=uniques)
    if index.null_count:
        # A value Arrow's hashing does not find again (NaN in some layouts): count those rows one by one.
        values = column.to_pylist()
        distinct = list(dict.fromkeys(values))
        position = {v: i for i, v in enumerate(distinct)}
        return distinct, np.array([position[v] for v in values], dtype=np.int64)
    return uniques.to_pylist(), index.to_numpy(zero_copy_only=False).astype(np.int64)


def _sort_categories(field_name: str, values: set[str]) -> tuple[str, ...]:
    """Codebook order where there is one (age bands), else numbers then text; Other, Unknown last."""
    from threadline.engines.disclosure.fields import COUNTRY_FIELDS, public_codebook

    order: dict[str, int] = {}
    if field_name not in COUNTRY_FIELDS:
        try:
            order = {c: i for i, c in enumerate(public_codebook(field_name))}
        except ValueError:
            order = {}
    specials = [v for v in (OTHER, MISSING) if v in values]
    rest = sorted(
        values - set(specials),
        key=lambda v: (
            order.get(v, len(order)),
            not v.lstrip("-").isdigit(),
            int(v) if v.lstrip("-").isdigit() else 0,
            v,
        ),
    )
    return (*rest, *specials)


def crosstab(
    table: Any,
    by: Sequence[str],
    *,
    dataset_id: str = "default",
    version: str | None = None,
    categories: Mapping[str, Sequence[str]] | None = None,
    allowed: Sequence[str] | None = None,
) -> Crosstab:
    """Count people by every combination of ``by``.

    Missing values become the category "Unknown" (never dropped). Without ``categories`` a field's
    categories are the values present in the data; with them, values outside the list count as "Other".
    ``version`` defaults to a fingerprint of the records, so that the release ledger notices new data.
    """
    fields = check_fields(by, allowed)
    arrow = one_per_person(as_arrow(table))
    missing_cols = [f for f in fields if f not in arrow.column_names]
    if missing_cols:
        raise ValueError(f"records have no column(s) {missing_cols}")
    # Normalise each distinct value once, then count combinations of category codes with NumPy.
    labels: list[list[str]] = []
    codes: list[np.ndarray] = []
    for f in fields:
        uniques, index = _distinct(arrow.column(f))
        labels.append([normalise(v) for v in uniques])
        codes.append(index)
    cats: dict[str, tuple[str, ...]] = {}
    for f, names in zip(fields, labels, strict=True):
        if categories and f in categories:
            allowed_values = list(dict.fromkeys(str(c) for c in categories[f]))
            allowed_set = set(allowed_values)
            names[:] = [v if v in allowed_set else OTHER for v in names]
            if OTHER not in allowed_set:
                allowed_values.append(OTHER)
            cats[f] = tuple(allowed_values)
        else:
            cats[f] = _sort_categories(f, set(names))
    size = 1
    for f in fields:
        size *= len(cats[f]) + 1
    if size > MAX_CELLS:
        raise ValueError(f"a table by {fields} would have {size} cells (limit {MAX_CELLS}); group by fewer fields")
    shape = [len(cats[f]) for f in fields]
    combined = np.zeros(arrow.num_rows, dtype=np.int64)
    for f, names, index, width in zip(fields, labels, codes, shape, strict=True):
        position = {c: i for i, c in enumerate(cats[f])}
        to_category = np.array([position[v] for v in names], dtype=np.int64)
        combined = combined * width + to_category[index]
    tally = np.bincount(combined, minlength=int(np.prod(shape)))  # check_fields: at least one field
    grid = itertools.product(*(cats[f] for f in fields))
    counts = {k: int(n) for k, n in zip(grid, tally.tolist(), strict=True)}
    return Crosstab(
        by=tuple(fields),
        categories=cats,
        counts=counts,
        dataset_id=dataset_id,
        version=version if version is not None else dataset_version(arrow),
        n=arrow.num_rows,
    )
