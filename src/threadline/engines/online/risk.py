"""Transparent, configurable network risk score (weights in ``risk.yaml``)."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa


def score_networks(tbl: pa.Table, weights: dict) -> pa.Table:
    """Add ``risk_score`` (0-100) and ``risk_explanation`` (JSON list of feature contributions) columns.

    For each feature f with weight w and cap c: contribution = w * min(value / c, 1). The score is the sum of
    contributions divided by the sum of weights, times 100. The explanation lists every non-zero contribution
    with the feature's value, so a reviewer sees exactly why a network ranks where it does.
    """
    feats = weights.get("features", {})
    n = tbl.num_rows
    total_w = sum(float(v["weight"]) for v in feats.values()) or 1.0
    contrib_cols = {}
    values = {}
    for name, spec in feats.items():
        if name not in tbl.column_names:
            raise ValueError(f"risk weights: unknown feature {name!r}")
        v = np.asarray(tbl[name].to_numpy(zero_copy_only=False), dtype=float)
        v = np.nan_to_num(v, nan=0.0)
        # counts start at 1 for any network: only the excess over one is a signal
        v_eff = np.maximum(v - 1.0, 0.0) if name in ("n_ads", "n_phones", "n_cities", "n_names", "n_sites") else v
        c = float(spec["weight"]) * np.minimum(v_eff / float(spec["cap"]), 1.0)
        contrib_cols[name] = c
        values[name] = v
    total = np.zeros(n)
    for c in contrib_cols.values():
        total += c
    score = np.round(total / total_w * 100.0, 2)
    names = list(contrib_cols)
    labels = [json.dumps(feats[k].get("label", k), ensure_ascii=False) for k in names]
    keys = [json.dumps(k) for k in names]
    expl: list[str] = []
    if names and n:
        pts = np.round(np.stack([contrib_cols[k] for k in names], axis=1) / total_w * 100.0, 2)
        vals = np.round(np.stack([values[k] for k in names], axis=1), 3)
        order = np.argsort(-pts, axis=1, kind="stable")
        nnz = (pts > 0).sum(axis=1).tolist()
        pts_l = pts.tolist()
        vals_l = vals.tolist()
        order_l = order.tolist()
        for i in range(n):
            k = nnz[i]
            if k == 0:
                expl.append("[]")
                continue
            p_i, v_i = pts_l[i], vals_l[i]
            expl.append("[" + ", ".join(
                f'{{"feature": {keys[j]}, "label": {labels[j]}, "value": {v_i[j]!r}, "points": {p_i[j]!r}}}'
                for j in order_l[i][:k]) + "]")  # fmt: skip
    else:
        expl = ["[]"] * n
    tbl = tbl.append_column("risk_score", pa.array(score))
    return tbl.append_column("risk_explanation", pa.array(expl, pa.string()))
