import json

import pyarrow as pa

from threadline.engines.online.risk import score_networks

WEIGHTS = {
    "features": {
        "n_ads": {"weight": 2, "cap": 10, "label": "ads"},
        "n_phones": {"weight": 2, "cap": 10, "label": "phones"},
        "share_youth_cues": {"weight": 6, "cap": 0.5, "label": "youth cues, 'quoted'"},
    }
}


def test_score_and_explanation():
    tbl = pa.table({"n_ads": [1, 11, 6], "n_phones": [1, 11, 1], "share_youth_cues": [0.0, 1.0, 0.25]})
    out = score_networks(tbl, WEIGHTS)
    assert out["risk_score"].to_pylist() == [0.0, 100.0, 40.0]
    expl = [json.loads(e) for e in out["risk_explanation"].to_pylist()]
    assert expl[0] == []  # a lone ad with nothing notable: no contribution listed
    # largest contribution first; equal contributions keep the order of the weights file
    assert [(e["feature"], e["points"]) for e in expl[1]] == [("share_youth_cues", 60.0), ("n_ads", 20.0),
                                                             ("n_phones", 20.0)]  # fmt: skip
    assert expl[1][0] == {"feature": "share_youth_cues", "label": "youth cues, 'quoted'", "value": 1.0,
                          "points": 60.0}  # fmt: skip
    assert [(e["feature"], e["value"], e["points"]) for e in expl[2]] == [("share_youth_cues", 0.25, 30.0),
                                                                          ("n_ads", 6.0, 10.0)]  # fmt: skip


def test_empty_table():
    out = score_networks(pa.table({"n_ads": pa.array([], pa.int64()), "n_phones": pa.array([], pa.int64()),
                                   "share_youth_cues": pa.array([], pa.float64())}), WEIGHTS)  # fmt: skip
    assert out.num_rows == 0 and out["risk_explanation"].type == pa.string()
