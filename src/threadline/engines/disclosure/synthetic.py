"""Synthetic microdata built only from protected (published) aggregates, and the metrics to judge it.

:func:`synthesise` never sees a real record. It takes the widest protected table as the skeleton (one
synthetic record per person counted in a published interior cell of at least k; suppressed cells and
noisy DP cells below k contribute nothing), then adds the fields of the other tables by apportioning each
group of records to the published counts that share its values. Finally every combination of up to
``length`` attribute values that occurs fewer than k times in the synthetic data is removed (values
blanked, or records dropped), so no rare combination exists in the output at all: rare-combination
leakage is zero by construction, whatever the real data contain.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from threadline.engines.disclosure.crosstab import as_arrow, one_per_person
from threadline.engines.disclosure.fields import normalise
from threadline.engines.disclosure.protected import ProtectedTable

Record = dict[str, str | None]


def _published_interior(t: ProtectedTable, k: int) -> list[tuple[dict[str, str], int]]:
    out = []
    for cell in t.interior:
        if cell.value is not None and cell.value >= k:
            out.append((dict(zip(t.by, cell.key, strict=True)), int(cell.value)))  # type: ignore[arg-type]
    return out


def _apportion(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, deterministic)."""
    s = sum(weights)
    if s == 0 or total == 0:
        return [0] * len(weights)
    exact = [total * w / s for w in weights]
    base = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (base[i] - exact[i], i))
    for i in order[: total - sum(base)]:
        base[i] += 1
    return base


def _rare_filter(records: list[Record], fields: Sequence[str], k: int, length: int) -> list[Record]:
    """Remove every combination of up to ``length`` values that occurs fewer than k times, to a fixpoint:
    in a rare combination of several fields the value of the field added last is blanked (None: not
    released); a rare single value drops the record."""
    rank = {f: i for i, f in enumerate(fields)}
    while True:
        changed = False
        for n in range(1, min(length, len(fields)) + 1):
            for combo in itertools.combinations(fields, n):
                counts: Counter[tuple] = Counter(tuple(r[f] for f in combo) for r in records)
                rare = {key for key, c in counts.items() if c < k and None not in key}
                if not rare:
                    continue
                changed = True
                if n == 1:
                    records = [r for r in records if (r[combo[0]],) not in rare]
                    continue
                last = max(combo, key=rank.__getitem__)
                for r in records:
                    if tuple(r[f] for f in combo) in rare:
                        r[last] = None
        if not changed:
            return records


def synthesise(
    protected_tables: Sequence[ProtectedTable],
    n: int | None = None,
    seed: int = 0,
    *,
    k: int | None = None,
    length: int = 3,
) -> pa.Table:
    """Synthetic records reproducing the published marginals of ``protected_tables``.

    ``n`` resamples the result to that many records (before the rare-combination filter, so the output
    can be smaller). ``k`` defaults to the tables' k (11 for DP tables). ``length`` is the longest
    attribute combination that must not be rare in the output.
    """
    if not protected_tables:
        raise ValueError("at least one protected table is needed")
    rng = random.Random(seed)
    k = k or max((t.k or 11) for t in protected_tables)
    ordered = sorted(protected_tables, key=lambda t: (-len(t.by), t.by))
    fields: list[str] = []
    records: list[Record] = []
    for t in ordered:
        cells = _published_interior(t, k)
        if not fields:
            fields = list(t.by)
            for values, count in cells:
                records.extend(dict(values) for _ in range(count))
            rng.shuffle(records)
            continue
        new = [f for f in t.by if f not in fields]
        if not new:
            continue
        shared = [f for f in t.by if f in fields]
        groups: dict[tuple, list[Record]] = defaultdict(list)
        for r in records:
            groups[tuple(r[f] for f in shared)].append(r)
        options: dict[tuple, list[tuple[dict[str, str], int]]] = defaultdict(list)
        for values, count in cells:
            options[tuple(values[f] for f in shared)].append((values, count))
        for gkey, members in groups.items():
            opts = options.get(gkey, [])
            shares = _apportion(len(members), [c for _, c in opts])
            rng.shuffle(members)
            i = 0
            for (values, _), share in zip(opts, shares, strict=True):
                for r in members[i : i + share]:
                    r.update({f: values[f] for f in new})
                i += share
            for r in members[i:]:
                r.update(dict.fromkeys(new))
        fields.extend(new)
    if n is not None and records:
        records = [dict(rng.choice(records)) for _ in range(n)]
    records = _rare_filter(records, fields, k, length)
    return pa.table({f: pa.array([r.get(f) for r in records], type=pa.string()) for f in fields})


