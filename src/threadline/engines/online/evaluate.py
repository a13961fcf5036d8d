"""Evaluation against ground truth: pairwise and B-cubed precision/recall/F1 for networks, and per-category
precision/recall for indicators (at the ad level)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from threadline.engines import csvsafe


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def cluster_scores(pred: np.ndarray, truth: np.ndarray) -> dict:
    """Pairwise and B-cubed scores for two labelings (integer codes) of the same items."""
    n = len(pred)
    if n == 0:
        return {}
    pair = pred.astype(np.int64) * (int(truth.max()) + 1) + truth.astype(np.int64)
    _, nij = np.unique(pair, return_counts=True)
    _, a = np.unique(pred, return_counts=True)
    _, b = np.unique(truth, return_counts=True)
    tp = float((nij * (nij - 1) // 2).sum())
    pp = float((a * (a - 1) // 2).sum())
    tt = float((b * (b - 1) // 2).sum())
    p = tp / pp if pp else 1.0
    r = tp / tt if tt else 1.0
    # B-cubed: per item, |pred cluster ∩ truth cluster| / |pred cluster| (precision) and / |truth cluster|
    _, pinv, pcnt = np.unique(pred, return_inverse=True, return_counts=True)
    _, tinv, tcnt = np.unique(truth, return_inverse=True, return_counts=True)
    _, jinv, jcnt = np.unique(pair, return_inverse=True, return_counts=True)
    inter = jcnt[jinv].astype(float)
    bp = float((inter / pcnt[pinv]).mean())
    br = float((inter / tcnt[tinv]).mean())
    return {"pairwise": {"precision": p, "recall": r, "f1": _f1(p, r), "true_pairs": int(tt),
                         "predicted_pairs": int(pp)},
            "bcubed": {"precision": bp, "recall": br, "f1": _f1(bp, br)}}  # fmt: skip


def _codes(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)


def evaluate(workspace: str | Path, truth: str | Path) -> dict:
    ws = Path(workspace)
    t = pq.read_table(truth)
    pred = pacsv.read_csv(ws / "networks.csv", convert_options=pacsv.ConvertOptions(
        column_types={"ad_id": pa.string(), "network_id": pa.string()}))  # fmt: skip
    pred = pred.set_column(0, "ad_id", pa.array([csvsafe.unescape(a) for a in pred["ad_id"].to_pylist()], pa.string()))
    joined = t.select(["ad_id", "network"]).join(pred, "ad_id", join_type="inner")
    res: dict = {"ads_in_truth": t.num_rows, "ads_scored": joined.num_rows}
    res["networks"] = cluster_scores(_codes(joined["network_id"]), _codes(joined["network"]))
    # hubs must not merge networks: count predicted networks that join two or more truth networks via a hub ad
    # indicators
    ads = pq.read_table(ws / "ads.parquet", columns=["ad_id", "indicator_categories"])
    tmap = dict(zip(t["ad_id"].to_pylist(), t["categories"].to_pylist(), strict=True))
    pred_c, truth_c = [], []
    for a, pcs in zip(ads["ad_id"].to_pylist(), ads["indicator_categories"].to_pylist(), strict=True):
        if a in tmap:
            pred_c.append(pcs)
            truth_c.append(tmap[a])
    cats = sorted({c for x in truth_c for c in (x or [])} | {c for x in pred_c for c in (x or [])})
    per = {}
    for c in cats:
        tp = fp = fn = 0
        for tc, pcs in zip(truth_c, pred_c, strict=True):
            a = c in (tc or [])
            b = c in (pcs or [])
            tp += a and b
            fp += b and not a
            fn += a and not b
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        per[c] = {"precision": p, "recall": r, "f1": _f1(p, r), "support": tp + fn}
    res["indicators"] = per
    return res
