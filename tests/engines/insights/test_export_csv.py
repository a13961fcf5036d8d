"""The CTDC export is safe to open in a spreadsheet whatever a stored value holds (issue #18, item 10)."""

import pyarrow.compute as pc
import pyarrow.parquet as pq
from tests.csv_safety import HOSTILE, assert_spreadsheet_safe

from threadline.engines.insights import import_file
from threadline.engines.insights.export import export_ctdc
from threadline.engines.insights.store import as_store

from .conftest import ctdc_row, write_ctdc


def test_export_neutralises_formulas(tmp_path):
    path = write_ctdc(tmp_path / "ctdc.csv", [ctdc_row(), ctdc_row(gender="Male")])
    assert import_file(path, "ctdc", "partnerA", tmp_path / "store").stored
    # a value that a stricter importer would refuse, as an older or another tool could have stored it
    [batch] = as_store(tmp_path / "store").batches_dir.glob("*.parquet")
    t = pq.read_table(batch)
    i = t.schema.get_field_index("gender")
    pq.write_table(t.set_column(i, "gender", pc.replace_substring(t.column(i), "Female", HOSTILE[0])), batch)
    for fmt, delimiter, kept in (("ctdc", ",", (HOSTILE[0],)), ("ctdc-synthetic", ",", ())):  # labels: recoded
        out = tmp_path / f"{fmt}.csv"
        export_ctdc(tmp_path / "store", out, fmt=fmt)
        assert_spreadsheet_safe(out.read_bytes().decode(), delimiter, must_contain=kept)
