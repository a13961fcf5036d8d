"""networks.csv and hubs.csv of a scan hold scraped ids and identifiers: safe in a spreadsheet, read back as they
were (issue #18, item 10)."""

import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from tests.csv_safety import HOSTILE, assert_spreadsheet_safe

from threadline.engines.online.evaluate import evaluate
from threadline.engines.online.scan import ScanOptions, run_scan
from threadline.engines.online.workspace import connect

EVIL_IMAGE = "=evil()"


def test_scan_csv_outputs_neutralise_formulas(tmp_path):
    ids, truth = [], []
    for g, hostile in enumerate(HOSTILE[:4]):
        for k in range(2):
            ids.append(hostile + f"#{g}" if k == 0 else f"ad-{g}-{k}")
            truth.append(f"T{g}")
    src = tmp_path / "ads.jsonl"
    src.write_text("".join(
        json.dumps({"id": ad_id, "title": "Hello", "body": f"Friendly coffee {i // 2}. Call 202-555-01{40 + i // 2}",
                    "country": "US", "image_hashes": [EVIL_IMAGE]}) + "\n"
        for i, ad_id in enumerate(ids)
    ))  # fmt: skip
    ws = tmp_path / "ws"
    run_scan([str(src)], ws, ScanOptions(workers=1, html_report=False, hub_min_groups=2, hub_min_ads=2))

    networks = (ws / "networks.csv").read_bytes().decode()
    assert_spreadsheet_safe(networks, must_contain=tuple(i for i in ids if not i.startswith("ad-")))
    assert_spreadsheet_safe((ws / "hubs.csv").read_bytes().decode(), must_contain=(EVIL_IMAGE,))

    # our own readers get the values back as they were
    assert connect(ws).execute("SELECT value FROM hubs").fetchall() == [(EVIL_IMAGE,)]
    assert duckdb.connect(str(ws / "workspace.duckdb")).execute("SELECT value FROM hubs").fetchall() == [(EVIL_IMAGE,)]
    truth_table = pa.table({"ad_id": ids, "network": truth, "categories": [[] for _ in ids]})
    pq.write_table(truth_table, tmp_path / "truth.parquet")
    scores = evaluate(ws, tmp_path / "truth.parquet")
    assert scores["ads_scored"] == len(ids) and scores["networks"]["pairwise"]["f1"] == 1.0