def _combo_counts(rows: list[tuple], n_fields: int, length: int) -> dict[int, Counter]:
    out: dict[int, Counter] = {}
    for n in range(1, min(length, n_fields) + 1):
        counter: Counter = Counter()
        for idx in itertools.combinations(range(n_fields), n):
            for row in rows:
                vals = tuple(row[i] for i in idx)
                if None not in vals:
                    counter[(idx, vals)] += 1
        out[n] = counter
    return out


def quality_metrics(
    sensitive: Any, synthetic: Any, fields: Sequence[str] | None = None, *, k: int = 11, length: int = 3
) -> dict[str, Any]:
    """Compare synthetic with sensitive records on every attribute combination of 1..``length`` fields.

    Per combination length:

    - ``rare_combination_leakage``: number of combinations present fewer than k times in *both* the
      synthetic and the sensitive data (a synthetic record that mirrors a rare real one). Must be 0.
    - ``count_preservation``: sum of min(sensitive, synthetic) over sum of sensitive counts (1 = every
      counted person reproduced).
    - ``mean_proportional_error``: mean |synthetic - sensitive| / sensitive over the combinations with
      a sensitive count of at least k (those that could be reported).
    - ``suppressed_share``: share of the sensitive combinations that are absent from the synthetic data.
    - ``fabricated_share``: share of the synthetic combinations that do not exist in the sensitive data.
    """
    sens = one_per_person(as_arrow(sensitive))
    syn = as_arrow(synthetic)
    fields = list(fields or syn.column_names)
    s_rows = list(zip(*([normalise(v) for v in sens.column(f).to_pylist()] for f in fields), strict=True))
    y_rows = list(
        zip(
            *([None if v is None else normalise(v) for v in syn.column(f).to_pylist()] for f in fields),
            strict=True,
        )
    )
    s_counts = _combo_counts(s_rows, len(fields), length)
    y_counts = _combo_counts(y_rows, len(fields), length)
    by_length: dict[int, dict[str, float]] = {}
    for n in s_counts:
        s, y = s_counts[n], y_counts.get(n, Counter())
        leak = sum(1 for c, v in y.items() if v < k and 0 < s.get(c, 0) < k)
        total_s = sum(s.values())
        preserved = sum(min(v, y.get(c, 0)) for c, v in s.items())
        reportable = [c for c, v in s.items() if v >= k]
        mpe = sum(abs(y.get(c, 0) - s[c]) / s[c] for c in reportable) / len(reportable) if reportable else 0.0
        by_length[n] = {
            "rare_combination_leakage": leak,
            "count_preservation": preserved / total_s if total_s else 1.0,
            "mean_proportional_error": mpe,
            "suppressed_share": sum(1 for c in s if c not in y) / len(s) if s else 0.0,
            "fabricated_share": sum(1 for c in y if c not in s) / len(y) if y else 0.0,
        }
    return {
        "k": k,
        "length": length,
        "records": {"sensitive": len(s_rows), "synthetic": len(y_rows)},
        "rare_combination_leakage": sum(int(m["rare_combination_leakage"]) for m in by_length.values()),
        "by_length": by_length,
    }
