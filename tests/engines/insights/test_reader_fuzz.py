"""Property fuzzer for the importer's reading layer: any CSV (BOM, LF/CRLF/CR line endings, giant cells,
broken quoting, stray bytes) gives a validation report with file-and-row issues, never an exception (issue #18,
item 11). These generators produce the inputs that used to crash ``threadline insights import``."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadline.engines.insights import validate_file

HEADERS = ["case_id", "gender", "yearOfRegistration", "citizenship", "ageBroad"]
cell = st.one_of(
    st.sampled_from(["Female", "Male", "2020", "UA", "9--17", "-99", "", "=1", "ZZ"]),
    st.text(max_size=12),
    st.text(alphabet=',;"\r\n', max_size=6),
    st.integers(0, 140_000).map(lambda n: "g" * n),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.lists(st.one_of(st.sampled_from(HEADERS), cell), min_size=1, max_size=6),
    rows=st.lists(st.lists(cell, max_size=6), max_size=6),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
    tail=st.binary(max_size=4),
    delimiter=st.sampled_from([",", ";"]),
)
def test_any_csv_gives_a_report(header, rows, newline, bom, tail, delimiter):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "partner.csv"
        text = newline.join(delimiter.join(r) for r in [header, *rows])
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass") + tail)
        for fmt in ("htcds", "ctdc"):
            report = validate_file(path, fmt, source="p")
            assert report.ok or report.issues
            for issue in report.issues:
                assert issue.file == "partner.csv" and issue.row >= 0 and len(issue.reason) < 400
